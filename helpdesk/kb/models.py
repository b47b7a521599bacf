"""Tables of wiki articles, their revisions, reader feedback and the index version counter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.db import timestamp_column


class Audience(StrEnum):
    """Who an article is written for."""

    PUBLIC = "public"
    AGENTS = "agents"
    REFERENTS = "referents"


class ArticleStatus(StrEnum):
    """Where an article is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class FeedbackKind(StrEnum):
    """What a reader said about an article."""

    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    USED_IN_REPLY = "used_in_reply"


AUDIENCE_LABELS = {
    Audience.PUBLIC: "Public (usagers)",
    Audience.AGENTS: "Agents",
    Audience.REFERENTS: "Référents",
}
STATUS_LABELS = {
    ArticleStatus.DRAFT: "Brouillon",
    ArticleStatus.PUBLISHED: "Publié",
    ArticleStatus.ARCHIVED: "Archivé",
}
LANGUAGE_LABELS = {"fr": "Français", "en": "Anglais"}
TRANSVERSE = "transverse"  # an article about every téléprocédure


class Article(SQLModel, table=True):
    """A wiki article: its current content, status and owner."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(max_length=20, index=True)
    language: str = Field(max_length=5)
    procedures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ArticleStatus.DRAFT, max_length=20, index=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    # The revision whose content the article holds (no foreign key: the two tables point at
    # each other, and the revision is always written in the same transaction).
    current_revision_id: int | None = Field(default=None)
    revision_number: int = Field(default=0)
    # The index version at which the live indexes last had to pick this article up.
    index_version: int = Field(default=0, index=True)
    created_at: datetime = timestamp_column(now=True)
    updated_at: datetime = timestamp_column(now=True)
    published_at: datetime | None = timestamp_column()


class ArticleRevision(SQLModel, table=True):
    """One saved state of an article's content; revisions are never changed."""

    __tablename__ = "article_revision"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    number: int
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(max_length=20)
    language: str = Field(max_length=5)
    procedures: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = timestamp_column(now=True)
    comment: str = Field(default="", max_length=500)


class ArticleFeedback(SQLModel, table=True):
    """A reader's verdict on an article, or an agent's use of it in a reply."""

    __tablename__ = "article_feedback"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    kind: str = Field(max_length=20)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    created_at: datetime = timestamp_column(now=True, index=True)


class KbIndexState(SQLModel, table=True):
    """A single row: the version of the searchable set, bumped by the refresh job."""

    __tablename__ = "kb_index_state"

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0)
