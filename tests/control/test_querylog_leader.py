"""A3/A7: the query log's PI rights (browse a case's queries, approve the members') come from
leading the case now - a current officer membership of a case past the draft - never from
having filed it.  Before, ``Case.applicant_id`` decided: a PI who handed the case over, or whose
membership was removed, kept browsing and approving its members' queries, and a researcher who
filed a draft became "the PI" of whatever the draft's code was."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.audit import AuditEntry, append
from enclave.cases import service as cases
from enclave.cases.models import CaseMember
from enclave.core.errors import Forbidden
from enclave.db import session_scope
from enclave.querylog.service import decide, led_cases, visible_cases
from tests.control.conftest import IRB, SPEC, T0, load, mk_case, mk_user


def _q(db, who, code, when):
    return append(db, AuditEntry("session", who, "session.query", case_code=code, reason="counts",
                                 subject="SELECT 1", detail={"booking": 1}), now=when).seq


@pytest.fixture
def world(url, policy):
    """Case A led by 'pi' with members mia, max; 'dora' files a draft; 'hank' will hand over."""
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        pi, mia, mx, dora, hank, nina = (mk_user(db, n) for n in ("pi", "mia", "max", "dora", "hank", "nina"))
        a = mk_case(db, policy, pi, admin=admin, members=[(mia, None), (mx, None)])
        h = mk_case(db, policy, hank, admin=admin, members=[(nina, None)])
        d = cases.create_case(db, policy, dora, applicant=dora, title="my draft", case_type="research",
                              irb_certificate=IRB("dora"), extract_spec=SPEC, now=T0)
        seqs = {"mia": _q(db, "mia", a.code, T0), "max": _q(db, "max", a.code, T0 + dt.timedelta(hours=1)),
                "nina": _q(db, "nina", h.code, T0 + dt.timedelta(hours=2)),
                "draft": _q(db, "mia", d.code, T0 + dt.timedelta(hours=3))}
        return url, seqs, {"A": a.code, "H": h.code, "D": d.code}


def test_the_current_pi_browses_and_approves(world, policy):
    url, seqs, codes = world
    with session_scope(url) as db:
        pi = load(db, "pi")
        assert visible_cases(db, policy, pi) == (codes["A"],)
        assert decide(db, policy, pi, [seqs["mia"]], "approved", now=T0) == [seqs["mia"]]


def test_a_draft_gives_no_query_log_rights(world, policy):
    url, seqs, codes = world
    with session_scope(url) as db:
        dora = load(db, "dora")
        assert led_cases(db, dora) == ()
        with pytest.raises(Forbidden):
            visible_cases(db, policy, dora)
        with pytest.raises(Forbidden):
            decide(db, policy, dora, [seqs["draft"]], "approved", now=T0)


@pytest.mark.parametrize("how", ["handover", "removed"], ids=["handed-over", "membership-removed"])
def test_a_former_pi_loses_the_query_log(world, policy, how):
    url, seqs, codes = world
    with session_scope(url) as db:
        admin, hank, nina = load(db, "admin", "hank", "nina")
        c = cases.get_case(db, codes["H"])
        if how == "handover":
            from enclave.cases.officers import handover_officer

            handover_officer(db, policy, admin, c, nina, now=T0)
        else:
            m = db.execute(select(CaseMember).where(CaseMember.case_id == c.id,
                                                    CaseMember.user_id == hank.id)).scalar_one()
            m.removed_at = T0
            db.flush()
        hank = load(db, "hank")
        assert codes["H"] not in led_cases(db, hank)
        with pytest.raises(Forbidden):
            visible_cases(db, policy, hank)
        with pytest.raises(Forbidden):
            decide(db, policy, hank, [seqs["nina"]], "approved", now=T0)


def test_a_pi_approves_nothing_of_another_case(world, policy):
    url, seqs, codes = world
    with session_scope(url) as db:
        with pytest.raises(Forbidden):
            decide(db, policy, load(db, "pi"), [seqs["nina"]], "flagged", note="x", now=T0)
        with pytest.raises(Forbidden):   # one foreign query refuses the whole batch
            decide(db, policy, load(db, "pi"), [seqs["mia"], seqs["nina"]], "approved", now=T0)


@pytest.mark.parametrize("how", ["member", "former-member", "applicant-irb"], ids=["member", "former", "irb"])
def test_an_approver_role_held_inside_the_case_approves_nothing_of_it(url, policy, how):
    """A3: the query-approval role (committee) decides from outside the case; a committee member
    who works, worked or is named on it does not pass their colleagues' queries.  An approver
    outside the case is the control."""
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin")
        mk_user(db, "judge", "committee")                 # outside every case
        cm = mk_user(db, "cm", "committee", "researcher")
        pi, mia = mk_user(db, "pi"), mk_user(db, "mia")
        irb = {**IRB("pi"), "investigators": [{"name": "pi", "role": "pi"}, {"name": "cm", "role": "co_pi"}]} \
            if how == "applicant-irb" else IRB("pi")
        c = cases.create_case(db, policy, pi, applicant=pi, title="t", case_type="research",
                              irb_certificate=irb, extract_spec=SPEC,
                              members=[(mia, None)] + ([(cm, None)] if how != "applicant-irb" else []), now=T0)
        cases.approve_case(db, policy, admin, c, now=T0)
        if how == "former-member":
            next(m for m in c.members if m.user_id == cm.id).removed_at = T0
        seq = _q(db, "mia", c.code, T0)
        db.flush()
        with pytest.raises(Forbidden, match="approver outside the case"):
            decide(db, policy, load(db, "cm"), [seq], "approved", now=T0)
        assert decide(db, policy, load(db, "judge"), [seq], "approved", now=T0) == [seq]
