"""Romanised East and Southeast Asian person names in the short text values a DICOM object keeps
(D1, round 4): Manufacturer, model and coil names, kernels, code strings, code meanings, segment
labels … are read by the project's free-text scrubber, whose name score does not know most
romanised Chinese, Japanese, Korean, Vietnamese and Indonesian names ("YAMADA^TARO",
"KIM MIN-JUN", "Budi Santoso", "Dr.Lin" left the header in round 4).  This wrapper lives here,
not in deidentify/text: a device's value is not a clinical note, and a rule that would mask half
of a note's words is right for a field that names a machine.

A value is flagged when it holds (case ignored; tokens split at spaces, ^ = , . / _ ( ) and digits):

- a *distinctive* surname or given name (``_STRONG``): one no device, code or English word
  spells (Tanaka, Nguyen, Santoso, Hanako, Chih-Hao …), unless inside a vendor's own name
  (``_VENDOR_PHRASES``: Fukuda Denshi, Shimadzu …);
- a *common* surname (Lee, Kim, Lin, Ho, Le …) next to a given name or a Chinese, Korean or
  Vietnamese syllable ("Lee Seo-yeon", "Ho Van Nam"), after a title ("Dr.Lin", "by Wu"), as a
  possessive ("Chen's tumour", eponyms such as Hashimoto's thyroiditis excepted), or alone as
  the whole value ("LIN": the other half of a name split across two elements);
- two hyphen-joined Chinese or Korean syllables (a given name: "Min-Jun", "Ya-Ting").

Wrong guesses cost a device's label (removed, never altered); a name missed costs a person.
"""
from __future__ import annotations

import re
import unicodedata

