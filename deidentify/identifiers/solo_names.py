"""Names no surname list or name pair gives away (D1, round 14).

- A one-word foreign name opening an English sentence before what only a person does
  (Siti said ..., Wulan called, Ratree accompanied): the word is in no English, clinical, device,
  place or drug list (a caregiver's one name: Siti, Wulan, Marites, Thuy).
- A roster's or a form's line: a weekday, a shift or a caregiver's word, then one to three
  capitalised words and the line's end (週一 Sri, 小夜 Maricel Dela Cruz, Carer: Lorna).
- An employer named by a word (雇主解元, 雇主江山。, 老闆藍天): after 雇主/僱主/老闆/頭家 and before the
  clause's end, a surname and one or two characters that jieba tags no verb, adverb or function
  word (雇主同意, 雇主高興, 雇主方面 stay).
- Japanese names: a listed Japanese family name and one to three given characters standing alone
  (佐藤花子, 鈴木一郎, 渡邊直美), and romanised ones (Sato Hanako, Hanako Sato: a listed family name
  beside a word of Japanese syllables).
Runs on the normalised text (half-width, Simplified; same offsets as the original).
"""
from __future__ import annotations

import functools
import re

from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import by_first_char
from deidentify.regex_cache import compiled

_S = to_simplified
_WORD = r"[A-Z][a-z]{1,15}"
# what only a person does, in English, after a sentence-opening name
_PERSON_VERBS = ("said|says|reported|reports|called|calls|came|comes|arrived|accompanied|accompanies|stated|states|told"
                 "|asked|asks|refused|refuses|agreed|agrees|signed|signs|visited|visits|brought|brings|helped|helps|fed"
                 "|feeds|noticed|mentioned|explained|complained|complains|cried|cries|denied|denies|requested|requests"
                 "|phoned|texted|answered|answers|worries|insists|insisted|wants|wanted|went|returned|stays|stayed"
                 "|lives|lived|promised|promises|cooks|cooked|bathes|bathed|speaks|spoke|understands|understood")
OPENER = compiled(r"(?:^|(?<=[\n\x00.!?;])|(?<=[.!?;:][ \t])|(?<=[.!?;:][ \t]{2})|(?<=\b[SOAP]:[ \t]))[ \t]*"
                  r"(?P<n>" + _WORD + r")[ \t]+(?=(?:" + _PERSON_VERBS + r")(?![a-z]))", re.MULTILINE)
# ... several words (Ni Made Ayu said, Nong May said: the first on no English list)
OPENER_WORDS = compiled(r"(?:^|(?<=[\n\x00.!?;])|(?<=[.!?;:][ \t]))[ \t]*(?P<n>" + _WORD + r"(?:[ \t]+" + _WORD
                        + r"){1,2})[ \t]+(?=(?:" + _PERSON_VERBS + r")(?![a-z]))", re.MULTILINE)
# a name set apart by the person's role (Wayan, the caregiver, said; Siti - our helper -)
_ROLES_EN = ("caregiver|carer|caretaker|helper|maid|aide|daughter|son|wife|husband|mother|father|sister|brother"
             "|granddaughter|grandson|niece|nephew|neighbou?r|friend|employer|interpreter|translator|guardian")
APPOSITIVE = compiled(r"(?<![A-Za-z])(?P<n>" + _WORD + r"(?:[ \t]+" + _WORD + r"){0,2}),[ \t]+(?:the|his|her|their|our|a)"
                      r"[ \t]+(?:patient'?s[ \t]+|foreign[ \t]+|live-in[ \t]+|Indonesian[ \t]+|Vietnamese[ \t]+"
                      r"|Filipina[ \t]+|Thai[ \t]+)?(?:" + _ROLES_EN + r")(?![a-z])")
# a one-word name opening a line (or after a colon) before its age (Somchai, 45M; Pasang 62歲)
NAME_AGE = compiled(r"(?:^|(?<=[\n\x00])|(?<=[:：])[ \t]*)(?P<n>" + _WORD + r"),?[ \t]+[0-9]{1,3}[ \t]*"
                    r"(?:M|F|y/o|yo|y|歲|岁|-year)(?![A-Za-z])", re.MULTILINE)
# Korean names romanised (Kim Min-jun, Park Ji-yeon): a listed family name, a hyphenated given name
KOREAN = compiled(r"(?<![A-Za-z])(?P<n>(?:Kim|Park|Choi|Jung|Jeong|Kang|Cho|Yoon|Jang|Lim|Han|Oh|Seo|Shin|Kwon|Hwang|Ahn"
                  r"|Song|Yoo|Hong|Jeon|Moon|Yang|Son|Bae|Baek|Heo|Nam|Noh|Kwak|Sung|Cha|Joo|Woo|Min|Ryu|Jin|Chae|Won"
                  r"|Chun|Bang|Pyo|Yeo|Choo|Lee)[ \t][A-Z][a-z]{1,5}-[a-z]{2,6})(?![A-Za-z\-])")
