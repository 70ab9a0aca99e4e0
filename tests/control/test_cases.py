"""Cases: each test tries to break one of P1-P12, A2, A7 (and A8's bar on applications)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.audit.models import AuditRecord
from enclave.cases import service as cases
from enclave.cases.errors import BadInput, Forbidden, Refused
from enclave.cases.models import Case, ChangeRequest
from enclave.db import session_scope
from tests.control.conftest import IRB, SPEC, T0, load, mk_case, mk_user

DAY = dt.timedelta(days=1)


def test_research_case_needs_irb_naming_applicant(people, policy):
    """P1: no certificate, or one naming someone else / only as investigator, is refused."""
    with session_scope(people) as db:
        alice = load(db, "alice")
        for irb in (None, IRB("bob"), IRB("alice", role="investigator"), {"investigators": IRB("alice")["investigators"]}):
            with pytest.raises(Refused, match="IRB") as e:
                cases.create_case(db, policy, alice, applicant=alice, title="t", case_type="research",
                                  irb_certificate=irb, now=T0)
            assert e.value.rule == "P1"
        c = cases.create_case(db, policy, alice, applicant=alice, title="t", case_type="research",
                              irb_certificate=IRB("Alice", role="co_pi"), now=T0)
        assert c.status == "draft"
        # government cases need no IRB certificate
        cases.create_case(db, policy, alice, applicant=alice, title="g", case_type="government", now=T0)
        with pytest.raises(BadInput):
            cases.create_case(db, policy, alice, applicant=alice, title="x", case_type="commercial", now=T0)


def test_processors_from_other_unit_need_proof(people, policy):
    """P2: carol (another unit) only with proof of participation."""
    with session_scope(people) as db:
        alice, carol, bob = load(db, "alice", "carol", "bob")
        with pytest.raises(Refused, match="proof of participation") as e:
            mk_case(db, policy, alice, approve=False, members=[(carol, None)])
        assert e.value.rule == "P2"
    with session_scope(people) as db:
        alice, carol, bob = load(db, "alice", "carol", "bob")
        c = mk_case(db, policy, alice, approve=False, members=[(carol, "letter 2026-17"), (bob, None)])
        assert {m.participation_proof for m in c.members} == {None, "letter 2026-17"}


def test_temporary_staff_cannot_be_member_or_applicant(people, policy):
    """A2: a temporary-staff person is refused as applicant and as processor."""
    with session_scope(people) as db:
        temp = mk_user(db, "tina", employment="temporary")
        alice = load(db, "alice")
        with pytest.raises(Refused, match="temporary") as e:
            mk_case(db, policy, alice, approve=False, members=[(temp, None)])
        assert e.value.rule == "A2"
    with session_scope(people) as db:
        temp = load(db, "tina")
        with pytest.raises(Refused, match="temporary"):
            mk_case(db, policy, temp, approve=False)


def test_fourth_concurrent_case_refused(people, policy):
    """P5: three live cases; the fourth waits until one ends (void/ended do not count)."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        made = [mk_case(db, policy, alice, admin=admin, approve=i > 0) for i in range(3)]
        with pytest.raises(Refused, match="at most 3") as e:
            mk_case(db, policy, alice, approve=False)
        assert e.value.rule == "P5"
        made[0].status = "ended"
        mk_case(db, policy, alice, approve=False)  # now allowed


