"""Names right after a staff or care role, whatever words their characters make (D1).

Probes wrote 保全高雄偉, 書記成功輝, 治療師林業明, 專科護理師高明: a surname whose first two
characters also make a word (高雄 a city, 成功 success, 林業 forestry, 高明 clever), so the
name finders, which ask whether the characters read as a word, left them.  After a role word
the same characters are a person: a listed surname and one or two more Han characters,
ending where the sentence goes on (punctuation, the end, or a verb of what staff do: 協助,
陪同, 說, 表示 ...).  Works on the Simplified normal form, like the other Chinese finders.
"""
from __future__ import annotations

import re

from deidentify.identifiers.chinese_names import SINGLE_SURNAMES
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import by_first_char

# Roles of people around a patient (Simplified); longest first so 专科护理师 wins over 护理师.
_ROLES = sorted({to_simplified(r) for r in (
    "護理師", "專科護理師", "護士", "護理長", "保全", "警衛", "書記", "治療師", "呼吸治療師",
    "物理治療師", "職能治療師", "語言治療師", "社工", "社工師", "個管師", "個案管理師", "營養師",
    "藥師", "醫師", "主治醫師", "住院醫師", "值班醫師", "實習醫師", "清潔員", "看護", "照服員",
    "志工", "助理", "研究助理", "技術員", "放射師", "檢驗師", "醫檢師", "心理師", "督導", "組長",
    "工友", "司機", "傳送員", "專員", "同事", "室友", "鄰居", "同學", "老師")}, key=len, reverse=True)
# Surnames that are also common function words right after a role (医师于今日..., 护理师余下...)
_NOT_HERE = set(to_simplified("于余"))
_SURNAME = "".join(sorted({to_simplified(c) for c in SINGLE_SURNAMES} - _NOT_HERE))
# Where the name ends: punctuation, a space, the end, or what the person then does.
_GOES_ON = ("協助", "陪同", "巡房", "說", "表示", "來電", "交班", "提到", "告知", "說明", "處理",
            "執行", "評估", "完成", "給予", "回覆", "聯絡", "訪視", "負責", "接手", "幫忙", "前來",
            "來", "到", "已", "在", "與", "和", "及", "的", "今", "也", "則", "將", "會", "請", "再",
            "詢問", "發現", "通知", "建議", "解釋", "送", "帶", "推")
_VERBS = "|".join(sorted({re.escape(to_simplified(w)) for w in _GOES_ON}, key=len, reverse=True))
_END = r"(?=[\s，。、；：！？,.;:!?()（）「」『』\-—]|$|(?:" + _VERBS + "))"
# the surname, then a given name that does not open with what the person does (护理师王说)
# (grouped by first character: the engine skips to a role's first character at C speed)
_LEAD = ("(?:" + by_first_char("|".join(map(re.escape, _ROLES))) + r")[ \t:：]?(?P<n>[" + _SURNAME + r"](?!(?:"
         + _VERBS + r"))")
# greedy: a three-character name (surname and a two-character given name, the common form) is
# tried before a two-character one at each role
ROLE_NAME = re.compile(_LEAD + r"[\u3400-\u9fff]{1,2})" + _END)


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of names after a role word in Simplified text."""
    return [m.span("n") for m in ROLE_NAME.finditer(simp)]
