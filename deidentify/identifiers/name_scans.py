"""The regular scans of the context name finder (``name_context``): a relation, a bed, a
department, a bracket or a Japanese surname next to a name.  Patterns only; the decisions
(is the run a name, a word, a clinical term?) are in ``name_context``.  Simplified Chinese,
as matching runs on the normalised text.
"""
from __future__ import annotations

from deidentify.identifiers.chinese_names import COMPOUND_SURNAMES, SINGLE_SURNAMES
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import Gated
from deidentify.identifiers.romanised_names import SURNAMES as _ROMANISED_SURNAMES
from deidentify.regex_cache import compiled

# A relation written as one character before a name (父方国华, 母方林美云, 夫王大明): weak on its
# own, so the name must open with a listed surname and not be an ordinary word.
KIN_BEFORE = compiled(r"(?<![\u4e00-\u9fff])[父母夫妻兄弟姊姐妹][ \t]*[:：]?[ \t]*(?=[\u4e00-\u9fff]{2})")
# (the scans below are gated: tried only where their first character can stand, see regex_gate)
KIN_BEFORE = Gated(KIN_BEFORE, "[父母夫妻兄弟姊姐妹]")
# A relation of several characters before a name (育有一女劉欣怡, 由其子蔡英陪同, 長女 王 小 華,
# 老公黃國華): an order or a pronoun with a kin word.  Any kin word may open an ordinary phrase
# (其子宮, 一女性), so the name must open with a listed surname and not be a word, as above.
# (a listed surname must follow: the scan then stops at few places, the prefilter included)
_SURNAME_FIRSTS = "".join(sorted({to_simplified(c) for c in SINGLE_SURNAMES + "".join(s[0] for s in COMPOUND_SURNAMES)}))
_KIN_ONE = "子女儿妻夫兄弟姊姐妹哥孙媳婿侄姪甥父母爸妈"
_KIN_WORDS = "儿子|女儿|孙子|孙女|外孙女|外孙|外甥女|外甥|侄子|侄女|姪子|姪女|媳妇|女婿|妻子|丈夫|太太|先生|老公|老婆|老伴"
RELATION_BEFORE = Gated(compiled(
    r"(?:[其一二三四五六长次幼独养大小胞亲前继干](?:(?<=其)[长次大小幼]|(?<=[一二三四五六])[个名位])?"
    r"(?:" + _KIN_WORDS + r"|[" + _KIN_ONE + r"])|" + _KIN_WORDS + r")[ \t]*[:：]?[ \t]*(?=[" + _SURNAME_FIRSTS + r"])"),
    "[其一二三四五六长次幼独养大小胞亲前继干儿女孙外侄姪媳妻丈太先老]")
# Japanese names (travellers, spouses, expatriates): a common Japanese surname, which Chinese
# reads as an ordinary word (山田, 田中), and one to three given characters or kana.  Only where
# the note says so: 日籍/日本 just before, a context word right before, a romanised form in
# brackets or さん/様 right after.  (Simplified forms, as the text is read.)
_JA_SURNAMES = ("佐藤|铃木|高桥|田中|伊藤|渡边|渡部|山本|中村|小林|加藤|吉田|山田|佐佐木|山口|松本|井上|木村|斋藤|"
                "清水|山崎|池田|桥本|阿部|石川|山下|中岛|石井|小川|前田|冈田|长谷川|藤田|后藤|近藤|村上|远藤|青木|"
                "坂本|斉藤|福田|太田|西村|藤井|金子|冈本|藤原|中野|三浦|原田|中川|松田|竹内|小野|田村|中山|和田|"
                "石田|森田|上田|柴田|酒井|工藤|横山|宫崎|宫本|内田|高木|安藤|岛田|谷口|大野|高田|丸山|今井|河野|"
                "藤本|村田|武田|上野|杉山|增田|小山|大塚|平野|菅原|久保|松井|千叶|岩崎|樱井|木下|野口|松尾|菊地|"
                "野村|新井|西田|北村|大西|松冈|水野|浅野|荒木|大久保|小松|服部|星野|吉川|永井|片山|矢野|山内|堀")
JAPANESE_NAME = compiled(r"(?:" + _JA_SURNAMES + r")")
_JA_HONORIFIC = compiled(r"[ \t]*(?:[(（][ \t]*[A-Z]|さん|様|桑)")

_JA_GATE = compiled(r"日籍|日本|日侨|日商|さん|様|桑")
_JA_BEFORE = compiled(r"(?:日籍|日本籍|日本人|日本|日侨|日商)[^\n。]{0,6}$")
# A department then blanks then a run standing alone: the person of that department
# (处方医师：内科 游士贤 ；, 会诊 心脏内科　陈建志): a listed surname first, not a word.
# A surname given alone with 姓 (陈姓看护, 由林姓家属陪同): the surname still narrows the person.
SURNAME_XING = compiled(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{1,2})姓(?=[\u4e00-\u9fff])|"
                        r"(?<=[由与和及的位名是为请])([\u4e00-\u9fff]{1,2})姓(?=[\u4e00-\u9fff])")
