from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.base import Base, utcnow


class Announcement(Base):
    """O1: ``region`` None means centre-wide; the body is stored already sanitised."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")  # for keyword search
    keywords: Mapped[str] = mapped_column(String(300), default="")
    region: Mapped[str | None] = mapped_column(String(40), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    author: Mapped[str] = mapped_column(String(64))

    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", lazy="selectin")


class Attachment(Base):
    __tablename__ = "announcement_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"),
                                                 index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    announcement: Mapped[Announcement] = relationship(back_populates="attachments")
