"""Fixtures for the egress-review workflow: people, cases, files and the app on both databases."""
from __future__ import annotations

import datetime as dt
import functools
import io
import json
from pathlib import Path

import pytest

from enclave.accounts.passwords import hash_password
from enclave.cases.models import Case
from enclave.db import session_scope, utcnow
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.services.people import World, add_people

PASSWORD = "Correct-Horse-42x"

# name -> (roles, cases they are a member of)
PEOPLE = {
    "alice": (("researcher",), ("C1", "IMG1")),  # the requester
    "bob": (("researcher",), ("C1",)),
    "rev1": (("reviewer",), ()),
    "rev2": (("reviewer",), ()),
    "rev3": (("reviewer",), ()),
    "carol": (("reviewer", "researcher"), ("C1",)),  # a reviewer who works on the case
    "com1": (("committee",), ()),
    "mallory": (("researcher",), ("C2",)),
}

COUNTS_OK = b"age_group,sex,n\n20-39,F,120\n20-39,M,98\n40-59,F,143\n40-59,M,131\n"
COUNTS_SMALL = b"age_group,n\n20-39,3\n40-59,40\n"


def table_spec(path: str, groups=("age_group", "sex")) -> dict:
    cols = {g: {"role": "group"} for g in groups}
    cols["n"] = {"role": "count"}
    return {"path": path, "kind": "table", "description": f"persons by {', '.join(groups)}",
            "columns": cols}


def manifest(case: str = "C1", files: list[dict] | None = None, purpose: str = "Visits by age and sex, "
             "for the paper on outpatient use 2018-2020") -> dict:
    return {"version": 1, "case_code": case, "purpose": purpose,
            "files": files if files is not None else [table_spec("counts.csv")]}


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every test user


def make_world(db_url: str, policy) -> World:
    w = World(db_url, policy)
    with session_scope(db_url) as db:
        cases = {}
        for code, imaging in (("C1", False), ("C2", False), ("IMG1", True)):
            cases[code] = Case(code=code, title=f"case {code}", imaging=imaging, status="active")
            db.add(cases[code])
        db.flush()
        add_people(db, w, PEOPLE, cases, token_lifetime=dt.timedelta(days=1),
                   password_hash=password_hash(),
                   password_changed_at=utcnow() - dt.timedelta(days=1))
    return w


def home_with_world(tmp_path: Path) -> tuple[Path, str, World]:
    """An enclave home under ``tmp_path`` with its own migrated SQLite state DB and the world
    of make_world (deployed policy) in it: (home, db_url, world), for the real-service tests."""
    from enclave.db import upgrade

    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'state.db'}"
    upgrade(url)
    return home, url, make_world(url, nhi_policy())


def nhi_policy(**egress):
    p = load_policy(POLICY_ROOT / "nhi_centre")
    # Password-only log-ins here: TOTP (required for reviewers by the deployed policy) has its
    # own tests over HTTP in tests/identity.
    p = p.model_copy(update={"accounts": p.accounts.model_copy(update={"mfa_required_roles": []})})
    if egress:
        p = p.model_copy(update={"egress": p.egress.model_copy(update=egress)})
    return p


class Clock:
    """An injectable clock: tests move it past the download window."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def policy():
    return nhi_policy()


@pytest.fixture
def world(db_url, policy):
    return make_world(db_url, policy)


@pytest.fixture
def dirs(tmp_path):
    return {"store_dir": tmp_path / "egress", "release_dir": tmp_path / "release"}


@pytest.fixture
def client(world, dirs, clock):
    from tests.identity.helpers import FormClient as TestClient  # posts forms like a same-origin page

    from egress_review.api import create_app

    app = create_app(world.db_url, world.policy, store_dir=dirs["store_dir"],
                     release_dir=dirs["release_dir"], clock=clock)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def one_review_client(world, dirs, clock):
    """The service on the deployed policy with one review required instead of two."""
    from fastapi.testclient import TestClient

    from egress_review.api import create_app

    app = create_app(world.db_url, nhi_policy(reviews_required=1), store_dir=dirs["store_dir"],
                     release_dir=dirs["release_dir"], clock=clock)
    with TestClient(app) as c:
        yield c


def submit(client, world, who="alice", man: dict | None = None, files: dict[str, bytes] | None = None,
           **form) -> dict:
    man = man if man is not None else manifest()
    files = files if files is not None else {"counts.csv": COUNTS_OK}
    r = client.post("/api/requests", headers=world.auth(who),
                    data={"manifest": json.dumps(man), **form},
                    files=[("files", (name, data, "application/octet-stream")) for name, data in files.items()])
    return r
