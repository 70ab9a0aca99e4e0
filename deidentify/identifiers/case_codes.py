"""Numbers and codes of one person's case that the labelled finders do not read (D1, round 6).

- a court's case number (臺北地院112年度訴字第1234號, 112年度家護字第567號): the year, the
  court's word and the number point at one proceeding and its parties; the whole is masked;
- a social-network handle after the network's name without a colon (IG chen.jiahao88, Dcard
  b07901234, PTT dragon0912, FB sunny_pj): a handle opens with a letter and holds a digit, a
  dot or an underscore (PTT 35.2 s, the clotting time, opens with a digit and stays);
- a vehicle's plate right after the vehicle without a hyphen (機車 NHD9306, 汽車 ABC1234);
- what a barcode or QR code reads (NHI|A123456789|0012345, 03232048^C122342028^22907237,
  *A123456789*, PID=12345678;NAME=CHEN MEI LING): fields joined by | or ^ with a number of six
  digits or more are one record, masked whole; a starred barcode's contents; the values of
  PID=, NAME=, MRN=, DOB=, ID= keys.
Works on the normal form (half-width, Simplified; same offsets).  Every pattern has bounded
repetitions of classes that exclude their separators, so none backs off on crafted input.
"""
from __future__ import annotations

import re

from deidentify.regex_cache import compiled

COURT_CASE = compiled(r"(?<![0-9])[0-9]{2,3}[ \t]*年度[ \t]*[\u4e00-\u9fff]{1,6}?字[ \t]*第[ \t]*[0-9]{1,7}[ \t]*号")
HANDLE_AFTER_NETWORK = compiled(
    r"(?<![A-Za-z])(?i:ig|fb|instagram|facebook|dcard|ptt|threads|twitter|tiktok|youtube|yt)"
    r"|脸书|抖音|小红书|推特|批踢踢")
_HANDLE_VALUE = compiled(r"[ \t]*(?:(?i:id)|帐号|账号|名称)?[ \t]*[:：]?[ \t]*"
                         r"(?P<v>@?[A-Za-z][A-Za-z0-9._\-]{2,29})(?![A-Za-z0-9@])")
PLATE_AFTER_VEHICLE = compiled(r"(?:机车|汽车|轿车|货车|车号|车牌|重机|摩托车)[ \t]*[:：]?[ \t]*"
                               r"(?P<v>[A-Z]{2,3}[0-9]{3,4}|[0-9]{3,4}[A-Z]{2,3})(?![A-Za-z0-9])")
PIPE_RECORD = compiled(r"(?<![A-Za-z0-9|^])[A-Za-z0-9\-]{1,24}(?:[|^][A-Za-z0-9\- ]{0,24}){2,12}(?![A-Za-z0-9|^])")
STARRED = compiled(r"(?<![A-Za-z0-9*])\*(?P<v>[A-Za-z0-9\-]{6,24})\*(?![A-Za-z0-9*])")
KEY_VALUE = compiled(r"(?<![A-Za-z])(?i:pid|patient_?id|pt_?id|pt_?name|name|mrn|chart_?no|chart|dob|birth|nhi|id|tel)"
                     r"[ \t]*=[ \t]*(?P<v>[A-Za-z0-9._\-/ ]{1,40})")
# a specimen's number after its kind (Frozen section F112-37898, cytology S23617587) or in the
# pathology shape anywhere (S112-01234, SP-23-004512: a letter or two, the year, a serial)
SPECIMEN = compiled(r"(?<![A-Za-z])(?i:frozen[ \t]+section|cytology|biopsy|block|slide|specimen|smear)[ \t]*"
                    r"(?:(?i:no)\.?|#)?[ \t]*[:：]?[ \t]*(?P<v>[A-Z]{1,2}-?[0-9]{2,3}-?[0-9]{3,7})(?![A-Za-z0-9])"
                    r"|(?<![A-Za-z0-9\-])(?P<w>[A-Z]{1,2}-?[0-9]{2,3}-[0-9]{4,6})(?![A-Za-z0-9\-])")
# the chart number in brackets after the patient's name (Pt 孫佩君 (00455727), 病人王小明（12345678）)
BRACKETED_CHART = compiled(r"(?<![A-Za-z])(?:(?i:pt|patient)|病人|病患|患者|个案)[ \t:：]*[^\n()（）0-9]{1,12}?[ \t]*[(（]"
                           r"(?P<v>[0-9]{6,10})[)）]")
# an insurance letter's numbers after a bare word (保單 590-9134-2371, 案件CL50557388, 理賠 8774909052)
INSURANCE_NO = compiled(r"(?:保单|案件|理赔|契约|要保书|保险证|受理)(?:号码|编号|号|案号)?[ \t]*[:：#]?[ \t]*"
                        r"(?P<v>[A-Z]{0,4}-?[0-9][0-9\-]{5,20})(?![A-Za-z0-9\-])")
