"""Bytes to text for the text-based readers: Unicode by its byte-order mark, UTF-8, UTF-16/32
without a mark (recognised by where their zero bytes fall), then the Chinese legacy encodings
Taiwanese and mainland tools write (CP950/Big5, Big5-HKSCS, GB18030)."""
from __future__ import annotations


# Unicode text that says so by its byte-order mark (Excel's "Unicode text", PowerShell's
# Out-File, a UTF-8 BOM): read as the text it is.  Before, a UTF-16 table under .csv was taken
# for binary data and blocked however safe its counts (UTF-32's mark first: it starts as UTF-16's).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# UTF-32 before UTF-16: UTF-32 text read as UTF-16 holds NUL characters and is refused there.
_WIDE = (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2))
# Characters common in Chinese text in either script: which legacy reading of the bytes is the
# text (GB18030 bytes often decode as Big5 too, to rare characters, and the reverse).
_COMMON_HAN = frozenset(
    "的一是不了人我在有他這这中大來来上國国個个到說说們们為为子和你地出道也時时年得就那要下以生"
    "會会自著着去之過过家學学對对可她裡里後后小麼么心多天而能好都然沒没日於于起還还發发成事只作當当"
    "想看文無无開开手十用主行方又如前所本見见經经頭头面公同三已老從从動动兩两長长知民樣样現现分將将"
    "外但身些與与高意進进把法此實实回二理美點点月明其種种全工己話话者向情部正名定女問问力機机給给等"
    "間间新數数件安表原車车白應应路期死常感金何更反合放做系計计或利受光王果親亲界及今京務务制解各任"
    "至清物台記记邊边共風风特直服林題题建南度統统色字請请交愛爱認认算論论百元社術术結结六功指思非流"
    "每管夫連连遠远資资帶带花快條条院變变聯联言權权往展該该領领近留紅红治決决周保達达辦办半候七必城"
    "父強强步完深區区即求品量空技輕轻程告江語语英基派滿满式李息寫写識识極极令黑斷断線线醫医病患縣县"
    "鄉乡鎮镇市省男性別别齡龄歲岁診诊療疗藥药科組组率計総總总合格")


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (0x20 <= o < 0x7F or ch in "\t\r\n\f" or 0xA0 <= o < 0x250 or 0x4E00 <= o <= 0x9FFF
            or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x20CF
            or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF)


def _wide_without_mark(raw: bytes) -> str | None:
    """UTF-32 or UTF-16 text written without a byte-order mark (Windows tools, iconv -t
    UTF-16LE): the reading whose characters are nearly all letters, digits, punctuation and
    CJK, with ASCII among them (the zero bytes are the high bytes of those ASCII characters).
    Random or numeric binary data read so is mostly rare symbols and controls: None."""
    head = raw[:65536]
    best, best_ascii = None, 0.0
    for enc, unit in _WIDE:
        if len(raw) % unit:
            continue
        try:
            sample = head[:len(head) - len(head) % unit].decode(enc)
        except UnicodeDecodeError:
            continue
        if not sample or "\x00" in sample:
            continue
        plausible = sum(1 for ch in sample if _plausible(ch))
        ascii_share = sum(1 for ch in sample if ch < "\x7f") / len(sample)
        if plausible >= 0.97 * len(sample) and ascii_share >= 0.1 and ascii_share > best_ascii:
            best, best_ascii = enc, ascii_share
    if best is None:
        return None
    try:
        text = raw.decode(best)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def _at_home(text: str, home: str) -> bool:
    """Every character outside ASCII is CJK (or CJK punctuation), and most of them are in the
    core set ``home`` (GB2312 for a GB18030 reading, CP950 for a Big5-HKSCS one).  Bytes of
    another encoding (Latin-1, Shift-JIS) decode as GB18030 too, to rare extension characters:
    labels unreadable to the name checks, so such a reading is refused (unread, as before)."""
    wide = [ch for ch in text[:65536] if ord(ch) >= 0x80]
    if not wide:
        return True
    if not all(_plausible(ch) for ch in wide):
        return False
    core = 0
    for ch in wide:
        try:
            ch.encode(home)
            core += 1
        except UnicodeEncodeError:
            pass
    return core >= 0.8 * len(wide)


def _legacy_chinese(raw: bytes) -> str | None:
    """CP950/Big5 (as Taiwanese tools write it, accepted as before), Big5-HKSCS or GB18030 when
    their reading is Chinese (:func:`_at_home`); when more than one decodes, the reading with
    more common characters."""
    readings = []
    for enc in ("cp950", "big5"):
        try:
            readings.append(raw.decode(enc))
            break
        except UnicodeDecodeError:
            continue
    for enc, home in (("big5hkscs", "cp950"), ("gb18030", "gb2312")):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if _at_home(text, home):
            readings.append(text)
    if not readings:
        return None
    if len(readings) == 1:
        return readings[0]
    # stable max: the earlier (Taiwanese) reading wins a tie
    return max(readings, key=lambda t: sum(1 for ch in t[:65536] if ch in _COMMON_HAN))


def decode_text(raw: bytes) -> str | None:
    """The text, or None for bytes that are not text in any of these encodings (binary data)."""
    enc = next((e for bom, e in _BOMS if raw.startswith(bom)), None)
    if enc is not None:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            return None
        return None if "\x00" in text[:8192] else text
    if b"\x00" in raw[:8192]:
        return _wide_without_mark(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw:
        return None
    return _legacy_chinese(raw)


def text_or_unread(raw: bytes | str, out) -> str | None:
    """The text a reader parses (``raw`` itself when it is already text); None, with the reason
    recorded as unread on ``out`` (the reader's Content), for bytes that are not text."""
    text = raw if isinstance(raw, str) else decode_text(raw)
    if text is None:
        out.fail({}, "not text in UTF-8, UTF-16/32, Big5/CP950 or GB18030")
    return text
