"""SLA clocks: pauses while waiting, one clock per level, warnings and breaches exactly once."""

from __future__ import annotations

from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.notifications.models import OutgoingMail
from helpdesk.ticket_routing.clocks import ticket_clocks
from helpdesk.ticket_routing.service import route_ticket
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.listing import QueueFilters, list_tickets
from helpdesk.tickets.service import change_status

from factories import make_agent
from support.routing import events_of, paris, routed_ticket, set_history_times


def test_the_clock_pauses_while_the_ticket_waits_on_the_requester(session: Session):
    agent = make_agent(session)
    ticket = routed_ticket(session)
    change_status(session, ticket_id=ticket.id, status="waiting", actor=agent)
    session.commit()
    # Monday 09:00 created, 10:00 waiting on the requester (CCC: 8:30-18:00, 16 h to resolve).
    set_history_times(session, ticket, {"created": [paris(2, 9)], "status_changed": [paris(2, 10)]})
    check_ticket(session, ticket_id=ticket.id, now=paris(3, 12))
    clock = ticket_clocks(session, ticket.id)[0]
    assert clock.state == "paused" and clock.resolution_due_at is None
    change_status(session, ticket_id=ticket.id, status="open", actor=agent)
    session.commit()
    set_history_times(
        session,
        ticket,
        {"created": [paris(2, 9)], "status_changed": [paris(2, 10), paris(4, 10)]},
    )
    check_ticket(session, ticket_id=ticket.id, now=paris(5, 12))
    clock = ticket_clocks(session, ticket.id)[0]
    # 16 h + the 19 business hours of the pause: Thursday 15:30 instead of Tuesday 15:30.
    assert clock.resolution_due_at == paris(5, 15, 30)
    assert clock.state == "ok"
    check_ticket(session, ticket_id=ticket.id, now=paris(5, 15, 0))
    assert ticket_clocks(session, ticket.id)[0].state == "warning"


def test_each_hand_over_starts_the_receiving_levels_own_target(session: Session):
    agent = make_agent(session)
    ticket = routed_ticket(session)
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="dp-anef",
        reason="Question fonctionnelle",
        checked="Compte et dossier vérifiés",
        question="Pourquoi l'attestation ne se génère-t-elle pas ?",
        actor=agent,
    )
    session.commit()
    route_ticket(session, ticket_id=ticket.id, trigger="handover")
    session.commit()
    clocks = ticket_clocks(session, ticket.id)
    assert [c.level for c in clocks] == [1, 2]
    handed = events_of(session, ticket, "escalate")[0].at
    assert clocks[0].stopped_at == handed and clocks[0].responded_at == handed
    assert clocks[1].started_at == handed and clocks[1].stopped_at is None
    assert clocks[1].policy_id != clocks[0].policy_id  # DP ANEF's own targets


def test_a_breach_is_recorded_and_acted_on_exactly_once(session: Session):
    supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="ccc")
    ticket = routed_ticket(session)
    set_history_times(session, ticket, {"created": [paris(2, 9)]})
    for _ in range(2):  # the first response (4 h) was due Monday 13:00
        check_ticket(session, ticket_id=ticket.id, now=paris(2, 15))
        session.commit()
    breaches = events_of(session, ticket, "sla_breached")
    assert [e.data["target"] for e in breaches] == ["response"]
    assert events_of(session, ticket, "sla_warning") == []  # resolution: 6 h of 16 h used
    mails = session.exec(
        select(OutgoingMail).where(OutgoingMail.recipient == supervisor.email)
    ).all()
    assert len(mails) == 1 and ticket.reference in mails[0].subject
    session.refresh(ticket)
    assert ticket.priority == "high"  # the CCC's policy raises the priority, once
    assert len(events_of(session, ticket, "priority_changed")) == 1


def test_supervisors_filter_queue_lists_on_the_sla_state(session: Session):
    supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="ccc")
    late, on_time = routed_ticket(session), routed_ticket(session)
    set_history_times(session, late, {"created": [paris(2, 9)]})
    check_ticket(session, ticket_id=late.id, now=paris(2, 15))
    session.commit()
    breached = list_tickets(session, agent=supervisor, filters=QueueFilters(sla="breached"))
    assert [t.id for t in breached.tickets] == [late.id]
    assert breached.sla[late.id]["label"] == "Délai dépassé"
    every = list_tickets(session, agent=supervisor, filters=QueueFilters())
    assert {t.id for t in every.tickets} == {late.id, on_time.id}
    assert every.sla[on_time.id]["state"] in ("ok", "warning")


def test_resolving_stops_the_clock(session: Session):
    agent = make_agent(session)
    ticket = routed_ticket(session)
    change_status(session, ticket_id=ticket.id, status="resolved", actor=agent)
    session.commit()
    check_ticket(session, ticket_id=ticket.id)
    session.commit()
    clock = ticket_clocks(session, ticket.id)[0]
    assert clock.stopped_at is not None and clock.state == "met"
    assert session.exec(
        select(Agent.id).where(col(Agent.id) == agent.id)
    ).first()  # the agent acted: first response met too
