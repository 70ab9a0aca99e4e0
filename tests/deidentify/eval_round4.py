"""A fifth probe of free-text de-identification (D1, round 4), in note kinds and identifier shapes
the earlier generators (``eval/notes.py``, ``eval/styles.py``, ``eval/attack_classes.py``,
``eval_round3.py``) do not write: pathology and radiology reports with accession and specimen
numbers, consult replies between departments, palliative family meetings, psychiatric notes with
many relatives and places, dental charts, Chinese-medicine notes, long-term-care (長照) assessments,
insurance appeal letters and transfer notes naming two hospitals and staff with their titles.
Shapes: MAC addresses, device serials, employers' unified business numbers (統一編號), postcodes
with 巷/弄/號/樓之 addresses, townships and villages named alone, beds without a label, OCR'd IDs
(O/0, I/1, S/5, B/8), passports, ARC numbers of both forms, NHI card numbers, record numbers in
many forms, ages over 89, Latin names in lists in either order, dates of birth in ROC, Western
and English forms.  Admission and visit dates, relative dates (上週三, 入院第3天) are not
identifiers in free text under RULES.md D1 (only a date of birth is; the structured columns
generalise service dates), so they are written as ordinary phrases that must stay.

``{CLASS:pool}`` plants an identifier (every non-space character of it must be masked),
``[[text]]`` an ordinary clinical phrase (none of it may be masked): drug names, doses such as
1# bid, ICD codes, lab values, vital signs.  A seeded ``random.Random`` fills the slots, so the set
is the same on every run.  Scoring reads ``scrub_texts``' output back onto the note
(``eval_round3.kept_characters``).
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from deidentify.identifiers import taiwan_id
from tests.deidentify import eval_round3
from tests.deidentify.eval_round3 import Note, kept_characters

CLASSES = ("NAME", "ID", "PHONE", "EMAIL", "ADDRESS", "DOB", "RECORD", "ACCOUNT", "URL", "IP", "MAC", "SERIAL",
           "PLATE", "AGE", "SCHOOL", "EMPLOYER", "BIZNO")

ZH = ["賴政德", "葉素琴", "蘇建良", "洪美玲", "邱永福", "孫立人", "馮淑芬", "羅世昌", "石春梅", "江承翰", "胡雅琪", "彭國雄",
      "施秀鳳", "程家豪", "方怡君", "潘志明", "田玉英", "董文傑", "袁淑華", "宋明輝", "侯佩珊", "姚俊傑", "鄧麗君", "許瑞麟"]
ROMAN_SF = ["Chen Mei-Ling", "Lin Chih-Hao", "Wu Pei-Chun", "Huang Shu-Fen", "Tsai Yung-Ho", "Hsu Kuan-Yu"]
ROMAN_GF = ["Mei-Ling Chen", "Chih-Hao Lin", "Pei-Chun Wu", "Shu-Fen Huang", "Yung-Ho Tsai", "Kuan-Yu Hsu"]
TITLES = ["主治醫師", "住院醫師", "專科護理師", "個管師", "社工師", "心理師", "營養師", "居督", "照專"]
KIN = ["長子", "次子", "長女", "次女", "案妻", "案夫", "案姊", "案弟", "外孫", "媳婦", "女婿", "姪子"]
HOSPITALS = ["臺大醫院", "榮總", "長庚", "馬偕", "慈濟", "奇美", "彰基", "亞東"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _ocr(s: str, rng: random.Random) -> str:
    """An ID as OCR reads it: one to three digits swapped for the letters they look like."""
    swap = {"0": "O", "1": "I", "5": "S", "8": "B"}
    places = [i for i in range(2, 10) if s[i] in swap]
    for i in rng.sample(places, min(len(places), rng.randint(1, 3))):
        s = s[:i] + swap[s[i]] + s[i + 1:]
    return s


def _id(rng: random.Random) -> str:
    n = taiwan_id.generate(rng, rng.choice(["national", "resident_new", "resident_old"]))
    return rng.choice([n, n, n.lower(), f"{n[:1]} {n[1:5]} {n[5:]}", _ocr(n, rng) if any(c in n[2:] for c in "0158") else n])


def _passport(rng: random.Random) -> str:
    return rng.choice(["3" + _digits(rng, 8), "3" + _digits(rng, 8), "E" + _digits(rng, 8), "B" + _digits(rng, 7)])


def _arc(rng: random.Random) -> str:
    return taiwan_id.generate(rng, rng.choice(["resident_new", "resident_old"]))


def _phone(rng: random.Random) -> str:
    m = "09" + _digits(rng, 8)
    return rng.choice([f"{m[:4]}-{m[4:7]}-{m[7:]}", m, f"({rng.choice(['02', '04'])}){rng.choice('2345')}{_digits(rng, 3)}-{_digits(rng, 4)}",
                       f"(07){rng.choice('2345678')}{_digits(rng, 2)}-{_digits(rng, 4)}",
                       f"{m[:4]}-{m[4:]}", f"+886-{m[1:4]}-{m[4:7]}{m[7:]}", f"03-{_digits(rng, 3)}-{_digits(rng, 4)}"])


def _email(rng: random.Random) -> str:
    return rng.choice(["chiahao.lin", "ml_chen1962", "su.family", "kuanyu88", "hospice.wu"]) + "@" + rng.choice(
        ["gmail.com", "yahoo.com.tw", "outlook.com", "hotmail.com.tw", "seed.net.tw"])


def _address(rng: random.Random) -> str:
    city = rng.choice(["臺北市中山區", "新竹縣竹東鎮", "高雄市鳳山區", "臺東縣關山鎮", "南投縣埔里鎮", "彰化縣員林市"])
    road = rng.choice(["中山路二段", "林森北路", "長春街", "博愛路", "中正東路一段", "光明五街"])
    post = rng.choice(["", f"{rng.randint(100, 982)}", f"{rng.randint(100, 982)}{_digits(rng, 2)}", f"{rng.randint(100, 982)} "])
    return rng.choice([f"{post}{city}{road}{rng.randint(1, 300)}巷{rng.randint(1, 30)}弄{rng.randint(1, 99)}號{rng.randint(2, 15)}樓之{rng.randint(1, 9)}",
                       f"{post}{city}{road}{rng.randint(1, 500)}號",
                       f"{city}{rng.choice(['光明里', '福興里', '中和村'])}{rng.randint(1, 20)}鄰{road}{rng.randint(1, 99)}之{rng.randint(1, 5)}號",
                       f"{road}{rng.randint(1, 99)}巷{rng.randint(1, 40)}號{rng.randint(1, 9)}樓"])


def _town(rng: random.Random) -> str:
    return rng.choice(["秀林鄉", "竹山鎮", "瑞穗鄉", "玉里鎮", "仁愛鄉", "北投區", "三民里", "富世村", "東河鄉", "關西鎮",
                       "尖石鄉", "大溪區", "新城鄉", "佳冬鄉", "西螺鎮", "牡丹鄉石門村"])


def _dob(rng: random.Random) -> str:
    y, m, d = rng.randint(1925, 2010), rng.randint(1, 12), rng.randint(1, 28)
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
    return rng.choice([f"民國{y - 1911}年{m}月{d}日", f"{y - 1911}.{m:02d}.{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}",
                       f"{d} {mon} {y}", f"{mon} {d}, {y}", f"{y - 1911}/{m}/{d}", f"{y}年{m}月{d}日"])


def _record(rng: random.Random) -> str:
    return rng.choice([_digits(rng, 8), "00" + _digits(rng, 6), f"{_digits(rng, 3)}-{_digits(rng, 5)}",
                       "H" + _digits(rng, 7), f"{_digits(rng, 2)}{rng.choice('ABC')}{_digits(rng, 5)}"])


def _accession(rng: random.Random) -> str:
    y = rng.randint(2019, 2026)
    return rng.choice([f"S{y % 100}-{_digits(rng, 5)}", f"RA{y}{_digits(rng, 6)}", f"CT{_digits(rng, 9)}",
                       f"{y % 100}P{_digits(rng, 5)}", f"M{y % 100}-{_digits(rng, 4)}"])


def _nhi(rng: random.Random) -> str:
    s = "0000" + _digits(rng, 8)
    return rng.choice([s, f"{s[:4]} {s[4:8]} {s[8:]}"])


def _bed(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(5, 12)}{rng.choice('ABC')}-{rng.randint(1, 30):02d}", f"{rng.randint(5, 12)}{rng.choice('ABC')}{rng.randint(10, 40)}"])


def _line(rng: random.Random) -> str:
    return rng.choice(["lin_0912", "meiling.c", "kuanyu_88", "hsu0916", "a.cai1950", "family_wu"])


def _url(rng: random.Random) -> str:
    return rng.choice(["https://www.facebook.com/meiling.chen.52", "http://blog.xuite.net/kuanyu88/diary",
                       "https://line.me/ti/p/~lin_0912", "instagram.com/family_wu", "https://youtu.be/aB3dE9xYz1Q"])


def _ip(rng: random.Random) -> str:
    return rng.choice([f"192.168.{rng.randint(0, 9)}.{rng.randint(2, 250)}", f"172.16.{rng.randint(0, 30)}.{rng.randint(2, 250)}",
                       f"fe80::{_digits(rng, 2)}a:{_digits(rng, 3)}b:fe{_digits(rng, 2)}:{_digits(rng, 4)}"])


def _mac(rng: random.Random) -> str:
    parts = ["".join(rng.choice("0123456789ABCDEF") for _ in range(2)) for _ in range(6)]
    return rng.choice([":".join(parts), "-".join(parts), ":".join(parts).lower()])


def _serial(rng: random.Random) -> str:
    return rng.choice([f"SN{_digits(rng, 8)}", f"PM{_digits(rng, 2)}-{_digits(rng, 6)}", f"{rng.choice('ABCK')}{_digits(rng, 3)}X{_digits(rng, 5)}"])


def _plate(rng: random.Random) -> str:
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    p = "".join(rng.choice(L) for _ in range(3))
    return rng.choice([f"{p}-{_digits(rng, 4)}", f"{_digits(rng, 3)}-{p}", f"{p[:2]}-{_digits(rng, 4)}"])


def _bizno(rng: random.Random) -> str:
    return _digits(rng, 8)


POOLS = {
    "zh": lambda r: r.choice(ZH), "sf": lambda r: r.choice(ROMAN_SF), "gf": lambda r: r.choice(ROMAN_GF),
    "id": _id, "pass": _passport, "arc": _arc, "ocr": lambda r: _ocr(_ocr_id(r), r),
    "phone": _phone, "email": _email, "addr": _address, "town": _town, "dob": _dob, "mrn": _record,
    "acc": _accession, "nhi": _nhi, "bed": _bed, "line": _line, "url": _url, "ip": _ip, "mac": _mac, "serial": _serial,
    "plate": _plate, "age": lambda r: str(r.randint(90, 103)), "biz": _bizno,
    "school": lambda r: r.choice(["新竹高中", "光復國小", "成功大學", "中山醫學大學", "景美女中", "東海大學"]),
    "emp": lambda r: r.choice(["台積電", "中華電信", "長榮海運", "統一企業", "台灣電力公司", "玉山銀行"]),
}


def _ocr_id(rng: random.Random) -> str:
    while True:
        n = taiwan_id.generate(rng, rng.choice(["national", "resident_new"]))
        if sum(c in "0158" for c in n[2:]) >= 2:
            return n


# ---- note kinds ----------------------------------------------------------------------------------

TEMPLATES = {
    "pathology": [
        "病理報告 Accession No.: {RECORD:acc}\n病人：{NAME:zh}　病歷號：{RECORD:mrn}\n標本號 {RECORD:acc}，"
        "[[Adenocarcinoma, moderately differentiated]]，[[margin free]]。[[ICD-10 C18.7]]",
        "Surgical pathology report. Specimen ID {RECORD:acc}. Patient: {NAME:sf}, DOB {DOB:dob}. "
        "[[Ki-67 30%]], [[ER positive]]. Pathologist: Dr. {NAME:gf}.",
        "切片號{RECORD:acc}（外院借片，原單位{RECORD:acc}）。送檢醫師：{NAME:zh}{[[主治醫師]]}。[[HER2 2+]]，建議[[FISH]]。",
    ],
    "radiology": [
        "檢查號：{RECORD:acc}\nCT chest with contrast. [[RUL nodule 1.2 cm]]. Compared with prior exam {RECORD:acc}.\n報告醫師 {NAME:zh}",
        "MRI brain（影像號碼 {RECORD:acc}）：[[No acute infarct]]。病人 {NAME:zh}，{AGE:age}歲，出生日期 {DOB:dob}。",
        "PACS 工作站 IP {IP:ip}（MAC {MAC:mac}）於判讀時當機；機器序號 S/N {SERIAL:serial}。[[eGFR 45]]，[[Cr 1.6 mg/dL]]。",
    ],
    "consult": [
        "會診回覆（神經內科→心臟內科）：{NAME:zh}{[[住院醫師]]}您好，病人[[BP 150/90]]、[[HR 88]]，建議[[Aspirin 100mg 1# qd]]。"
        "回覆者 {NAME:zh} 主治醫師，分機或手機 {PHONE:phone}。",
        "Consult reply from Nephrology: thanks Dr. {NAME:gf} for the referral. [[K 5.8]], [[Na 132]]; suggest [[Kayexalate 15g tid]]. "
        "Family contacts: {NAME:gf}, {NAME:gf}.",
        "照會精神科。病人{NAME:zh}住 {RECORD:bed} 床，[[譫妄]]，[[Haloperidol 2.5mg im stat]]。專科護理師{NAME:zh}追蹤。",
    ],
    "palliative": [
        "安寧家庭會議：出席者 {NAME:zh}（長子）、{NAME:zh}（長女）、{NAME:zh}（媳婦），個管師{NAME:zh}。"
        "共識[[DNR]]，[[Morphine 5mg q4h prn]]。家屬LINE：{ACCOUNT:line}",
        "Family meeting (hospice): family: {NAME:sf}, {NAME:sf}; son {NAME:gf} joins by video "
        "{URL:url}. Patient {AGE:age} y/o, [[PPS 30%]].",
        "病人希望返回{ADDRESS:town}老家往生，[[臨終準備]]。案女{NAME:zh}電話（\n{PHONE:phone}）。",
    ],
    "psychiatry": [
        "精神科病程：個案{NAME:zh}，自述{[[上週三]]}與案夫{NAME:zh}爭吵，案姊{NAME:zh}、案弟{NAME:zh}皆住{ADDRESS:town}。"
        "[[MMSE 26]]，[[Sertraline 50mg 1# qd]]。",
        "Psych note: pt lives with mother {NAME:gf} in {ADDRESS:town}; sister {NAME:gf}, brother-in-law {NAME:sf}. "
        "Works at {EMPLOYER:emp}. [[PHQ-9 18]].",
        "個案國中就讀{SCHOOL:school}時受霸凌，現任職於{EMPLOYER:emp}（統一編號：{BIZNO:biz}）。[[F32.1]]。",
    ],
    "dental": [
        "牙科病歷 病歷號{RECORD:mrn}，姓名{NAME:zh}，健保卡號{RECORD:nhi}。[[#36 RCT]]，[[#47 extraction]]，[[Amoxicillin 500mg tid]]。",
        "Dental chart: {NAME:sf}, chart no. {RECORD:mrn}, tel {PHONE:phone}. [[Class II caries #14]], [[Lidocaine 2% 1.8ml]].",
    ],
    "tcm": [
        "中醫門診：{NAME:zh}，{[[女]]}，[[脈弦細]]，[[舌紅苔薄]]。處方[[加味逍遙散 4g tid]]。住址 {ADDRESS:addr}。",
        "中醫師{NAME:zh}：病人出生於{DOB:dob}，[[針灸 合谷 足三里]]，下次{[[3/15]]}回診。聯絡 {EMAIL:email}。",
    ],
    "ltc": [
        "長照需要評估：個案{NAME:zh}，{AGE:age}歲，身分證 {ID:id}，[[CMS 第5級]]，[[ADL 40分]]。照專{NAME:zh}，居督{NAME:zh}。",
        "長照2.0 個案住{ADDRESS:town}，主要照顧者{NAME:zh}（案媳），外籍看護居留證 {ID:arc}，手機{PHONE:phone}。",
        "居家訪視：地址{ADDRESS:addr}，案子{NAME:zh}開車 {PLATE:plate} 接送，[[BP 132/78]]、[[SpO2 97%]]。",
    ],
    "appeal": [
        "健保爭議審議申請書\n申請人：{NAME:zh}　身分證統一編號：{ID:id}\n出生日期：{DOB:dob}\n通訊地址：{ADDRESS:addr}\n"
        "申請事項：[[Rituximab 375mg/m2]] 核刪。代理人 {NAME:zh}，電子郵件 {EMAIL:email}。",
        "Insurance appeal: the patient, {NAME:sf} (passport {ID:pass}, ARC {ID:arc}), employed by {EMPLOYER:emp}, "
        "requests review of [[J45.909]] claims. Contact {PHONE:phone}.",
    ],
    "transfer": [
        "轉院病摘：由{[[本院]]}轉{[[臺中榮總]]}。本院主治醫師{NAME:zh}、住院醫師{NAME:zh}；接收醫院{NAME:zh}主治醫師。"
        "病人住 {RECORD:bed} 床，[[入院第3天]]發燒，[[Ceftriaxone 2g qd]]。",
        "Transfer note: from {[[NTUH]]} to {[[Chang Gung]]}. Attending Dr. {NAME:gf}, NP {NAME:gf}, case manager {NAME:sf}. "
        "Patient {NAME:sf}, {AGE:age}M, ID {ID:ocr}, bed {RECORD:bed}.",
        "轉出單：病人 {RECORD:bed} 夜間躁動，身分證 {ID:ocr}，家屬{NAME:zh} {PHONE:phone}，戶籍地：{ADDRESS:town}。",
    ],
    "ocr_form": [
        "掃描表單（OCR）\n姓名 {NAME:zh} 身分證字號 {ID:ocr}\n電話 {PHONE:phone}\n病人 {ID:ocr} 已核對",
        "OCR: 居留證號 {ID:ocr}，護照 {ID:pass}，NHI {RECORD:nhi}，[[WBC 12.3]]，[[Hb 9.8]]。",
    ],
}
TYPES = tuple(TEMPLATES)

# an ordinary control set: clinical words, drugs, lab values, ICD codes, doses, vital signs, dates
# that are no date of birth - each stands alone in a short note and none of it may be masked
CONTROL = [
    "Metformin 500mg 1# bid", "Amlodipine 5mg 1# qd", "Warfarin 2.5mg 0.5# qn", "Insulin glargine 12u hs",
    "Furosemide 40mg iv st", "Ceftriaxone 2g q24h", "Morphine 2mg iv q4h prn", "Clopidogrel 75mg qd",
    "BP 128/76 mmHg", "HR 84 bpm", "RR 18", "BT 37.8℃", "SpO2 96%", "GCS E4V5M6", "Pain score 3/10",
    "HbA1c 7.4%", "Cr 1.2 mg/dL", "eGFR 58", "WBC 11.2", "Hb 10.1", "PLT 180k", "Na 136", "K 4.1", "CRP 5.6",
    "ICD-10 I10", "E11.9", "N18.3", "J18.9", "C34.90", "F32.1", "Z51.5", "M17.11", "K21.9",
    "入院第3天", "上週三", "術後第2天", "3/15 回診", "下週一複診", "112年度健保", "2024年指引",
    "病人意識清楚", "呼吸平順", "雙側下肢水腫", "傷口乾燥無滲液", "大便一天一次", "家屬陪同", "轉入加護病房",
    "住院中", "住院期間", "病房護理站", "安寧病房", "門診追蹤", "社區藥局", "護理之家", "長照中心",
    "CYP3A4 抑制劑", "維他命B12 缺乏", "CA19-9 35", "IgG4 120", "T2DM", "COPD", "s/p CABG", "NPO", "DNR",
    "加味逍遙散 4g tid", "六味地黃丸", "針灸 足三里", "#36 RCT", "Class II caries",
    "PPS 30%", "ECOG 2", "ADL 40分", "CMS 第5級", "MMSE 26", "PHQ-9 18", "Ki-67 30%", "ER positive",
    "住在家裡", "住在該社區", "回到病區", "來自鄉下", "住在市區", "共12床", "3床病人", "鄰床阿伯",
]

_SLOT = re.compile(r"\{(\w+):(\w+)\}|\{?\[\[(.+?)\]\]\}?")


def build(kind: str, template: str, rng: random.Random) -> Note:
    """One note from ``template`` (round 3's builder with this round's slots and pools)."""
    return eval_round3.build(kind, template, rng, slot=_SLOT, classes=CLASSES, pools=POOLS)


def generate(rounds: int = 11, seed: int = 4) -> list[Note]:
    """Every template ``rounds`` times, the slots drawn from one seeded generator."""
    rng = random.Random(seed)
    return [build(kind, t, rng) for _ in range(rounds) for kind in TYPES for t in TEMPLATES[kind]]


@dataclass
class Result:
    total: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    by_kind: dict = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    plain_total: int = 0
    over: list[tuple[str, str]] = field(default_factory=list)
    control_total: int = 0
    control_over: list[tuple[str, str]] = field(default_factory=list)
    classes: tuple[str, ...] = CLASSES      # the rows of the table (later rounds pass their own)

    def recall(self, cls: str) -> float:
        return self.found[cls] / self.total[cls] if self.total[cls] else 1.0

    def table(self) -> str:
        rows = [f"{'class':9} {'recall':>7} {'found':>6} {'total':>6}"]
        rows += [f"{c:9} {self.recall(c):7.1%} {self.found[c]:6d} {self.total[c]:6d}" for c in self.classes]
        rows += [f"style {k:11} {f / t:7.1%} {f:6d} {t:6d}" for k, (f, t) in self.by_kind.items()]
        rows.append(f"ordinary phrases in the notes masked: {len(self.over)} of {self.plain_total}")
        rows.append(f"control set masked: {len(self.control_over)} of {self.control_total}")
        return "\n".join(rows)


def measure(notes: list[Note]) -> Result:
    """Recall per class and per kind, ordinary phrases and the control set touched, through
    ``scrub_texts`` with the policy's cut-offs."""
    from deidentify.text.scrub import scrub_texts

    res = Result()
    kinds: dict[str, list[int]] = {}
    for n, out in zip(notes, scrub_texts([n.text for n in notes])):
        kept = kept_characters(n.text, out)
        k = kinds.setdefault(n.kind, [0, 0])
        for cls, a, b in n.spans:
            res.total[cls] += 1
            k[1] += 1
            if any(kept[i] for i in range(a, b) if not n.text[i].isspace()):
                res.misses.append((cls, n.text[a:b], out))
            else:
                res.found[cls] += 1
                k[0] += 1
        for a, b in n.plain:
            res.plain_total += 1
            if not all(kept[a:b]):
                res.over.append((n.text[a:b], out))
    res.by_kind = {k: tuple(v) for k, v in kinds.items()}
    controls = [f"病人今日 {c}。" for c in CONTROL]
    for src, out in zip(controls, scrub_texts(controls)):
        res.control_total += 1
        if out != src:
            res.control_over.append((src, out))
    return res


if __name__ == "__main__":
    notes = generate()
    r = measure(notes)
    print(len(notes), "notes")
    print(r.table())
    for m in r.misses:
        print("MISS", m[0], repr(m[1]), "|", m[2][:160].replace("\n", "⏎"))
    for o in r.over + r.control_over:
        print("OVER", repr(o[0]), "|", o[1][:160].replace("\n", "⏎"))
