"""A fourth probe of free-text de-identification (D1), written after the first three
(``eval/notes.py``, ``eval/styles.py``, ``eval/attack_classes.py``) and in note kinds and
identifier shapes they do not write: ED triage with vital signs, pharmacy consults, home-care and
hospice visits, SOAP and SBAR hand-overs, referral letters in English, OCR'd faxes (labels spaced
letter by letter, names and numbers broken over a line), family histories naming relatives by
surname and kinship (王媽媽, 陳姓案夫, 其女林小姐), indigenous names in Han and Latin letters,
foreign carers (Nguyen Thi Lan, Siti Aminah), Tongyong/Wade-Giles/Hakka spellings, ROC dates of
birth in every writing (一一二年三月五日, 112.3.5, birth year alone), ages of 90 and over in
shorthand (F/92, 92/F, 92-yo, (92y)), phones half hidden (0912-xxx-678), bed numbers, passports, ARC numbers of both forms, LINE accounts written
賴 or 加LINE, partial addresses (住在大同路那邊), schools and employers.

Notes are built from fixed templates with slots; a seeded ``random.Random`` picks the slot
values, so the set is the same on every run.  ``{CLASS:pool}`` plants an identifier of that
class (all of it must be masked), ``[[text]]`` an ordinary clinical phrase (none of it may be
masked).  ``measure`` scores notes through ``scrub_texts`` itself: a character counts as masked
when the scrubbed text no longer holds it (a placeholder or ``≥85`` stands in its place).
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from deidentify.identifiers import taiwan_id

CLASSES = ("NAME", "ID", "PHONE", "EMAIL", "ADDRESS", "DOB", "RECORD", "ACCOUNT", "URL", "IP", "PLATE", "AGE",
           "SCHOOL", "EMPLOYER")

# ---- slot values ---------------------------------------------------------------------------------

ZH_NAMES = ["吳建國", "蔡佩君", "許志偉", "林怡伶", "鄭雅文", "游明哲", "蕭淑貞", "簡阿土", "簡志成", "廖秀蘭", "詹淑惠",
            "曾美華", "陳俊宏", "賴品妤", "戴麗珠", "卓玉鳳", "黃文彬", "李大明", "王志強", "林秀英", "黃玉蘭", "張文雄",
            "余宗霖", "呂佳蓉", "歐陽靜宜", "范姜國棟", "張簡素梅", "紀宛庭", "辜振富", "粘耀宗", "涂雅雯", "官秀琴",
            "巫俊賢", "杜佳樺", "汪柏翰", "連思穎", "温春嬌", "邵偉倫", "薛雅惠", "鐘瑞祥", "童玉珍", "柯品辰", "莊凱婷"]
SURNAMES = ["王", "陳", "林", "李", "張", "黃", "周", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪", "曾", "邱"]
KIN_AFTER = ["媽媽", "爸爸", "阿嬤", "阿公", "奶奶", "爺爺", "老先生", "老太太", "伯伯", "阿姨", "太太", "先生", "小姐"]
INDIGENOUS_HAN = ["瓦歷斯{d}諾幹", "巴奈{d}庫穗", "比令{d}亞布", "撒可努{d}亞榮隆", "伊凡{d}諾幹", "馬躍{d}比吼",
                  "拉娃{d}谷幸", "達卡鬧{d}魯魯安"]
DOTS = ["·", "‧", "．", "•"]
INDIGENOUS_LATIN = ["Walis Nokan", "Tjuku Ruljeljeng", "Yapit Tali", "Panay Kusui", "Sakinu Yalonglong",
                    "Lawa Kusing", "Pilin Yapu", "Mayaw Biho"]
INDIGENOUS_ONE = ["Tanivu", "Walis", "Panay", "Sakinu", "Lawa", "Mayaw"]
FOREIGN = ["Nguyen Thi Lan", "Siti Aminah", "Maria Santos", "Tran Thi Hoa", "Sri Wahyuni", "Somchai Srisuk",
           "Dewi Lestari", "Nur Hidayah", "Le Thi Mai", "Pham Van Duc", "Rosalinda Cruz", "Ni Made Ayu"]
FOREIGN_HAN = ["阮氏蘭", "黎氏梅", "陳氏和", "范文德"]
ROMAN = ["Chang Chih-ming", "Jhang Jhih-ming", "Syu Jia-hao", "Kao Ming-te", "Huang Kuo-hua", "Chen Yi-ting",
         "Tsao Chin-lung", "Liu Siu-fung", "Wang Chih-chiang", "Hsieh Ya-wen", "Tseng Shu-hui", "Jheng Yu-siang"]
ROMAN_CAPS = ["HUANG, CHUN-HSIUNG", "LIN, MEI-LING", "CHIU, YU-FEN", "TSENG, KUO-LIANG"]
NICK = ["阿財", "小胖", "老王", "阿弟仔", "阿嬌", "小杰", "阿雄", "胖虎"]
DOCTOR_LABEL = ["主治醫師：", "主治醫師 ", "VS ", "R2 ", "CR", "值班醫師", "會診醫師：", "Attending: Dr. "]
NURSE_LABEL = ["接班護理師：", "交班護理師：", "主責護理師 ", "N/S ", "藥師 ", "社工師 ", "居服督導 ", "個管師"]


def _national(rng: random.Random) -> str:
    return taiwan_id.generate(rng, "national")


def _arc_new(rng: random.Random) -> str:
    return taiwan_id.generate(rng, "resident_new")


def _arc_old(rng: random.Random) -> str:
    return taiwan_id.generate(rng, "resident_old")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


_FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ@."}


def _mobile(rng: random.Random) -> str:
    a, b, c = "09" + _digits(rng, 2), _digits(rng, 3), _digits(rng, 3)
    return rng.choice([f"{a}-{b}-{c}", f"{a}{b}{c}", f"{a} {b} {c}", f"{a}-{b}{c}", f"+886 {a[1:]} {b} {c}",
                       f"+886-{a[1:]}-{b}-{c}", f"{a} - {b} - {c}", "".join(_FW[x] for x in f"{a}-{b}-{c}"),
                       f"({a}){b}-{c}", f"{a}.{b}.{c}"])


def _landline(rng: random.Random) -> str:
    area = rng.choice(["02", "03", "04", "06", "07"])
    body = ("2" + _digits(rng, 3) + "-" + _digits(rng, 4)) if area in ("02", "04") else (
        rng.choice("2345678") + _digits(rng, 2) + "-" + _digits(rng, 4))
    return rng.choice([f"({area}){body}", f"{area}-{body}", f"({area}) {body} 分機 {_digits(rng, 3)}",
                       f"{area}-{body}#{_digits(rng, 4)}", f"{area} {body.replace('-', ' ')} ext. {_digits(rng, 2)}",
                       f"886-{area[1:]}-{body}", f"({area}){body}轉{_digits(rng, 3)}"])


def _email(rng: random.Random) -> str:
    user = rng.choice(["lin.meiling", "wang_dm", "chenyt1978", "amy.huang", "jhuang0912", "tsai-family"])
    host = rng.choice(["gmail.com", "yahoo.com.tw", "ms25.hinet.net", "hotmail.com", "ntuh.gov.tw"])
    return rng.choice([f"{user}@{host}", f"{user}＠{host}", f"{user} (at) {host}", f"{user.upper()}@{host.upper()}"])


CITY_DIST = [("臺北市", "大安區"), ("新北市", "板橋區"), ("桃園市", "中壢區"), ("臺中市", "西屯區"), ("臺南市", "東區"),
             ("高雄市", "苓雅區"), ("花蓮縣", "秀林鄉"), ("屏東縣", "三地門鄉"), ("宜蘭縣", "羅東鎮"), ("嘉義縣", "民雄鄉")]
ROADS = ["文化路一段", "四維三路", "中華路二段", "民族路", "和平東路三段", "自強街", "光復南路", "建國路", "復興北路"]
VILLAGES = ["富世村", "德文村", "中正里", "仁愛里", "光明里", "大同里"]


def _address(rng: random.Random) -> str:
    city, dist = rng.choice(CITY_DIST)
    road = rng.choice(ROADS)
    n = rng.randint(1, 300)
    return rng.choice([f"{city}{dist}{road}{rng.randint(1, 200)}巷{rng.randint(1, 20)}弄{n}號{rng.randint(2, 12)}樓之{rng.randint(1, 5)}",
                       f"{city}{dist}{rng.choice(VILLAGES)}{rng.randint(1, 30)}鄰{road}{n}號",
                       f"{dist}{road}{n}號{rng.randint(2, 9)}F",
                       f"{city}{dist}{rng.choice(VILLAGES)}{rng.randint(1, 30)}鄰",
                       f"{rng.choice(ROADS)}{rng.choice(['一', '二', '三', '五十七'])}巷{rng.choice(['二', '八', '十二'])}號",
                       f"No. {n}, Ln. {rng.randint(1, 99)}, {rng.choice(['Minzu', 'Jianguo', 'Ziqiang'])} Rd., "
                       f"{rng.choice(['Daan', 'Banqiao', 'Zhongli'])} Dist."])


def _partial_address(rng: random.Random) -> str:
    return rng.choice(["中正路", "大同路", "民生東路", "自由街", "建國路", "成功街", "復興北路", "光明路"])


def _dob(rng: random.Random) -> str:
    r, m, d = rng.randint(20, 112), rng.randint(1, 12), rng.randint(1, 28)
    zh = "〇一二三四五六七八九"
    rc = "".join(zh[int(x)] for x in str(r))
    zh_n = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
            "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六", "二十七", "二十八"]
    mc, dc = zh_n[m - 1], zh_n[d - 1]
    return rng.choice([f"民國{r}年{m}月{d}日", f"{r}/{m:02d}/{d:02d}", f"{r}.{m}.{d}", f"{rc}年{mc}月{dc}日",
                       f"民國{r}年{m}月", f"{r + 1911}/{m}/{d}", f"{r + 1911}年{m}月{d}日"])


def _age(rng: random.Random) -> str:
    return str(rng.randint(90, 104))


def _mrn(rng: random.Random) -> str:
    return rng.choice([_digits(rng, 7), "00" + _digits(rng, 6), "A" + _digits(rng, 7), f"{_digits(rng, 4)}-{_digits(rng, 3)}"])


def _bed(rng: random.Random) -> str:
    return rng.choice([f"{rng.randint(5, 12)}{rng.choice('ABCD')}-{rng.randint(1, 30)}", f"{rng.randint(5, 12)}F-{rng.randint(1, 40)}",
                       f"{rng.choice(['W', 'E', 'MICU', 'SICU'])}{rng.randint(1, 20):02d}"])


def _nhi(rng: random.Random) -> str:
    s = "0000" + _digits(rng, 8)
    return rng.choice([s, f"{s[:4]} {s[4:8]} {s[8:]}", f"{s[:4]}-{s[4:8]}-{s[8:]}"])


def _passport(rng: random.Random) -> str:
    return rng.choice(["3" + _digits(rng, 8), "C" + _digits(rng, 7), "B" + _digits(rng, 7), "E" + _digits(rng, 8)])


def _line(rng: random.Random) -> str:
    return rng.choice(["chen0912", "chen_0912", "meiling_88", "amy.lin77", "hsu-family", "@chenfamily", "ah.cai1950"])


def _url(rng: random.Random) -> str:
    return rng.choice(["https://www.facebook.com/lin.meiling", "fb.com/chen.yt1978", "https://meiling.blogspot.com",
                       "www.instagram.com/amy_lin77", "https://line.me/ti/p/~chen0912", "youtube.com/@wanglaoshi"])


def _ip(rng: random.Random) -> str:
    return rng.choice([f"192.168.{rng.randint(0, 20)}.{rng.randint(2, 250)}", f"140.112.{rng.randint(1, 250)}.{rng.randint(2, 250)}",
                       f"10.{rng.randint(0, 99)}.{rng.randint(0, 99)}.{rng.randint(2, 250)}"])


def _plate(rng: random.Random) -> str:
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    p = "".join(rng.choice(L) for _ in range(3))
    return rng.choice([f"{p}-{_digits(rng, 4)}", f"{_digits(rng, 3)}-{p}", f"{p[:2]}-{_digits(rng, 4)}", f"{p}{_digits(rng, 4)}"])


SCHOOLS = ["長庚大學", "高雄醫學大學", "小太陽幼兒園", "建國中學", "仁愛國小", "光復國中", "台北市立大安高工", "輔仁大學"]
EMPLOYERS = ["中華電信", "台積電", "鴻海", "中華郵政", "長榮航空", "國泰人壽", "台塑", "全家便利商店"]

POOLS = {
    "zh": lambda r: r.choice(ZH_NAMES), "sur": lambda r: r.choice(SURNAMES),
    "indig": lambda r: r.choice(INDIGENOUS_HAN).format(d=r.choice(DOTS)), "indigL": lambda r: r.choice(INDIGENOUS_LATIN),
    "indig1": lambda r: r.choice(INDIGENOUS_ONE), "foreign": lambda r: r.choice(FOREIGN),
    "foreignH": lambda r: r.choice(FOREIGN_HAN), "roman": lambda r: r.choice(ROMAN), "caps": lambda r: r.choice(ROMAN_CAPS),
    "nick": lambda r: r.choice(NICK), "nat": _national, "arcN": _arc_new, "arcO": _arc_old,
    "frag": lambda r: _digits(r, 4), "mobile": _mobile, "land": _landline, "email": _email,
    "addr": _address, "part": _partial_address, "dob": _dob, "age": _age, "mrn": _mrn, "bed": _bed, "nhi": _nhi,
    "pass": _passport, "line": _line, "url": _url, "ip": _ip, "plate": _plate,
    "school": lambda r: r.choice(SCHOOLS), "emp": lambda r: r.choice(EMPLOYERS),
    "wrap": lambda r: (lambda n: n[:2] + "\n" + n[2:])(r.choice([n for n in ZH_NAMES if len(n) == 3])),
    "spaced": lambda r: " ".join(r.choice(ZH_NAMES)),
    "hidden": lambda r: r.choice([f"09{_digits(r, 2)}-xxx-{_digits(r, 3)}", f"09{_digits(r, 5)}xxx",
                                  f"(0{r.choice('2347')})2xxx-{_digits(r, 4)}", f"09{_digits(r, 2)}-***-{_digits(r, 3)}"]),
    "short": lambda r: r.choice(["台大", "成大", "清大", "交大", "北醫", "高醫"]),
    "village": lambda r: r.choice(["霧台鄉好茶村", "蘭嶼鄉紅頭村", "秀林鄉富世村", "三地門鄉德文村", "卑南鄉利嘉村",
                                   "屏東縣牡丹鄉石門村"]),
}

# ---- note templates by kind ----------------------------------------------------------------------

TEMPLATES = {
    "triage": [
        "檢傷分類：第{[[二]]}級。病人{NAME:zh}，男，{[[45歲]]}，由119送入。T 38.5 P 112 R 22 BP 90/60 SpO2 94%。",
        "檢傷：[[意識清楚]]，GCS E4V5M6。陪同者：妻 {NAME:zh} {PHONE:mobile}。",
        "ED triage: {AGE:age}F, c/o dyspnea, [[BP 88/50]], HR 120. Family: son {NAME:roman}, tel {PHONE:mobile}.",
        "急診護理：{AGE:age}歲女性，[[跌倒]]後右髖疼痛，身分證字號{ID:nat}，健保卡號{RECORD:nhi}。",
        "主訴：胸痛。檢傷：{AGE:age}y/o M，病歷號 {RECORD:mrn}，[[無過敏史]]。緊急聯絡人 {NAME:sur}先生 {PHONE:mobile}",
        "騎乘機車(車號{PLATE:plate})與[[小客車]]擦撞，警員在場。肇事車牌 {PLATE:plate}。",
        "病人為外籍人士，護照號碼 {ID:pass}，居留證號 {ID:arcN}，[[無健保]]。",
        "F/{AGE:age} admitted via ER for [[UGI bleeding]]; Hb 6.8.",
    ],
    "pharmacy": [
        "藥事照會：病人{NAME:zh}使用 [[Warfarin 5 mg QD]]，INR 3.8，藥師 {NAME:zh} 建議減量。",
        "Pharmacy consult: pt {NAME:caps}, {AGE:age}M, CrCl 25 → [[renal dose adjustment]].",
        "用藥整合：看護{NAME:foreign}協助[[磨粉]]給藥，家屬{NAME:zh}已了解。",
        "藥師電話衛教 {PHONE:land}，對象為其女{NAME:sur}小姐。",
        "處方箋：{NAME:zh}　出生日期 {DOB:dob}　[[普拿疼 500mg TID]]",
        "藥物過敏：[[Penicillin]]。病歷號碼 {RECORD:mrn}，床號 {RECORD:bed}。",
    ],
    "homecare": [
        "居家護理訪視：個案住{ADDRESS:addr}，[[老舊公寓四樓無電梯]]。女兒{NAME:zh}為主要照顧者。",
        "居服員表示，{NAME:sur}媽媽今天[[食慾差]]。案家電話{PHONE:land}。",
        "個案住在{ADDRESS:part}附近的巷子，[[交通不便]]。",
        "家訪：個案住在{ADDRESS:part}那邊，鄰居{NAME:sur}太太[[常幫忙]]。",
        "外籍看護 {NAME:foreign}（印尼籍）每日[[協助翻身拍背]]，居留證 {ID:arcO}。",
        "看護{NAME:foreignH}協助[[餵食]]，LINE：{ACCOUNT:line}。",
        "聯絡案女可加LINE好友 {ACCOUNT:line}，或賴：{ACCOUNT:line}。",
    ],
    "social": [
        "社工評估：案主{NAME:zh}，{[[52歲]]}，離婚，獨居。案主之前妻{NAME:zh}已再婚。",
        "陳姓案夫{[[表示]]}會再來。|其女{NAME:sur}小姐每週來訪。",
        "{NAME:sur}姓案夫表示經濟困難，已協助申請[[中低收入戶]]。",
        "案子目前在{EMPLOYER:emp}上班，案媳任職於{EMPLOYER:emp}。",
        "案孫就讀{SCHOOL:school}，[[成績中等]]。",
        "案主小名叫{NAME:nick}，家人都這樣叫他。",
        "原住民名 {NAME:indig1}，漢名 {NAME:zh}。",
        "案主{NAME:indig}，泰雅族，[[部落]]親友常來探視。",
        "個案身分證後四碼 {ID:frag}，[[資料待補]]。",
    ],
    "hospice": [
        "安寧共照：病人{NAME:zh}，{AGE:age}歲，[[末期肝癌]]。由其子{NAME:zh}簽署[[DNR]]。",
        "家族史：父親{NAME:zh}死於[[肝癌]]，母親{NAME:zh}有[[糖尿病]]。",
        "Family Hx: father {NAME:roman} (deceased, [[HCC]]), mother alive.",
        "{NAME:sur}阿嬤今日[[呼吸喘]]，家屬在旁。",
        "病人高齡{AGE:age}，家屬要求[[舒適護理]]。",
        "靈性關懷：師姐{NAME:zh}陪伴[[念佛]]。",
    ],
    "soap": [
        "S: {NAME:sur}先生主訴[[胸痛]]。O: BP 160/95。A: [[ACS r/o]]。P: 會診心內，主治醫師：{NAME:zh}。",
        "S: {NAME:indigL}, {AGE:age}M, [[productive cough]] x3d. O: [[crackles RLL]].",
        "O: Pt {NAME:zh}（{NAME:roman}）[[alert]]. A/P: [[CAP]], admit.",
        "SBAR S: 病人{NAME:zh} bed {RECORD:bed}，[[血壓偏低]]。R: 請{NAME:zh}醫師評估。",
        "S: 案母{NAME:zh}（{AGE:age}歲）代述。生日 {DOB:dob}。",
    ],
    "referral": [
        "Dear Dr. {NAME:roman},\nThank you for referring Mr. {NAME:roman}. [[Echo]] showed EF 35%.\nSincerely,\n{NAME:roman}, MD",
        "轉診單\n病患：{NAME:zh}\n出生日期：{DOB:dob}\n身分證：{ID:nat}\n地址：{ADDRESS:addr}\n轉診原因：[[疑似肺癌]]",
        "敬致 {NAME:zh}醫師 惠鑒：茲轉介病人{NAME:zh}至貴院[[胸腔內科]]。",
        "Referral: {NAME:caps}  DOB {DOB:dob}  Chart No. {RECORD:mrn}  Tel {PHONE:land}",
        "cc: {NAME:zh} 醫師；聯絡 E-mail：{EMAIL:email}",
    ],
    "fax": [
        "傳真\n病 患 姓 名 ： {NAME:spaced}\n病 歷 號 碼 ： {RECORD:mrn}\n電 話 ： {PHONE:mobile}",
        "病患姓名：{NAME:wrap}  性別：女\n[[診斷：COPD]]",
        "身分證字號 {ID:nat}　聯絡電話：{PHONE:mobile}",
        "FAX TO: {NAME:roman}\nRE: {NAME:caps}, {AGE:age}F\n[[CXR attached]]",
        "主治醫師{NAME:zh}\n[[住院經過]]：入院後給予抗生素。",
    ],
    "mixed": [
        "Pt {NAME:zh}, {AGE:age}F, s/p [[PCI]]. Contact daughter {NAME:foreign}? no - daughter-in-law {NAME:foreign}.",
        "Discharge to home with wife Mrs. {NAME:roman}. F/U at [[CV OPD]] 2 wks.",
        "IP {IP:ip} 登入[[病歷系統]]，使用者{NAME:zh}。",
        "家屬提供個案部落格 {URL:url}，[[內容為照護日記]]。",
        "個案出生於{DOB:dob}，[[高血壓]]病史10年。",
        "E-mail：{EMAIL:email}；Tel {PHONE:land}",
        "Email {EMAIL:email}，住址 {ADDRESS:addr}。",
        "Hakka name: {NAME:roman}. [[No acute distress]].",
    ],
}
TEMPLATES["handover"] = [
    "SBAR 交班：接班護理師：{NAME:zh}；交班護理師：{NAME:zh}。[[生命徵象穩定]]，床號：{RECORD:bed}。",
    "小夜交班：{NAME:zh}，{AGE:age}歲，[[右側肢體無力]]，家屬{NAME:zh}（{PHONE:mobile}）陪伴。",
    "{NAME:zh} 女 [[61歲]] [[右髖骨折術後]]，[[住院期間]]無跌倒。",
    "{NAME:zh}　男　[[72歲]]　診斷：[[Septic Shock]], 70F 之轉入病人。",
    "大夜：{NAME:sur}伯伯[[躁動]]，予約束，已通知值班醫師{NAME:zh}。",
    "交班：外籍看護{NAME:foreign}表示病人[[夜眠差]]，雇主{NAME:zh}電話 {PHONE:mobile}。",
]
TEMPLATES["family"] = [
    "案孫在{SCHOOL:school}念書，案妻任職{EMPLOYER:emp}。",
    "兒子是{SCHOOL:short}醫學系學生，[[在學校上課]]時無法陪病。",
    "案主為{EMPLOYER:emp}退休員工，[[任職期間]]曾受傷。",
    "個案現居{ADDRESS:village}，[[來自鄉下]]，[[大學畢業]]。",
    "病人來自{ADDRESS:village}，族名{NAME:indig1}。",
    "健保卡後四碼 {ID:frag}；電話末四碼：{ID:frag}。",
    "家屬開車（車號 {PLATE:plate}）載來，[[住院病人走路不穩]]。",
    "IP：{IP:ip}；粉專 {URL:url}；mail: {EMAIL:email}",
    "Dx: [[Heart Failure]], 80M. Informant: {NAME:foreign}, caregiver.",
]
TEMPLATES["triage"] += ["Age/Sex: {AGE:age}/F，[[GCS 15]]。聯絡電話 {PHONE:hidden}（女兒）。"]
TEMPLATES["fax"] += ["RE: {NAME:caps} ({AGE:age}y) [[s/p fall]], tel {PHONE:hidden}"]
TEMPLATES["mixed"] += ["{AGE:age}-yo woman, [[CKD stage 4]]; {AGE:age}yr husband at home."]
TYPES = tuple(TEMPLATES)
_SLOT = re.compile(r"\{(\w+):(\w+)\}|\{?\[\[(.+?)\]\]\}?|\|")


@dataclass
class Note:
    kind: str
    text: str = ""
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    plain: list[tuple[int, int]] = field(default_factory=list)


def build(kind: str, template: str, rng: random.Random, *, slot: re.Pattern | None = None,
          classes=None, pools=None) -> Note:
    """One note from ``template``: slots filled from the pools, spans recorded as written
    (another round's generator passes its own slot pattern, classes and pools)."""
    slot, classes, pools = slot or _SLOT, classes or CLASSES, pools or POOLS
    n = Note(kind)
    pos = 0
    for m in slot.finditer(template):
        n.text += template[pos:m.start()]
        pos = m.end()
        if m.group(0) == "|":
            continue
        if m.group(3) is not None:
            a = len(n.text)
            n.text += m.group(3)
            n.plain.append((a, len(n.text)))
            continue
        cls, pool = m.group(1), m.group(2)
        if cls not in classes or pool not in pools:
            raise ValueError(f"unknown slot {m.group(0)} in {template!r}")
        value = pools[pool](rng)
        a = len(n.text)
        n.text += value
        n.spans.append((cls, a, len(n.text)))
    n.text += template[pos:]
    return n


def generate(rounds: int = 2, seed: int = 3) -> list[Note]:
    """Every template ``rounds`` times, the slots drawn from one seeded generator."""
    rng = random.Random(seed)
    return [build(kind, t, rng) for _ in range(rounds) for kind in TYPES for t in TEMPLATES[kind]]


# ---- scoring through scrub_texts ----------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<(?:ID|PHONE|EMAIL|ADDRESS|NAME|DOB|MRN|NHI_CARD|TERM|ACCOUNT|PLATE|IP|URL|EMPLOYER)>|≥85")


def kept_characters(source: str, scrubbed: str) -> list[bool]:
    """Which characters of ``source`` survive in ``scrubbed``.  ``scrubbed`` is ``source`` with
    some runs replaced by placeholders, so it is read back as a pattern: its literal parts must
    match, each placeholder stands for a non-empty run (greedy, so a name holding the comma that
    follows it, HUANG, CHUN-HSIUNG, reads as one masked run)."""
    parts = _PLACEHOLDER.split(scrubbed)
    m = re.fullmatch("(.+)".join(map(re.escape, parts)), source, re.DOTALL)
    if m is None:
        raise AssertionError(f"scrubbed text does not read back onto its source: {scrubbed!r}")
    kept = [True] * len(source)
    for g in range(1, len(parts)):
        kept[m.start(g):m.end(g)] = [False] * (m.end(g) - m.start(g))
    return kept


@dataclass
class Result:
    total: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    plain_total: int = 0
    over: list[tuple[str, str]] = field(default_factory=list)

    def recall(self, cls: str) -> float:
        return self.found[cls] / self.total[cls] if self.total[cls] else 1.0

    def table(self) -> str:
        rows = [f"{'class':9} {'recall':>7} {'found':>6} {'total':>6}"]
        rows += [f"{c:9} {self.recall(c):7.1%} {self.found[c]:6d} {self.total[c]:6d}" for c in CLASSES]
        rows.append(f"ordinary phrases masked: {len(self.over)} of {self.plain_total}")
        return "\n".join(rows)


def measure(notes: list[Note]) -> Result:
    """Recall per class and ordinary phrases touched, through ``scrub_texts`` (the policy's cut-offs)."""
    from deidentify.text.scrub import scrub_texts

    res = Result()
    for n, out in zip(notes, scrub_texts([n.text for n in notes])):
        kept = kept_characters(n.text, out)
        for cls, a, b in n.spans:
            res.total[cls] += 1
            if any(kept[i] for i in range(a, b) if not n.text[i].isspace()):
                res.misses.append((cls, n.text[a:b], out))
            else:
                res.found[cls] += 1
        for a, b in n.plain:
            res.plain_total += 1
            if not all(kept[a:b]):
                res.over.append((n.text[a:b], out))
    return res
