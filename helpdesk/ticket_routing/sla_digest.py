"""Supervisors hear of missed deadlines in one e-mail per check run, not one per ticket.

A run that finds many late tickets (after an outage, a calendar change, or at the first
check of a large backlog) used to send one e-mail per missed target and supervisor: tens of
thousands of messages, and two statements each. Each supervisor now receives one e-mail per
run listing the tickets they may open, through the policy's `visible_tickets`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import visible_tickets
from helpdesk.tickets.models import Queue, Ticket

MAX_LINES = 200  # beyond, the e-mail points to the queue filtered on missed deadlines


@dataclass(frozen=True)
class MissedTarget:
    """A target a ticket has just missed, in the queue whose supervisors hear of it."""

    ticket: Ticket
    queue: Queue
    reason: str  # "Délai de première réponse dépassé"


def send_digests(
    session: Session, missed: list[MissedTarget], supervisors: Callable[[Queue], list[Agent]]
) -> int:
    """E-mail each supervisor of a queue the missed targets there that they may open, in one
    e-mail; returns how many e-mails were queued."""
    by_supervisor: dict[int, tuple[Agent, list[MissedTarget]]] = {}
    for item in missed:
        for supervisor in supervisors(item.queue):
            by_supervisor.setdefault(supervisor.id, (supervisor, []))[1].append(item)  # type: ignore[arg-type]
    sent = 0
    for supervisor, items in by_supervisor.values():
        visible = _visible_ids(session, supervisor, {item.ticket.id for item in items})
        shown = [item for item in items if item.ticket.id in visible]
        if shown:  # the e-mail names tickets: only those the supervisor may open
            _send(session, supervisor, shown)
            sent += 1
    return sent


def _visible_ids(session: Session, supervisor: Agent, ids: set[int | None]) -> set[int]:
    """Which of these tickets the supervisor may open (one query)."""
    rows = session.exec(
        select(Ticket.id).where(col(Ticket.id).in_(ids), visible_tickets(session, supervisor))
    )
    return {ticket_id for ticket_id in rows if ticket_id is not None}


def _send(session: Session, supervisor: Agent, items: list[MissedTarget]) -> None:
    """One e-mail listing the missed targets (the ticket's own subject line when one)."""
    if len(items) == 1:
        only = items[0]
        subject = f"[Assistance ANEF] {only.reason} : {only.ticket.reference}"
        ticket_id = only.ticket.id
    else:
        tickets = {item.ticket.id for item in items}
        subject = f"[Assistance ANEF] {len(items)} délais dépassés sur {len(tickets)} tickets"
        ticket_id = None
    queue_mail(
        session,
        recipient=supervisor.email,
        subject=subject,
        body=_body(items),
        ticket_id=ticket_id,
    )


def _body(items: list[MissedTarget]) -> str:
    """The e-mail's text: one line per missed target, grouped by queue."""
    by_queue: dict[str, list[MissedTarget]] = defaultdict(list)
    for item in items:
        by_queue[item.queue.name].append(item)
    lines = ["Bonjour,", "", "Des tickets de vos files ont dépassé leur délai :", ""]
    for name, queue_items in sorted(by_queue.items()):
        lines.append(f"File {name} :")
        for item in queue_items[:MAX_LINES]:
            ticket = item.ticket
            lines.append(
                f"- {ticket.reference} (« {ticket.subject} ») : {item.reason.lower()}. "
                f"Console : /tickets/{ticket.id}"
            )
        if len(queue_items) > MAX_LINES:
            code = queue_items[0].queue.code
            lines.append(f"… et {len(queue_items) - MAX_LINES} autres : /files/{code}?sla=breached")
        lines.append("")
    return "\n".join(lines)
