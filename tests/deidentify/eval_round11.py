"""A twelfth probe of free-text de-identification (D1, round 11): notes in styles no earlier
round wrote - an emergency triage sheet (檢傷), a psychiatric interview with a family history, a
pharmacist's consult, a radiology or pathology report with its referring physician, a PT/OT
note, a long-term-care assessment form in key:value lines, a hospice family meeting, an OCR'd
referral letter (broken spacing, full-width forms), an English-only note by a visiting
physician and a home visit where the family speak Taiwanese in romanised quotes - with the
classes this round closes among the ones closed before:
- GIVEN: humble names (石頭, 木頭, 鐵牛, 土豆, 番薯, 水牛, 黑狗: hardy things a child was named
  after) as the one who speaks, refuses or agrees (石頭說要回家, 鐵牛拒絕抽血, 番薯表示同意);
- LATIN: indigenous and foreign caregivers' names in Latin letters in a Chinese person's slot
  (Walis Nokan 來院, 由 Siti Aminah 陪同, Maria Santos 表示), and dotted names of three parts
  (伊斯坦大·貝雅夫·正福);
- DOB: lunar birthdays (農曆三月初二生, 生日：農曆臘月廿三), with ROC and compact dates;
- NAME, PHONE, ADDRESS, ID, RECORD, CONTACT: names in every slot, phones, village addresses
  with 鄰, national and resident numbers (new and old forms), passports, record and card
  numbers, e-mail, LINE IDs, plates, IPs and bank accounts after their labels.
``[[text]]`` phrases and the control set hold what this round's fixes must leave alone: set
phrases jieba tags as names (龍馬精神, 金玉良言), prose after an English heading (Plan: 全國平安),
words shaped like a nickname (一名老翁, 給小費, 一小段), humble things as things (石頭很硬,
石頭說明), festivals' lunar dates (農曆八月十五), drugs, devices and places in Latin letters
before Chinese (Panadol 500mg, Taipei Veterans 來院).
Built and scored by ``recall_suite``; seeded, the same notes on every run.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round10 import CONTROL as CONTROL10
from tests.deidentify.recall_suite import Note

CLASSES = ("NAME", "GIVEN", "LATIN", "DOB", "PHONE", "ADDRESS", "ID", "RECORD", "CONTACT")

NAMES = ["王美玉", "陳建宏", "林秀琴", "黃志偉", "張淑惠", "李國華", "吳雅婷", "蔡明哲", "許文彬", "鄭麗君", "謝佳蓉",
         "洪俊宏", "邱美華", "曾志成", "廖婉婷", "賴建志", "周怡君", "葉家豪", "歐陽慧", "范姜明", "高一平", "古一心"]
HUMBLE = ["石頭", "木頭", "鐵牛", "土豆", "番薯", "水牛", "黑狗", "芋頭"]
LATIN = ["Walis Nokan", "Yapu Tali", "Panay Kacaw", "Siti Aminah", "Maria Santos", "Dewi Lestari", "Tjuku Ruljeljeng",
         "Kolas Yotaka", "Nurul Hidayah", "Rosa Dela Cruz"]
DOTTED = ["伊斯坦大·貝雅夫·正福", "瓦歷斯·諾幹", "拉娃‧穀木", "達袞・巴里拉", "巴奈·庫穗"]
# written after this round's fixes, never tuned on (held_out=True)
HELD_NAMES = ["施又寧", "唐一帆", "馬千惠", "杜之恆", "江一豪", "朱又廷", "涂秀鳳", "姚一恩", "盧俊賢", "梁美慧",
              "龔一鳴", "殷又青", "鍾文雄", "潘玉梅", "呂明輝", "傅一晴", "侯家瑋", "沈怡萱"]
HELD_HUMBLE = ["石頭", "木頭", "鐵蛋", "土狗", "黑豆", "銅牛", "地瓜", "火雞"]
HELD_LATIN = ["Yuraw Watan", "Sayun Nomin", "Lahok Kulas", "Sri Wahyuni", "Ana Reyes", "Putri Ayu", "Mayaw Biho",
              "Ipay Wasi", "Jocelyn Bautista", "Wiwik Susanti"]
HELD_DOTTED = ["哈勇·烏送·馬賴", "比令·亞布", "馬躍‧比吼", "嘎照・撒旦"]

# written after the first held-out set (seed 111) had been run once and its misses closed (a
# name with 又 or 之 alone in an English sentence); run once, never tuned on (held_out=2)
HELD2_NAMES = ["宋之瑜", "連又新", "溫一德", "車又安", "夏之華", "卓一帆", "易千惠", "池又菁", "褚一凡", "季之遠", "熊一豪",
               "練美慧", "郝國強", "羅又嘉", "俞之恩", "柳一心", "鄧美雲", "曲一平"]
HELD2_HUMBLE = ["石頭", "番薯", "黑狗", "水牛", "土豆", "木頭", "芋頭", "鐵牛"]
HELD2_LATIN = ["Umav Talum", "Sakinu Ahronglong", "Ina Maleveleve", "Lestari Wulandari", "Nguyen Thi Mai", "Joy Villanueva",
               "Dadu Langus", "Ciwang Iteyan", "Ratna Sari", "Marites Garcia"]
HELD2_DOTTED = ["尤幹·達利·比令", "撒韵·武荖", "吉娃斯‧巴彥", "阿洛・卡力亭・巴奇辣"]

# written after set 2's misses were closed; run once, never tuned on (held_out=3)
HELD3_NAMES = ["符又萱", "端木青", "雲一舟", "晏之樂", "蕭千里", "韓又琪", "桂一心", "湛美伶", "官之易", "鄒一誠", "聶又菱",
               "甄美如", "閻一山", "藍又齊", "司徒健", "苗千芝", "屈之恆", "麥一鴻"]
HELD3_HUMBLE = ["石頭", "番薯", "土豆", "鐵牛", "黑狗", "水牛", "木頭", "芋頭"]
HELD3_LATIN = ["Tanapima Tali", "Suming Rupi", "Biung Takisvilainan", "Endang Susilowati", "Liza Soberano", "Tran Thi Hoa",
               "Haisul Palalavi", "Lifok Oteng", "Yuliana Sari", "Cherry Ocampo"]
HELD3_DOTTED = ["瓦旦·吉洛·比浩", "伊斯坦達·霍松安", "拉互依‧倪娃斯", "蘇明・魯碧・司瓦那"]

SAY = ["說要回家", "說不要打針", "說：「我要回去」", "講要轉去", "表示要出院", "拒絕抽血", "同意手術", "表示了解"]
LATIN_AFTER = ["來院", "表示同意", "陪同就醫", "說病人昨晚未睡", "來電詢問", "拒絕", "表示病人食慾差"]
LATIN_BEFORE = [("由 ", " 陪同"), ("看護 ", " 表示"), ("請 ", " 簽名"), ("交代 ", " 明早空腹"), ("照顧者：", "（印尼籍）")]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class _Pools:
    def __init__(self, held: bool | int) -> None:
        pick = {False: 0, True: 1, 2: 2, 3: 3}[held]
        self.names = (NAMES, HELD_NAMES, HELD2_NAMES, HELD3_NAMES)[pick]
        self.humble = (HUMBLE, HELD_HUMBLE, HELD2_HUMBLE, HELD3_HUMBLE)[pick]
        self.latin = (LATIN, HELD_LATIN, HELD2_LATIN, HELD3_LATIN)[pick]
        self.dotted = (DOTTED, HELD_DOTTED, HELD2_DOTTED, HELD3_DOTTED)[pick]

    def zh(self, rng):
        return rng.choice(self.names)

    def humble_say(self, rng):
        """A humble name opening its clause, then what the person says or decides."""
        return [(rng.choice(self.humble), True), (rng.choice(SAY), False)]

    def latin_slot(self, rng):
        """A Latin name before a person's act, or between a coverb and the clause."""
        if rng.random() < 0.5:
            return [(rng.choice(self.latin), True), (" " + rng.choice(LATIN_AFTER), False)]
        a, b = rng.choice(LATIN_BEFORE)
        return [(a, False), (rng.choice(self.latin), True), (b, False)]

    def dotted_name(self, rng):
        return [(rng.choice(self.dotted), True), (rng.choice(["（阿美族）。", "，", " 來電。", "。"]), False)]


