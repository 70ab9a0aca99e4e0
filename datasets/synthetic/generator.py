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
* **NHI-card uploads** (``H_IC_UPLOAD``): a 25 % sample of the outpatient visits (every visit
  uploads in reality; the full stream would add a third to the rows), each with the visit's
  person, institution, date, diagnoses and first three order codes, a card-use time in clinic
  hours (any hour for emergencies), a 12-digit card number per person, 4 % corrections or late
  uploads.  About 0.09 rows per claim row.
* **Lab/exam results** (``H_LAB_RESULT``): 4 % of the western-medicine visits of persons under
  50 and 9 % of older ones, 1 + Poisson(1.5) distinct items each from 14 numeric tests (results
  ~ Normal, H/L flag from the reference range) and 4 text results (urine protein, HBsAg, ECG,
  abdominal ultrasound); a comment on 8 % of results, 15 % of those naming the patient, a
  phone, ID, e-mail or the technician.  About 0.06 rows per claim row (visits lean old).
* **VPN uploads** (``H_VPN_UPLOAD``): one batch per institution, fee month and claim type
  (outpatient / inpatient / pharmacy) with claims, its record count the real count of claims
  written; 5 % accepted with records returned, 1.5 % rejected and uploaded again.  Counted in
  an institutions x months x 3 array, so memory does not grow with rows.  About 0.01 rows per
  claim row.
* **Reference files** (``H_NHI_FEESCH``, ``H_NHI_DRUGITEM``): the fee-schedule items the orders
  and lab results use (40 % with a points change in a data year) and one drug item per drug
  code (half with a price cut); tens to a few hundred rows whatever ``rows`` is.

Everything written that identifies someone is also recorded in ``OUT/_truth/`` (outside any
warehouse) so tests can scan a release for leaks.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from datasets.synthetic import vocab
from datasets.synthetic.draws import float_or_none, sparse_text, weighted, ymd
from datasets.synthetic.imaging_truth import imaging, read_truth, write_truth
from datasets.synthetic.reference_files import drug_items, fee_schedule
from datasets.synthetic.uploads import ClaimTally, card_numbers, card_uploads, lab_results, vpn_uploads
from datasets.synthetic.writer import Writer, write_by_year
from deidentify.identifiers import taiwan_id

__all__ = ["GenerateResult", "generate", "read_truth"]

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


class Population:
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
        self.birth = ymd(birth)
        sn = weighted(nr, vocab.SURNAMES, [w for _, w in vocab.SURNAMES], n)
        g1 = nr.integers(0, len(vocab.GIVEN), n)
        g2 = nr.integers(0, len(vocab.GIVEN), n)
        self.names = np.array([vocab.SURNAMES[a][0] + vocab.GIVEN[b] + vocab.GIVEN[c]
                               for a, b, c in zip(sn, g1, g2)])
        self.phones = np.array([f"09{x:08d}" for x in nr.integers(0, 10**8, n)])
        city = weighted(nr, vocab.CITIES, [c[3] for c in vocab.CITIES], n)
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
        icity = weighted(nr, vocab.CITIES, [c[3] for c in vocab.CITIES], n_inst)
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
        sn = weighted(nr, vocab.SURNAMES, [w for _, w in vocab.SURNAMES], k)
        return [vocab.SURNAMES[a][0] + vocab.GIVEN[b] + vocab.GIVEN[c]
                for a, b, c in zip(sn, nr.integers(0, len(vocab.GIVEN), k),
                                   nr.integers(0, len(vocab.GIVEN), k))]


