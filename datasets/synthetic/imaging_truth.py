"""The synthetic set's DICOM studies and index, and the truth file of every identifier written
(``OUT/_truth/``, outside any warehouse, for leak scans)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import csv
import io
import random
from pathlib import Path

import numpy as np

from datasets.synthetic import vocab
from datasets.synthetic.draws import sparse_text, ymd
from datasets.synthetic.writer import write_by_year, Writer

if TYPE_CHECKING:   # the population is built by the generator, which imports this module
    from datasets.synthetic.generator import Population


def imaging(w: Writer, pop: Population, r: random.Random, rng: np.random.Generator, n: int,
             years: tuple[int, ...], out: Path) -> list[dict]:
    if n <= 0:
        return []
    from deidentify.dicom.synthetic import make_dicom

    (out / "dicom").mkdir(exist_ok=True)
    person = rng.integers(0, len(pop.ids), n)
    hosp = pop.hospitals[rng.integers(0, len(pop.hospitals), n)]
    mods = np.array(["CT", "CR", "MR", "DX"])[rng.integers(0, 4, n)]
    dates = []
    truth = []
    for i in range(n):
        y = years[i % len(years)]
        dates.append(int(ymd(np.array([np.datetime64(f"{y}-01-01") + int(rng.integers(0, 365))]))[0]))
    pools = {"name": pop.names[person], "phone": pop.phones[person], "id": pop.ids[person],
             "email": pop.emails[person], "addr": pop.addrs[person]}
    report = sparse_text(rng, n, 0.8, 0.5, vocab.REPORT_PLAIN, vocab.REPORT_PII, **pools)
    files, acc = [], []
    for i in range(n):
        p = person[i]
        accession = f"A{y % 100:02d}{rng.integers(10**9, 10**10)}"
        acc.append(accession)
        rel = f"dicom/IMG{i + 1:06d}.dcm"
        data = make_dicom(r, patient_name=str(pop.names[p]), patient_id=str(pop.ids[p]),
                          birth_date=str(pop.birth[p]), study_date=str(dates[i]),
                          burned_text=f"{pop.names[p]} {pop.ids[p]}")
        (out / rel).write_bytes(data)
        files.append(rel)
        truth.append({"file": rel, "accession": accession, "header": dicom_identifiers(data)})
    years_s = np.array([str(d // 10000) for d in dates])
    cols = {"ID": pop.ids[person], "NAME": pop.names[person], "ID_BIRTHDAY": pop.birth[person],
            "ID_SEX": pop.sex[person], "HOSP_ID": pop.inst_ids[hosp], "ACCESSION_NO": np.array(acc),
            "STUDY_DATE": np.array(dates), "MODALITY": mods,
            "BODY_PART": np.array([vocab.BODY_PARTS[m][0] for m in mods]), "REPORT": report,
            "DICOM_FILE": np.array(files)}
    write_by_year(w, "H_IMG_INDEX", years_s, cols, n)
    return truth


def dicom_identifiers(data: bytes) -> dict[str, list[str]]:
    """Names, phones, addresses and IDs the synthetic DICOM header carries (for the truth)."""
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(data))
    out: dict[str, list[str]] = {"name": [], "phone": [], "address": [], "accession": []}
    for el in ds.iterall():
        if el.VR == "PN" and el.value:
            vals = el.value if el.VM > 1 else [el.value]
            out["name"] += [str(v) for v in vals] + [str(v).replace("^", "") for v in vals]
    for kw, kind in (("PatientTelephoneNumbers", "phone"), ("PatientAddress", "address"),
                     ("InstitutionAddress", "address"), ("AccessionNumber", "accession")):
        v = ds.get(kw)
        if v:
            out[kind].append(str(v))
    return out


def write_truth(out: Path, pop: Population, imaging: list[dict], batches: list[str]) -> None:
    """Everything identifying that went into the source files, for leak scans (never loaded)."""
    t = out / "_truth"
    t.mkdir(exist_ok=True)
    with open(t / "identifiers.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["kind", "value"])
        for kind, values in (("person_id", pop.ids), ("staff_id", pop.phys_ids),
                             ("staff_id", pop.phar_ids), ("name", pop.names),
                             ("name", pop.phys_names), ("name", pop.phar_names),
                             ("name", pop.nurse_names), ("phone", pop.phones),
                             ("phone", pop.inst_tels), ("address", pop.addrs),
                             ("address", pop.inst_addrs), ("institution_name", pop.inst_names),
                             ("email", pop.emails), ("institution_id", pop.inst_ids),
                             ("card_no", pop.card_no), ("vpn_batch", batches)):
            wr.writerows([kind, v] for v in values)
        for d in imaging:
            wr.writerow(["accession", d["accession"]])
            for kind, vals in d["header"].items():
                for v in vals:
                    wr.writerow([kind, v])


def read_truth(out: str | Path) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    with open(Path(out) / "_truth" / "identifiers.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            kinds.setdefault(row["kind"], set()).add(row["value"])
    return kinds
