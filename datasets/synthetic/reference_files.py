"""The fee-schedule and drug-item reference files of the synthetic set."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from datasets.synthetic import vocab
from datasets.synthetic.writer import Writer

if TYPE_CHECKING:   # the population is built by the generator, which imports this module
    from datasets.synthetic.generator import Population


def fee_schedule(w: Writer, rng: np.random.Generator, years: tuple[int, ...]) -> None:
    """Fee-schedule items (vocab.FEE_SCHEDULE): in force from two years before the data; 40 %
    had their points raised on 1 January of one of the data years (two rows, old one closed)."""
    rows = []
    base = f"{years[0] - 2}0101"
    for code, zh, en, points in vocab.FEE_SCHEDULE:
        if rng.random() < 0.4:
            y = int(years[int(rng.integers(0, len(years)))])
            old = int(round(points * rng.uniform(0.88, 0.97)))
            rows.append((code, zh, en, code[:2], old, base, f"{y - 1}1231"))
            rows.append((code, zh, en, code[:2], points, f"{y}0101", None))
        else:
            rows.append((code, zh, en, code[:2], points, base, None))
    names = ["FEE_CODE", "FEE_NAME_C", "FEE_NAME_E", "CATEGORY", "POINTS", "EFF_DATE", "END_DATE"]
    cols = {c: np.array([r[i] for r in rows], dtype=object) for i, c in enumerate(names)}
    w.write("H_NHI_FEESCH", None, cols, len(rows))


def drug_items(w: Writer, pop: Population, rng: np.random.Generator, years: tuple[int, ...]) -> None:
    """Drug benefit items for every drug code the orders use: an item of vocab.DRUG_ITEMS with
    its price x U(0.7, 1.3); half had a price cut (藥價調整) on 1 April of a data year."""
    rows = []
    base = f"{years[0] - 2}0101"
    for i, code in enumerate(dict.fromkeys(pop.drugs.tolist())):
        ing, spec, form_e, form_c, atc, price, zh = vocab.DRUG_ITEMS[i % len(vocab.DRUG_ITEMS)]
        p = round(max(price * rng.uniform(0.7, 1.3), 0.5), 2)
        item = (code, f"{ing.upper()} {form_e} {spec}", zh, ing, spec, form_c, atc)
        if rng.random() < 0.5:
            y = int(years[int(rng.integers(0, len(years)))])
            rows.append(item + (round(p * rng.uniform(1.03, 1.15), 2), base, f"{y}0331"))
            rows.append(item + (p, f"{y}0401", None))
        else:
            rows.append(item + (p, base, None))
    names = ["DRUG_NO", "DRUG_NAME_E", "DRUG_NAME_C", "INGREDIENT", "SPEC", "DOSAGE_FORM", "ATC_CODE",
             "PRICE", "EFF_DATE", "END_DATE"]
    cols = {c: np.array([r[i] for r in rows], dtype=object) for i, c in enumerate(names)}
    w.write("H_NHI_DRUGITEM", None, cols, len(rows))
