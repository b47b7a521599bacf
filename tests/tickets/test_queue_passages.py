"""The queues a ticket has passed through: written where it gets a queue, read by the policy.

`visible_tickets` and `may_view` read the relation ticket_queue_passage; before revision 0011
they scanned the history for move lines naming a queue code. The old condition is kept here
as the oracle: over a varied world (hand-overs up and down the chain, routing rules, merges,
signalements, every role of the policy table) both give every agent the same tickets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, or_, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.policy import may_view, visible_tickets
from helpdesk.policy.table import TICKET_VIEW, Viewing
from helpdesk.policy.tickets import home_queue_ids, viewable_queue_ids
from helpdesk.ticket_routing.models import SlaPolicy
from helpdesk.ticket_routing.policies import update_policy
from helpdesk.ticket_routing.service import route_ticket
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets import merge
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Queue, Ticket, TicketEvent, TicketQueuePassage
from helpdesk.tickets.passages import passed_queue_ids, record_passage

from factories import make_agent, make_ticket
from support.analysed import vacuum_analyse
from support.passages import MissingPassageError
from support.permission_world import make_people
from support.referents import open_report

SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}
ANSWER = "Voici la réponse du niveau supérieur."
# The rule before revision 0011: the history kinds whose from/to values are queue codes.
MOVE_KINDS = ("created", "escalate", "transfer", "return", "routed")
# Journeys along the chain (each step a hand-over the chain allows), from the first queue.
JOURNEYS: tuple[tuple[str, ...], ...] = (
    ("ccc",),
    ("ccc", "dp-anef"),
    ("ccc", "dp-anef", "sdst"),
    ("ccc", "dp-anef", "sdanf", "dp-anef"),
    ("ccc", "dp-anef", "sdst", "dp-anef", "ccc"),
    ("ccc", "dp-anef", "sdst", "sdanf", "ccc"),
    ("ccc", "sdanf", "sdst"),
    ("ccc", "sdanf", "ccc"),
    ("dp-anef", "sdanf"),
    ("sdst",),
)


def old_visible_tickets(session: Session, agent: Agent | None) -> ColumnElement[bool]:
    """The condition before revision 0011: the history scanned for moves to or from home."""
    condition = visible_tickets(session, agent)
    if agent is None or not agent.active:
        return condition
    if TICKET_VIEW[Role(agent.role)] not in (Viewing.ORGANISATION, Viewing.CHAIN_FRONT):
        return condition  # nothing, everything or a site: the passages play no part
    queue_ids = viewable_queue_ids(session, agent) or set()
    home = home_queue_ids(session, agent)
    codes = set(session.exec(select(Queue.code).where(col(Queue.id).in_(home))).all())
    passed_through = select(TicketEvent.ticket_id).where(
        col(TicketEvent.kind).in_(MOVE_KINDS),
        or_(col(TicketEvent.from_value).in_(codes), col(TicketEvent.to_value).in_(codes)),
    )
    return or_(col(Ticket.queue_id).in_(queue_ids), col(Ticket.id).in_(passed_through))


def history_queue_ids(session: Session, ticket: Ticket) -> set[int]:
    """The queues of a ticket read from its history and its current queue (the old way)."""
    values = session.exec(
        select(TicketEvent.from_value, TicketEvent.to_value).where(
            TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind).in_(MOVE_KINDS)
        )
    ).all()
    codes = {value for pair in values for value in pair if value}
    queues = session.exec(select(Queue.id).where(col(Queue.code).in_(codes))).all()
    return {ticket.queue_id, *queues}


def all_passages(session: Session) -> set[tuple[int, int]]:
    rows = session.exec(select(TicketQueuePassage.ticket_id, TicketQueuePassage.queue_id))
    return set(rows.all())


def build_world(session: Session, storage: Path) -> list[Ticket]:
    """Tickets moved along the chain, routed by the rules, merged, and signalements."""
    make_people(session)
    advisor = make_agent(session, queues=("ccc", "dp-anef", "sdst", "sdanf"))
    make_agent(session, organisation="sdst", queues=("sdst", "ccc"))
    make_agent(session, role=Role.SUPERVISOR, organisation="sdanf", queues=())
    make_agent(session, organisation="ccc", queues=())
    gone = make_agent(session, organisation="sdst", queues=("sdst",))
    gone.active = False
    tickets = []
    for number, journey in enumerate(JOURNEYS):
        ticket = make_ticket(
            session,
            subject=f"Parcours {number}",
            queue_code=journey[0],
            requester_email=f"parcours{number % 4}@example.org",
        )
        for code in journey[1:]:
            hand_over(
                session, ticket_id=ticket.id, to_queue_code=code, actor=advisor,
                answer=ANSWER, **SUMMARY,
            )  # fmt: skip
        tickets.append(ticket)
    tickets += _routed(session)
    for number, code in enumerate(("site-a", "site-b")):
        email = f"referent_{code[-1]}@permissions.test"
        author = session.exec(select(Agent).where(Agent.email == email)).one()
        tickets.append(open_report(session, author, storage, subject=f"Signalement {number}"))
    _merge(session, advisor, tickets[1], tickets[5])
    _merge(session, advisor, tickets[6], tickets[2])
    session.commit()
    return tickets


def _routed(session: Session) -> list[Ticket]:
    """Tickets the seeded rules move: a naturalisation question escalated to SDANF, a
    usager's request placed at the CCC, then routed again after a hand-over."""
    natural = make_ticket(
        session,
        subject="Refus de naturalisation",
        body="J'ai reçu une décision négative, un refus de naturalisation : que faire ?",
        procedure="naturalisation-decret",
    )
    misplaced = make_ticket(session, subject="Arrivé au SDST", queue_code="sdst")
    for ticket in (natural, misplaced):
        route_ticket(session, ticket_id=ticket.id, trigger="created")  # type: ignore[arg-type]
    return [natural, misplaced]


