"""The batch prefilter (``candidate_indices``) only decides which texts the finders look at: it
must never hide what the finders find in a text on its own.  A label it does not know
(``IDcard:``) once let an ID through in batches while ``find_identifiers`` masked it; this tries
many labels, spellings and values against both paths (issue 14)."""
from __future__ import annotations

import itertools
import random

from deidentify.text import scrub_texts
from deidentify.text.scrub import find_identifiers, mask
from tests.deidentify.eval.handwritten import cases as handwritten

LABELS = ["ID", "IDcard", "ID-card", "id no.", "ID#", "Passport", "passport no", "ARC", "arc no", "License",
          "licence#", "Acc", "Account", "bank account", "Plate", "plate no", "IP", "MRN", "mrn#", "Chart",
          "chart no", "PID", "Patient ID", "pt id", "NHI card", "nhi card no", "DOB", "D.O.B.", "born",
          "birthday", "Tel", "TEL", "Phone", "mobile", "cell", "Fax", "e-mail", "Email", "LINE ID", "WeChat",
          "IG", "FB", "身分證", "身份證字號", "居留證", "護照", "病歷號", "病歷", "健保卡號", "卡號", "電話", "手機",
          "市話", "傳真", "生日", "出生", "地址", "住址", "戶籍", "帳號", "車號", "學號", "員工編號", "個案編號"]
SEPS = [": ", ":", " ", "#", "：", " = ", "-"]
VALUES = ["QX998877", "A123456789", "a 123 456 789", "AC01234567", "0912-345-678", "02 2771 3456",
          "+886 912 345 678", "00886-2-2312-3456", "1234567", "MR-0045127", "0000 1234 5678",
          "1950-03-04", "民國39年3月4日", "39.3.4", "wang@ms1.hinet.net", "10.20.30.44", "ABC-1234",
          "012-345678-901", "jiahao0815", "台北市大安區仁愛路四段27巷5號"]


def _texts() -> list[str]:
    rng = random.Random(14)
    out = [c.text for c in handwritten()]
    for label, sep, value in itertools.product(LABELS, SEPS, VALUES):
        if rng.random() < 0.25:
            before = rng.choice(["", "病人", "Pt ", "家屬 ", "備註："])
            after = rng.choice(["", "。", "，已確認", " (verified)"])
            out.append(f"{before}{label}{sep}{value}{after}")
    return out


def test_a_text_in_a_batch_is_masked_as_it_is_alone():
    texts = _texts()
    batch = scrub_texts(texts)
    alone = [mask(t, find_identifiers(t)) for t in texts]
    differ = [(t, b, a) for t, b, a in zip(texts, batch, alone) if b != a]
    assert len(texts) > 2000 and differ == [], differ[:10]