# Surnames a device's or a code's value does not spell (≥ 4 letters, no English word).
_STRONG_SURNAMES = """
zhang zhao zhou huang xiao liang zheng xie tang feng deng cao peng zeng tian dong yuan jiang
cheng qian shen yao ding wang chen yang guo luo gao liu zhu
chang tsai hsu hsieh kuo hung chiu tseng liao chou chuang chiang hsiao chien chung tung shih
cheung leung tsang chow kwok chau yuen kwan tsui
sato suzuki takahashi tanaka watanabe yamamoto nakamura kobayashi kato yoshida yamada sasaki
yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki ikeda hashimoto yamashita ishikawa
nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto aoki
fujii nishimura fukuda miura fujiwara okamoto matsuda nakagawa nakano harada tamura takeuchi
kaneko wada nakayama ishida ueda morita shibata sakai kudo yokoyama miyazaki miyamoto uchida
takagi ando taniguchi ohno maruyama imai takada fujimoto takeda murata ueno sugiyama masuda
sugawara hirano otsuka koyama chiba kubo matsui iwasaki sakurai kinoshita noguchi matsuo nomura
kikuchi sano onishi sugimoto arai hamada ichikawa furukawa mizuno komatsu shimada igarashi
kojima itoh hoshino kuroda ikegami nishida fujisawa nakata ohtani hamasaki miyake kurosawa
matsuzaka
choi jung jeong yoon kwon hwang jeon baek paik byun chae seong ryu
nguyen tran pham hoang huynh phan dang duong truong trinh luong quach kieu
santoso wijaya setiawan susanto gunawan hidayat kurniawan saputra pratama lestari rahayu
wulandari handayani purnomo nugroho hartono sutrisno siregar nasution harahap simanjuntak
suharto sulistyo prasetyo hermawan sudirman
""".split()
# Given names of the same kind (no device word among them).
_STRONG_GIVEN = """
xiaoming jiahao zihan yuxuan haoran junjie xinyi yiting yuting jiaxin zhiwei
taro jiro ichiro hanako kenji hiroshi takeshi akira kazuki yuto sota haruto yuna hina misaki
yoko keiko tomoko naoko makoto satoshi daisuke shota yusuke kenta takumi hiroki yuki sakura
haruka ayaka yumi mayumi kumiko noriko hiroko akiko michiko masako junko kazuko
minjun seojun jihoon jiwoo seoyeon jiyeon minseo soyeon hyunwoo dohyun eunji jieun sooyoung
budi siti dewi agus ahmad muhammad putri rina wahyu hendra yuni fitri ratna bambang joko slamet
indah rahmat dian
muhammad mohamad mohammad mohamed abdul abdullah ibrahim ismail hassan hussein hussain rahman rahim
aziz anwar ridwan kamil halimah nurul fatimah aisyah aminah zainal zainab yusof yusuf yacob yakub razak
najib mahathir anies retno basuki tjahaja baswedan marsudi wahid iskandar syafiq hafiz rizki rizky
ilham irfan fauzi hakim faisal hamzah idris khalid lukman nasir rashid salleh samad sulaiman taufik
yahya zulkifli azman azizah norhayati rosnah salmah rohani puteri
""".split()
# Common surnames that also spell words or codes: flagged only beside a name, a title or alone.
_COMMON_SURNAMES = set("""
li lin wu ma he yu lu su du ye fu pan wei han tan lo ho ng lee kim park cho jo yun jang lim im
oh seo shin sin ahn an song hong yoo ko go moon mun son bae heo huh nam noh roh ha kwak sung cha
joo woo min na jin chun um eom won rhee yi le vu vo bui do ngo ly dinh lam mai ta thai dao
chan wong lau yip tam lai lam siu choi hui man law sze kang chu chen wang ito ota ono abe mori
hara arai sun hu xu endo bai meng kong xiong qiu mo yan shi hou shao wan qin dai xia zhong xue lei
hao gu cui yin fang wen kang jia qiao tao mao hao tong lai gong seol ong goh teo koh chua ang yeo quek
tay toh low sim yap khoo chia neo seah quach tieu ali nur ayu hadi arif umar omar intan long
""".split()) | set(_STRONG_SURNAMES)
# Romanised syllables a Chinese, Korean or Vietnamese given name is written in.
_SYLLABLES = set("""
an ai ao ba bai ban bang bao bei ben bin bing bo chao chen cheng chi chih chia chieh chien
ching chiu chong chu chuan chun chung da dai dan dao de di dong du duan fa fan fang fei fen feng
fu gang gao ge guang gui guo hai han hang hao he hei heng hong hou hsi hsia hsiang hsiao hsin
hsing hsiu hsiung hsu hsuan hsueh hua huai huan huang hui hung hwa i jia jian jiang jiao jie jin
jing jiu ju juan jun kai kang ke kuan kuang kun kuo lan lang lei li lian liang lien lin ling liu
long lu lun luo mei meng mi miao min ming mu na nan ning pei peng ping qi qian qiang qiao qin
qing qiu quan rong ru rui shan shao sheng shi shih shu shuang shun si song su sui tai tao ting
tong tsai tsung tsun tzu wan wei wen wu xi xia xian xiang xiao xin xing xiu xu xuan xue ya yan
yang yao ye yi yin ying yong you yu yuan yue yun ze zhen zheng zhi zhong zhu zi zong
bin bo chan chang cheol chul dae do eun gyu hee ho hoon hye hyun hyuk ja jae ji jong joo ju jun
kyung mi min na ra sang seo seok seon seong shin sik so soo suk sun sung won woo yeon yeong yong
young yun hwan hyo seung tae
van thi duc minh thanh ngoc huu quoc anh tuan hung nam lan linh trang phuong thu ha hai hoa hieu
khanh long mai nga nhung quang son tam thao thuy trung tu vinh vy tien dung sau du khai sang xuan
te je jeou tseng pien shui lien hsiu ching heung doo yoo gu kyu boon hock ah kow chok swee keng seng
beng kiat huat hwee siew eng teck choon poh leng chye chee wee guan kok soon hoe in goo jung jae shyi
kun khim tai suk yeol hye sun bok gil
""".split())