def test_period_from_first_use_or_three_months(people, policy):
    """P3: research = 12 months from first use or approval + 3 months, whichever is first;
    imaging periods are 3, 6 or 12 months set by the committee."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        assert c.period_start == T0  # usable from approval; counted from first use or +3 months
        assert c.period_end == cases.add_months(T0, 15)
        cases.record_first_use(db, policy, c, T0 + 10 * DAY, "alice")
        assert c.period_start == T0 + 10 * DAY and c.period_end == cases.add_months(T0 + 10 * DAY, 12)
        cases.record_first_use(db, policy, c, T0 + 20 * DAY, "alice")  # only the first use counts
        assert c.period_start == T0 + 10 * DAY
        late = mk_case(db, policy, load(db, "bob"), admin=admin)
        cases.record_first_use(db, policy, late, cases.add_months(T0, 5), "bob")  # after 3 months
        assert late.period_start == cases.add_months(T0, 3) and late.period_end == cases.add_months(T0, 15)
        img = mk_case(db, policy, alice, admin=admin, imaging=True, approve=False)
        with pytest.raises(BadInput, match="imaging"):
            cases.approve_case(db, policy, admin, img, now=T0, period_months=9)
        cases.approve_case(db, policy, admin, img, now=T0, period_months=6)
        assert img.period_end == cases.add_months(T0, 9)


def test_payment_on_day_15_voids_case(people, policy):
    """P10: fees from the schedule; paid on day 14 activates, paid on day 15 finds the case void."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c = mk_case(db, policy, alice, admin=admin, pay=False)
        fees = policy.cases.fee_schedule
        assert c.fees_due == 2 * fees["extraction_per_file"]  # one family, two years
        cases.record_payment(db, policy, admin, c, amount=c.fees_due, now=T0 + 14 * DAY)
        assert c.status == "active"
        late = mk_case(db, policy, bob, admin=admin, pay=False)
        cases.record_payment(db, policy, admin, late, amount=late.fees_due, now=T0 + 15 * DAY)
        assert late.status == "void" and "P10" in late.status_reason
        assert late.paid_at is None
        again = cases.record_payment(db, policy, admin, late, amount=late.fees_due, now=T0 + 16 * DAY)
        assert again.status == "void" and again.paid_at is None
        refused = db.execute(select(AuditRecord.reason).where(AuditRecord.action == "case.payment_refused")).scalars().all()
        assert len(refused) == 2 and all("P10" in r for r in refused)
        with pytest.raises(Forbidden):  # a researcher cannot record payments
            cases.record_payment(db, policy, alice, c, amount=1, now=T0)


def test_extension_asked_nine_days_before_end_refused(people, policy):
    """P4: at least 10 days before the end, 30 days each; P9: research ≤ 12 months in all."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        end = c.period_end
        with pytest.raises(Refused, match="at least 10 days") as e:
            cases.request_extension(db, policy, alice, c, days=30, now=end - 9 * DAY)
        assert e.value.rule == "P4"
        with pytest.raises(Refused, match="at most 30 days"):
            cases.request_extension(db, policy, alice, c, days=31, now=end - 10 * DAY)
        ext = cases.request_extension(db, policy, alice, c, days=30, now=end - 10 * DAY)
        with pytest.raises(Refused, match="already waiting"):
            cases.request_extension(db, policy, alice, c, days=30, now=end - 10 * DAY)
        with pytest.raises(Forbidden):
            cases.decide_extension(db, policy, alice, ext, approve=True, now=end - 9 * DAY)
        cases.decide_extension(db, policy, admin, ext, approve=True, now=end - 9 * DAY)
        assert c.period_end == end + 30 * DAY
        # keep extending by 30 days: the total stops at 12 months (365 days here)
        n = 1
        while True:
            try:
                e2 = cases.request_extension(db, policy, alice, c, days=30, now=c.period_end - 20 * DAY)
            except Refused as err:
                assert err.rule == "P9" and "12 months" in err.message
                break
            cases.decide_extension(db, policy, admin, e2, approve=True, now=c.period_end - 20 * DAY)
            n += 1
        assert n == 12  # 12 × 30 = 360 ≤ 365 < 390


def test_imaging_extension_once_and_not_longer(people, policy):
    """P9: imaging cases extend once, by no more than the original period."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin, imaging=True, period_months=3)
        original = (c.period_end - cases.add_months(c.period_end, -3)).days  # 3 months in days
        with pytest.raises(Refused, match="original period"):
            cases.request_extension(db, policy, alice, c, days=original + 1, now=T0)
        e = cases.request_extension(db, policy, alice, c, days=original, now=T0)
        cases.decide_extension(db, policy, admin, e, approve=True, now=T0)
        with pytest.raises(Refused, match="1 time") as err:
            cases.request_extension(db, policy, alice, c, days=10, now=T0)
        assert err.value.rule == "P9"


def _staff(db, n, unit="NTU Hospital"):
    return [mk_user(db, f"staff{i:02d}", unit=unit).username for i in range(n)]