def _dob(rng):
    """A birth date with its birth word (the word is part of the slot, not the value), lunar ones
    among them."""
    y, m, d = rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28)
    zh_m = "正二三四五六七八九十冬臘"[m - 1] + "月"
    zh_d = ["初一", "初二", "初五", "初十", "十一", "十五", "廿三", "二十"][d % 8]
    return rng.choice([
        [("生日：", False), (f"{y}/{m:02d}/{d:02d}", True)], [("出生 ", False), (f"{y - 1911:03d}{m:02d}{d:02d}", True)],
        [("DOB ", False), (f"{y - 1911}.{m:02d}.{d:02d}", True)], [("出生日期：民國 ", False), (f"{y - 1911} 年 {m} 月 {d} 日", True)],
        [("農曆", False), (zh_m + zh_d, True), ("生", False)], [("生日：農曆", False), (zh_m + zh_d, True)],
        [("農曆生日 ", False), (f"{m}/{d}", True)], [("生於農曆", False), (f"{y - 1911}年{m}月{d}日", True)],
    ])


def _phone(rng):
    m = "9" + _digits(rng, 8)
    area = rng.choice(["2", "4", "7", "6", "5", "3", "8"])
    local = rng.choice("2345678") + _digits(rng, 7 if area == "2" else 6)
    return rng.choice([f"0{m[:3]}-{m[3:6]}-{m[6:]}", f"0{m}", f"(0{area}){local[:4]}-{local[4:]}",
                       f"0{area}-{local}", f"+886 {m[:3]} {m[3:6]} {m[6:]}", f"０{m[:3]}－{m[3:6]}－{m[6:]}"])


