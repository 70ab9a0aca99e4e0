"""The egress service's default case context: the case's own pseudonyms (E7) and the
provenance key (E6) come from the real extract and master key."""
from __future__ import annotations

import json

import pytest

from datasets.demo import build_demo_release
from datasets.extract import build_extract
from egress_review.case_context import enclave_case_context
from egress_review.engine import check_request
from egress_review.manifest import Manifest
from enclave.settings import get_settings

SYNTHETIC = "synthetic test data, no real persons (D3 override for the fixture)"

SPEC = {"release": "demo", "files": {"H_NHI_OPDTE": {"columns": ["ID", "ICD9CM_CODE", "FUNC_DATE"]}}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("ENCLAVE_HOME", str(home))
    settings = get_settings()
    build_demo_release(settings, rows=2000, images=0)
    build_extract(SPEC, "C2026-0042", settings, k_override=SYNTHETIC)
    yield settings
    mp.undo()


def test_pseudonym_of_the_case_in_a_released_text_blocks(world, tmp_path):
    ctx = enclave_case_context(world)("C2026-0042")
    assert len(ctx["provenance_key"]) == 32
    pseudonym = sorted(ctx["case_pseudonyms"])[0]
    assert len(ctx["case_pseudonyms"]) > 10
    (tmp_path / "notes.txt").write_text(f"Interesting patient {pseudonym} had three visits.\n")
    (tmp_path / "clean.txt").write_text("Visits per person rose in every region over the study period.\n")
    # a mean stated without the number of persons behind it is for a reviewer (E2, issue #20)
    (tmp_path / "mean.txt").write_text("Mean visits per person rose from 3.1 to 3.4.\n")
    man = Manifest.model_validate({"version": 1, "case_code": "C2026-0042", "purpose": "paper",
                                   "files": [{"path": "notes.txt", "kind": "text", "description": "notes"},
                                             {"path": "clean.txt", "kind": "text", "description": "text"},
                                             {"path": "mean.txt", "kind": "text", "description": "text"}]})
    res = check_request(man, tmp_path, **ctx).to_dict()
    verdicts = {f["path"]: f["verdict"] for f in res["files"]}
    assert verdicts["notes.txt"] == "block", json.dumps(res, ensure_ascii=False)[:2000]
    assert verdicts["clean.txt"] == "pass", json.dumps(res, ensure_ascii=False)[:2000]
    assert verdicts["mean.txt"] == "review"


def test_other_case_has_other_key_and_no_extract(world):
    ctx = enclave_case_context(world)("C2026-0043")
    assert "case_pseudonyms" not in ctx
    assert ctx["provenance_key"] != enclave_case_context(world)("C2026-0042")["provenance_key"]
