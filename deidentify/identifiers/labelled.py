"""Identifiers known by their label, whatever their shape; IP addresses and URLs anywhere.

A value written after an identifier label is masked even when no shape check would accept it:
a national ID with a wrong check digit (a typo, or a number made up for a form) still points at
a person, and passports, residence permits, licences, messenger accounts, bank accounts and
licence plates have no shape a finder could check.  HIPAA's Safe Harbor list names these
(vehicle, certificate/licence and account numbers, URLs, IP addresses); the NHI rules (D1) ask
for the same.  Labels decide, so the value may be any run of letters, digits and the joiners
people use (``-./_@``); ID, plate and account-number labels need a digit in it, a messenger
handle does not.

Matching runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.normalise import led_by
from deidentify.identifiers.regex_gate import literal_led
from deidentify.regex_cache import compiled

# (a part of a number is still personal data: 身分证末四码 6789, ID no. last 4: 5678)
_PART_OF = r"(?:[ \t]*(?:末|后|前|最后)[0-9一二三四五六七八九十]{1,2}(?:码|位|个字)(?:[ \t]*(?:是|为))?|[ \t]*(?:last|first)[ \t]*[0-9]{1,2}(?:[ \t]*digits)?)?"
_GAP = (r"[ \t]*(?:[:：#=为是]|no\.?|number|号码|号|码)?" + _PART_OF + r"[ \t]*[:：#]?[ \t]*")
# an ID written with separators (A 223 456 789) is one value; anything else up to a space
_ID_SPACED = r"[a-z][ \t.\-]{0,3}[0-9a-d](?:[ \t.\-]{0,3}[0-9]){8}(?![0-9])"
_VALUE = r"(?P<v>" + _ID_SPACED + r"|[0-9]{2,8}(?:[ \t\-][0-9]{2,8}){1,4}(?![0-9a-z.\-/_@])|[a-z]{1,2}[ \t][0-9][0-9a-z\-]{3,37}(?![a-z0-9])|@?[a-z0-9][a-z0-9._\-/@]{2,39}(?<![.\-/_@])(?![a-z0-9]))"

# Messenger and social-network names are ordinary words too (line, ig, fb): only a colon after
# them, or "id"/帐号 with them, makes what follows an account.
_SOCIAL = r"line|微信|wechat|脸书|facebook|fb|ig|instagram|推特|twitter|skype|telegram"

# kind -> (labels, the value must hold a digit, the labels' possible first characters)
_LABELS = {
    "ID": (r"身分证|身份证|身分证字号|身份证字号|统一编号|统一证号|居留证|居留证号|外侨居留证|护照|"
           r"(?<![a-z])ssn(?![a-z])|social[ \t]+security(?:[ \t]+(?:no\.?|number|#))?|"
           r"驾照|驾驶执照|执照|证书字号|证号|证件号|passport|(?<![a-z])arc|(?<![a-z])id[ \t]*card"
           r"|(?<![a-z])national[ \t]+id|(?<![a-z])id(?![a-z])|licen[cs]e|(?<![a-z])acc(?:ession)?(?![a-df-z])"
           r"|检体编号|检体号|报告编号|学号|员工编号|员工号|工号|职工编号|会员编号|会员号|病床号码"
           r"|(?<![a-z])(?:student|employee|staff|member)[ \t]*(?:id|no\.?|number|#)"
           # beds, specimens, pathology/lab numbers and the institution's own code point at one
           # stay in one place (unseen notes, session 19)
           r"|床号|床位|病床|(?<![a-z])bed(?:[ \t]*(?:no\.?|number|#))?(?![a-z])|标本号|标本编号|检体条码|检验单号"
           r"|检验编号|病理号|病理编号|切片号|(?<![a-z])specimen(?:[ \t]*(?:id|no\.?|number|#))?"
           r"|(?<![a-z])(?:lab|pathology|path|admission|encounter|visit|incident|report|order|request|exam)[ \t]*(?:id|no\.?|number|#)"
           r"|(?<![a-z])(?:incident|event)[ \t]+report[ \t]*(?:id|no\.?|number|#)?"
           r"|医事机构代码|医事机构代号|机构代码|院所代码|院所代号"
           # the ID's 统号 (身分证统号), exam and imaging numbers (检查号 RA2023…)
           r"|统号|检查号|检查编号|检查单号|影像号|影像编号|报告号|申请单号", True,
           "身统居外护驾执证检报学员工职会病床标切医机院影申painlsembvro"),
    # (赖 is LINE in Taiwanese usage, and a surname: only with id/帐号 after it)
    "ACCOUNT": (r"(?<![a-z])(?:line|wechat|skype|telegram)[ \t]*(?:id|帐号|账号)|赖[ \t]*(?:id|帐号|账号)|微信号"
                # (a few Han words may stand between: 以LINE联络：, 微信联系方式：)
                r"|(?<![a-z])(?:" + _SOCIAL + r")[\u4e00-\u9fff]{0,4}(?=[ \t]*[:：])"
                # (D1) asked to add one (加LINE chen_mary88, 加赖 abc1234, 加我微信), told it (LINE是…),
                # or 赖 with a handle that cannot be a word (赖 wang.dawei: a dot, digit or underscore)
                r"|加[ \t]*(?:我|他|她|其)?的?[ \t]*(?:line|赖|微信|wechat|ig|fb|instagram|telegram)(?:[ \t]*(?:好友|帐号|账号))?"
                r"|(?<![a-z])line[ \t]*(?=[是为])|赖[ \t]*(?:[:：][ \t]*(?=[a-z@])|(?=[a-z][a-z0-9\-]*[._0-9]))", False, "lwst微脸推fi赖加"),
    "ACCOUNT_NO": (r"银行帐号|银行账号|帐号|账号|帐户|账户|(?<![a-z])(?:bank[ \t]+)?account", True, "银帐账ab"),
    "PLATE": (r"车号|车牌号码|车牌号|车牌|license[ \t]+plate|(?<![a-z])plate", True, "车lp"),
    "IP": (r"(?<![a-z])ip(?:[ \t]*(?:位址|地址|address|addr\.?))?", True, "i"),
    # Any numbered document or card (卡片序号, 转诊单号, 收据编号, 挂号条码; ref/claim/case no.):
    # the number points at one visit, one claim, one person.  The value must hold three digits
    # (序号 1, case no. 2 count things).
    # (codes of drugs, orders, diagnoses and batches name no person: 药品代码, 医令编号, 批号)
    "NUMBERED": (r"(?:序号|单号|编号|卡号|条码|字号|票号|案号|号码)(?<!药品..)(?<!医令..)(?<!项目..)(?<!诊断..)(?<!疾病..)"
                 r"(?<!处置..)(?<!品项..)(?<!药..)(?<!批..)(?<!商品..)(?<!型..)"
                 r"|(?<![a-z])(?:ref(?:erence)?|case|claim|serial|ticket|file|record|chart|card|policy|cert(?:ificate)?"
                 r"|permit|receipt|invoice|transaction|tracking|booking|registration|referral|insurance|member(?:ship)?)"
                 r"[ \t]*(?:id|no\.?|number|#)|(?<![a-z])s/?n(?![a-z])"
                 # a licence number after the profession (Jenny Lin RN #4421, badge #2231)
                 r"|(?<![a-z])(?:rn|md|np|pa|badge|emp)[ \t]*#", True, "序单编卡条字票案号rcstfpibmnpe"),
}
# Professional licence numbers: 医字第012345号, 药字第 034567 号, 护字第…, (北市)牙医字第…: the
# certificate's number follows 字第 whatever profession stands before it.
LICENCE_NO = compiled(r"字第[ \t]*(?P<v>[0-9a-z][0-9a-z\-]{2,15})(?![0-9a-z])", re.IGNORECASE)

# A handle written with its @ (@linfamily88) near a messenger or network name, colon or not; or
# anywhere when it holds a digit, dot or underscore (an e-mail's @ follows a letter or digit).
_SOCIAL_WORD = r"(?:line|赖|wechat|微信|脸书|facebook|fb|ig|instagram|推特|twitter|threads|telegram|tiktok|抖音|skype)"
HANDLE = compiled(r"(?<![a-z0-9._%+\-])@(?P<h>[a-z0-9_][a-z0-9._\-]{2,39})(?<![.\-])", re.IGNORECASE)
_SOCIAL_BEFORE = compiled(_SOCIAL_WORD + r"[^\n]{0,16}$", re.IGNORECASE)

# (D1, round 3) The last digits of a phone, card or account number told to identify someone
# (手机后三码 678, 健保卡后四码 1234, 电话末四码：5678): part of a number points at its holder as
# the number does.  (身分证's own labels take the same tail in _GAP.)
NUMBER_PART = compiled(r"(?:手机|电话|市话|行动电话|联络电话|家电|健保卡|卡号|护照|居留证|帐号|账号|信用卡|银行卡)"
                       r"(?:号码|号)?[ \t]*的?[ \t]*(?:末|后|前|最后)[ \t]*[0-9一二三四五六七八九十]{1,2}[ \t]*(?:码|位|个字|个号码)"
                       r"[ \t]*(?:是|为|[:：])?[ \t]*(?P<v>[0-9]{2,6})(?![0-9])")

# (what every NUMBER_PART match holds, led by a character set: skipped to at C speed)
_NUMBER_PART_GATE = compiled(r"[末后前最](?<!最后)[ \t]*(?:后[ \t]*)?[0-9一二三四五六七八九十]{1,2}[ \t]*(?:码|位|个字)")

KIND = {"ID": "ID", "ACCOUNT": "ACCOUNT", "ACCOUNT_NO": "ACCOUNT", "PLATE": "PLATE", "IP": "IP", "NUMBERED": "ID"}

LABELLED = [(kind, needs_digit, compiled(led_by(labels, first) + _GAP + _VALUE, re.IGNORECASE))
            for kind, (labels, needs_digit, first) in _LABELS.items()]

# A national ID or new resident number with a wrong check digit, upper case, unbroken, no label.
# (the letter first, then the look-behind on what stands before it: a pattern opening with a
# look-around is tried at every position, one opening with a character set is skipped to)
BARE_ID = compiled(r"[A-Z](?<![A-Za-z0-9][A-Z])[1289][0-9]{8}(?![0-9A-Za-z])")
PLAIN_BARE_ID = r"(?=[A-Z])(?<![A-Za-z0-9])[A-Z][1289][0-9]{8}(?![0-9A-Za-z])"
# The national (or new resident) shape written with separators or in lower case (E2 2011 2233,
# e 220-112-233): a mistyped ID is still one; the old resident shape (second letter A-D) needs
# its checksum, since drug codes share it.
_SEPARATED_REST = r"[ \t.\-]{0,2}[1289](?:[ \t.\-]{0,2}[0-9]){8}(?![0-9A-Za-z])"
SEPARATED_ID = compiled(r"[A-Za-z](?<![A-Za-z0-9][A-Za-z])" + _SEPARATED_REST)
PLAIN_SEPARATED_ID = r"(?=[A-Za-z])(?<![A-Za-z0-9])[A-Za-z]" + _SEPARATED_REST

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = compiled(r"(?=[0-9])(?<![0-9.])" + _OCTET + r"(?:\." + _OCTET + r"){3}(?![0-9]|\.[0-9])")
PLAIN_IPV6 = r"(?=[0-9a-f:])(?<![0-9a-f:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![0-9a-f:])"   # (re.IGNORECASE)
# The same scan opening with its first character (both cases, outside (?i), so that the engine
# skips to it), the look-behind after it; then, after a colon, the rest of the groups, after a
# hex digit, the rest of the first group and the groups: the same matches, tried in the same order.
IPV6 = compiled(r"(?-i:[0-9a-fA-F:])(?<![0-9a-f:].)(?:(?<=:)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){1,6}"
                r"|(?<=[0-9a-f])[0-9a-f]{0,3}(?::[0-9a-f]{0,4}){2,7})(?![0-9a-f:])", re.IGNORECASE)
PLAIN_WWW = r"[wW]{3}\."
_WWW = compiled(r"[wW][wW]{2}\.")     # (opening with a set, not a repeat: skipped to)
# (a URL ends at a Han character or at the punctuation a sentence puts after it: normalised text
# holds "," for "，", so https://x.blogspot.com，內容為… would otherwise run on into the sentence)
_URL_TAIL = r"[^\s\x00<>\"'，。、；：）)\u2e80-\u9fff\uf900-\ufaff]+(?<![.,;:!?])"
URL = compiled(r"(?=[hfw])(?:https?://|ftp://|www\.)" + _URL_TAIL, re.IGNORECASE)
# Licence plates without their label: the 2012 car shape (ABC-1234) and the new motorcycle
# shape (123-ABC) stand alone; the older shapes (AB-1234, 1234-AB, ABC-123) share theirs with
# codes, so they need a vehicle word in the 16 characters before them.
PLATE_GATE = compiled(r"-(?:(?<=[A-Za-z]-)[0-9]|(?<=[0-9]-)[A-Za-z])")     # (every plate: a letter and a digit at its hyphen)
PLATE_ALONE = compiled(r"(?<![A-Za-z0-9\-])(?:[A-Z]{3}-[0-9]{4}|[0-9]{3}-[A-Z]{3})(?![A-Za-z0-9\-])")
PLATE_NEAR_VEHICLE = compiled(r"(?<![A-Za-z0-9\-])(?:[A-Za-z]{2,3}-[0-9]{3,4}|[0-9]{3,4}-[A-Za-z]{2,3})(?![A-Za-z0-9\-])")
_VEHICLE_BEFORE = compiled(r"(?:车|骑|(?<![a-z])(?:car|vehicle|scooter|motorcycle|motorbike|truck|taxi|van|drove|driving|plate))"
                           r"[^\n]{0,16}$", re.IGNORECASE)
# A medical device's identifier in GS1 form, (01) and 14 digits, with its production data
# ((17) expiry, (10) lot, (21) serial): the serial points at the one device in one patient.
UDI = compiled(r"\(01\)[ \t]*[0-9]{14}(?:[ \t]*\([0-9]{2,4}\)[ \t]*[0-9A-Za-z\-./]{1,20})*")
# Coordinates (22.6273, 120.3014): a place a person was found or lives.  Near a location word,
# any pair; else only pairs inside Taiwan's box (21-27 N, 118-123 E), since lab pairs such as
# specific gravities 1.023, 1.010 share the shape.
GEO = compiled(r"(?<![0-9.])(?P<lat>[-+]?[0-9]{1,2}\.[0-9]{3,})[ \t]*[,，/][ \t]*(?P<lon>[-+]?[0-9]{1,3}\.[0-9]{3,})(?![0-9])")
GEO_GATE = compiled(r"[0-9]\.[0-9]{3}[0-9]*[ \t]*[,，/][ \t]*[-+]?[0-9]{1,3}\.[0-9]{3}")
_GEO_WORD = compiled(r"(?:gps|坐标|座标|经纬|经度|纬度|(?<![a-z])lat|(?<![a-z])lon|location|定位|位置|google|map)[^\n]{0,16}$",
                     re.IGNORECASE)
# A web address written without its scheme (facebook.com/chen.daming.52, line.me/ti/p/~abc,
# bit.ly/3xYz): a host with a path names a page, often a person's.  A host alone (gmail.com)
# names nobody.  Found from the dot before the top-level domain (a literal-led scan), the host
# read back from there.
_TLD = r"(?:com|net|org|edu|gov|tw|me|io|cc|ly|gl|gd|co|app|page|link|to|tv|xyz|info|biz|ee|be|so|ai|jp|cn|hk|us|uk)"
BARE_URL_GATE = compiled(r"\." + _TLD + r"(?:\.[a-z]{2})?/[^\s/]", re.IGNORECASE)
BARE_URL = compiled(r"(?<![a-z0-9@.\-_/])(?:[a-z0-9][a-z0-9\-]*\.)+" + _TLD + r"(?:\.[a-z]{2})?/"
                    + _URL_TAIL, re.IGNORECASE)

# For the scrubber's prefilter, each run on its own over a joined column and cheap there: the
# labels in Han characters, the Latin ones (led by their first letters), the dots of an IPv4
# address, the colons of an IPv6 one, "//" and "www."/"WWW." of a URL (literals scan fastest).  (Unlabelled ID shapes are
# screened where the scrubber scans for ID shapes anyway.)
PREFILTERS = [
    r"身[分份]证|统一[编证]|居留|护照|驾|执照|证书|证号|证件|微信|脸书|推特|帐|账|车号|车牌|银行|检体|报告编号|学号|员工|工号|职工编号|会员|病床号码"
    r"|床号|床位|病床|标本|检验[单编]|病理[号编]|切片号|机构代|院所代|字第|赖[ \t]*(?:id|帐|账)|赖[ \t]+[a-z]|赖[ \t]*[:：][ \t]*[a-z@]"
    r"|统号|检查[号编单]|影像[号编]|报告号|申请单号|序号|单号|编号|卡号|条码|字号|票号|案号|号码",
    # (passport and licence are labels even glued to a word before them, as in _LABELS)
    led_by(r"(?<![a-z])(?:arc|national|line|wechat|skype|telegram|facebook|instagram|twitter"
           r"|acc|bank|plate|ip|student|employee|staff|member|id[ \t]*card|(?:id|fb|ig)(?![a-z])"
           r"|bed|specimen|lab|path|admission|encounter|visit|incident|report|order|request|exam|event"
           r"|ref|case|claim|serial|ticket|file|record|chart|card|policy|cert|permit|receipt|invoice|transaction"
           r"|tracking|booking|registration|referral|insurance|sn(?![a-z])|s/n|ssn|social|(?:rn|md|np|pa|badge|emp)[ \t]*#)|passport|licen[cs]e",
           "pailnwstfbemvroqcdgkhu"),
    r"\.[0-9]{1,3}\.[0-9]", r":[0-9a-f]{0,4}:[0-9a-f]{0,4}:", r"//", r"www\.", r"WWW\.",
    BARE_URL_GATE.pattern, PLATE_GATE.pattern, r"\(01\)", GEO_GATE.pattern,
]


# Gates for find (issue 14, speed): each kind's scan runs only where one of its label words
# stands: the words with their look-behinds (after the first letter: "no letter before it"),
# without the look-aheads and optional tails, so each gate matches wherever its scan can;
# case-insensitive, each opening with a literal (regex_gate.literal_led): the scans themselves
# are tried at every position, the gates skip to their first characters.
_W = "(?<![a-z].)"      # (the label's (?<![a-z]), checked after its first letter)
_GATE_WORDS = {
    "ID": ("身分证|身份证|统一编号|统一证号|居留证|外侨居留证|护照|驾照|驾驶执照|执照|证书字号|证号|证件号|passport"
           f"|s{_W}sn|s{_W}ocial"
           f"|a{_W}rc|i{_W}d|n{_W}ational|licen[cs]e|a{_W}cc|检体编号|检体号|报告编号|学号|员工编号|员工号|工号|职工编号"
           f"|会员编号|会员号|病床号码|s{_W}tudent|e{_W}mployee|s{_W}taff|m{_W}ember"
           f"|床号|床位|病床|标本号|标本编号|检体条码|检验单号|检验编号|病理号|病理编号|切片号|医事机构代|机构代码|院所代"
           f"|b{_W}ed|s{_W}pecimen|l{_W}ab|p{_W}ath|a{_W}dmission|e{_W}ncounter|v{_W}isit"
           f"|i{_W}ncident|r{_W}eport|o{_W}rder|r{_W}equest|e{_W}xam|e{_W}vent"
           f"|统号|检查号|检查编号|检查单号|影像号|影像编号|报告号|申请单号"),
    "ACCOUNT": (f"赖|l{_W}ine|w{_W}echat|s{_W}kype|t{_W}elegram|微信|脸书|f{_W}acebook|f{_W}b|i{_W}g|i{_W}nstagram|推特"
                f"|t{_W}witter"),
    "ACCOUNT_NO": f"银行|帐号|账号|帐户|账户|b{_W}ank|a{_W}ccount",
    "PLATE": f"车号|车牌|license|p{_W}late",
    "IP": f"i{_W}p",
    # (the English labels with what must follow them: "patient", "case", "record" alone are
    # common words, and a gate that passes every English note saves nothing)
    "NUMBERED": (f"序号|单号|编号|卡号|条码|字号|票号|案号|号码|s{_W}n(?![a-z])|s{_W}/n"
                 + "".join(f"|{w[0]}{_W}{w[1:]}[ \t]*(?:id|no|number|#)" for w in (
                     "ref", "case", "claim", "serial", "ticket", "file", "record", "chart", "card", "policy", "cert",
                     "permit", "receipt", "invoice", "transaction", "tracking", "booking", "registration", "referral",
                     "insurance", "member"))
                 + "".join(f"|{w[0]}{_W}{w[1:]}[ \t]*#" for w in ("rn", "md", "np", "pa", "badge", "emp"))),
}
KIND_GATES = {kind: compiled(literal_led(words)) for kind, words in _GATE_WORDS.items()}
# Every kind's words in one scan: most notes hold no label at all (1,104 of 1,505 unseen ones),
# and one scan of the union costs about half of what the five kinds' gates do.
ANY_LABEL_GATE = compiled(literal_led("|".join(_GATE_WORDS.values())))
# both ID shapes: [1289] then 8 digits, at most two separators between digits
ID_GATE = compiled(r"[1289](?:[ \t.\-]{0,2}[0-9]){8}")
# an IPv4 address: .octet.digit after its first octet
IPV4_GATE = compiled(r"\.[0-9]{1,3}\.[0-9]")


def find(simplified: str, original: str | None = None) -> tuple[tuple[int, int, str], ...]:
    """(start, end, kind) of labelled values, IP addresses and URLs; kind is ID, ACCOUNT,
    PLATE, IP, URL or GEO (coordinates).  ``original`` (same length): an unlabelled plate must be written on one
    line there (normalisation reads 100⏎MIN as 100-MIN)."""
    out: list[tuple[int, int, str]] = []
    for kind, needs_digit, rx in (LABELLED if ANY_LABEL_GATE.search(simplified) else ()):
        for m in (rx.finditer(simplified) if KIND_GATES[kind].search(simplified) else ()):
            value = m.group("v")
            if needs_digit and sum(c.isdigit() for c in value) < (3 if kind == "NUMBERED" else 1):
                continue
            out.append((*m.span("v"), KIND[kind]))
    if "@" in simplified:
        for m in HANDLE.finditer(simplified):
            if any(c.isdigit() or c in "._" for c in m.group("h")) or _SOCIAL_BEFORE.search(
                    simplified, max(0, m.start() - 24), m.start()):
                out.append((*m.span(), "ACCOUNT"))
    if _NUMBER_PART_GATE.search(simplified):
        out += [(*m.span("v"), "ID") for m in NUMBER_PART.finditer(simplified)]
    if "字第" in simplified:
        out += [(*m.span("v"), "ID") for m in LICENCE_NO.finditer(simplified) if any(c.isdigit() for c in m.group("v"))]
    if ID_GATE.search(simplified):
        out += [(*m.span(), "ID") for m in BARE_ID.finditer(simplified)]
        out += [(*m.span(), "ID") for m in SEPARATED_ID.finditer(simplified) if not BARE_ID.fullmatch(m.group())]
    # (each scan only where what every match holds is there: dots, three colons, // or www.)
    out += [(*m.span(), "IP") for m in (IPV4.finditer(simplified) if IPV4_GATE.search(simplified) else ())]
    out += [(*m.span(), "IP") for m in (IPV6.finditer(simplified) if simplified.count(":") >= 3 else ())
            if m.group().count(":") >= 3 and sum(c.isalnum() for c in m.group()) >= 6]
    out += [(*m.span(), "URL") for m in (URL.finditer(simplified) if "//" in simplified or _WWW.search(simplified)
                                         else ())]
    if PLATE_GATE.search(simplified):
        def one_line(m: re.Match[str]) -> bool:
            return original is None or not ("\n" in original[m.start():m.end()] or "\r" in original[m.start():m.end()])
        out += [(*m.span(), "PLATE") for m in PLATE_ALONE.finditer(simplified) if one_line(m)]
        out += [(*m.span(), "PLATE") for m in PLATE_NEAR_VEHICLE.finditer(simplified)
                if not PLATE_ALONE.fullmatch(m.group()) and one_line(m)
                and _VEHICLE_BEFORE.search(simplified, max(0, m.start() - 24), m.start())]
    if "(01)" in simplified:
        out += [(*m.span(), "ID") for m in UDI.finditer(simplified)]
    if GEO_GATE.search(simplified):
        for m in GEO.finditer(simplified):
            lat, lon = abs(float(m.group("lat"))), abs(float(m.group("lon")))
            if lat <= 90 and lon <= 180 and (21 <= lat <= 27 and 118 <= lon <= 123
                                             or _GEO_WORD.search(simplified, max(0, m.start() - 24), m.start())):
                out.append((*m.span(), "GEO"))
    if BARE_URL_GATE.search(simplified):
        out += [(*m.span(), "URL") for m in BARE_URL.finditer(simplified)
                if not any(a <= m.start() < b for a, b, k in out if k == "URL")]
    return tuple(out)