TOWNS = ["花蓮縣秀林鄉富世村", "新竹縣尖石鄉玉峰村", "臺東縣達仁鄉土坂村", "屏東縣三地門鄉德文村", "南投縣仁愛鄉發祥村",
         "苗栗縣南庄鄉東河村", "嘉義縣阿里山鄉樂野村", "宜蘭縣大同鄉寒溪村"]
CITIES = ["臺南市東區", "高雄市苓雅區", "新北市板橋區", "臺中市北屯區", "桃園市中壢區"]
ROADS = ["大學路", "四維三路", "文化路一段", "崇德路三段", "中正路"]


def _addr(rng):
    if rng.random() < 0.5:
        return f"{rng.choice(TOWNS)}{rng.randint(1, 20)}鄰{rng.randint(1, 120)}號"
    return f"{rng.choice(CITIES)}{rng.choice(ROADS)}{rng.randint(1, 300)}巷{rng.randint(1, 40)}號"


def _id(rng):
    kind = rng.choice(["national", "national", "resident_new", "resident_old", "passport"])
    if kind == "passport":
        return [("護照號碼 ", False), (rng.choice("3") + _digits(rng, 8), True)]
    label = {"national": "身分證字號：", "resident_new": "居留證號：", "resident_old": "ARC No. "}[kind]
    return [(label, False), (taiwan_id.generate(rng, kind), True)]


def _record(rng):
    return rng.choice([[("病歷號：", False), (_digits(rng, 7), True)], [("MRN ", False), ("A" + _digits(rng, 7), True)],
                       [("Chart No. ", False), (f"{_digits(rng, 2)}-{_digits(rng, 2)}-{_digits(rng, 4)}", True)],
                       [("健保卡號：", False), ("0000" + _digits(rng, 8), True)], [("病歷號碼 ", False), (_digits(rng, 8), True)]])


