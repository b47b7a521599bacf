"""What the ticket page shows, gathered once for the page, its conflicts and its fragments."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent
from helpdesk.kb.index import LiveIndex
from helpdesk.policy import Action, may
from helpdesk.tickets import canned, lifecycle, merge, presence, queries
from helpdesk.tickets.kb_panel import panel_items
from helpdesk.tickets.models import PRIORITY_LABELS, Queue, Ticket

MESSAGE_LABELS = {
    "requester": "Message du demandeur",
    "public_reply": "Réponse au demandeur",
    "internal_note": "Note interne",
}


def ticket_context(
    session: Session,
    *,
    agent: Agent,
    ticket: Ticket,
    live: LiveIndex | None = None,
    draft: str = "",
    conflict: str | None = None,
) -> dict[str, Any]:
    """The template context of a ticket page (`live`: the knowledge-base index, if any)."""
    may_act = may(session, agent, Action.NOTE, ticket)
    messages = queries.conversation(session, ticket)
    kb_query = _kb_query(ticket, messages)
    queue = session.get(Queue, ticket.queue_id)
    owner_queue = session.get(Queue, ticket.owner_queue_id)
    return {
        "agent": agent,
        "ticket": ticket,
        "queue": queue,
        "owner_queue": owner_queue,
        "assignee": session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None,
        "merged_into": session.get(Ticket, ticket.merged_into_id)
        if ticket.merged_into_id
        else None,
        "messages": messages,
        "message_labels": MESSAGE_LABELS,
        "attachments": queries.attachments(session, ticket),
        "events": queries.history(session, ticket),
        "related": merge.related(session, agent=agent, ticket=ticket),
        "others_viewing": presence.others_viewing(session, ticket_id=ticket.id, agent=agent),  # type: ignore[arg-type]
        "may_act": may_act,
        "may_reply": may(session, agent, Action.REPLY, ticket),
        "next_statuses": lifecycle.next_statuses(ticket.status) if may_act else [],
        "targets": queries.handover_targets(session, ticket) if may_act else [],
        "members": queries.queue_members(session, ticket.queue_id) if may_act else [],
        "canned_responses": canned.available(session, agent=agent) if may_act else [],
        "procedures": CATALOG,
        "priorities": PRIORITY_LABELS,
        "draft": draft,
        "conflict": conflict,
        "kb_query": kb_query,
        "kb_items": panel_items(session, live=live, agent=agent, ticket_text=kb_query)
        if live is not None
        else [],
    }


def _kb_query(ticket: Ticket, messages: list[Any]) -> str:
    """The text the knowledge-base panel searches with: subject and first message."""
    first = next((m.body for m in messages if m.kind == "requester"), "")
    return f"{ticket.subject} {first}"[:2000]