# an English letter's numbers after a bare word (Re claim 0306975560 under policy 301-0120-8898)
EN_NUMBER = compiled(r"(?<![A-Za-z])(?i:claim|policy|case|file|ref|accession|acc|exam|study|specimen)[ \t]*"
                     r"(?:(?i:no|number|id)\.?|#)?[ \t]*[:：]?[ \t]*(?P<v>[A-Z]{0,4}-?[0-9][0-9A-Z\-]{5,20})(?![A-Za-z0-9\-])")
# a specimen's number after a Chinese word for it (病理切片 S24240738)
ZH_SPECIMEN = compiled(r"(?:病理切片|切片|病理|检体|标本|细胞学|冷冻切片|抹片)[ \t]*(?:号码|编号|号)?[ \t]*[:：]?[ \t]*"
                       r"(?P<v>[A-Z]{1,3}-?[0-9][0-9\-]{4,14})(?![A-Za-z0-9\-])")
# a code in brackets after an exam or a name (Chest PA (RA60141093), (US-4383048)): six digits or
# more with letters or hyphens; a date in brackets (20231125) stays
BRACKETED_CODE = compiled(r"[(（](?P<v>[A-Z]{0,3}-?[0-9]{6,12})[)）]")
GATES = (compiled(r"(?i:claim|policy|case|file|ref|acc|exam|study|specimen)[ \t#:：a-z.]{0,10}[0-9]"),
         compiled(r"切片|病理|检体|标本|细胞学|抹片"), compiled(r"保单|案件|理赔|契约|要保书|保险证|受理"), compiled(r"[A-Z]{1,2}-?[0-9]{2,3}-[0-9]{4}"), compiled(r"(?i:frozen|cytology|biopsy|block|slide|specimen|smear)"),
         compiled(r"[(（][0-9]{6,10}[)）]"), compiled(r"[(（][A-Z]{0,3}-?[0-9]{6,12}[)）]"),
         compiled(r"年度"), HANDLE_AFTER_NETWORK, compiled(r"[机汽轿货重摩]车|车[号牌]"), compiled(r"[|^]"),
         compiled(r"\*[A-Za-z0-9\-]{6,24}\*"), compiled(r"="))


def _a_date(v: str) -> bool:
    """An eight-digit yyyymmdd date (19xx/20xx, a real month and day)."""
    return len(v) == 8 and v.isdigit() and v[:2] in ("19", "20") and 1 <= int(v[4:6]) <= 12 and 1 <= int(v[6:]) <= 31


def _handle_ok(v: str) -> bool:
    return any(c.isdigit() or c in "._" for c in v.lstrip("@"))


def find(simp: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of case numbers, handles, plates and code contents in normalised
    text; kind is ID, ACCOUNT (a handle) or PLATE, as labelled.find's."""
    return [(a, b, "ID") for a, b in _ids(simp)] + [(a, b, "ACCOUNT") for a, b in _handles(simp)] \
        + [(*m.span("v"), "PLATE") for m in PLATE_AFTER_VEHICLE.finditer(simp)]


def _handles(simp: str) -> list[tuple[int, int]]:
    out = []
    for m in HANDLE_AFTER_NETWORK.finditer(simp):
        v = _HANDLE_VALUE.match(simp, m.end())
        if v and _handle_ok(v.group("v")):
            out.append(v.span("v"))
    return out


def _ids(simp: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = [m.span("v") if m.group("v") else m.span("w") for m in SPECIMEN.finditer(simp)]
    out += [m.span("v") for m in INSURANCE_NO.finditer(simp) if sum(c.isdigit() for c in m.group("v")) >= 6]
    out += [m.span("v") for rx in (EN_NUMBER, ZH_SPECIMEN) for m in rx.finditer(simp)
            if sum(c.isdigit() for c in m.group("v")) >= 6]
    if "(" in simp or "（" in simp:
        out += [m.span("v") for m in BRACKETED_CHART.finditer(simp)]
        out += [m.span("v") for m in BRACKETED_CODE.finditer(simp) if not _a_date(m.group("v"))]
    if "年度" in simp:
        out += [m.span() for m in COURT_CASE.finditer(simp)]
    if "|" in simp or "^" in simp:
        for m in PIPE_RECORD.finditer(simp):
            if re.search(r"[0-9]{6}", m.group()):
                out.append((m.start(), m.start() + len(m.group().rstrip())))
    if "*" in simp:
        out += [m.span("v") for m in STARRED.finditer(simp) if sum(c.isdigit() for c in m.group("v")) >= 6]
    if "=" in simp:
        out += [(m.start("v"), m.start("v") + len(m.group("v").rstrip())) for m in KEY_VALUE.finditer(simp)
                if m.group("v").strip()]
    return out