def _merge(session: Session, actor: Agent, source: Ticket, into: Ticket) -> None:
    try:
        with session.begin_nested():
            merge.merge(session, source_id=source.id, target_reference=into.reference, actor=actor)  # type: ignore[arg-type]
    except DomainError:
        pass  # not the same requester, or already merged: the world keeps both as they are


def test_every_agent_sees_what_the_history_scan_showed(session: Session, tmp_path: Path):
    tickets = build_world(session, tmp_path)
    moved = {t.id for t in tickets if len(history_queue_ids(session, t)) > 1}
    assert len(moved) >= 10, "the world should move most tickets between queues"
    for ticket in tickets:
        session.refresh(ticket)
    assert tickets[1].merged_into_id == tickets[5].id and tickets[6].merged_into_id == tickets[2].id
    routed = [history_queue_ids(session, t) for t in tickets[len(JOURNEYS) : len(JOURNEYS) + 2]]
    assert [len(queues) for queues in routed] == [2, 2], "the rules should move both tickets"
    agents = session.exec(select(Agent)).all()
    assert {Role(a.role) for a in agents} == set(Role)
    for agent in (None, *agents):
        new = set(session.exec(select(Ticket.id).where(visible_tickets(session, agent))).all())
        old = set(session.exec(select(Ticket.id).where(old_visible_tickets(session, agent))).all())
        name = agent.email if agent else "anonymous"
        assert new == old, f"{name}: new {sorted(new)} ≠ old {sorted(old)}"
        for ticket in tickets:
            assert may_view(session, agent, ticket) == (ticket.id in old), (name, ticket.reference)
        for queue in session.exec(select(Queue)).all():  # a queue's list: the short condition
            listed = select(Ticket.id).where(col(Ticket.queue_id) == queue.id)
            short = set(
                session.exec(listed.where(visible_tickets(session, agent, in_queue=queue.id)))
            )
            assert short == {i for i in session.exec(listed) if i in old}, (name, queue.code)


def test_passages_are_the_current_queue_and_those_the_history_names(
    session: Session, tmp_path: Path
):
    tickets = build_world(session, tmp_path)
    for ticket in tickets:
        session.refresh(ticket)
        passed = passed_queue_ids(session, ticket_id=ticket.id)  # type: ignore[arg-type]
        assert passed == history_queue_ids(session, ticket), ticket.reference


def test_recording_a_passage_twice_keeps_one_row(session: Session):
    ticket = make_ticket(session)
    for _ in range(2):
        record_passage(session, ticket_id=ticket.id, queue_id=ticket.queue_id)  # type: ignore[arg-type]
    session.commit()
    assert passed_queue_ids(session, ticket_id=ticket.id) == {ticket.queue_id}  # type: ignore[arg-type]


def test_moving_a_ticket_without_its_passage_cannot_be_committed(session: Session):
    ticket = make_ticket(session)
    session.commit()
    sdst = session.exec(select(Queue).where(Queue.code == "sdst")).one()
    ticket.queue_id = sdst.id  # type: ignore[assignment]
    with pytest.raises(MissingPassageError):
        session.commit()
    session.rollback()


# ---------------------------------------------------------------- the plan at scale (PostgreSQL)

