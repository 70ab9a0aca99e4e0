"""Names whose characters read as words, made names by the person around them (D1, round 6).

A probe wrote 全國平, 高明德, 江山明, 文心怡 (a surname and its first given character make a
common word: 全國, 高明, 江山, 文心), names inside requests (請幫萬國平量血壓, 通知林志明家屬,
協助黃小玲下床) and two-character names that are words (林立, 王強, 高峰, 金城).  The general
finders ask whether the characters read as a word and leave them; here a person's context
decides:
- three characters (a surname and two given characters, the common form): the three are no
  word, a given-name character is among the given two, no common word opens at the last given
  character and runs past it (全國平|均), and either a person word stands right before (a
  patient or kin word: 病人, 家屬, 案妻, 長子; or a request acting on a person: 請幫, 通知,
  協助, 提醒) and the clause closes after it, or the name opens the clause and what follows is
  something only a person does or has (主訴, 表示, 來電, 今天回診, 術後, 血壓 ...);
- two characters that are a word: a patient or kin word before AND a person's act after
  (家屬王強來電, 案子高峰陪同), or the name opening the clause and a decisive act after (高峰主訴,
  林立的太太, 金城由女兒陪同); the word must be one jieba tags as a name or place or does not
  know (高峰 nr, 金城 ns) and none of the common verbs it also tags so (陳述, 康復).
Works on the Simplified normal form; every pattern is a literal set or a bounded class, so the
scan stays linear (each position is tried against a fixed number of fixed-length words).
"""
from __future__ import annotations

import functools
import re

from deidentify.identifiers.chinese_names import _NUMBER_NEXT, _NUMERAL_SURNAMES, COMPOUND_SURNAMES, SINGLE_SURNAMES
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.rare_surnames import UNLISTED, _GIVEN
from deidentify.identifiers.regex_gate import by_first_char

_S = to_simplified


def _words(*ws: str) -> tuple[str, ...]:
    return tuple(sorted({_S(w) for w in ws}, key=len, reverse=True))


# (于 余 are function words after conversion: 于今日, 余下)
SURNAMES = "".join(sorted({_S(c) for c in SINGLE_SURNAMES + UNLISTED} - set("于余")))
# a patient or kin word: whoever follows is a person
PERSON_BEFORE = _words(
    "病人", "病患", "患者", "個案", "案主", "家屬", "案妻", "案夫", "案子", "案女", "案父", "案母", "案兄", "案弟",
    "案姐", "案妹", "案孫", "案媳", "長子", "次子", "三子", "么子", "長女", "次女", "三女", "么女", "媳婦", "女婿",
    "孫子", "孫女", "外孫", "太太", "妻子", "丈夫", "老公", "老婆", "兒子", "女兒", "配偶", "母親", "父親", "哥哥",
    "姐姐", "姊姊", "弟弟", "妹妹", "前妻", "前夫", "同居人", "聯絡人", "照顧者", "監護人", "室友", "鄰居", "朋友",
    "男友", "女友", "病友", "死者", "亡者", "被保險人", "要保人", "受益人", "當事人", "申請人", "先證者", "表哥",
    "表姐", "表妹", "表弟", "堂哥", "堂姐", "堂妹", "堂弟", "姑姑", "阿姨", "舅舅", "叔叔", "伯伯", "外公", "外婆",
    "祖父", "祖母", "爺爺", "奶奶", "案主", "住民", "學童", "病童", "新生兒", "產婦", "孕婦", "接觸者", "指標個案",
    "同仁", "員工", "看護", "外勞", "移工", "家長", "受檢者", "受試者", "被保人", "傷者", "往生者", "秘書", "經紀人",
    "雇主", "仲介", "里幹事", "廟公", "里長", "村長", "鎮長", "鄉長", "市長", "議員", "立法委員", "立委", "委員",
    "董事長", "總經理", "老闆", "老闆娘", "負責人", "姪子", "姪女", "外甥", "外甥女", "乾女兒", "乾兒子", "繼父",
    "繼母", "養父", "養母", "同學", "老師", "導師", "學長", "學姐", "教友", "牧師", "師父", "住持", "一子", "一女",
    "其子", "其女", "其妻", "其夫", "育有一子", "育有一女", "阿嬤", "阿公", "阿伯", "阿姨", "婆婆", "公公", "岳母",
    "岳父", "嫂嫂", "大嫂", "弟媳", "姊夫", "姐夫", "妹婿", "伯母", "嬸嬸", "爸爸", "媽媽", "老爸", "老媽", "阿爸",
    "阿母", "爹地", "媽咪", "醫師", "醫生", "護理師", "護士", "技術員", "放射師", "檢驗師", "藥師", "社工", "社工師",
    "個管師", "治療師", "營養師", "心理師", "專師", "住院醫師", "主治醫師",
    # English relation and role words before a Han name (daughter 全國平, wife 文心怡, uncle 林立)
    "wife", "husband", "son", "daughter", "mother", "father", "brother", "sister", "uncle", "aunt", "cousin",
    "nephew", "niece", "grandson", "granddaughter", "ex-wife", "ex-husband", "partner", "friend", "neighbor",
    "neighbour", "employer", "caregiver", "pt", "patient", "proband", "chart", "client", "mr.", "ms.", "mrs.")