def test_seventh_person_and_second_staff_change_refused(people, policy):
    """P7: a staff change involves ≤ 6 people and happens once per 6 months."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        names = _staff(db, 8)
        with pytest.raises(Refused, match="at most 6 people") as e:
            cases.request_change(db, policy, alice, c, kind="staff", payload={"add": names[:7]}, now=T0)
        assert e.value.rule == "P7"
        cr = cases.request_change(db, policy, alice, c, kind="staff", payload={"add": names[:6]}, now=T0)
        cases.decide_change(db, policy, admin, cr, approve=True, now=T0)
        assert sum(m.removed_at is None for m in c.members) == 7
        with pytest.raises(Refused, match="once every 6 months"):
            cases.request_change(db, policy, alice, c, kind="staff", payload={"add": [names[6]]},
                                 now=T0 + 100 * DAY)
        cr2 = cases.request_change(db, policy, alice, c, kind="staff", payload={"remove": [names[0]]},
                                   now=cases.add_months(T0, 6) + DAY)
        cases.decide_change(db, policy, admin, cr2, approve=True, now=cases.add_months(T0, 6) + DAY)
        # staff changes after approval only through change requests
        with pytest.raises(Refused, match="change request"):
            cases.add_member(db, policy, alice, c, load(db, "bob"), None, T0)


def test_fifth_column_change_refused(people, policy):
    """P7: columns may be added at most 4 times (pending ones count); files once."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        for i, col in enumerate(["T_DOT", "DRUG_DAYS", "CITY", "PART_AMT"]):
            cr = cases.request_change(db, policy, alice, c, kind="columns",
                                      payload={"columns": {"H_NHI_OPDTE": [col]}}, now=T0)
            if i % 2 == 0:
                cases.decide_change(db, policy, admin, cr, approve=True, now=T0)
        with pytest.raises(Refused, match="at most 4 times") as e:
            cases.request_change(db, policy, alice, c, kind="columns",
                                 payload={"columns": {"H_NHI_OPDTE": ["ID_SEX"]}}, now=T0)
        assert e.value.rule == "P7"
        assert "T_DOT" in c.extract_spec["files"]["H_NHI_OPDTE"]["columns"]
        f = cases.request_change(db, policy, alice, c, kind="files",
                                 payload={"files": {"H_NHI_DRUGE": {"years": [2021], "columns": ["ID"]}}}, now=T0)
        cases.decide_change(db, policy, admin, f, approve=True, now=T0)
        assert c.extract_spec["files"]["H_NHI_DRUGE"] == {"years": [2021], "columns": ["ID"]}
        with pytest.raises(Refused, match="Files"):
            cases.request_change(db, policy, alice, c, kind="files",
                                 payload={"files": {"H_NHI_OPDTE": {"years": [2022], "columns": ["ID"]}}}, now=T0)
        # a refused request does not use up an allowance
        assert db.execute(select(ChangeRequest).where(ChangeRequest.status == "refused")).first() is None


def test_file_change_on_imaging_case_refused(people, policy):
    """P7: imaging cases take no data changes after approval (staff changes still allowed)."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c = mk_case(db, policy, alice, admin=admin, imaging=True, period_months=6)
        for kind, payload in (("files", {"files": {"H_NHI_IPDTE": {"years": [2020], "columns": ["ID"]}}}),
                              ("columns", {"columns": {"H_NHI_OPDTE": ["T_DOT"]}})):
            with pytest.raises(Refused, match="Imaging") as e:
                cases.request_change(db, policy, alice, c, kind=kind, payload=payload, now=T0)
            assert e.value.rule == "P7"
        cases.request_change(db, policy, alice, c, kind="staff", payload={"add": ["bob"]}, now=T0)


def test_working_days_bought_and_transferred_only_to_same_applicant(people, policy):
    """P7/P8: extra days are bought (fee); unused days move to the same applicant's case only."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        a1 = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=5)
        a2 = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=2)
        b1 = mk_case(db, policy, bob, admin=admin, case_type="government", working_days=2)
        fees = a1.fees_due
        cases.buy_working_days(db, policy, alice, a1, days=2, now=T0)
        assert a1.half_days_approved == 10   # a paid case's bought days count once paid (P7/P10)
        cases.record_payment(db, policy, admin, a1, amount=2 * policy.cases.fee_schedule["extra_working_day"], now=T0)
        assert a1.half_days_approved == 14
        assert a1.fees_due == fees + 2 * policy.cases.fee_schedule["extra_working_day"]
        with pytest.raises(Refused, match="same applicant") as e:
            cases.transfer_working_days(db, policy, admin, a1, b1, days=1, now=T0)
        assert e.value.rule == "P8"
        with pytest.raises(Refused, match="unused"):
            cases.transfer_working_days(db, policy, alice, a1, a2, days=8, now=T0)
        cases.transfer_working_days(db, policy, alice, a1, a2, days=3, now=T0)
        assert (a1.half_days_approved, a2.half_days_approved) == (8, 10)
        with pytest.raises(BadInput, match="working days"):
            mk_case(db, policy, bob, admin=admin, case_type="government")


