"""Identifiers and distractors in the many ways Taiwanese clinical records write them.

Each ``write_*`` function takes a ``random.Random`` and returns one written form (a string); the
forms are chosen to be hard: separators of every kind, full-width and lower-case letters, the
ROC calendar, surnames missing from any list, romanisations with and without hyphens.
"""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id

FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-@.()/:+"}


def fullwidth(s: str) -> str:
    return "".join(FULLWIDTH.get(c, c) for c in s)


# ---- national IDs and resident numbers -------------------------------------------------------

def _separate(rng: random.Random, s: str, seps=(" ", "-", ".", "  ", " - ", "．", "_")) -> str:
    """``s`` with separators put between some of its characters."""
    sep = rng.choice(seps)
    style = rng.randrange(4)
    if style == 0:     # A 123 456 789
        return s[0] + sep + s[1:4] + sep + s[4:7] + sep + s[7:]
    if style == 1:     # A12 345 6789
        return s[:3] + sep + s[3:6] + sep + s[6:]
    if style == 2:     # A1234 56789
        return s[:5] + sep + s[5:]
    return sep.join(s)  # every character


def write_id(rng: random.Random) -> str:
    form = rng.choices(["national", "resident_new", "resident_old"], [6, 2, 2])[0]
    s = taiwan_id.generate(rng, form)
    style = rng.randrange(7)
    if style == 1:
        s = s.lower()
    elif style == 2:
        s = fullwidth(s)
    elif style == 3:
        s = _separate(rng, s)
    elif style == 4:
        s = fullwidth(_separate(rng, s, (" ", "-", ".")))
    elif style == 5:
        s = s[0].lower() + s[1:]
    return s


# ---- phones ----------------------------------------------------------------------------------

_AREAS = [("02", 8), ("03", 7), ("04", 7), ("04", 8), ("05", 7), ("06", 7), ("07", 7), ("08", 7),
          ("037", 6), ("049", 7), ("089", 6), ("082", 6), ("0826", 5), ("0836", 5)]