# a request or act done to a person: whoever follows is one (the name stands before what is done)
REQUEST_BEFORE = _words(
    "請幫", "幫忙", "幫", "協助", "通知", "提醒", "告知", "聯絡", "聯繫", "陪同", "探視", "安撫", "衛教", "轉告",
    "替", "扶", "帶", "請", "叫", "讓", "給", "轉介", "約", "催", "找", "送", "接", "與", "和", "跟", "同")
_COMPOUND = frozenset(_S(c) for c in COMPOUND_SURNAMES)
_PERSON_SET, _REQUEST_SET = frozenset(PERSON_BEFORE), frozenset(REQUEST_BEFORE)
_BEFORE_LENS = sorted({len(w) for w in PERSON_BEFORE + REQUEST_BEFORE}, reverse=True)
# what only a person does or has, right after the name
PERSON_AFTER = _words(
    "主訴", "自述", "表示", "來電", "陪同", "同意", "拒絕", "詢問", "簽署", "簽名", "回診", "到院", "本人", "家屬",
    "的太太", "的先生", "的妻子", "的丈夫", "的女兒", "的兒子", "的家屬", "的媽媽", "的爸爸", "的母親", "的父親",
    "的孫子", "的孫女", "的配偶", "的姐姐", "的哥哥", "的弟弟", "的妹妹", "太太", "先生", "今天回診", "今日回診",
    "之子", "之女", "之妻", "之夫", "之母", "之父", "代為", "代理", "就讀", "任職", "上班", "在場", "陪伴", "在旁",
    "在側", "照顧", "休息",
    "今天出院", "今天入院", "今日出院", "今日入院", "明天出院", "明日出院", "昨天入院", "昨日入院")
# ... or what is done to the person after a request (請幫X量血壓, 協助X下床)
ACT_AFTER = _words(
    "量", "測", "換藥", "換", "翻身", "下床", "上廁所", "洗澡", "擦澡", "沐浴", "進食", "餵", "吃", "服藥", "抽血",
    "打針", "打電話", "做", "填", "簽", "準備", "回", "到", "來", "去", "拍", "轉", "移", "更衣", "復健", "聯絡",
    "血壓", "血糖", "體溫", "心跳", "術後", "住院", "出院", "入院", "明早", "明天", "今天", "昨天", "目前", "精神",
    "意識", "情緒", "病史", "跌倒", "發燒", "咳嗽", "頭暈", "疼痛", "說", "的", "與", "和", "及", "一起", "已", "仍",
    "需", "要", "會", "於", "在", "由", "因", "至", "做完", "檢查", "看診", "就醫", "預約", "報到", "確認", "說明",
    # what is found in or happens to a person (全國平肝臟脂肪浸潤, 方正華中風)
    "肝臟", "肺部", "心臟", "腎臟", "胸部", "腹部", "頭部", "腦部", "右側", "左側", "雙側", "報告", "影像", "超音波",
    "中風", "胸悶", "胸痛", "腹痛", "頭痛", "昏倒", "骨折", "過世", "往生", "死亡", "感染", "發作", "戴口罩",
    # ... or does with others (與X同車, 讓X休息, 太太X在旁)
    "同車", "同住", "同房", "同行", "接觸", "見面", "聊天", "吃飯", "休息", "睡覺", "在旁", "在側", "陪", "照顧", "幫忙")
