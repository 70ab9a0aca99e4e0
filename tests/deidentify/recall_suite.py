"""The shared runner of the free-text recall probes (D1, rounds 5 onward): one way to turn a
template into a note, one way to score notes through ``scrub_texts``, one command-line report and
one set of generated pytest tests, so a round's files hold only what is new in that round (its
pools, templates, control phrases and cut-offs).

A template's ``{CLASS:pool}`` plants an identifier drawn from ``pools[pool]`` (a string, or
``(text, True)`` pieces of the identifier with ``(text, False)`` words between them that stay);
``[[text]]`` is an ordinary phrase none of which may be masked.  A note counts an identifier as
found only when none of its characters (blanks and zero-width spaces aside) is left where it
stood; the control phrases must come out unchanged in every frame.
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from typing import Callable

import pytest

from tests.deidentify.eval_round3 import kept_characters
from tests.deidentify.eval_round4 import Result

SLOT = re.compile(r"\{(\w+):(\w+)\}|\[\[(.+?)\]\]", re.DOTALL)
# the frames each control phrase is scored in (round 5 used the first two, later rounds all three)
FRAMES = ("病人今日 {}。", "Plan: {} today.", "{}。")
ZW = "\u200b"


@dataclass
class Note:
    kind: str
    text: str = ""
    spans: list[tuple[str, list[tuple[int, int]]]] = field(default_factory=list)
    plain: list[tuple[int, int]] = field(default_factory=list)


def build(kind: str, template: str, rng: random.Random, classes: tuple[str, ...], pools: dict,
          fixed: dict[str, Callable[[random.Random], str]] | None = None, slot: re.Pattern = SLOT) -> Note:
    """One note from ``template``; ``fixed`` maps a literal token (``{HOSP}``) to filler text that is
    neither an identifier nor scored.  An unknown class or pool is an error, not a silent skip."""
    n = Note(kind)
    pos = 0
    for m in slot.finditer(template):
        n.text += template[pos:m.start()]
        pos = m.end()
        if fixed and m.group(0) in fixed:
            n.text += fixed[m.group(0)](rng)
            continue
        if m.group(3) is not None:
            a = len(n.text)
            n.text += m.group(3)
            n.plain.append((a, len(n.text)))
            continue
        cls, pool = m.group(1), m.group(2)
        if cls not in classes or pool not in pools:
            raise ValueError(f"unknown slot {m.group(0)} in {template!r}")
        value = pools[pool](rng)
        pieces = [(value, True)] if isinstance(value, str) else value
        parts = []
        for text, ident in pieces:
            a = len(n.text)
            n.text += text
            if ident:
                parts.append((a, len(n.text)))
        n.spans.append((cls, parts))
    n.text += template[pos:]
    return n


def measure(notes: list[Note], classes: tuple[str, ...], control: list[str], frames: tuple[str, ...] = FRAMES,
            ignore: str = "") -> Result:
    """Recall per class and per style, ordinary phrases and control phrases touched, through
    ``scrub_texts`` with the policy's cut-offs.  ``ignore``: characters (besides blanks) a value
    may leave behind, such as the zero-width space a generator put inside it."""
    from deidentify.text.scrub import scrub_texts

    res = Result(classes=classes)
    kinds: dict[str, list[int]] = {}
    for n, out in zip(notes, scrub_texts([n.text for n in notes])):
        kept = kept_characters(n.text, out)
        k = kinds.setdefault(n.kind, [0, 0])
        for cls, parts in n.spans:
            res.total[cls] += 1
            k[1] += 1
            if any(kept[i] for a, b in parts for i in range(a, b) if not n.text[i].isspace() and n.text[i] not in ignore):
                res.misses.append((cls, " | ".join(n.text[a:b] for a, b in parts), out))
            else:
                res.found[cls] += 1
                k[0] += 1
        for a, b in n.plain:
            res.plain_total += 1
            if not all(kept[a:b]):
                res.over.append((n.text[a:b], out))
    res.by_kind = {k: tuple(v) for k, v in kinds.items()}
    controls = [f.format(c) for f in frames for c in control]
    for src, out in zip(controls, scrub_texts(controls)):
        res.control_total += 1
        if out != src:
            res.control_over.append((src, out))
    return res


def report(generate: Callable, measure_notes: Callable, *, seed: int, rounds: int, held_rounds: int,
           argv: list[str] | None = None, width: int = 220) -> None:
    """``python -m tests.deidentify.eval_roundN [seeds] [--held-out|--held-out-2]``: the table and
    every miss and every masked ordinary phrase."""
    argv = sys.argv[1:] if argv is None else argv
    held: bool | int = 2 if "--held-out-2" in argv else "--held-out" in argv
    for s in [int(a) for a in argv if a.isdigit()] or [seed]:
        notes = generate(seed=s, rounds=held_rounds if held else rounds, held_out=held)
        r = measure_notes(notes)
        print("seed", s, len(notes), "notes")
        print(r.table())
        for m in r.misses:
            print("MISS", m[0], repr(m[1]), "|", m[2][:width].replace("\n", "⏎"))
        for o in r.over + r.control_over:
            print("OVER", repr(o[0]), "|", o[1][:200].replace("\n", "⏎"))


@dataclass
class Suite:
    """The tests every round's probe runs: the set is fixed and covers every class and style,
    recall of each class and each style on the tuned seeds, nothing ordinary masked, and the
    held-out sets.  Each method returns a test function for the round's file to bind under the
    name ``policies/rules_index.yaml`` already cites."""
    generate: Callable
    measure: Callable
    classes: tuple[str, ...]
    types: tuple[str, ...]
    control: list[str]
    seeds: tuple[int, ...]
    min_notes: int
    min_per_class: int
    style_floor: float = 0.98
    class_floor: float = 0.98
    control_frames: int = 3
    held_out: tuple[tuple[bool | int, int], ...] = ()
    held_rounds: int = 14

    def results_fixture(self):
        @pytest.fixture(scope="module", name="results")
        def results():
            return {seed: self.measure(self.generate(seed=seed)) for seed in self.seeds}
        return results

    def fixed_set_test(self):
        first = self.seeds[0]

        def test(results):
            notes = self.generate(seed=first)
            assert len(notes) >= self.min_notes and {n.kind for n in notes} == set(self.types)
            assert [n.text for n in self.generate(seed=first)] == [n.text for n in notes]
            for cls in self.classes:
                assert results[first].total[cls] >= self.min_per_class, cls
        return test

    def class_recall_test(self):
        @pytest.mark.parametrize("seed", self.seeds)
        @pytest.mark.parametrize("cls", self.classes)
        def test(results, seed, cls):
            r = results[seed]
            assert r.recall(cls) >= self.class_floor, (r.table(), [m for m in r.misses if m[0] == cls])
        return test

    def style_recall_test(self):
        @pytest.mark.parametrize("seed", self.seeds)
        @pytest.mark.parametrize("kind", self.types)
        def test(results, seed, kind):
            found, total = results[seed].by_kind[kind]
            assert found / total >= self.style_floor, results[seed].table()
        return test

    def control_test(self):
        @pytest.mark.parametrize("seed", self.seeds)
        def test(results, seed):
            r = results[seed]
            assert not r.over, r.over
            assert not r.control_over, r.control_over
            assert r.control_total == self.control_frames * len(self.control)
        return test

    def _held(self, held_out: bool | int, seed: int) -> None:
        r = self.measure(self.generate(seed=seed, rounds=self.held_rounds, held_out=held_out))
        for cls in self.classes:
            assert r.recall(cls) >= self.class_floor, (cls, r.table(), r.misses)
        assert not r.over and not r.control_over, (r.over, r.control_over)

    def held_out_test(self, params: str = "seed"):
        """``params``: "" (one set, no parameter), "seed" or "held_out,seed" - as each round named them."""
        if params == "":
            (held, seed), = self.held_out

            def test():
                self._held(held, seed)
            return test
        if params == "seed":
            sets = dict((s, h) for h, s in self.held_out)

            @pytest.mark.parametrize("seed", tuple(sets))
            def test_seed(seed):
                self._held(sets[seed], seed)
            return test_seed
        if params == "held_out,seed":
            @pytest.mark.parametrize("held_out,seed", list(self.held_out))
            def test_both(held_out, seed):
                self._held(held_out, seed)
            return test_both
        raise ValueError(f"unknown parameters {params!r}")
