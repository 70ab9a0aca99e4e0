"""A seventh probe of free-text de-identification (D1, round 6), in note kinds and identifier
shapes the earlier generators (``eval/*.py``, ``eval_round3.py`` … ``eval_round5.py``) do not
write: pathology and radiology reports (specimen and accession numbers, "Dr. 陳" sign-offs,
transcriptionists' initials), dental charts, psychiatric notes with a family history (parents,
siblings, children, ex-spouses, schools, workplaces, churches and temples), paediatric notes
(parents' names and jobs, kindergartens), genetic counselling (pedigree lines "III-2 陳○○",
the proband's cousins), infection-control contact lists (names, beds, exposure times),
insurance and claims letters (policy, claim and NHI card numbers, court case and police report
numbers), death notes, names with one character in Zhuyin or a partial mask next to the full
name (陳O明 … 陳大明), ages on an exact birthday (今天滿80歲生日), one-person offices named by
their place (龍安里里長, 竹東鎮鎮長, 慈祐宮廟公), a well-known person as the patient, social-media
handles (@, IG, FB, Dcard, PTT), vehicle and bicycle numbers, lockers and beds with names,
foreign workers' passports and ARC numbers (two letters + 8 digits, the new A800000000 form) and
QR/barcode text; and the names the last round left (全國平, 請幫萬國平量血壓, 家屬王強來電).

As ``eval_round5``: ``{CLASS:pool}`` plants an identifier (a pool may give ``(text, True)``
pieces of it and ``(text, False)`` words between them), ``[[text]]`` is an ordinary phrase none
of which may be masked (drugs, stains, scores, codes, exposure dates and times - only a date of
birth is an identifier in free text under D1).  Seeded: the same notes on every run.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id
from tests.deidentify import recall_suite
from tests.deidentify.eval_round4 import Result
from tests.deidentify.eval_round5 import CONTROL as CONTROL5, Note

CLASSES = ("NAME", "ID", "PHONE", "DOB", "RECORD", "ACCOUNT", "CASE", "HANDLE", "PLATE", "ORG", "PLACE", "CODE")

ZH = ["孫佩君", "邵建宏", "傅雅雯", "廖俊賢", "簡淑惠", "游志偉", "盧怡伶", "蕭文彬", "詹美雪", "賴冠廷", "彭于庭",
      "鄒秀琴", "董家瑋", "薛宇軒", "殷佳蓉", "歐陽靜怡", "張簡志豪", "范姜美華"]
# a surname and its first given character making a common word (the last round's gap)
WORDY = ["全國平", "高明德", "方正華", "文心怡", "金美玲", "石家豪", "白雲飛", "江山明", "高雅婷", "金玉梅", "方美華",
         "石佳慧", "白麗華", "文正雄", "全家偉", "江明德"]
# two-character names that are words
WORD2 = ["林立", "王強", "高峰", "金城", "白雪", "江河"]
SUR = ["陳", "林", "黃", "張", "吳", "許", "鄭", "蔡"]
CELEB = ["周杰倫", "蔡依林", "林志玲", "王建民", "郭台銘", "柯文哲", "陳水扁", "張惠妹"]
ZHUYIN = [("林", "ㄓˋ", "明"), ("陳", "ㄇㄟˇ", "玲"), ("王", "ㄒㄧㄠˇ", "華"), ("黃", "ㄐㄧㄚ", "豪"), ("張", "ㄧㄚˇ", "婷")]
HOMOPHONE = ["陳大鳴", "林志銘", "黃淑芬", "王曉明", "張雅亭", "李佳誼"]
FOREIGN = ["Siti Aminah", "Nguyen Van Nam", "Maricel Santos", "Dewi Lestari", "Tran Thi Mai", "Somchai Boonmee"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _zh(rng):
    return rng.choice(ZH + WORDY)


def _wordy(rng):
    return rng.choice(WORDY)


def _masked_pair(rng):
    """A partial mask that still leaves the full name a few words on (陳O明 … 陳大明)."""
    full = rng.choice(["陳大明", "林志明", "黃美玲", "張雅婷", "吳建宏", "許淑芬"])
    mask = rng.choice(["O", "○", "X", "某", "〇", "*"])
    return [(full[0] + mask + full[2], True), ("（病人）昨日入院，聯絡人為其子；病人", False), (full, True)]


def _pedigree(rng):
    return rng.choice([f"{rng.choice(SUR)}○○", f"{rng.choice(SUR)}OO", rng.choice(ZH)])


def _zhuyin(rng):
    a, b, c = rng.choice(ZHUYIN)
    return a + b + c


def _drsur(rng):
    return rng.choice(SUR)


def _initials(rng):
    return rng.choice(["MLH", "YCL", "CWT", "JHW", "SYC", "PTL"])


def _id(rng):
    return taiwan_id.generate(rng, rng.choice(["national", "resident_old", "resident_new"]))


def _arc(rng):
    n = taiwan_id.generate(rng, rng.choice(["resident_old", "resident_new"]))
    return rng.choice([n, f"{n[:2]} {n[2:]}", n.lower() if rng.random() < 0.2 else n])


def _passport(rng):
    return rng.choice(["C" + _digits(rng, 7), "B " + _digits(rng, 7), "P" + _digits(rng, 7) + "A",
                       "AA" + _digits(rng, 7), "E" + _digits(rng, 8), "X" + _digits(rng, 7)])


def _nhi_card(rng):
    n = "0000" + _digits(rng, 8)
    return rng.choice([n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}"])


def _phone(rng):
    m = "09" + _digits(rng, 8)
    return rng.choice([f"{m[:4]}-{m[4:7]}-{m[7:]}", m, f"02-{rng.choice('2345678')}{_digits(rng, 3)}-{_digits(rng, 4)}"])


def _dob(rng):
    y, m, d = rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"民國{y - 1911}年{m}月{d}日", f"{y}/{m:02d}/{d:02d}", f"{y - 1911}.{m}.{d}", f"{y}年{m}月{d}日"])


def _birthday_age(rng):
    """An age on an exact birthday gives the date of birth: the number is the identifier."""
    a = rng.randint(1, 99)
    return rng.choice([[("今天滿", False), (str(a), True), ("歲生日", False)],
                       [("昨天是", False), (str(a), True), ("歲生日", False)],
                       [("本週六過", False), (str(a), True), ("歲生日", False)],
                       [("turned ", False), (str(a), True), (" today (birthday)", False)]])


def _specimen(rng):
    y = rng.choice(["112", "113", "23", "24"])
    return rng.choice([f"S{y}-{_digits(rng, 5)}", f"S{y}{_digits(rng, 6)}", f"SP-{y}-{_digits(rng, 6)}",
                       f"C{y}-{_digits(rng, 4)}", f"F{y}-{_digits(rng, 5)}"])


def _accession(rng):
    return rng.choice([f"RA{_digits(rng, 8)}", f"CT{_digits(rng, 10)}", f"MR{_digits(rng, 9)}", _digits(rng, 10),
                       f"US-{_digits(rng, 7)}", f"A{_digits(rng, 9)}"])


def _chart(rng):
    return rng.choice([_digits(rng, 8), "00" + _digits(rng, 6)])


def _policy(rng):
    return rng.choice([f"{rng.choice('ABCLP')}{_digits(rng, 9)}", f"{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
                       f"TW{_digits(rng, 10)}", f"{_digits(rng, 12)}"])


def _claim(rng):
    return rng.choice([f"CLM-{_digits(rng, 3)}-{_digits(rng, 6)}", f"{_digits(rng, 4)}{_digits(rng, 6)}",
                       f"R{_digits(rng, 3)}-{_digits(rng, 5)}", f"CL{_digits(rng, 8)}"])


def _court(rng):
    y = rng.randint(105, 114)
    return rng.choice([f"{y}年度訴字第{rng.randint(1, 3999)}號", f"{y}年度家護字第{rng.randint(1, 999)}號",
                       f"{y}年度交簡字第{rng.randint(1, 2999)}號", f"{y}年度監宣字第{rng.randint(1, 999)}號",
                       f"{y}年度偵字第{rng.randint(1000, 39999)}號"])


def _police(rng):
    # (a police office's document number: the number is the identifier, the office's words stay)
    return rng.choice([f"{rng.randint(105, 114)}{_digits(rng, 7)}",
                       [("北市警中分刑字第", False), (_digits(rng, 10), True), ("號", False)],
                       f"{rng.randint(105, 114)}-{_digits(rng, 6)}"])


def _handle(rng):
    return rng.choice(["@meiling_0312", "@wang.daming", "chen.jiahao88", "sunny_pj", "dragon0912", "b07901234",
                       "yuting.lu", "@cat_lover_tw", "kuo1985", "xiaoling_h"])


def _plate(rng):
    L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    p = "".join(rng.choice(L) for _ in range(3))
    return rng.choice([f"{p}-{_digits(rng, 4)}", f"{_digits(rng, 3)}-{p}", f"{p}{_digits(rng, 4)}", f"{_digits(rng, 4)}-{p[:2]}"])


def _bike(rng):
    return rng.choice([f"5{_digits(rng, 8)}", f"WTU{_digits(rng, 3)}{rng.choice('ABCK')}{_digits(rng, 5)}",
                       f"GT{_digits(rng, 7)}", f"YB-{_digits(rng, 6)}"])


def _qr(rng):
    n = taiwan_id.generate(rng)
    # (the contents are the identifier: a barcode's stars and a key's name stay)
    return rng.choice([f"NHI|{n}|{_digits(rng, 7)}", [("*", False), (n, True), ("*", False)],
                       [("PID=", False), (_digits(rng, 8), True), (";NAME=", False), ("CHEN MEI LING", True)],
                       f"{_digits(rng, 8)}^{n}^{_digits(rng, 8)}"])


SCHOOLS = ["光復國小", "信義國中", "建國中學", "北一女中", "成功高中", "大同大學", "景美女中", "復興國小", "中正國中", "海山高工"]
KINDER = ["小太陽幼兒園", "佳佳幼兒園", "蒙特梭利幼兒園", "快樂兒童幼稚園", "彩虹非營利幼兒園"]
WORK = ["宏達機電", "永豐紙器", "長榮貨運", "全家便利商店中山店", "大同電鍋廠", "新光三越信義店", "順益汽車", "台灣大車隊"]
FAITH = ["靈糧堂", "真耶穌教會永和教會", "行天宮", "松山慈祐宮", "慈惠宮", "聖家堂", "浸信會懷恩堂", "法鼓山農禪寺"]
VILLAGES = ["大安區龍安里", "竹東鎮", "南庄鄉東河村", "北投區石牌里", "埔里鎮", "鹿港鎮", "三峽區插角里", "信義區三張里"]
OFFICE = {"里": "里長", "鎮": "鎮長", "村": "村長", "鄉": "鄉長"}


def _village(rng):
    v = rng.choice(VILLAGES)
    return [(v, True), (OFFICE[v[-1]], False)]


def _temple_keeper(rng):
    return [(rng.choice(["松山慈祐宮", "北港朝天宮", "大甲鎮瀾宮", "新港奉天宮", "關渡宮"]), True), ("廟公", False)]


POOLS = {
    "zh": _zh, "wordy": _wordy, "w2": lambda r: r.choice(WORD2), "mask": _masked_pair, "ped": _pedigree,
    "zy": _zhuyin, "homo": lambda r: r.choice(HOMOPHONE), "celeb": lambda r: r.choice(CELEB), "drs": _drsur,
    "init": _initials, "ff": lambda r: r.choice(FOREIGN),
    "id": _id, "arc": _arc, "pass": _passport, "nhi": _nhi_card, "phone": _phone, "dob": _dob, "bday": _birthday_age,
    "spec": _specimen, "acc": _accession, "chart": _chart, "policy": _policy, "claim": _claim, "court": _court,
    "police": _police, "handle": _handle, "plate": _plate, "bike": _bike, "qr": _qr,
    "school": lambda r: r.choice(SCHOOLS), "kinder": lambda r: r.choice(KINDER), "work": lambda r: r.choice(WORK),
    "faith": lambda r: r.choice(FAITH), "vill": _village, "temple": _temple_keeper,
}

TEMPLATES = {
    "pathology": [
        "SURGICAL PATHOLOGY REPORT\nSpecimen No.: {RECORD:spec}\nPatient: {NAME:zh}  Chart No.: {RECORD:chart}\n"
        "[[Diagnosis: Breast, left, core biopsy - invasive ductal carcinoma, grade 2]]\n[[ER 90%, PR 60%, HER2 1+, Ki-67 20%]]\n"
        "Dr. {NAME:drs} / {NAME:init}",
        "病理報告 檢體號碼 {RECORD:spec} 病人{NAME:wordy} [[Prostate, needle biopsy: adenocarcinoma, Gleason 3+4=7]] "
        "報告醫師 {NAME:zh} 謄打 {NAME:init}",
        "Frozen section {RECORD:spec}: [[negative for malignancy]]. Called to Dr. {NAME:drs} at [[14:25]]. Transcribed by {NAME:init}.",
    ],
    "radiology": [
        "CT chest w/o contrast, Acc No. {RECORD:acc}, Pt {NAME:zh} ({RECORD:chart}). [[Impression: RUL 1.2 cm nodule, Lung-RADS 4A]]. Dr. {NAME:drs}/{NAME:init}",
        "乳房攝影 檢查號 {RECORD:acc} 受檢者{NAME:wordy} [[BI-RADS 3]] [[建議6個月追蹤]] 判讀：{NAME:zh}醫師",
        "MRI brain (accession {RECORD:acc}): [[no acute infarct]]. Discussed with Dr. {NAME:drs} by phone {PHONE:phone}.",
    ],
    "dental": [
        "牙科紀錄 {NAME:zh} [[#36 deep caries]] [[#46 RCT done]] [[MOD composite #15]] 家長{NAME:zh}陪同 電話{PHONE:phone}",
        "Dental chart: {NAME:wordy}, [[FDI 11 fracture]], [[PA film]], NHI card {ID:nhi}, next visit [[12/15 10:30]].",
        "口腔外科 病人{NAME:w2}今天回診 [[#38 impaction]] [[拔牙後縫合4針]] 健保卡號 {ID:nhi}",
    ],
    "psych": [
        "精神科病史：父親{NAME:zh}（已歿，酗酒），母親{NAME:zh}，前妻{NAME:zh}，育有一子{NAME:zh}就讀{ORG:school}。案主於{ORG:work}任職，週日固定到{ORG:faith}聚會。[[MDD, HAM-D 22]]",
        "Family history: ex-husband {NAME:zh} works at {ORG:work}; daughter {NAME:wordy} attends {ORG:school}. [[PHQ-9 18]] [[Sertraline 50mg qd]]",
        "家族史：哥哥{NAME:zh}思覺失調，妹妹{NAME:w2}表示常被霸凌。案主為{ORG:faith}志工，案妻{NAME:w2}陪同就醫。[[BPRS 48]]",
        "會談：案主{NAME:celeb}（公眾人物）[[失眠兩週]]，經紀人{NAME:zh}陪同，[[Zolpidem 10mg hs]]",
    ],
    "pediatric": [
        "兒科 病童{NAME:zh}，父{NAME:zh}（計程車司機），母{NAME:zh}（{ORG:work}會計），就讀{ORG:kinder}大班。[[BW 18kg]] [[Fever 39.1]]",
        "Well-child visit: {NAME:wordy}, born at 馬偕, parents {NAME:zh} and {NAME:zh}. [[Hep B #3 given]]. Mother's phone {PHONE:phone}.",
        "新生兒 {NAME:zh}之子 出生日期 {DOB:dob} [[Apgar 8/9]] [[BW 3120g]] 父親{NAME:zh} 身分證 {ID:id}",
    ],
    "genetic": [
        "Pedigree: III-2 {NAME:ped} (proband), II-3 {NAME:zh} (mother, [[BRCA1 c.68_69delAG]]), III-5 {NAME:zh} (cousin, [[breast ca at 38]])",
        "遺傳諮詢：先證者{NAME:zh}，表姐{NAME:zh}與堂弟{NAME:wordy}亦帶有[[G6PD缺乏]]，家族譜系 IV-1 {NAME:ped}。",
        "Genetic counselling for {NAME:zh}: cousin {NAME:zh} ([[46,XY]], [[SMA carrier]]); uncle {NAME:w2} declined testing.",
    ],
    "infection": [
        "感控接觸者名單：7A-12床 {NAME:zh}、7A-15床 {NAME:wordy}、看護{NAME:ff}，暴露時間 [[11/28 08:00-11:30]]，[[CRE 接觸隔離]]",
        "Contact tracing ([[TB index case]]): {NAME:zh} (bed 12), {NAME:zh} (bed 14), locker 23 {NAME:zh}; exposure [[2026-11-20 13:00]].",
        "隔離通報：請幫{NAME:wordy}量血壓，通知{NAME:zh}家屬，協助{NAME:zh}下床；[[MRSA 鼻腔篩檢陽性]]",
    ],
    "insurance": [
        "保險理賠：被保險人{NAME:zh}，保單號碼{ACCOUNT:policy}，理賠編號{ACCOUNT:claim}，健保卡號{ID:nhi}。[[ICD-10 S72.001A]]",
        "Dear Sir, re: Policy No. {ACCOUNT:policy}, Claim No. {ACCOUNT:claim}, insured {NAME:zh} (ID {ID:id}). [[Hospitalised 5 days]].",
        "診斷書用途：法院{CASE:court}，警察局報案三聯單編號{CASE:police}，當事人{NAME:zh}。[[左腓骨骨折]]",
        "車禍：機車 {PLATE:plate} 與自行車（車號 {PLATE:bike}）碰撞，傷者{NAME:zh}，案號{CASE:court}。[[GCS 15]]",
    ],
    "death": [
        "死亡紀錄：{NAME:zh}，{DOB:bday}後三天於[[11/30 03:12]]往生，由長子{NAME:zh}、次女{NAME:wordy}陪伴，安葬於{ORG:faith}。",
        "{NAME:zh} passed away peacefully [[at 05:40]] with wife {NAME:zh} present; she had {DOB:bday}. [[DNR]]",
    ],
    "chat": [
        "家屬LINE：我是{NAME:zy}的女兒，IG {HANDLE:handle}，FB {HANDLE:handle}，[[爸爸血壓 150/90]]",
        "病人自述網路ID：Dcard {HANDLE:handle}、PTT {HANDLE:handle}；同學{NAME:homo}霸凌。[[自傷風險高]]",
        "個案{NAME:zh}（又寫作{NAME:homo}）IG帳號 {HANDLE:handle}，[[情緒低落]]",
    ],
    "masked": [
        "病人{NAME:mask}，[[術後第3天]] [[引流管 50ml]]",
        "個案{NAME:mask}，今天滿{DOB:bday}，[[BP 132/78]]",
    ],
    "office": [
        "本病人為{PLACE:vill}，[[因社區活動跌倒]]，由里幹事{NAME:zh}陪同。",
        "{PLACE:temple}{NAME:zh}[[胸悶]]送醫，[[Troponin I 0.02]]",
        "立法委員{NAME:zh}[[高血壓]]回診，秘書{NAME:zh}代為掛號，[[Norvasc 5mg qd]]",
        "病人{NAME:celeb}入院，[[媒體關注]]，[[謝絕訪客]]",
    ],
    "foreign": [
        "外籍移工 {NAME:ff}，居留證 {ID:arc}，護照 {ID:pass}，雇主{NAME:zh}，[[工傷：右手壓傷]]",
        "Migrant worker {NAME:ff}, ARC {ID:arc}, passport {ID:pass}, broker phone {PHONE:phone}. [[Fracture L radius]]",
        "看護{NAME:ff}（居留證號{ID:arc}）陪同阿嬤{NAME:zh}回診，[[Donepezil 5mg]]",
    ],
    "code": [
        "掃描健保卡條碼：{CODE:qr} [[讀取成功]]",
        "Wristband barcode {CODE:qr}; [[allergy: penicillin]]",
        "檢體條碼 {CODE:qr}，[[送檢血液培養]]",
    ],
    "request": [
        "請幫{NAME:wordy}量血壓，{NAME:w2}的太太來電詢問。",
        "通知{NAME:wordy}家屬到院，家屬{NAME:w2}來電。",
        "協助{NAME:wordy}下床，病人{NAME:w2}今天出院。",
        "{NAME:wordy}主訴胸悶兩天，案子{NAME:w2}陪同就醫。",
    ],
}
TYPES = tuple(TEMPLATES)

# Written after the fixes, never tuned on: the same kinds and pools in other words.
HELD_OUT = {
    "pathology": ["Cytology {RECORD:spec} of {NAME:zh}: [[atypical squamous cells]]. Signed Dr. {NAME:drs}. Typed {NAME:init}."],
    "radiology": ["超音波 檢查號{RECORD:acc}，{NAME:wordy}[[肝臟脂肪浸潤]]，報告醫師{NAME:zh}"],
    "dental": ["牙周病治療 {NAME:wordy} [[PD 5mm #16]]，媽媽{NAME:zh}陪同，健保卡 {ID:nhi}"],
    "psych": ["個案陳述前夫{NAME:zh}在{ORG:work}上班，女兒{NAME:zh}念{ORG:school}，信仰於{ORG:faith}。[[GAD-7 15]]"],
    "pediatric": ["病童{NAME:wordy}就讀{ORG:kinder}，爸爸{NAME:zh}、媽媽{NAME:zh}，[[RSV 陽性]]"],
    "genetic": ["譜系圖：II-1 {NAME:ped}，III-4 {NAME:zh}（先證者），表妹{NAME:zh}[[帶因]]"],
    "infection": ["接觸者：{NAME:zh}（8B-03床）、{NAME:wordy}（8B-05床），[[暴露 11/25 14:00]]，提醒{NAME:zh}戴口罩"],
    "insurance": ["理賠申請書 保單{ACCOUNT:policy} 案件{ACCOUNT:claim} 被保人{NAME:zh} 地院{CASE:court}"],
    "death": ["{NAME:wordy}於[[12/01 22:10]]宣告死亡，{DOB:bday}剛過，家屬{NAME:zh}在場。"],
    "chat": ["IG {HANDLE:handle} 是{NAME:zy}的帳號，Dcard {HANDLE:handle}"],
    "masked": ["{NAME:mask}，[[右膝置換術後]]"],
    "office": ["{PLACE:vill}{NAME:zh}[[中風]]，{NAME:celeb}來探視"],
    "foreign": ["印尼籍看護 {NAME:ff} ARC {ID:arc} 護照號碼 {ID:pass} [[發燒]]"],
    "code": ["條碼：{CODE:qr}"],
    "request": ["提醒{NAME:wordy}明天回診，{NAME:w2}主訴頭暈。"],
}

# Written after the fixes the first held-out set asked for (insurance words without 號碼, a name
# before a bed in brackets, 爸爸/媽媽, a reader after 報告醫師): never tuned on (held_out=2).
HELD_OUT_2 = {
    "pathology": ["病理切片 {RECORD:spec}：[[chronic gastritis, H. pylori (+)]]，病人{NAME:wordy}，覆核{NAME:drs}醫師，打字 {NAME:init}"],
    "radiology": ["Chest PA ({RECORD:acc}) for {NAME:wordy}: [[cardiomegaly]]. Read by Dr. {NAME:drs}/{NAME:init}"],
    "dental": ["{NAME:wordy} [[#26 crown prep]]，太太{NAME:w2}在旁，卡號 {ID:nhi}"],
    "psych": ["案主之前夫{NAME:zh}於{ORG:work}工作，兒子{NAME:wordy}讀{ORG:school}，每週到{ORG:faith}禮拜。[[PHQ-9 21]]"],
    "pediatric": ["病童{NAME:zh}（{ORG:kinder}），阿嬤{NAME:wordy}帶來，[[腸病毒]]，爸爸電話 {PHONE:phone}"],
    "genetic": ["III-1 {NAME:ped}、III-3 {NAME:wordy}（[[HbH disease]]），堂哥{NAME:zh}未檢測"],
    "infection": ["[[11/29 10:00-10:30]] 與{NAME:wordy}同車，密切接觸者 {NAME:zh}（9A-02床），通知{NAME:wordy}家屬"],
    "insurance": ["Re claim {ACCOUNT:claim} under policy {ACCOUNT:policy}: insured {NAME:zh}, court {CASE:court}. [[OPD 3 visits]]"],
    "death": ["病人{NAME:wordy}於[[12/02 04:05]]病逝，{DOB:bday}才過不久，女兒{NAME:w2}簽署。"],
    "chat": ["FB {HANDLE:handle} 與 Threads {HANDLE:handle} 都是{NAME:zy}在用"],
    "masked": ["家屬{NAME:mask}表示同意"],
    "office": ["{PLACE:temple}{NAME:wordy}[[跌倒]]，{PLACE:vill}陪同"],
    "foreign": ["Caregiver {NAME:ff} (ARC {ID:arc}, passport {ID:pass}) [[cough 3 days]]"],
    "code": ["Label: {CODE:qr}"],
    "request": ["幫{NAME:wordy}換藥，讓{NAME:wordy}休息，家屬{NAME:w2}詢問病情。"],
}

# clinical text of this round's kinds, none of which may be masked (the earlier set included)
CONTROL = CONTROL5 + [
    "Gleason 3+4=7", "ER 90%, PR 60%, HER2 1+", "Ki-67 20%", "pT2N1M0", "IDC grade 2", "CIN 2", "ASC-US",
    "Lung-RADS 4A", "BI-RADS 3", "TI-RADS 4", "PI-RADS 5", "LI-RADS 3", "HU 45", "SUVmax 8.2",
    "#36 deep caries", "MOD composite #15", "FDI 11", "PD 5mm", "RCT #46", "DMFT 6",
    "HAM-D 22", "PHQ-9 18", "GAD-7 15", "BPRS 48", "MMSE 24", "MoCA 21", "YMRS 20", "C-SSRS",
    "BRCA1 c.68_69delAG", "46,XY", "47,XX,+21", "G6PD", "SMN1 exon 7 deletion", "CFTR F508del", "HLA-B*5801",
    "CRE", "VRE", "MRSA", "接觸隔離", "飛沫隔離", "負壓隔離室", "TB index case", "IGRA 陽性",
    "S72.001A", "DRG 209", "ICD-10-PCS 0SRC0J9", "Tw-DRG", "部分負擔", "自費", "重大傷病",
    "Apgar 8/9", "BW 3120g", "Hep B #3", "RSV 陽性", "DNR", "Zolpidem 10mg hs", "Donepezil 5mg",
    "請幫病人量血壓", "協助病人下床活動", "通知家屬到院", "提醒病人明天回診", "家屬全程陪同", "協助翻身拍背",
    "病人方便時來電", "家屬陳述病人昨晚跌倒", "病人康復出院", "病人全身無力", "病人高燒不退", "協助全身擦澡",
    "協助高齡病人進食", "請幫高危險病人翻身", "協助管灌進食", "通知主治醫師", "病人陳述胸痛", "家屬同意手術",
    "高峰期間病房滿床", "血壓高峰出現在早上", "全國平均住院日五天", "高明度燈光下檢查", "文心蘭花粉過敏",
    "江山易改本性難移", "白雲石粉塵暴露", "協助白班交班", "病人易怒", "協助雷射治療", "請幫房間消毒",
    "提醒任何不適立即回報", "協助單純疱疹治療", "病人古早味飲食", "家屬安全考量", "病人常規檢查",
]


def build(kind: str, template: str, rng: random.Random) -> Note:
    return recall_suite.build(kind, template, rng, CLASSES, POOLS)


def generate(rounds: int = 7, seed: int = 6, held_out: bool | int = False) -> list[Note]:
    """Every template ``rounds`` times (7 rounds: 329 notes), slots from one seeded generator;
    ``held_out`` True (or 1) and 2 the two held-out sets."""
    rng = random.Random(seed)
    templates = {False: TEMPLATES, True: HELD_OUT, 2: HELD_OUT_2}[held_out]
    return [build(kind, t, rng) for _ in range(rounds) for kind in TYPES for t in templates[kind]]


def measure(notes: list[Note]) -> Result:
    """Recall per class and per style, ordinary phrases and the control set touched."""
    return recall_suite.measure(notes, CLASSES, CONTROL)


if __name__ == "__main__":
    recall_suite.report(generate, measure, seed=6, rounds=7, held_rounds=14, width=220)
