"""Load a policy directory into a validated :class:`Policy`.

A policy is a directory holding ``policy.yaml`` (name, description, optional ``extends``: a
sibling policy to start from) and one YAML file per section.  A bad file fails with
:class:`PolicyError` naming the file, the key and the reason.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policies.model import SECTIONS, Policy

POLICY_ROOT = Path(__file__).resolve().parent
ENV_VAR = "ENCLAVE_POLICY"


class PolicyError(ValueError):
    """A policy file is missing, unreadable or invalid; the message says where and why."""


def default_policy_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or POLICY_ROOT / "nhi_centre")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PolicyError(f"{path}: not UTF-8 ({e.reason} at byte {e.start})") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{path}:{where} invalid YAML: {getattr(e, 'problem', e)}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _raw(directory: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, Path]]:
    """Raw merged settings plus, per section, the file that last set it (for error messages)."""
    directory = directory.resolve()
    if directory in seen:
        raise PolicyError(f"{directory}: 'extends' loops back to itself")
    if not directory.is_dir():
        raise PolicyError(f"{directory}: policy directory does not exist")
    head_path = directory / "policy.yaml"
    head = _read_yaml(head_path) if head_path.exists() else {}
    unknown = set(head) - {"name", "description", "demo", "extends"}
    if unknown:
        raise PolicyError(f"{head_path}: unknown keys {sorted(unknown)}")
    raw: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    if "extends" in head:
        raw, origin = _raw(directory / str(head["extends"]), seen + (directory,))
    for k in ("name", "description", "demo"):
        if k in head:
            raw[k] = head[k]
    for section in SECTIONS:
        path = directory / f"{section}.yaml"
        if path.exists():
            raw[section] = _merge(raw.get(section, {}), _read_yaml(path))
            origin[section] = path
    extra_files = sorted(p.name for p in directory.glob("*.yaml")
                         if p.stem not in SECTIONS and p.name != "policy.yaml")
    if extra_files:
        raise PolicyError(f"{directory}: unknown policy files {extra_files}; "
                          f"sections are {sorted(SECTIONS)}")
    return raw, origin


def load_policy(directory: str | os.PathLike[str] | None = None) -> Policy:
    directory = Path(directory) if directory else default_policy_dir()
    raw, origin = _raw(directory)
    try:
        return Policy.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = [str(x) for x in err["loc"]]
            section = loc[0] if loc else ""
            where = origin.get(section, directory / "policy.yaml")
            key = ".".join(loc[1:]) if section in SECTIONS else ".".join(loc)
            got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
            problems.append(f"{where}: {key}: {err['msg']}{got}")
        raise PolicyError("invalid policy:\n  " + "\n  ".join(problems)) from None


@lru_cache(maxsize=8)
def _cached(directory: str) -> Policy:
    return load_policy(directory)


def current_policy() -> Policy:
    """The deployment's policy (``$ENCLAVE_POLICY`` or the NHI centre default), cached."""
    return _cached(str(default_policy_dir()))
