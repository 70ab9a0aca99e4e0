"""NHI-card uploads, lab/exam results and VPN upload batches of the synthetic set (distributions:
:mod:`datasets.synthetic.generator`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from datasets.synthetic import vocab
from datasets.synthetic.draws import sparse_text, weighted, ymd
from datasets.synthetic.writer import write_by_year, Writer

if TYPE_CHECKING:   # the population is built by the generator, which imports this module
    from datasets.synthetic.generator import Population


CARD_UPLOAD_SHARE = 0.25   # of outpatient visits written as NHI-card upload records
LAB_VISIT_P = (0.04, 0.09)   # share of visits with lab/exam results: under 50, 50 and over
VPN_TYPES = ("11", "12", "13")   # outpatient, inpatient, pharmacy claim batches


class ClaimTally:
    """Claims per institution, fee month and claim type, for the VPN upload batches.

    Bounded by institutions x months x 3 (at most ~6,700 x 36 x 3 counters), not by rows."""

    def __init__(self, n_inst: int, years: tuple[int, ...]):
        self.y0 = years[0]
        self.c = np.zeros((n_inst, (years[-1] - years[0] + 1) * 12, len(VPN_TYPES)), dtype=np.int64)

    def add(self, kind: int, inst: np.ndarray, fee_ym: np.ndarray) -> None:
        month = (fee_ym // 100 - self.y0) * 12 + fee_ym % 100 - 1
        np.add.at(self.c, (inst, month, kind), 1)


def card_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """12-digit NHI card serial numbers, distinct: an affine map of the person index mod 10^11."""
    a = int(rng.integers(10**9, 10**10)) | 1
    while a % 5 == 0:
        a += 2
    b = int(rng.integers(0, 10**11))
    idx = np.arange(n, dtype=np.int64)
    return np.array([f"{(a * i + b) % 10**11:012d}" for i in idx.tolist()])


def order_codes(v: dict, sel: np.ndarray, j: int) -> np.ndarray:
    """The j-th order code of each selected visit (None when it has fewer orders)."""
    k = v["n_orders"]
    codes = v["order_code"]
    out = np.full(len(sel), None, dtype=object)
    if len(codes) == 0:
        return out
    start = np.cumsum(k) - k
    has = k[sel] > j
    out[has] = codes[start[sel][has] + j]
    return out


def card_uploads(w: Writer, pop: Population, rng: np.random.Generator, v: dict) -> int:
    """NHI-card upload records for a share of the chunk's outpatient visits (same person,
    institution, date, diagnoses and first orders as the claim)."""
    sel = np.flatnonzero(rng.random(len(v["person"])) < CARD_UPLOAD_SHARE)
    n = len(sel)
    if n == 0:
        return 0
    person, ct, ft = v["person"][sel], v["case_type"][sel], v["func_type"][sel]
    emergency = ct == "02"
    vtype = np.where(emergency, "04", np.where(ft == "40", "02", np.where(ft == "60", "03", "01")))
    clinic_hours = np.array([8, 9, 10, 11, 14, 15, 16, 18, 19, 20])
    hour = np.where(emergency, rng.integers(0, 24, n),
                    clinic_hours[weighted(rng, list(clinic_hours), [8, 14, 14, 9, 10, 10, 8, 9, 10, 8], n)])
    secs = rng.integers(0, 3600, n)
    ctime = np.array([f"{h:02d}{s // 60:02d}{s % 60:02d}" for h, s in zip(hour.tolist(), secs.tolist())])
    utype = np.array(["1", "2", "3"])[weighted(rng, [0] * 3, [96, 2, 2], n)]
    delay = np.where(utype == "3", rng.integers(2, 11, n), (rng.random(n) < 0.15).astype(int))
    seq = np.array([f"{x:04d}" for x in rng.integers(1, 80, n).tolist()], dtype=object)
    exc = rng.random(n) < 0.01
    seq[exc] = np.array(vocab.VISIT_SEQ_EXCEPTIONS)[rng.integers(0, len(vocab.VISIT_SEQ_EXCEPTIONS), int(exc.sum()))]
    cols = {"HOSP_ID": pop.inst_ids[v["inst"][sel]], "UPLOAD_TYPE": utype, "ID": pop.ids[person],
            "CARD_NO": pop.card_no[person], "ID_BIRTHDAY": pop.birth[person],
            "CARD_DATE": v["func"][sel], "CARD_TIME": ctime, "VISIT_SEQ": seq, "VISIT_TYPE": vtype,
            "ICD_CODE_1": v["dx"][sel], "ICD_CODE_2": v["dx2"][sel],
            "ORDER_CODE_1": order_codes(v, sel, 0), "ORDER_CODE_2": order_codes(v, sel, 1),
            "ORDER_CODE_3": order_codes(v, sel, 2), "PRSN_ID": pop.phys_ids[v["phys"][sel]],
            "UPLOAD_DATE": ymd(v["fdate"][sel] + delay.astype("timedelta64[D]"))}
    return write_by_year(w, "H_IC_UPLOAD", v["ys"][sel], cols, n)


def lab_results(w: Writer, pop: Population, rng: np.random.Generator, v: dict,
                 every_template: bool = False) -> int:
    """Lab/exam results for some of the chunk's western-medicine visits: 1 + Poisson(1.5)
    distinct items each, numeric results ~ Normal(mean, SD) with H/L flags from the reference
    range, text results (urine, HBsAg, ECG, ultrasound) from weighted lists.

    ``every_template`` (the first chunk): the first rows carry each personal-data comment
    template once, so even a small set gives the leak scan every kind to look for."""
    nv = len(v["person"])
    age = pop.age[v["person"]]
    sel = np.flatnonzero(rng.random(nv) < np.where(age >= 50, LAB_VISIT_P[1], LAB_VISIT_P[0]))
    sel = sel[~np.isin(v["func_type"][sel], ["40", "60"])]
    n = len(sel)
    if n == 0:
        return 0
    num, txt = vocab.LAB_NUMERIC, vocab.LAB_TEXT
    n_items = len(num) + len(txt)
    k = 1 + np.minimum(rng.poisson(1.5, n), n_items - 1)
    ii = np.repeat(np.arange(n), k)
    m = len(ii)
    pos = np.arange(m) - np.repeat(np.cumsum(k) - k, k)
    item = np.argsort(rng.random((n, n_items)), axis=1)[ii, pos]
    code = np.array([x[0] for x in num] + [x[0] for x in txt])[item]
    name = np.array([x[1] for x in num] + [x[1] for x in txt])[item]
    unit = np.array([x[2] for x in num] + [None] * len(txt), dtype=object)[item]
    ref = np.array([x[3] for x in num] + [x[2] or None for x in txt], dtype=object)[item]
    lo = np.array([-np.inf if x[4] is None else x[4] for x in num])
    hi = np.array([np.inf if x[5] is None else x[5] for x in num])
    is_num = item < len(num)
    ni = np.where(is_num, item, 0)
    raw = np.maximum(rng.normal(np.array([x[6] for x in num])[ni], np.array([x[7] for x in num])[ni]),
                     np.array([x[9] for x in num])[ni])
    dec = np.array([x[8] for x in num])[ni]
    val = np.round(raw * 10.0 ** dec) / 10.0 ** dec
    result = np.array([f"{x:.{d}f}" for x, d in zip(val.tolist(), dec.tolist())], dtype=object)
    flag = np.where(val > hi[ni], "H", np.where(val < lo[ni], "L", "N")).astype(object)
    for t, (_c, _n, _r, opts) in enumerate(txt):
        rows = np.flatnonzero(item == len(num) + t)
        if len(rows):
            pick = weighted(rng, opts, [wt for _, wt in opts], len(rows))
            result[rows] = np.array([o for o, _ in opts], dtype=object)[pick]
            flag[rows] = np.where(pick == 0, "N", "A")
    edate = v["fdate"][sel][ii]
    rdate = ymd(edate + rng.integers(0, 4, m).astype("timedelta64[D]")).astype(object)
    rdate[rng.random(m) < 0.02] = None
    person = v["person"][sel][ii]
    pools = {k2: a[sel][ii] for k2, a in v["pools"].items()}
    staff = pop.nurse_names[rng.integers(0, len(pop.nurse_names), m)]
    text = sparse_text(rng, m, 0.08, 0.15, vocab.LAB_PLAIN, vocab.LAB_PII, staff=staff, **pools)
    if every_template:
        for j in range(min(m, len(vocab.LAB_PII))):
            text[j] = vocab.LAB_PII[j].format(staff=staff[j], **{k2: a[j] for k2, a in pools.items()})
    cols = {"HOSP_ID": pop.inst_ids[v["inst"][sel][ii]], "ID": pop.ids[person],
            "ID_BIRTHDAY": pop.birth[person], "EXAM_DATE": v["func"][sel][ii], "REPORT_DATE": rdate,
            "ORDER_CODE": code, "ITEM_NAME": name, "RESULT_VALUE": result, "UNIT": unit,
            "REF_RANGE": ref, "ABN_FLAG": flag, "REPORT_TEXT": text}
    return write_by_year(w, "H_LAB_RESULT", v["ys"][sel][ii], cols, m)


def batch_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    chars = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < n:
        for row in chars[rng.integers(0, len(chars), (n - len(ids), 12))]:
            b = "".join(row)
            if b not in seen:
                seen.add(b)
                ids.append(b)
    return np.array(ids)


def vpn_uploads(w: Writer, pop: Population, rng: np.random.Generator, tally: ClaimTally) -> list[str]:
    """One VPN batch per institution, fee month and claim type that has claims, uploaded up to
    two weeks before the 20th of the next month; 5 % accepted with records returned, 1.5 %
    rejected and uploaded again 2-6 days later.  Returns the batch ids (for the truth)."""
    inst, month, kind = np.nonzero(tally.c)
    count = tally.c[inst, month, kind]
    n = len(inst)
    if n == 0:
        return []
    fee_ym = (tally.y0 + month // 12) * 100 + month % 12 + 1
    start = ((fee_ym // 100 - 1970) * 12 + fee_ym % 100 - 1).astype("datetime64[M]")
    due = (start + 1).astype("datetime64[D]") + np.timedelta64(19, "D")
    up = due - rng.integers(0, 15, n).astype("timedelta64[D]")
    r = rng.random(n)
    status = np.where(r < 0.015, "3", np.where(r < 0.065, "2", "1"))
    errors = np.where(status == "3", count,
                      np.where(status == "2", np.minimum(rng.integers(1, 6, n), count), 0))
    again = np.flatnonzero(status == "3")
    order = np.concatenate([np.arange(n), again])
    up_all = np.concatenate([up, up[again] + rng.integers(2, 7, len(again)).astype("timedelta64[D]")])
    status_all = np.concatenate([status, np.full(len(again), "1")])
    errors_all = np.concatenate([errors, np.zeros(len(again), dtype=np.int64)])
    batch = batch_ids(rng, len(order))
    cols = {"BATCH_ID": batch, "HOSP_ID": pop.inst_ids[inst[order]], "FEE_YM": fee_ym[order],
            "DATA_TYPE": np.array(VPN_TYPES)[kind[order]], "UPLOAD_DATE": ymd(up_all),
            "RECORD_COUNT": count[order], "ERROR_COUNT": errors_all, "STATUS": status_all}
    ys = (fee_ym[order] // 100).astype(str)
    for s0 in range(0, len(order), 200_000):
        s = slice(s0, s0 + 200_000)
        write_by_year(w, "H_VPN_UPLOAD", ys[s], {c: a[s] for c, a in cols.items()}, len(ys[s]))
    return batch.tolist()
