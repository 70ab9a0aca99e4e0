"""A name in Latin letters standing in a Chinese sentence's person slot (D1, round 11).

Indigenous names (Walis Nokan, Yapu Tali, Panay Kacaw) and foreign caregivers' names (Siti
Aminah, Maria Santos) are in no name list, and in a Chinese note no English context word comes
before them: the Chinese sentence around them says "person" instead:
- two or three capitalised words that no list holds as English, clinical, device or place
  words, then (a blank allowed) what only a person does (來院, 表示, 陪同, 拒絕, 說, 來電), or a
  Chinese coverb, verb of telling or caregiving word before them (由, 請, 跟, 交代, 看護) and the
  clause going on in Chinese after them (由 Siti Aminah 陪同);
- one such word only with both: the word before and the act after (看護 Siti 說, 由 Walis 陪同).
A drug or device name (Panadol, Foley) does no person's act; a ward or clinic word is on the
lists.  Works on the normalised (half-width, Simplified) form; every pattern opens with a
character set and is bounded, so the scan is linear.
"""
from __future__ import annotations

import re

from deidentify.identifiers.layout_names import _WORD_GIVEN
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import by_first_char
from deidentify.regex_cache import compiled

_S = to_simplified


def _alt(words: str) -> str:
    # (longest first, then in order: the pattern's text is the same in every process, which the
    # regex cache needs)
    return "|".join(sorted({re.escape(_S(w)) for w in words.split()}, key=lambda w: (-len(w), w)))


# what only a person does or has right after the name (the sentence's verb)
_ACTS = _alt("接聽 接電話 代接 來院 到院 來電 回電 來診 回診 表示 陪同 陪伴 同意 拒絕 詢問 簽名 簽署 代簽 說 講 問 主訴 自述 提到 反映 "
             "回報 告知 抱怨 哭 笑 在旁 在場 照顧 協助 負責 探視 返家 返國 回國 休假 請假 已讀 留言 打電話 帶 餵 幫 替 "
             "今天 今日 昨天 昨晚 明天 也 都 很 已 仍 想 要 會 不 沒 希望 擔心 了解 理解 知道 不知道 先生 小姐 女士 太太 "
             # (round 13) what a relative or caregiver adds or collects for the patient
             "補充 代領 代填 填寫 接送 送來 帶來 補述")
# what stands before a person (a coverb, a verb of telling, a caregiver's or relation's word)
_BEFORE = _alt("陪同 由 請 跟 與 和 同 讓 叫 交代 交待 叮嚀 提醒 通知 告知 聯絡 聯繫 轉告 衛教 指導 教導 陪同者 照顧者 "
               "主要照顧者 看護 外籍看護 看護工 外傭 移工 幫傭 居服員 個案 案主 病人 家屬 聯絡人 女兒 兒子 太太 先生 "
               "配偶 妻子 丈夫 母親 父親 姐姐 哥哥 弟弟 妹妹 孫女 孫子 媳婦 女婿 鄰居 朋友 同住 "
               "案妻 案夫 案子 案女 案母 案父 案兄 案弟 案姊 案妹 案孫 案媳 長子 長女 次子 次女")
_WORD = r"[A-Z][a-z]{1,15}"
_BLANK = r"[ \t]*"
# the name's words, then a blank or none, then a person's act in Han
AFTER = compiled(r"(?<![A-Za-z0-9'])(?<![A-Za-z]-)(?P<n>" + _WORD + r"(?:[ \t]+" + _WORD + r"){0,2})(?![A-Za-z0-9\-'])"
                 + _BLANK + r"(?=(?:" + _ACTS + "))")
# a coverb or a caregiver's word, a blank or none, the name's words, then Han text or a mark
BEFORE = compiled(r"(?:" + by_first_char(_BEFORE) + r")" + _BLANK + r"[:：]?" + _BLANK + r"(?P<n>" + _WORD
                  + r"(?:[ \t]+" + _WORD + r"){0,2})(?![A-Za-z0-9\-'])")
_ACTS_RX = compiled(_BLANK + r"(?:" + _ACTS + ")")
_HAN_OR_MARK = compiled(_BLANK + r"(?:[\u4e00-\u9fff,，。;；、)）]|$)")
# what every match holds: a capitalised word beside a Han character (the scrubber's prefilter
# reads BEFORE: a pair of capitalised words passes it anyway)
GATE = compiled(r"[A-Z][a-z]{1,15}" + _BLANK + r"[\u4e00-\u9fff(]|[\u4e00-\u9fff]" + _BLANK + r"[:：]?" + _BLANK
                + r"[A-Z][a-z]|^[A-Z][a-z]{1,15}(?:[ \t]+[A-Z][a-z]{1,15}){0,2}[ \t]+(?:BP|HR|SpO2|GCS|RR|BT|BW)\b", re.MULTILINE)
# (round 13) the person's people or nationality in brackets after the name (Walis Nokan (Atayal)),
# the person's Han name in brackets (Biung（解元）), or the name opening a run sheet's line before
# its vital signs (Panay Mayaw BP 160/95)
_PEOPLES = _alt("Atayal Amis Paiwan Bunun Truku Tayal Rukai Puyuma Tsou Saisiyat Yami Tao Seediq Thao Kavalan "
                "Sakizaya Kanakanavu Saaroa Pingpu Siraya Indonesian Vietnamese Filipino Filipina Thai Burmese "
                "Malaysian Cambodian Hakka Hoklo")