def _pinyin() -> set[str]:
    """Pinyin syllables, generated from initials and finals with the language's main limits
    (j q x only before i and u-umlaut finals; zh ch sh r z c s g k h not before them)."""
    open_finals = "a o e ai ei ao ou an en ang eng ong u ua uo uai ui uan un uang".split()
    i_finals = "i ia ie iao iu ian in iang ing iong".split()
    out = set(open_finals) - {"u", "ua", "uo", "uai", "ui", "uan", "un", "uang", "ong"}
    lips = ("b", "p", "m", "f")
    for ini in "b p m f d t n l g k h zh ch sh r z c s".split():
        finals = [f for f in open_finals
                  if not (f == "o" and ini not in lips) and not (f in ("ong", "uo", "ui", "un", "uan") and ini in lips)
                  and not (f == "e" and ini in ("b", "p", "f"))
                  and not (f in ("ua", "uai", "uang") and ini not in ("g", "k", "h", "zh", "ch", "sh", "r"))]
        out |= {ini + f for f in finals}
        if ini in ("b", "p", "m", "d", "t", "n", "l"):
            out |= {ini + f for f in i_finals}
    out |= {ini + f for ini in "j q x".split() for f in i_finals + ["u", "uan", "un", "ue"]}
    out |= {"y" + f for f in "a ao an ang e i in ing o ong ou u uan ue un".split()}
    out |= {"w" + f for f in "a ai an ang ei en eng o u".split()}
    out |= {"zhi", "chi", "shi", "ri", "zi", "ci", "si", "er", "nv", "lv", "nue", "lue"}
    return out


_PINYIN = _pinyin()
_GIVEN_SYLLABLES = _SYLLABLES | _PINYIN
# Japanese (Hepburn) morae: "hoshino" is ho-shi-no; si ti tu di du zi wi we yi ye are not Hepburn.
_MORA = re.compile(r"(?:kk|ss|tt|pp|tch)?(?:ky|gy|sh|ch|ny|hy|by|py|my|ry|ts|[kgsztdnhbpmyrwjf])?[aeiou]"
                   r"|n(?![aeiouy])|(?<=o)h(?![aeiouy])")
_NOT_HEPBURN = re.compile(r"(?<![sc])(?:hu)|si|ti|tu|di|du|zi|wi|we|wu|yi|ye|f[aeio]")
# English and device words that read as Hepburn: never half of a Japanese name here.
_ROMAJI_WORDS = set("""
image range change separate uterine urine neuro rotate sonata panorama nemio toshiba hitachi terumo
ingenia kawasaki samurai karate kimono tomato piano domino banana origami marine machine engine genome
anemia edema mania hamate gamma base bone dose mode name node tone home gate rate pure same sure more
some none one nine done made side wide ride hide make take wake like bike time line mine fine case came
game zone cone note vote rose nose pose tune june kite bite site amine manage remote routine japanese
""".split())
# Javanese and other Indonesian names by their endings (Suharto, Megawati, Setiawan, Yudhoyono).
_INDONESIAN = re.compile(r"^(?:[a-z]{3,}(?:awati|wati|ningsih|yanti|ningrum|awan|yono|yanto|yani|ansyah)"
                         r"|su[a-z]{1,}(?:arno|arto|risno|ianto|anto|ono|adi|ipto|putri)"
                         r"|[a-z]{3,}(?:owo|odo|ardjo|ardja))$")


def _morae(token: str) -> int:
    """How many Hepburn morae ``token`` is, or 0 if it is not Hepburn romaji."""
    if not token.isalpha() or _NOT_HEPBURN.search(token):
        return 0
    pos, count = 0, 0
    while pos < len(token):
        m = _MORA.match(token, pos)
        if not m or m.end() == pos:
            return 0
        pos, count = m.end(), count + 1
    return count


def _syllables(token: str, inventory: set[str], most: int = 3) -> bool:
    """``token`` is 1..``most`` syllables of ``inventory`` run together ("zhiqiang", "fanyu")."""
    if token in inventory:
        return True
    if most <= 1:
        return False
    return any(token[:k] in inventory and _syllables(token[k:], inventory, most - 1)
               for k in range(1, min(len(token), 7)))


# What marks a romaji word as Japanese rather than English written in open syllables
# ("moderate noise" is Hepburn-shaped too): a Japanese cluster, or a name's usual last mora.
_JAPANESE_MARK = re.compile(r"sh|ch|ts|j|fu|[kgrnhmbp]y|(?:ko|ro|ru|ki|mi|ka|na|ta|da|no|ya|to|ji|suke|hei|zo|wa|ra|ma|be|ri|zu|yo)$")
# Japanese surnames by their last two morae (Tsukamoto, Ikegami, Kurosawa): a name on their own.
_JAPANESE_SURNAME = re.compile(r"(?:moto|mura|kawa|gawa|yama|shita|saki|zaki|hara|bara|shima|jima|guchi|kubo|"
                               r"zawa|sawa|hashi|naka|tani|numa|zuka|tsuka|mori|gami|kami|oka|uchi|bayashi|"
                               r"fuji|ishi|nishi|hata|bata|zono|sono|no)$")


