"""The finders' own gates (issue 14, speed): a scan skipped on a text must have nothing to find
there.  Each gate is checked on the evaluation notes, the hand-written notes, every label/value
pairing of the prefilter test and generated mixtures of labels, birth words and numbers in odd
spellings: wherever the gated scan matches, its gate matches too.  The skips that are not
regexes (short phone runs, the address scan's jump to the next numbered part or city, the
clinical-prefix look-up) are compared with the plain loops they replace."""
from __future__ import annotations

import itertools
import random
import re

import pytest

from deidentify.identifiers import (address, dates, labelled, name_context, phone, record_numbers, taiwan_id,
                                    western_names)
from deidentify.identifiers.normalise import to_simplified
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate
from tests.deidentify.test_prefilter_never_hides import _texts as label_texts

PARTS = ["ID", "id card", "xid", "IDcard", "passport", "Xpassport", "mylicense", "licence", "ARC", "arc", "acc",
         "account", "bank account", "Line", "line id", "wechat", "skype", "telegram", "FB", "ig", "Instagram",
         "twitter", "plate", "license plate", "IP", "ip address", "student no", "Employee #", "staff id", "member",
         "national id", "accession", "ſtudent", "s\u212aype", "İD", "ıp", "身分证", "身份證字號", "统一编号", "外侨居留证",
         "护照", "驾照", "执照", "证书字号", "证号", "证件号", "检体编号", "报告编号", "学号", "员工编号", "工号",
         "职工编号", "会员号", "病床号码", "微信号", "脸书", "推特", "银行帐号", "账户", "车牌号码", "车号",
         ": ", "：", "#", " ", "=", "为", "no.", "末四码", "last 4", "-", ".", "\t",
         "A123456789", "a 123 456 789", "B2-0011-2233", "E2 2011 2233", "AC01234567", "QX998877", "12345",
         "10.20.30.44", "1.2.3", "192.168.0.1", "0912-345-678", "02 2771 3456", "+886 912 345 678",
         "1950-03-04", "民国39年3月4日", "七十年次", "45年生", "1975年出生", "born in 1975", "YOB 1975",
         "Year of birth: 1980", "birth year 1966", "出生年份：1970", "生年 60", "生日", "出生", "于", "生",
         "「大头」", "绰号“阿明”", "小名'小胖'", "叫做「阿宝」", "王小明", "Dr. Smith", "www.", "http://",
         "台北市大安区仁爱路四段27巷5号", "健保卡号", "0000 1234 5678", "1234-5678-9012", "NHI card",
         "Chen Mei", "O'Brien, John", "SMITH J.", "Mc Donald", "Dr. Wang Xiaoming", "HTN, DM", "新北市板桥区", "中山路", "3号", "五巷", "病人", "，", "。"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    base = [c.text for c in generate(60, 4242) + generate(60, 123) + handwritten()] + label_texts()
    rng = random.Random(1414)
    mixed = ["".join(rng.choice(PARTS) for _ in range(rng.randint(2, 9))) for _ in range(6000)]
    return [to_simplified(t) for t in base + mixed]


def _holds(texts: list[str], scans, gate) -> list[str]:
    """Texts where a scan matches but the gate does not (must be none)."""
    return [t for t in texts if any(rx.search(t) for rx in scans) and not gate(t)]


def test_the_gates_see_every_text_their_scans_match(texts):
    cases = {
        **{f"{kind} labels": ([rx], labelled.KIND_GATES[kind].search) for kind, _, rx in labelled.LABELLED},
        "ID shapes": ([labelled.BARE_ID, labelled.SEPARATED_ID], lambda t: labelled.ID_GATE.search(t)),
        "IPv4": ([labelled.IPV4], lambda t: labelled.IPV4_GATE.search(t)),
        "date before 生": ([dates.DOB_AFTER], lambda t: "生" in t),
        "birth year": ([dates.BIRTH_YEAR], lambda t: "年" in t or dates.YEAR_GATE.search(t)),
        "quoted nickname": ([name_context.QUOTED_NICKNAME], lambda t: name_context._QUOTE.search(t)),
        "NHI card": ([record_numbers.CARD, record_numbers.CARD_BARE], lambda t: record_numbers.CARD_GATE.search(t)),
        "Latin pair": ([western_names.PAIR], lambda t: western_names.PAIR_GATE.search(t)),
    }
    for what, (scans, gate) in cases.items():
        matched = [t for t in texts if any(rx.search(t) for rx in scans)]
        assert len(matched) >= 20, (what, len(matched))       # the texts do try each scan
        assert _holds(texts, scans, gate) == [], what


def test_the_gates_skip_most_texts_without_a_match(texts):
    # (a gate that matches everything would pass the test above and save nothing)
    plain = [t for t in texts[:2000] if not any(rx.search(t) for _, _, rx in labelled.LABELLED)]
    skipped = [t for t in plain if not any(g.search(t) for g in labelled.KIND_GATES.values())]
    assert len(skipped) > 0.3 * len(plain)


def _phone_plain(simplified: str) -> list[tuple[int, int]]:
    """phone.find without its skip of runs and prefixes holding fewer than 7 digits."""
    out = []
    for m in phone._RUN.finditer(simplified):
        groups = list(phone._GROUP.finditer(simplified, m.start(), m.end()))[:8]
        for k in range(len(groups), 0, -1):
            end = groups[k - 1].end()
            if end < m.end() and simplified[end] == ")":
                end += 1
            piece = simplified[m.start():end]
            if phone._SLASHED_OTHERWISE.search(piece):
                continue
            digits = "".join(g.group() for g in groups[:k])
            ok = phone.national_number(piece) is not None
            if not ok and k >= 2 and (k >= 3 or piece.startswith(("+", "("))):
                ok = phone.national_number(piece, loose=True) is not None
            if not ok and 7 <= len(digits) <= 8 and digits[0] in "23456789" and not piece.startswith(("+", "(")):
                ok = bool(phone.LOCAL_CONTEXT.search(simplified, max(0, m.start() - 16), m.start()))
            if ok:
                ext = phone._EXT.match(simplified, end)
                out.append((m.start(), ext.end() if ext else end))
                break
    return out


def test_no_phone_number_has_fewer_than_7_digits():
    # every way of writing up to six digits, with the prefixes national_number reads
    for n in range(1, 7):
        for digits in itertools.product("0123456789", repeat=min(n, 4)):
            body = "".join(digits) + "9" * (n - len(digits))
            for head in ("", "0", "+", "(", "+886", "00886", "886", "+886 (0)"):
                written = head + body
                if sum(c.isdigit() for c in written) < 7:
                    assert phone.national_number(written) is None, written
                    assert phone.national_number(written, loose=True) is None, written


def test_phone_find_is_the_plain_loop(texts):
    rng = random.Random(7)
    shapes = ["0912-345-678", "(02)2771-3456", "02-2771-3456 123", "+886-7-123-4567", "07-123-4567", "2771 3456",
              "電話 2771-3456", "tel 123 4567", "1 2 3", "12.5", "3/4", "(0", "+8", "0800-000-123", "#12", "ext 3"]
    extra = [to_simplified("".join(rng.choice(shapes + ["，", " ", "电话", "a"]) for _ in range(5))) for _ in range(3000)]
    differ = [t for t in texts + extra if phone.find(t) != _phone_plain(t)]
    assert differ == []


def _address_plain(simplified: str) -> list[tuple[int, int]]:
    """address.find without its jump ahead to the next numbered part or city."""
    out: list[tuple[int, int]] = []
    if not address._ANCHOR.search(simplified):
        return out
    pos = 0
    while (m := address.ADDRESS.search(simplified, pos)) is not None:
        a, b = m.span()
        while b > a and simplified[b - 1] in " \t":
            b -= 1
        text = simplified[a:b]
        if len(text) >= 4 and (address._NUMBERED.search(text)
                               or (address._HAS_CITY.search(text) and address._HAS_DISTRICT_ROAD.search(text))):
            out.append((a, b))
            pos = max(b, a + 1)
        else:
            pos = a + 1
    return out


def test_address_find_is_the_plain_loop(texts):
    rng = random.Random(11)
    parts = ["台北市", "新北市板桥区", "大安区", "中山路", "二段", "五巷", "3弄", "12号", "之1", "5楼", "户籍", "住在",
             "病人", "，", " ", "复健科", "中正里", "3邻", "100", "号码", "科"]
    # addresses with long stretches of text before, between and after them
    extra = [to_simplified("".join(rng.choice(parts) for _ in range(rng.randint(3, 12))) + "病人" * rng.randint(0, 90)
                           + "".join(rng.choice(parts) for _ in range(rng.randint(3, 12)))) for _ in range(2000)]
    found = differ = 0
    for t in texts + extra:
        plain = _address_plain(t)
        found += len(plain)
        if address.find(t) != plain:
            differ += 1
    assert found > 500 and differ == 0
    # the jump relies on ADDRESS matching at most _WIDEST characters
    assert 0 < address._WIDEST < 1000
    assert max(len(m.group()) for t in texts for m in address.ADDRESS.finditer(t)) <= address._WIDEST


def test_clinical_prefix_look_up_is_the_loop(texts):
    clinical = name_context._clinical()
    runs = {t[i:i + n] for t in texts[:3000] for i in range(0, len(t), 3) for n in (1, 2, 3, 4, 5)}
    runs |= {w[:n] for w in clinical for n in range(1, len(w) + 1)} | {w + "明" for w in clinical}
    for run in runs:
        loop = any(run.startswith(w) for w in clinical if len(w) <= len(run))
        assert name_context._opens_with_clinical(run) == loop, run
    assert sum(map(name_context._opens_with_clinical, runs)) > 100


def test_id_scan_is_its_plain_form(texts):
    plain = re.compile(taiwan_id.PLAIN_FIND)
    rng = random.Random(5)
    extra = ["".join(rng.choice(["A", "b", "AB", "1", "2345", "6789", " ", "-", "·", "王", "x", "12345678"])
                     for _ in range(12)) for _ in range(5000)]
    spans = [([m.span() for m in taiwan_id.FIND.finditer(t)], [m.span() for m in plain.finditer(t)])
             for t in texts + extra]
    assert sum(len(a) for a, _ in spans) > 500 and all(a == b for a, b in spans)


def test_labels_glued_to_a_word_are_masked_in_batches_as_alone():
    # passport and licence need no word boundary before them in the finder, so neither in the
    # batch prefilter (driverlicense: … was masked alone and left in a batch)
    from deidentify.text import scrub_texts
    from deidentify.text.scrub import find_identifiers, mask

    texts = [f"{before}{label}{sep}{value}" for before in ("driver", "my", "X", "")
             for label in ("license", "licence", "passport", "Passport")
             for sep in (": ", " no. ", "#") for value in ("QX998877", "AB12345")]
    assert scrub_texts(texts) == [mask(t, find_identifiers(t)) for t in texts]
    assert all("<ID>" in t for t in scrub_texts(texts))
