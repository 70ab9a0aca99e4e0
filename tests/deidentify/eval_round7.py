"""An eighth probe of free-text de-identification (D1, round 7): long, real-looking notes
unlike the earlier generators' one-line templates - discharge summaries and nursing shift notes
mixing Chinese and English over many lines, LINE messages and e-mails copied in with their
headers (From:, 寄件者, 電話, 地址), referral letters with letterheads and addresses (巷/弄/號/樓 and
the English forms), OCR'd scans with noise and full-width digits and letters, family-history
sentences, lists and tables of relatives (家屬: 陳大明(子) 0912-345-678).  Shapes this round adds:
names after person-act verbs, kin and role words and honorifics no list names (轉告陳大明, 陳大明
先生, 由林美玲簽名), names wholly in Zhuyin or pinyin (ㄔㄣˊ ㄉㄚˋ ㄇㄧㄥˊ, Chén Dàmíng, Chen Da-Ming,
CHEN,TA-MING), public persons as patients with no context word, foreign workers' names (Siti
Nurhaliza, Nguyễn Thị Lan, Maria Santos) with ARC numbers, identifiers split by spaces, line
breaks, dashes, zero-width or full-width separators, dates of birth in ROC years (民國112年3月5日,
112/03/05, 1120305), ages over 89, workplaces and schools, e-mail written with "at"/"dot" or
小老鼠, URLs holding a name and licence plates (ABC-1234, 1234-AB).

As ``eval_round6``: ``{CLASS:pool}`` plants an identifier (a pool may give ``(text, True)``
pieces and ``(text, False)`` words between them), ``[[text]]`` is an ordinary phrase none of
which may be masked.  Places and currencies that older finders read as names (石家莊出差,
金美元匯率) are among the ordinary phrases.  Seeded: the same notes on every run.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round5 import Note
from tests.deidentify.eval_round6 import CONTROL as CONTROL6

CLASSES = ("NAME", "ID", "PHONE", "EMAIL", "ADDRESS", "DOB", "AGE", "RECORD", "ORG", "URL", "PLATE")

ZH = ["陳大明", "林美玲", "黃志偉", "張淑芬", "李建宏", "吳佩珊", "劉家豪", "蔡宜君", "楊俊傑", "許雅惠", "鄭文雄",
      "謝明哲", "郭秀英", "洪嘉玲", "邱振宇", "曾怡婷", "廖國華", "賴美珍", "周志明", "葉淑貞", "蘇冠宇", "潘雅琪"]
SUR = ["陳", "林", "黃", "張", "李", "吳", "劉", "蔡", "楊", "許", "鄭", "謝"]
# pinyin with and without tones, hyphenated, Wade-Giles passport spellings
PINYIN = ["Chén Dàmíng", "Lín Měilíng", "Huáng Zhìwěi", "Zhāng Shūfēn", "Chen Da-Ming", "Lin Mei-Ling",
          "CHEN,TA-MING", "LIN, MEI-LING", "HUANG,CHIH-WEI", "Chen Daming", "Lin Meiling", "Wu Peishan",
          "Liu Jia-Hao", "CHANG,SHU-FEN", "Tsai Yi-Chun", "Yang Chun-Chieh"]
ZHUYIN = ["ㄔㄣˊ ㄉㄚˋ ㄇㄧㄥˊ", "ㄌㄧㄣˊ ㄇㄟˇ ㄌㄧㄥˊ", "ㄏㄨㄤˊ ㄓˋ ㄨㄟˇ", "ㄓㄤ ㄕㄨ ㄈㄣ", "ㄌㄧˇ ㄐㄧㄢˋ ㄏㄨㄥˊ",
          "ㄔㄣˊㄉㄚˋㄇㄧㄥˊ", "ㄨˊ ㄆㄟˋ ㄕㄢ"]
CELEB = ["周杰倫", "蔡英文", "馬英九", "韓國瑜", "賴清德", "侯友宜", "蔣萬安", "林書豪", "戴資穎", "五月天阿信",
         "吳宗憲", "徐若瑄", "張惠妹", "郭台銘", "柯文哲", "王建民", "盧廣仲", "林俊傑"]
FOREIGN = ["Siti Nurhaliza", "Nguyễn Thị Lan", "Maria Santos", "Dewi Kartika", "Trần Văn Minh", "Lê Thị Hồng",
           "Juan Dela Cruz", "Sri Wahyuni", "Phạm Thị Thu", "Rosalinda Reyes", "Nur Hidayah", "Nguyen Thi Lan"]
# verbs, kin, roles and honorifics no earlier round listed, before or after a name
VERB_BEFORE = ["轉告", "告知", "交代", "提醒", "聯繫", "致電", "拜託", "詢問", "安撫", "陪", "探望", "轉介",
               "照會", "委託", "感謝", "勸", "叮嚀", "回覆", "答應", "帶", "接送", "傳訊給", "打給", "約"]
AFTER = ["先生", "小姐", "女士", "太太", "老師", "同學", "師傅", "主任", "經理", "護理師", "社工師", "姐", "哥", "伯",
         "簽名", "簽署", "表示", "說", "代簽", "代領", "來訪", "同意", "拒絕", "離院"]
KIN = ["外甥", "姪子", "孫女", "媳婦", "女婿", "姊夫", "小姑", "舅舅", "阿姨", "表哥", "乾女兒", "繼母", "同居人",
       "室友", "鄰居", "房東", "同事", "看護", "志工", "個管師", "里長", "老闆", "教練", "牧師"]
SCHOOLS = ["台北市立大安國中", "新北市立板橋高中", "國立臺灣大學", "私立復興實驗高中", "高雄市立新興國小", "輔仁大學",
           "National Taiwan University", "Taipei American School"]
WORK = ["台積電新竹廠", "鴻海土城總部", "中華電信", "台北捷運公司", "7-11 中山門市", "長庚醫院", "統一企業", "Foxconn",
        "TSMC Fab 12", "國泰人壽"]
STREETS = ["和平東路二段", "中山北路三段", "忠孝東路四段", "文化路一段", "民生路", "中正路", "成功路二段", "建國北路一段"]
CITIES = ["台北市大安區", "新北市板橋區", "台中市西屯區", "高雄市苓雅區", "桃園市中壢區", "台南市東區"]
EN_ADDR = ["No. 5, Aly. 3, Ln. 106, Sec. 2, Heping E. Rd., Da'an Dist., Taipei City 106",
           "3F., No. 188, Wenhua Rd., Banqiao Dist., New Taipei City",
           "No. 12, Ln. 45, Zhongzheng Rd., Xitun Dist., Taichung City",
           "12F-3, No. 99, Sec. 4, Zhongxiao E. Rd., Taipei"]
ZW = "\u200b"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _fw(s: str) -> str:
    """Full-width digits and letters, as some keyboards and OCR give them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def _split(rng: random.Random, s: str, cuts: tuple[int, ...]) -> str:
    sep = rng.choice([" ", "\n", "-", ZW, "　", "－", " - ", "."])
    out, pos = [], 0
    for c in cuts:
        out.append(s[pos:c])
        pos = c
    out.append(s[pos:])
    return sep.join(out)


