"""Names standing in a slot only a person fills (D1, round 8).

A Chinese name is a surname (single, compound or one of the rarer ones) and one or two more
characters; what the characters themselves read as - a number (伍佰, 高一凡), a function word
(古又文), a famous word (莫言) - cannot decide it.  The slot around it can: the position of the
object of a verb of telling or handing over (交代王小明, 轉告, 叮嚀), of a coverb before another
verb (幫古又文翻身, 替/給/讓/請/叫/跟/和/與/同/由 X + verb), of a companion (陪同莫言來, 偕同,
由 X 陪), or of the subject of a verb of refusing, agreeing, asking or saying at a clause's start
(高一凡拒絕), or before an honorific or a staff title (伍佰先生, 王小明個管師).

A candidate is taken when the words on both sides say "person":
- a *strong* opening (a verb of telling, a coverb, 陪同/偕同) and any closing that ends the
  object (a dictionary word that is not a name, a verb character, punctuation, the end); or
- a clause's start (the text's start, punctuation, a blank, a time word) and a *strong* closing
  (a verb only a person does: 拒絕, 同意, 詢問, 表示, 說 ..., or an honorific or title).
The candidate itself must not read as an ordinary word: the given part holds no function
character a name never holds (的, 了, 是 ...), a two-character candidate is no frequent word that
is not a name (高一 and 高興 are, 伍佰 and 莫言 are not), a given pair is no frequent word of a
function class (一些), and the surname with its first given character is no frequent ordinary
word (高度, 林業, 方向).  Three characters are tried before two (交代王小明|明早: the closing
decides where the name ends).  Works on the Simplified normal form; every check reads a fixed
window, so the scan is linear.
"""
from __future__ import annotations

import re

from deidentify.identifiers.chinese_names import COMPOUND_SURNAMES, GIVEN_CHARS, SINGLE_SURNAMES, _tables
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.rare_surnames import UNLISTED
from deidentify.identifiers.regex_gate import by_first_char
# (word_names' lists: what is done to a person after a request, 幫X量血壓; two-character words
# jieba tags as names that are ordinary words in notes, 陳述, 康復)
from deidentify.identifiers.word_names import _NOT_NAMES, ACT_AFTER

_S = to_simplified


def _words(*ws: str) -> tuple[str, ...]:
    return tuple(sorted({_S(w) for w in ws}, key=len, reverse=True))


# (于 余 are function words after conversion: 于今日, 余下)
_GIVEN = frozenset(_S(GIVEN_CHARS))
# (and rarer ones of the household registers, read only in a person's slot: 戈, 冉, 卞, 聶 …)
RARER = ("戈冉卞聶邢屈賈柴佟饒甘左翁邵秦湯仇敖桂闕查晏鄔隋滕喬靳應裴寇祁勞藍鄺蒲仝幸閔巫褚鈕"
         "嚴瞿鄒龔閻酈覃衛尹郁雍宓鄢鍾滿扈寧姬匡聞喻欒殷晁舒侯俞柏黎駱辛夏孔包薛柯"
         "皮焦裘麥卓涂凃紀莊游簡詹蔣魏丁鄧曾彭蕭")
_SURNAMES = frozenset(_S(c) for c in SINGLE_SURNAMES + UNLISTED + RARER) - set("于余")
_COMPOUND = frozenset(_S(c) for c in COMPOUND_SURNAMES)
# characters no given name holds, between a surname and what follows it
_NOT_GIVEN = frozenset(_S("的了是在有著过也都就不没很把被將将和與与及或而從从對对向到為为之其此該这那個个們们嗎吗呢吧啊"
                          "，。、；：！？（）()「」『』 \t\n,.;:!?"))

