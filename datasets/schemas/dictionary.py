"""The data dictionary of a warehouse release, generated from the schemas and the policy."""
from __future__ import annotations

from datasets.schemas.model import Column, Family


def output_type(c: Column, action: str, policy) -> str | None:
    """SQL type of the column in the warehouse; None when the column is not released: dropped,
    or free text / DICOM whose scrubbing the policy turned off (never released unscrubbed)."""
    if action == "drop":
        return None
    if action == "scrub" and ((c.type == "text" and not policy.data.free_text_scrub)
                              or (c.type == "dicom" and not policy.data.dicom_mask_burned_in_text)):
        return None
    if action == "recode":
        return "VARCHAR"
    if action == "generalise":
        if c.generalise == "date" and policy.data.date_granularity == "day":
            return "DATE"
        return "VARCHAR"
    if c.type == "date":
        return "DATE"
    if c.type == "year":
        return "INTEGER"
    return c.sql_type


def describe(c: Column, action: str, policy) -> str:
    if action == "recode":
        return f"{c.description}; keyed pseudonym (HMAC-SHA256, class {c.id_class})"
    if action == "generalise":
        if c.generalise == "birthday":
            return f"{c.description}; generalised to {policy.data.birthday_granularity}"
        if c.generalise == "hour":
            return f"{c.description}; generalised to the hour (HH)"
        return f"{c.description}; kept at {policy.data.date_granularity} granularity"
    return c.description


def dictionary(families: list[Family], actions: dict[str, dict[str, str]], policy) -> dict:
    out = {}
    for fam in families:
        cols = []
        for c in fam.columns:
            a = actions[fam.name][c.name]
            t = output_type(c, a, policy)
            cols.append({"column": c.name, "source_type": c.type, "warehouse_type": t,
                         "action": a, "id_class": c.id_class if a == "recode" else None,
                         "quasi_identifier": c.quasi_identifier, "required": c.required,
                         "description": describe(c, a, policy)})
        out[fam.name] = {"old_name": fam.old_name, "description": fam.description,
                         "partitioned_by_year": fam.year_from is not None,
                         "claim_key": list(fam.key), "columns": cols}
    return out


def to_markdown(d: dict, title: str) -> str:
    lines = [f"# Data dictionary: {title}", "",
             "Columns with warehouse type `-` were dropped at de-identification (RULES.md D1) "
             "and are never released.", ""]
    for name, f in d.items():
        lines += [f"## {name} [{f['old_name']}]: {f['description']}", "",
                  "| column | type | action | description |", "|---|---|---|---|"]
        for c in f["columns"]:
            lines.append(f"| {c['column']} | {c['warehouse_type'] or '-'} | {c['action']} | "
                         f"{c['description']} |")
        lines.append("")
    return "\n".join(lines)
