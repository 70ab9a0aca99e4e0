"""D1 DICOM round 12: words of SR text in a script no name rule reads are masked.

Labels and device values in Cyrillic, Greek, Arabic, Thai, kana or hangul are removed whole
(``label_names.foreign_script``, round 5), but an SR TEXT value is kept once the free-text
scrubber has read it, and the scrubber reads Latin letters and Chinese characters only: "Seen
by 김민준", "Осмотрен: Иванов Иван", "担当 ヤマダ タロウ", "Seen by Παπαδόπουλος" passed whole.
Default deny: a run of two letters or more of such a script is masked where it stands (a lone
μ or α of a unit or a marker stays); Latin and Han text around it is kept as the scrubber left it.
"""
from __future__ import annotations

import re

# Greek, Cyrillic (and supplement), Armenian, Hebrew, Arabic (and supplement), Syriac, Thaana,
# the Indic scripts, Thai, Lao, Tibetan, Myanmar, Georgian, Hangul Jamo, Ethiopic, Cherokee,
# Khmer, kana (and half-width), Hangul syllables and compatibility Jamo, Arabic presentation forms
_UNREAD = (r"\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f"
           r"\u0700-\u074f\u0780-\u07bf\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u10a0-\u10ff"
           r"\u1100-\u11ff\u1200-\u139f\u13a0-\u13ff\u1780-\u17ff\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
           r"\u3130-\u318f\uac00-\ud7af\ufb1d-\ufdff\ufe70-\ufeff")
# a run of such letters, joined by the marks, spaces, dots and hyphens names are written with
_RUN = re.compile(rf"[{_UNREAD}][{_UNREAD}\u0300-\u036f\u200c\u200d\u30fb\u00b7.'\-]*[{_UNREAD}]")


def unread_runs(text: str) -> list[str]:
    """The runs of two letters or more of a script no name rule reads."""
    return _RUN.findall(str(text))


def enabled() -> bool:
    """D1 round 12 switch: SR runs in scripts no rule reads are masked (patched to False, they pass)."""
    return True


def mask(text: str, mask_with: str) -> str:
    """``text`` with each such run masked (one mask per run)."""
    return _RUN.sub(mask_with, str(text)) if enabled() else str(text)


__all__ = ["enabled", "mask", "unread_runs"]