def _contact(rng):
    user = rng.choice(["meiyu", "chen.jh", "linhc", "walis", "siti.a", "tjuku"]) + _digits(rng, 3)
    return rng.choice([[("email: ", False), (f"{user}@gmail.com", True)], [("LINE ID：", False), (user, True)],
                       [("車牌 ", False), (f"{rng.choice(['ABC', 'BKD', 'RAX'])}-{_digits(rng, 4)}", True)],
                       [("IP ", False), (f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}", True)],
                       [("帳號：", False), (f"{_digits(rng, 3)}-{_digits(rng, 12)}", True)],
                       [("個人網頁 ", False), (f"https://www.facebook.com/{user}", True)]])


STATIC = {"dob": _dob, "phone": _phone, "addr": _addr, "id": _id, "rec": _record, "contact": _contact}

TEMPLATES = {
    "triage": [
        "【檢傷】分級：2\n病人：{NAME:zh}，{DOB:dob}，{RECORD:rec}\n主訴：[[胸悶 2 小時]]；由119送入。"
        "{GIVEN:humble_say}。陪同者 {LATIN:latin_slot}，電話 {PHONE:phone}",
        "Triage 14:20 | {NAME:zh} | {ID:id} | [[T 38.5 P 110]] | 住 {ADDRESS:addr} | {LATIN:latin_slot} | "
        "[[一名老翁跌倒]] 聯絡 {PHONE:phone}",
    ],
    "psych": [
        "精神科會談：個案{NAME:zh}，{DOB:dob}。家族史：父{NAME:zh}酗酒，胞弟思覺失調。{GIVEN:humble_say}。"
        "[[Plan: 全國平安 today]]。{CONTACT:contact}",
        "會談紀錄：{NAME:zh}表示失眠；母親{NAME:zh}陪同。[[老實說她很好]]。{GIVEN:humble_say}，[[龍馬精神]]。"
        "住址 {ADDRESS:addr}；{RECORD:rec}",
    ],
    "pharmacy": [
        "藥師諮詢：{NAME:zh}先生，{RECORD:rec}。[[Panadol 500mg 一顆]]，[[給予 Tramadol 後表示疼痛改善]]。"
        "{LATIN:latin_slot}，回電 {PHONE:phone}",
        "用藥整合：{NAME:zh}（{DOB:dob}）。[[Keppra 500 mg bid]]。{GIVEN:humble_say}。{CONTACT:contact}",
    ],
    "report": [
        "放射科報告\nReferring physician: Dr. {NAME:zh}\nPatient: {NAME:zh}, {RECORD:rec}\n"
        "[[Impression: 金玉良言]] [[No acute lesion]].\nReported by {NAME:zh} MD",
        "病理報告：送檢醫師 {NAME:zh}；病人 {NAME:zh}，{ID:id}。[[Taipei Veterans 來院會診]]。"
        "{DOB:dob}。聯絡 {PHONE:phone}",
    ],
    "rehab": [
        "PT note: {NAME:zh} s/p TKR，[[步態訓練]]。{GIVEN:humble_say}。{LATIN:latin_slot}。[[鞋底很硬]]，"
        "[[一小段時間]]後休息。{CONTACT:contact}",
        "OT：{NAME:zh}，{DOB:dob}，住 {ADDRESS:addr}。{LATIN:dotted_name}[[由女兒陪同]]。電話 {PHONE:phone}",
    ],
    "ltc": [
        "長照評估\n姓名：{NAME:zh}\n{ID:id}\n{DOB:dob}\n戶籍地：{ADDRESS:addr}\n照顧者：{LATIN:latin_slot}\n"
        "聯絡電話：{PHONE:phone}\n[[CMS 等級：5]]",
        "長照訪視：個案 {LATIN:dotted_name}{DOB:dob}。{GIVEN:humble_say}。{RECORD:rec}；{CONTACT:contact}；"
        "[[申請喘息服務]]",
    ],
    "hospice": [
        "安寧家庭會議：出席者 長子{NAME:zh}、次女{NAME:zh}、社工{NAME:zh}。{GIVEN:humble_say}。"
        "[[全家福照片放在床邊]]？{LATIN:latin_slot}。電話 {PHONE:phone}",
        "家庭會議：{NAME:zh}（案妻）表示了解。{ID:id}。[[農曆八月十五中秋節]]想回家。地址 {ADDRESS:addr}。"
        "{CONTACT:contact}",
    ],
    "ocr": [
        "轉 診 單\n病 患 姓 名 ： {NAME:zh}\n{DOB:dob}\n{ID:id}\n地　址：{ADDRESS:addr}\n電　話：{PHONE:phone}\n"
        "[[轉診目的：進一步檢查]]",
        "ＲＥＦＥＲＲＡＬ\n{RECORD:rec}\n{LATIN:dotted_name}\n{DOB:dob}\n{LATIN:latin_slot}\n聯絡 {PHONE:phone}",
    ],
    "english": [
        "Visiting physician note. Patient {NAME:zh}, {RECORD:rec}. Wife {NAME:zh} at bedside. [[Plan: 萬事如意]]. "
        "{LATIN:latin_slot}. Call {PHONE:phone}. {CONTACT:contact}",
        "Consult: {NAME:zh} seen today, {ID:id}. Lives at {ADDRESS:addr}. [[Apple Watch 說心跳快]]. "
        "{DOB:dob}.",
    ],
    "hokkien": [
        "家訪：阿嬤{NAME:zh}講：「[[Guá beh tńg-khì]]」。{GIVEN:humble_say}。{LATIN:latin_slot}。"
        "住 {ADDRESS:addr}，{PHONE:phone}",
        "居家訪視：{NAME:zh}，{DOB:dob}。伊講 [[「Hó-sè」]]。{LATIN:dotted_name}{GIVEN:humble_say}。{CONTACT:contact}",
    ],
}
TYPES = tuple(TEMPLATES)

# this round's over-masks and the words of its classes in prose; round 10's set included
CONTROL = CONTROL10 + [
    "全國平安", "全家平安", "龍馬精神", "金玉良言", "金碧輝煌", "溫暖如春", "金銀財寶", "溫文爾雅", "馬馬虎虎", "曾幾何時",
    "江山如畫", "大展宏圖", "山珍海味", "一名老翁", "這位老翁跌倒", "給小費", "一小段時間", "石頭很硬", "石頭說明",
    "腎結石頭痛", "石頭卡在輸尿管", "木頭地板", "芋頭很好吃", "鐵牛車", "口頭說要",
    "報告說要追蹤", "老頭說要回家", "全家福照片放在床邊", "老太太跌倒", "補充維生素", "Lab: 高尿酸 noted",
    "Dx: 高血壓 and DM", "Hx: 中風 s/p rehab", "Plan: 石膏固定 2 weeks", "PE: 毛髮稀疏 noted", "Tx: 冷敷 and rest", "農曆八月十五中秋節", "正月初一拜年", "農曆七月普渡", "農曆新年期間回診",
    "Panadol 500mg 一顆", "給予 Tramadol 後表示疼痛改善", "Foley 拔除後可自解", "由 ER 轉入", "請 Google 搜尋",
    "使用 Google Maps 導航來院", "Taipei Veterans 來院", "Hong Kong 來院", "由 New York 返國", "Apple Watch 說心跳快",
    "Line Pay 付款", "維生素C.D.E 補充",
]


def build(kind: str, template: str, rng: random.Random, pools: dict) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, pools)


def generate(rounds: int = 12, seed: int = 11, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (12 rounds: 240 notes), slots from one seeded generator;
    ``held_out`` the names written after this round's fixes (2: after the first held-out set, 3:
    after the second)."""
    rng = random.Random(seed)
    p = _Pools(held_out if held_out in (2, 3) else bool(held_out))
    pools = dict(STATIC, zh=p.zh, humble_say=p.humble_say, latin_slot=p.latin_slot, dotted_name=p.dotted_name)
    return [build(kind, t, rng, pools) for _ in range(rounds) for kind in TYPES for t in TEMPLATES[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=11, rounds=12, held_rounds=12, width=260)
