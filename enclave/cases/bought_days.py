"""P7/P10 (identity round 8): bought working days count once they are paid.

Extra working days bought for a case that is already paid (active) used to count at once: the
fee only raised ``fees_due``, which nobody was asked to pay again, so the days were free.  Now
they wait, as an unpaid line of the fee ledger, until the centre records their payment (the
same ``POST /api/cases/{code}/payment``, by a decider or the steward, never by the case's own
people); then they count.  Days bought before the case is paid are part of the fees its first
payment settles, so they count with the case.  Days with no fee have nothing to wait for.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case, Charge
from enclave.core.audit import audit
from enclave.core.errors import Refused

ITEM = "extra_working_day"
UNPAID = "unpaid: the days count once paid (P7, P10)"


def awaits_payment(case: Case, fee: int) -> bool:
    """Days bought now wait for their own payment: the case's payment is behind it, and they cost."""
    return case.paid_at is not None and fee > 0


def buy(db: Session, policy, actor: User, case: Case, *, days: int, now: dt.datetime) -> Charge:
    fee = policy.cases.fee_schedule.get(ITEM, 0)
    waits = awaits_payment(case, fee)
    charge = Charge(case_id=case.id, item=ITEM, quantity=days, unit_fee=fee, amount=days * fee,
                    created_at=now, note=UNPAID if waits else None)
    db.add(charge)
    if not waits:
        case.half_days_approved += 2 * days
    case.fees_due += days * fee
    audit(db, actor.username, "case.working_days_bought", case, days=days, amount=days * fee,
          awaiting_payment=waits)
    db.flush()
    return charge


def unpaid(db: Session, case: Case) -> list[Charge]:
    return list(db.execute(select(Charge).where(Charge.case_id == case.id, Charge.item == ITEM,
                                                Charge.note == UNPAID).order_by(Charge.id)).scalars())


def pay(db: Session, actor: User, case: Case, rows: list[Charge], *, amount: int, now: dt.datetime) -> Case:
    """Record the payment of the unpaid bought days ``rows``; they count from now."""
    owed = sum(r.amount for r in rows)
    if amount < owed:
        raise Refused(f"{case.code} owes {owed} TWD for {sum(r.quantity for r in rows)} bought working "
                      f"days; {amount} is not enough.", "P10")
    for r in rows:
        r.note = f"paid {now:%Y-%m-%d} (recorded by {actor.username})"
        case.half_days_approved += 2 * r.quantity
    audit(db, actor.username, "case.working_days_paid", case, amount=amount,
          days=sum(r.quantity for r in rows), charges=[r.id for r in rows])
    return case
