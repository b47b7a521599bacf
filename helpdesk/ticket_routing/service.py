"""Routing a ticket: classification, rules, assignment and clocks; the dry run of the rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlmodel import Session, select

from dossiers.catalog import PROCEDURES_BY_CODE
from helpdesk import policy
from helpdesk.auth.models import Agent
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.jobs.registry import enqueue_job
from helpdesk.notifications.service import queue_mail
from helpdesk.ticket_routing import classify
from helpdesk.ticket_routing.assignment import pick_assignee
from helpdesk.ticket_routing.facts import text_facts, ticket_facts
from helpdesk.ticket_routing.models import ASSIGNMENT_LABELS, TicketTag
from helpdesk.ticket_routing.rules_store import active_rules
from helpdesk.ticket_routing.sla_batch import supervisors_of
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets.events import HANDOVER_KINDS, EventKind
from helpdesk.tickets.lifecycle import place_in_queue
from helpdesk.tickets.models import (
    HandoverRoute,
    Message,
    MessageKind,
    Queue,
    QueueMembership,
    Ticket,
    TicketEvent,
)
from helpdesk.tickets.service import load_for_change, record_event, touch
from routing.classification import Guess
from routing.rules import Action, ActionKind, Rule, TicketFacts, evaluate, rule_matches

ROUTING_JOB = "routing.ticket_changed"
ROUTING_LABEL = "Routage automatique"


def request_routing(session: Session, *, ticket_id: int, trigger: str) -> None:
    """Ask for the ticket to be routed again after a change (in the caller's transaction)."""
    enqueue_job(session, ROUTING_JOB, ticket_id=ticket_id, trigger=trigger)


def route_ticket(
    session: Session, *, ticket_id: int, trigger: str, dossier_status: str = ""
) -> None:
    """Classify, apply the rules, assign and start the clocks, as the trigger calls for."""
    ticket = load_for_change(session, ticket_id, None)
    _pin_queues(session)
    if trigger in ("created", "fields"):
        if trigger == "created":
            classify.classify_ticket(session, ticket=ticket)
        apply_rules(session, ticket=ticket, dossier_status=dossier_status)
    _auto_assign(session, ticket)
    check_ticket(session, ticket_id=ticket_id)


def _pin_queues(session: Session) -> None:
    """Read the (few) queues once and keep them for the session's life: the routing steps'
    `session.get(Queue, id)` then find them in the identity map, which holds rows weakly and
    forgot each one as soon as its step was done (the queue row was selected once per step)."""
    if "routing_queues" not in session.info:
        session.info["routing_queues"] = list(session.exec(select(Queue)))


def apply_rules(session: Session, *, ticket: Ticket, dossier_status: str = "") -> list[Rule]:
    """Run the rules on a stored ticket and carry out what fired, each with its history line."""
    facts = ticket_facts(session, ticket, dossier_status=dossier_status)
    outcome = evaluate(active_rules(session), facts)
    for firing in outcome.firings:
        before = _queue_code(session, ticket.queue_id)
        done = [_carry_out(session, ticket, action, firing.rule) for action in firing.rule.actions]
        after = _queue_code(session, ticket.queue_id)
        record_event(
            session,
            ticket,
            None,
            kind=EventKind.ROUTED,
            from_value=before if after != before else None,
            to_value=after if after != before else None,
            reason=f"Règle « {firing.rule.name} »",
            data={"rule_id": firing.rule.id, "rule": firing.rule.name, "actions": done},
        )
    if outcome.firings:
        touch(ticket)
    return [f.rule for f in outcome.firings]


def _queue_code(session: Session, queue_id: int) -> str:
    """The code of a queue."""
    queue = session.get(Queue, queue_id)
    return queue.code if queue else ""


def _carry_out(session: Session, ticket: Ticket, action: Action, rule: Rule) -> str:
    """Do one action of a rule; returns what was done, in French, for the history."""
    if action.kind in (ActionKind.SET_QUEUE, ActionKind.ESCALATE):
        return _move(session, ticket, action)
    if action.kind == ActionKind.SET_PRIORITY:
        ticket.priority = action.value
        return f"priorité {action.value}"
    if action.kind == ActionKind.ADD_TAGS:
        return _tag(session, ticket, action.value)
    if action.kind == ActionKind.ASSIGN:
        return _assign(session, ticket, action.value)
    if action.kind == ActionKind.ADD_NOTE:
        session.add(
            Message(
                ticket_id=ticket.id,  # type: ignore[arg-type]
                kind=MessageKind.INTERNAL_NOTE,
                author_label=f"{ROUTING_LABEL} ({rule.name})",
                body=action.value,
            )
        )
        return "note interne ajoutée"
    return _notify(session, ticket, action.value, rule)


def _move(session: Session, ticket: Ticket, action: Action) -> str:
    """Place the ticket in a queue (before any hand-over), or escalate it along the chain."""
    pinned = session.info.get("routing_queues", [])
    target = (
        next((q for q in pinned if q.code == action.value), None)
        or session.exec(select(Queue).where(Queue.code == action.value)).first()
    )
    if target is None or target.id == ticket.queue_id:
        return f"file {action.value} (inchangée)"
    if action.kind == ActionKind.ESCALATE:
        allowed = session.exec(
            select(HandoverRoute).where(
                HandoverRoute.from_queue_id == ticket.queue_id,
                HandoverRoute.to_queue_id == target.id,
            )
        ).first()
        if allowed is None:
            return f"escalade vers {target.code} non prévue par le circuit"
        place_in_queue(session, ticket, queue_id=target.id)  # type: ignore[arg-type]
        return f"escalade vers {target.code}"
    if _handed_over(session, ticket):
        return f"file {target.code} non appliquée : le ticket a déjà été transmis"
    place_in_queue(session, ticket, queue_id=target.id, owner=True)  # type: ignore[arg-type]
    return f"file {target.code}"


def _handed_over(session: Session, ticket: Ticket) -> bool:
    """Whether an agent already moved the ticket along the chain."""
    return (
        session.exec(
            select(TicketEvent.id).where(
                TicketEvent.ticket_id == ticket.id,
                TicketEvent.kind.in_(HANDOVER_KINDS),  # type: ignore[attr-defined]
            )
        ).first()
        is not None
    )


def _tag(session: Session, ticket: Ticket, value: str) -> str:
    """Add tags the ticket does not have yet."""
    have = set(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket.id)))
    tags = [t.strip()[:60] for t in value.split(",") if t.strip()]
    for tag in tags:
        if tag not in have:
            session.add(TicketTag(ticket_id=ticket.id, tag=tag))  # type: ignore[arg-type]
    return "étiquettes " + ", ".join(tags)


