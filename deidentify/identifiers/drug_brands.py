"""Drug brands and clinical hyphen tokens that name finders read as names (D1, round 14).

- A drug's brand with its Taiwanese transliteration in brackets (Lyrica（利瑞卡）, Concor（康肯）,
  Zyprexa（金普薩）): the Latin brand reads as a foreign given name and the Han one as a surname
  with given characters.  A pair is a drug when its Latin half is a listed brand, its Han half
  a listed Chinese brand name, or a dose, a frequency or a drug verb stands beside it
  (改用 X（Y）, X（Y）75mg hs) - a person's name in brackets has none of these.
- A Chinese brand name alone (Plan: 利瑞卡) when listed (three or more characters; a two-character
  one only beside a dose or drug verb: two characters are as often a given name).
- A hyphenated clinical token after a romanised surname (Tan A-V fistula, Ong V-P shunt,
  Ko C-spine, Tan T-tube): both halves single letters, or a device or body word after the
  hyphen - a romanised given name's syllables have vowels (Tan A-hua, Lim A-tsu), and a name's initials
  are letter pairs too (Wang Y-L), so only listed ones count.
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import to_simplified

# Latin brand -> Chinese brand as sold in Taiwan (lower-case keys)
_PAIRS = {
    "lyrica": "利瑞卡", "xarelto": "拜瑞妥", "crestor": "冠脂妥", "concor": "康肯", "stilnox": "使蒂諾斯",
    "lipitor": "立普妥", "eliquis": "艾必克凝", "januvia": "佳糖維", "nexium": "耐適恩", "zyprexa": "金普薩",
    "seroquel": "思樂康", "lasix": "來適泄", "keppra": "優閒", "plavix": "保栓通", "glucophage": "庫魯化",
    "norvasc": "脈優", "panadol": "普拿疼", "aspirin": "阿斯匹靈", "bokey": "伯基", "diovan": "得安穩",
    "exforge": "易安穩", "trajenta": "糖漸平", "forxiga": "福適佳", "jardiance": "恩排糖", "galvus": "高糖優適",
    "amaryl": "瑪爾胰", "pradaxa": "普栓達", "lixiana": "里先安", "coumadin": "可邁丁", "entresto": "健安心",
    "cozaar": "可悅您", "blopress": "博脈舒", "micardis": "必康諾", "xanax": "贊安諾", "ativan": "安定文",
    "rivotril": "利福全", "imovane": "宜眠安", "risperdal": "理思必妥", "abilify": "安立復", "lexapro": "立普能",
    "zoloft": "樂復得", "prozac": "百憂解", "cymbalta": "千憂解", "wellbutrin": "威博雋", "aricept": "愛憶欣",
    "exelon": "憶思能", "ebixa": "威智", "madopar": "美道普", "sinemet": "心寧美", "tegretol": "癲通",
    "depakine": "帝拔癲", "topamax": "妥泰", "neurontin": "鎮頑癲", "ultracet": "及通安", "tramal": "頓痛停",
    "celebrex": "希樂葆", "arcoxia": "萬克適", "voltaren": "非炎", "ponstan": "普痛停", "scanol": "斯康諾",
    "zantac": "善胃得", "pariet": "百抑潰", "takepron": "泰克胃通", "losec": "樂酸克", "primperan": "腹寧朗",
    "dulcolax": "樂可舒", "augmentin": "安美達", "cravit": "可樂必妥", "tamiflu": "克流感", "zithromax": "日舒",
    "baktar": "撲菌特", "ciproxin": "速博新", "lantus": "蘭德仕", "levemir": "瑞特胰", "novorapid": "諾和瑞",
    "tresiba": "諾胰保", "humalog": "優泌樂", "ozempic": "胰妥讚", "trulicity": "易週糖", "victoza": "胰妥善",
    "eltroxin": "昂特欣", "euthyrox": "優甲樂", "fosamax": "福善美", "prolia": "保骼麗", "evista": "鈣穩",
    "forteo": "骨穩", "avodart": "適尿通", "betmiga": "貝坦利", "vesicare": "衛喜康", "viagra": "威而鋼",
    "cialis": "犀利士", "seretide": "使肺泰", "symbicort": "吸必擴", "spiriva": "適喘樂", "singulair": "欣流",
    "ventolin": "泛得林", "berodual": "備勞喘", "medicon": "滅咳康", "clarityne": "克敏能", "allegra": "艾來",
    "zyrtec": "驅異樂", "keytruda": "吉舒達", "opdivo": "保疾伏", "herceptin": "賀癌平", "avastin": "癌思停",
    "glivec": "基利克", "tagrisso": "泰格莎", "iressa": "艾瑞莎", "tarceva": "得舒緩", "xeloda": "截瘤達",
    "zocor": "素果", "ezetrol": "怡妥", "vytorin": "維妥力", "livalo": "力清之", "brilinta": "百無凝",
    "pletaal": "普達", "sigmart": "喜革脈", "cordarone": "臟得樂", "multaq": "脈泰克", "dilatrend": "達利全",
    "aldactone": "安達通", "harnalidge": "活路利淨", "requip": "力必平", "mirapex": "樂伯克", "dilantin": "癲能停",
    "lamictal": "樂命達", "trileptal": "除癲達", "valium": "煩寧", "dormicum": "導眠靜", "haldol": "好度",
    "invega": "思維佳", "clozaril": "可致律", "efexor": "速悅", "remeron": "樂活優", "mobic": "骨敏捷",
    "lyrica cr": "利瑞卡", "tylenol": "泰諾", "bufferin": "百服寧", "kascoal": "加斯克兒", "magnesium": "氧化鎂",
    "gaster": "蓋舒泰", "mucosta": "膜固思達", "strocain": "舒胃", "nolvadex": "諾瓦得士", "femara": "復乳納",
    "arimidex": "安美達錠", "zometa": "卓骨祂", "xgeva": "癌骨瓦", "procrit": "保血", "recormon": "容可曼",
    "mircera": "血生素", "renagel": "磷能解", "fosrenol": "福斯利諾", "calcitriol": "鈣三醇", "sevikar": "舒脈優",
    "twynsta": "倍必康", "caduet": "脂脈優", "atozet": "優泰脂", "janumet": "捷糖穩", "synjardy": "釋糖達",
    "xigduo": "釋多糖",
}
BRANDS = frozenset(_PAIRS)
_HAN_BRANDS = frozenset(to_simplified(v) for v in _PAIRS.values())
# a dose, a form or a frequency after a drug, and a verb or heading before one
_DOSE_AFTER = re.compile(r"[ \t]*(?:[0-9.]+[ \t]*(?:mg|mcg|µg|ug|g|ml|iu|u|units?)(?![a-z])|[0-9]+[ \t]*[#颗锭粒包支]"
                         r"|(?:qd|bid|tid|qid|hs|prn|qod|qn|q[0-9]+h|po|iv|im|sc|tab|cap)(?![a-z])|[1-9][ \t]*(?:tab|cap)s?)",
                         re.IGNORECASE)
_DRUG_BEFORE = re.compile(to_simplified("(?:服用|改用|改成|換成|開立|給予|使用|停用|停藥|加上|加用|續用|併用|追加|處方|用藥|藥物|藥名|口服"
                                        "|Rx|Med(?:ication)?s?|Drug|P)[ \t]*[:：]?[ \t]*$"), re.IGNORECASE)
# Latin brand, then the Han one in brackets (the simplified form's brackets are half-width)
PAIR = re.compile(r"(?<![A-Za-z])(?P<l>[A-Z][A-Za-z\-]{2,20})[ \t]*\((?P<h>[\u4e00-\u9fff]{2,6})\)")
# (A-V, V-P, A-a: listed letter pairs - other pairs are a name's initials, Wang Y-L -; T-tube, C-spine,
# J-tube, X-ray, A-line, A-fib ...)
_CLINICAL_HYPHEN = re.compile(
    r"(?<![A-Za-z])(?:(?:A-V|V-A|V-V|V-P|A-a|A-A|S-T|Q-T|R-R|A-C|B-K)(?![^\W\d_]|[\u0300-\u036f])|[A-Za-z]{1,2}-(?:tube|spine|line|ray|fib|flutter|wave|mode|scan|dose"
    r"|lead|loop|bag|stent|graft|shunt|arm|cath|port|set|test|cell|cells|type|point|score|level|sign|hole|wire|pouch)"
    r"(?![^\W\d_]|[\u0300-\u036f]))", re.IGNORECASE)


def drug_pair_spans(simp: str) -> list[tuple[int, int]]:
    """Spans of ``Brand（品名）`` pairs that are drugs (listed halves, or a dose or drug verb beside)."""
    out = []
    for m in PAIR.finditer(simp):
        lat, han = m.group("l"), m.group("h")
        if (lat.lower() in BRANDS or han in _HAN_BRANDS or _DOSE_AFTER.match(simp, m.end())
                or _DRUG_BEFORE.search(simp[max(0, m.start() - 16):m.start()])):
            out.append(m.span())
    return out


def is_drug(simp: str, a: int, b: int) -> bool:
    """(D1, round 14) Is the name finding ``[a, b)`` of ``simp`` a drug brand: inside a drug pair,
    a listed brand word, or a listed Chinese brand (two characters only beside a dose or verb)?"""
    w = simp[a:b].strip()
    if not w:
        return False
    lo = max(0, a - 40)
    if any(x + lo <= a and b <= y + lo for x, y in drug_pair_spans(simp[lo:b + 40])):
        return True
    if w.isascii():
        return w.lower() in BRANDS
    if w in _HAN_BRANDS:
        # (a brand that reads as a surname and given characters, 安定文, 利福全, is a drug only
        # beside a dose or a drug verb: it may be a person's name)
        return ((len(w) >= 3 and not _reads_as_name(w)) or bool(_DOSE_AFTER.match(simp, b))
                or bool(_DRUG_BEFORE.search(simp[max(0, a - 16):a])))
    return False


def _reads_as_name(w: str) -> bool:
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S, _SURNAMES_S

    k = 2 if w[:2] in _SURNAMES_S else 1
    return w[:k] in _SURNAMES_S and 1 <= len(w) - k <= 2 and all(c in _GIVEN_CHARS_S for c in w[k:])


def clinical_hyphen(text: str, a: int, b: int) -> bool:
    """(D1, round 14) Does a name finding ``[a, b)`` hold or run into a hyphenated clinical token
    (Tan A-V fistula, Ko C-spine)?"""
    return any(a <= m.start() < b for m in _CLINICAL_HYPHEN.finditer(text, max(0, a), min(len(text), b + 12)))


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z\-]*")


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """(D1, round 14) A name finding ``[a, b)`` without a drug brand at either end (佐藤花子 Crestor,
    Malee Srisai⏎Norvasc: the name finders take a capitalised brand for the name's next word)."""
    words = [(m.start() + a, m.end() + a) for m in _LATIN_WORD.finditer(text[a:b])]
    while words and text[words[-1][0]:words[-1][1]].lower() in BRANDS and len(words) > 1:
        words.pop()
        b = words[-1][1] if words else b
    while words and text[words[0][0]:words[0][1]].lower() in BRANDS and len(words) > 1:
        words.pop(0)
        a = words[0][0]
    if words and text[words[-1][0]:words[-1][1]].lower() in BRANDS and words[-1][0] > a:
        b = words[-1][0]
    while b > a and text[b - 1] in " \t\r\n":
        b -= 1
    return a, b
