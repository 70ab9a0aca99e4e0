"""JSON API: announcements and their attachments (O1)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from enclave.accounts.models import User
from enclave.announcements import service as ann
from enclave.web.auth import current_user
from enclave.web.deps import get_db, get_policy
from enclave.web.params import IdPath
from enclave.web.api_common import now_of


router = APIRouter(prefix="/api")

# ------------------------------------------------------------------ announcements

class AnnouncementOut(BaseModel):
    id: int
    title: str
    body_html: str
    keywords: str
    region: str | None
    published_at: dt.datetime
    author: str
    attachments: list[dict[str, Any]]


def ann_out(a) -> AnnouncementOut:
    return AnnouncementOut(id=a.id, title=a.title, body_html=a.body_html, keywords=a.keywords,
                           region=a.region, published_at=a.published_at, author=a.author,
                           attachments=[{"id": x.id, "filename": x.filename, "size": x.size,
                                         "content_type": x.content_type, "sha256": x.sha256}
                                        for x in a.attachments])


@router.get("/announcements", tags=["announcements"])
def announcements(q: str = Query("", max_length=200), page: int = Query(1, ge=1, le=100000),
                  db: Session = Depends(get_db), user: User = Depends(current_user),
                  policy=Depends(get_policy)):
    """O1: newest first, paged, keyword search; only your region's and centre-wide notices."""
    res = ann.listing(db, policy, user, q=q, page=page)
    return {**res, "items": [ann_out(a) for a in res["items"]]}


@router.post("/announcements", response_model=AnnouncementOut, status_code=201, tags=["announcements"])
async def publish(request: Request, title: str = Form(..., max_length=300), body: str = Form("", max_length=200000),
                  region: str | None = Form(None, max_length=40), keywords: str = Form("", max_length=300),
                  files: list[UploadFile] = File(default_factory=list),
                  db: Session = Depends(get_db), user: User = Depends(current_user),
                  policy=Depends(get_policy)):
    limit = policy.operations.announcement_attachment_max_bytes
    # the service names an unnamed file and types an untyped one; it refuses what is over the limit
    atts = [(f.filename or "attachment", f.content_type, await f.read(limit + 1)) for f in files]
    a = ann.publish(db, policy, user, title=title, body=body, region=region or None, keywords=keywords,
                    attachments=atts, now=now_of(request))
    return ann_out(a)


@router.get("/announcements/{ann_id}", response_model=AnnouncementOut, tags=["announcements"])
def announcement(ann_id: IdPath, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return ann_out(ann.get_visible(db, user, ann_id))


@router.get("/announcements/{ann_id}/attachments/{att_id}", tags=["announcements"], response_class=Response)
def attachment(ann_id: IdPath, att_id: IdPath, db: Session = Depends(get_db),
               user: User = Depends(current_user)):
    x = ann.get_attachment(db, user, ann_id, att_id)
    return Response(x.data, media_type="application/octet-stream",
                    headers=ann.download_headers(x.filename))
