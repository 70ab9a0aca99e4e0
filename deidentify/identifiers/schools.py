"""A child's school and class (大同國小三年二班, 就讀建國國中): with the age in the same note they
single out one child in a few dozen.  Only a school with its class, or after a word that says
the person attends it (就讀, 念, 在讀), is masked; 國小畢業 (an education level) is not.

Matching runs on normalised text (half-width, Simplified; same offsets)."""
from __future__ import annotations

import re

_KIND = r"(?:国民小学|国民中学|高级中学|实验中学|科技大学|国小|国中|高中|高职|高工|高商|附中|小学|中学|幼儿园|幼稚园|托儿所|大学)"
_NUM = r"[0-9一二三四五六七八九十]"
_CLASS = (r"[ \t]*(?:" + _NUM + r"{1,2}[ \t]*年(?:级)?[ \t]*)?(?:" + _NUM + r"{1,3}|[甲乙丙丁戊忠孝仁爱信义和平])[ \t]*班")
SCHOOL_CLASS = re.compile(r"[\u4e00-\u9fff]{2,4}?" + _KIND + _CLASS)
ATTENDS = re.compile(r"(?:就读于|就读|在读|念|读)[ \t]*(?P<n>(?:(?![书到完过了的在])[\u4e00-\u9fff]){2,8}?" + _KIND + r")(?:" + _CLASS + r")?")
# what every match holds: a school kind (for the scrubber's prefilter too)
GATE = re.compile(r"国小|国中|小学|中学|高中|高职|高工|高商|附中|幼儿园|幼稚园|托儿所|大学")


def find(simplified: str) -> list[tuple[int, int]]:
    if not GATE.search(simplified):
        return []
    out = [m.span() for m in SCHOOL_CLASS.finditer(simplified)]
    out += [(m.start("n"), m.end()) for m in ATTENDS.finditer(simplified)]
    return out
