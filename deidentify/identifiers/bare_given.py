"""A given name or a nickname without its surname in a slot only a person fills (D1, round 9).

Families and older notes call people by a given name alone, and many of those are also words:
石頭, 春花, 金水, 阿土, 美麗, 志明, 國強.  The word alone cannot decide (石頭很硬, 春花盛開, 她很美麗
are prose); the slot around it can, as in ``person_slots`` (which reads names that open with a
surname):
- a word jieba knows as rare or not at all (春花, 金水, 阿土, 志明, 國強) is a name after a verb of
  telling, a coverb or a relation (交代志明, 由金水陪同, 次女春花) and before anything that ends
  the object, or at a clause's start before a person's act or a title (國強拒絕, 志明先生);
- a frequent word (石頭, 美麗) only where both sides say "person": a verb, a coverb or a relation
  before it and a person's act or a title after it (由石頭陪同, 交代美麗明早…: no; 美麗阿姨: yes),
  or a relation right before it (次女石頭).
Never a kin, role or title word (孫子, 同事, 看護, 家屬, 醫生, 老師, 大家), a pronoun, a function,
verb, time or number word, nor two characters that run on into a longer word.  Every check reads
a fixed window at one position, so the scan is linear.
"""
from __future__ import annotations

import re

from deidentify.identifiers import person_slots as P
from deidentify.identifiers.word_names import _NOT_NAMES

_S = P._S
# the last character of a relation, a role or a group (孫子, 同事, 家人, 護士, 院方, 室友, 司機,
# 同學, 房客): such a word in the slot is who the person is to the patient, not their name; and
# of a place (病房, 病床, 診間, 護理站: 同病房伯伯 is a neighbour, 病房 no name)
_PLACE_END = frozenset(_S("房床室樓區館站廳間處所")) | P._PLACE_END
_ROLE_END = P._KIN_ROLE_END | frozenset(_S("人士家方客居勞察機闆學官眾群輩們隊組班院科衛遞")) | _PLACE_END
# what a name never opens with besides person_slots' list (兩人, 雙方, 各位, 全家, 大家, 有人; 聯絡|人)
_NOT_OPEN = P._NOT_FIRST | frozenset(_S("兩雙各全大有別眾諸某本此另其每人"))
# the last character of an activity or an occupation (家訪, 家管, 陪伴, 探視, 志工): what the
# relation does or is, after 太太 or 女兒, not a name
_ACTIVITY_END = frozenset(_S("訪管伴視診療務農商業職休學"))
# ... and of a time or a position (病中, 院內, 期間, 飯後): when or where, not who
_ACTIVITY_END |= frozenset(_S("中內外上下前後間時裡"))
_NOT_TAGS = P._FUNCTION_TAGS | {"v", "vd", "vg", "t", "tg", "s", "ad", "an"}
_RARE = 50
# (a rare word jieba tags a place word or an abbreviation is a school or a ward: 國中同學, 國小老師;
# one it tags a verb is what is asked for: 協助開立診斷書)
_RARE_NOT_TAGS = P._FUNCTION_TAGS | {"s", "j", "f", "v", "vn", "vd", "vi"}
# body parts and wounds, what a procedure is done to (幫傷口換藥, 替腳趾擦藥): never a name's end
_BODY = frozenset(_S("口部處腳手臂腿腰背胸腹肚臉眼耳鼻嘴牙齒指趾膚皮肉骨管袋"))
_KIN_HONORIFIC = frozenset(_S(w) for w in ("先生", "小姐", "女士", "太太", "阿姨", "伯伯", "阿伯", "伯", "叔叔",
                                           "婆婆", "阿嬤", "阿公"))
# verbs of telling whose object is only ever a person, and the instruction that follows it
_PERSON_ONLY_TELL = frozenset(_S(w) for w in ("交代", "交待", "叮嚀", "叮囑", "囑咐", "吩咐", "轉告", "拜託"))
_INSTRUCTION = re.compile("|".join(map(re.escape, sorted({_S(w) for w in (
    "明早", "明晚", "明天", "今晚", "按時", "注意", "記得", "務必", "不要", "要", "多", "少", "帶", "回診")},
    key=len, reverse=True))))
_NICK = _S("阿")
# (round 10) what is done to a person's own body after a coverb of care (幫石頭翻身, 替美麗擦澡):
# nothing but a person is turned, bathed or fed, so a frequent noun there is a name; and the
# coverbs themselves (not 跟, 和, 由: 跟石頭翻身 says nothing)
_CARE_RX = re.compile("|".join(map(re.escape, sorted({_S(w) for w in (
    "翻身", "拍背", "擦澡", "擦身", "洗澡", "沐浴", "洗頭", "更衣", "穿衣", "換衣服", "換尿布", "餵食", "餵飯", "餵藥",
    "刷牙", "量血壓", "量體溫", "抽血", "打針", "按摩", "剪指甲", "上廁所", "如廁", "下床", "翻身拍背")},
    key=len, reverse=True))))
