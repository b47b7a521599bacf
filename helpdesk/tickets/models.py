"""Tables of queues, tickets, messages, attachments and the ticket history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class Channel(StrEnum):
    """How a ticket came in."""

    FORM = "form"
    PHONE = "phone"
    EMAIL = "email"
    REFERENT = "referent"
    API = "api"


class Status(StrEnum):
    """The lifecycle of a ticket."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.NEW: "Nouveau",
    Status.OPEN: "En cours",
    Status.WAITING: "En attente du demandeur",
    Status.RESOLVED: "Résolu",
    Status.CLOSED: "Clos",
}


class Priority(StrEnum):
    """How urgent a ticket is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_LABELS = {
    Priority.LOW: "Basse",
    Priority.NORMAL: "Normale",
    Priority.HIGH: "Haute",
    Priority.URGENT: "Urgente",
}


class MessageKind(StrEnum):
    """The kinds of message in a conversation."""

    REQUESTER = "requester"
    PUBLIC_REPLY = "public_reply"
    INTERNAL_NOTE = "internal_note"
    # The téléconseiller's note of a phone call (internal: the usager's pages never show it).
    CALL_NOTE = "call_note"


# The messages that state a ticket's question: the requester's own, or the note of their call
# (what classification, routing rules and the knowledge-base gaps read).
QUESTION_KINDS = (MessageKind.REQUESTER.value, MessageKind.CALL_NOTE.value)


class Queue(SQLModel, table=True):
    """A file d'attente of one level of the chain."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    level: int = Field(ge=1, le=3)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)


