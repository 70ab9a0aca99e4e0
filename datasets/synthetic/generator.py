"""Seeded, deterministic generator of NHIRD-like source files, streaming in constant memory.

Distributions (documented here and in docs/data-plane.md):

* **Population.** ``persons = clamp(rows // 25, 60, 1_000_000)``; sexes 50/50; ages follow a
  flattened Taiwanese pyramid (0-14: 12 %, 15-64: 70 %, 65+: 18 %, max 100); 97 % national IDs,
  2 % new-style resident certificates (second digit 8/9), 1 % old-style (second letter A-D), all
  checksum-valid (``deidentify.identifiers.taiwan_id.generate``).  Names from the 32 commonest
  surnames weighted by frequency plus two given characters; mobile phones ``09xxxxxxxx``;
  addresses in 22 cities weighted by population.
* **Utilisation.** Outpatient visits are drawn per person with weight rising with age
  (``1 + (age/25)^2``) and 5 % more for women; each visit has Poisson(1.5) orders; 10 % of visits
  lead to a pharmacy dispensing (1 + Poisson(1) orders); 1 % lead to an admission (length of stay
  1 + geometric(0.2) days, 1 + Poisson(7) inpatient orders).  Claim rows ≈ 2.9 per visit.
* **Diagnoses.** ICD-10-CM principal diagnosis from two weighted lists (under/over 50: acute
  respiratory infections dominate the young, hypertension, diabetes and hyperlipidaemia the old);
  40 % of visits carry a secondary diagnosis.
* **Institutions.** ``max(12, persons // 150)`` institutions: 1 % medical centres, 4 % regional,
  12 % district hospitals, 73 % clinics, 10 % pharmacies; visit volume shares 15/20/15/50 %
  (centres and regional hospitals are few but busy); admissions only in hospitals.
* **Free text.** A chief complaint on 8 % of visits (5 % of those naming the patient, a phone,
  ID or e-mail), a discharge summary on 60 % of admissions (20 % with personal data), a
  PART_ACCO_DATA note on 10 % of inpatient orders (10 % with personal data).  Sparse on
  purpose: identifiers in clinical free text are the exception, and each distinct text costs a
  full scan by the scrubber.
* **Imaging.** ``images`` studies (default ``clamp(persons // 100, 3, 50)``), small CT/CR-like
  DICOM files whose headers and burned-in pixels carry the patient's name and ID.

Everything written that identifies someone is also recorded in ``OUT/_truth/`` (outside any
warehouse) so tests can scan a release for leaks.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from datasets.schemas import FAMILIES
from datasets.synthetic import vocab
from deidentify.identifiers import taiwan_id

VISIT_CHUNK = 40_000


@dataclass
class GenerateResult:
    out: Path
    files: list[dict] = field(default_factory=list)
    claim_rows: int = 0
    persons: int = 0

    def to_dict(self) -> dict:
        return {"out": str(self.out), "claim_rows": self.claim_rows, "persons": self.persons,
                "files": self.files}


def _weighted(rng: np.random.Generator, items: list, weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=p / p.sum())


def _ymd(d: np.ndarray) -> np.ndarray:
    """datetime64[D] array -> int yyyymmdd."""
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y * 10000 + m * 100 + day


class _Population:
    def __init__(self, seed: int, n: int, n_inst: int):
        r = random.Random(seed)
        nr = np.random.default_rng([seed, 1])
        forms = nr.choice(3, size=n, p=[0.97, 0.02, 0.01])
        forms[1:3] = [1, 2]  # every set has each ID form at least once
        sexes = nr.choice(2, size=n)
        seen: set[str] = set()
        ids = []
        for f, s in zip(forms, sexes):
            while True:
                v = taiwan_id.generate(r, ("national", "resident_new", "resident_old")[f], "MF"[s])
                if v not in seen:
                    seen.add(v)
                    ids.append(v)
                    break
        self.ids = np.array(ids)
        self.sex = np.where(sexes == 0, "M", "F")
        band = nr.choice(3, size=n, p=[0.12, 0.70, 0.18])
        age = np.where(band == 0, nr.integers(0, 15, n),
                       np.where(band == 1, nr.integers(15, 65, n), nr.integers(65, 101, n)))
        self.age = age
        birth = (np.datetime64("2020-07-01") - (age * 365.25).astype(int)
                 - nr.integers(0, 365, n)).astype("datetime64[D]")
        self.birth = _ymd(birth)
        sn = _weighted(nr, vocab.SURNAMES, [w for _, w in vocab.SURNAMES], n)
        g1 = nr.integers(0, len(vocab.GIVEN), n)
        g2 = nr.integers(0, len(vocab.GIVEN), n)
        self.names = np.array([vocab.SURNAMES[a][0] + vocab.GIVEN[b] + vocab.GIVEN[c]
                               for a, b, c in zip(sn, g1, g2)])
        self.phones = np.array([f"09{x:08d}" for x in nr.integers(0, 10**8, n)])
        city = _weighted(nr, vocab.CITIES, [c[3] for c in vocab.CITIES], n)
        addrs, areas, zips = [], [], []
        for ci, dist_r, road, sec, no, fl in zip(city, nr.random(n), nr.integers(0, len(vocab.ROADS), n),
                                                 nr.integers(1, 4, n), nr.integers(1, 400, n),
                                                 nr.integers(1, 15, n)):
            cname, ccode, dists, _ = vocab.CITIES[ci]
            di = int(dist_r * len(dists))
            addrs.append(f"{cname}{dists[di]}{vocab.ROADS[road]}{sec}段{no}號{fl}樓")
            areas.append(f"{ccode}{di + 1:02d}")
            zips.append(f"{(int(ccode) * 7 + di) % 900 + 100:03d}")
        self.addrs = np.array(addrs)
        self.area = np.array(areas)
        self.zip = np.array(zips)
        self.emails = np.array([f"user{h}@mail.example.tw" for h in nr.integers(10**6, 10**7, n)])
        w = (1 + (age / 25.0) ** 2) * np.where(self.sex == "F", 1.05, 1.0)
        self.visit_p = w / w.sum()
        # staff: physicians, pharmacists, nurses (national IDs only), institutions
        n_phys = max(10, n // 80)
        self.phys_ids = np.array(self._staff_ids(r, n_phys, seen))
        self.phys_names = np.array(self._names(nr, n_phys))
        n_phar = max(5, n // 250)
        self.phar_ids = np.array(self._staff_ids(r, n_phar, seen))
        self.phar_names = np.array(self._names(nr, n_phar))
        self.nurse_names = np.array(self._names(nr, max(5, n // 150)))
        # institutions: level 1..4 hospitals/clinics, 5 pharmacy
        levels = nr.choice(5, size=n_inst, p=[0.01, 0.04, 0.12, 0.73, 0.10]) + 1
        levels[:4] = [1, 2, 3, 5]  # every set has each kind at least once
        self.inst_level = levels
        hid: set[str] = set()
        inst_ids = []
        while len(inst_ids) < n_inst:
            v = f"{nr.integers(10**9, 10**10)}"
            if v not in hid:
                hid.add(v)
                inst_ids.append(v)
        self.inst_ids = np.array(inst_ids)
        icity = _weighted(nr, vocab.CITIES, [c[3] for c in vocab.CITIES], n_inst)
        self.inst_area = np.array([f"{vocab.CITIES[c][1]}01" for c in icity])
        kinds = {1: "醫學中心", 2: "綜合醫院", 3: "醫院", 4: "診所", 5: "藥局"}
        self.inst_names = np.array([f"{vocab.SURNAMES[i % 30][0]}{vocab.GIVEN[(i * 7) % len(vocab.GIVEN)]}"
                                    f"{vocab.GIVEN[(i * 13 + 5) % len(vocab.GIVEN)]}{kinds[lv]}"
                                    for i, lv in enumerate(levels)])
        self.inst_addrs = np.array([f"{vocab.CITIES[c][0]}{vocab.CITIES[c][2][0]}{vocab.ROADS[i % len(vocab.ROADS)]}"
                                    f"{i % 3 + 1}段{100 + i}號" for i, c in enumerate(icity)])
        self.inst_tels = np.array([f"0{2 + i % 7}{x:07d}" for i, x in enumerate(nr.integers(0, 10**7, n_inst))])
        self.inst_owner = nr.integers(0, n_phys, n_inst)
        volume = np.array([15.0, 20.0, 15.0, 50.0, 0.0])
        counts = np.bincount(levels, minlength=6)[1:]
        per = np.where(counts > 0, volume / np.maximum(counts, 1), 0)
        wv = per[levels - 1]
        self.visit_inst_p = wv / wv.sum()
        self.hospitals = np.flatnonzero(levels <= 3)
        self.pharmacies = np.flatnonzero(levels == 5)
        drugs = []
        for i in range(240):
            drugs.append(f"{vocab.DRUG_PREFIXES[i % len(vocab.DRUG_PREFIXES)]}{nr.integers(10**7, 10**8)}")
        self.drugs = np.array(drugs)

    @staticmethod
    def _staff_ids(r: random.Random, k: int, seen: set[str]) -> list[str]:
        out = []
        while len(out) < k:
            v = taiwan_id.generate(r, "national")
            if v not in seen:
                seen.add(v)
                out.append(v)
        return out

    @staticmethod
    def _names(nr: np.random.Generator, k: int) -> list[str]:
        sn = _weighted(nr, vocab.SURNAMES, [w for _, w in vocab.SURNAMES], k)
        return [vocab.SURNAMES[a][0] + vocab.GIVEN[b] + vocab.GIVEN[c]
                for a, b, c in zip(sn, nr.integers(0, len(vocab.GIVEN), k),
                                   nr.integers(0, len(vocab.GIVEN), k))]


class _Writer:
    """Per (family, year) output files in CSV (UTF-8/Big5) or fixed width; hashes as it writes."""

    def __init__(self, out: Path, encoding: str, fixed_width: bool):
        self.out, self.encoding, self.fw = out, encoding, fixed_width
        self.files: dict[tuple[str, str | None], dict] = {}

    def _open(self, fam: str, year: str | None) -> dict:
        key = (fam, year)
        if key not in self.files:
            name = f"{fam}_{year}" if year else fam
            path = self.out / (name + (".txt" if self.fw else ".csv"))
            fh = open(path, "wb")
            st = {"path": path, "fh": fh, "rows": 0, "bytes": 0, "sha": hashlib.sha256(),
                  "family": fam, "year": year}
            self.files[key] = st
            if not self.fw:
                self._put(st, (",".join(FAMILIES[fam].names) + "\n").encode(self.encoding))
        return self.files[key]

    def _put(self, st: dict, data: bytes) -> None:
        st["fh"].write(data)
        st["sha"].update(data)
        st["bytes"] += len(data)

    def write(self, fam: str, year: str | None, cols: dict[str, object], n: int) -> None:
        if n == 0:
            return
        f = FAMILIES[fam]
        st = self._open(fam, year)
        if self.fw:
            parts = []
            for c in f.columns:
                v = cols.get(c.name)
                arr = np.full(n, "", dtype=object) if v is None else np.asarray(v, dtype=object)
                s = np.array(["" if x is None else str(x)[:c.width] for x in arr], dtype=f"U{c.width}")
                parts.append(np.char.ljust(s, c.width))
            lines = parts[0]
            for p in parts[1:]:
                lines = np.char.add(lines, p)
            text = "\n".join(lines.tolist()) + "\n"
        else:
            arrays = []
            for c in f.columns:
                v = cols.get(c.name)
                if v is None:
                    arrays.append(pa.nulls(n, pa.string()))
                elif isinstance(v, np.ndarray) and v.dtype.kind in "iuf":
                    arrays.append(pa.array(v))
                elif isinstance(v, np.ndarray) and v.dtype.kind == "U":
                    arrays.append(pa.array(v, pa.string()))
                else:
                    arrays.append(pa.array([None if x is None else str(x) for x in v], pa.string()))
            buf = io.BytesIO()
            pacsv.write_csv(pa.table(arrays, names=f.names), buf,
                            pacsv.WriteOptions(include_header=False, quoting_style="needed"))
            text = buf.getvalue().decode("utf-8")
        self._put(st, text.encode(self.encoding))
        st["rows"] += n

    def close(self) -> list[dict]:
        out = []
        for st in self.files.values():
            st["fh"].close()
            out.append({"file": st["path"].name, "family": st["family"], "year": st["year"],
                        "rows": st["rows"], "bytes": st["bytes"], "sha256": st["sha"].hexdigest()})
        return sorted(out, key=lambda d: d["file"])


def _fill(templates: list[str], idx: np.ndarray, rng: np.random.Generator, **pools) -> list[str]:
    choice = rng.integers(0, len(templates), len(idx))
    out = []
    for j, t in zip(idx, choice):
        out.append(templates[t].format(**{k: (v[j] if isinstance(v, np.ndarray) else v)
                                         for k, v in pools.items()}))
    return out


def _text(rng: np.random.Generator, n: int, rate: float, pii_rate: float, plain: list[str],
          pii: list[str], **pools) -> np.ndarray:
    """Sparse free text: None for most rows; some rows embed personal data from ``pools``."""
    out = np.full(n, None, dtype=object)
    has = np.flatnonzero(rng.random(n) < rate)
    if len(has) == 0:
        return out
    with_pii = rng.random(len(has)) < pii_rate
    a, b = has[~with_pii], has[with_pii]
    if len(a):
        fmt = {k: v for k, v in pools.items() if k == "date"}
        out[a] = _fill(plain, a, rng, **fmt)
    if len(b):
        out[b] = _fill(pii, b, rng, **pools)
    return out


def generate(out: str | Path, rows: int = 100_000, *, seed: int = 20240101, encoding: str = "utf-8",
             fixed_width: bool = False, years: tuple[int, ...] = (2019, 2020, 2021),
             images: int | None = None, on_progress: Callable[[int, int], None] | None = None
             ) -> GenerateResult:
    """Write ~``rows`` claim rows (plus enrollment, institutions, imaging) to ``out``."""
    encoding = {"utf8": "utf-8", "big-5": "big5", "cp950": "big5"}.get(encoding.lower(), encoding.lower())
    if encoding not in ("utf-8", "big5"):
        raise ValueError(f"encoding must be utf-8 or big5, not {encoding!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(p.suffix in (".csv", ".txt") for p in out.iterdir()):
        raise FileExistsError(f"{out} already holds source files; use an empty directory")
    n_persons = int(min(max(rows // 25, 60), 1_000_000))
    pop = _Population(seed, n_persons, max(12, n_persons // 150))
    w = _Writer(out, encoding, fixed_width)
    years = tuple(sorted(years))
    total = 0
    visit_no = 0
    chunk_no = 0
    while total < rows:
        rng = np.random.default_rng([seed, 2, chunk_no])
        remaining = rows - total
        nv = int(min(VISIT_CHUNK, max(1, remaining / 2.9 + 1)))
        total += _chunk(w, pop, rng, nv, visit_no, years)
        visit_no += nv
        chunk_no += 1
        if on_progress:
            on_progress(min(total, rows), rows)
    _enrolment(w, pop, np.random.default_rng([seed, 3]), years)
    _institutions(w, pop)
    n_img = images if images is not None else int(min(max(n_persons // 100, 3), 50))
    truth_img = _imaging(w, pop, random.Random(seed + 4), np.random.default_rng([seed, 4]), n_img, years, out)
    files = w.close()
    _write_truth(out, pop, truth_img)
    manifest = {"generator": "datasets.synthetic", "seed": seed, "encoding": encoding,
                "format": "fixed-width" if fixed_width else "csv", "claim_rows": total,
                "persons": n_persons, "files": files}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return GenerateResult(out, files, total, n_persons)


def _chunk(w: _Writer, pop: _Population, rng: np.random.Generator, nv: int, visit0: int,
           years: tuple[int, ...]) -> int:
    P = len(pop.ids)
    person = rng.choice(P, size=nv, p=pop.visit_p)
    inst = rng.choice(len(pop.inst_ids), size=nv, p=pop.visit_inst_p)
    year = np.asarray(years)[rng.integers(0, len(years), nv)]
    base = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    fdate = base + rng.integers(0, 365, nv).astype("timedelta64[D]")
    func = _ymd(fdate)
    fee_ym = func // 100
    month = fdate.astype("datetime64[M]")
    appl = _ymd((month + 1).astype("datetime64[D]") + np.timedelta64(19, "D"))
    seq = visit0 + np.arange(nv) + 1
    age = pop.age[person]
    old = age >= 50
    dx_old = np.array([c for c, _ in vocab.ICD_OLD])[
        _weighted(rng, vocab.ICD_OLD, [x for _, x in vocab.ICD_OLD], nv)]
    dx_young = np.array([c for c, _ in vocab.ICD_YOUNG])[
        _weighted(rng, vocab.ICD_YOUNG, [x for _, x in vocab.ICD_YOUNG], nv)]
    dx_codes = np.where(old, dx_old, dx_young)
    dx2 = np.where(rng.random(nv) < 0.4,
                   np.array([c for c, _ in vocab.ICD_OLD])[rng.integers(0, len(vocab.ICD_OLD), nv)], None)
    phys = (pop.inst_owner[inst] + rng.integers(0, 4, nv)) % len(pop.phys_ids)
    case_type = np.array(["01", "04", "09", "02", "08"])[_weighted(rng, [0] * 5, [70, 15, 5, 5, 5], nv)]
    func_type = np.array(["01", "02", "03", "04", "05", "09", "10", "11", "40", "60"])[
        _weighted(rng, [0] * 10, [25, 25, 8, 8, 6, 7, 6, 5, 6, 4], nv)]
    drug_dot = rng.lognormal(5.5, 1.0, nv).astype(int)
    diag_dot = np.full(nv, 325)
    cure = (rng.random(nv) < 0.2) * rng.lognormal(5, 1, nv).astype(int)
    t_dot = drug_dot + diag_dot + cure
    part = np.where(case_type == "04", 0, 50 + 50 * (pop.inst_level[inst] <= 2))
    pools = {"name": pop.names[person], "phone": pop.phones[person], "id": pop.ids[person],
             "email": pop.emails[person], "addr": pop.addrs[person]}
    cc = _text(rng, nv, 0.08, 0.05, vocab.CC_PLAIN, vocab.CC_PII, **pools)
    ys = year.astype(str)
    common = {"FEE_YM": fee_ym, "APPL_TYPE": np.full(nv, "1"), "HOSP_ID": pop.inst_ids[inst],
              "APPL_DATE": appl, "CASE_TYPE": case_type, "SEQ_NO": seq}
    opdte = dict(common, FUNC_TYPE=func_type, FUNC_DATE=func, ID=pop.ids[person],
                 NAME=pop.names[person], ID_BIRTHDAY=pop.birth[person], ID_SEX=pop.sex[person],
                 TEL=pop.phones[person], ADDRESS=pop.addrs[person], CITY=pop.inst_area[inst],
                 ICD9CM_CODE=dx_codes, ICD9CM_CODE_1=dx2, DRUG_DAYS=rng.choice([3, 7, 14, 28], nv),
                 PRSN_ID=pop.phys_ids[phys], DRUG_DOT=drug_dot, CURE_DOT=cure, DIAG_DOT=diag_dot,
                 T_DOT=t_dot, PART_AMT=part, T_APPL_DOT=t_dot - part, CHIEF_COMPLAINT=cc)
    rows = 0
    rows += _split(w, "H_NHI_OPDTE", ys, opdte, nv)
    # outpatient orders
    k = np.minimum(rng.poisson(1.5, nv), 8)
    vi = np.repeat(np.arange(nv), k)
    no = len(vi)
    oseq = np.arange(no) - np.repeat(np.cumsum(k) - k, k) + 1
    is_drug = rng.random(no) < 0.7
    code = np.where(is_drug, pop.drugs[rng.integers(0, len(pop.drugs), no)],
                    np.array(vocab.FEE_CODES)[rng.integers(0, len(vocab.FEE_CODES), no)])
    qty = rng.integers(1, 60, no)
    price = np.round(rng.lognormal(1.5, 1.0, no), 2)
    opdto = {kk: v[vi] for kk, v in common.items()}
    opdto.update(ORDER_SEQ_NO=oseq, ORDER_TYPE=np.where(is_drug, "1", "2"), DRUG_NO=code,
                 DRUG_USE=np.where(is_drug, rng.choice([0.5, 1.0, 2.0], no), np.nan),
                 DRUG_FRE=np.where(is_drug, np.array(["QD", "BID", "TID", "QID", "HS", "PRN"])[rng.integers(0, 6, no)], None),
                 DRUG_PATH=np.where(is_drug, "PO", None), PAY_RATE=np.full(no, 1.0),
                 ORDER_UPRICE=price, ORDER_QTY=qty.astype(float),
                 ORDER_DOT=np.maximum((price * qty).astype(int), 1))
    opdto["DRUG_USE"] = _float_or_none(opdto["DRUG_USE"])
    rows += _split(w, "H_NHI_OPDTO", ys[vi], opdto, no)
    # pharmacy dispensing
    ph = np.flatnonzero(rng.random(nv) < 0.10)
    if len(ph) and len(pop.pharmacies):
        n = len(ph)
        pharm = pop.pharmacies[rng.integers(0, len(pop.pharmacies), n)]
        ddate = _ymd(fdate[ph] + rng.integers(0, 3, n).astype("timedelta64[D]"))
        damt = rng.lognormal(6, 0.8, n).astype(int)
        g = {"FEE_YM": fee_ym[ph], "APPL_TYPE": np.full(n, "1"), "HOSP_ID": pop.inst_ids[pharm],
             "APPL_DATE": appl[ph], "CASE_TYPE": np.full(n, "01"), "SEQ_NO": seq[ph]}
        druge = dict(g, ORIG_HOSP_ID=pop.inst_ids[inst[ph]], FUNC_DATE=func[ph], DRUG_DATE=ddate,
                     ID=pop.ids[person[ph]], NAME=pop.names[person[ph]],
                     ID_BIRTHDAY=pop.birth[person[ph]], ID_SEX=pop.sex[person[ph]],
                     DRUG_DAY=rng.choice([7, 14, 28, 30], n), PRSN_ID=pop.phys_ids[phys[ph]],
                     PHAR_ID=pop.phar_ids[rng.integers(0, len(pop.phar_ids), n)], DRUG_AMT=damt,
                     DSVC_AMT=np.full(n, 48), PART_AMT=np.zeros(n, dtype=int), T_AMT=damt + 48)
        rows += _split(w, "H_NHI_DRUGE", ys[ph], druge, n)
        k = 1 + np.minimum(rng.poisson(1.0, n), 6)
        gi = np.repeat(np.arange(n), k)
        m = len(gi)
        uq = rng.integers(7, 90, m).astype(float)
        up = np.round(rng.lognormal(1.2, 0.9, m), 2)
        drugo = {kk: v[gi] for kk, v in g.items()}
        drugo.update(ORDER_SEQ_NO=np.arange(m) - np.repeat(np.cumsum(k) - k, k) + 1,
                     DRUG_NO=pop.drugs[rng.integers(0, len(pop.drugs), m)],
                     DRUG_USE=rng.choice([0.5, 1.0, 2.0], m), TOTAL_QTY=uq, UNIT_PRICE=up,
                     TOTAL_AMT=np.maximum((uq * up).astype(int), 1), PAY_RATE=np.full(m, 1.0))
        rows += _split(w, "H_NHI_DRUGO", ys[ph][gi], drugo, m)
    # admissions
    ad = np.flatnonzero(rng.random(nv) < 0.01)
    if len(ad):
        n = len(ad)
        hosp = np.where(pop.inst_level[inst[ad]] <= 3, inst[ad],
                        pop.hospitals[rng.integers(0, len(pop.hospitals), n)])
        los = 1 + rng.geometric(0.2, n)
        out_d = _ymd(fdate[ad] + los.astype("timedelta64[D]"))
        med = rng.lognormal(10, 0.8, n).astype(int)
        staff = pop.phys_names[phys[ad]]
        ppools = {k2: v[ad] for k2, v in pools.items()}
        ds = _text(rng, n, 0.6, 0.2, vocab.DS_PLAIN, vocab.DS_PII, staff=staff, **ppools)
        dx_ip = np.array([c for c, _ in vocab.ICD_OLD])[rng.integers(0, len(vocab.ICD_OLD), n)]
        g = {"FEE_YM": fee_ym[ad], "APPL_TYPE": np.full(n, "1"), "HOSP_ID": pop.inst_ids[hosp],
             "APPL_DATE": appl[ad], "CASE_TYPE": np.array(["1", "2", "3", "4"])[rng.integers(0, 4, n)],
             "SEQ_NO": seq[ad]}
        ipdte = dict(g, ID=pop.ids[person[ad]], NAME=pop.names[person[ad]],
                     ID_BIRTHDAY=pop.birth[person[ad]], ID_SEX=pop.sex[person[ad]],
                     TEL=pop.phones[person[ad]], ADDRESS=pop.addrs[person[ad]], IN_DATE=func[ad],
                     OUT_DATE=out_d, ACU_BED_DAYS=los, CHR_BED_DAYS=np.zeros(n, dtype=int),
                     PRSN_ID=pop.phys_ids[phys[ad]],
                     TW_DRGS=np.array(vocab.DRGS)[rng.integers(0, len(vocab.DRGS), n)],
                     ICD9CM_CODE=dx_ip, ICD9CM_CODE_1=dx_codes[ad], MED_DOT=med,
                     PART_AMT=(med * 0.1).astype(int), APPL_DOT=med - (med * 0.1).astype(int),
                     DISCHARGE_SUMMARY=ds)
        rows += _split(w, "H_NHI_IPDTE", ys[ad], ipdte, n)
        k = 1 + np.minimum(rng.poisson(7, n), 30)
        ii = np.repeat(np.arange(n), k)
        m = len(ii)
        is_drug = rng.random(m) < 0.6
        odate = np.array([str(x) for x in _ymd(fdate[ad][ii] + rng.integers(0, 3, m).astype("timedelta64[D]"))])
        ipools = {k2: v[ii] for k2, v in ppools.items()}
        nurse = pop.nurse_names[rng.integers(0, len(pop.nurse_names), m)]
        pa_text = _text(rng, m, 0.10, 0.10, vocab.PA_PLAIN, vocab.PA_PII, date=odate, staff=nurse, **ipools)
        up = np.round(rng.lognormal(2.5, 1.2, m), 2)
        q = rng.integers(1, 10, m).astype(float)
        ipdto = {kk: v[ii] for kk, v in g.items()}
        ipdto.update(ORDER_SEQ_NO=np.arange(m) - np.repeat(np.cumsum(k) - k, k) + 1,
                     ORDER_TYPE=np.where(is_drug, "1", "2"),
                     ORDER_CODE=np.where(is_drug, pop.drugs[rng.integers(0, len(pop.drugs), m)],
                                         np.array(vocab.FEE_CODES)[rng.integers(0, len(vocab.FEE_CODES), m)]),
                     DRUG_NUM=_float_or_none(np.where(is_drug, 1.0, np.nan)),
                     DRUG_FRE=np.where(is_drug, "TID", None), DRUG_PATH=np.where(is_drug, "IV", None),
                     BED_NO=np.array([f"{a}{b:02d}" for a, b in zip(rng.integers(5, 12, m), rng.integers(1, 40, m))]),
                     ORDER_UPRICE=up, ORDER_QTY=q, ORDER_DOT=np.maximum((up * q).astype(int), 1),
                     PART_ACCO_DATA=pa_text)
        rows += _split(w, "H_NHI_IPDTO", ys[ad][ii], ipdto, m)
    return rows


def _float_or_none(a: np.ndarray) -> np.ndarray:
    o = a.astype(object)
    o[np.isnan(a.astype(float))] = None
    return o


def _split(w: _Writer, fam: str, years: np.ndarray, cols: dict, n: int) -> int:
    for y in np.unique(years):
        m = years == y
        w.write(fam, str(y), {k: (v[m] if isinstance(v, np.ndarray) else v) for k, v in cols.items()},
                int(m.sum()))
    return n


def _enrolment(w: _Writer, pop: _Population, rng: np.random.Generator, years: tuple[int, ...]) -> None:
    P = len(pop.ids)
    head = np.where(rng.random(P) < 0.6, np.arange(P), rng.integers(0, P, P))
    rel = np.where(head == np.arange(P), "0", np.array(["1", "2", "3", "4"])[rng.integers(0, 4, P)])
    unit = np.array([f"{x:08d}" for x in rng.integers(0, 10**8, max(3, P // 40))])
    ui = rng.integers(0, len(unit), P)
    ban = np.array([f"{x:08d}" for x in rng.integers(0, 10**8, len(unit))])
    for y in years:
        for start in range(0, P, 200_000):
            s = slice(start, min(P, start + 200_000))
            n = s.stop - s.start
            cols = {"PREM_YM": np.full(n, y * 100 + 1), "ID": pop.ids[s], "NAME": pop.names[s],
                    "ID_S": pop.sex[s], "ID_BIRTH_Y": pop.birth[s] // 10000,
                    "INS_ID": pop.ids[head[s]], "RELATION": rel[s],
                    "UNIT_TYPE": np.array(["1", "2", "3", "5", "6"])[rng.integers(0, 5, n)],
                    "STATUS": np.where(rng.random(n) < 0.97, "1", "2"), "UNIT_ID": unit[ui[s]],
                    "BAN": ban[ui[s]], "INS_AMT": rng.choice([25250, 30300, 38200, 45800, 60800], n),
                    "ZIP": pop.zip[s], "HOME_CITY": pop.area[s], "TEL": pop.phones[s],
                    "ADDRESS": pop.addrs[s]}
            w.write("H_NHI_ENROL", str(y), cols, n)


def _institutions(w: _Writer, pop: _Population) -> None:
    n = len(pop.inst_ids)
    lv = pop.inst_level
    cols = {"HOSP_ID": pop.inst_ids, "HOSP_NAME": pop.inst_names, "HOSP_CONT_TYPE": lv.astype(str),
            "HOSP_TYPE_ID": np.where(lv <= 3, "11", np.where(lv == 4, "21", "31")),
            "HOSP_GRAD_ID": np.where(lv <= 3, lv.astype(str), "9"), "AREA_NO_H": pop.inst_area,
            "HOSP_OWN_ID": pop.phys_ids[pop.inst_owner], "HOSP_BED_NO": np.array([0, 1200, 500, 120, 0, 0])[lv],
            "HOSP_OPEN_DATE": np.full(n, 19950701), "HOSP_ADDR": pop.inst_addrs, "HOSP_TEL": pop.inst_tels}
    w.write("H_NHI_MEDFA", None, cols, n)


def _imaging(w: _Writer, pop: _Population, r: random.Random, rng: np.random.Generator, n: int,
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
        dates.append(int(_ymd(np.array([np.datetime64(f"{y}-01-01") + int(rng.integers(0, 365))]))[0]))
    pools = {"name": pop.names[person], "phone": pop.phones[person], "id": pop.ids[person],
             "email": pop.emails[person], "addr": pop.addrs[person]}
    report = _text(rng, n, 0.8, 0.5, vocab.REPORT_PLAIN, vocab.REPORT_PII, **pools)
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
        truth.append({"file": rel, "accession": accession, "header": _dicom_identifiers(data)})
    years_s = np.array([str(d // 10000) for d in dates])
    cols = {"ID": pop.ids[person], "NAME": pop.names[person], "ID_BIRTHDAY": pop.birth[person],
            "ID_SEX": pop.sex[person], "HOSP_ID": pop.inst_ids[hosp], "ACCESSION_NO": np.array(acc),
            "STUDY_DATE": np.array(dates), "MODALITY": mods,
            "BODY_PART": np.array([vocab.BODY_PARTS[m][0] for m in mods]), "REPORT": report,
            "DICOM_FILE": np.array(files)}
    _split(w, "H_IMG_INDEX", years_s, cols, n)
    return truth


def _dicom_identifiers(data: bytes) -> dict[str, list[str]]:
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


def _write_truth(out: Path, pop: _Population, imaging: list[dict]) -> None:
    """Everything identifying that went into the source files, for leak scans (never loaded)."""
    t = out / "_truth"
    t.mkdir(exist_ok=True)
    with open(t / "identifiers.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f)
        wr.writerow(["kind", "value"])
        for v in pop.ids:
            wr.writerow(["person_id", v])
        for v in pop.phys_ids:
            wr.writerow(["staff_id", v])
        for v in pop.phar_ids:
            wr.writerow(["staff_id", v])
        for arr in (pop.names, pop.phys_names, pop.phar_names, pop.nurse_names):
            for v in arr:
                wr.writerow(["name", v])
        for v in pop.phones:
            wr.writerow(["phone", v])
        for v in pop.inst_tels:
            wr.writerow(["phone", v])
        for v in pop.addrs:
            wr.writerow(["address", v])
        for v in pop.inst_addrs:
            wr.writerow(["address", v])
        for v in pop.inst_names:
            wr.writerow(["institution_name", v])
        for v in pop.emails:
            wr.writerow(["email", v])
        for v in pop.inst_ids:
            wr.writerow(["institution_id", v])
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
