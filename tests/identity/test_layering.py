"""#17: services never import the web layer.  Every module outside the HTTP adapters is parsed
(imports inside functions included) and none may import ``enclave.web``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("enclave", "egress_review", "datasets", "deidentify", "hub_config", "policies")
# The HTTP adapters themselves: they may use enclave.web's dependencies.
WEB_LAYERS = ("enclave/web/", "egress_review/api/", "egress_review/pages/", "egress_review/ingress/api.py", "egress_review/ingress/pages.py",
              "egress_review/serve.py")


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def service_modules() -> list[Path]:
    files = []
    for pkg in PACKAGES:
        for p in sorted((ROOT / pkg).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            if not rel.startswith(WEB_LAYERS):
                files.append(p)
    return files


def web_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path}:{line} imports {name}" for line, name in _imports(tree)
            if name == "enclave.web" or name.startswith("enclave.web.")]


def test_there_are_services_to_check():
    names = {p.relative_to(ROOT).as_posix() for p in service_modules()}
    for must in ("enclave/cases/service.py", "enclave/accounts/service.py", "enclave/purge/service.py",
                 "enclave/violations/service.py", "enclave/identity/login.py"):
        assert must in names


def test_no_service_module_imports_the_web_layer():
    bad = [hit for p in service_modules() for hit in web_imports(p)]
    assert bad == []


@pytest.mark.parametrize("snippet", ["import enclave.web.auth", "from enclave.web import auth",
                                     "def f():\n    from enclave.web.auth import revoke_all_for_user\n",
                                     "from enclave.web.deps import get_db"])
def test_the_check_sees_every_form_of_import(tmp_path, snippet):
    p = tmp_path / "probe.py"
    p.write_text(snippet)
    assert web_imports(p), snippet
