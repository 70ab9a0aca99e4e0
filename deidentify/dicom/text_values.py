"""Free text kept in a DICOM object after scrubbing (D1): SR TextValue at any depth.

The basic profile removes free text it names (ImageComments, AdditionalPatientHistory …: X)
and the table does not name an SR content item's TextValue, which the default rule removed
too: a report's findings were lost to research.  Attributes listed in the policy
(``data.dicom_scrub_text_attributes``, default TextValue only, so the profile's own X
attributes stay removed unless a deployment lists them) are instead kept after:

1. the project's free-text scrubber (``deidentify.text.scrub_texts``: names, national IDs,
   chart numbers, phones, addresses, e-mails … become ``<NAME>``, ``<ID>``, ``<MRN>`` …);
2. dates → ``<DATE>`` unless the profile option ``retain_longitudinal_full_dates`` is on (the
   header's study dates are removed, so the report's must not tell them);
3. institutions (``… Hospital``, ``…醫院``/``診所``) → ``<INSTITUTION>`` (the header's
   InstitutionName is removed by the profile);
4. romanised East and Southeast Asian names the scrubber's score does not know → ``<NAME>``
   (``asian_names``: "Tanaka Hanako", "Nguyen Van An", round 4), read over all the object's
   texts at once (a name broken across two content items or lines, round 5);

and then the header sweep still removes the element if the patient's own strings remain.
Default deny: if the scrubber raises, every such element is removed.

``flagged`` asks the same scrubber (and the date and institution masks) whether a short kept
value names anyone: labels people type (``profile.LABELS``: a code meaning, a layer or segment
label) and the letter runs of binary values (waveform samples, LUTs).  Anything it would mask
removes the whole value (the header sweep's name score need not be reached: a third person's
name in an SR code meaning did not reach it, round 2).
"""
from __future__ import annotations

import re

from pydicom.dataset import Dataset

from deidentify.dicom.asian_names import mask_names_joined
from deidentify.identifiers.dates import DATE
from deidentify.identifiers.normalise import to_halfwidth

TEXT_VRS = {"LO", "LT", "SH", "ST", "UC", "UT"}
_DATE_RE = re.compile(r"(?<![0-9])" + DATE + r"(?![0-9])", re.IGNORECASE)
_SIMPLIFIED = str.maketrans({"國": "国", "華": "华"})   # DATE is written for Simplified text
_INSTITUTION_RE = re.compile(
    r"(?:[A-Z][\w'.&-]*\s+){0,6}(?:Memorial\s+|General\s+|University\s+|Veterans\s+|Children'?s\s+)*"
    r"(?:Hospital|Clinic|Medical\s+Cent(?:er|re)|Infirmary|Health\s+System)"
    r"(?:\s+of\s+(?:[A-Z][\w'.-]*\s*){1,4})?"
    r"|[\u4e00-\u9fff]{2,8}?(?:醫院|医院|診所|诊所|醫學中心|医学中心|衛生所|卫生所)"
    # Taiwanese hospitals by their usual short names (NTUH, TVGH, KVGH, CGMH; 北榮, 長庚 …)
    r"|\b[A-Z]{1,4}(?:VGH|GH|UH|MH)\b"
    r"|[\u4e00-\u9fff]{0,3}(?:榮總|榮民總|長庚|馬偕|台大|臺大|北榮|中榮|高榮|慈濟|奇美|彰基|北醫|亞東|三總)")


def scrub_values(texts: list[str], options=None) -> list[str]:
    """The scrubber over many values at once (one call per object; the patch point of the
    rule switch in policies/rules_index.yaml).  ``options``: the load's cut-offs (None: the
    current policy's free-text ones)."""
    from deidentify.text import ScrubOptions, scrub_texts

    return [t or "" for t in scrub_texts(list(texts), options=options or ScrubOptions())]


# Runs of letters in a byte value read as text (sweep.decoded_binary): at least two letters
# among four or more characters; random samples rarely make one, a string written there does.
# CJK runs of two or more (a Chinese name is two to four characters).
_BINARY_RUN = re.compile(r"[^\W_][\w .,'^@:/()-]{3,}|[\u3400-\u9fff]{2,}")


def text_runs(text: str) -> list[str]:
    """The letter runs of a binary value read as text."""
    return [r.strip() for r in _BINARY_RUN.findall(text) if sum(c.isalpha() for c in r) >= 2]


def flagged(texts: list[str], options=None) -> list[bool]:
    """For each text: would the scrubber (with ``options``, the load's DICOM header cut-offs),
    or the date and institution masks, change it?  One scrubber call for all; a scrubber that
    fails flags every text (default deny)."""
    if not texts:
        return []
    try:
        cleaned = [mask_dates_and_institutions(t, True) for t in scrub_values(texts, options)]
        if len(cleaned) != len(texts):
            raise ValueError("the scrubber returned a different number of texts")
    except Exception:  # noqa: BLE001 - default deny: unread, not released
        return [True] * len(texts)
    return [a != b for a, b in zip(texts, cleaned)]


def mask_dates_and_institutions(text: str, mask_dates: bool) -> str:
    text = _INSTITUTION_RE.sub("<INSTITUTION>", text)
    if not mask_dates:
        return text
    probe = to_halfwidth(text).translate(_SIMPLIFIED)
    if len(probe) != len(text):   # offsets would not line up: mask on the probe itself
        text = probe
    out, last = [], 0
    for m in _DATE_RE.finditer(probe):
        out += [text[last:m.start()], "<DATE>"]
        last = m.end()
    return "".join(out + [text[last:]])


def scrub_in_place(found: list[tuple[Dataset, int]], mask_dates: bool) -> tuple[list[str], list[str]]:
    """Scrub the elements ``found`` ((dataset, tag) pairs) in place; returns (scrubbed tags'
    names, removed ones).  Any failure removes them all: never kept unscrubbed."""
    values = []
    for item, tag in found:
        v = item[tag].value
        values.append("\n".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v or ""))
    try:
        # the object's texts read as one: a name broken across two items or lines is found whole
        # (before the scrubber too: once it has masked the surname, the given half reads alone)
        values = mask_names_joined(values)
        cleaned = mask_names_joined([mask_dates_and_institutions(t, mask_dates) for t in scrub_values(values)])
        if len(cleaned) != len(values):
            raise ValueError("the scrubber returned a different number of texts")
    except Exception:  # noqa: BLE001 - default deny: no scrubber, no text
        for item, tag in found:
            del item[tag]
        return [], [str(tag) for _, tag in found]
    for (item, tag), text in zip(found, cleaned):
        item[tag].value = text
    return [str(tag) for _, tag in found], []


__all__ = ["TEXT_VRS", "flagged", "mask_dates_and_institutions", "scrub_in_place", "scrub_values",
           "text_runs"]