# Malay and Indonesian patronymics (Ahmad bin Ismail, Siti binti Abdullah)
PATRONYMIC = compiled(r"(?<![A-Za-z])(?P<n>" + _WORD + r"(?:[ \t]+" + _WORD + r")?[ \t]+(?:bin|binti|bte|bt|b\.)[ \t]+"
                      + _WORD + r"(?:[ \t]+" + _WORD + r")?)(?![A-Za-z])")
# what opens a roster's or a form's line before a person
_LINE_LABELS = "|".join(sorted({re.escape(_S(w)) for w in (
    "週一 週二 週三 週四 週五 週六 週日 週天 星期一 星期二 星期三 星期四 星期五 星期六 星期日 星期天 周一 周二 周三 周四 周五 周六 周日 "
    "白班 早班 中班 晚班 小夜 大夜 夜班 日班 值班 主護 看護 外籍看護 看護工 照顧者 主要照顧者 居服員 陪病 陪同者 聯絡人 負責人 "
    "Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Carer Caregiver Caretaker Helper Maid Aide Sitter Companion Escort Contact By Recorder Informant Interpreter "
    "記錄者 紀錄者 填表人 填寫人 通報者 翻譯員 通譯").split()}, key=lambda w: (-len(w), w)))
LINE_LABEL = compiled(r"(?:^|(?<=[\n\x00]))[ \t]*(?:" + _LINE_LABELS + r")\.?[ \t]*[:：]?[ \t]*(?P<n>" + _WORD
                      + r"(?:[ \t]+" + _WORD + r"){0,2})[ \t]*(?=$|[\n\x00\t|,;(])", re.MULTILINE)
_EMPLOYER = compiled(_S(r"(?:雇主|僱主|老闆|老板|頭家|僱用人|雇用人)[ \t]*(?P<n>[\u4e00-\u9fff]{2,3})(?=$|[\s\x00,.;。，；、!?！？)）\]<|])"))
# what follows 雇主 at a clause's end and is no name (jieba tags them nouns)
_EMPLOYER_WORDS = frozenset(_S(w) for w in (
    "方面 全家 家屬 家人 本人 夫婦 夫妻 太太 先生 兒子 女兒 那邊 這邊 一家 家中 家裡 公司 單位 仲介 同意書 資料 電話 地址 "
    "簽名 簽章 代表 負責人 姓名 雙方 更換 變更 名字 名稱 聯絡 不詳 未知 不明 無 有 家庭 責任 意見 態度 要求 關係 部分 立場 "
    "說法 心情 情況 狀況 費用 薪水 同事 朋友 鄰居").split())
_FUNCTION_TAGS = ("v", "d", "p", "c", "u", "r", "m", "q", "t", "f", "b", "z", "y", "e", "o", "l", "i")
# Japanese family names (Kanji, Simplified after normalisation) and given-name characters
_JP_SURNAMES = frozenset(_S(w) for w in (
    "佐藤 鈴木 高橋 田中 渡邊 渡邉 渡辺 伊藤 山本 中村 小林 加藤 吉田 山田 佐佐木 佐々木 山口 松本 井上 木村 清水 山崎 池田 "
    "橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 齊藤 斉藤 斎藤 福田 太田 西村 藤井 "
    "金子 岡本 藤原 中野 三浦 原田 松田 竹內 竹内 小野 田村 和田 石田 森田 上田 柴田 酒井 工藤 橫山 横山 宮崎 宮本 內田 "
    "内田 高木 安藤 島田 谷口 大野 丸山 今井 高田 藤本 武田 村田 上野 杉山 增田 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 "
    "櫻井 桜井 木下 野口 松尾 菊地 野村 新井 渡部 佐野 大西 杉本 新田 荒木 大久保 宮田 小島 平田 松下 土屋 市川 堀 "
    "北村 大石 西田 秋山 中田 松岡 服部 飯田 中西 川口 水野 星野 菅野 田代 今村 吉川").split())
_JP_GIVEN = frozenset(_S(
    "郎太子美惠恵代江枝男夫雄二一三樹也彥彦介助吉次平奈香穗穂里繪絵織菜實実智誠健翔大輔治司朗之造藏蔵作衛門兵彌弥"
    "紀希保裕和幸信正明秀英清春夏秋冬雪花月由真直優愛結陽菊梅松竹櫻桜子乃音理沙咲彩步歩葉亞亜那麻未"))