# verbs whose object is a person: telling, handing over, asking, reaching, accompanying
_TELL = _words(
    "交代", "交待", "交給", "交付", "交班給", "轉交", "遞給", "傳給", "告訴", "告知", "轉告", "通知", "提醒", "叮嚀", "叮囑",
    "囑咐", "吩咐", "拜託", "委託", "託付", "詢問", "請教", "安撫", "說服", "勸說", "勸導", "衛教", "指導", "教導", "協助",
    "幫助", "感謝", "謝謝", "聯絡", "聯繫", "致電", "打給", "回覆", "回電給", "答覆", "陪同", "偕同", "陪伴", "探望", "探視",
    "照顧", "接送", "轉介", "照會", "約", "問", "勸", "找", "載", "帶", "陪",
    # (round 9) asking for someone, introducing oneself: 請問萬一鳴伯在嗎, 我是莫言女士
    "請問", "我是", "我叫", "他是", "她是", "名叫", "叫做")
# coverbs: a person between them and the verb after (幫X翻身, 由X陪)
_COVERB = _words("幫", "替", "給", "讓", "請", "叫", "跟", "和", "與", "同", "由", "向", "被", "對", "請幫", "請替")
# a clause's start: time words before a subject
_TIME = _words("今天", "昨天", "明天", "今日", "昨日", "明日", "今早", "今晨", "稍早", "剛剛", "剛才", "上午", "下午",
               "早上", "晚上", "中午", "凌晨", "傍晚", "後來", "目前", "當時", "此時", "隨後", "之後", "另外", "其後",
               # (round 9) a shift is a time too: 白班王小明→夜班莫言小姐
               "白班", "夜班", "小夜", "大夜", "日班")
# what only a person does, said of a subject; honorifics and staff titles after a name
_ACT = _words(
    "拒絕", "同意", "答應", "詢問", "表示", "表達", "說", "說明", "講", "問", "回答", "回應", "要求", "希望", "決定",
    "簽署", "簽名", "簽字", "代簽", "代領", "來電", "來院", "來訪", "來探", "陪同", "陪", "負責", "照顧", "抱怨", "反映",
    "提到", "提及", "指出", "主訴", "自述", "坦承", "否認", "承認", "哭訴", "擔心", "覺得", "認為", "知道", "了解", "理解",
    "接受", "不願", "不肯", "不想", "堅持", "打算", "聯絡", "回電", "致電", "抵達", "離開", "離院", "出院", "返家",
    "先生", "小姐", "女士", "太太", "阿姨", "伯伯", "阿伯", "伯", "叔叔", "婆婆", "阿嬤", "阿公", "醫師", "醫生",
    "護理師", "護理長", "個管師", "社工師", "社工", "藥師", "營養師", "治療師", "老師", "主任", "同學", "師傅", "師姐", "師兄")
# the honorifics and kin titles among them (志明先生, 國強伯: a given name before one is a person)
_HONORIFIC = frozenset(_words("先生", "小姐", "女士", "太太", "阿姨", "伯伯", "阿伯", "伯", "叔叔", "婆婆", "阿嬤",
                              "阿公", "醫師", "護理師", "個管師", "社工師", "老師", "師傅", "師姐", "師兄"))
# single characters that go on a coverb's clause (由X陪, 讓X來, 跟X說)
_VERB_CHARS = frozenset(_S("來去說講問叫要想會看陪帶到回住吃睡拿簽換填做寫走坐躺洗送打接聽幫替給留"))
_PUNCT = frozenset("，。、；：！？（）()「」『』,.;:!?\n\t ")

# kin, role and list words after which a person stands (the round-7 finders read most of them;
# here they let a word-like name through: 次女石頭, 出席：連又新（長子）)
_PERSON = _words(
    "長子", "次子", "三子", "長女", "次女", "三女", "案妻", "案夫", "案子", "案女", "案父", "案母", "外孫", "外孫女", "孫子",
    "孫女", "媳婦", "女婿", "姪子", "姪女", "外甥", "表哥", "表姐", "表妹", "表弟", "堂哥", "堂姐", "乾女兒", "乾兒子",
    "鄰居", "同居人", "室友", "看護", "家屬", "配偶", "父", "母", "兄", "姊", "祖父", "祖母", "外公", "外婆", "太太", "先生", "丈夫", "妻子", "兒子", "女兒", "母親", "父親",
    "哥哥", "姐姐", "姊姊", "弟弟", "妹妹", "照顧者", "主要照顧者", "家庭照顧者", "聯絡人", "緊急聯絡人", "監護人",
    "出席", "出席者", "與會者", "參加者", "參與者", "出席人員", "成員", "個案", "案主", "病人", "病患", "住民", "姓名",
    "回撥請找", "請找", "找", "貴院", "本院", "敝院", "貴科", "本科", "貴單位")
