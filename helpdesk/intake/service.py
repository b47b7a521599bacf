"""The public intake: a contact request becomes a ticket with a secret follow-up link."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.service import agent_actor, record, ticket_target
from helpdesk.auth.models import Agent
from helpdesk.db import require_id, utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.i18n import t
from helpdesk.intake import mails
from helpdesk.intake.models import ContactSubmission, DeflectionEvent, FollowUpLink
from helpdesk.intake.schemas import ContactData
from helpdesk.intake.uploads import CleanFile
from helpdesk.policy import Action
from helpdesk.tickets.attachments import store_files
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import Channel, Message, Ticket
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import create_ticket, load_for_change, record_event, touch

DUPLICATE_WINDOW = timedelta(minutes=10)
LINK_LIFETIME_AFTER_CLOSE = timedelta(days=365)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
VISIT_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
ARTICLE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
DEFLECTION_KINDS = frozenset({"shown", "opened", "left"})
MAX_ARTICLES = 10


@dataclass(frozen=True)
class Receipt:
    """The outcome of a send: the ticket, its new follow-up token, and whether it was a repeat.

    A repeat gets no token: the link went out with the first send's acknowledgement, and
    whoever sends the same e-mail address and text again must not obtain a working link.
    """

    ticket: Ticket
    token: str | None
    duplicate: bool


def submit_contact(
    session: Session,
    *,
    data: ContactData,
    channel: Channel,
    files: Sequence[CleanFile],
    storage_dir: Path,
    base_url: str,
    visit: str | None = None,
    shown: Iterable[str] = (),
) -> Receipt:
    """Open a ticket in the CCC queue, or find the one this same send opened minutes ago."""
    fingerprint = contact_fingerprint(email=data.email, message=data.message)
    _lock_fingerprint(session, fingerprint)
    existing = _recent_ticket(session, fingerprint)
    if existing is not None:
        return Receipt(ticket=existing, token=None, duplicate=True)
    ticket = create_ticket(session, data=_new_ticket(data, channel))
    if files:  # the files join the first message (read back only when there are files)
        first = session.exec(select(Message).where(Message.ticket_id == ticket.id)).one()
        store_files(
            session, storage_dir=storage_dir, ticket=ticket, message_id=first.id, files=files
        )
    session.add(ContactSubmission(fingerprint=fingerprint, ticket_id=require_id(ticket)))
    token = issue_link(session, ticket=ticket)
    mails.queue_acknowledgement(session, ticket=ticket, url=follow_up_url(base_url, token))
    record_sent(session, visit=visit, shown=shown, ticket=ticket)
    return Receipt(ticket=ticket, token=token, duplicate=False)


def _new_ticket(data: ContactData, channel: Channel) -> NewTicket:
    """The ticket service's input for a contact request."""
    return NewTicket(
        channel=channel,
        subject=data.subject,
        body=data.message,
        requester_name=data.full_name[:200],
        requester_email=data.email,
        requester_phone=data.phone,
        requester_foreign_number=data.foreign_number,
        procedure=data.procedure or None,
        category=data.reason,
        dossier_number=data.dossier_number,
        language=data.language,
        queue_code="ccc",
    )


def contact_fingerprint(*, email: str, message: str) -> str:
    """The same e-mail and the same message (whatever the spacing) give the same print."""
    compact = " ".join(message.split()).casefold()
    return hashlib.sha256(f"{email.strip().casefold()}\0{compact}".encode()).hexdigest()


def _lock_fingerprint(session: Session, fingerprint: str) -> None:
    """Serialise two sends of one print (PostgreSQL lock; SQLite writes are serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int(fingerprint[:15], 16)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _recent_ticket(session: Session, fingerprint: str) -> Ticket | None:
    """The ticket a send with this print opened in the last ten minutes."""
    since = utcnow() - DUPLICATE_WINDOW
    row = session.exec(
        select(ContactSubmission)
        .where(ContactSubmission.fingerprint == fingerprint)
        .where(col(ContactSubmission.created_at) >= since)
        .order_by(col(ContactSubmission.id).desc())
    ).first()
    return session.get(Ticket, row.ticket_id) if row else None


def issue_link(session: Session, *, ticket: Ticket) -> str:
    """A new secret token (256 random bits) for the ticket; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(FollowUpLink(ticket_id=require_id(ticket), token_hash=hash_token(token)))
    session.flush()
    return token


