"""Typed description of a source file family: columns, checks and de-identification actions.

Each column says how the loader validates it (``type``, ``required``, ``domain``/``pattern``) and
what de-identification does with it (``action``: keep / recode / drop / generalise / scrub, RULES.md
D1).  ``pii=True`` marks columns that identify a person or institution directly; for those the
policy may only choose drop, recode or scrub - never keep.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColType = Literal["str", "int", "dec", "date", "ym", "year", "code", "pattern", "twid", "text", "dicom"]
Action = Literal["keep", "recode", "drop", "generalise", "scrub"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColType
    description: str
    required: bool = False
    action: Action = "keep"
    # recode: the identifier class (person / physician / pharmacist / institution / employer /
    # unit / accession); pseudonyms of different classes use different derived keys.
    id_class: str | None = None
    # generalise: 'birthday' (policy birthday_granularity), 'date' (policy date_granularity) or
    # 'hour' (a HHMMSS time kept as HH).
    generalise: str | None = None
    domain: tuple[str, ...] | None = None
    pattern: str | None = None
    width: int = 10            # fixed-width layout: characters
    pii: bool = False
    quasi_identifier: bool = False

    @property
    def sql_type(self) -> str:
        return {"int": "BIGINT", "dec": "DOUBLE"}.get(self.type, "VARCHAR")


@dataclass(frozen=True)
class Family:
    name: str
    old_name: str
    description: str
    columns: tuple[Column, ...]
    # column whose first four characters give the partition year; None = not partitioned
    year_from: str | None = None
    # orders join their summary file by the claim key; cohort selection follows it
    parent: str | None = None
    key: tuple[str, ...] = ()
    person_column: str | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def line_width(self) -> int:
        return sum(c.width for c in self.columns)

    def offsets(self) -> list[tuple[Column, int]]:
        """(column, 1-based start character) for the fixed-width layout."""
        out, pos = [], 1
        for c in self.columns:
            out.append((c, pos))
            pos += c.width
        return out
