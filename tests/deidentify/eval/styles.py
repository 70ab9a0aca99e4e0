"""A second, independent probe of free-text de-identification (D1): notes in styles the first
generator (``notes.py``) does not write - nursing shift hand-overs, social-worker visits,
discharge summaries, referral letters, SOAP notes, telephone follow-ups, mixed Chinese/English -
with identifiers in many written forms (spaced and dashed IDs, every Taiwan phone shape with
分機, LINE IDs, plates, romanised names, relatives named in kinship phrases) and ordinary
clinical phrases (occupations, kinship words, visits, shops, verbs) as distractors.

``generate(n, seed)`` returns ``notes.Case`` objects scored by ``score.score``; classes are
those of ``notes.CLASSES`` plus ACCOUNT and PLATE.
"""
from __future__ import annotations

import random

from tests.deidentify.eval import forms as F
from tests.deidentify.eval import names as N
from tests.deidentify.eval.notes import Case
from deidentify.identifiers import taiwan_id

STYLES = ("nursing", "social", "discharge", "referral", "soap", "phone", "mixed", "typed")
KIN = ["女兒", "兒子", "太太", "先生", "媳婦", "女婿", "孫子", "孫女", "外甥", "姪子", "大女兒", "二兒子", "長子",
       "案女", "案妻", "案子", "姊姊", "弟弟", "妹妹", "哥哥", "母親", "父親", "配偶", "看護", "鄰居", "同事", "朋友"]
TITLE = ["先生", "小姐", "太太", "女士", "醫師", "護理師", "社工師", "阿姨", "伯伯", "主任", "老師", "校長", "課長",
         "經理", "組長", "里長", "師姐", "師兄", "阿伯", "阿嬤", "大哥", "大姐", "營養師", "藥師", "個管師"]
# ordinary sentences a clinical note holds: must stay untouched
ORDINARY = [
    "同事來探望", "阿姨說病人昨晚沒睡好", "常去王記買早餐", "社工訪視，家屬配合", "職業：務農", "職業：家管",
    "病人務農，太太家管", "朋友來訪後情緒穩定", "鄰居協助送餐", "女兒表示會再來", "兒子下班後來陪",
    "看護協助翻身拍背", "家屬表示了解", "同學來探病", "案主自述睡不好", "媳婦負責煮飯", "孫子週末會來",
    "里長協助申請補助", "志工陪伴聊天", "居服員每週來三次", "先生在工廠上班", "太太在菜市場賣菜",
    "以前當過公車司機", "退休教師，喜歡下棋", "平時在便利商店打工", "在夜市擺攤", "從事營造業",
    "病人上周回診", "上週已抽血", "下游廠商", "班上同學", "樓下鄰居", "常去公園散步", "常去市場買菜",
    "家人輪流照顧", "主要照顧者為女兒", "病人表示想回家", "護理師協助翻身", "醫師查房", "營養師衛教飲食",
    "物理治療師協助下床", "個管師電話追蹤", "社工師協助轉介長照", "家屬探視", "病人外出散步",
    "到診所拿藥", "去藥局買藥", "早餐店老闆", "常去廟裡拜拜", "到公所辦理", "到區公所申請",
    "每天早上去運動", "晚上九點就寢", "病人喜歡聽廣播", "家中養一隻狗", "住在三樓無電梯",
    "與太太同住", "獨居", "子女皆在外地工作", "經濟來源為退休金", "有低收入戶資格",
    "身心障礙手冊中度", "已申請外籍看護", "長照2.0 居家服務", "交通車接送", "由救護車送來",
    "自行步行入院", "坐輪椅來診", "夜班護理師交班", "白班接班", "小夜班", "大夜班",
    "阿公阿嬤都在", "叔叔開車載來", "伯母陪同", "姑姑幫忙出錢", "舅舅住附近", "表哥來過",
    "張力性頭痛", "高血壓控制可", "白血球偏高", "黃疸指數上升", "石膏固定", "林口院區",
]
EMPLOYERS = ["台積電", "鴻海", "中華郵政", "台灣電力公司", "統一超商", "長榮航空", "全聯福利中心", "台北捷運公司"]
SCHOOLS = ["建國中學", "北一女中", "仁愛國小", "光復國中", "成功高中", "中正國小"]


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.75:
        return N.chinese_name(rng, rare=rng.random() < 0.2)
    return N.surname(rng, False) + N._given(rng, 2)


