"""The loader publishes exactly what the text scrubber returns: every free-text cell of the release
equals ``scrub_texts`` of its source cell (same cut-offs, the load's policy), for notes of the
de-identification evaluation set planted into a real source file (IDs, phones, addresses, names,
dates of birth, record and NHI card numbers in all their written forms)."""
from __future__ import annotations

import csv
from collections import Counter

from datasets.load import connect_release, load_release
from deidentify.text import ScrubOptions, scrub_texts
from tests.deidentify.eval.notes import generate


def _plant(path, column: str, texts: list[str]) -> tuple[list[str], list[str]]:
    """Replace ``column`` in the first rows of a CSV source file; returns every value of it
    and the texts planted (as many as the file has rows)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    k = rows[0].index(column)
    for row, text in zip(rows[1:], texts):
        row[k] = text.replace("\n", " ")
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return [r[k] for r in rows[1:]], [t.replace("\n", " ") for t in texts[:len(rows) - 1]]


def test_released_free_text_is_the_scrubbers_output(tiny_source, settings):
    (tiny_source / "MANIFEST.json").unlink()     # the planted notes change the files' sizes
    src = tiny_source / "H_NHI_OPDTE_2019.csv"
    cases = [c for c in generate(12, seed=5) if c.spans]     # notes holding identifiers
    notes = [c.text for c in cases]
    source_values, planted_notes = _plant(src, "CHIEF_COMPLAINT", notes)
    assert len(planted_notes) >= 30
    load_release(tiny_source, "S1", settings)

    from policies import current_policy

    expected = scrub_texts([v if v else None for v in source_values],
                           options=ScrubOptions.from_policy(current_policy()))
    con = connect_release("S1", settings)
    got = [r[0] for r in con.execute(
        "SELECT CHIEF_COMPLAINT FROM H_NHI_OPDTE WHERE year = 2019").fetchall()]
    # row order is the loader's; the multisets must be equal, and the planted notes are in it
    assert Counter(got) == Counter(expected)
    planted = set(scrub_texts(planted_notes, options=ScrubOptions.from_policy(current_policy())))
    assert planted <= set(got)
    assert not set(planted_notes) & set(got)     # every planted note (each holds an identifier) changed
