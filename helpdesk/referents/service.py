"""Signalements: open one for the référent's site, answer in its thread, read the space."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Organisation
from helpdesk.db import require_id
from helpdesk.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from helpdesk.intake.uploads import CleanFile
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import Action, ensure, may_view
from helpdesk.policy.tickets import refused_ticket
from helpdesk.referents.models import Report
from helpdesk.referents.schemas import ReportForm
from helpdesk.tickets.attachments import store_files
from helpdesk.tickets.models import (
    Attachment,
    Channel,
    Message,
    MessageKind,
    Status,
    Ticket,
)
from helpdesk.tickets.queries import PUBLIC_KINDS, public_messages
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import add_message, create_ticket

REPORT_QUEUE = "dp-anef"  # séjour and NATALI alike (routing/defaults.py agrees)
SCREENSHOT_TYPES = frozenset({"image/png", "image/jpeg"})
MAX_SCREENSHOTS = 3


@dataclass(frozen=True)
class ThreadMessage:
    """A message as the référent sees it: public side only, with its screenshots."""

    message: Message
    from_site: bool
    attachments: tuple[Attachment, ...]


def ensure_referent(session: Session, agent: Agent) -> int:
    """The référent's site id; anyone else is refused (the policy's REPORT_AS_SITE)."""
    ensure(session, agent, Action.REPORT_AS_SITE)
    if agent.site_id is None:
        raise PermissionDeniedError(
            "Votre compte de référent n'est rattaché à aucun site : "
            "demandez à votre administrateur de le compléter."
        )
    return agent.site_id


def check_screenshots(files: Sequence[CleanFile]) -> None:
    """Refuse anything but PNG or JPEG images, and more than three of them."""
    if len(files) > MAX_SCREENSHOTS:
        raise ValidationFailedError(
            "Joignez au plus 3 captures d'écran.",
            field_errors={"screenshots": "Joignez au plus 3 captures d'écran."},
        )
    for file in files:
        if file.content_type not in SCREENSHOT_TYPES:
            message = f"« {file.filename} » n'est pas une image PNG ou JPEG."
            raise ValidationFailedError(message, field_errors={"screenshots": message})


def file_report(
    session: Session,
    *,
    form: ReportForm,
    actor: Agent,
    screenshots: Sequence[CleanFile] = (),
    storage_dir: Path,
) -> Ticket:
    """Open a signalement for the référent's site in DP ANEF's queue, with its details."""
    site_id = ensure_referent(session, actor)
    check_screenshots(screenshots)
    ticket = create_ticket(session, data=_new_ticket(form, actor, site_id), actor=actor)
    ticket.requester_email = actor.email  # replies reach the référent (an agent account)
    session.add(
        Report(
            ticket_id=require_id(ticket),
            kind=form.kind,
            severity=form.severity,
            affected_count=form.affected_count,
            occurred_at=form.occurred_at,
            browser=form.browser,
            steps=form.steps,
        )
    )
    first = session.exec(select(Message).where(Message.ticket_id == ticket.id)).one()
    _store(session, storage_dir, ticket, first, screenshots)
    _acknowledge(session, ticket, actor)
    return ticket


def _new_ticket(form: ReportForm, actor: Agent, site_id: int) -> NewTicket:
    """The ticket of a signalement: DP ANEF's queue, the site, the priority of its severity."""
    return NewTicket(
        channel=Channel.REFERENT,
        subject=form.subject,
        body=form.first_message(),
        requester_name=actor.full_name,
        procedure=form.procedure,
        category=form.kind.value,
        priority=form.priority,
        dossier_number=form.dossier_number,
        queue_code=REPORT_QUEUE,
        site_id=site_id,
    )


def reply(
    session: Session,
    *,
    ticket_id: int,
    body: str,
    actor: Agent,
    screenshots: Sequence[CleanFile] = (),
    storage_dir: Path,
) -> Message:
    """The référent answers in the thread (a requester message with their name)."""
    ticket = site_ticket(session, agent=actor, ticket_id=ticket_id)
    check_screenshots(screenshots)
    if ticket.status == Status.CLOSED:
        raise ValidationFailedError(
            "Ce signalement est clos : ouvrez un nouveau signalement si le problème persiste."
        )
    message = add_message(
        session, ticket_id=require_id(ticket), kind=MessageKind.REQUESTER, body=body, actor=actor
    )
    session.flush()
    _store(session, storage_dir, ticket, message, screenshots)
    return message


def site_ticket(session: Session, *, agent: Agent, ticket_id: int) -> Ticket:
    """A ticket of the référent's site; any other is the same 404 as a missing one."""
    ensure_referent(session, agent)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not may_view(session, agent, ticket):
        raise NotFoundError(
            "Ce signalement n'existe pas ou ne concerne pas votre site.",
            refused=refused_ticket(session, ticket, Action.VIEW, 404) if ticket else None,
        )
    return ticket


def thread(session: Session, *, ticket: Ticket) -> list[ThreadMessage]:
    """The public conversation of a ticket, never an internal note, with its screenshots."""
    return [
        ThreadMessage(message=m, from_site=m.kind == MessageKind.REQUESTER, attachments=files)
        for m, files in public_messages(session, ticket)
    ]


def public_attachment(
    session: Session, *, agent: Agent, ticket_id: int, attachment_id: int
) -> Attachment:
    """An attachment of a public message of the site's ticket, else a 404."""
    ticket = site_ticket(session, agent=agent, ticket_id=ticket_id)
    attachment = session.get(Attachment, attachment_id)
    message = (
        session.get(Message, attachment.message_id)
        if attachment and attachment.message_id
        else None
    )
    if (
        attachment is None
        or attachment.ticket_id != ticket.id
        or message is None
        or message.kind not in PUBLIC_KINDS
    ):
        raise NotFoundError("Cette pièce jointe n'existe pas.")
    return attachment


def report_of(session: Session, *, ticket_id: int) -> Report | None:
    """The signalement details of a ticket, if it is a signalement."""
    return session.exec(select(Report).where(Report.ticket_id == ticket_id)).first()


def site_counts(session: Session, *, agent: Agent) -> dict[str, int]:
    """How many of the site's tickets are in each status."""
    site_id = ensure_referent(session, agent)
    rows = session.exec(
        select(Ticket.status, func.count())
        .where(col(Ticket.site_id) == site_id)
        .group_by(col(Ticket.status))
    ).all()
    return {status: int(count) for status, count in rows}


def site_of(session: Session, agent: Agent) -> Organisation | None:
    """The référent's site."""
    return session.get(Organisation, agent.site_id) if agent.site_id else None


def _store(
    session: Session,
    storage_dir: Path,
    ticket: Ticket,
    message: Message,
    files: Sequence[CleanFile],
) -> None:
    """Keep the screenshots with the message they came with."""
    store_files(
        session, storage_dir=storage_dir, ticket=ticket, message_id=require_id(message), files=files
    )


def _acknowledge(session: Session, ticket: Ticket, actor: Agent) -> None:
    """Tell the référent their signalement is recorded (through the outbox)."""
    queue_mail(
        session,
        recipient=actor.email,
        subject=f"Signalement {ticket.reference} enregistré",
        body=(
            f"Bonjour {actor.full_name},\n\nVotre signalement « {ticket.subject} » est enregistré "
            f"sous la référence {ticket.reference} et transmis à la DP ANEF. Vous suivrez les "
            "échanges et répondrez aux demandes de précisions depuis votre espace référent."
            "\n\nCordialement,\nL'assistance ANEF"
        ),
        ticket_id=ticket.id,
    )
