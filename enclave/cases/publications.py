"""Publications of a case (P12): registered with their citation of the data source, and the
copy the centre receives (an overdue copy blocks the next application: service.overdue_publications)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.cases.models import Case, Publication
from enclave.core.audit import audit
from enclave.core.errors import BadInput, Refused
from enclave.identity.permissions import case_people, is_decider, is_member, not_self, require


def register_publication(db: Session, actor: User, case: Case, *, title: str, published_on: dt.date,
                         cites_source: bool, now: dt.datetime) -> Publication:
    require(is_member(actor, case) or is_decider(actor), f"register publications of {case.code}")
    if not title.strip():
        raise BadInput("A publication needs a title.")
    if not cites_source:
        raise Refused("Publications must cite the data source.", "P12")
    p = Publication(case_id=case.id, title=title.strip()[:400], published_on=published_on,
                    cites_source=True, registered_by=actor.username, registered_at=now)
    db.add(p)
    db.flush()
    audit(db, actor.username, "publication.registered", case, subject=p.title,
          published_on=published_on.isoformat())
    return p


def receive_publication_copy(db: Session, actor: User, pub: Publication, now: dt.datetime) -> Publication:
    require(is_decider(actor) or actor.has_role("steward"), "record publication copies")
    not_self(actor, case_people(db.get(Case, pub.case_id)), "record the copy of your own case's publication")
    pub.copy_received_at = now
    audit(db, actor.username, "publication.copy_received", db.get(Case, pub.case_id), subject=pub.title)
    return pub