TICKETS = 20_000
# Every ticket starts at the CCC; one in two goes up to DP ANEF; one in fifty sits at SDST
# and one in fifty went to SDST and came back: level 3 sees few of the tickets.
BULK_TICKETS = """
INSERT INTO ticket (reference, channel, requester_name, subject, status, priority, queue_id,
    owner_queue_id, language, created_at, updated_at, version, answer_received,
    resolved_at_first_contact)
SELECT 'PLAN-' || g, 'form', '', 'Sujet ' || g, 'open', 'normal',
    CASE WHEN g % 50 = 0 THEN :sdst WHEN g % 2 = 1 THEN :dp ELSE :ccc END,
    :ccc, 'fr', now() - g * interval '1 minute', now(), 1, false, false
FROM generate_series(1, :n) AS g
"""
BULK_PASSAGES = """
INSERT INTO ticket_queue_passage (queue_id, ticket_id)
SELECT queue_id, id FROM ticket
UNION SELECT :ccc, id FROM ticket
UNION SELECT :dp, id FROM ticket WHERE queue_id <> :ccc
UNION SELECT :sdst, id FROM ticket WHERE id % 50 = 1 AND queue_id = :dp
"""
BULK_EVENTS = """
INSERT INTO ticket_event (ticket_id, at, actor_label, kind, from_value, to_value, data)
SELECT id, created_at, '', 'created', NULL, 'ccc', CAST('{}' AS json) FROM ticket
UNION ALL SELECT id, created_at, '', 'escalate', 'ccc', 'dp-anef', CAST('{}' AS json) FROM ticket
    WHERE queue_id <> :ccc
UNION ALL SELECT id, created_at, '', 'escalate', 'dp-anef', 'sdst', CAST('{}' AS json) FROM ticket
    WHERE id % 50 = 1 AND queue_id = :dp
UNION ALL SELECT id, created_at, '', 'return', 'sdst', 'dp-anef', CAST('{}' AS json) FROM ticket
    WHERE id % 50 = 1 AND queue_id = :dp
"""


def explain(session: Session, statement: Any) -> str:
    """PostgreSQL's plan of a statement (without running it)."""
    dialect = session.get_bind().dialect
    sql = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    rows = session.execute(text(f"EXPLAIN {sql}")).scalars().all()
    return "\n".join(rows)


def test_a_queue_list_and_its_count_read_the_passage_index(postgres_engine: Engine):
    with Session(postgres_engine) as session:
        agent_id = make_agent(session, organisation="sdst", queues=("sdst",)).id
        session.commit()
        ids = {q.code: q.id for q in session.exec(select(Queue))}
        values = {"ccc": ids["ccc"], "dp": ids["dp-anef"], "sdst": ids["sdst"], "n": TICKETS}
        for bulk in (BULK_TICKETS, BULK_PASSAGES, BULK_EVENTS):
            session.execute(text(bulk), values)
        session.commit()
    vacuum_analyse(postgres_engine, "ticket, ticket_queue_passage, ticket_event")
    with Session(postgres_engine) as session:
        agent = session.get(Agent, agent_id)
        visible = visible_tickets(session, agent)
        page = select(Ticket.id).where(visible).order_by(col(Ticket.created_at), col(Ticket.id))
        count = select(func.count()).select_from(Ticket).where(visible)
        for statement in (page.limit(51), count):
            plan = explain(session, statement)
            assert "ticket_queue_passage_pkey" in plan, plan
            assert "ticket_event" not in plan, plan
        # The condition before revision 0011, for comparison: it reads the whole history.
        old_count = select(func.count()).select_from(Ticket)
        old = explain(session, old_count.where(old_visible_tickets(session, agent)))
        assert "Seq Scan on ticket_event" in old, old
        seen = session.exec(count).one()
    assert seen == TICKETS // 50 * 2


def test_an_escalation_on_a_missed_deadline_records_the_passage(session: Session):
    ticket = make_ticket(session)
    check_ticket(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    session.commit()
    ccc, dp = (session.exec(select(Queue).where(Queue.code == c)).one() for c in ("ccc", "dp-anef"))
    policy = session.exec(
        select(SlaPolicy).where(SlaPolicy.queue_id == ccc.id, SlaPolicy.priority == "normal")
    ).one()
    update_policy(
        session,
        policy_id=policy.id,  # type: ignore[arg-type]
        response_minutes=1,
        resolution_minutes=2,
        warn_before_minutes=0,
        raise_priority=False,
        notify_supervisor=False,
        escalate_to_queue_id=dp.id,
    )
    session.commit()
    check_ticket(session, ticket_id=ticket.id, now=utcnow() + timedelta(days=30))  # type: ignore[arg-type]
    session.commit()
    session.refresh(ticket)
    assert ticket.queue_id == dp.id
    assert passed_queue_ids(session, ticket_id=ticket.id) == {ccc.id, dp.id}  # type: ignore[arg-type]
