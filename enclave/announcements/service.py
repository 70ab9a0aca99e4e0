"""Announcements (O1): sanitised HTML, centre-wide or per region, newest first, paged, searchable."""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import bleach
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.announcements.models import Announcement, Attachment
from enclave.cases.errors import BadInput, Forbidden, NotFound
from enclave.cases.permissions import is_admin
from enclave.cases.service import audit

ALLOWED_TAGS = ["a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "i", "li",
                "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul"]
ALLOWED_ATTRS = {"a": ["href", "title"], "abbr": ["title"], "td": ["colspan", "rowspan"],
                 "th": ["colspan", "rowspan"]}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


def sanitise(body: str) -> str:
    """Keep a small set of formatting tags; scripts, styles, event handlers and javascript:
    links are removed (not escaped into visible junk)."""
    cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                             protocols=["http", "https", "mailto"], strip=True, strip_comments=True)
    # bleach strips the tags of <script>/<style> but keeps their text: drop those blocks first.
    body = re.sub(r"(?is)<(script|style|iframe|object|embed|template)\b.*?</\1\s*>", "", body)
    return cleaner.clean(body)


def plain_text(body_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", body_html)).strip()


def publish(db: Session, policy, actor: User, *, title: str, body: str, region: str | None,
            keywords: str = "", attachments: list[tuple[str, str, bytes]] = (),
            now: dt.datetime) -> Announcement:
    if not (is_admin(actor) or actor.has_role("steward")):
        raise Forbidden("Only the centre admin or a data steward publishes announcements.", "O1")
    if not title.strip():
        raise BadInput("An announcement needs a title.", "O1")
    clean = sanitise(body)
    a = Announcement(title=title.strip()[:300], body_html=clean, body_text=plain_text(clean),
                     keywords=keywords.strip()[:300], region=(region or None), published_at=now,
                     author=actor.username)
    limit = policy.operations.announcement_attachment_max_bytes
    for name, ctype, data in attachments:
        if len(data) > limit:
            raise BadInput(f"attachment {name!r} is {len(data)} bytes; the limit is {limit}.", "O1")
        safe = SAFE_NAME.sub("_", name or "attachment").strip("._") or "attachment"
        a.attachments.append(Attachment(filename=safe[:200], content_type=(ctype or "application/octet-stream")[:100],
                                        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data))
    db.add(a)
    db.flush()
    audit(db, actor.username, "announcement.published", subject=a.title, region=a.region,
          announcement_id=a.id, attachments=[x.filename for x in a.attachments])
    return a


def download_headers(filename: str) -> dict[str, str]:
    """Content-Disposition that survives non-ASCII names (RFC 6266 filename*)."""
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                   f"filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff"}


def _visible(user: User | None):
    """Centre-wide notices and the user's own region; staff see every region."""
    if user is not None and (is_admin(user) or user.has_role("steward")):
        return True
    region = user.region if user is not None else None
    return or_(Announcement.region.is_(None), Announcement.region == region) if region \
        else Announcement.region.is_(None)


def listing(db: Session, policy, user: User | None, *, q: str = "", page: int = 1) -> dict:
    size = policy.operations.announcements_page_size
    page = max(1, page)
    cond = [_visible(user)] if _visible(user) is not True else []
    if q.strip():
        for word in q.split()[:8]:
            like = f"%{word}%"
            cond.append(or_(Announcement.title.ilike(like), Announcement.body_text.ilike(like),
                            Announcement.keywords.ilike(like)))
    total = db.execute(select(func.count()).select_from(Announcement).where(*cond)).scalar_one()
    rows = db.execute(select(Announcement).where(*cond)
                      .order_by(Announcement.published_at.desc(), Announcement.id.desc())
                      .offset((page - 1) * size).limit(size)).scalars().all()
    return {"items": rows, "page": page, "pages": max(1, -(-total // size)), "total": total, "q": q}


def get_visible(db: Session, user: User | None, ann_id: int) -> Announcement:
    a = db.get(Announcement, ann_id)
    vis = _visible(user)
    if a is None or (vis is not True and a.region is not None and (user is None or a.region != user.region)):
        raise NotFound(f"No announcement {ann_id}.")
    return a


def get_attachment(db: Session, user: User | None, ann_id: int, att_id: int) -> Attachment:
    """An attachment of an announcement the user may see."""
    x = next((x for x in get_visible(db, user, ann_id).attachments if x.id == att_id), None)
    if x is None:
        raise NotFound(f"No attachment {att_id}.")
    return x