def _assign(session: Session, ticket: Ticket, value: str) -> str:
    """Give the ticket to the queue's pick ("auto") or to a member named by e-mail."""
    if value.strip().lower() == "auto":
        agent, mode = pick_assignee(session, queue_id=ticket.queue_id)
        if agent is None:
            return "attribution automatique impossible (aucun membre disponible)"
        ticket.assignee_id = agent.id
        return f"attribué à {agent.full_name} ({ASSIGNMENT_LABELS.get(mode, mode)})"  # type: ignore[call-overload]
    agent = session.exec(select(Agent).where(Agent.email == value.strip().lower())).first()
    member = (
        agent
        and session.exec(
            select(QueueMembership).where(
                QueueMembership.agent_id == agent.id, QueueMembership.queue_id == ticket.queue_id
            )
        ).first()
    )
    if agent is None or member is None:
        return f"attribution à {value} impossible (pas membre de la file)"
    ticket.assignee_id = agent.id
    return f"attribué à {agent.full_name}"


def _notify(session: Session, ticket: Ticket, value: str, rule: Rule) -> str:
    """E-mail the queue's supervisors ("superviseurs") or an address."""
    queue = session.get(Queue, ticket.queue_id)
    if value.strip().lower() in ("superviseurs", "superviseur") and queue is not None:
        recipients = [s.email for s in supervisors_of(session, queue)]
    else:
        recipients = [value.strip()] if "@" in value else []
    for recipient in recipients:
        queue_mail(
            session,
            recipient=recipient,
            subject=f"[Assistance ANEF] {ticket.reference} : {rule.name}",
            body=f"Bonjour,\n\nLa règle « {rule.name} » s'applique au ticket {ticket.reference} "
            f"(« {ticket.subject} »).\n\nConsultez-le dans la console : /tickets/{ticket.id}\n",
            ticket_id=ticket.id,
        )
    return f"notification envoyée à {len(recipients)} destinataire(s)"