_JP_ROMAN_SURNAMES = frozenset(
    "sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki yamaguchi "
    "matsumoto inoue kimura shimizu yamazaki ikeda hashimoto ishikawa yamashita nakajima ishii ogawa maeda okada "
    "hasegawa fujita goto kondo murakami endo aoki sakamoto saito fukuda ota nishimura fujii kaneko okamoto "
    "fujiwara nakano miura harada matsuda takeuchi ono tamura nakayama wada ishida morita ueda shibata sakai kudo "
    "yokoyama miyazaki miyamoto uchida takagi ando shimada taniguchi ono maruyama imai takada fujimoto takeda "
    "murata ueno sugiyama masuda koyama otsuka hirano sugawara kubo matsui chiba iwasaki sakurai kinoshita noguchi "
    "matsuo kikuchi nomura arai watabe".split())
# a word of Japanese syllables (Hanako, Ichiro, Kenji, Yumi): consonant(s) and a vowel, a closing n
_JP_SYLLABLES = re.compile(r"(?:(?:[kgsztdnhbpmyrwfj]|sh|ch|ts|ky|gy|ny|hy|by|py|my|ry)?[aiueo]{1,2}n?(?![aiueo]))+",
                           re.IGNORECASE)
JP_HAN = compiled(r"(?<![\u4e00-\u9fff])(?P<n>[\u4e00-\u9fff]{3,6})(?![\u4e00-\u9fff])")
JP_AFTER_PERSON = compiled(_S(r"(?:病人|病患|患者|個案|案主|住民|家屬|先生|太太|小姐|看護|雇主|陪同|由|請|姓名[:：]?)[ \t]*")
                           + r"(?P<n>" + "|".join(sorted(_JP_SURNAMES, key=lambda w: (-len(w), w))) + r")")
JP_ROMAN = compiled(r"(?<![A-Za-z])(?P<a>" + _WORD + r")(?=[ \t]+(?P<b>" + _WORD + r")(?![A-Za-z]))")
# what every match holds (the scrubber's prefilter), each led by a character set or grouped by its
# first character, so the engine skips to a possible start at C speed
_LABELS_PLAIN = "|".join(sorted({_S(w) for w in _LINE_LABELS.replace("\\", "").split("|")}, key=lambda w: (-len(w), w)))
GATES = (compiled(r"[A-Z][a-z]{1,15}[ \t]+(?:" + by_first_char(_PERSON_VERBS) + r")(?![a-z])"),
         compiled(r",[ \t]+(?:the|his|her|their|our|a)[ \t]"),
         compiled(r"[A-Z][a-z]{1,15},?[ \t]+[0-9]{1,3}[ \t]*(?:M|F|y/o|yo|y|歲|岁|-year)(?![A-Za-z])"),
         compiled(r"[ \t][A-Z][a-z]{1,5}-[a-z]{2,6}"),
         compiled(r"[ \t](?:bin|binti|bte|bt|b\.)[ \t]+[A-Z]"),
         compiled(r"(?:" + by_first_char("|".join(w for w in _LABELS_PLAIN.split("|") if not w.isascii()))
                  + r")\.?[ \t]*[:：]?[ \t]*[A-Z][a-z]"),
         compiled(r"(?<![A-Za-z])(?i:" + by_first_char("|".join(sorted({w.lower() for w in _LABELS_PLAIN.split("|")
                                                                         if w.isascii()}, key=lambda w: (-len(w), w))))
                  + r")(?-i:\.?[ \t]*:?[ \t]*[A-Z][a-z])"),
         compiled(r"(?:" + by_first_char(_S("雇主|僱主|老闆|老板|頭家|僱用人|雇用人")) + r")[ \t]*[\u4e00-\u9fff]{2,3}"
                  r"(?:$|[\s\x00,.;。，；、!?！？)）\]<|])"),
         compiled(r"(?:" + by_first_char("|".join(sorted(_JP_SURNAMES, key=lambda w: (-len(w), w)))) + r")[\u4e00-\u9fff]"),
         compiled(r"(?:" + "|".join(f"{c.upper()}(?:{'|'.join(sorted((w[1:] for w in _JP_ROMAN_SURNAMES if w[0] == c), key=lambda w: (-len(w), w)))})"
                                    for c in sorted({w[0] for w in _JP_ROMAN_SURNAMES})) + r")(?![a-z])"))


@functools.cache
def _tags() -> dict:
    import jieba.posseg

    jieba.posseg.dt.initialize() if hasattr(jieba.posseg.dt, "initialize") else None
    return jieba.posseg.dt.word_tag_tab


def _latin_ok(words: list[str]) -> bool:
    from deidentify.identifiers import drug_brands, latin_slots
    from deidentify.identifiers.latin_slots import _words_ok

    return (_words_ok(words) and not any(w.lower() in drug_brands.BRANDS or w.lower() in _NOT_PEOPLE for w in words)
            and latin_slots is not None)


def _several_ok(words: list[str]) -> bool:
    """The first word on no English list, none a kin, role, drug or place word (Ni Made Ayu)."""
    return bool(words) and _latin_ok(words[:1]) and not any(w.lower() in _NOT_PEOPLE for w in words)