def _japanese_pair(a: str, b: str) -> bool:
    """Two romaji words of a Japanese name ("Hoshino Aiko", "Ikegami Ryota")."""
    if a in _ROMAJI_WORDS or b in _ROMAJI_WORDS:
        return False
    ma, mb = _morae(a), _morae(b)
    return (ma >= 2 and mb >= 2 and ma + mb >= 5 and max(ma, mb) >= 3
            and _JAPANESE_MARK.search(a) is not None and _JAPANESE_MARK.search(b) is not None)


def _japanese_surname(token: str) -> bool:
    return (token not in _ROMAJI_WORDS and token not in _EPONYMS and _morae(token) >= 4
            and _JAPANESE_SURNAME.search(token) is not None)


def _chinese_given(token: str) -> bool:
    """A pinyin given name written as one word with a letter English gives no syllable start
    (x, q, zh: "zhiqiang", "xinyi"): a name wherever it stands."""
    return (len(token) >= 5 and token[0] not in "aeiou" and re.search(r"(?:^|[aeiouvng])(?:x|q|zh)", token) is not None
            and _syllables(token, _PINYIN, 2) and not _syllables(token, _PINYIN, 1))


_TITLES = {"dr", "prof", "mr", "mrs", "ms", "miss", "mdm", "madam", "nurse", "sister", "doctor"}
# Who did something: only before a surname that is no common word ("by an operator" is English).
_AGENTS = {"by", "op", "operator", "tech", "technologist", "radiographer", "radiologist", "physician",
           "reader", "reviewer", "signed", "approved", "attn", "per", "resident", "fellow", "rn", "rt", "md",
           "opr", "user", "staff", "rad", "san", "sama", "sensei", "kun", "chan", "ssi", "nim", "ssaem"}
# Two letters after a surname are initials ("Kim MJ", "Chen YH") unless a modality's or unit's code.
_NOT_INITIALS = {"ct", "mr", "us", "dr", "cr", "xa", "pt", "nm", "rf", "mg", "dx", "px", "io", "es", "ok", "id",
                 "ap", "pa", "lr", "rl", "hf", "ff", "kv", "ma", "ms", "mm", "cm", "no", "on", "in", "of", "to",
                 "at", "or", "an", "as", "is", "it", "by", "be", "up", "ax", "sa", "co", "ir", "ge", "hu"}
_VIET_MIDDLE = {"van", "thi", "duc", "huu", "ngoc", "quoc", "minh", "thanh", "xuan"}
_CITATION = re.compile(r"(?:\s*(?:et al\.?|and \w+|&\s*\w+))?\s*,?\s*\(?(?:19|20)\d\d\b")
_DISEASE = re.compile(r"(?:itis|osis|disease|syndrome|nevus|naevus|lymphadenopathy|projection|view|method)$")
# The Asian names the standard's own code meanings cite with a year (fetal biometry tables).
_CITED_AUTHORS = {"shinozuka", "osaka", "tokyo"}
# A surname that is a word followed by a two-syllable word: a place, not a person, in these.
_PLACES = {"hong kong", "long beach", "ma anshan", "sun moon"}
_EPONYMS = {"nakayama", "hashimoto", "takayasu", "kikuchi", "kimura", "kawasaki", "ota", "ito", "moyamoya"}
# Common surnames that are plainly words or codes too: never flagged alone or after "by".
_WORDS = {"long", "song", "man", "law", "pan", "fan", "tan", "min", "park", "mai", "do", "he", "an", "ha",
          "na", "um", "ta", "go", "ko", "oh", "im", "le", "lo", "ho", "ma", "su", "du", "ye", "fu", "li",
          "lu", "yu", "sin", "son", "nam", "won", "woo", "jin", "cha", "ng", "ly", "vo", "vu", "bui", "chan",
          "sun", "hu", "xu", "yi", "moon", "hong", "low", "ang", "tay", "sim", "mo", "gu", "tong", "tao",
          "fang", "wan", "lei", "hao", "shi", "yan", "kong"}
