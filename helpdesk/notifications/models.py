"""Table of e-mails to send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class OutgoingMail(SQLModel, table=True):
    """An e-mail the helpdesk owes someone; sent once by the send_mail job."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=250)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    created_at: datetime = timestamp_column(now=True)
    sent_at: datetime | None = timestamp_column()
    # Fixed when the mail is queued, before any sending: every attempt carries the same
    # Message-ID, so a resend after a crash is a duplicate receivers can drop.
    message_id: str | None = Field(default=None, max_length=250)