_PERSON_RX = re.compile("(?:" + by_first_char("|".join(map(re.escape, _PERSON))) + r")[ \t:：]*$")
# English words before a Han name: a relation, a role, a letter's salutation or subject, a list
_PATIENT_RX = re.compile("(?:" + "|".join(map(re.escape, _words("病人", "病患", "個案", "案主", "住民", "患者")))
                         + r")[ \t]*$")
_EN_PATIENT_RX = re.compile(r"(?<![A-Za-z])(?:S|s|pt|Pt|PT)\.?[ \t:：]*$")
_EN_PERSON_RX = re.compile(r"(?<![A-Za-z])(?i:client|patient|pt|re|dear|present|caregiver|with|and|by|to|for|s|"
                           r"contacted|called|met|son|daughter|wife|husband|mother|father|employer|informant|"
                           r"signed|attn|cc|from|mr|ms|mrs|dr)\.?[ \t:：]*$")
_COUNTIES = frozenset(_S(w) for w in ("花蓮", "台東", "臺東", "宜蘭", "金門", "連江", "馬祖", "澎湖", "高雄", "台中",
                                      "臺中", "台南", "臺南", "台北", "臺北", "新竹", "苗栗", "彰化", "南投", "雲林", "嘉義",
                                      "屏東", "基隆", "桃園", "新北"))
# the last character of a two-character name that is also a word (高峰, 金城, 林立, 白雪, 莫言):
# the common given-name characters and those of nature a name often ends in
_NAME_CHARS = _GIVEN | frozenset(_S("峰城里河江山川海雪霜雲立正言磊星飛鵬翔雄傑原野森泉岳嶽陽"))
_CONTENT_TAGS = {"n", "vn", "v", "a", "an", "ad", "l", "i"}
# given characters a name holds in the middle though they are function words elsewhere (石之瑜, 蘇也青)
_MIDDLE_OK = frozenset(_S("之也"))
_LAST_OK = frozenset(_S("為"))     # (佟大為, 張大為)
# an age or sex after a blank or in brackets (莫文蔚 92-year-old, 車又晴 (高齡92歲), X，92歲): a person
_AGE_AFTER = re.compile(r"[ \t]*[,，(（]?[ \t]*(?:" + _S("高齡") + r")?[0-9]{1,3}[ \t]*(?:" + _S("歲") + r"|y/?o|yr|y(?![a-z])|-year|F(?![a-z])|M(?![a-z]))")
# a form line's next field, or a bracketed number (a chart number, a phone), right after a name
# (病人：駱以軍 身分證 …, 邵又蘭 (8375270), 佟大為 健保卡 …)
_FIELDS = _words("身分證", "身份證", "健保卡", "病歷號", "病歷", "電話", "手機", "出生", "生日", "地址", "住址", "性別", "年齡")
_FIELD_AFTER = re.compile(r"[ \t]*[(（，,]?[ \t]*(?:" + "|".join(map(re.escape, _FIELDS)) +
    r"|(?:ID|ARC|NHI|DOB|Tel|LINE|Chart|MRN)(?![A-Za-z])|[(（][ \t]*(?:[0-9]|" + _S("民國") + "))")
# a bed before a name (S: 9B-23 佟大為, ICU-9 夏于喬); a unit's letters, not any (COVID-19 陰性)
_BED_BEFORE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{1,2}[A-Z]{1,2}-?[0-9]{1,3}|(?:[A-Z]{0,2}ICU|CCU|RCW|RCC|PCU|ER|ED|HD|OBS)-[0-9]{1,2})(?:" + _S("床")
                         + r")?[ \t]*$")