def _zh(rng):
    return rng.choice(ZH)


def _verb_name(rng):
    n = rng.choice(ZH)
    if rng.random() < 0.5:
        return [(rng.choice(VERB_BEFORE), False), (n, True)]
    return [(n, True), (rng.choice(AFTER), False)]


def _kin_name(rng):
    return [(rng.choice(KIN), False), (rng.choice(ZH), True)]


def _id(rng):
    n = taiwan_id.generate(rng, rng.choice(["national", "national", "resident_new"]))
    return rng.choice([n, _split(rng, n, (1, 5)), _split(rng, n, (4, 7)), _fw(n), n[:5] + ZW + n[5:]])


def _arc(rng):
    n = taiwan_id.generate(rng, rng.choice(["resident_old", "resident_new"]))
    return rng.choice([n, _split(rng, n, (2,)), _fw(n)])


def _phone(rng):
    m = "09" + _digits(rng, 8)
    return rng.choice([f"{m[:4]}-{m[4:7]}-{m[7:]}", _split(rng, m, (4, 7)), _fw(f"{m[:4]}-{m[4:]}"),
                       f"{m[:4]}{ZW}{m[4:]}", f"(02){rng.choice('2345678')}{_digits(rng, 3)}-{_digits(rng, 4)}",
                       f"+886-9{m[2:4]}-{m[4:7]}-{m[7:]}", f"0{rng.choice('3567')}-{rng.choice('2345678')}{_digits(rng, 6)}"])


