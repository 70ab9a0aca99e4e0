"""Switching one rule's enforcement off inside a test run, to prove its tests notice.

``bench/rule_switches.py`` runs the tests a rule names in ``policies/rules_index.yaml`` with
``ENCLAVE_TEST_SWITCH_OFF`` set to one switch of that rule (JSON):

* ``{"policy": {"sessions.no_show_window_days": 5}}`` - every policy loaded in the run gets the
  setting (the loader's raw YAML is overridden, so explicit ``load_policy(dir)`` calls see it
  too), and so does a section built from its defaults (``EgressPolicy()``);
* ``{"patch": {"target": "package.module:name", "returns": null}}`` - the named function is
  replaced by one that returns the value (the check "always passes"); ``"returns_arg": 0``
  makes it hand back its first argument (a scrubber that masks nothing).

Only this test process is changed: nothing in the enclave reads the variable, so no deployment
can be switched off by its environment.
"""
from __future__ import annotations

import importlib
import json
import os
from typing import Any

ENV = "ENCLAVE_TEST_SWITCH_OFF"


def _set(raw: dict[str, Any], dotted: str, value: Any) -> None:
    section, _, key = dotted.partition(".")
    raw.setdefault(section, {})
    node = raw[section]
    *path, last = key.split(".")
    for p in path:
        node = node.setdefault(p, {})
    node[last] = value


def apply(mp) -> str | None:
    """Apply the switch named in the environment with ``mp`` (a MonkeyPatch); return it."""
    spec = os.environ.get(ENV)
    if not spec:
        return None
    sw = json.loads(spec)
    if "policy" in sw:
        from policies import loader

        orig = loader._raw

        def overridden(directory, seen=()):
            raw, origin = orig(directory, seen)
            if not seen:  # the outermost policy of an `extends` chain
                raw = json.loads(json.dumps(raw, default=str))
                for dotted, value in sw["policy"].items():
                    _set(raw, dotted, value)
            return raw, origin

        mp.setattr(loader, "_raw", overridden)
        loader._cached.cache_clear()
        # sections built from their defaults (EgressPolicy() in a test) get the setting too
        from policies.model import Policy

        for dotted, value in sw["policy"].items():
            section, _, key = dotted.partition(".")
            cls = Policy.model_fields[section].annotation
            if "." not in key:
                mp.setattr(cls.model_fields[key], "default", value)
                cls.model_rebuild(force=True)
    if "patch" in sw:
        mod_name, _, attr = sw["patch"]["target"].partition(":")
        mod = importlib.import_module(mod_name)
        value = sw["patch"].get("returns")
        arg = sw["patch"].get("returns_arg")  # the check hands its input back unchanged
        obj = mod
        *owners, last = attr.split(".")
        for o in owners:
            obj = getattr(obj, o)
        if not hasattr(obj, last):
            raise AttributeError(f"switch target {sw['patch']['target']} does not exist")
        mp.setattr(obj, last, (lambda *a, **k: a[arg]) if arg is not None else (lambda *a, **k: value))
    return spec