# A vendor's own name may hold a surname: its words are not read.
_VENDOR_PHRASES = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(p) for p in (
    "fukuda denshi", "j. morita", "morita mfg", "yoshida dental", "hitachi aloka", "ge yokogawa",
    "nihon kohden", "konica minolta", "united imaging", "shimadzu", "samsung medison")) + r")(?![a-z])")
_TOKEN = re.compile(r"[a-z][a-z'\u2019\u0300-\u036f-]*")   # combining marks stay inside a word


# Cyrillic and Greek letters that look Latin ("Тanaka" with a Cyrillic Т reads as Tanaka).
_LOOKALIKE = dict(zip("аеорсухіјѕкмнтвαβεζηικμνορτυχ", "aeopcyxijskmhtbabezhikmnoptyx"))


def _fold(c: str) -> str:
    """One letter without its marks, same length ("Nguyễn Văn" is read as "nguyen van")."""
    if c in "đð":
        return "d"
    if c in _LOOKALIKE:
        return _LOOKALIKE[c]
    if c.isascii() or not c.isalpha():
        return c
    base = unicodedata.normalize("NFKD", c)[0]
    return base if base.isascii() else c


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(lower-cased token, start, end); a possessive keeps its mark ("chen's"); tokens split
    at anything but letters, hyphens and apostrophes (digits, ^ = _ . and spaces)."""
    text = text.replace("\u2019", "'")
    low = "".join(_fold(c.lower()[:1] or c) for c in text)     # one character for one: offsets hold
    vendor = [m.span() for m in _VENDOR_PHRASES.finditer(low)]
    # words run together in camel case ("TanakaHanako", "CT_YamadaTaro") are read apart
    camel = {k for k in range(1, len(text)) if text[k - 1].islower() and text[k].isupper()}
    out = []
    for m in _TOKEN.finditer(low):
        if any(a <= m.start() < b for a, b in vendor):
            continue
        cuts = [m.start()] + sorted(k for k in camel if m.start() < k < m.end()) + [m.end()]
        for a, b in zip(cuts, cuts[1:]):
            tok = re.sub("[\u0300-\u036f]", "", low[a:b]).strip("-")
            if not tok.endswith("'s"):
                tok = tok.strip("'").replace("'", "")    # Wade-Giles aspiration: ch'en is chen
            if tok:
                out.append((tok, a, b))
    return out


def _spelled(tokens: list[tuple[str, int, int]], low: str) -> list[tuple[str, int, int]]:
    """Letters written one by one ("Y A M A D A", "T.A.N.A.K.A") read as the word they spell."""
    out, run = [], []
    for tok in tokens + [("", -1, -1)]:
        if len(tok[0]) == 1 and (not run or (tok[1] - run[-1][2] <= 2
                                             and not any(c.isalnum() for c in low[run[-1][2]:tok[1]]))):
            run.append(tok)
            continue
        if len(run) >= 3:
            out.append(("".join(t for t, _, _ in run), run[0][1], run[-1][2]))
        run = [tok] if len(tok[0]) == 1 else []
    return out


def _glued(token: str) -> bool:
    """A surname and a given name written as one word ("TANAKAHANAKO", "nguyenvanan"), or a
    name hyphen-joined to a device's word ("CT-YAMADA")."""
    parts = token.split("-")
    if len(parts) > 1 and not _given(token):
        return (any((p in _STRONG_SURNAMES or p in _STRONG_GIVEN or _glued(p)) and p not in _EPONYMS for p in parts)
                or (len(parts) == 2 and parts[0] in _COMMON_SURNAMES and parts[1] in _AGENTS)   # "Lin-san"
                or (len(parts) == 2 and any(a in _COMMON_SURNAMES and _two_syllable_given(b)       # "Hong-Meiling"
                                            for a, b in (parts, parts[::-1]))))
    for k in range(2, len(token) - 1):
        head, rest = token[:k], token[k:]
        if head in _STRONG_SURNAMES and k >= 4 and (rest in _STRONG_GIVEN or _syllables(rest, _GIVEN_SYLLABLES, 2)
                                                    or (_morae(rest) >= 2 and _JAPANESE_MARK.search(rest))):
            return True
        # a common surname run into a two-syllable given name ("KIMMINJUN", "LINMEIYUN")
        if (head in _COMMON_SURNAMES and head not in _WORDS and len(rest) >= 4
                and (rest in _STRONG_GIVEN or (rest[0] not in "aeiou" and any(
                    rest[:j] in _SYLLABLES and rest[j:] in _SYLLABLES for j in range(2, len(rest) - 1))))):
            return True
    return False