def test_software_must_be_approved_before_install(people, policy):
    """P11: declared software is installable only once approved."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        d = cases.declare_software(db, alice, c, name="R-INLA", version="24.1", now=T0)
        assert not cases.software_approved(db, c.code, "R-INLA")
        with pytest.raises(Forbidden):
            cases.decide_software(db, alice, d, approve=True, now=T0)
        cases.decide_software(db, admin, d, approve=True, now=T0)
        assert cases.software_approved(db, c.code, "R-INLA", "24.1")
        assert not cases.software_approved(db, c.code, "R-INLA", "25.0")
        assert not cases.software_approved(db, c.code, "Stata")


def test_overdue_publication_copy_blocks_next_application(people, policy):
    """P12: a copy not received within 30 days refuses the next application."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        with pytest.raises(Refused, match="cite"):
            cases.register_publication(db, alice, c, title="Paper", published_on=T0.date(),
                                       cites_source=False, now=T0)
        pub = cases.register_publication(db, alice, c, title="Paper", published_on=T0.date(),
                                         cites_source=True, now=T0)
        mk_case(db, policy, alice, admin=admin, approve=False, now=T0 + 30 * DAY)  # within the month
        with pytest.raises(Refused, match="overdue") as e:
            mk_case(db, policy, alice, admin=admin, approve=False, now=T0 + 32 * DAY)
        assert e.value.rule == "P12"
        cases.receive_publication_copy(db, admin, pub, T0 + 32 * DAY)
        mk_case(db, policy, alice, admin=admin, approve=False, now=T0 + 32 * DAY)


def test_officer_handover_creates_new_before_revoking_old(people, policy):
    """A7: the audit log shows the new officer granted before the old one revoked."""
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c = mk_case(db, policy, alice, admin=admin)
        code = c.code
        with pytest.raises(Forbidden):
            cases.handover_officer(db, policy, alice, c, bob, now=T0)
        cases.handover_officer(db, policy, admin, c, bob, now=T0)
        assert bob.has_role("officer") and not alice.has_role("officer")
        assert [m.role for m in c.members if m.removed_at is None] == ["pi"]
    with session_scope(people) as db:
        from enclave.accounts.service import revoke_account

        with pytest.raises(Refused, match="hand the case") as e:  # bob leads the case now
            revoke_account(db, load(db, "admin"), load(db, "bob"), reason="left", now=T0)
        assert e.value.rule == "A7"
        revoke_account(db, load(db, "admin"), load(db, "alice"), reason="left", now=T0)  # no longer officer
        acts = db.execute(select(AuditRecord.action, AuditRecord.subject).where(
            AuditRecord.case_code == code, AuditRecord.action.like("officer.%")).order_by(AuditRecord.seq)).all()
        assert acts == [("officer.granted", "bob"), ("officer.revoked", "alice")]
        # no successor yet: the old officer's password is expired at once
        c = cases.get_case(db, code)
        bob = load(db, "bob")
        cases.handover_officer(db, policy, load(db, "admin"), c, None, now=T0)
        assert bob.password_changed_at is None


def test_researcher_cannot_approve_own_case(people, policy):
    """A1: what a role cannot do is refused by the service."""
    with session_scope(people) as db:
        alice = load(db, "alice")
        c = mk_case(db, policy, alice, approve=False)
        with pytest.raises(Forbidden):
            cases.approve_case(db, policy, alice, c, now=T0)
        with pytest.raises(Forbidden):
            cases.create_case(db, policy, alice, applicant=load(db, "bob"), title="x", case_type="government",
                              now=T0)


def test_bad_extract_spec_names_the_key(people, policy):
    with session_scope(people) as db:
        alice = load(db, "alice")
        for spec, where in (({"files": {"opd": {}}}, "'opd'"),
                            ({"files": {"H_NHI_OPDTE": {"years": ["x"]}}}, "H_NHI_OPDTE.years"),
                            ({"files": {}, "cohort": "x"}, "cohort"),
                            ({"filez": {}}, "filez")):
            with pytest.raises(BadInput, match=where):
                mk_case(db, policy, alice, approve=False, spec=spec)
    with session_scope(people) as db:
        assert db.execute(select(Case)).first() is None