_CARE_COVERB = frozenset(_S("幫替給請"))
# ... and what a frequent noun names when it is people in general, not one person (寶寶, 病童,
# 孩子, 長輩, 住民): never a name's last character there
_PEOPLE_END = frozenset(_S("寶童孩案民者胎娃輩人兒子女"))
# (round 10) a word of saying used as the clause's verb (美麗說要回家, 美麗說：「…」): what follows
# opens what was said; 老實說, 簡單說 are adverbs jieba does not tag as names
_SAID = re.compile("(?:" + "|".join(map(re.escape, (_S("說"), _S("講"), _S("問")))) + ")(?:[:：「『\"，,]|"
                   + "|".join(map(re.escape, sorted({_S(w) for w in (
                       "要", "想", "不", "沒", "她", "他", "我", "自己", "很", "會", "已", "今天", "明天", "昨天", "好",
                       "等", "可以", "還", "也", "都", "希望", "因為")}, key=len, reverse=True))) + ")")
_SAID_PERSON = re.compile("(?:" + "|".join(map(re.escape, (_S("說"), _S("講")))) + ")[ \t]*[:：「『\"]")
# words that make an adverb with 說 (老實說, 坦白說, 照理說): never the sayer
_SAYING_ADVERBS = frozenset(_S(w) for w in ("老實", "坦白", "照理", "其實", "一般", "簡單", "總之", "按理", "嚴格",
                                            "具體", "客觀", "主觀", "理論", "基本", "大致", "相對", "換句", "反過"))
# the last character of a body of people or a source that "says" (公司, 政府, 學校, 協會; 新聞, 報紙,
# 廣播, 醫囑, 病歷, 日報, 說明書): no given name alone
_SOURCE_END = P._ORG_END | frozenset(_S("司府校會社團黨台行店廠聞紙播囑歷誌刊報單書信視網"))
# a place's or a country's last character (美國說, 台灣說 is no person)
_NOT_SAYER_END = frozenset(_S("國洲省州")) | P._PLACE_END
# (round 11) humble names: parents named children after hardy things so that spirits pass them
# by (石頭, 木頭, 鐵牛, 土豆, 番薯, 水牛, 黑狗, 芋頭): a material, crop or beast that speaks, refuses or
# agrees is a person (石頭說要回家, 鐵牛表示同意); what a thing's own name does stays (石頭很硬)
_HUMBLE_FIRST = frozenset(_S("石木鐵銅土金水火黑番地芋豬狗牛"))
_HUMBLE_LAST = frozenset(_S("頭牛狗豬貓雞虎豆薯瓜蛋"))


def humble(w: str) -> bool:
    """Is the two-character word ``w`` (Simplified) made of a hardy thing's characters?"""
    return len(w) == 2 and w[0] in _HUMBLE_FIRST and w[1] in _HUMBLE_LAST