def _given(token: str) -> bool:
    """A given name: a listed one, or two syllables joined by a hyphen ("min-jun", "chih-hao")."""
    if token in _STRONG_GIVEN:
        return True
    parts = token.split("-")
    return len(parts) == 2 and all(p in _GIVEN_SYLLABLES for p in parts)


def _loose_given(token: str) -> bool:
    """Beside a surname: a given name of one or two syllables written as one word ("yulan")."""
    return _given(token) or (token not in _WORDS and len(token) <= 10 and _syllables(token, _GIVEN_SYLLABLES, 2))


def _two_syllable_given(token: str) -> bool:
    """A given name of exactly two syllables written as one word ("lingwei", "meiling", "seojin"),
    not an English or device word: read after a surname that is also a word ("Kong", "Hong")."""
    return (len(token) >= 5 and token not in _WORDS and token not in _ROMAJI_WORDS and token not in _ENGLISH_PAIRS
            and _syllables(token, _GIVEN_SYLLABLES, 2) and not _syllables(token, _GIVEN_SYLLABLES, 1))


# English words that split into two syllables of a given name (china = chi-na).
_ENGLISH_PAIRS = {"china", "chinese", "sharpen", "mango", "tango", "bingo", "lingo", "dingo", "sampling", "banana",
                  "humerus", "shaman", "human", "women", "linen", "lichen", "sudan", "tehran", "pagan", "began",
                  "woman", "lumen", "semen", "hymen", "omen", "amen", "gaman", "hexa", "hexan", "nylon", "salon",
                  "lemon", "demon", "canon", "fulan", "bayan", "taiwan", "tainan", "yilan", "hualien", "taichung",
                  "hsinchu", "linkou", "xinzhu", "jinan", "wuhan", "hunan", "henan", "fujian", "guilin", "dalian",
                  "lanzhou", "hangzhou", "suzhou", "changsha", "nanjing", "beijing", "shanghai", "xiamen", "macau",
                  "kunming", "harbin", "tianjin", "shenzhen", "chengdu", "qingdao", "zhuhai", "kaohsiung", "pingtung",
                  "keelung", "taitung", "miaoli", "nantou", "chiayi", "yunlin", "changhua", "taoyuan", "penghu"}


def _strong(token: str) -> bool:
    """A name on its own, wherever it stands."""
    return (token in _STRONG_SURNAMES or _given(token) or _chinese_given(token) or _INDONESIAN.match(token) is not None
            or _japanese_surname(token) or _glued(token))