def _digits(rng: random.Random, n: int, first="23456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def write_phone(rng: random.Random) -> tuple[str, bool]:
    """(written phone, needs a context word before it: local numbers without area code)."""
    sep = rng.choice(["-", " ", ".", "", "-", " ", "‧"])
    style = rng.randrange(9)
    if style in (0, 1, 2):   # mobile
        nsn = "9" + _digits(rng, 8, "0123456789")
        prefix = rng.choice(["0", "0", "0", "+886", "+886 ", "00886", "00886-", "+886-", "(+886)"])
        body = nsn[:3] + sep + nsn[3:6] + sep + nsn[6:] if rng.random() < 0.6 else nsn[:3] + sep + nsn[3:]
        s = prefix + body if prefix != "0" else "0" + body
        if rng.random() < 0.1:
            s = fullwidth(s)
        return s, False
    area, n = rng.choice(_AREAS)
    sub = _digits(rng, n)
    sub_w = sub[:-4] + sep + sub[-4:] if n >= 7 and rng.random() < 0.7 else sub
    if style == 3:
        return f"({area}){rng.choice(['', ' '])}{sub_w}", False
    if style == 4:
        return f"{area}{sep or '-'}{sub_w}", False
    if style == 5:
        return f"{rng.choice(['+886', '+886-', '00886', '+886 '])}{area[1:]}{sep}{sub_w}", False
    if style == 6:   # local number without the area code
        sub = _digits(rng, 8)
        return rng.choice([sub[:4] + "-" + sub[4:], sub, sub[:4] + " " + sub[4:], sub[:4] + "." + sub[4:]]), True
    if style == 7:
        s = f"{area}-{sub_w}"
        return s + rng.choice(["#123", " ext.21", " 分機 305", "轉12"]), False
    return fullwidth(f"{area}-{sub_w}"), False


# ---- e-mail ----------------------------------------------------------------------------------

def write_email(rng: random.Random) -> str:
    user = rng.choice(["chen.tm", "lin_yiling", "wang1975", "mary.j", "a0912", "hsu-kevin", "Jason.Lee"])
    host = rng.choice(["gmail.com", "ms1.hinet.net", "ntuh.gov.tw", "yahoo.com.tw", "cgmh.org.tw", "mail.edu.tw"])
    s = f"{user}@{host}"
    if rng.random() < 0.15:
        s = s.upper()
    if rng.random() < 0.1:
        s = fullwidth(s)
    return s


# ---- addresses -------------------------------------------------------------------------------

CITIES = [("臺北市", ["大安區", "中正區", "信義區", "士林區", "北投區", "萬華區"]),
          ("台北市", ["內湖區", "文山區", "松山區"]),
          ("新北市", ["板橋區", "三重區", "新店區", "淡水區", "瑞芳區"]),
          ("桃園市", ["中壢區", "龜山區", "復興區"]),
          ("臺中市", ["西屯區", "北屯區", "豐原區", "和平區"]),
          ("臺南市", ["東區", "永康區", "安平區"]),
          ("高雄市", ["三民區", "苓雅區", "鳳山區", "茂林區"]),
          ("新竹縣", ["竹北市", "尖石鄉", "五峰鄉"]), ("苗栗縣", ["頭份市", "泰安鄉"]),
          ("彰化縣", ["員林市", "鹿港鎮", "二林鎮"]), ("南投縣", ["埔里鎮", "信義鄉", "仁愛鄉"]),
          ("雲林縣", ["斗六市", "虎尾鎮", "口湖鄉"]), ("嘉義縣", ["民雄鄉", "阿里山鄉"]),
          ("屏東縣", ["屏東市", "霧台鄉", "三地門鄉", "恆春鎮"]), ("宜蘭縣", ["羅東鎮", "南澳鄉"]),
          ("花蓮縣", ["花蓮市", "秀林鄉", "萬榮鄉"]), ("臺東縣", ["臺東市", "蘭嶼鄉", "海端鄉"]),
          ("澎湖縣", ["馬公市", "西嶼鄉"]), ("基隆市", ["仁愛區", "七堵區"])]
ROADS = ["中山路", "中正路", "民生東路", "復興南路", "忠孝東路", "和平西路", "自由路", "建國北路", "成功路",
         "光復路", "信義路", "文化路", "大同路", "民族路", "仁愛路", "中華路", "博愛街", "永和街", "成功街",
         "林森北路", "羅斯福路", "館前路", "環河南路", "石牌路", "高峰路", "經國路", "大業路", "四維三路"]
VILLAGES = ["東埔村", "好茶村", "富世村", "霧鹿村", "新興村", "中正村", "大武村", "平和村", "福興里", "仁和里"]
_CN_NUM = "一二三四五六七八九十"


def _num(rng: random.Random, hi: int, chinese: float = 0.15) -> str:
    n = rng.randint(1, hi)
    if rng.random() < chinese and n <= 10:
        return _CN_NUM[n - 1]
    return str(n)


def write_address(rng: random.Random) -> str:
    city, districts = rng.choice(CITIES)
    district = rng.choice(districts)
    sp = rng.choice(["", "", "", " ", "  "])
    parts = []
    if rng.random() < 0.25:
        parts.append(str(rng.choice([100, 106, 110, 231, 333, 407, 552, 802, 900, 970])) + rng.choice(["", " "]))
    rural = district.endswith("鄉") and rng.random() < 0.7
    parts += [city, sp, district, sp]
    if rural:
        parts.append(rng.choice(VILLAGES))
        if rng.random() < 0.6:
            parts.append(f"{_num(rng, 20)}鄰")
        if rng.random() < 0.3:
            parts.append(rng.choice(["部落", "東埔", "好茶", "上巴陵"]))
        parts.append(f"{_num(rng, 200)}號")
    else:
        if rng.random() < 0.3:
            parts.append(rng.choice(VILLAGES[-2:]) + (f"{_num(rng, 30)}鄰" if rng.random() < 0.5 else "") + sp)
        road = rng.choice(ROADS)
        parts.append(road)
        if rng.random() < 0.4:
            parts.append(f"{rng.choice('一二三四五')}段")
        parts.append(sp)
        if rng.random() < 0.4:
            parts.append(f"{_num(rng, 300)}巷")
            if rng.random() < 0.4:
                parts.append(f"{_num(rng, 30)}弄")
        parts.append(rng.choice([f"{rng.randint(1, 400)}號", f"{rng.randint(1, 400)}之{rng.randint(1, 9)}號",
                                 f"{rng.randint(1, 400)}-{rng.randint(1, 9)}號", f"{_num(rng, 10, 1.0)}號"]))
        suffix = rng.choice(["", "", f"{rng.randint(2, 20)}樓", f"{rng.randint(2, 20)}樓之{rng.randint(1, 5)}",
                             "B1", "地下一樓", "地下1樓", f"{rng.randint(2, 15)}F", f"{rng.randint(2, 15)}F-{rng.randint(1, 5)}",
                             f"之{rng.randint(1, 5)}", f"{_num(rng, 12, 1.0)}樓", f"{rng.randint(1, 9)}0{rng.randint(1, 9)}室"])
        parts.append(suffix)
    s = "".join(parts).strip()
    if rng.random() < 0.1:
        s = fullwidth(s)
    return s


# ---- dates of birth --------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def write_date(rng: random.Random, y: int, m: int, d: int) -> str:
    r = y - 1911
    style = rng.randrange(13)
    forms = [f"{y}/{m}/{d}", f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}{m:02d}{d:02d}",
             f"民國{r}年{m}月{d}日", f"{r}.{m:02d}.{d:02d}", f"{r:03d}/{m:02d}/{d:02d}", f"{r}年{m}月{d}日",
             f"{m:02d}/{d:02d}/{y}", f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}",
             f"{y}年{m}月{d}日", f"民國{r:03d}年{m:02d}月{d:02d}日"]
    return forms[style]


def write_dob(rng: random.Random) -> str:
    return write_date(rng, rng.randint(1925, 2015), rng.randint(1, 12), rng.randint(1, 28))


# ---- record numbers and NHI cards ------------------------------------------------------------

def write_mrn(rng: random.Random) -> str:
    style = rng.randrange(6)
    if style == 0:
        return str(rng.randint(10**6, 10**8 - 1))
    if style == 1:
        return f"{rng.randint(0, 9999999):08d}"
    if style == 2:
        return rng.choice("ABCHKMPT") + str(rng.randint(10**5, 10**7))
    if style == 3:
        return f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    if style == 4:
        return fullwidth(str(rng.randint(10**6, 10**7 - 1)))
    return f"{rng.randint(10, 99)}{rng.choice('ABCD')}{rng.randint(10**4, 10**5 - 1)}"


def write_nhi_card(rng: random.Random) -> str:
    digits = "0000" + "".join(rng.choice("0123456789") for _ in range(8)) if rng.random() < 0.7 else \
        "".join(rng.choice("0123456789") for _ in range(12))
    sep = rng.choice(["", "", " ", "-", "."])
    return digits[:4] + sep + digits[4:8] + sep + digits[8:] if sep else digits
