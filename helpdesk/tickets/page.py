"""What the ticket page shows, gathered once for the page, its conflicts and its fragments."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent
from helpdesk.auth.preferences import open_panels
from helpdesk.kb.index import LiveIndex
from helpdesk.policy import Action, may
from helpdesk.tickets import (
    conversation_view,
    drafts,
    lifecycle,
    merge,
    presence,
    queries,
    requester_history,
)
from helpdesk.tickets.canned_picker import canned_context
from helpdesk.tickets.kb_panel import panel_items
from helpdesk.tickets.labels import MESSAGE_LABELS, procedure_label
from helpdesk.tickets.models import PRIORITY_LABELS, Queue, Ticket
from routing.chain import HandoverKind


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
    may_reply = may(session, agent, Action.REPLY, ticket)
    messages = queries.conversation(session, ticket)
    kb_query = _kb_query(ticket, messages)
    queue = session.get(Queue, ticket.queue_id)
    owner_queue = session.get(Queue, ticket.owner_queue_id)
    queues = conversation_view.queues_by_code(session)
    events = queries.history(session, ticket)
    entries = conversation_view.entries(
        messages, queries.attachments(session, ticket), events, queues
    )
    answer = conversation_view.received_answer(ticket, entries, events, queues)
    targets = queries.handover_targets(session, ticket) if may_act else []
    returns_down = any(kind == HandoverKind.RETURN for _, kind in targets)
    if not draft and may_act:
        draft = drafts.draft_for(session, agent, ticket.id)  # type: ignore[arg-type]
    if not draft and answer is not None and may_reply and ticket.answer_received:
        draft = answer.body
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
        "entries": entries,
        "message_labels": MESSAGE_LABELS,
        "history_rows": conversation_view.history_rows(events, queues),
        "procedure_label": procedure_label(ticket.procedure),
        "received_answer": answer,
        "answer_to_return": answer.body if answer is not None and returns_down else "",
        "open_panels": open_panels(session, agent),
        "requester_history": requester_history.for_ticket(session, agent, ticket),
        "related": merge.related(session, agent=agent, ticket=ticket),
        "others_viewing": presence.others_viewing(session, ticket_id=ticket.id, agent=agent),  # type: ignore[arg-type]
        "may_act": may_act,
        "may_reply": may_reply,
        "may_take": may_act
        and ticket.assignee_id != agent.id
        and may(session, agent, Action.ASSIGN, ticket),
        "next_statuses": lifecycle.next_statuses(ticket.status) if may_act else [],
        "targets": targets,
        "members": queries.queue_members(session, ticket.queue_id) if may_act else [],
        "procedures": CATALOG,
        "priorities": PRIORITY_LABELS,
        "draft": draft,
        "conflict": conflict,
        "kb_query": kb_query,
        "kb_items": panel_items(session, live=live, agent=agent, ticket_text=kb_query)
        if live is not None
        else [],
        **(canned_context(session, agent=agent, ticket=ticket) if may_act else {}),
    }


def _kb_query(ticket: Ticket, messages: list[Any]) -> str:
    """The text the knowledge-base panel searches with: subject and first message."""
    first = next((m.body for m in messages if m.kind == "requester"), "")
    return f"{ticket.subject} {first}"[:2000]