def _opener_ok(w: str) -> bool:
    from deidentify.identifiers import drug_brands
    from deidentify.identifiers.latin_slots import _PLACES_AND_BODIES
    from deidentify.identifiers.western_names import ordinary_word

    lw = w.lower()
    return not (ordinary_word(w) or lw in _NOT_PEOPLE or lw in drug_brands.BRANDS or lw in _PLACES_AND_BODIES)


# role and kin words an English note opens a sentence with that the word lists leave out
_NOT_PEOPLE = frozenset(
    "caregiver carer caretaker staff wife husband mom mum dad grandma grandpa granny neighbor neighbour landlord "
    "teacher interpreter translator volunteer everyone everybody someone somebody nobody anyone grandson "
    "granddaughter grandchild aunt auntie cousin nephew niece boyfriend girlfriend partner spouse guardian "
    "employer agency broker police ambulance paramedic pharmacist therapist dietitian dietician nutritionist "
    "physician surgeon resident intern clerk fellow attending nursing dressing suction feeding bathing "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december ok okay yes no none nil family relatives sibling siblings "
    "maid helper aide sitter companion escort contact case client user member visitor guest worker "
    "patient pt patients daughter son mother father sister brother uncle friend resident nurse doctor dr "
    "male female lady gentleman sex gender age drug alcohol abuse "
    "husband wife child children baby infant grandmother grandfather parents parent kid kids boy girl man woman "
    "foley ng ngt catheter drain tube picc cvc port stent pump monitor ventilator bipap cpap oxygen".split())


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of one-word foreign names, roster names, employers named by a word and
    Japanese names in ``simp``."""
    if not any(g.search(simp) for g in GATES):
        return []
    # (before a person's verb a word only a label list holds is a name too: Hoa, Lan)
    out = [m.span("n") for m in OPENER.finditer(simp) if _latin_ok([m.group("n")]) or _opener_ok(m.group("n"))]
    out += [m.span("n") for m in OPENER_WORDS.finditer(simp) if _several_ok(m.group("n").split())]
    out += [m.span("n") for m in APPOSITIVE.finditer(simp) if _several_ok(m.group("n").split())]
    out += [m.span("n") for m in NAME_AGE.finditer(simp) if _latin_ok([m.group("n")]) or _opener_ok(m.group("n"))]
    out += [m.span("n") for m in KOREAN.finditer(simp)]
    out += [m.span("n") for m in PATRONYMIC.finditer(simp) if _several_ok(m.group("n").split()[:1])]
    # (the first word decides: Maricel Dela Cruz - Dela and Cruz are words of some list)
    out += [m.span("n") for m in LINE_LABEL.finditer(simp) if (_latin_ok(m.group("n").split()[:1]) or _opener_ok(m.group("n").split()[0]))
            and not any(w.lower() in _NOT_PEOPLE for w in m.group("n").split())]
    out += [m.span("n") for m in _EMPLOYER.finditer(simp) if _employer_name(m.group("n"))]
    out += _japanese(simp)
    return sorted(set(out))


def _employer_name(w: str) -> bool:
    # (no surname asked: a firm there is an employer to mask as well; default deny)
    if w in _EMPLOYER_WORDS:
        return False
    tag = _tags().get(w)
    if tag is None:         # (no dictionary word: a name unless an adverb or verb opens it: 不同意, 很好)
        tag = _tags().get(w[:1]) or "n"
    return not tag.startswith(_FUNCTION_TAGS)


def _japanese(simp: str) -> list[tuple[int, int]]:
    out = []
    for m in JP_HAN.finditer(simp):
        run, a = m.group("n"), m.start("n")
        for k in (3, 2):
            fam, given = run[:k], run[k:]
            if fam in _JP_SURNAMES and 1 <= len(given) <= 3 and given[-1] in _JP_GIVEN:
                out.append((a, m.end("n")))
                break
    # ... and inside a sentence after a person word (病人佐藤花子今日出院): two given characters, or one
    for m in JP_AFTER_PERSON.finditer(simp):
        a = m.start("n")
        given = simp[m.end("n"):m.end("n") + 2]
        k = 2 if len(given) == 2 and given[1] in _JP_GIVEN else 1 if given[:1] in _JP_GIVEN else 0
        if k:
            out.append((a, m.end("n") + k))
    for m in JP_ROMAN.finditer(simp):
        a, b = m.group("a"), m.group("b")
        fam, given = (a, b) if a.lower() in _JP_ROMAN_SURNAMES else (b, a) if b.lower() in _JP_ROMAN_SURNAMES else (None, None)
        if fam and _JP_SYLLABLES.fullmatch(given) and _latin_ok([given]):
            out.append((m.start("a"), m.end("b")))
    return out