_NAME = r"(?P<n>" + _WORD + r"(?:[ \t]+" + _WORD + r"){0,2})"
PEOPLE_AFTER = compiled(r"(?<![A-Za-z0-9'\-])" + _NAME + _BLANK + r"\((?:" + _PEOPLES + r")\)")
HAN_AFTER = compiled(r"(?<![A-Za-z0-9'\-])" + _NAME + _BLANK + r"\((?P<h>[\u4e00-\u9fff]{2,4})\)")
VITALS_AFTER = compiled(r"^" + _NAME + r"[ \t]+(?:BP|HR|SpO2|GCS|RR|BT|BW)\b", re.MULTILINE)


# Taiwan's cities and counties and the words of its hospitals' and firms' English names, which
# do a person's acts in notes (Taipei Veterans 來院, Chang Gung 表示, Line Pay 付款)
_PLACES_AND_BODIES = frozenset("""taiwan taipei taichung tainan kaohsiung hsinchu taoyuan keelung hualien taitung yilan
ilan pingtung chiayi changhua nantou yunlin miaoli penghu kinmen matsu banqiao xinzhuang zhongli veterans veteran
memorial chang gung mackay tzu chi cathay christian adventist shin kong landseed tungs far eastern wan fang
google apple line facebook messenger instagram youtube uber foodpanda pay maps watch android iphone samsung""".split())


def _words_ok(words: list[str]) -> bool:
    """None of the words is one a list holds (English, clinical, device, place): the lists of
    the DICOM label rules and of the Latin name finder, and Taiwan's places and bodies."""
    from deidentify.dicom.label_terms import known_word
    from deidentify.identifiers.western_names import _census, ordinary_word

    known = [known_word(w) or ordinary_word(w) or w.lower() in _PLACES_AND_BODIES for w in words]
    # (a given name that is also a word before a family name no list holds: Joy Villanueva; or
    # one a census holds as a surname and no English list as a word (round 12: May Cruz 表示,
    # Joy Dela Cruz 照顧中 - Cruz is a DICOM label term))
    later = [k and not (w.lower() in _census()[1] and not ordinary_word(w) and w.lower() not in _PLACES_AND_BODIES)
             for k, w in zip(known[1:], words[1:])]
    return not any(known) or (len(words) >= 2 and words[0].lower() in _WORD_GIVEN and not any(later)
                              and words[0].lower() not in _PLACES_AND_BODIES)


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of Latin names in a Chinese person's slot."""
    if not GATE.search(simp):
        return []
    out: list[tuple[int, int]] = []
    for m in AFTER.finditer(simp):
        words = m.group("n").split()
        a = m.start("n")
        before = BEFORE.search(simp, max(0, a - 8), m.end("n"))
        led = before is not None and before.start("n") == a
        # (round 12: one word that is also an English word but a given name, between a person
        # word and a person's act: 家屬 May 表示, 看護 Grace 說)
        if (len(words) >= 2 or led) and (_words_ok(words) or (led and len(words) == 1
                                                               and words[0].lower() in _WORD_GIVEN)):
            out.append(m.span("n"))
    for m in BEFORE.finditer(simp):
        words = m.group("n").split()
        # (round 13: one word after a person word and a colon, then the sentence ends: 陪同：Ayu。)
        colon = ":" in simp[m.start():m.start("n")]
        if (len(words) >= 2 or colon) and _HAN_OR_MARK.match(simp, m.end("n")) and _words_ok(words):
            out.append(m.span("n"))
    return sorted(set(out + by_layout(simp)))


def by_layout(simp: str) -> list[tuple[int, int]]:
    """(round 13) Latin names the Latin layout marks: a people or nationality in brackets after
    them (Walis Nokan (Atayal)), their Han name in brackets (Biung（林美玉）), or opening a run
    sheet's line before its vital signs (Panay Mayaw BP 160/95)."""
    return [m.span("n") for rx in (PEOPLE_AFTER, HAN_AFTER, VITALS_AFTER) for m in rx.finditer(simp)
            if _words_ok(m.group("n").split()) and (rx is not HAN_AFTER or _han_name(simp, *m.span("h")))]


def _han_name(simp: str, a: int, b: int) -> bool:
    """Do the bracketed Han characters after a Latin name read as that person's Han name: a
    surname first and given-name characters after it, no drug or disease (Aspirin（阿斯匹靈）)?"""
    from deidentify.identifiers.chinese_names import _GIVEN_CHARS_S, surname_pattern
    from deidentify.identifiers.name_vetoes import vetoed

    w = simp[a:b]
    m = surname_pattern().match(w)
    # (a drug's Chinese brand name after its Latin one, Lyrica（利瑞卡）, Concor（康肯）: no given-name
    # characters after the surname-shaped first one)
    return bool(m) and 1 <= b - a - m.end() <= 2 and all(c in _GIVEN_CHARS_S for c in w[m.end():]) \
        and not vetoed(simp, simp, a, b)