class QueueMembership(SQLModel, table=True):
    """An agent works a queue."""

    __tablename__ = "queue_membership"
    __table_args__ = (UniqueConstraint("queue_id", "agent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    queue_id: int = Field(foreign_key="queue.id", index=True)
    agent_id: int = Field(foreign_key="agent.id", index=True)
    available: bool = Field(default=True)


class HandoverRoute(SQLModel, table=True):
    """A hand-over the chain allows between two queues."""

    __tablename__ = "handover_route"
    __table_args__ = (UniqueConstraint("from_queue_id", "to_queue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    from_queue_id: int = Field(foreign_key="queue.id", index=True)
    to_queue_id: int = Field(foreign_key="queue.id")
    kind: str = Field(max_length=20)


class TicketSequence(SQLModel, table=True):
    """The last reference number given out in a year."""

    __tablename__ = "ticket_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_value: int = Field(default=0)


# Tickets in progress: a few percent of the table once it holds years of history. Queue
# pages, their counts and the home counts read partial indexes over them only, ordered by
# their sort keys, so they cost what is in progress, not what was ever received.
ACTIVE_STATUS_VALUES = ("new", "open", "waiting")
ACTIVE_CONDITION = f"status IN ({', '.join(repr(value) for value in ACTIVE_STATUS_VALUES)})"
ACTIVE_INDEXES = {
    "ix_ticket_active_queue_created": ("queue_id", "created_at", "id"),
    "ix_ticket_active_queue_updated": ("queue_id", "updated_at", "id"),
    "ix_ticket_active_assignee_created": ("assignee_id", "created_at", "id"),
}
# Closed tickets whose requester is still named: the retention job reads them by closing date.
RETENTION_CONDITION = "anonymised_at IS NULL"


class Ticket(SQLModel, table=True):
    """A request of an usager or a référent, moving along the chain."""

    __table_args__ = (
        *(
            Index(
                name,
                *columns,
                postgresql_where=text(ACTIVE_CONDITION),
                sqlite_where=text(ACTIVE_CONDITION),
            )
            for name, columns in ACTIVE_INDEXES.items()
        ),
        # The retention job's next tickets to anonymise (helpdesk.privacy.retention).
        Index(
            "ix_ticket_retention_closed",
            "closed_at",
            postgresql_where=text(RETENTION_CONDITION),
            sqlite_where=text(RETENTION_CONDITION),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, index=True)
    channel: str = Field(max_length=20)
    requester_name: str = Field(default="", max_length=200)
    requester_email: str | None = Field(default=None, max_length=254, index=True)
    requester_phone: str | None = Field(default=None, max_length=30)
    requester_foreign_number: str | None = Field(default=None, max_length=10, index=True)
    procedure: str | None = Field(default=None, max_length=40, index=True)
    category: str | None = Field(default=None, max_length=60)
    subject: str = Field(max_length=200)
    status: str = Field(default=Status.NEW, max_length=20)  # active ones: ACTIVE_INDEXES
    priority: str = Field(default=Priority.NORMAL, max_length=10)
    queue_id: int = Field(foreign_key="queue.id", index=True)
    owner_queue_id: int = Field(foreign_key="queue.id")
    assignee_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="agent.id")
    dossier_number: str | None = Field(default=None, max_length=30, index=True)
    language: str = Field(default="fr", max_length=5)
    created_at: datetime = timestamp_column(now=True, index=True)
    updated_at: datetime = timestamp_column(now=True)
    first_response_at: datetime | None = timestamp_column()
    resolved_at: datetime | None = timestamp_column()
    closed_at: datetime | None = timestamp_column()
    version: int = Field(default=1)
    # Set when a higher level returned the ticket with its answer to the owner queue.
    answer_received: bool = Field(default=False)
    resolved_at_first_contact: bool = Field(default=False)
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id")
    # Set when the requester's personal data was removed (retention or erasure request).
    anonymised_at: datetime | None = timestamp_column()


class TicketQueuePassage(SQLModel, table=True):
    """A queue a ticket has been in, its current one included (written by the lifecycle).

    The agents of a queue keep reading the tickets that passed through it: this relation
    makes that an index lookup instead of a scan of the history.
    """

    __tablename__ = "ticket_queue_passage"

    queue_id: int = Field(
        foreign_key="queue.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    ticket_id: int = Field(
        foreign_key="ticket.id",
        primary_key=True,
        index=True,
        sa_column_kwargs={"autoincrement": False},
    )


class Message(SQLModel, table=True):
    """A requester message, a public reply or an internal note."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=20)
    author_id: int | None = Field(default=None, foreign_key="agent.id")
    author_label: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp_column(now=True)


class Attachment(SQLModel, table=True):
    """A file sent with a message; the bytes live on disk under a generated name."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    display_name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=80, unique=True)
    created_at: datetime = timestamp_column(now=True)


class TicketEvent(SQLModel, table=True):
    """One line of a ticket's append-only history."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = timestamp_column(now=True)
    actor_id: int | None = Field(default=None, foreign_key="agent.id")
    actor_label: str = Field(default="", max_length=200)
    kind: str = Field(max_length=40)
    from_value: str | None = Field(default=None, max_length=200)
    to_value: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketLink(SQLModel, table=True):
    """Two related tickets (both directions are read from one row)."""

    __tablename__ = "ticket_link"
    __table_args__ = (UniqueConstraint("ticket_id", "other_ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    other_ticket_id: int = Field(foreign_key="ticket.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = timestamp_column(now=True)


class CannedResponse(SQLModel, table=True):
    """Éléments de langage: a reply template with placeholders, managed by supervisors."""

    __tablename__ = "canned_response"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=150)
    body: str = Field(sa_column=Column(Text, nullable=False))
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    active: bool = Field(default=True)
    updated_by_id: int | None = Field(default=None, foreign_key="agent.id")
    updated_at: datetime = timestamp_column(now=True)
    # Where it is filed and in which language it is written (helpdesk.tickets.canned).
    folder: str = Field(default="", max_length=80)
    language: str = Field(default="fr", max_length=2)
    # A macro also sets these when applied (empty: left as they are).
    macro_status: str | None = Field(default=None, max_length=20)
    macro_priority: str | None = Field(default=None, max_length=20)
    macro_tags: str = Field(default="", max_length=200)


class TicketPresence(SQLModel, table=True):
    """An agent has the ticket page open (refreshed while the page stays open)."""

    __tablename__ = "ticket_presence"
    __table_args__ = (UniqueConstraint("ticket_id", "agent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    agent_id: int = Field(foreign_key="agent.id")
    last_seen_at: datetime = timestamp_column(now=True)


class TicketSearchDocument(SQLModel, table=True):
    """The search tokens of a ticket by weight: heading, contact and body.

    Normalised by knowledge_base.text (see helpdesk.tickets.search), not raw text. The
    migrations add what each database matches with, outside this model: on PostgreSQL a
    stored tsvector `vector` generated from the three parts (weights A, B, D) and its GIN
    index; on SQLite the FTS5 table ticket_fts with one column per part.
    """

    __tablename__ = "ticket_search"

    ticket_id: int = Field(
        foreign_key="ticket.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    # Reference and subject (weight A).
    heading: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Requester name, e-mail and dossier number (weight B).
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Every message (weight D).
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