def _roman(rng: random.Random) -> str:
    s = rng.choice(N.ROMAN_SURNAMES)
    a, b = rng.sample(N.ROMAN_SYLL, 2)
    return rng.choice([f"{s} {a}-{b.lower()}", f"{s}, {a}-{b.lower()}", f"{a}-{b.lower()} {s}",
                       f"{s.upper()} {a.upper()}-{b.upper()}", f"{s} {a} {b}"])


def _id(rng: random.Random) -> str:
    s = taiwan_id.generate(rng, "national")
    return rng.choice([s, f"{s[0]} {s[1:]}", f"{s[:4]}-{s[4:7]}-{s[7:]}", f"{s[0]}-{s[1:]}", " ".join([s[:1], s[1:5], s[5:]]),
                       F.fullwidth(s), s.lower()])


def _phone(rng: random.Random) -> str:
    d = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    return rng.choice([f"09{d(2)}-{d(3)}-{d(3)}", f"09{d(2)}{d(6)}", f"09{d(2)} {d(3)} {d(3)}", f"(02)2{d(3)}-{d(4)}",
                       f"(02)2{d(3)}-{d(4)}分機{d(3)}", f"02-2{d(3)}-{d(4)} ext. {d(3)}", f"(07){d(3)}-{d(4)}",
                       f"04-2{d(3)}-{d(4)}#{d(2)}", f"+886-9{d(2)}-{d(3)}-{d(3)}", F.fullwidth(f"09{d(2)}-{d(6)}"),
                       f"(03){d(3)}{d(4)}轉{d(3)}", f"0{rng.choice('34567')}-{rng.choice('2345678')}{d(6)}"])


def _line(rng: random.Random) -> str:
    return rng.choice(["mei_ling88", "chen.home", "a0912xxx", "lovely.cat", "amy-lin", "tw_wang77"])


def _plate(rng: random.Random) -> str:
    L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return rng.choice([f"{rng.choice(L)}{rng.choice(L)}{rng.choice(L)}-{rng.randint(1000, 9999)}",
                       f"{rng.randint(100, 999)}-{rng.choice(L)}{rng.choice(L)}",
                       f"{rng.choice(L)}{rng.choice(L)}-{rng.randint(1000, 9999)}"])


def _en_address(rng: random.Random) -> str:
    return (f"No. {rng.randint(1, 300)}, Ln. {rng.randint(1, 200)}, Sec. {rng.randint(1, 5)}, "
            f"{rng.choice(['Zhongshan', 'Minsheng E.', 'Xinyi', 'Heping W.'])} Rd., "
            f"{rng.choice(['Da’an Dist.', 'Zhongzheng Dist.', 'Banqiao Dist.'])}, {rng.choice(['Taipei City', 'New Taipei City'])}")


def _ord(rng: random.Random, c: Case) -> None:
    c.dist("ORDINARY", rng.choice(ORDINARY)).add("。")


