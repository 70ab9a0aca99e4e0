from __future__ import annotations

from pathlib import Path

import pytest

from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from policies.sections.egress import EgressPolicy

KEY = b"provenance-test-key-0123456789ab"


def make_request(root: Path, files: dict[str, str | bytes], entries: list[dict], **kw):
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    manifest = parse_manifest({"version": 1, "case_code": "R-TEST", "purpose": "tests",
                               "files": entries})
    kw.setdefault("policy", EgressPolicy())
    kw.setdefault("provenance_key", KEY)
    return check_request(manifest, root, **kw)


def by(result, check=None, rule=None, severity=None, file=None):
    return [f for f in result.findings
            if (check is None or f.check == check) and (rule is None or f.rule == rule)
            and (severity is None or f.severity == severity) and (file is None or f.file == file)]


@pytest.fixture
def run(tmp_path):
    def _run(files, entries, **kw):
        return make_request(tmp_path, files, entries, **kw)
    return _run