def _email(rng):
    u = rng.choice(["chen.daming", "meiling.lin", "hsu_yahui", "wenhsiung1962", "jhong.yu", "peishan.wu"])
    h = rng.choice(["gmail", "yahoo.com", "hotmail", "ms45.hinet.net", "outlook"])
    h = h if "." in h else h + ".com"
    return rng.choice([f"{u}@{h}", f"{u} at {h.replace('.', ' dot ')}", f"{u}小老鼠{h}", f"{u}(at){h}",
                       f"{u} [at] {h.replace('.', ' [dot] ')}", _fw(f"{u}@{h}")])


def _addr(rng):
    a = f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 300)}巷{rng.randint(1, 30)}弄{rng.randint(1, 99)}號{rng.randint(2, 12)}樓"
    b = f"{rng.choice(CITIES)}{rng.choice(STREETS)}{rng.randint(1, 300)}號{rng.randint(2, 12)}樓之{rng.randint(1, 5)}"
    c = f"{rng.choice(STREETS)}{_fw(str(rng.randint(1, 99)))}巷{_fw(str(rng.randint(1, 99)))}號"
    return rng.choice([a, b, c, rng.choice(EN_ADDR)])


def _dob(rng):
    y, m, d = rng.randint(20, 112), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"民國{y}年{m}月{d}日", f"{y:03d}/{m:02d}/{d:02d}", f"{y:03d}{m:02d}{d:02d}", f"{y}.{m:02d}.{d:02d}",
                       f"民國{y}年{m:02d}月{d:02d}日", _fw(f"{y}/{m}/{d}"), f"{y + 1911}-{m:02d}-{d:02d}"])


def _age(rng):
    a = rng.randint(90, 104)
    # only the number is the identifier: the words around it stay (高齡94歲 → 高齡≥85歲)
    before, num, unit = rng.choice([("", str(a), "歲"), ("", str(a), " y/o"), ("", str(a), "-year-old"),
                                    ("", str(a), "y"), ("", str(a), " yo"), ("", _fw(str(a)), "歲"), ("高齡", str(a), "歲")])
    return [(before, False), (num, True), (unit, False)]


def _chart(rng):
    return rng.choice([_digits(rng, 8), "00" + _digits(rng, 7), f"{_digits(rng, 4)}-{_digits(rng, 4)}"])


def _url(rng):
    return rng.choice(["https://www.facebook.com/chen.daming", "https://www.instagram.com/meiling_lin/",
                       "http://blog.xuite.net/linmeiling/diary", "www.facebook.com/profile.php?id=100004512345678",
                       "https://line.me/ti/p/~wenhsiung1962", "https://www.youtube.com/@HuangZhiwei"])


def _plate(rng):
    L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    p = "".join(rng.choice(L) for _ in range(3))
    return rng.choice([f"{p}-{_digits(rng, 4)}", f"{_digits(rng, 4)}-{p[:2]}", f"{p[:2]}-{_digits(rng, 4)}",
                       _fw(f"{p}-{_digits(rng, 4)}")])


def _table_kin(rng):
    """A row of a family table: the name and the phone, the relation in brackets stays."""
    return [(rng.choice(ZH), True), (f"({rng.choice(['子', '女', '妻', '夫', '媳', '孫'])}) ", False)]