def _auto_assign(session: Session, ticket: Ticket) -> None:
    """Assign an unassigned active ticket by its queue's mode (nothing when manual)."""
    if ticket.assignee_id is not None or ticket.status not in ("new", "open"):
        return
    agent, mode = pick_assignee(session, queue_id=ticket.queue_id)
    if agent is None:
        return
    ticket.assignee_id = agent.id
    record_event(
        session,
        ticket,
        None,
        kind=EventKind.ASSIGNED,
        to_value=agent.full_name,
        reason=f"Attribution automatique : {ASSIGNMENT_LABELS.get(mode, mode)}",  # type: ignore[call-overload]
    )
    touch(ticket)


@dataclass
class DryRun:
    """What the rules would do to a ticket or a text, without changing anything."""

    facts: TicketFacts
    trace: list[tuple[Rule, str, int]] = field(default_factory=list)  # rule, verdict, held
    queue: str | None = None
    escalate_to: str | None = None
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)
    notify: list[tuple[str, str]] = field(default_factory=list)
    procedure: Guess | None = None
    category: Guess | None = None
    ticket: Ticket | None = None


def dry_run(
    session: Session,
    *,
    agent: Agent,
    reference: str = "",
    subject: str = "",
    message: str = "",
    channel: str = "form",
    requester: str = "usager",
    procedure: str = "",
) -> DryRun:
    """Evaluate the rules on ticket X (by reference) or on a typed text; writes nothing."""
    ticket = None
    if reference.strip():
        ticket = session.exec(
            select(Ticket).where(Ticket.reference == reference.strip().upper())
        ).first()
        if ticket is None or not policy.may_view(session, agent, ticket):
            raise NotFoundError(f"Aucun ticket {reference.strip()} : vérifiez la référence.")
        facts = ticket_facts(session, ticket)
    elif subject.strip() or message.strip():
        facts = text_facts(
            subject=subject,
            message=message,
            channel=channel,
            requester=requester,
            procedure=procedure,
        )
    else:
        raise ValidationFailedError(
            "Indiquez la référence d'un ticket ou un texte à essayer.",
            field_errors={"reference": "Référence ou texte requis."},
        )
    return _dry_run_of(session, facts, ticket)


def _dry_run_of(session: Session, facts: TicketFacts, ticket: Ticket | None) -> DryRun:
    """The trace of every rule on the facts, the outcome and the classification."""
    rules = active_rules(session)
    procedure = category = None
    if not facts.procedure or facts.motif in ("", "autre"):
        procedure, category = classify.guess_text(session, text=facts.texte)
        if not facts.procedure and procedure.confident and procedure.label:
            facts = replace(facts, procedure=procedure.label, famille=_family(procedure.label))
    outcome = evaluate(rules, facts)
    fired_ids = [f.rule.id for f in outcome.firings]
    result = DryRun(facts=facts, ticket=ticket)
    stopped = False
    for rule in rules:
        _fired, held = rule_matches(rule, facts)
        if not rule.enabled:
            verdict = "désactivée"
        elif stopped:
            verdict = "non évaluée (arrêt)"
        else:
            verdict = "déclenchée" if rule.id in fired_ids else "non déclenchée"
            stopped = rule.id in fired_ids and rule.stop
        result.trace.append((rule, verdict, len(held)))
    result.queue, result.escalate_to, result.priority = (
        outcome.queue,
        outcome.escalate_to,
        outcome.priority,
    )
    result.tags, result.assignee = outcome.tags, outcome.assignee
    result.notes, result.notify = outcome.notes, outcome.notify
    result.procedure, result.category = procedure, category
    return result


def _family(code: str) -> str:
    """The family of a procedure code."""
    known = PROCEDURES_BY_CODE.get(code)
    return known.family if known else ""


def accept_suggestion(session: Session, *, ticket_id: int, actor: Agent) -> list[str]:
    """An agent applies the suggested procedure and motif; the rules then run again."""
    ticket = load_for_change(
        session, ticket_id, None, actor=actor, action=policy.Action.ACCEPT_ROUTING
    )
    before = {"procedure": ticket.procedure, "category": ticket.category}
    changed = classify.accept_suggestion(session, ticket=ticket, actor_id=actor.id)
    for name in changed:
        record_event(
            session,
            ticket,
            actor,
            kind=EventKind.CLASSIFIED,
            from_value=before[name],
            to_value=getattr(ticket, name),
            reason="Suggestion acceptée par l'agent",
            data={"field": name},
        )
    if changed:
        touch(ticket)
        request_routing(session, ticket_id=ticket_id, trigger="fields")
    return changed
