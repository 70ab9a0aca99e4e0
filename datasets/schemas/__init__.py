"""Source file layouts (NHIRD/HWDC-like) and the per-column de-identification actions."""
from __future__ import annotations

from datasets.defaults import policy_or_current
from datasets.schemas.model import Column, Family
from datasets.schemas.nhi import CLAIM_FAMILIES, CLAIM_KEY, FAMILIES, REFERENCE_FAMILIES


class SchemaError(ValueError):
    """A family/column is unknown or the policy asks for an unsafe action."""


def family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise SchemaError(f"unknown file family {name!r}; known: {', '.join(FAMILIES)}") from None


def effective_actions(policy=None) -> dict[str, dict[str, str]]:
    """Per family and column, the action the loader applies: the policy's choice (D1) or the
    schema default.  A policy may not ``keep`` an identifying column or name unknown columns."""
    policy = policy_or_current(policy)
    chosen = policy.data.columns
    out: dict[str, dict[str, str]] = {}
    for fam_name, cols in chosen.items():
        fam = family(fam_name)
        for col in cols:
            if col not in fam.names:
                raise SchemaError(f"policy data.columns.{fam_name}: unknown column {col!r}")
    for fam in FAMILIES.values():
        over = chosen.get(fam.name, {})
        acts = {}
        for c in fam.columns:
            a = over.get(c.name, c.action)
            if c.pii and a in ("keep", "generalise"):
                raise SchemaError(f"policy data.columns.{fam.name}.{c.name}: {a!r} is not allowed "
                                  f"for an identifying column (use drop, recode or scrub)")
            if a == "recode" and c.id_class is None:
                raise SchemaError(f"policy data.columns.{fam.name}.{c.name}: recode needs an "
                                  f"identifier column")
            if a == "scrub" and c.type not in ("text", "dicom"):
                raise SchemaError(f"policy data.columns.{fam.name}.{c.name}: scrub applies to "
                                  f"free text or DICOM only")
            if a == "generalise" and c.generalise is None:
                raise SchemaError(f"policy data.columns.{fam.name}.{c.name}: no generalisation "
                                  f"is defined for this column")
            if c.type == "dicom" and a not in ("scrub", "drop"):
                raise SchemaError(f"policy data.columns.{fam.name}.{c.name}: DICOM files must be "
                                  f"scrubbed or dropped")
            acts[c.name] = a
        out[fam.name] = acts
    return out


__all__ = ["Column", "Family", "FAMILIES", "CLAIM_FAMILIES", "CLAIM_KEY", "REFERENCE_FAMILIES",
           "SchemaError", "family", "effective_actions"]