POOLS = {
    "zh": _zh, "verb": _verb_name, "kin": _kin_name, "py": lambda r: r.choice(PINYIN), "zy": lambda r: r.choice(ZHUYIN),
    "celeb": lambda r: r.choice(CELEB), "ff": lambda r: r.choice(FOREIGN), "row": _table_kin,
    "id": _id, "arc": _arc, "phone": _phone, "email": _email, "addr": _addr, "dob": _dob, "age": _age,
    "chart": _chart, "school": lambda r: r.choice(SCHOOLS), "work": lambda r: r.choice(WORK), "url": _url,
    "plate": _plate,
}

TEMPLATES = {
    "discharge": [
        "出院病摘 Discharge Summary\n病人姓名：{NAME:zh}  病歷號：{RECORD:chart}  身分證：{ID:id}\n出生日期：{DOB:dob}\n"
        "Admission: [[2026/11/20]]  Discharge: [[2026/11/28]]\n"
        "Chief complaint: [[dyspnea on exertion for 3 days]].\n"
        "Present illness: This {AGE:age} woman with [[HFrEF (EF 30%)]], [[CKD stage 3b]] was brought by her {NAME:kin}. "
        "She lives at {ADDRESS:addr}.\n"
        "Hospital course: [[Furosemide 40mg IV bid]], [[Cr 1.8 -> 1.5]]. {NAME:verb}，家屬理解。\n"
        "Disposition: [[回家，門診追蹤 2 週]]. 聯絡人 {NAME:zh} {PHONE:phone}.",
        "DISCHARGE NOTE\nPt: {NAME:py} (Chart {RECORD:chart})\nDOB {DOB:dob}; [[Dx: Community-acquired pneumonia, J18.9]]\n"
        "[[Ceftriaxone 2g qd x 7d]], [[CRP 12.3 -> 2.1 mg/dL]]. Patient works at {ORG:work}; son {NAME:py} will pick her up. "
        "Home: {ADDRESS:addr}. Tel {PHONE:phone}.",
    ],
    "nursing": [
        "護理交班 [[N班 23:00-07:00]]\n[[BP 142/88 HR 92 SpO2 95%]]\n病人{NAME:zh}夜眠差，{NAME:verb}，"
        "[[Lorazepam 0.5mg hs]] 已給。{NAME:kin}半夜來電 {PHONE:phone}，已{NAME:verb}。[[I/O 1200/900]]",
        "Shift note D班: [[pain score 4/10]], {NAME:verb}. 家屬{NAME:zh}代簽同意書，[[NG feeding 250ml q4h]]，"
        "病人{AGE:age}，[[Braden 12]]。{NAME:kin}下午來探視。",
    ],
    "line": [
        "[LINE] 2026/11/30(一)\n21:03 {NAME:zh}：醫生您好我是{NAME:kin}的家人\n21:04 {NAME:zh}：我爸今天[[血糖 280]]，"
        "要不要回診？我電話 {PHONE:phone}\n21:10 {NAME:zh}：地址是 {ADDRESS:addr}\n已讀",
        "LINE 截圖貼上：\n{NAME:py}: 我媽的 email 是 {EMAIL:email}\n{NAME:py}: FB {URL:url}\n[[已衛教低鹽飲食]]",
    ],
    "email": [
        "From: {NAME:py} <{EMAIL:email}>\nTo: ward7a@hosp.org.tw\nSubject: [[Re: 出院準備]]\n\n醫師您好，我是{NAME:zh}的女兒，"
        "身分證 {ID:id}，住 {ADDRESS:addr}。\n電話：{PHONE:phone}\n{NAME:zh} 敬上",
        "寄件者：{NAME:zh} {EMAIL:email}\n寄件日期：[[2026年12月1日 上午 09:12]]\n主旨：[[轉診資料]]\n"
        "附件為病人{NAME:zh}（出生 {DOB:dob}）之報告。\n電話：{PHONE:phone}\n地址：{ADDRESS:addr}",
    ],
    "referral": [
        "〇〇診所 轉診單\n{ADDRESS:addr}  TEL {PHONE:phone}\n\n敬啟者：茲轉介病人{NAME:zh}（{AGE:age}，病歷號 {RECORD:chart}），"
        "[[疑似 Parkinsonism, UPDRS 32]]，請 貴院神經內科協助。\n轉診醫師：{NAME:zh} 醫師",
        "REFERRAL LETTER\nDear Dr. {NAME:py},\nI am referring Mr. {NAME:py}, {AGE:age}, of {ADDRESS:addr}, "
        "for [[evaluation of haematuria]]. He teaches at {ORG:school}. Phone {PHONE:phone}.\nYours sincerely,\n{NAME:py}",
    ],
    "ocr": [
        "病 歷 摘 要 (掃 描)\n姓 名 : {NAME:zh}   身 分 證 : {ID:id}\n生 日 : {DOB:dob}  電 話 : {PHONE:phone}\n"
        "[[診 斷 : 第 二 型 糖 尿 病]]  [[HbA1c ８.２ ％]]\n住 址 : {ADDRESS:addr}",
        "ＯＣＲ：Ｐａｔｉｅｎｔ {NAME:py}  ＩＤ {ID:id}  Ｔｅｌ {PHONE:phone}\n[[Ｄｘ：ＣＯＰＤ]] 車號 {PLATE:plate}",
    ],
    "family": [
        "家族史：父親{NAME:zh}（[[歿於肝癌]]），母親{NAME:zh}（{AGE:age}，[[失智]]），{NAME:kin}有[[高血壓]]，"
        "{NAME:kin}於{ORG:work}工作，孫子{NAME:zh}就讀{ORG:school}。",
        "Family history: her grandfather {NAME:py} died at {AGE:age}; her aunt {NAME:py} ([[breast cancer]]). "
        "Cousin {NAME:zh} studies at {ORG:school}.",
    ],
    "table": [
        "家屬聯絡表\n家屬: {NAME:row}{PHONE:phone}\n家屬: {NAME:row}{PHONE:phone}\n緊急聯絡人: {NAME:zh}（{NAME:kin}）{PHONE:phone}\n"
        "[[過敏史：Penicillin]]",
        "| 姓名 | 關係 | 電話 |\n| {NAME:zh} | 子 | {PHONE:phone} |\n| {NAME:zh} | 女 | {PHONE:phone} |\n[[以上資料病人同意提供]]",
    ],
    "foreign": [
        "外籍看護 {NAME:ff}（印尼籍，ARC {ID:arc}），雇主{NAME:zh}，手機 {PHONE:phone}。[[看護表示病人昨晚嗆咳]]",
        "Caregiver {NAME:ff} (ARC No. {ID:arc}) accompanied the patient; employer {NAME:py}, phone {PHONE:phone}. "
        "[[Aspiration precautions]]",
        "越籍配偶 {NAME:ff}，居留證號 {ID:arc}，住 {ADDRESS:addr}，[[產檢 GA 32 週]]",
    ],
    "public": [
        "{NAME:celeb}今日至門診，[[主訴咳嗽三天]]，[[CXR 無異常]]",
        "VIP: {NAME:celeb} [[admitted for chest pain]], [[Troponin negative]].",
        "病人為{NAME:celeb}，[[血壓 150/95]]，安排[[心臟超音波]]。",
    ],
    "phonetic": [
        "病人自填姓名：{NAME:zy}，[[不識字]]，由{NAME:kin}協助填表。",
        "Name on passport {NAME:py}; Chinese name {NAME:zy}. [[Allergy: NKDA]]",
    ],
    "misc": [
        "機車 {PLATE:plate} 騎士{NAME:zh}自摔，[[GCS 15]]，[[左前臂擦傷]]，個人網頁 {URL:url}",
        "Patient {NAME:zh} drove car {PLATE:plate}; email {EMAIL:email}; [[BAC 0.08%]]",
        "社工紀錄：{NAME:verb}，案主{AGE:age}獨居於{ADDRESS:addr}，[[申請長照 2.0]]，{NAME:kin}每週探望。",
    ],
}
TYPES = tuple(TEMPLATES)