# what stands between two names of a list (王小明（長子）、林美玲): the next one is a person too
_LIST_GAP = re.compile(r"(?:[(（][^()（）\n]{0,8}[)）])?[ \t]*(?:[、,，/及和與与跟]|and)[ \t]*")
# what is done to a person after a request (幫X量血壓, 替X翻身: word_names' list)
_DONE_TO = re.compile("(?:" + by_first_char("|".join(map(re.escape, ACT_AFTER))) + ")")
_ACT_RX = re.compile("(?:" + by_first_char("|".join(map(re.escape, _ACT))) + ")")
_TIME_SET = frozenset(_TIME)
_TELL_SET = frozenset(w for w in _TELL + _COVERB if len(w) == 2)
_NAME_TAGS = {"nr", "nrfg", "nrt", "ns", "nz"}
_FUNCTION_TAGS = {"m", "q", "r", "p", "c", "u", "uj", "ul", "uz", "ug", "ud", "uv", "f", "y", "d", "mq"}
_FREQUENT = 100
_NOT_BEFORE = (_FUNCTION_TAGS - {"c"}) | {"a", "b", "v", "vn", "n"}
# the scrubber's prefilter: a text holding none of these words holds no slot this finder reads
# what a given part never opens with: a title or kin word (王先生, 林醫師, 王媽媽 are a surname and a
# title, found elsewhere)
_TITLE_RX = re.compile("(?:" + by_first_char("|".join(map(re.escape, _words(
    "先生", "小姐", "女士", "太太", "阿姨", "伯伯", "阿伯", "叔叔", "婆婆", "阿嬤", "阿公", "醫師", "醫生", "護理", "個管",
    "社工", "藥師", "營養", "治療", "老師", "主任", "同學", "師傅", "師姐", "師兄", "媽媽", "爸爸", "奶奶", "爺爺",
    "伯母", "嬸", "姑", "舅", "家屬", "經理", "董事", "總", "老闆")))) + ")")
# a number word and a unit (伍佰元, 三千塊): money, not a person
_NUMERALS = frozenset(_S("一二三四五六七八九十百千萬佰仟拾壹貳參肆伍陸柒捌玖兩"))
_UNITS = frozenset(_S("元塊圓萬億角"))
# a place's last character (石家莊, 高雄市): a candidate ending in it or running into it is a place
_PLACE_END = frozenset(_S("莊村鎮鄉屯堡寨灣港島橋洲嶺埔坑寮厝市縣區里路街巷號樓"))
# (round 9) the last character of a department or an office (復健科, 檢驗部, 社服室, 衛生所)
_ORG_END = frozenset(_S("科部室院所局處組"))
# the last character of a thing, a drug or a finding, never of a name (沈積物, 口罩, 藥膏, 血脂)
_TERM_END = frozenset(_S("物品劑液器症炎瘤罩膏錠粉脂"))
# (round 10) ... and of a card, a form or a machine one brings or dials (帶健保卡, 轉分機, 掛號單)
_TERM_END |= frozenset(_S("卡單證冊機"))
# characters that spell foreign words in Han (賀爾蒙, 凡士林 is a word; 史蒂文生): no Taiwanese given name
_TRANSLITERATION = frozenset(_S("爾斯蒂"))
# what follows a hospital's short name (高雄榮總, 奇美醫院, 林口長庚); verbs of using or prescribing
# before a blank, whose object is a drug (改用 普拿疼, 服用 X), not a person
_HOSPITAL_NEXT = frozenset(_S(w) for w in ("醫院", "榮總", "長庚", "診所", "醫學", "附醫"))
_USE_END = frozenset(_S("用服予立開"))
# adverbs a clause's verb opens with, never a name's last character (小雄已|返家, X仍|發燒)
_ADVERBS = frozenset(_S("已仍還均皆曾尚便再也都"))
_HAN_RX = re.compile(r"[\u3400-\u9fff]")
# (round 9) the last character of a kin or role noun (孫子, 孫女, 同事, 看護, 家屬, 個管師, 房東): a
# dictionary word ending so, in a person's slot, is the person's relation, not their name
_KIN_ROLE_END = frozenset(_S("子女兒孫父母哥姐姊弟妹爸媽叔伯姨舅姑嫂婿媳妻夫公婆嬤爺奶友事員師護屬工長東主伴侶"))
# characters that end a word and open none (患者|之心, 學者, 讀者; 們, 性): never a name's first
_SUFFIX_ONLY = frozenset(_S("者們性化式率"))
# what opens no name: pronouns, demonstratives, function and verb characters
_NOT_FIRST = (frozenset(_S("我你他她它您咱這那此其各每某本該誰啥什麼怎哪")) | _NOT_GIVEN | _VERB_CHARS | _SUFFIX_ONLY
              | {w for w in _COVERB + _TELL if len(w) == 1})