def take(simp: str, i: int, opening: str | None, tags: dict, freq: dict, listed_next: bool = False) -> bool:
    """Is ``simp[i:i+2]`` a bare given name or nickname in a person's slot (``opening`` as
    ``person_slots._opening`` read it; ``listed_next``: it follows a name found just before,
    across a comma or 、, which a frequent word (陪同X，血糖 180) does not make a name)?"""
    if opening not in ("verb", "person", "start", "patient") or i + 2 > len(simp):
        return False
    patient = opening == "patient"
    if patient:
        opening = "start"       # (病人：石頭先生來電 - what follows a patient word is read as a clause)
    w = simp[i:i + 2]
    if not (P._han(w[0]) and P._han(w[1])) or w[0] in _NOT_OPEN or w[1] in P._NOT_GIVEN:
        return False
    f = freq.get(w) or 0
    t = tags.get(w)
    if (w[1] in _ROLE_END or w[1] in _ACTIVITY_END or w in P._TIME_SET or w in P._TELL_SET
            or t in (_NOT_TAGS if f >= _RARE else _RARE_NOT_TAGS)):
        return False            # (孫子, 阿伯, 同事; 一些, 今天; a rare word jieba tags a time, 秋月, may be a name)
    if P._TITLE_RX.match(simp, i) or P._ACT_RX.match(simp, i) or P._PERSON_RX.search(simp, i, i + 2):
        return False            # (醫生, 老師, 家屬, 看護: a title or a relation, not a name)
    if any(freq.get(w + _S(t)) for t in ("醫師", "醫生", "護理師", "護士")):
        return False            # (主治, 值班, 住院: the head of a staff title, 主治說明 is the doctor)
    e = i + 2
    if any(freq.get(simp[i:e + k]) for k in (1, 2)) or "科" in simp[e:e + 3] \
            or simp[e:e + 2] in P._HOSPITAL_NEXT or _S("醫") in w:
        return False            # (神經|內科, 高雄|市: the two open a longer word; 胸腔|內科, 血液腫瘤科:
                                # a department; 高雄|榮總, 成大|醫院: a hospital)
    nxt = simp[e - 1:e + 1]
    if len(nxt) == 2 and (freq.get(nxt) or 0) >= P._FREQUENT and not P._ACT_RX.match(simp, e) \
            and not _CARE_RX.match(simp, e) \
            and not any(e + k <= len(simp) and freq.get(simp[e:e + k]) for k in (2, 3)):
        return False            # (the second character opens a word with the next: 石頭|很 is fine, 春花|生)
    am = P._ACT_RX.match(simp, e)
    if am and freq.get(simp[i:am.end()]):
        return False            # (主治|醫師, 值班|醫師: one word, a kind of doctor)
    # (a whole honorific or title: 治療 opens 治療師 but 雷射治療 is a treatment)
    title = am is not None and am.group() in P._HONORIFIC
    act = am is not None
    # a decisive act, not a word of saying (老實說, 簡單說 are adverbs; 美麗表示 is a person)
    decisive = am is not None and len(am.group()) >= 2
    kin_title = am is not None and am.group() in _KIN_HONORIFIC
    if humble(w) and opening in ("start", "person") and not title and (
            (decisive and am.group()[0] != _S("說")) or _SAID.match(simp, e) or _SAID_PERSON.match(simp, e)):
        return True             # (round 11) 石頭說要回家, 阿公石頭說要回家, 病人石頭表示同意 (not 石頭說明)
    if f < _RARE:
        # a name-like pair: a given-name character in it, or a nickname's 阿 (金水, 阿土)
        if not (w[0] == _NICK or w[0] in P._GIVEN or w[1] in P._GIVEN):
            return False
        if opening == "start":
            # (after a patient word only a kin honorific: 病人：阿土伯來院, not 病人國中同學)
            return kin_title if patient else act or title
        return act or title or P._any_close(simp, e, tags, freq)
    if t not in ("n", "nr", "nrt", "nz", "ns", "a", "nrfg") or listed_next or w[1] in _PEOPLE_END:
        return False            # (round 10) 寶寶, 孩子, 長輩: people in general, whatever jieba tags them
    if opening == "start":
        # (病房|護理長, 公司|經理, 國文|老師: a frequent word before a staff title is the title's
        # place or subject; before a kin honorific (石頭先生, 建國伯, 美麗阿姨) it is a name; a word
        # jieba knows as a name or a place says "person" with an act too)
        sayer = w[1] not in _NOT_SAYER_END and w not in P._COUNTIES and not patient and w not in _SAYING_ADVERBS
        return (kin_title and t in ("n", "nr", "nrt", "nrfg", "nz", "ns")) or (
            (decisive or (sayer and _SAID.match(simp, e))) and not title and not patient
            and t in ("nr", "nrt", "nrfg", "nz", "ns")) or (
            # (a common noun is the sayer only before what is quoted: 石頭說：「…」; 老實說她很好,
            # 報告說要追蹤 are an adverb and a thing that "says")
            t == "n" and sayer and w[1] not in _PEOPLE_END and w[1] not in _BODY and w[1] not in _SOURCE_END
            and _SAID_PERSON.match(simp, e))
    named = t in ("nr", "nrt", "nrfg", "nz", "ns", "a") or (
        t == "n" and (w[0] in P._GIVEN or w[1] in P._GIVEN) and w[1] not in _BODY)
    done = P._DONE_TO.match(simp, e)
    if opening == "verb" and ((done and len(done.group()) >= 2 and named) or (
            simp[i - 2:i] in _PERSON_ONLY_TELL and _INSTRUCTION.match(simp, e))):
        return True             # (幫美麗翻身, 幫金花翻身, not 幫傷口換藥; 交代建國明早空腹, 叮嚀石頭按時服藥)
    if (opening == "verb" and t in ("n", "nr", "nrt", "nrfg", "nz", "ns") and simp[i - 1:i] in _CARE_COVERB and _CARE_RX.match(simp, e)
            and w[1] not in _BODY and w[1] not in _PEOPLE_END and w[1] not in _NOT_SAYER_END and w not in P._COUNTIES):
        return True             # (round 10) 幫石頭翻身, 替石頭擦澡: only a person is turned or bathed
    if (opening == "person" and w not in _NOT_NAMES and P._any_close(simp, e, tags, freq)
            and not (tags.get(w[0]) == "v" and (freq.get(w[0]) or 0) >= 1000)):
        return True             # (次女石頭, 出席：美麗、…; 家屬陳述病人, 女兒念書: what they said or do)
    return act or title
