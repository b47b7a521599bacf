"""The periodic SLA check reads only what is due, in batches, and concurrent runs share it."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import event, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.auth.models import Role
from helpdesk.jobs.exclusive import run_alone
from helpdesk.notifications.models import OutgoingMail
from helpdesk.ticket_routing.clocks import ticket_clocks
from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.ticket_routing.sla_check import check_ticket, check_tickets, tickets_to_check
from helpdesk.ticket_routing.tasks import SLA_CHECK_JOB
from helpdesk.tickets.models import Ticket

from factories import make_agent
from support.routing import events_of, paris, routed_ticket, set_history_times

ONLY_DUE = {"revisit_batch": 0, "new_batch": 0}


def overdue_tickets(session: Session, count: int) -> list[Ticket]:
    """Tickets created on Monday 2 March at 9:00, evaluated once that morning."""
    tickets = [routed_ticket(session) for _ in range(count)]
    for ticket in tickets:
        set_history_times(session, ticket, {"created": [paris(2, 9)]})
        check_ticket(session, ticket_id=ticket.id, now=paris(2, 9, 30))
    session.commit()
    return tickets


def run(session: Session, *, now, due_batch: int) -> tuple[list[int], bool]:  # type: ignore[no-untyped-def]
    """One run of the check as the job does it; the tickets it took and whether more are due."""
    plan = tickets_to_check(session, now=now, due_batch=due_batch, **ONLY_DUE)
    check_tickets(session, plan.ticket_ids, now=now)
    session.commit()
    return plan.ticket_ids, plan.more


def test_the_next_check_is_the_warning_then_the_due_date(session: Session):
    (ticket,) = overdue_tickets(session, 1)
    clock = ticket_clocks(session, ticket.id)[0]
    warning = clock.next_check_at
    assert warning is not None and clock.response_due_at is not None
    assert paris(2, 9, 30) < warning < clock.response_due_at  # the response's warning
    before, after = warning - timedelta(minutes=1), warning + timedelta(minutes=1)
    assert tickets_to_check(session, now=before, **ONLY_DUE).ticket_ids == []
    assert run(session, now=after, due_batch=10) == ([ticket.id], False)
    assert [e.data["target"] for e in events_of(session, ticket, "sla_warning")] == ["response"]
    assert ticket_clocks(session, ticket.id)[0].next_check_at == clock.response_due_at


def test_batches_take_every_due_ticket_once_across_the_boundaries(session: Session):
    tickets = overdue_tickets(session, 7)
    later = paris(4, 12)  # every target of every ticket is long past
    runs = []
    while True:
        taken, more = run(session, now=later, due_batch=3)
        runs.append(taken)
        if not more:
            break
    assert [len(taken) for taken in runs] == [3, 3, 1]
    assert sorted(i for taken in runs for i in taken) == sorted(t.id for t in tickets)
    for ticket in tickets:
        breached = sorted(e.data["target"] for e in events_of(session, ticket, "sla_breached"))
        assert breached == ["resolution", "response"]
    assert run(session, now=later, due_batch=3) == ([], False)  # nothing is due any more


def test_a_batch_costs_a_bounded_number_of_statements(postgres_engine: Engine):
    with Session(postgres_engine, expire_on_commit=False) as session:
        tickets = overdue_tickets(session, 12)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(postgres_engine, "before_cursor_execute", count)
    try:
        with Session(postgres_engine) as session:
            check_tickets(session, [t.id for t in tickets], now=paris(4, 12))  # type: ignore[misc]
            session.commit()
    finally:
        event.remove(postgres_engine, "before_cursor_execute", count)
    with Session(postgres_engine) as session:
        for ticket in tickets:
            breached = {e.data["target"] for e in events_of(session, ticket, "sla_breached")}
            assert breached == {"resolution", "response"}
    # Twelve tickets, two breaches each: the statements do not grow with the tickets (one at
    # a time, it took about 26 per ticket).
    assert len(statements) <= 40, "\n".join(statements)


def test_supervisors_get_one_e_mail_per_run_naming_only_tickets_they_may_open(
    session: Session,
):
    supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="ccc")
    elsewhere = make_agent(session, role=Role.SUPERVISOR, organisation="sdanf")
    tickets = overdue_tickets(session, 3)
    taken, _ = run(session, now=paris(4, 12), due_batch=10)
    assert sorted(taken) == sorted(t.id for t in tickets)
    mails = session.exec(select(OutgoingMail).where(OutgoingMail.recipient == supervisor.email))
    (mail,) = mails.all()
    assert all(t.reference in mail.body_text for t in tickets)
    assert mail.body_text.count("Console : /tickets/") == 6  # two targets of three tickets
    assert "6 délais dépassés sur 3 tickets" in mail.subject
    missed = select(OutgoingMail).where(OutgoingMail.recipient == elsewhere.email)
    assert session.exec(missed).all() == []  # not their queue: not told, not named


def test_paused_and_stopped_clocks_are_not_read(session: Session):
    overdue_tickets(session, 1)
    session.execute(update(TicketSlaClock).values(next_check_at=None))
    session.commit()
    assert tickets_to_check(session, now=paris(9, 12), **ONLY_DUE).ticket_ids == []


def test_two_concurrent_runs_share_the_due_clocks_on_postgresql(postgres_engine: Engine):
    with Session(postgres_engine, expire_on_commit=False) as session:
        overdue_tickets(session, 6)
    started, taken = threading.Barrier(2), []
    lock = threading.Lock()

    def one_run() -> None:
        with Session(postgres_engine) as session:
            plan = tickets_to_check(session, now=paris(4, 12), due_batch=3, **ONLY_DUE)
            started.wait()  # both hold their clocks at the same time
            with lock:
                taken.append(plan.ticket_ids)
            session.rollback()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = taken
    assert len(first) == len(second) == 3
    assert not set(first) & set(second)  # SKIP LOCKED: never the same clock twice


def test_the_due_query_reads_the_partial_index_on_postgresql(postgres_engine: Engine):
    with Session(postgres_engine) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        statement = (
            select(TicketSlaClock.ticket_id)
            .where(
                col(TicketSlaClock.stopped_at).is_(None),
                col(TicketSlaClock.next_check_at) <= paris(4, 12),
            )
            .order_by(col(TicketSlaClock.next_check_at))
            .limit(200)
        )
        compiled = statement.compile(postgres_engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_ticket_sla_clock_running_next_check" in plan, plan


def test_a_check_run_never_overlaps_itself_on_postgresql(postgres_engine: Engine):
    with Session(postgres_engine) as first, Session(postgres_engine) as second:
        assert run_alone(first, SLA_CHECK_JOB)
        assert not run_alone(second, SLA_CHECK_JOB)  # the second run leaves the work
        second.rollback()
        first.commit()  # the first run ends: its lock goes with its transaction
        assert run_alone(second, SLA_CHECK_JOB)
        second.rollback()