# Written after the fixes, never tuned on.
HELD_OUT = {
    "discharge": ["DC summary: {NAME:zh} ({AGE:age}), ID {ID:id}, DOB {DOB:dob}. [[Sepsis, resolved]]. {NAME:verb}. Tel {PHONE:phone}"],
    "nursing": ["夜班：{NAME:verb}，{NAME:kin}在旁，[[VS stable]]，病人{NAME:zh}[[睡眠 6 小時]]"],
    "line": ["LINE {NAME:zh}：[[今天要回診嗎]]\n{NAME:zh}：我的信箱 {EMAIL:email}"],
    "email": ["寄件者: {NAME:py} <{EMAIL:email}>\n電話: {PHONE:phone}\n地址: {ADDRESS:addr}\n[[請協助開立診斷書]]"],
    "referral": ["轉診：{NAME:zh}，{AGE:age}，{ADDRESS:addr}，[[R/O lung cancer]]，聯絡 {PHONE:phone}"],
    "ocr": ["姓 名：{NAME:zh} 身分證 {ID:id} 電話 {PHONE:phone} [[Ｎａ １３５]]"],
    "family": ["{NAME:kin}與{NAME:kin}同住，父{NAME:zh}在{ORG:work}上班，[[家族無癌症史]]"],
    "table": ["家屬：{NAME:row}{PHONE:phone}；{NAME:row}{PHONE:phone}"],
    "foreign": ["移工 {NAME:ff} ARC {ID:arc} [[右手割傷]] 雇主電話 {PHONE:phone}"],
    "public": ["{NAME:celeb} [[回診拿藥]]"],
    "phonetic": ["簽名欄：{NAME:zy}／{NAME:py}"],
    "misc": ["車牌 {PLATE:plate}，駕駛{NAME:zh}，網址 {URL:url}"],
}