GATE = re.compile(by_first_char("|".join(map(re.escape, sorted(set(_TELL + _COVERB + _ACT + _PERSON + _FIELDS),
                                                                 key=len, reverse=True))))
                  + r"|[A-Za-z0-9][ \t:：]+[\u3400-\u9fff]|[\u3400-\u9fff][ \t]+[\u3400-\u9fff]|[(（][ \t]*[0-9]")


def _han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _strong_open(simp: str, i: int, tags: dict, freq: dict) -> bool:
    """A verb of telling or a coverb ends right at ``i`` and is not the tail of a longer word
    (一同, 不同, 共同, 如同 are adverbs and adjectives, not 同 + a person)."""
    for k in (3, 2, 1):
        w = simp[i - k:i] if i >= k else ""
        if w and (w in _TELL or w in _COVERB):
            before = simp[i - k - 1:i] if i > k else ""
            if before and tags.get(before) in _NOT_BEFORE and before not in _TELL:
                continue      # (共同, 一同, 不同: the coverb ends another word; 并同 is "and with")
            if (freq.get(simp[i - k:i + 1]) or 0) >= _FREQUENT:
                continue      # (同时, 由于, 向来: the coverb and the surname make a word)
            return True
    return False


def _opening(simp: str, i: int, tags: dict, freq: dict) -> str | None:
    """What stands before ``i``: "verb" (a verb of telling or a coverb), "person" (a kin, role or
    list word, a meeting's list label, an English word for a person or a letter's salutation,
    with a colon or blanks between), "start" (a clause's start) or None."""
    if _strong_open(simp, i, tags, freq):
        return "verb"
    j = i
    while j > 0 and simp[j - 1] in " \t:：":
        j -= 1
    if j < i and j > 0 and _han(simp[j - 1]) and (_strong_open(simp, j, tags, freq)
                                                   or (tags.get(simp[j - 2:j]) in ("v", "vn")
                                                       and simp[j - 1] not in _USE_END)):
        return "verb"                   # (訪視 談又銘, 轉介 X: a verb, a blank, the name)
    pm = _PERSON_RX.search(simp, max(0, j - 12), j)
    em = j < i and _EN_PERSON_RX.search(simp, max(0, j - 16), j)
    if pm or em or (j < i and _BED_BEFORE.search(simp, max(0, j - 12), j)):
        if j == i and (freq.get(simp[i - 1:i + 1]) or 0) >= _FREQUENT:
            return None                 # (round 9) the word runs on into the candidate: 病患|者之心
        # (round 9) a patient word or SOAP's S: opens the patient's own state as often as a
        # name (病人華美，續觀察, 看護表示病人夜眠差, S:萬一 …): "patient", weaker than a relation
        if (pm and _PATIENT_RX.search(simp, max(0, j - 4), j)) or (em and _EN_PATIENT_RX.search(simp, max(0, j - 10), j)):
            return "patient"
        return "person"
    if i == 0 or simp[i - 1] in _PUNCT or not _han(simp[i - 1]):
        return "start"
    return "start" if simp[max(0, i - 2):i] in _TIME_SET else None


def _strong_close(simp: str, e: int) -> bool:
    return (_ACT_RX.match(simp, e) is not None or _AGE_AFTER.match(simp, e) is not None
            or _FIELD_AFTER.match(simp, e) is not None)


