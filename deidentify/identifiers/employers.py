"""D1: the employer a note names is masked; the kind of work stays.

「病人任職於台積電」, 「案父在鴻海工作」, "works at Foxconn": a named employer narrows a person
down to a workforce (and a small one to a few people), and together with age, sex and area it
can single the person out.  What the work is (工廠, 電子廠, 餐廳, 醫院, a city) is clinical
context and stays: a span after a word of employment is masked only when something in it is not
a generic word for a workplace.
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import to_simplified
from deidentify.regex_cache import compiled, longest_first

TAG = "<EMPLOYER>"

# Words for a workplace that name no employer (kinds, places, "a", "some"): a span made only of
# them stays.  Longest first, so 百貨公司 is one word.
_GENERIC = sorted(set("""
工廠 廠 廠房 公司 企業 行號 餐廳 餐館 飯店 旅館 麵店 小吃店 小吃攤 攤位 店 店家 商店 便利商店 超商 超市 量販店 市場
傳統市場 夜市 工地 家 家裡 家中 自家 老家 醫院 本院 該院 診所 學校 公家機關 機關 政府 公所 銀行 科技 電子 半導體 傳產
貿易 建設 營造 物流 貨運 運輸 工程 保險 百貨 百貨公司 作業 農場 農田 田裡 果園 漁港 港口 漁船 船上 工業區 科學園區 園區
附近 當地 外地 北部 中部 南部 東部 台北 臺北 新北 桃園 台中 臺中 台南 臺南 高雄 新竹 基隆 大陸 中國 國外 日本 美國 海外
一家 某 某家 小 大 私人 親戚 朋友 鐵工 紡織 塑膠 食品 加工 汽車 機車 修車 車行 美容 美髮 理髮 補習班 安親班 幼兒園 托嬰
保全 清潔 夜班 大夜 白班 部門 單位 辦公室 現場 倉庫 門市 總公司 分公司 工作室 事務所 診間 病房 社區 大樓 外商 國營 民營
公立 私立 長照 機構 養護 安養 護理之家 教會 寺廟 軍中 部隊 台灣 臺灣 本地 的 間 裡 內 中 上
作業員 作业员 技術員 技术员 工程師 工程师 職員 职员 店員 店员 司機 司机 員工 员工 主管 助理 會計 会计 業務 业务
""".split()), key=longest_first)
_GENERIC_RX = compiled("|".join(map(re.escape, _GENERIC)))

_SPAN = r"(?P<e>(?:(?![在於到去])[\u4e00-\u9fffA-Za-z0-9&\-．.·]){2,14}?)"
_ZH_PATTERNS = [
    # 任職於台積電, 服務於國泰人壽, 受僱於…, 就職於…
    # (任職台積電新竹廠: 任職 with no 於 is as common)
    compiled(rf"(?:任職於|任職在|服務於|受僱於|受雇於|就職於|就業於|上班於|工作於|在職於|受聘於|任[職职](?![於于在]|期|時|时|中|至今|以|多年|年|滿|满|[0-9一二三四五六七八九十]))\s*{_SPAN}"
             r"(?=[，。、；,;：:\s（(]|擔任|當|做|任|從事|工作|上班|$)"),
    # 在鴻海工作, 於大立光擔任作業員, 在7-11打工
    compiled(rf"(?<![\u4e00-\u9fff]{{2}}[的])(?:在|於|到|去){_SPAN}"
             r"(?=上班|工作|任職|服務|打工|兼職|擔任|當|做事|上夜班|上大夜)"),
]
_EN_PATTERNS = [
    compiled(r"\b(?i:works?|working|worked|employed|employee|job|engineer|operator|clerk|manager|"
             r"driver|worker)\s+(?:at|for|by|with)\s+(?P<e>(?:[A-Z][\w&.\-]*|\d[\w\-]*)"
             r"(?:\s+(?:[A-Z][\w&.\-]*|&|of))*"
             # (D1, round 4) a Han name in an English note: works at 台灣電力公司
             r"|[\u4e00-\u9fff][\u4e00-\u9fff0-9&\-]{1,13})"),
    compiled(r"\b(?:employer|company|workplace)\s*[:：]\s*(?P<e>[^\n,;]{2,40}?)(?=\s*(?:[,;\n]|$))", re.I),
    compiled(r"(?:雇主|任職公司|服務單位|工作單位|公司名稱|工作地點|工作地点|任職單位|服務公司)\s*[:：]\s*(?P<e>[^\n，。,;；]{2,20})"),
]
_EN_GENERIC = compiled(r"^(?:a|an|the|home|local|some|his|her|their|our|this|that|night|day|"
                       r"hospital|clinic|school|factory|company|restaurant|store|shop|bank|farm|"
                       r"construction|site|office|[A-Z][a-z]+ (?:City|County))$", re.I)
_GATE = compiled(r"任職|服務於|受[僱雇]|就職|就業於|上班|工作|打工|兼職|擔任|當|做事|夜班|大夜|受聘|"
                 r"(?i:work|employ|job|engineer|operator|clerk|manager|driver|worker|company)|雇主|單位|公司")


# (D1) Employers a note names bare, with no word of employment before them (鴻海員工, 台積電工程師,
# in 7-11 打工, TSMC engineer, 退休前在中鋼做了三十年): the country's large employers and chains,
# short forms included.  Masked when a word about work stands within a few characters, so a shop
# visited (去7-11買早餐, 在麥當勞吃早餐) stays.
KNOWN = tuple(sorted(set("""
台積電 台積 鴻海 富士康 聯電 聯發科 中華電信 中鋼 中油 台塑 台塑石化 南亞 南亞科 長榮 長榮航空 長榮海運 華航 中華航空
友達 群創 廣達 仁寶 華碩 宏碁 大立光 日月光 台達電 台達 英業達 緯創 和碩 國泰人壽 國泰 富邦 台電 台灣電力 中華郵政
統一超商 統一企業 全聯 家樂福 麥當勞 星巴克 好市多 全家便利商店 萊爾富 新光三越 遠東百貨 遠傳 台灣大哥大 中信 玉山銀行
台新 兆豐 合庫 第一銀行 華南銀行 彰銀 土地銀行 台灣銀行 陽明海運 台灣高鐵 捷運公司 王品 鼎泰豐 環球晶
力積電 華邦電 旺宏 瑞昱 聯詠 矽品 京元電 欣興 南電 景碩 台郡 臻鼎 光寶 台光電 奇美實業 正新 巨大機械 美利達 裕隆
中華汽車 和泰 國巨 研華 微星 技嘉 台化 台玻 東元 大同公司 聲寶 寶成 儒鴻 豐泰 永豐餘 長春石化 中租 台泥 亞泥
""".split())))
KNOWN_LATIN = ("7-11", "7-Eleven", "711", "TSMC", "Foxconn", "MediaTek", "ASUS", "Asus", "Acer", "UMC", "Pegatron",
               "Quanta", "Compal", "Wistron", "Inventec", "Delta Electronics", "AUO", "Innolux", "Largan", "ASE",
               "Chunghwa Telecom", "EVA Air", "China Airlines", "Evergreen", "Cathay", "Fubon", "Costco",
               "Carrefour", "PX Mart", "FamilyMart", "Starbucks", "McDonald's", "Formosa Plastics", "CPC",
               "Taipower", "Giant", "Realtek", "Nanya", "Winbond", "Macronix", "Powerchip", "Yageo", "MSI",
               "Gigabyte", "Advantech", "Lite-On", "Uni-President")
_WORK = ("上班|工作|任職|任职|服務|服务|打工|兼職|擔任|当|當|做了|做事|做工|上夜班|上大夜|员工|員工|工程師|工程师|作業員|作业员|技術員|技术员"
         "|職員|职员|店員|店员|店長|店长|主管|經理|经理|同事|司機|司机|會計|会计|業務|业务|師傅|师傅|工人|離職|离职|退休|轮班|輪班|三班|夜班|大夜|領班|领班|作業|作业"
         r"|(?i:\b(?:work(?:s|ed|ing)?|employ(?:ed|ee|er)|engineer|operator|staff|clerk|manager|job|shift|worker|technician"
         r"|retired|cashier|barista|driver)\b)")
_KNOWN_RX = compiled(
    "(?:" + "|".join(re.escape(w) for w in sorted({to_simplified(k) for k in KNOWN}, key=longest_first)) + ")"
    + "|(?<![A-Za-z0-9])(?:" + "|".join(re.escape(w) for w in sorted(KNOWN_LATIN, key=len, reverse=True))
    + ")(?![A-Za-z0-9])")
_WORK_RX = compiled(_WORK)
# A known name that begins or ends an ordinary word is no employer there (統一發票, 南亞洲, 高鐵站).
_NOT_AFTER = compiled(r"(?:发票|规格|格式|口径|洲|区|站|路|线|医院|门诊|计划|管理)")
_WINDOW = 8

# (D1, round 5) An employer nobody lists, named with no word of employment before it: a firm's
# name (two to four characters) and the kind of firm its name ends in (宏昌機械, 順發塑膠工業,
# 協興五金行), with a word about work within the window (案夫宏昌機械司機, 長子 金鼎科技 工程師,
# son works 永興紙業).  The kind alone (機械, 塑膠工廠) stays: _named asks for more than generic words.
_FIRM_KIND = sorted({to_simplified(w) for w in """
股份有限公司 有限公司 企業社 公司 企業 工業 實業 機械 精密 鋼鐵 紙業 塑膠 紡織 科技 電子 電機 化工 貨運 物流 保全 營造 建設
食品 五金行 商行 貿易 汽車 工程行 水電行 鐵工廠 工廠 製造
""".split()}, key=longest_first)
_FIRM = compiled(r"(?P<e>[\u4e00-\u9fff]{2,8}?(?:" + "|".join(map(re.escape, _FIRM_KIND)) + r")+)(?![\u4e00-\u9fff]{0,1}(?:区|路|街|站|医院|门诊))")
_FUNCTION = compiled(r"[做在是的了当到去为从跟与及也都很会要有没不帮用作住说]")
# what may stand right before a firm's name (so 案夫|宏昌機械 takes 宏昌, not 夫宏昌)
_BEFORE_FIRM = compiled(r"(?:案夫|案妻|案子|案女|长子|次子|三子|长女|次女|儿子|女儿|先生|太太|丈夫|妻子|老公|老婆|女婿|媳妇|父亲|母亲"
                        r"|[夫妻子女父母兄弟姊妹])$")


def _known_spans(text: str) -> list[tuple[int, int]]:
    """Known employers with a word about work within ``_WINDOW`` characters (either side, not
    across a sentence end)."""
    simplified = to_simplified(text)
    out = []
    for m in _KNOWN_RX.finditer(simplified):
        a, b = m.span()
        if _NOT_AFTER.match(simplified, b):
            continue
        # (D1, round 6) the branch joins the chain's name (全家便利商店中山店, 新光三越信義店);
        # (round 7) the window after it starts after the branch (TSMC Fab 12工作)
        br = _BRANCH.match(simplified, b)
        end = br.end() if br else b
        lo, hi = max(0, a - _WINDOW), min(len(simplified), end + _WINDOW)
        while lo > 0 and simplified[lo - 1].isascii() and simplified[lo - 1].isalpha():
            lo -= 1         # (whole English words: "works at", "engineer")
        while hi < len(simplified) and simplified[hi].isascii() and simplified[hi].isalpha():
            hi += 1
        before = re.split(r"[。；;!！?？\n]", simplified[lo:a])[-1]
        after = re.split(r"[。；;!！?？\n]", simplified[end:hi])[0]
        if _WORK_RX.search(before) or _WORK_RX.search(after):
            out.append((a, end))
    return out


_BRANCH = compiled(r"[ \t]?(?:(?![的了在和与及上工作当做])[\u4e00-\u9fff]){1,4}?(?:分店|门市|店|分公司|营业所|厂|分行)"
                   # (D1, round 7) a plant or store numbered in English (TSMC Fab 12, Foxconn Plant 3)
                   r"|[ \t]+(?i:fab|plant|site|factory|branch|store|campus)[ \t]*[0-9][0-9A-Za-z]{0,3}(?![0-9A-Za-z])")
# (D1, round 6) a workplace in brackets with the job after it (母林美玲（台灣大車隊會計）, 父（宏達機電 工程師）)
BRACKET_JOB = compiled(r"[(（][ \t]*(?P<e>[\u4e00-\u9fffA-Za-z0-9&\-]{2,12}?)[ \t]*"
                       r"(?:会计|司机|工程师|作业员|技术员|店员|店长|职员|业务|经理|主管|助理|厂长|老板|员工|行政|秘书|保全|清洁员)[)）]")


def _firm_spans(text: str) -> list[tuple[int, int]]:
    """Firms named by their kind of business with a word about work near (see _FIRM)."""
    simplified = to_simplified(text)
    out = []
    for m in _FIRM.finditer(simplified):
        a, b = m.span("e")
        # the shortest head of two or more characters that a kin word or a non-Han character
        # opens, holding no function character (妻子做機械工作 names no firm)
        kind = next(k for k in _FIRM_KIND if m.group("e").endswith(k))
        head = None
        for x in range(b - len(kind) - 2, a - 1, -1):
            if _FUNCTION.search(simplified[x:b - len(kind)]):
                break
            if x == 0 or not "\u4e00" <= simplified[x - 1] <= "\u9fff" or _BEFORE_FIRM.search(simplified[max(0, x - 2):x]):
                head = x
                break
        if head is None or not _named(text[head:b]):
            continue
        lo, hi = max(0, head - _WINDOW), min(len(simplified), b + _WINDOW)
        while lo > 0 and simplified[lo - 1].isascii() and simplified[lo - 1].isalpha():
            lo -= 1
        while hi < len(simplified) and simplified[hi].isascii() and simplified[hi].isalpha():
            hi += 1
        before = re.split(r"[。；;!！?？\n]", simplified[lo:head])[-1]
        after = re.split(r"[。；;!！?？\n]", simplified[b:hi])[0]
        if _WORK_RX.search(before) or _WORK_RX.search(after):
            out.append((head, b))
    return out


def _named(span: str) -> bool:
    """Something in the span is not a generic word for a workplace."""
    rest = _GENERIC_RX.sub("", span)
    return bool(re.sub(r"[\s\-．.·&]", "", rest))


def employer_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each named employer after a word of employment, in order, not
    overlapping."""
    if not text or not (_GATE.search(text) or _WORK_RX.search(text)):
        return []
    spans: list[tuple[int, int]] = _known_spans(text) + _firm_spans(text)
    spans += [m.span("e") for m in BRACKET_JOB.finditer(to_simplified(text)) if _named(text[m.start("e"):m.end("e")])]
    for rx in _ZH_PATTERNS:
        for m in rx.finditer(text):
            e = m.group("e")
            if "<" in e or not _named(e):
                continue
            spans.append(m.span("e"))
    for rx in _EN_PATTERNS:
        for m in rx.finditer(text):
            # (a sentence ends inside the run of capitalised words: Works at Home. Employed by …)
            e = re.split(r"(?<=[a-z]{3})\.\s+(?=[A-Z])", m.group("e").strip())[0].rstrip(".")
            if not e or "<" in e or _EN_GENERIC.match(e) or (not _named(e) and re.search(r"[\u4e00-\u9fff]", e)):
                continue
            spans.append((m.start("e"), m.start("e") + len(e)))
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def mask_employers(text: str) -> str:
    """``text`` with named employers written ``<EMPLOYER>``."""
    out, last = [], 0
    for a, b in employer_spans(text):
        out += [text[last:a], TAG]
        last = b
    return "".join(out) + text[last:]
