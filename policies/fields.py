"""`setting()`: a pydantic field that carries the RULES.md rule ID it implements."""
from __future__ import annotations

from typing import Any

from pydantic import Field


def setting(default: Any = ..., *, rule: str, description: str, **kw: Any) -> Any:
    """A policy field tagged with its rule ID (e.g. ``"E2"``).

    The tag lives in the JSON schema (``json_schema_extra``) so ``enclave policy show`` and the
    traceability test can list every setting with the rule that demands it.
    """
    extra = dict(kw.pop("json_schema_extra", None) or {})
    extra["rule"] = rule
    return Field(default, description=description, json_schema_extra=extra, **kw)


def rule_of(model_cls: type, field_name: str) -> str | None:
    info = model_cls.model_fields[field_name]
    extra = info.json_schema_extra or {}
    return extra.get("rule") if isinstance(extra, dict) else None