def _any_close(simp: str, e: int, tags: dict, freq: dict) -> bool:
    """The object ends here: the end, punctuation or a non-Han character, a verb character, or
    a dictionary word that is not a name (翻身, 明早, 休息); never 的 (高一些的劑量)."""
    if e >= len(simp) or simp[e] in _PUNCT or not _han(simp[e]):
        return True
    if simp[e] == "的":
        return False
    if simp[e] in _VERB_CHARS or simp[e] == "之" or _strong_close(simp, e) or _DONE_TO.match(simp, e):
        return True
    return any(e + k <= len(simp) and freq.get(simp[e:e + k]) and tags.get(simp[e:e + k]) not in _NAME_TAGS
               for k in (2, 3))


def _ordinary(simp: str, a: int, s_end: int, e: int, tags: dict, freq: dict, firm: bool) -> bool:
    """Does the candidate ``simp[a:e]`` (surname up to ``s_end``) read as an ordinary word?
    ``firm``: a person's word stands on one side (拒絕, 先生; 陪同, 次女), so a surname opening a
    number word or a conjunction (萬一鳴, 高一凡) and a given character 之/也 (石之瑜) are let
    through."""
    given = simp[s_end:e]
    banned = _NOT_GIVEN - _MIDDLE_OK if firm and len(given) == 2 else _NOT_GIVEN
    last = _NOT_GIVEN - _LAST_OK if firm and len(given) == 2 else _NOT_GIVEN
    if any(c in banned or not _han(c) for c in given[:1]) or any(c in last or not _han(c) for c in given[1:]) \
            or _TITLE_RX.match(simp, s_end):
        return True
    if ((given[-1] in _PLACE_END and (len(given) == 2 or given[-1] != "里") and not _ACT_RX.match(simp, e))
            or (len(given) == 2 and given[-1] in _ORG_END and (freq.get(given) or freq.get(simp[a:e - 1])))
            or simp[e:e + 1] in _PLACE_END):
        return True            # 石家庄, 龙安里, 高雄|市 (万里 alone, 蒲千里说 are names)
    if ((simp[a] in _NUMERALS or given[0] in _NUMERALS)
            and (given[-1] in _UNITS and simp[a] in _NUMERALS or simp[e:e + 1] in _UNITS)):
        return True            # 伍佰元, 伍佰|块, 王三|元 (童三元 is a name)
    whole = simp[a:e]
    wf = freq.get(whole) or 0
    if (given[-1] in _TERM_END or any(c in _TRANSLITERATION for c in given) or _S("醫") in given
            or simp[e:e + 2] in _HOSPITAL_NEXT or "科" in simp[e:e + 3]):
        return True            # (round 9) a thing or a finding: 沈積|物, 戴口|罩, 高血|脂; a hospital
                               # or a department: 成大醫|院, 高雄|榮總, 新陳代|謝科
    if simp[a:a + 2] in _TELL_SET:
        return True            # (round 9) 轉介|打電話: the verb of telling itself, not a surname
    # (round 9) the relation in the slot, not a name: a kin or role noun (孫子, 同事, 看護, 房東),
    # or three characters opening with one made of two kin characters (孫女|婿)
    if (len(given) == 1 and wf >= 20 and given in _KIN_ROLE_END) or (
            len(given) == 2 and simp[a] in _KIN_ROLE_END and given[0] in _KIN_ROLE_END
            and (freq.get(simp[a:a + 2]) or 0) >= 20):
        return True
    # ... a number: a dictionary word of numerals only (萬一), or a numeral running into more (高齡九|十五)
    if (all(c in _NUMERALS for c in whole) and wf >= 20) or (given[-1] in _NUMERALS and (
            simp[e:e + 1] in _NUMERALS or simp[e:e + 1] == _S("歲"))):
        return True
    # ... and a candidate whose last character opens a title or a kin word (鄰床阿|伯, 王小阿|姨)
    m = _TITLE_RX.match(simp, e - 1) or _ACT_RX.match(simp, e - 1)
    if m and m.end() > e:
        return True
    if len(given) == 2 and wf >= _FREQUENT and tags.get(whole) not in _NAME_TAGS:
        return True            # 全家人, 高一些 (two characters: _word_name_ok decides)
    head = simp[a:s_end + 1]
    if (len(given) == 2 and (freq.get(head) or 0) >= 500 and tags.get(head) not in _NAME_TAGS
            and not (firm and tags.get(head) in ("m", "c", "d"))):
        return True            # 高度X, 方向X: the surname opens a frequent word (万一|鸣拒绝 is let through)
    gf, gt = freq.get(given) or 0, tags.get(given)
    if len(given) == 2 and ((gf >= 1000 and gt in _FUNCTION_TAGS and not (firm and gt == "d"))
                            or (gf >= 300 and gt in _CONTENT_TAGS)):
        return True            # 高|一些, 高|剂量 (一心, 三元 are rarer; 佟大为 holds an adverb, 大为)
    # the candidate runs into a word: its last character and the next make a frequent word and no
    # word of two or more characters starts after it (高血|压; 王小明|明早 is cut at 明早)
    nxt = simp[e - 1:e + 1]
    if (len(nxt) == 2 and (freq.get(nxt) or 0) >= _FREQUENT and _han(nxt[1])
            and not any(e + k <= len(simp) and freq.get(simp[e:e + k]) for k in (2, 3))
            and _ACT_RX.match(simp, e) is None):
        return True
    return False


