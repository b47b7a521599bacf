"""The lifecycle's one transition: merges, hand-overs, calls, incidents, reopenings, the labels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from helpdesk.auth.models import Role
from helpdesk.errors import InvalidTransitionError, NotFoundError
from helpdesk.incidents.labels import INCIDENT_EVENT_LABELS
from helpdesk.incidents.schemas import IncidentForm, ResolutionForm
from helpdesk.incidents.service import RESOLVE_JOB, link_tickets, record_incident, resolve_incident
from helpdesk.intake.service import (
    LINK_LIFETIME_AFTER_CLOSE,
    issue_link,
    link_expired,
    ticket_for_token,
)
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS
from helpdesk.ticket_routing.clocks import current_clock
from helpdesk.ticket_routing.labels import ROUTING_EVENT_LABELS
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets import lifecycle, merge
from helpdesk.tickets.events import EVENT_LABELS, EventKind, event_label
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import MessageKind, Status, Ticket, TicketEvent
from helpdesk.tickets.phone import PhoneCall, record_call
from helpdesk.tickets.service import add_message, change_status

from factories import make_agent, make_ticket
from support.referents import run_jobs

SUMMARY = {"reason": "Motif", "checked": "Vérifié", "question": "Que faire ?"}


def history(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        )
    )


def status_lines(session: Session, ticket: Ticket) -> list[tuple[str, str, str]]:
    """(kind, from, to) of each line of the history that changed the status."""
    events = history(session, ticket)
    return [
        (event.kind, *change)
        for event, change in zip(events, lifecycle.status_changes(events), strict=True)
        if change is not None
    ]


def sla_jobs(session: Session, ticket: Ticket) -> int:
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.actor_name == lifecycle.SLA_SYNC_JOB)
    ).all()
    return sum(1 for row in rows if row.payload == {"ticket_id": ticket.id})


def test_a_merged_ticket_is_closed_like_any_other(session: Session):
    advisor = make_agent(session)
    survivor, duplicate = make_ticket(session), make_ticket(session)
    token = issue_link(session, ticket=duplicate)
    session.commit()
    check_ticket(session, ticket_id=duplicate.id)  # the clock of the new ticket runs
    session.commit()
    assert current_clock(session, duplicate.id) is not None

    merge.merge(session, source_id=duplicate.id, target_reference=survivor.reference, actor=advisor)
    session.commit()

    assert duplicate.status == Status.CLOSED and duplicate.closed_at is not None
    assert status_lines(session, duplicate) == [("merged_into", "new", "closed")]
    merged = history(session, duplicate)[-1]
    assert merged.to_value == survivor.reference and merged.at == duplicate.closed_at
    # Its follow-up link lives a year after the merge, then expires.
    later = duplicate.closed_at + LINK_LIFETIME_AFTER_CLOSE
    assert ticket_for_token(session, token=token).id == duplicate.id
    assert not link_expired(duplicate, now=later - timedelta(days=1))
    assert link_expired(duplicate, now=later + timedelta(days=1))
    session.get(Ticket, duplicate.id).closed_at -= LINK_LIFETIME_AFTER_CLOSE + timedelta(days=1)
    session.flush()
    with pytest.raises(NotFoundError):
        ticket_for_token(session, token=token)
    # Its clock stops once the SLA job runs.
    assert run_jobs(session, lifecycle.SLA_SYNC_JOB) >= 1
    assert current_clock(session, duplicate.id) is None


def test_handing_over_a_new_ticket_opens_it_with_the_hand_overs_line(session: Session):
    advisor = make_agent(session, queues=("ccc", "dp-anef"))
    ticket = make_ticket(session)
    session.commit()

    hand_over(session, ticket_id=ticket.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    session.commit()
    assert ticket.status == Status.OPEN and ticket.version == 2
    assert status_lines(session, ticket) == [("escalate", "new", "open")]
    assert sla_jobs(session, ticket) == 1

    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="ccc",
        reason="",
        answer="Réponse",
        actor=advisor,
    )
    session.commit()
    assert status_lines(session, ticket) == [("escalate", "new", "open")]  # no change this time
    assert [e.kind for e in history(session, ticket)] == ["created", "escalate", "return"]


def test_a_call_resolved_at_first_contact_has_its_first_response_at_resolution(session: Session):
    advisor = make_agent(session)
    call = PhoneCall(
        requester_name="Karim B.", requester_foreign_number="0123456789", notes="Réglé."
    )
    ticket = record_call(session, agent=advisor, call=call)
    session.commit()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at_first_contact
    assert ticket.first_response_at == ticket.resolved_at
    assert status_lines(session, ticket) == [("status_changed", "new", "resolved")]


def test_an_incidents_resolution_changes_the_ticket_once(session: Session):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    ticket = make_ticket(session, queue_code="dp-anef")
    session.commit()
    form = IncidentForm(title="Panne du dépôt", description="Erreur 500 au dépôt des pièces.")
    incident = record_incident(session, form=form, actor=dp)
    link_tickets(session, incident_id=incident.id, ticket_ids=[ticket.id], actor=dp)
    session.commit()
    linked_version = ticket.version
    resolution = ResolutionForm(
        usager_reply="Bonjour {nom}, l'incident est résolu.",
        referent_message="L'incident est résolu.",
    )
    resolve_incident(session, incident_id=incident.id, form=resolution, actor=dp)
    session.commit()

    assert run_jobs(session, RESOLVE_JOB) == 1
    session.refresh(ticket)
    assert ticket.status == Status.RESOLVED and ticket.first_response_at is not None
    assert ticket.version == linked_version + 1
    assert status_lines(session, ticket) == [("status_changed", "new", "resolved")]


def test_a_reopened_ticket_gets_a_running_clock_again(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    check_ticket(session, ticket_id=ticket.id)
    change_status(session, ticket_id=ticket.id, status=Status.RESOLVED, actor=advisor)
    session.commit()
    run_jobs(session, lifecycle.SLA_SYNC_JOB)
    assert current_clock(session, ticket.id) is None

    add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.REQUESTER,
        body="Toujours bloqué.",
        actor=None,
    )
    session.commit()
    assert ticket.status == Status.OPEN and ticket.resolved_at is None
    assert current_clock(session, ticket.id) is None
    # The reopening queued the clock update (the periodic check skips a ticket whose clocks
    # all stopped, so before this nothing restarted them).
    assert sla_jobs(session, ticket) == 2
    run_jobs(session, lifecycle.SLA_SYNC_JOB)
    assert current_clock(session, ticket.id) is not None


def test_the_lifecycle_refuses_what_it_does_not_allow(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    with pytest.raises(InvalidTransitionError, match="« Nouveau » ne peut pas passer à « Clos »"):
        lifecycle.transition(session, ticket, Status.CLOSED, actor=advisor)
    with pytest.raises(ValueError, match="transition"):
        lifecycle.record_event(session, ticket, advisor, kind=EventKind.STATUS_CHANGED)
    with pytest.raises(ValueError, match="transition"):
        lifecycle.record_event(session, ticket, advisor, kind=EventKind.ESCALATE)  # new: opens it
    assert ticket.status == Status.NEW and ticket.version == 1


def test_the_version_rises_once_per_transaction(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    change_status(session, ticket_id=ticket.id, status=Status.RESOLVED, actor=advisor)
    session.commit()
    version = ticket.version
    # The requester's answer reopens the ticket and adds a message: one change, one version.
    add_message(session, ticket_id=ticket.id, kind=MessageKind.REQUESTER, body="Non.", actor=None)
    session.commit()
    assert ticket.version == version + 1
    change_status(session, ticket_id=ticket.id, status=Status.WAITING, actor=advisor)
    session.commit()
    assert ticket.version == version + 2


def test_every_kind_has_its_french_label_in_one_table():
    assert set(EVENT_LABELS) == set(EventKind)
    assert event_label("merged_into") == "Fusionné dans" == EventKind.MERGED_INTO.label
    assert event_label("inconnu") == "inconnu"
    for labels in (INCIDENT_EVENT_LABELS, ROUTING_EVENT_LABELS):
        assert all(EVENT_LABELS[EventKind(kind)] == label for kind, label in labels.items())


def test_jobs_know_the_sla_sync():
    assert lifecycle.SLA_SYNC_JOB in JOBS
    assert JOBS[lifecycle.SLA_SYNC_JOB].fn.__module__ == "helpdesk.ticket_routing.tasks"


def test_the_hand_over_kinds_are_the_chains_moves():
    from helpdesk.tickets.events import HANDOVER_KINDS
    from routing.chain import HandoverKind

    assert {kind.value for kind in HANDOVER_KINDS} == {kind.value for kind in HandoverKind}