def _sentence(rng: random.Random, c: Case) -> None:
    k = rng.randrange(22)
    if k == 0:
        c.add(rng.choice(["由", "", "今日"]) + rng.choice(KIN)).pii("NAME", _name(rng), "kin").add(rng.choice(["陪同", "來訪", "代領藥", "簽署同意書"]) + "。")
    elif k == 1:
        n = _name(rng)
        n = n if rng.random() < 0.5 else (n[:2] if n[:2] in N.COMPOUND else n[0])
        c.add(rng.choice(["", "樓下", "班上", "昨天", "隔壁", "上次", "據", "和", "請", "經"])).pii("NAME", n, "title")
        c.add(rng.choice(TITLE) + rng.choice(["來電", "表示", "協助", "說明", "來訪"]) + "。")
    elif k == 2:
        c.add(rng.choice(["身分證字號：", "身分證 ", "ID: ", "ID no. ", "身份證號碼", "統編"])).pii("ID", _id(rng), "id").add("。")
    elif k == 3:
        c.add(rng.choice(["聯絡電話：", "手機 ", "家電 ", "Tel: ", "電話", "市話：", "家屬電話"])).pii("PHONE", _phone(rng), "phone").add("。")
    elif k == 4:
        c.add(rng.choice(["LINE ID：", "Line: ", "賴ID ", "LINE：", "line id "])).pii("ACCOUNT", _line(rng), "line").add("。")
    elif k == 5:
        c.add(rng.choice(["Email: ", "電子郵件：", "信箱 "])).pii("EMAIL", F.write_email(rng), "email").add("。")
    elif k == 6:
        c.add(rng.choice(["住址：", "住", "戶籍地址：", "居住於", "現住"])).pii("ADDRESS", F.write_address(rng), "address").add("。")
    elif k == 7:
        c.add(rng.choice(["Address: ", "lives at "])).pii("ADDRESS", _en_address(rng), "address_en").add(". ")
    elif k == 8:
        c.add(rng.choice(["車號", "車牌 ", "車牌號碼：", "plate "])).pii("PLATE", _plate(rng), "plate").add("。")
    elif k == 9:
        c.add(rng.choice(["出生日期：", "生日 ", "DOB: ", "出生於"])).pii("DOB", F.write_dob(rng), "dob").add("。")
    elif k == 10:
        c.add(rng.choice(["病歷號：", "病歷號碼 ", "Chart No. ", "MRN: ", "病歷號"])).pii("MRN", F.write_mrn(rng), "mrn").add("。")
    elif k == 11:
        c.add(rng.choice(["健保卡號：", "健保卡號 ", "NHI card no. "])).pii("NHI_CARD", F.write_nhi_card(rng), "nhi").add("。")
    elif k == 12:
        c.add(rng.choice(["Pt ", "Patient ", "Mr. ", "Ms. ", "家屬 ", "Contact: "])).pii("NAME", _roman(rng), "roman").add(rng.choice([" called.", " visited. ", "，來電。"]))
    elif k == 13:
        c.add(rng.choice(["社工", "個管師", "主護", "值班醫師", "主治醫師"])).pii("NAME", _name(rng), "staff").add(rng.choice(["訪視", "評估", "解釋病情", "聯繫家屬"]) + "。")
    elif k == 14:
        c.add("病人" + rng.choice(["的", ""]) + rng.choice(["女兒", "兒子", "太太", "孫女"]) + rng.choice(["叫", "名叫", "是"])).pii("NAME", _name(rng), "kin_called").add("，")
    elif k == 15:
        n = _name(rng)
        c.pii("NAME", n, "opening").add(rng.choice(["，男，", "，女，", "主訴", "因"]) + "胸悶。")
    elif k == 16:
        c.add(rng.choice(["就讀", "目前就讀"])).pii("ADDRESS", rng.choice(SCHOOLS), "school").add(rng.choice(["三年級", "二年五班", ""]) + "。")
    elif k == 17:
        c.add(rng.choice(["電話聯繫", "致電", "打給"])).pii("NAME", _name(rng), "call").add(rng.choice(["，", "女士，", "先生，"]) + "已告知回診。")
    elif k == 18:
        c.add("Dear Dr. ").pii("NAME", rng.choice(N.ROMAN_SURNAMES), "dear").add(", ")
    elif k == 19:
        c.add(rng.choice(["轉介至", "會診"])).pii("NAME", _name(rng), "consult").add("醫師。")
    else:
        _ord(rng, c)


def generate(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    out = []
    heads = {"nursing": "【交班】", "social": "社工紀錄：", "discharge": "出院摘要 ", "referral": "轉診單 ",
             "soap": "S: ", "phone": "電訪紀錄：", "mixed": "Note: ", "typed": "　"}
    for style in STYLES:
        for _ in range(n):
            c = Case(style).add(heads[style])
            for _ in range(rng.randint(3, 7)):
                _sentence(rng, c)
                if style == "typed":
                    c.add(rng.choice(["　", " ", "；", "…", ""]))
            out.append(c)
    return out
