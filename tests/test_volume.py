"""The volume generator: generated tickets are consistent with what the services write."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from helpdesk.cli import main
from helpdesk.db import make_engine
from helpdesk.ticket_routing.clocks import ticket_clocks
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets.events import HANDOVER_KINDS
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES, status_changes
from helpdesk.tickets.models import (
    Message,
    Queue,
    Status,
    Ticket,
    TicketEvent,
    TicketSearchDocument,
)
from helpdesk.tickets.passages import passed_queue_ids
from helpdesk.tickets.search import matching_ticket_ids, search_parts
from helpdesk.volume import seed_volume
from helpdesk.volume.stories import Chain, new_story, play

from factories import make_agent, make_ticket

COUNT = 300
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
REFERENCE = re.compile(r"^ANEF-(\d{4})-\d{6,}$")


@pytest.fixture()
def generated(engine: Engine) -> Engine:
    """A database with an agent on every level (one password hash) and COUNT tickets."""
    with Session(engine) as session:
        make_agent(session, queues=("ccc", "dp-anef", "sdst", "sdanf"))
        session.commit()
    report = seed_volume(engine, tickets=COUNT, seed=7, now=NOW, batch=120, set_indexes_aside=True)
    assert report.tickets == COUNT and report.events > COUNT and report.messages > COUNT
    return engine


def test_histories_end_in_the_status_and_queue_and_the_sla_check_agrees(generated: Engine):
    with Session(generated) as session:
        queues = {q.id: q.code for q in session.exec(select(Queue))}
        tickets = list(session.exec(select(Ticket)))
        statuses = {t.status for t in tickets}
        for ticket in tickets:
            events = list(
                session.exec(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket.id)
                    .order_by(col(TicketEvent.at), col(TicketEvent.id))
                )
            )
            assert events[0].kind == "created" and events[0].to_value == "ccc"
            changes = [c for c in status_changes(events) if c is not None]
            assert (changes[-1][1] if changes else Status.NEW) == ticket.status
            moves = [e.to_value for e in events if e.kind in HANDOVER_KINDS]
            assert (moves[-1] if moves else "ccc") == queues[ticket.queue_id]
            assert ticket.created_at <= ticket.updated_at <= NOW
            assert (ticket.closed_at is not None) == (ticket.status == Status.CLOSED)
    assert {Status.CLOSED, Status.RESOLVED} <= statuses and statuses & ACTIVE_STATUSES
    _the_sla_check_keeps_the_generated_clocks(generated)


def _the_sla_check_keeps_the_generated_clocks(generated: Engine) -> None:
    """Checking active tickets neither adds nor drops clocks: they are those sync_clocks keeps."""
    with Session(generated) as session:
        active = session.exec(
            select(Ticket).where(col(Ticket.status).in_([s.value for s in ACTIVE_STATUSES]))
        ).all()
        assert active
        for ticket in active[:10]:
            before = [(c.id, c.queue_id, c.stopped_at) for c in ticket_clocks(session, ticket.id)]  # type: ignore[arg-type]
            check_ticket(session, ticket_id=ticket.id, now=NOW)  # type: ignore[arg-type]
            after = [(c.id, c.queue_id, c.stopped_at) for c in ticket_clocks(session, ticket.id)]  # type: ignore[arg-type]
            assert after == before and before[-1][2] is None
        session.rollback()


def test_search_documents_match_the_index_and_the_search_finds_tickets(generated: Engine):
    with Session(generated) as session:
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.id))))
        for ticket in tickets:
            bodies = session.exec(
                select(Message.body).where(Message.ticket_id == ticket.id).order_by(col(Message.id))
            ).all()
            stored = session.get(TicketSearchDocument, ticket.id)
            assert stored is not None
            expected = search_parts(ticket, bodies)
            assert (stored.heading, stored.contact, stored.body) == (
                expected.heading,
                expected.contact,
                expected.body,
            )
        sample = tickets[len(tickets) // 2]
        with_email = next(t for t in tickets if t.requester_email)
        for query, expected in (
            (sample.reference, sample),
            (with_email.requester_email or "", with_email),
            (sample.subject, sample),
            ("attestation", None),
        ):
            condition = matching_ticket_ids(session, query)
            assert condition is not None
            found = set(session.exec(select(Ticket.id).where(condition)))
            assert found and (expected is None or expected.id in found), query


def test_references_are_unique_and_the_service_continues_after_them(generated: Engine):
    with Session(generated) as session:
        references = list(session.exec(select(Ticket.reference)))
        assert len(set(references)) == COUNT
        for ticket in session.exec(select(Ticket)):
            match = REFERENCE.match(ticket.reference)
            assert match and int(match.group(1)) == ticket.created_at.year
        numbers = [int(r.rsplit("-", 1)[1]) for r in references]
        created = make_ticket(session)
        session.commit()
        assert created.reference not in references
        assert int(created.reference.rsplit("-", 1)[1]) > max(numbers)
        assert created.id is not None and created.id > COUNT


def test_a_large_load_generates_in_workers_and_puts_the_indexes_back(postgres_engine: Engine):
    query = text("SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'ticket%'")
    with postgres_engine.connect() as connection:
        before = connection.execute(query).scalar_one()
    report = seed_volume(
        postgres_engine, tickets=20, seed=1, now=NOW, batch=8, set_indexes_aside=True, processes=2
    )
    with postgres_engine.connect() as connection:
        assert connection.execute(query).scalar_one() == before
        written = connection.execute(text("SELECT COUNT(DISTINCT reference) FROM ticket"))
        assert report.tickets == written.scalar_one() == 20


def test_a_seed_gives_the_same_story():
    chain = Chain(
        queue_ids={"ccc": 1, "dp-anef": 2, "sdst": 3, "sdanf": 4},
        levels={"ccc": 1, "dp-anef": 2, "sdst": 3, "sdanf": 3},
        agents={},
        policies={},
    )

    def story() -> tuple[dict, list]:
        rng = random.Random(5)
        at = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
        played = play(new_story(chain, rng, NOW, ticket_id=1, number=1, at=at))
        return played.ticket, [e.__dict__ for e in played.events]

    assert story() == story()


def test_seed_volume_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'volume.db'}"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "cli-test-secret")
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    result = runner.invoke(main, ["seed-volume", "--tickets", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Volume écrit : 40 tickets" in result.output
    with Session(make_engine(url)) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 40
    refused = runner.invoke(main, ["seed-volume", "--tickets", "0"])
    assert refused.exit_code != 0


def test_generated_tickets_have_the_passages_of_their_history(generated: Engine):
    moves = ("created", "escalate", "transfer", "return", "routed")
    with Session(generated) as session:
        ids = {q.code: q.id for q in session.exec(select(Queue))}
        travelled = 0
        for ticket in session.exec(select(Ticket)).all():
            events = session.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind).in_(moves)
                )
            ).all()
            named = {ids[v] for e in events for v in (e.from_value, e.to_value) if v in ids}
            passed = passed_queue_ids(session, ticket_id=ticket.id)  # type: ignore[arg-type]
            assert passed == {ticket.queue_id, *named}, ticket.reference
            travelled += len(passed) > 1
    assert travelled > COUNT // 10
