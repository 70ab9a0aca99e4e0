"""Words every name finder may read as a name but that are clinical words (D1, round 13).

Applied once to every finder's name findings (``deidentify.text.finders.raw_batch``), so that a
drug, a disease or a lab term is not a name whichever finder proposed it:
- electrolyte and lab states 高血鉀, 低血鈉 (高/低 are surnames, 血X is no given name);
- transliterated drug names, a finding running into a drug stem (孟魯|司特, 華法林);
- eponymous diseases (范可尼, 帕金森, 薛格連) and a finding right before 氏症 / 症候群;
- a role or kin noun after a surname-shaped preposition (醫師 向|家屬 說明), a form's header word
  (主護  床號), a description 高又胖, a weather word 雷陣雨;
- a bracketed country, language or acronym after a relation (看護（Indonesia）, 案子（CEO）).
A labelled value (姓名：…) is not asked: the label says it is a name.
"""
from __future__ import annotations

import re

from deidentify.identifiers import drug_brands
from deidentify.identifiers.normalise import to_simplified

_S = to_simplified
# 高血鉀, 低血鈉 … (blood levels), 高尿酸, 低血氧
_LAB_STATE = re.compile(_S("[高低]血[鉀鈉鈣鎂磷氯氨脂糖壓酮氧鋅鐵]|[高低]尿酸|[高低]蛋白"))
# endings of transliterated generic drug names (montelukast 孟魯司特, warfarin 華法林, captopril 卡托普利)
_DRUG_STEM = re.compile(_S(
    "司特|普利|沙坦|洛爾|他汀|黴素|西林|替尼|單抗|地平|拉唑|沙星|頭孢|培南|硝酯|雙胍|列淨|肝素|卡因|西泮|唑侖|法林|必利|"
    "曲坦|洛芬|匹林|匹靈|西汀|噻嗪|米特|嗎啡|可待因|匹坦|格列|帕明|替丁|拉坦|來得|沙明|利班|加群|諾芬|克肟|達比"))
# eponymous diseases and syndromes written in transliteration
_EPONYMS = frozenset(_S(w) for w in (
    "范可尼", "帕金森", "阿茲海默", "薛格連", "休格倫", "史蒂文生", "威爾森", "貝賽特", "庫欣", "克隆", "雷諾",
    "格雷夫斯", "葛瑞夫", "吉蘭巴雷", "馬凡", "杜顯", "亨丁頓", "艾迪森", "蓋布瑞", "季鵬", "妥瑞",
    "班奈特", "梅尼爾", "柯沙奇", "賀奇金", "何杰金", "伯奇氏", "巴金森", "安格曼", "普瑞德威利"))
_DISEASE_AFTER = re.compile(_S("氏症|氏病|症候群|綜合症|綜合征|氏貧血"))
# what a surname-shaped preposition or title leads that is a person's role, not their given name
_ROLE_TAILS = frozenset(_S(w) for w in (
    "家屬", "家人", "病人", "病患", "患者", "個案", "案主", "本人", "大家", "對方", "雙方", "父母", "子女", "親友", "院方"))
# a form's or table's header words (主護  床號): no person
_HEADER_WORDS = frozenset(_S(w) for w in (
    "床號", "病房", "診斷", "日期", "備註", "時間", "簽名", "科別", "床位", "病歷", "狀況", "主訴", "處置", "計畫"))
_DESCRIPTION = re.compile(_S("[高矮胖瘦黑白壯老小大]又[高矮胖瘦黑白壯老小大醜美]"))
_WORDS = frozenset(_S(w) for w in ("雷陣雨", "陣雨", "滿天星期"))
# Latin words a relation's brackets hold that say where a person is from or what they do
_LATIN_NOT_NAMES = frozenset(w.lower() for w in (
    "Indonesia", "Indonesian", "Vietnam", "Vietnamese", "Philippines", "Filipino", "Filipina", "Thailand", "Thai",
    "Malaysia", "Myanmar", "Burmese", "Cambodia", "Japan", "Japanese", "Korea", "Korean", "China", "Chinese",
    "Taiwan", "Taiwanese", "America", "American", "USA", "Canada", "Australia", "English", "Hakka", "Atayal",
    "Amis", "Paiwan", "Bunun", "Truku", "Tayal", "Rukai", "Puyuma", "Tsou", "Saisiyat", "Yami", "Tao", "Seediq",
    "Thao", "Kavalan", "Sakizaya", "Kanakanavu", "Saaroa", "Muslim", "Catholic", "Christian", "Buddhist", "retired",
    "student", "teacher", "nurse", "doctor", "engineer", "housewife", "farmer", "driver", "worker", "deceased",
    # (round 14) what a roster's or a form's person field holds that is no person (Carer: Off, 看護： Nil)
    "off", "nil", "none", "null", "ok", "okay", "self", "family", "pending", "unknown", "tbd", "vacant", "dressing",
    "wound", "dressing change", "wound care"))
_ACRONYM = re.compile(r"[A-Z]{2,5}\Z")


def vetoed(simp: str, original: str, a: int, b: int) -> bool:
    """Is the name finding ``[a, b)`` a clinical or ordinary word (see the module's list)?"""
    w = simp[a:b].strip()
    if not w:
        return False
    # (round 14) a drug brand with or without its transliteration (Lyrica（利瑞卡）), a hyphenated
    # clinical token after a romanised surname (Tan A-V fistula): drug_brands
    if drug_brands.is_drug(simp, a, b) or drug_brands.clinical_hyphen(original, a, b):
        return True
    if w.isascii():
        o = original[a:b].strip()
        # (an acronym only in a relation's brackets: CHEN, LIN are names in a DICOM header)
        return w.lower() in _LATIN_NOT_NAMES or (bool(_ACRONYM.match(o)) and a > 0 and simp[a - 1] in "(（")
    lo, hi = max(0, a - 6), min(len(simp), b + 6)
    near = simp[lo:hi]
    for m in _LAB_STATE.finditer(near):
        if m.start() + lo <= a < m.end() + lo:
            return True
    for m in _DRUG_STEM.finditer(near):
        x, y = m.start() + lo, m.end() + lo
        if a < x <= b < y + 1 and _all_han(simp[a:y]):
            return True           # 孟魯|司特: the finding runs into the stem
        if a <= x and y <= b:
            return True           # 華法林 found whole
    if any(w.startswith(e) or e.startswith(w) and len(w) >= 2 and simp.startswith(e, a) for e in _EPONYMS):
        return True
    if _DISEASE_AFTER.match(simp, b) and len(w) >= 2:
        return True               # 薛格連|氏症: a name is not followed by 氏症
    if w[1:] in _ROLE_TAILS or w in _HEADER_WORDS or w in _WORDS:
        return True
    return bool(_DESCRIPTION.search(w))


def _all_han(s: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" for c in s)
