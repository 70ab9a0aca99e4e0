"""A third probe of free-text de-identification (D1), one sentence kind per class outside
attackers found missed on 5-6 December: a name after a job title whose given part starts an
ordinary word (個管師高中欣, 護理師王建國), English names written "Surname, Given Given" (Chen,
Mary Ann; LIN, Chia-Hao; Wang, Da-Wei M.D.), employers named bare (在台積上班, 鴻海員工, in 7-11
打工, TSMC engineer), nicknames (阿明, 小美, 明仔), names split by spaces or punctuation or half
masked (王 小 明, 王○明), names in full-width Latin, phones and IDs in full-width digits or split,
ROC-calendar birth dates, addresses with Chinese-numeral 巷/弄/號, e-mail and LINE IDs.

Distractors are what such notes hold that must stay: a role or kinship word alone (隔壁房阿伯,
上周主任來, 護理師交班), education levels (高中畢業, 國中肄業, 就讀高中), drugs and anatomy,
generic workplaces (在工廠上班), shops visited (去7-11買早餐), ROC service dates.

``generate(n, seed)`` returns ``notes.Case`` objects for ``score.score``; the form of each
identifier names its class of attack (``by form`` in the report).
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify.eval import forms as F
from tests.deidentify.eval import names as N
from tests.deidentify.eval.notes import Case

ROLES = ["個管師", "護理師", "社工", "社工師", "主治醫師", "住院醫師", "專科護理師", "專師", "護理長", "督導", "營養師",
         "藥師", "物理治療師", "職能治療師", "心理師", "居服員", "照服員", "看護", "志工", "主任", "組長", "值班醫師",
         "書記", "醫檢師", "放射師", "呼吸治療師", "主護", "助理", "秘書", "老師", "輔導老師", "里長", "保全"]
AFTER_ROLE = ["說", "表示", "今日電訪", "協助翻身", "來電", "評估後", "已告知家屬", "。", "，", "陪同", "交班時提到",
              " 於床邊衛教", "（分機 123）", "回覆"]
# Given names that begin (with the surname) or are an ordinary word: 高中欣 (高中), 王道明 (王道).
WORD_NAMES = ["高中欣", "高中明", "王道明", "方正宏", "文明華", "江山美", "金華玲", "黃金龍", "白雪玲", "高雄偉",
              "馬上明", "成功輝", "林業明", "安心怡", "甘美玲", "丁香如", "溫和平", "石頭明", "洪水生", "常青松",
              "陳建國", "王和平", "林忠孝", "李自強", "張信義", "吳光明", "劉中正", "蔡仁愛", "楊國中", "許高中",
              "周大同", "鄭文華", "謝明德", "曾國強", "廖美華", "賴志明", "何春美", "簡單純", "高明", "夏天",
              "秦朗", "田園", "林立"]
# (the name, then a credential that stays: Wang, Da-Wei| M.D.)
EN_ORDER = [("{S}, {G1} {G2}", ""), ("{SU}, {G1}-{g2}", ""), ("{S}, {G1}-{g2}", " M.D."), ("{S}, {G1}-{g2}", ", RN"),
            ("{SU}, {G1U}-{G2U}", ""), ("{S}, {W} {W2}", ""), ("{SU}, {W}", ""), ("{S}, {G1} {G2}", ", MD"),
            ("{S},{G1}-{g2}", ""), ("{S}, {W} {I}.", ""), ("{S}, {W}", " NP"), ("{SU}, {G1U} {G2U}", "")]
ROLE_EN = ["Attending: ", "Consulted ", "Signed by ", "RN ", "Case manager ", "Primary nurse: ", "Referred to ",
           "Patient ", "Informant: ", "cc: "]
EMPLOYERS = ["台積", "台積電", "鴻海", "富士康", "聯電", "聯發科", "中華電信", "中鋼", "中油", "台塑", "長榮", "華航",
             "友達", "廣達", "仁寶", "華碩", "宏碁", "大立光", "日月光", "台達電", "英業達", "緯創", "和碩", "國泰人壽",
             "富邦", "台電", "中華郵政", "統一超商", "全聯", "家樂福", "麥當勞", "星巴克", "7-11", "7-Eleven",
             "TSMC", "Foxconn", "MediaTek", "ASUS", "Acer", "UMC", "Pegatron"]
EMP_CTX = [("在", "上班"), ("任職於", ""), ("在", "工作"), ("於", "擔任作業員"), ("in ", " 打工"), ("", "工程師"),
           ("", "員工"), ("在", "當工程師"), ("works at ", ""), ("employed by ", ""), ("", " engineer"),
           ("退休前在", "做了三十年"), ("先生是", "的主管"), ("", "作業員，輪三班"), ("在", "的工廠上大夜")]
NICK = ["阿明", "小美", "明仔", "阿德", "阿雄", "小芳", "阿珠", "阿輝", "小玲", "阿忠", "小華", "阿宏", "惠仔",
        "阿財", "小萍", "阿秀", "阿榮"]
NICK_CTX = [("", "今天有來"), ("", "陪同就醫"), ("叫他", "就會回應"), ("案妻", "表示"), ("鄰居", "幫忙買菜"),
            ("", "是案子"), ("暱稱", "，"), ("大家都叫他", "。")]
SPLITS = [" ", "　", "・", "．", "-", " - ", "  "]
MASKS = ["○", "Ｏ", "O", "*", "＊", "X", "x", "〇", "●"]
ROC_DOB = ["民國{r}年{m}月{d}日生", "出生日期：{r}/{m:02d}/{d:02d}", "生日 民國{r}.{m}.{d}", "出生於民國{r}年{m}月{d}日",
           "DOB: {r}/{m:02d}/{d:02d}", "{rc}年{mc}月{dc}日生", "生日：{r}-{m:02d}-{d:02d}"]
CH = "〇一二三四五六七八九"
DISTRACT = [
    "隔壁房阿伯今天吵鬧", "上周主任來查房", "主任查房", "護理師交班", "社工訪視", "個管師電話追蹤", "學歷高中畢業",
    "國中肄業，目前待業", "就讀高中二年級", "高中畢業後就工作", "教育程度：國中", "高中同學來探望", "國小畢業",
    "大學肄業", "給予 Amoxicillin 500mg", "右側肱骨骨折", "左側股骨頸骨折", "Metformin 500mg BID", "口服 Aspirin",
    "在工廠上班", "在電子廠工作", "在餐廳打工", "在醫院上班", "去7-11買早餐", "到全聯買菜", "喝星巴克咖啡",
    "在麥當勞吃早餐", "隔壁床阿姨", "同房阿伯", "樓下阿嬤", "阿伯說腳痛", "阿嬤會來", "小孩發燒", "小便量少",
    "明天回診", "夏天容易中暑", "方便時回電", "安心出院", "高中生運動傷害", "黃金期內復健", "白雪公主貼紙",
    "民國112年3月5日入院", "112/03/05 手術", "主治醫師查房", "值班醫師評估", "住院醫師解釋病情", "營養師衛教",
    "居服員每週三次", "看護協助進食", "志工陪伴", "林口院區", "石膏固定", "成功拔管", "江河日下",
    "心電圖正常", "血壓 130/80", "體溫 37.8", "腹部超音波", "胸部X光", "和平醫院轉入", "中正路上車禍",
]


def _roman_order(rng: random.Random) -> tuple[str, str]:
    s = rng.choice(N.ROMAN_SURNAMES)
    a, b = rng.sample(N.ROMAN_SYLL, 2)
    w, w2 = rng.sample(["Mary", "Ann", "John", "Grace", "Kevin", "Amy", "David", "Joy", "Vincent", "Emily"], 2)
    name, credential = rng.choice(EN_ORDER)
    return name.format(S=s, SU=s.upper(), G1=a, G2=b, g2=b.lower(), G1U=a.upper(), G2U=b.upper(),
                       W=w, W2=w2, I=rng.choice("ABCJKLMS")), credential


def _id(rng: random.Random) -> str:
    s = taiwan_id.generate(rng, "national")
    return rng.choice([F.fullwidth(s), F.fullwidth(f"{s[0]} {s[1:5]} {s[5:]}"), f"{s[:1]} {s[1:4]}-{s[4:7]}-{s[7:]}",
                       " ".join(s), "-".join([s[:2], s[2:6], s[6:]]), s[0] + "　" + F.fullwidth(s[1:])])


def _phone(rng: random.Random) -> str:
    d = "".join(rng.choice("0123456789") for _ in range(6))
    p = f"09{rng.randint(10, 99)}{d}"
    return rng.choice([F.fullwidth(f"{p[:4]}-{p[4:7]}-{p[7:]}"), F.fullwidth(p), f"{p[:4]} {p[4:7]} {p[7:]}",
                       " ".join(p), "-".join([p[:2], p[2:4], p[4:7], p[7:]]), f"{p[:4]}　{p[4:]}",
                       F.fullwidth(f"(02){2}{d[:3]}-{d[2:6]}")])


def _chinese_num(n: int, digitwise: bool) -> str:
    return "".join(CH[int(c)] for c in str(n)) if digitwise else _spoken(n)


def _spoken(n: int) -> str:
    t, u = divmod(n, 10)
    if n < 10:
        return CH[n].replace("〇", "零")
    if n < 20:
        return "十" + (CH[u] if u else "")
    if n < 100:
        return CH[t] + "十" + (CH[u] if u else "")
    h, r = divmod(n, 100)
    t, u = divmod(r, 10)
    return CH[h] + "百" + ("" if not r else ("零" + CH[u] if t == 0 else CH[t] + "十" + (CH[u] if u else "")))


def _address(rng: random.Random) -> str:
    dw = rng.random() < 0.5
    road = rng.choice(["和平東路二段", "中山北路一段", "民生路", "復興南路一段", "成功路", "自由路三段", "中華路"])
    city = rng.choice(["台北市大安區", "新北市板橋區", "台中市西屯區", "高雄市苓雅區", "臺南市東區", ""])
    out = city + road + _chinese_num(rng.randint(1, 300), dw) + "巷"
    if rng.random() < 0.6:
        out += _chinese_num(rng.randint(1, 30), dw) + "弄"
    out += _chinese_num(rng.randint(1, 150), dw) + "號"
    if rng.random() < 0.4:
        out += _chinese_num(rng.randint(2, 15), dw) + "樓"
    return out


def _sentence(rng: random.Random, c: Case) -> None:
    k = rng.randrange(13)
    if k == 0:
        c.add(rng.choice(ROLES)).pii("NAME", rng.choice(WORD_NAMES), "role_word_name").add(rng.choice(AFTER_ROLE) + "。")
    elif k == 1:
        c.add(rng.choice(ROLES) + rng.choice(["", " "])).pii("NAME", N.chinese_name(rng), "role_name").add(rng.choice(AFTER_ROLE) + "。")
    elif k == 2:
        name, credential = _roman_order(rng)
        c.add(rng.choice(ROLE_EN)).pii("NAME", name, "surname_comma").add(credential + rng.choice([" signed.", ". ", " for wound care. ", "；"]))
    elif k == 3:
        e = rng.choice(EMPLOYERS)
        a, b = rng.choice(EMP_CTX)
        c.add(rng.choice(["病人", "案子", "先生", "Pt ", "案女", ""]) + a).pii("EMPLOYER", e, "employer_bare").add(b + "。")
    elif k == 4:
        a, b = rng.choice(NICK_CTX)
        c.add(a).pii("NAME", rng.choice(NICK), "nickname").add(b + "。")
    elif k == 5:
        n = N.chinese_name(rng)
        n = n if len(n) >= 3 else n + rng.choice(N.GIVEN)
        sep = rng.choice(SPLITS)
        form = rng.random()
        w = sep.join(n) if form < 0.6 else n[0] + sep + n[1:]
        c.add(rng.choice(["病患", "家屬", "病人", "聯絡人", "陪同者 ", "個案"])).pii("NAME", w, "split_name").add(rng.choice(["今日入院", "來電", "，"]) + "。")
    elif k == 6:
        n = N.chinese_name(rng)
        n = n if len(n) >= 3 else n + rng.choice(N.GIVEN)
        m = rng.choice(MASKS)
        w = n[0] + m + n[2:] if rng.random() < 0.6 else n[:2] + m
        c.add(rng.choice(["病患", "家屬", "案母", "聯絡人：", "個案"])).pii("NAME", w, "partial_mask").add(rng.choice(["今日入院", "來電", "，", "表示"]) + "。")
    elif k == 7:
        c.add(rng.choice(["Patient: ", "Name: ", "Dr. ", "家屬 ", "聯絡人："])).pii("NAME", F.fullwidth(N.romanised(rng)).replace(" ", rng.choice([" ", "　"])), "fullwidth_latin").add("。")
    elif k == 8:
        c.add(rng.choice(["身分證：", "身分證字號 ", "ID: ", "身分證號"])).pii("ID", _id(rng), "id_spaced").add("。")
        c.add(rng.choice(["電話：", "手機 ", "Tel: ", "聯絡電話"])).pii("PHONE", _phone(rng), "phone_spaced").add("。")
    elif k == 9:
        y, m, d = rng.randint(20, 105), rng.randint(1, 12), rng.randint(1, 28)
        t = rng.choice(ROC_DOB)
        val = t.format(r=y, m=m, d=d, rc=_spoken(y) if y < 100 else "".join(CH[int(x)] for x in str(y)), mc=_spoken(m), dc=_spoken(d))
        # the label stays: the date itself is the identifier
        for lab in ("出生日期：", "生日 民國", "出生於", "DOB: ", "生日：", "生日 "):
            if val.startswith(lab):
                c.add(lab)
                val = val[len(lab):]
                break
        tail = "生" if val.endswith("生") else ""
        c.pii("DOB", val[:len(val) - len(tail)], "roc_dob").add(tail + "。")
    elif k == 10:
        c.add(rng.choice(["住址：", "住", "現住", "戶籍地："])).pii("ADDRESS", _address(rng), "address_chinese_num").add("。")
    elif k == 11:
        if rng.random() < 0.5:
            c.add(rng.choice(["Email: ", "email：", "信箱 "])).pii("EMAIL", F.write_email(rng), "email").add("。")
        else:
            h = rng.choice(["chen_mary88", "abc1234", "wang.dawei", "lin-0912", "meimei_77", "tw.amy"])
            c.add(rng.choice(["LINE ID: ", "LINE：", "賴 ", "line id ", "加LINE "])).pii("ACCOUNT", h, "line_id").add("。")
    else:
        c.dist("ORDINARY", rng.choice(DISTRACT)).add("。")


def generate(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    out = []
    for style in ("nursing", "social", "discharge", "mixed"):
        head = {"nursing": "【護理紀錄】", "social": "社工紀錄：", "discharge": "出院摘要 ", "mixed": "Note: "}[style]
        for _ in range(n):
            c = Case(style).add(head)
            for _ in range(rng.randint(3, 7)):
                _sentence(rng, c)
                if rng.random() < 0.5:
                    c.dist("ORDINARY", rng.choice(DISTRACT)).add("。")
            out.append(c)
    return out


def masked_spans_scrub(texts: list[str]) -> list[list[tuple[int, int]]]:
    """What ``scrub_texts`` masks: the finders' hits plus named employers (the scorer's default,
    ``find_identifiers_batch``, reports no employer)."""
    from deidentify.identifiers import employers
    from deidentify.text import find_identifiers_batch
    from deidentify.text.scrub import _with_employers

    return [[(h.start, h.end) for h in _with_employers(t, hits, employers.employer_spans(t))]
            for t, hits in zip(texts, find_identifiers_batch(texts))]