# places, currencies and words the older finders read as names (the over-masking the red team
# saw), and clinical text of this round's note kinds; none may be masked
CONTROL = CONTROL6 + [
    "石家莊出差", "到石家莊出差三天", "金美元匯率", "查詢金美元匯率", "黃金價格", "白金卡", "高雄出差", "金門旅遊",
    "江西南昌", "林口長庚", "石門水庫", "方城市", "王牌", "黃疸指數 12", "高血壓控制", "陳年舊傷", "周邊神經病變",
    "Furosemide 40mg IV bid", "HFrEF (EF 30%)", "CKD stage 3b", "Cr 1.8 -> 1.5", "Ceftriaxone 2g qd x 7d",
    "CRP 12.3 mg/dL", "J18.9", "I50.9", "E11.9", "N18.3", "HbA1c 8.2%", "Lorazepam 0.5mg hs", "I/O 1200/900",
    "BP 142/88 HR 92 SpO2 95%", "Braden 12", "UPDRS 32", "NG feeding 250ml q4h", "GA 32 週", "BAC 0.08%",
    "神經內科", "心臟內科", "復健科", "新陳代謝科", "加護病房", "急診觀察室", "美元", "人民幣", "日圓", "新台幣",
    "歐元匯率", "港幣", "Parkinsonism", "Aspiration precautions", "長照 2.0", "低鹽飲食", "心臟超音波",
]


def build(kind: str, template: str, rng: random.Random) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, POOLS)


def generate(rounds: int = 12, seed: int = 7, held_out: bool = False) -> list[Note]:
    """Every template ``rounds`` times (12 rounds: 336 notes), slots from one seeded generator;
    ``held_out`` the set written after the fixes."""
    rng = random.Random(seed)
    templates = HELD_OUT if held_out else TEMPLATES
    return [build(kind, t, rng) for _ in range(rounds) for kind in TYPES for t in templates[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL, ignore=ZW)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=7, rounds=12, held_rounds=28, width=260)