def _word_name_ok(w: str, tags: dict, freq: dict, both: bool) -> bool:
    """A two-character candidate that is a frequent word (高峰, 石頭, 金城, 伍佰) stands for a
    person only between two person's words (由石頭陪同, 高峰護理師, 次女石頭 +886): a noun or a
    name jieba knows, not a verb, adjective, adverb or time (高燒, 方便, 白天); a place only when
    both sides are a person's (女兒金門 is where she is)."""
    f = freq.get(w) or 0
    if f < _FREQUENT:
        return True
    t = tags.get(w)
    if not both or w in _NOT_NAMES or not (w[-1] in _NAME_CHARS or t == "m"):
        return False           # (全身, 常規, 康復, 陳述: no name ends so; 萬里 is a number word)
    return (t in ("nr", "nrfg", "nrt", "nz", "m") or (t == "n" and f < 1000)    # (高中 n is a school year)
            or (t == "ns" and w not in _COUNTIES))


def _two_ok(w: str, tags: dict, freq: dict) -> bool:
    """A surname and one character: a common given-name character (吳明), or a pair jieba does
    not know (伍佰) or knows as a name it has seen (莫言) - not one it tags nr by accident once
    or twice (白班)."""
    if tags.get(w) in ("s", "j", "f"):
        return False        # (round 9) a place word or an abbreviation: 國中|同學, 國小|老師
    return w[-1] in _NAME_CHARS or not freq.get(w) or (tags.get(w) in _NAME_TAGS and freq[w] >= 10) \
        or (freq.get(w) or 0) >= _FREQUENT


def _unlisted_ok(simp: str, i: int, tags: dict, freq: dict) -> bool:
    """A surname no list holds (霍, 樊, 韋 …), taken only where a verb or a person's word opens
    the slot: three characters jieba knows as no word, whose given pair is no frequent content
    word (提醒|病人量, 讓|他休息 are words and what follows)."""
    three = simp[i:i + 3]
    if len(three) < 3 or not all(_han(c) for c in three) or freq.get(three):
        return False
    if three[0] in _S("阿小老") or three[0] in _KIN_ROLE_END or _TITLE_RX.match(simp, i) or three[2] in _ORG_END or three[2] in _ADVERBS:
        return False        # (round 9) 阿嬤|說, 小雄|已: a nickname or kin title, no surname; 復健科: a department
    if i > 0 and _han(simp[i - 1]) and tags.get(three[0]) == "v" and (freq.get(three[0]) or 0) >= 1000:
        return False        # (round 9) a verb right after the request: 請撥|分機, 幫拿|藥袋 (談 after a blank is a name)
    gf, gt = freq.get(three[1:]) or 0, tags.get(three[1:])
    return not ((gf >= 100 and gt in _CONTENT_TAGS) or (gf >= 1000 and gt in _FUNCTION_TAGS))


