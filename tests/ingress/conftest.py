"""Fixtures for the import review: a small pool of files, people and cases, and the router
mounted in a tiny app with the enclave's real token authentication."""
from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from deidentify.identifiers.taiwan_id import generate
from policies import load_policy
from policies.loader import POLICY_ROOT
from tests.services import people

# name -> (roles, cases they work on)
PEOPLE = {
    "alice": (("researcher",), ("C1", "IMG1")),   # requester
    "bob": (("researcher",), ("C2",)),
    "rev1": (("reviewer",), ()),
    "rev2": (("reviewer",), ()),
    "carol": (("reviewer", "researcher"), ("C1", "IMG1")),  # reviewer who works on the cases
    "com1": (("committee",), ()),
}


def national_ids(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [generate(rng) for _ in range(n)]


def patient_csv(n: int = 8) -> bytes:
    rows = [f"{pid},{'F' if i % 2 else 'M'},250.00,2019-0{1 + i % 9}-15" for i, pid in enumerate(national_ids(n))]
    return ("ID,ID_SEX,ICD9CM_CODE,FUNC_DATE\n" + "\n".join(rows) + "\n").encode()


def zip_of(files: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


CLEAN_CODE = b'''"""Pre-processing for chest X-ray classification."""
import numpy as np


def normalise(img: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(img, [1, 99])
    return np.clip((img - lo) / (hi - lo + 1e-9), 0, 1)
'''


@pytest.fixture(scope="session")
def policy():
    return load_policy(POLICY_ROOT / "nhi_centre")


@dataclass
class World(people.World):
    root: Path = field(kw_only=True)  # the enclave home: projects/<case>/...

    @property
    def projects(self) -> Path:
        return self.root / "projects"


def make_world(db_url: str, policy, root: Path) -> World:
    from enclave.cases.models import Case
    from enclave.db import session_scope, utcnow
    from tests.services.people import add_people

    w = World(db_url, policy, root=root)
    t0 = utcnow() - dt.timedelta(days=30)
    with session_scope(db_url) as db:
        cases = {}
        for i, (code, imaging, status) in enumerate((("C1", False, "active"), ("IMG1", True, "active"),
                                                     ("C2", False, "approved"), ("OLD", False, "ended"))):
            cases[code] = Case(code=code, title=code, imaging=imaging, status=status,
                               created_at=t0 + dt.timedelta(days=i))
            db.add(cases[code])
        db.flush()
        add_people(db, w, PEOPLE, cases, token_lifetime=dt.timedelta(hours=1),
                   password_changed_at=utcnow())
    return w


@pytest.fixture
def world(db_url, policy, tmp_path):
    return make_world(db_url, policy, tmp_path)


@pytest.fixture
def client(world):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from egress_review.ingress.api import router
    from egress_review.store import BlobStore

    app = FastAPI()
    app.state.db_url = world.db_url
    app.state.policy = world.policy
    app.state.ingress_store = BlobStore(world.root / "ingress-store")
    app.state.egress = SimpleNamespace(store=BlobStore(world.root / "egress-store"))
    app.state.ingress_projects_dir = world.projects
    app.include_router(router)
    with TestClient(app) as c:
        c.app_state = app.state
        yield c