def name_spans(text: str, binary: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each romanised East or Southeast Asian person-name token in ``text``
    (module docstring); [] when none.  ``binary``: ``text`` is a letter run read from a binary
    value (samples, a LUT): random bytes spell short words and accented letters, so only a
    listed or name-shaped word of five ASCII letters or more counts there."""
    text = str(text)
    toks = _tokens(text)
    if binary:
        return [(a, b) for t, a, b in toks
                if len(t) >= 5 and all(c.isascii() or "\uff21" <= c <= "\uff5a" for c in text[a:b])
                and _strong(t) and t not in _EPONYMS]
    # letters one by one count as the word they spell when it is a name on its own
    spelled = [(a, b) for t, a, b in _spelled(toks, "".join(_fold(c.lower()[:1] or c) for c in text))
               if _strong(t)]
    words = [t for t, _, _ in toks]
    hits: set[int] = set()
    for i, tok in enumerate(words):
        if (_CITATION.match(text, toks[i][2]) and re.search(r"(?:,|\bby|\()\s*$", text[:toks[i][1]])
                and tok in _CITED_AUTHORS):
            continue     # an author and a year name a published method ("BPD, Shinozuka 1996") - only an
            # author the standard's tables cite: the form carried other names out ("by Yamada 1990", round 5)
        possessive = tok.endswith("'s")
        base = tok[:-2] if possessive else tok
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        after2 = words[i + 2] if i + 2 < len(words) else ""
        if _strong(base):
            if not (base in _EPONYMS and (possessive or _DISEASE.search(after))):
                hits.add(i)
            continue
        if after and (_japanese_pair(base, after.removesuffix("'s"))
                      or (text[toks[i][2]:toks[i + 1][1]].strip() == "^" and _morae(base) >= 2 and _morae(after) >= 2
                          and base not in _ROMAJI_WORDS and after not in _ROMAJI_WORDS)):
            hits |= {i, i + 1}
            continue
        if base not in _COMMON_SURNAMES:
            continue
        word = base in _WORDS
        # "^" parts a person name's components (PS3.5 PN): "LI^NA" is a name, "Li Na" may be words
        caret = i + 1 < len(toks) and text[toks[i][2]:toks[i + 1][1]].strip() == "^"
        if ((possessive and not word and base not in _EPONYMS)        # "Lee's scan"
                or before in _TITLES or (before in _AGENTS and not word)   # "Dr.Lin", "by Wu"
                or after in _VIET_MIDDLE                                # "Le Van Tam"
                or (after in _AGENTS and not word)                      # "Lin sensei", "Lin-san"
                or (not word and (len(before) == 1 or len(after) == 1))     # "M.J. Kim", "Lee, J."
                or (not word and len(after) == 2 and after not in _NOT_INITIALS)   # "Kim MJ"
                or _given(after) or _given(before)                      # "Lee Seo-yeon"
                or (not word and (_loose_given(after)))                 # "Meng Fanyu", "Gong Yoo"
                or (word and _two_syllable_given(after)                 # "Kong Lingwei", "Hong Meiling"
                    and f"{base} {after}" not in _PLACES)
                or (_two_syllable_given(before) and not possessive)     # "Lingwei KONG", "Yuling HAN"
                or ((before in _AGENTS or before in _TITLES) and len(after) >= 3   # "by Park Ling"
                    and (after in _SYLLABLES or _given(after)) and after not in _WORDS)
                or (after in _GIVEN_SYLLABLES and after2 in _GIVEN_SYLLABLES)   # "Tan Ah Kow"
                or (not word and (after in _SYLLABLES or before in _SYLLABLES)
                    and after not in _WORDS and before not in _WORDS)   # "Lin Mei", "Mei Lin"
                or (len(words) == 1 and not word)                       # "LIN": half of a split name
                or (after and re.match(r"(?:x|q|zh)", after) and after in _PINYIN)   # "Li Xin", "Ma Qiang"
                or (caret and (after in _GIVEN_SYLLABLES or _loose_given(after)))):   # "LI^NA": a name's shape
            hits.add(i)
    for _ in range(2):   # the given and middle names beside a surname go with it ("Nguyen Van An")
        hits |= {j for i in hits for j in (i - 1, i + 1) if 0 <= j < len(words) and j not in hits
                 and (words[j] in _SYLLABLES or _given(words[j]) or words[j] in _VIET_MIDDLE
                      or (j > i and _two_syllable_given(words[j])))}   # "Kong Lingwei": both go
    return sorted({(toks[i][1], toks[i][2]) for i in hits} | set(spelled))


def mask_names_joined(texts: list[str], mask: str = "<NAME>") -> list[str]:
    """``mask_names`` over texts read as one (the items of one SR, its lines): a name broken
    across two items ("Reviewed by Lin" | "Mei agreed") is found whole and masked in each."""
    joined = "\n".join(texts)
    spans = name_spans(joined)
    out, start = [], 0
    for t in texts:
        end = start + len(t)
        parts, last = [], start
        for a, b in spans:
            a, b = max(a, start), min(b, end)
            if a < b:
                parts += [joined[last:a], mask]
                last = b
        out.append("".join(parts + [joined[last:end]]))
        start = end + 1
    return out


def names_in(text: str, binary: bool = False) -> bool:
    """Does ``text`` hold a romanised East or Southeast Asian person name?"""
    return bool(name_spans(text, binary))


def mask_names(text: str, mask: str = "<NAME>") -> str:
    """``text`` with each name token found replaced by ``mask`` (free text kept: SR TextValue)."""
    out, last = [], 0
    for a, b in name_spans(text):
        out += [text[last:a], mask]
        last = b
    return "".join(out + [text[last:]])


__all__ = ["mask_names", "mask_names_joined", "name_spans", "names_in"]
