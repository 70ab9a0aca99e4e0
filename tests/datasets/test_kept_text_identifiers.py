"""D1: a kept text column (lab result, unit, reference range, item or drug name, body part)
that carries a national ID, phone number, e-mail or web address holds its row back - the row
goes to the quarantine with line and column, never the value (datasets.load.residual).

The shapes are tried in many generated forms (embedded in words, full-width, lower-case,
spaced, with country code); ordinary values of those columns must still load."""
from __future__ import annotations

import csv
import random
from pathlib import Path

import duckdb
import pytest

from datasets.load import load_release
from datasets.load import residual as R
from deidentify.identifiers.taiwan_id import generate
from policies import load_policy

FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


def _found(values: list[str]) -> list[set[str]]:
    """What the load's checks find in each value (names of the shapes)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INT, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    conds = R.conditions("v")
    cols = ", ".join(f"{c} AS c{k}" for k, (c, _) in enumerate(conds))
    rows = con.execute(f"SELECT i, {cols} FROM t ORDER BY i").fetchall()
    return [{conds[k][1] for k, hit in enumerate(r[1:]) if hit} for r in rows]


def _ids(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [generate(rng) for _ in range(n)]


def _embedded(seed: int) -> list[tuple[str, str]]:
    """(value, shape) pairs: each identifier written the ways a source system or a person does."""
    rng = random.Random(seed)
    out = []
    for pid in _ids(12, seed):
        out += [(pid, R.NATIONAL_ID), (pid.lower(), R.NATIONAL_ID),
                (f"陰性 {pid}", R.NATIONAL_ID), (f"2+({pid})", R.NATIONAL_ID),
                (pid.translate(FULL), R.NATIONAL_ID), (f"{pid[:1]} {pid[1:5]} {pid[5:]}", R.NATIONAL_ID),
                (f"{pid[:4]}-{pid[4:]}", R.NATIONAL_ID), (f"病人{pid}檢體", R.NATIONAL_ID)]
    for _ in range(12):
        m = "09" + "".join(rng.choice("0123456789") for _ in range(8))
        area = rng.choice(["2", "3", "4", "5", "6", "7", "8"])
        land = "0" + area + "".join(rng.choice("0123456789") for _ in range(8 if area == "2" else 7))
        out += [(m, R.PHONE), (f"{m[:4]}-{m[4:7]}-{m[7:]}", R.PHONE), (f"{m[:4]} {m[4:]}", R.PHONE),
                (f"+886 {m[1:4]} {m[4:7]} {m[7:]}", R.PHONE), (f"886-{m[1:]}", R.PHONE),
                (m.translate(FULL), R.PHONE), (f"已通知家屬{m}", R.PHONE),
                (f"({land[:2]}){land[2:]}", R.PHONE), (f"{land[:2]}-{land[2:6]}-{land[6:]}", R.PHONE),
                (f"Tel: {land}", R.PHONE)]
    for user in ("wang.xm", "a123", "chen_mary", "lin-ya", "x.y.z+lab"):
        for host in ("gmail.com", "ntuh.gov.tw", "mail.cgmh.org.tw", "yahoo.com.tw"):
            out += [(f"{user}@{host}", R.EMAIL), (f"回覆 {user}@{host} 謝謝", R.EMAIL),
                    (f"{user}@{host}".upper().translate(FULL), R.EMAIL)]
    for url in ("http://x.tw/p?id=1", "https://lab.example.org/r/88", "www.facebook.com/wang",
                "HTTPS://line.me/ti/p/abc", "ｗｗｗ.ptt.cc"):
        out += [(url, R.WEB), (f"見 {url}", R.WEB)]
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_written_form_of_an_identifier_is_found(seed):
    pairs = _embedded(seed)
    got = _found([v for v, _ in pairs])
    missed = [(v, shape) for (v, shape), found in zip(pairs, got) if shape not in found]
    assert not missed, missed
    assert len(pairs) > 200


# what the kept text columns of the families hold (lab results and their units and ranges, item,
# fee and drug names, body parts) - none of it may be held back
ORDINARY = [
    "Negative", "Positive", "2+", "Trace", "陰性", "陽性", "弱陽性", "5.6", "0.25", "<0.01", ">1000",
    "1:80", "8.3", "10^3/uL", "mg/dL", "mmol/L", "IU/L", "%", "g/dL", "x10^6/uL", "/HPF", "0-2/HPF",
    "4.0-10.0", "3.5 - 5.0", ">40", "<200", "0.1-1.2", "135-145", "12.0-16.0", "1.005-1.030",
    "0912", "20210723", "2021-07-23", "B-0800-12", "Amoxicillin 500mg", "AMOXICILLIN CAP 500MG",
    "阿莫西林膠囊", "普拿疼錠500毫克", "PANADOL TAB 500MG", "Metformin HCl", "錠劑", "膠囊劑",
    "注射劑", "一般診察費", "門診診察費-醫學中心", "CT, chest, with contrast", "CHEST PA VIEW",
    "L-SPINE AP/LAT", "Brain MRI", "胸部", "腹部", "左膝", "HbA1c", "LDL-C", "HDL-C", "WBC", "eGFR",
    "A12345678", "AB12345678", "A123456780", "Z999999999", "A1B2C3D4E5", "1,234,567", "02.345678",
    "ICD A09", "lot 2021-0915-0034", "user at host", "a@b", "x@y.", "ratio 1/1000", "HIV Ag/Ab",
    "Hep B s-Ag", "E-mail: none", "www", "http", "體重 60.5 kg", "血壓 120/80 mmHg",
]


def test_ordinary_values_of_kept_columns_pass():
    got = _found(ORDINARY)
    held = [(v, f) for v, f in zip(ORDINARY, got) if f]
    assert not held, held


def test_the_synthetic_sources_kept_text_all_passes(tiny_source):
    """Every kept text value the generator writes (all families) passes the checks."""
    from datasets.schemas import FAMILIES, effective_actions

    acts = effective_actions(load_policy())
    values = set()
    for f in sorted(tiny_source.glob("*.csv")):
        fam = next((x for x in FAMILIES.values() if f.name.startswith(x.name + "_")
                    or f.name == x.name + ".csv"), None)
        if fam is None:
            continue
        kept = [c.name for c in fam.columns if c.type == "str" and acts[fam.name][c.name] == "keep"]
        with open(f, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                values.update(row[k] for k in kept if row.get(k))
    assert len(values) > 20
    values = sorted(values)
    held = [v for v, found in zip(values, _found(values)) if found]
    assert not held, held


def _edit_lab(path: Path, edits: dict[int, tuple[str, str]]) -> None:
    """Set ``column`` of data row ``i`` (1-based, the header is line 1) to ``value``."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for line, (column, value) in edits.items():
        rows[line - 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(rows)


def _quarantine(settings, release) -> list[dict]:
    p = Path(settings.warehouse_dir) / "releases" / release / "_load" / "quarantine.csv"
    with open(p, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _planted(tiny_source) -> tuple[Path, dict[int, tuple[str, str]]]:
    (tiny_source / "MANIFEST.json").unlink()   # the edits change sizes
    lab = next(tiny_source.glob("H_LAB_RESULT_*.csv"))
    pid = _ids(1, 99)[0]
    edits = {3: ("RESULT_VALUE", f"陰性 {pid}"), 5: ("UNIT", "call 0912-345-678"),
             7: ("REF_RANGE", "wang.xm@gmail.com"), 9: ("ITEM_NAME", "see https://x.tw/r/1"),
             11: ("RESULT_VALUE", pid.translate(FULL))}
    _edit_lab(lab, edits)
    return lab, edits


def test_a_load_holds_back_rows_whose_kept_text_carries_an_identifier(tiny_source, settings):
    lab, edits = _planted(tiny_source)
    n_rows = len(lab.read_text("utf-8").splitlines()) - 1
    rep = load_release(tiny_source, "K1", settings)
    q = [r for r in _quarantine(settings, "K1") if r["file"] == lab.name]
    assert {(int(r["line"]), r["column"]) for r in q} == {(k, c) for k, (c, _) in edits.items()}, q
    assert all("D1" in r["reason"] and "looks like" in r["reason"] for r in q)
    text = (Path(rep.path) / "_load" / "quarantine.csv").read_text("utf-8")
    assert not any(v in text for _, v in edits.values())   # never the value
    fr = next(x for x in rep.files if x.file == lab.name)
    assert (fr.read, fr.loaded, fr.quarantined) == (n_rows, n_rows - len(edits), len(edits))


def test_switched_off_the_identifiers_would_be_released(tiny_source, settings):
    """The check is what holds them: with it off the same rows load (the rule switch's test)."""
    lab, edits = _planted(tiny_source)
    p = load_policy()
    p = p.model_copy(update={"data": p.data.model_copy(update={
        "kept_text_identifier_check": False})})
    rep = load_release(tiny_source, "K0", settings, policy=p)
    q = [r for r in _quarantine(settings, "K0") if r["file"] == lab.name]
    assert not q
    fr = next(x for x in rep.files if x.file == lab.name)
    assert fr.quarantined == 0