# two-character words jieba tags as names that are ordinary verbs or nouns in notes
_NOT_NAMES = frozenset(_S(w) for w in (
    "陳述", "康復", "文明", "周全", "朱紅", "向上", "高達", "江湖", "林業", "高度", "金額", "方向", "方便", "安全",
    "全程", "全部", "全家", "全身", "連續", "程度", "溫度", "管理", "時間", "平安", "高興", "田野", "李子", "楊桃",
    "常規", "石膏", "黃疸", "司法", "包紮", "左側", "白天", "馬上", "許多", "曾經", "何時", "何必", "高級", "白色",
    "石頭", "金錢", "方法", "文化", "高燒", "成功", "王道", "陳舊", "高危", "高壓", "管路", "管灌", "尤其", "雷同",
    "童年", "宋體", "古早", "花蓮", "高雄", "毛髮", "任何", "任務", "章節", "黎明", "房間", "龍眼", "甘油", "牛奶", "易怒", "花費", "常常",
    "時常", "史上", "向來", "米飯", "齊全", "單純", "華人", "戚然", "辜負", "全國", "全天", "全日", "全面", "全體"))
_HAN = re.compile(r"[\u3400-\u9fff]")
# ... a name of two characters needs one of these after it, when only its opening stands before
_DECISIVE_AFTER = _words(
    "主訴", "自述", "表示", "的太太", "的先生", "的妻子", "的丈夫", "的女兒", "的兒子", "的家屬", "的媽媽", "的爸爸",
    "的母親", "的父親", "的孫子", "的孫女", "的配偶", "本人")
_GIVEN_SET = frozenset(_GIVEN) | frozenset(_S("飛鵬翔峰雄傑"))
_STOP = frozenset(_S("的了是在和與及因於今昨來去說等為被把對向到從也都就又而或但將會要有無未已再並則即所"
                     "之其此該這那個位名床號歲氏中後前內外上下間裡年月日時分天週次科院室樓區市縣鄉鎮村里路街巷弄"))
# a name with one character written in Zhuyin (張ㄧㄚˇ婷, 林ㄓˋ明, 陳美ㄌㄧㄥˊ): a surname, then
# Han and Zhuyin syllables (one to four symbols and a tone mark), at least one syllable
# (the normal form reads ㄚ as 阿: a syllable may hold it after another Zhuyin symbol)
_ZY_SYL = "[\u3105-\u312f\u31a0-\u31bf][\u3105-\u312f\u31a0-\u31bf阿]{0,3}[\u02ca\u02c7\u02cb\u02d9]?"
ZHUYIN_NAME = re.compile(f"[{SURNAMES}](?:{_ZY_SYL}(?:{_ZY_SYL}|[\u4e00-\u9fff])?|[\u4e00-\u9fff]{_ZY_SYL})")
# a name partly masked (陳O明, 陳○○, 王某某, 李X華): the surname and what is left still narrow it
# down, and the full name often stands a line later; (X光, X線 are X-rays)
_MASK = "[○〇Oo0Xx×＊*某]"
MASKED_NAME = re.compile(f"[{SURNAMES}](?<![A-Za-z0-9].)(?:{_MASK}(?![光线片])(?:{_MASK}|[\u4e00-\u9fff])?"
                         f"|[\u4e00-\u9fff]{_MASK})(?![A-Za-z0-9])")
# where find is tried: a surname (then a Han character; overlapping, 高高峰); the scrubber's
# prefilter asks GATES: a person or request word before a surname, or a surname opening a clause
# with one or two characters and a person's act after them (each opens with a character set)
# (round 11: and a compound surname's first character, 端木青 and 司徒健 in an English sentence)
_COMPOUND_FIRST = "".join(sorted({_S(c)[0] for c in COMPOUND_SURNAMES} - set(SURNAMES)))
SCAN = re.compile(f"[{SURNAMES}{_COMPOUND_FIRST}](?=[\u3400-\u9fff])")


def _masked_ok(simp: str, a: int, b: int) -> bool:
    """A masked name stands alone: no Han character right before its surname unless a person
    word (病人陳O明), and its Han character is no word with the surname (高X|光 is taken above)."""
    return a == 0 or not _is_han(simp[a - 1]) or _before(simp, a) == "person" or simp[b - 1] in "○〇Oo0Xx×＊*某"


def _alt(words) -> str:
    return "|".join(map(re.escape, words))