romanised_surnames = frozenset(w.lower() for w in _ROMANISED_SURNAMES)
# A Latin name with its Han characters after it in brackets: Dr. Huang (黄), Lin Mei-hua（林美华）
# (one character only after a romanised surname: "left (左)" is no name)
HAN_AFTER_LATIN = compiled(r"(?<![A-Za-z'’\-])([A-Za-z][A-Za-z'’\-]*)[ \t]*[（(]([\u4e00-\u9fff]{1,4})[)）]")
DEPT_BEFORE = compiled(r"[\u4e00-\u9fff]科[ \t]+(?=[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff]))")
# A bed introduces the patient in it: 13床甄美琪, 12-1床：王小明, 床号 5 王小明.
# (Written as (?:[0-9]{1,4}…床|床号…) with the first character taken out front: one character
# set first lets the engine skip at C speed; the same matches.)
BED = compiled(r"[0-9床](?:(?<=[0-9])[0-9]{0,3}(?:-[0-9]{1,2})?[ \t]*床|(?<=床)号[ \t]*[:：]?[ \t]*[0-9]{1,4}(?:-[0-9]{1,2})?)"
               r"[ \t]*[:：]?[ \t]*(?=[\u4e00-\u9fff])")
_RELATIONS = ("案子|案女|案母|案父|案妻|案夫|案孙|案媳|儿子|女儿|母亲|父亲|配偶|孙子|孙女|媳妇|女婿|哥哥|姐姐|弟弟|妹妹|"
              "家属|朋友|看护|照顾者|联络人|监护人|男友|女友|同居人|邻居|室友|病人|病患|本人|妻|夫|子|女|母|父|兄|弟|"
              "姐|妹|孙|媳")
# A name followed by its relation in brackets: 小美（案女）, 王大明(病人之子), 林美惠（母）.
RELATION_AFTER = compiled(r"[ \t]*[（(](?:病人|病患|患者|个案|案)?之?(?:" + _RELATIONS + r")[)）]")
# A surname used as a nickname on its own (老王（王金土）, 小陈、阿林): 老/小/阿 + a listed surname
# with no Han character on either side (老毛病, 小王子 are words). Built with the surname table.
NICKNAME_SHAPE = Gated(compiled(r"(?<![\u4e00-\u9fff])[老小阿][\u4e00-\u9fff](?![\u4e00-\u9fff])"), "[老小阿]")
# One-character kin titles after a name or nickname: 阿娇姨, 林姐, 王大哥, 陈婶.
KIN_TITLE = compiled(r"[姨婶伯叔哥姐姊嫂婆](?![\u4e00-\u9fff]?[:：])")
# A Latin title before Han characters (Dr. 黃, Dr.林美玲, Mr 陳): the surname, or the name.
LATIN_TITLE_HAN = compiled(r"(?i:(?<![a-z])(?:dr|mr|mrs|ms|miss|prof|nurse|np|rn|mt|rt|ot|pt|ma|pa|md|vs|cr|r[1-5]|pgy[12]?))"
                           r"\.?[ \t]*(?=[" + _SURNAME_FIRSTS + r"])")
# (every match: a Latin letter, maybe a dot and blanks, then a surname; a scan opening with a
# character set is skipped to at C speed, the titles' look-behind is tried at every position)
LATIN_HAN_GATE = compiled(r"[A-Za-z]\.?[ \t]*[" + _SURNAME_FIRSTS + r"]")
# Specialties a practice is named by after its doctor's surname (谢内科诊所, 陈小儿科; longest
# first: 小儿科 before 儿科).
_SPECIALTIES = ("小儿专科", "耳鼻喉科", "内儿科", "内外科", "妇幼", "综合", "小儿科", "妇产科", "皮肤科", "泌尿科", "家医科", "复健科", "身心科", "精神科", "肠胃科",
                "胃肠科", "神经科", "骨外科", "整形外科", "心脏科", "内科", "外科", "儿科", "眼科", "牙科", "骨科",
                "妇科", "产科", "牙医", "中医", "医美", "耳科")
CLINIC = compiled("|".join(_SPECIALTIES))
# A given name told on its own after 名/名叫/名字是 (病人名 明华, 名字叫志明, 名：志明; bare 名 only
# after a person word, a break or at the start): ``name_forms`` decides; ``name_runs`` keeps
# such a name even when it is a word (建国).
GIVEN_TOLD = compiled(r"[名叫单本](?:(?<=名)字(?:叫做|叫作|叫|是|为)?|(?<=名)[叫为]|(?<=叫)做|(?<=单)名(?:一个)?"
                      r"|(?<=本)名|(?<=[人者子女儿他她其之的,，、;；。 \t]名)|(?<=名)(?<![\u4e00-\u9fff]名))"
                      r"[ \t]*[:：]?[ \t]*(?:是|为|叫做|叫)?[ \t]*[「『“\"]?(?!字)([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")
# ... and a part after a Latin label (first name 明华, Surname: 林; ``name_forms`` checks the word
# before "name")
LATIN_TOLD = compiled(r"[nN][aA][mM][eE][ \t]*[:：]?[ \t]*([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])")