# ON since round 9 (round 8 shipped it off: it masked ~50 ordinary texts of earlier rounds' tests,
# 同事照顧孫子, 萬一, 華美, 高齡九十五, 看護表示病人…; each class is closed above: kin and role
# nouns, number words, patient words, words that run on, verbs, departments).  The switch stays
# so rules_index can show a test fails with the finder off.
ENABLED = True


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of names standing in a person's slot in Simplified text."""
    if not ENABLED or not GATE.search(simp):
        return []
    from deidentify.identifiers import bare_given, old_given     # (they read this module's tables)
    from deidentify.identifiers.name_runs import starts_a_word   # (name_runs imports the name finders)

    tags, freq = _tables()[4], _tables()[5].FREQ
    out: list[tuple[int, int]] = []
    covered = 0
    for m in _HAN_RX.finditer(simp):
        i = m.start()
        if i < covered:
            continue
        listed = simp[i] in _SURNAMES or simp[i:i + 2] in _COMPOUND
        bare = simp[i] not in bare_given._NOT_OPEN
        # (round 10) an old wish-name (來福, 罔市, 招弟), whatever its first character reads as
        old = old_given.is_old_name(simp, i, tags, freq)
        if old_given.wish_phrase(simp, i):
            covered = i + 4             # (添丁進財: two wishes in a row are a greeting, not a name)
            continue
        if not listed and not bare and not old:
            continue
        opening = _opening(simp, i, tags, freq)
        listed_next = bool(out and _LIST_GAP.fullmatch(simp, out[-1][1], i))
        if listed_next:
            opening = "person"          # the next name of a list (出席：A（長子）、B（長女）、C)
        # (round 9) a given name alone (石頭, 志明) in the slot, where no surname opens one: bare_given
        alone = (old and old_given.take(simp, i, opening, tags, freq)) or (
            bare and opening is not None and bare_given.take(simp, i, opening, tags, freq, listed_next))
        if opening is None or not listed and (simp[i] in _NOT_FIRST or (freq.get(simp[i:i + 2]) or 0) >= 20
                                              or not _unlisted_ok(simp, i, tags, freq)
                                              or opening in ("start", "patient")
                                              and not (_ACT_RX.match(simp, i + 3) or _FIELD_AFTER.match(simp, i + 3))):
            if alone:
                out.append((i, i + 2))
                covered = i + 2
            continue
        s_end = i + 2 if simp[i:i + 2] in _COMPOUND else i + 1
        strong = opening != "start"
        for e in ((s_end + 2, s_end + 1) if listed else (s_end + 2,)):
            if e > len(simp):
                continue
            firm = _strong_close(simp, e)
            if _ordinary(simp, i, s_end, e, tags, freq, firm or strong):
                continue
            if e - s_end == 1 and not (_two_ok(simp[i:e], tags, freq)
                                       and _word_name_ok(simp[i:e], tags, freq, strong or firm)):
                continue
            if opening == "patient" and not firm and ((freq.get(simp[i:e]) or 0) >= 20 or (e - s_end == 2 and any(
                    (freq.get(w) or 0) >= 50 and tags.get(w) not in _NAME_TAGS for w in (simp[s_end:e],)))):
                continue        # (病人華美，, 病人高|血脂, 病人戴|口罩: the patient's state; 病人林立表示 is a name)
            if not (firm or (strong and _any_close(simp, e, tags, freq))):
                continue
            # (a frequent word let through above, 高峰, 石頭, is not asked again whether it is a word)
            # (and a surname with two characters that open no word is not asked either: 蒲千|里 is
            # no word however jieba reads 千里)
            if ((freq.get(simp[i:e]) or 0) < _FREQUENT and not (e - s_end == 2 and not freq.get(simp[i:s_end + 1])
                                                                  and simp[i:s_end + 1] not in _NOT_NAMES)
                    and starts_a_word(simp, i, e)):
                continue
            out.append((i, e))
            covered = e
            break
        else:
            if alone:
                out.append((i, i + 2))
                covered = i + 2
    return out