GATES = (re.compile(f"(?:{by_first_char(_alt(PERSON_BEFORE + REQUEST_BEFORE))})[ \t:：]*[{SURNAMES}][\u3400-\u9fff]",
                    re.IGNORECASE),
         re.compile(r"[IVX][IVX]{0,3}[-‐][0-9]{1,2}[ \t:：]*" + f"[{SURNAMES}]"),
         re.compile(r"(?i:chart|name|informant|contact|signed|by)[ \t:：]+" + f"[{SURNAMES}]"),
         ZHUYIN_NAME, MASKED_NAME,
         re.compile(f"[{SURNAMES}](?<![\u3400-\u9fff].)[\u3400-\u9fff]{{2,3}}[ \t]+[A-Za-z]"),
         # (a label's value or a name between blanks: 死亡紀錄：全國平，, 牙科紀錄 全國平 #36)
         re.compile(f"[{SURNAMES}{_COMPOUND_FIRST}](?<=[:： \t].)[\u3400-\u9fff]{{1,3}}(?![\u3400-\u9fff])"),
         re.compile(f"[{SURNAMES}](?<![\u3400-\u9fff].)[\u3400-\u9fff]{{1,2}}(?:{_alt(PERSON_AFTER + ACT_AFTER)})"))


@functools.cache
def _rx(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


def _is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def _before(simp: str, i: int) -> str | None:
    """'person' or 'request' when such a word ends right before ``i`` (a colon or blank may
    stand between), 'open' at a clause's start, else None."""
    j = i
    while j > 0 and simp[j - 1] in " \t:：":
        j -= 1
    for n in _BEFORE_LENS:         # (longest first: 請幫 before 幫)
        w = simp[j - n:j].lower() if j >= n else ""
        if w in _PERSON_SET and not (w[0].isascii() and j > n and simp[j - n - 1].isalpha()):
            return "person"     # (an English word whole: reason|高明德 is no son)
        if w in _REQUEST_SET:
            return "request"
    if j > 0 and (simp[j - 1].isascii() or simp[j - 1] in "床柜") and _EN_BEFORE.search(simp, max(0, j - 16), j):
        return "person"         # (pedigree III-2 陳○○, locker 23 X, 7A-12床 X, Dental chart: X)
    if j < i and simp[j] in ":：" and j > 0 and simp[j - 1].isascii() and simp[j - 1].isalpha():
        # an English label's value (Well-child visit: 高明德,) is read as a label's: what the
        # name runs into still counts (round 11: Plan: 全國平|安, Impression: 江山如|畫 are prose)
        return "label"
    if j < i and simp[j] in ":：":
        return "label"          # a label's value (死亡紀錄：彭于庭，)
    if j < i:
        return "blank"          # a name standing between blanks (牙科紀錄 全國平 #36)
    return "open" if i == 0 or not _is_han(simp[i - 1]) else None


def _tables():
    from deidentify.identifiers.chinese_names import _tables as t

    return t()[4], t()[5].FREQ


def _is_word(w: str, tags, freq, at_least: int = 20) -> bool:
    from deidentify.identifiers.name_runs import is_word

    return is_word(w, at_least) or ((freq.get(w) or 0) >= at_least and tags.get(w) not in ("nr", "nrfg", "nrt"))


# the characters of lab values, symptoms, lesions and money (高血鉀, 高尿酸, 高燒退, 金美元): never
# a given name's
_TERM_CHARS = frozenset(_S("血尿鉀鈉鈣鎂磷酸糖脂壓氧痛燒熱腫癌炎瘤症疹咳喘膿痰便元幣鎊圓塊角"))
_LATIN_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9 .,/#()\-:|]{0,14}[:：]?[ \t]*$")
_LATIN_AFTER = re.compile(r"[ \t]*(?:[,.;)|]?[ \t]*[A-Za-z]|[,.;)|]?[ \t]*$|[,，;；(（|])")
# function characters that open a given name (施又寧, 杜之恆): read as one only where an English
# sentence holds the three alone
_FIRST_IN_ENGLISH = frozenset(_S("又之也"))


def in_english(simp: str, a: int, b: int) -> bool:
    """(round 11) Does the Han run ``simp[a:b]`` stand alone inside an English sentence, after
    an English heading or in a cell of an English line (PT note: 范姜明 s/p TKR, Consult: 古一心
    seen today, Triage 14:20 | 池又菁 | …)?  A note in English writes Han characters for a name,
    hardly for a word."""
    return (a > 0 and not _is_han(simp[a - 1]) and (b >= len(simp) or not _is_han(simp[b]))
            and _LATIN_BEFORE.search(simp, max(0, a - 16), a) is not None and _LATIN_AFTER.match(simp, b) is not None)


def _three(simp: str, i: int, before: str, tags, freq, n: int = 1) -> bool:
    """A surname of ``n`` characters and two given characters at ``i``."""
    end = i + n + 2
    name, given = simp[i:end], simp[i + n:end]
    if len(given) < 2 or (simp[i] in _NUMERAL_SURNAMES and given[0] in _NUMBER_NEXT):
        return False        # (round 8) 让|伍佰元: an amount in words, not 伍 + a name
    idiom = simp[i:end + 1]
    if len(idiom) == 4 and (freq.get(idiom) or 0) >= 20 and tags.get(idiom) not in ("nr", "nrfg", "nrt"):
        return False        # (round 10) Plan: 万事如|意, 高枕无|忧: a four-character idiom runs through it
    # (a name ends in a given-name character: 全家|搬, 高兴|地, 谈话|中 are words and what follows)
    english = n == 1 and in_english(simp, i, end) and not (
        given[0] in _FIRST_IN_ENGLISH and tags.get(simp[i]) == "a" and tags.get(given[-1]) in ("a", "v"))
    # (高又胖, 白又嫩: two adjectives joined, not 高 + a name)
    if (not all(_is_han(c) and (c not in _STOP or (k == 0 and (c == "于" or (english and c in _FIRST_IN_ENGLISH))))
                for k, c in enumerate(given))
            or (given[-1] not in _GIVEN_SET and not (english
                                                     and not _is_word(simp[i:i + 2], tags, freq, 5)
                                                     and not any(c in _TERM_CHARS for c in given)))
            or _is_word(name, tags, freq) or (freq.get(name) or 0) >= 300):     # (石家莊 is tagged a name)
        return False
    acts = (_rx(PERSON_AFTER).match(simp, end) is not None or _rx(ACT_AFTER).match(simp, end) is not None
            or _BRACKET_PERSON.match(simp, end) is not None)
    # a common word opening at the last given character and running past it (全国平|均, 高明度),
    # unless a person's act opens there (江山明|代为)
    # (after a person word only a frequent three-character word counts: 里长方正华|中风, not 华中)
    for nxt in (simp[end - 1:end + 1], simp[end - 1:end + 2]):     # (王强高|血压: 高血压 is the word)
        if len(nxt) >= 2 and (freq.get(nxt) or 0) >= (100 if len(nxt) == 2 and before != "person" else 500) \
                and tags.get(nxt) not in ("nr", "nrfg", "nrt") and not acts and (len(nxt) == 3 or before != "person"):
            return False
    # ... or when the surname and first given character and what the last one opens are both
    # common words (病人颜色|正常, 全国平|均), whoever stands before
    if (freq.get(simp[i:i + 2]) or 0) >= 2000 and len(simp[end - 1:end + 1]) == 2 \
            and (freq.get(simp[end - 1:end + 1]) or 0) >= 2000 and not acts:
        return False
    if (freq.get(simp[i + 1:end]) or 0) >= 2000 and tags.get(simp[i + 1:end]) not in ("nr", "nrfg", "nrt") \
            and not (english and not any(c in _TERM_CHARS for c in given)):
        return False        # the given part is itself a common word (X国家, X方法), unless an English
                            # sentence holds the three alone (round 11: Consult: 古一心 seen today)
    closes = end >= len(simp) or not _is_han(simp[end])
    if before == "person":
        return True         # (廟公傅雅雯|胸悶, 堂弟全國平|亦: whatever the clause does next)
    if before == "request":
        return closes or acts
    if before == "open" and closes and simp[end:end + 1] in (" ", "\t") and simp[end + 1:end + 2].isascii() \
            and (simp[end + 1:end + 2].isalnum() or simp[end + 1:end + 2] in "#("):
        return True         # (a Han name opening an English sentence or a chart line: 彭于庭 passed away, X #26)
    if before in ("label", "blank"):
        # (a blank after it too, or a mark: 全國平 #36, 彭于庭，)
        return acts or (closes and (before == "label" or end >= len(simp) or simp[end] in " \t\n,，;；:：(（)）.。"))
    return acts


_COUNTIES = frozenset(_S(w) for w in (
    "花蓮", "台東", "臺東", "宜蘭", "金門", "連江", "馬祖", "澎湖", "高雄", "台中", "臺中", "台南", "臺南", "台北",
    "臺北", "新竹", "苗栗", "彰化", "南投", "雲林", "嘉義", "屏東", "基隆", "桃園", "新北"))
# a pedigree position (III-2, II-3) or an English label ending right before the name
_EN_BEFORE = re.compile(r"(?<![A-Za-z])(?:[IVX]{1,4}[-‐][0-9]{1,2}|(?i:chart|name|informant|contact|signed|by)"
                        r"|(?i:locker|bed|room|rm)[ \t#]*[0-9]{1,4}[A-Za-z]?|[0-9]{1,4}[ \t]*(?:号)?[床柜])[ \t:：]*$")
# a bracket after the name holding a bed, an age, a sex or a relation (、文心怡（8B-05床）, 林美玲(案妻))
_BRACKET_PERSON = re.compile(r"[ \t]*[(（][^)）\n]{0,12}?(?:床|岁|男|女|病人|案|子|妻|夫|母|父|兄|弟|姐|妹|孙|bed)")
_EN_WORD_BEFORE = re.compile(r"[A-Za-z][ \t]+$")
_LED_BY = re.compile(_S("由") + r"[\u3400-\u9fff]{1,4}?" + _S("陪同"))


def _two(simp: str, i: int, before: str, tags, freq) -> bool:
    end = i + 2
    w = simp[i:end]
    if w in _NOT_NAMES or simp[i + 1] in _STOP:
        return False
    if w in freq and tags.get(w) not in ("nr", "nrfg", "nrt", "ns"):
        return False        # an ordinary word jieba does not hold as a name (方便 a, 全身 n)
    decisive = (_rx(_DECISIVE_AFTER).match(simp, end) is not None and w not in _COUNTIES) \
        or _LED_BY.match(simp, end) is not None      # (花莲|的女儿: a place's, not a person's)
    if before == "person" and i and simp[i - 1] in " \t" and _EN_WORD_BEFORE.search(simp, max(0, i - 16), i):
        return end >= len(simp) or not _is_han(simp[end])     # (uncle 林立 declined)
    if before == "person":
        return decisive or _rx(PERSON_AFTER).match(simp, end) is not None or (
            w not in freq and simp[i + 1] in _GIVEN_SET and (end >= len(simp) or not _is_han(simp[end])))
    if before == "request":
        return decisive or (not w in freq and _rx(ACT_AFTER).match(simp, end) is not None)
    return decisive         # (open, after a label or a blank: only what a person does decides)


def find(simp: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of names that read as words, found by the person context around
    them: 0.85 after a person or request word, a Zhuyin or partly masked name; 0.7 where only
    the layout (a clause's start, a label, a blank) and what follows say so."""
    # (round 12) a word before a temple's or shrine's last character is the place (王爺廟, 媽祖宮)
    return [h for h in _find(simp) if not (h[2] < 0.85 and (simp[h[1] - 1] in _SHRINE_END
                                                           or simp[h[1]:h[1] + 1] in _SHRINE_END))]


_SHRINE_END = frozenset("庙宫寺庵祠殿")


def _find(simp: str) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = [(*m.span(), 0.85) for m in ZHUYIN_NAME.finditer(simp)]
    out += [(*m.span(), 0.85) for m in MASKED_NAME.finditer(simp) if _masked_ok(simp, *m.span())]
    last = -1
    tags = freq = None
    for m in SCAN.finditer(simp):
        i = m.start()
        if i < last:
            continue
        before = _before(simp, i)
        if before is None:
            continue
        if tags is None:
            tags, freq = _tables()
        score = 0.85 if before in ("person", "request") else 0.7
        if simp[i] not in SURNAMES and simp[i:i + 2] not in _COMPOUND:
            continue                            # (上|海, 东|方: a compound's first character alone)
        if simp[i:i + 2] in _COMPOUND:          # (范姜美華, 張簡志豪: the surname is two characters)
            if _three(simp, i, before, tags, freq, 2):
                out.append((i, i + 4, score))
                last = i + 4
            elif i + 3 <= len(simp) and _is_han(simp[i + 2]) and in_english(simp, i, i + 3) \
                    and not _is_word(simp[i:i + 3], tags, freq):
                out.append((i, i + 3, score))   # (round 11) 范姜明 in an English sentence
                last = i + 3
            continue
        if i + 3 <= len(simp) and _three(simp, i, before, tags, freq):
            out.append((i, i + 3, score))
            last = i + 3
        elif _two(simp, i, before, tags, freq):
            out.append((i, i + 2, score))
            last = i + 2
    return out