def generate(out: str | Path, rows: int = 100_000, *, seed: int = 20240101, encoding: str = "utf-8",
             fixed_width: bool = False, years: tuple[int, ...] = (2019, 2020, 2021),
             images: int | None = None, on_progress: Callable[[int, int], None] | None = None
             ) -> GenerateResult:
    """Write ~``rows`` claim rows (plus enrollment, institutions, imaging, NHI-card and lab
    uploads, VPN upload batches and the fee-schedule / drug-item reference files) to ``out``."""
    encoding = {"utf8": "utf-8", "big-5": "big5", "cp950": "big5"}.get(encoding.lower(), encoding.lower())
    if encoding not in ("utf-8", "big5"):
        raise ValueError(f"encoding must be utf-8 or big5, not {encoding!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(p.suffix in (".csv", ".txt") for p in out.iterdir()):
        raise FileExistsError(f"{out} already holds source files; use an empty directory")
    n_persons = int(min(max(rows // 25, 60), 1_000_000))
    pop = Population(seed, n_persons, max(12, n_persons // 150))
    w = Writer(out, encoding, fixed_width)
    years = tuple(sorted(years))
    # card numbers come from their own stream so the other families do not change with them
    pop.card_no = card_numbers(np.random.default_rng([seed, 6]), len(pop.ids))
    tally = ClaimTally(len(pop.inst_ids), years)
    total = 0
    visit_no = 0
    chunk_no = 0
    while total < rows:
        rng = np.random.default_rng([seed, 2, chunk_no])
        remaining = rows - total
        nv = int(min(VISIT_CHUNK, max(1, remaining / 2.9 + 1)))
        total += _chunk(w, pop, rng, nv, visit_no, years, tally,
                        np.random.default_rng([seed, 5, chunk_no]))
        visit_no += nv
        chunk_no += 1
        if on_progress:
            on_progress(min(total, rows), rows)
    _enrolment(w, pop, np.random.default_rng([seed, 3]), years)
    _institutions(w, pop)
    batches = vpn_uploads(w, pop, np.random.default_rng([seed, 8]), tally)
    fee_schedule(w, np.random.default_rng([seed, 7]), years)
    drug_items(w, pop, np.random.default_rng([seed, 9]), years)
    n_img = images if images is not None else int(min(max(n_persons // 100, 3), 50))
    truth_img = imaging(w, pop, random.Random(seed + 4), np.random.default_rng([seed, 4]), n_img, years, out)
    files = w.close()
    write_truth(out, pop, truth_img, batches)
    manifest = {"generator": "datasets.synthetic", "seed": seed, "encoding": encoding,
                "format": "fixed-width" if fixed_width else "csv", "claim_rows": total,
                "persons": n_persons, "files": files}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return GenerateResult(out, files, total, n_persons)


def _chunk(w: Writer, pop: Population, rng: np.random.Generator, nv: int, visit0: int,
           years: tuple[int, ...], tally: "ClaimTally", rng_up: np.random.Generator) -> int:
    """One chunk of visits: claims (their row count is returned) and, from ``rng_up``, the
    visits' NHI-card and lab uploads (not counted as claim rows)."""
    P = len(pop.ids)
    person = rng.choice(P, size=nv, p=pop.visit_p)
    inst = rng.choice(len(pop.inst_ids), size=nv, p=pop.visit_inst_p)
    year = np.asarray(years)[rng.integers(0, len(years), nv)]
    base = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    fdate = base + rng.integers(0, 365, nv).astype("timedelta64[D]")
    func = ymd(fdate)
    fee_ym = func // 100
    month = fdate.astype("datetime64[M]")
    appl = ymd((month + 1).astype("datetime64[D]") + np.timedelta64(19, "D"))
    seq = visit0 + np.arange(nv) + 1
    age = pop.age[person]
    old = age >= 50
    dx_old = np.array([c for c, _ in vocab.ICD_OLD])[
        weighted(rng, vocab.ICD_OLD, [x for _, x in vocab.ICD_OLD], nv)]
    dx_young = np.array([c for c, _ in vocab.ICD_YOUNG])[
        weighted(rng, vocab.ICD_YOUNG, [x for _, x in vocab.ICD_YOUNG], nv)]
    dx_codes = np.where(old, dx_old, dx_young)
    dx2 = np.where(rng.random(nv) < 0.4,
                   np.array([c for c, _ in vocab.ICD_OLD])[rng.integers(0, len(vocab.ICD_OLD), nv)], None)
    phys = (pop.inst_owner[inst] + rng.integers(0, 4, nv)) % len(pop.phys_ids)
    case_type = np.array(["01", "04", "09", "02", "08"])[weighted(rng, [0] * 5, [70, 15, 5, 5, 5], nv)]
    func_type = np.array(["01", "02", "03", "04", "05", "09", "10", "11", "40", "60"])[
        weighted(rng, [0] * 10, [25, 25, 8, 8, 6, 7, 6, 5, 6, 4], nv)]
    drug_dot = rng.lognormal(5.5, 1.0, nv).astype(int)
    diag_dot = np.full(nv, 325)
    cure = (rng.random(nv) < 0.2) * rng.lognormal(5, 1, nv).astype(int)
    t_dot = drug_dot + diag_dot + cure
    part = np.where(case_type == "04", 0, 50 + 50 * (pop.inst_level[inst] <= 2))
    pools = {"name": pop.names[person], "phone": pop.phones[person], "id": pop.ids[person],
             "email": pop.emails[person], "addr": pop.addrs[person]}
    cc = sparse_text(rng, nv, 0.08, 0.05, vocab.CC_PLAIN, vocab.CC_PII, **pools)
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
    rows += write_by_year(w, "H_NHI_OPDTE", ys, opdte, nv)
    tally.add(0, inst, fee_ym)
    # outpatient orders
    k = np.minimum(rng.poisson(1.5, nv), 8)
    k_op = k
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
    opdto["DRUG_USE"] = float_or_none(opdto["DRUG_USE"])
    rows += write_by_year(w, "H_NHI_OPDTO", ys[vi], opdto, no)
    visits = {"person": person, "inst": inst, "fdate": fdate, "func": func, "ys": ys,
              "dx": dx_codes, "dx2": dx2, "phys": phys, "case_type": case_type,
              "func_type": func_type, "n_orders": k_op, "order_code": code, "pools": pools}
    # pharmacy dispensing
    ph = np.flatnonzero(rng.random(nv) < 0.10)
    if len(ph) and len(pop.pharmacies):
        n = len(ph)
        pharm = pop.pharmacies[rng.integers(0, len(pop.pharmacies), n)]
        ddate = ymd(fdate[ph] + rng.integers(0, 3, n).astype("timedelta64[D]"))
        damt = rng.lognormal(6, 0.8, n).astype(int)
        g = {"FEE_YM": fee_ym[ph], "APPL_TYPE": np.full(n, "1"), "HOSP_ID": pop.inst_ids[pharm],
             "APPL_DATE": appl[ph], "CASE_TYPE": np.full(n, "01"), "SEQ_NO": seq[ph]}
        druge = dict(g, ORIG_HOSP_ID=pop.inst_ids[inst[ph]], FUNC_DATE=func[ph], DRUG_DATE=ddate,
                     ID=pop.ids[person[ph]], NAME=pop.names[person[ph]],
                     ID_BIRTHDAY=pop.birth[person[ph]], ID_SEX=pop.sex[person[ph]],
                     DRUG_DAY=rng.choice([7, 14, 28, 30], n), PRSN_ID=pop.phys_ids[phys[ph]],
                     PHAR_ID=pop.phar_ids[rng.integers(0, len(pop.phar_ids), n)], DRUG_AMT=damt,
                     DSVC_AMT=np.full(n, 48), PART_AMT=np.zeros(n, dtype=int), T_AMT=damt + 48)
        rows += write_by_year(w, "H_NHI_DRUGE", ys[ph], druge, n)
        tally.add(2, pharm, fee_ym[ph])
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
        rows += write_by_year(w, "H_NHI_DRUGO", ys[ph][gi], drugo, m)
    # admissions
    ad = np.flatnonzero(rng.random(nv) < 0.01)
    if len(ad):
        n = len(ad)
        hosp = np.where(pop.inst_level[inst[ad]] <= 3, inst[ad],
                        pop.hospitals[rng.integers(0, len(pop.hospitals), n)])
        los = 1 + rng.geometric(0.2, n)
        out_d = ymd(fdate[ad] + los.astype("timedelta64[D]"))
        med = rng.lognormal(10, 0.8, n).astype(int)
        staff = pop.phys_names[phys[ad]]
        ppools = {k2: v[ad] for k2, v in pools.items()}
        ds = sparse_text(rng, n, 0.6, 0.2, vocab.DS_PLAIN, vocab.DS_PII, staff=staff, **ppools)
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
        rows += write_by_year(w, "H_NHI_IPDTE", ys[ad], ipdte, n)
        tally.add(1, hosp, fee_ym[ad])
        k = 1 + np.minimum(rng.poisson(7, n), 30)
        ii = np.repeat(np.arange(n), k)
        m = len(ii)
        is_drug = rng.random(m) < 0.6
        odate = np.array([str(x) for x in ymd(fdate[ad][ii] + rng.integers(0, 3, m).astype("timedelta64[D]"))])
        ipools = {k2: v[ii] for k2, v in ppools.items()}
        nurse = pop.nurse_names[rng.integers(0, len(pop.nurse_names), m)]
        pa_text = sparse_text(rng, m, 0.10, 0.10, vocab.PA_PLAIN, vocab.PA_PII, date=odate, staff=nurse, **ipools)
        up = np.round(rng.lognormal(2.5, 1.2, m), 2)
        q = rng.integers(1, 10, m).astype(float)
        ipdto = {kk: v[ii] for kk, v in g.items()}
        ipdto.update(ORDER_SEQ_NO=np.arange(m) - np.repeat(np.cumsum(k) - k, k) + 1,
                     ORDER_TYPE=np.where(is_drug, "1", "2"),
                     ORDER_CODE=np.where(is_drug, pop.drugs[rng.integers(0, len(pop.drugs), m)],
                                         np.array(vocab.FEE_CODES)[rng.integers(0, len(vocab.FEE_CODES), m)]),
                     DRUG_NUM=float_or_none(np.where(is_drug, 1.0, np.nan)),
                     DRUG_FRE=np.where(is_drug, "TID", None), DRUG_PATH=np.where(is_drug, "IV", None),
                     BED_NO=np.array([f"{a}{b:02d}" for a, b in zip(rng.integers(5, 12, m), rng.integers(1, 40, m))]),
                     ORDER_UPRICE=up, ORDER_QTY=q, ORDER_DOT=np.maximum((up * q).astype(int), 1),
                     PART_ACCO_DATA=pa_text)
        rows += write_by_year(w, "H_NHI_IPDTO", ys[ad][ii], ipdto, m)
    card_uploads(w, pop, rng_up, visits)
    lab_results(w, pop, rng_up, visits, every_template=visit0 == 0)
    return rows


def _enrolment(w: Writer, pop: Population, rng: np.random.Generator, years: tuple[int, ...]) -> None:
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


def _institutions(w: Writer, pop: Population) -> None:
    n = len(pop.inst_ids)
    lv = pop.inst_level
    cols = {"HOSP_ID": pop.inst_ids, "HOSP_NAME": pop.inst_names, "HOSP_CONT_TYPE": lv.astype(str),
            "HOSP_TYPE_ID": np.where(lv <= 3, "11", np.where(lv == 4, "21", "31")),
            "HOSP_GRAD_ID": np.where(lv <= 3, lv.astype(str), "9"), "AREA_NO_H": pop.inst_area,
            "HOSP_OWN_ID": pop.phys_ids[pop.inst_owner], "HOSP_BED_NO": np.array([0, 1200, 500, 120, 0, 0])[lv],
            "HOSP_OPEN_DATE": np.full(n, 19950701), "HOSP_ADDR": pop.inst_addrs, "HOSP_TEL": pop.inst_tels}
    w.write("H_NHI_MEDFA", None, cols, n)