def reissue_link(
    session: Session, *, ticket_id: int, actor: Agent, base_url: str, address: str = ""
) -> str:
    """Revoke every follow-up link of the ticket and e-mail the requester a new one.

    A revoked link answers the same 404 as an unknown one. Needs the right to write to the
    requester (the new link leaves by e-mail) and an e-mail address to send it to. The audit
    trail records the revocation (`address`: the agent's client address).
    """
    ticket = load_for_change(session, ticket_id, None, actor=actor, action=Action.REPLY)
    if not ticket.requester_email:
        raise ValidationFailedError(
            "Ce ticket n'a pas d'adresse électronique : le nouveau lien ne pourrait être "
            "envoyé à personne. Corrigez d'abord les coordonnées du demandeur."
        )
    revoked = session.execute(delete(FollowUpLink).where(col(FollowUpLink.ticket_id) == ticket.id))
    target = ticket_target(ticket.id, revoked=getattr(revoked, "rowcount", None))
    record(session, AuditKind.FOLLOW_UP_LINK_REVOKED, agent_actor(actor, address), target)
    token = issue_link(session, ticket=ticket)
    mails.queue_new_link(session, ticket=ticket, url=follow_up_url(base_url, token))
    record_event(session, ticket, actor, kind=EventKind.FOLLOW_UP_LINK_RENEWED)
    touch(ticket)
    return token


def hash_token(token: str) -> str:
    """The stored form of a follow-up token."""
    return hashlib.sha256(token.encode()).hexdigest()


def follow_up_url(base_url: str, token: str) -> str:
    """The public address of the follow-up page."""
    return f"{base_url.rstrip('/')}/suivi/{token}"


def receipt_link(base_url: str, receipt: Receipt) -> str | None:
    """The follow-up address to show after a send (none for a repeat)."""
    return follow_up_url(base_url, receipt.token) if receipt.token else None


def ticket_for_token(session: Session, *, token: str) -> Ticket:
    """The ticket of a live follow-up token; wrong, expired or unknown: the same 404."""
    ticket = None
    if TOKEN_RE.match(token or ""):
        link = session.exec(
            select(FollowUpLink).where(FollowUpLink.token_hash == hash_token(token))
        ).first()
        ticket = session.get(Ticket, link.ticket_id) if link else None
    if ticket is None or link_expired(ticket):
        raise NotFoundError(t("fr", "Ce lien de suivi n'existe pas ou a expiré."))
    return ticket


def link_expired(ticket: Ticket, *, now: datetime | None = None) -> bool:
    """Links die a year after the ticket closes."""
    closed = ticket.closed_at
    return closed is not None and (now or utcnow()) > closed + LINK_LIFETIME_AFTER_CLOSE


def record_sent(
    session: Session, *, visit: str | None, shown: Iterable[str], ticket: Ticket
) -> None:
    """Remember which suggestions the usager had seen before sending anyway."""
    if not visit or not VISIT_RE.match(visit):
        return
    articles = _valid_articles(shown) or [None]
    for article in articles:
        session.add(
            DeflectionEvent(
                visit_id=visit,
                kind="sent",
                article=article,
                ticket_id=require_id(ticket),
                language=ticket.language,
            )
        )


def record_deflection(
    session: Session, *, visit: str, kind: str, articles: Iterable[str], lang: str
) -> int:
    """Record suggestions shown, opened, or a visitor leaving; answers the rows written."""
    if not VISIT_RE.match(visit or "") or kind not in DEFLECTION_KINDS:
        return 0
    rows = _valid_articles(articles) or ([None] if kind == "left" else [])
    for article in rows:
        session.add(DeflectionEvent(visit_id=visit, kind=kind, article=article, language=lang))
    return len(rows)


def _valid_articles(articles: Iterable[str]) -> list[str | None]:
    """Article slugs that look like slugs, without repeats, at most ten."""
    seen: list[str | None] = []
    for article in articles:
        if ARTICLE_RE.match(article or "") and article not in seen:
            seen.append(article)
    return seen[:MAX_ARTICLES]
