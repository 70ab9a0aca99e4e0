"""The seat registry (S1, S4) through the JSON API and the CLI: only the centre administrator
registers, moves or retires a workstation; bad input says what is wrong and changes nothing.
(The hub refusing a session away from the booked seat is tests/hub/test_seats.py.)"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from enclave.audit.models import AuditRecord
from enclave.cli.main import app as cli
from enclave.db import session_scope
from enclave.web.app import create_app
from hub_config.seats.models import Seat
from hub_config.seats.service import from_booked_seat
from tests.control.conftest import PASSWORD, T0
from tests.identity.helpers import FormClient


@pytest.fixture
def client(people, policy):
    return FormClient(create_app(people, policy, clock=lambda: T0))


def login(client, name):
    r = client.post("/api/token", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _seats(url):
    with session_scope(url) as s:
        return {x.number: (x.address_list, x.active) for x in s.execute(select(Seat)).scalars()}


def test_admin_registers_moves_and_retires_a_seat(client, people):
    admin = login(client, "admin")
    r = client.put("/api/seats/3", json={"addresses": ["10.20.0.13"], "label": "室 2 左"},
                   headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["addresses"] == ["10.20.0.13"] and r.json()["active"]
    with session_scope(people) as s:
        assert from_booked_seat(s, 3, "10.20.0.13") is None
        assert "seat 3" in from_booked_seat(s, 3, "10.20.0.14")
    # moved: the old workstation is refused from now on
    r = client.put("/api/seats/3", json={"addresses": ["10.20.0.23", "fd00::23"]}, headers=admin)
    assert r.status_code == 200 and r.json()["label"] == "室 2 左"
    with session_scope(people) as s:
        assert from_booked_seat(s, 3, "10.20.0.13") is not None
        assert from_booked_seat(s, 3, "fd00::23") is None
    listed = client.get("/api/seats", headers=admin).json()
    assert [x["number"] for x in listed] == [3]
    r = client.post("/api/seats/3/retire", json={"reason": "USB port found unsealed"},
                    headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    with session_scope(people) as s:
        assert "not a registered workstation" in from_booked_seat(s, 3, "10.20.0.23")
        actions = [a.action for a in s.execute(select(AuditRecord)).scalars()]
    assert actions.count("seat.registered") == 2 and "seat.retired" in actions


@pytest.mark.parametrize("who", ["alice", "steward", "boss"])
def test_only_the_administrator(client, people, who):
    h = login(client, who)
    assert client.get("/api/seats", headers=h).status_code == 403
    r = client.put("/api/seats/2", json={"addresses": ["10.20.0.12"]}, headers=h)
    assert r.status_code == 403 and r.json()["rule"] == "S1"
    assert client.post("/api/seats/2/retire", json={"reason": "x"}, headers=h).status_code == 403
    assert client.put("/api/seats/2", json={"addresses": ["10.20.0.12"]}).status_code == 401
    assert _seats(people) == {}


@pytest.mark.parametrize("number, body, status, says", [
    (1, {"addresses": []}, 422, "addresses"),
    (1, {"addresses": ["seat-1"]}, 422, "not an IP address"),
    (1, {"addresses": ["10.0.0.300"]}, 422, "not an IP address"),
    (1, {"addresses": ["10.0.0.1/24"]}, 422, "not an IP address"),
    (1, {"addresses": ["10.0.0.1"], "extra": 1}, 422, "extra"),
    (0, {"addresses": ["10.0.0.1"]}, 422, "positive integer"),
    (-4, {"addresses": ["10.0.0.1"]}, 422, "positive integer"),
    (10_000, {"addresses": ["10.0.0.1"]}, 422, "seats (S4)"),
    (1, {"addresses": ["10.0.0.1"] * 9}, 422, "addresses"),
])
def test_bad_registration_says_what_and_changes_nothing(client, people, number, body, status, says):
    admin = login(client, "admin")
    r = client.put(f"/api/seats/{number}", json=body, headers=admin)
    assert r.status_code == status and says in r.text, r.text
    assert _seats(people) == {}


def test_one_address_one_workstation(client, people):
    admin = login(client, "admin")
    assert client.put("/api/seats/1", json={"addresses": ["10.20.0.11"]}, headers=admin).status_code == 200
    r = client.put("/api/seats/2", json={"addresses": ["10.20.0.12", "10.20.0.11"]}, headers=admin)
    assert r.status_code == 422 and "already seat 1" in r.text
    assert _seats(people) == {1: (["10.20.0.11"], True)}
    assert client.post("/api/seats/7/retire", json={"reason": "x"}, headers=admin).status_code == 404
    r = client.post("/api/seats/1/retire", json={"reason": "  "}, headers=admin)
    assert r.status_code == 422 and _seats(people)[1][1] is True


def test_cli(people, monkeypatch):
    monkeypatch.setenv("ENCLAVE_DB_URL", people)
    run = CliRunner().invoke
    res = run(cli, ["hub", "seat", "register", "4", "--address", "10.20.0.14", "--address",
                    "10.20.0.15", "--label", "room 1", "--as", "admin", "--json"])
    assert res.exit_code == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["addresses"] == ["10.20.0.14", "10.20.0.15"]
    res = run(cli, ["hub", "seat", "register", "5", "--address", "10.20.0.16", "--as", "alice"])
    assert res.exit_code == 1 and "administrator" in res.stderr
    res = run(cli, ["hub", "seat", "register", "5", "--address", "nope", "--as", "admin"])
    assert res.exit_code == 1 and "not an IP address" in res.stderr
    listed = json.loads(run(cli, ["hub", "seat", "list", "--json"]).stdout)
    assert [(x["number"], x["active"]) for x in listed] == [(4, True)]
    res = run(cli, ["hub", "seat", "retire", "4", "--reason", "moved rooms", "--as", "admin"])
    assert res.exit_code == 0
    assert _seats(people) == {4: (["10.20.0.14", "10.20.0.15"], False)}
