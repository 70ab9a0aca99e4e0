"""Import review (D4): the text a picture shows.

Before, a screenshot or photo of a patient list brought in as a PNG/JPEG passed: only the
picture's metadata was read.  Now the pixels are read (tesseract, one run per import) and the
text goes through the identifier checks; a picture that cannot be read goes to a person.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids, zip_of

CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
IDS = national_ids(5, seed=31)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬"]


def picture(lines, *, font=CJK, size=22, fmt="PNG", fg="black", bg="white", mode="RGB") -> bytes:
    f = ImageFont.truetype(font, size)
    im = Image.new(mode, (40 + 20 * size, 20 + (size + 12) * len(lines)), bg)
    d = ImageDraw.Draw(im)
    for k, line in enumerate(lines):
        d.text((15, 10 + (size + 12) * k), line, fill=fg, font=f)
    b = io.BytesIO()
    im.save(b, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return b.getvalue()


def run(policy, *items, imaging=False):
    return check_import([ImportItem(*it) for it in items], imaging=imaging, policy=policy.egress)


def shown(r):
    return [(f.severity, f.check, f.location, f.message_en[:80]) for f in r.findings]


LISTS = {
    "names and ids": [f"{n}  {i}" for n, i in zip(NAMES, IDS)],
    "ids only": [f"{k + 1}. {i}" for k, i in enumerate(IDS)],
    "phones": [f"{n} 0912-34{k}678" for k, n in enumerate(NAMES)],
    "english roster": ["Patient       ID", *[f"P{k}  {i}" for k, i in enumerate(IDS)]],
}


def test_pictures_of_patient_lists_block(policy):
    """Every member in one import (one tesseract run for all): each file must block on its own."""
    items = []
    for what, lines in sorted(LISTS.items()):
        font = SANS if what == "english roster" else CJK
        items.append((f"{what}.png", "reference", picture(lines, font=font)))
    items.append(("names-and-ids.jpg", "reference", picture(LISTS["names and ids"], fmt="JPEG")))
    items.append(("phones-small.png", "reference", picture(LISTS["phones"], size=14)))
    r = run(policy, *items)
    for f in r.files:
        assert f.verdict == "block", (f.path, shown(r))
        assert any(x.location.get("part") == "text in the picture" for x in f.findings), (f.path, shown(r))


def test_a_picture_inside_an_archive_or_notebook_is_read(policy):
    data = picture(LISTS["names and ids"])
    r = run(policy, ("bundle.zip", "reference", zip_of({"docs/scan.png": data})))
    assert r.verdict == "block" and any("scan.png" in str(f.location.get("member")) for f in r.findings), shown(r)


TURNS = {"quarter turn": lambda im: im.rotate(90, expand=True), "half turn": lambda im: im.rotate(180, expand=True),
         "three quarters": lambda im: im.rotate(270, expand=True),
         "tilted": lambda im: im.rotate(4, expand=True, fillcolor="white"),
         "a third the size": lambda im: im.resize((im.width // 3, im.height // 3))}


def test_turned_or_shrunk_pictures_of_a_list_block(policy):
    src = Image.open(io.BytesIO(picture(LISTS["names and ids"])))
    items = []
    for how, turn in sorted(TURNS.items()):
        b = io.BytesIO()
        turn(src).save(b, "PNG")
        items.append((f"{how}.png", "reference", b.getvalue()))
    r = run(policy, *items)
    for f in r.files:
        assert f.verdict == "block", (f.path, shown(r))


def test_light_on_dark_and_grey_pictures_are_read(policy):
    r = run(policy, ("dark.png", "reference", picture(LISTS["ids only"], fg="white", bg="black")),
            ("grey.png", "reference", picture(LISTS["ids only"], fg=60, bg=230, mode="L")))
    assert [f.verdict for f in r.files] == ["block", "block"], shown(r)


def test_pictures_that_cannot_be_read_go_to_a_person(policy, monkeypatch):
    big = policy.egress.model_copy(update={"import_ocr_max_pixels": 100})
    r = check_import([ImportItem("s.png", "reference", picture(["hello"]))], imaging=False, policy=big)
    assert r.verdict == "review" and any(f.check == "image_text" for f in r.findings), shown(r)
    none = policy.egress.model_copy(update={"import_ocr_max_images": 0})
    r = check_import([ImportItem("s.png", "reference", picture(["hello"]))], imaging=False, policy=none)
    assert r.verdict == "review", shown(r)
    # tesseract missing: never "no text" (the one thing mocked: a machine without tesseract)
    monkeypatch.setattr("shutil.which", lambda name: None)
    r = run(policy, ("s.png", "reference", picture(LISTS["ids only"])))
    assert r.verdict == "review" and any("unavailable" in f.message_en for f in r.findings), shown(r)


def test_ordinary_pictures_pass(policy):
    chart = picture(["Figure 1. Cohort size by year", "2019  2020  2021  2022"], font=SANS)
    flow = picture(["研究流程：篩選 → 配對 → 分析", "納入條件：第二型糖尿病"])
    blank = io.BytesIO()
    Image.new("L", (256, 256), 0).save(blank, "PNG")
    r = run(policy, ("fig1.png", "reference", chart), ("flow.png", "reference", flow),
            ("xray.png", "reference", blank.getvalue()))
    assert r.verdict == "pass", shown(r)
