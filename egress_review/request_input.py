"""The errors of the egress workflow, and what a request's words and manifest must be before
the workflow takes them (valid JSON, no NUL characters, bounded length)."""
from __future__ import annotations

import json
from typing import Any

from enclave.core import text_guard


class WorkflowError(Exception):
    """A refused action; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class Forbidden(WorkflowError):
    status = 403


class Conflict(WorkflowError):
    status = 409


class NotFound(WorkflowError):
    status = 404


def parse_manifest_json(raw: str | bytes | dict) -> Any:
    """The manifest from JSON text (or an already-decoded dict); errors say where and why."""
    from egress_review.manifest import ManifestError, loads_manifest_text, parse_manifest

    if isinstance(raw, (str, bytes)):
        try:   # a key given twice is refused, as in a manifest file (E4: it says one thing)
            data = loads_manifest_text(raw.decode("utf-8") if isinstance(raw, bytes) else raw, json_text=True)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            where = f" line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
            raise WorkflowError(f"manifest:{where} not valid JSON ({e})") from None
        except ManifestError as e:
            raise WorkflowError(f"manifest: {e}") from None
    else:
        data = raw
    if "\\u0000" in json.dumps(data):  # JSON escapes NUL; PostgreSQL cannot store it
        raise WorkflowError("manifest: contains a NUL character (\\u0000)")
    if bad := text_guard.unsafe_in(data):   # purposes, names, paths shown to reviewers (E4)
        raise WorkflowError(f"manifest: {text_guard.message(bad)}", status=422)
    try:
        return parse_manifest(data, "manifest")
    except ManifestError as e:
        raise WorkflowError(str(e)) from None


def clean_text(value: str | None, what: str, *, limit: int = 20_000) -> str:
    """Free text as stored: no NUL characters (PostgreSQL refuses them), bounded length."""
    value = (value or "").strip()
    if "\x00" in value:
        raise WorkflowError(f"{what}: contains a NUL character")
    if bad := text_guard.unsafe_char(value):
        raise WorkflowError(f"{what}: {text_guard.message(bad)}", status=422)
    if len(value) > limit:
        raise WorkflowError(f"{what}: longer than {limit} characters")
    return value
