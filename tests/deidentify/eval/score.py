"""Scoring a de-identifier on evaluation cases: recall per class and per written form, false
positives on distractors.

An identifier counts as found only when *every* character of it is masked (a mask that
leaves a character of a road or a name is a miss); a distractor counts as a false positive
when any character of it is masked.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence

from tests.deidentify.eval.notes import Case

Finder = Callable[[list[str]], list[list[tuple[int, int]]]]


@dataclass
class Score:
    total: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    partial: Counter = field(default_factory=Counter)
    form_total: Counter = field(default_factory=Counter)
    form_found: Counter = field(default_factory=Counter)
    dist_total: Counter = field(default_factory=Counter)
    dist_hit: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)      # class, identifier, text
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, cls: str) -> float:
        return self.found[cls] / self.total[cls] if self.total[cls] else 1.0

    def fp_rate(self) -> float:
        n = sum(self.dist_total.values())
        return sum(self.dist_hit.values()) / n if n else 0.0

    def report(self) -> str:
        lines = [f"{'class':10} {'recall':>8} {'found':>7} {'total':>7} {'partial':>8}"]
        for cls in sorted(self.total):
            lines.append(f"{cls:10} {self.recall(cls):8.2%} {self.found[cls]:7d} {self.total[cls]:7d} {self.partial[cls]:8d}")
        lines.append("by form: " + ", ".join(f"{f} {self.form_found[f] / self.form_total[f]:.1%}"
                                             for f in sorted(self.form_total)))
        nd = sum(self.dist_total.values())
        lines.append(f"false positives: {sum(self.dist_hit.values())} of {nd} distractors ({self.fp_rate():.2%}); "
                     + ", ".join(f"{k} {self.dist_hit[k]}/{self.dist_total[k]}" for k in sorted(self.dist_total)))
        return "\n".join(lines)


def masked_spans_ours(texts: list[str]) -> list[list[tuple[int, int]]]:
    from deidentify.text import find_identifiers_batch

    return [[(h.start, h.end) for h in hits] for hits in find_identifiers_batch(texts)]


def score(cases: Sequence[Case], finder: Finder = masked_spans_ours) -> Score:
    sc = Score()
    spans = finder([c.text for c in cases])
    for c, found in zip(cases, spans):
        masked = bytearray(len(c.text))
        for a, b in found:
            masked[a:b] = b"\x01" * (b - a)
        for (cls, a, b), form in zip(c.spans, c.form):
            sc.total[cls] += 1
            sc.form_total[form] += 1
            covered = sum(masked[a:b])
            if covered == b - a:
                sc.found[cls] += 1
                sc.form_found[form] += 1
            else:
                if covered:
                    sc.partial[cls] += 1
                sc.misses.append((cls, c.text[a:b], c.text))
        for kind, a, b in c.distractors:
            sc.dist_total[kind] += 1
            if any(masked[a:b]):
                sc.dist_hit[kind] += 1
                sc.false_positives.append((kind, c.text[a:b], c.text))
    return sc
