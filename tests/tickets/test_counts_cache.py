"""The home counts are cached for a few seconds and forgotten when this process changes a
ticket."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.tickets.counts import cached_open_counts, forget_counts
from helpdesk.tickets.models import Queue, Ticket

from factories import make_ticket


def ccc_count(session: Session) -> int:
    """The cached count of the CCC queue."""
    queues = list(session.exec(select(Queue)))
    ccc = next(q for q in queues if q.code == "ccc")
    return cached_open_counts(session, queues)[ccc.id]  # type: ignore[index]


def test_a_ticket_committed_here_shows_at_once(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        before = ccc_count(session)
        make_ticket(session)
        session.commit()
        assert ccc_count(session) == before + 1


def test_a_change_made_elsewhere_shows_once_the_cache_is_forgotten(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        make_ticket(session)
        session.commit()
        counted = ccc_count(session)
        ticket_id = session.exec(select(Ticket.id)).first()
    with engine.begin() as connection:  # as another process would: no ORM session here
        connection.execute(
            text("UPDATE ticket SET status = 'closed' WHERE id = :id"), {"id": ticket_id}
        )
    with Session(engine) as session:
        assert ccc_count(session) == counted  # still the cached count (for a few seconds)
        forget_counts()
        assert ccc_count(session) == counted - 1


def test_a_rolled_back_change_keeps_the_cache(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        counted = ccc_count(session)
        make_ticket(session)
        session.rollback()
        assert ccc_count(session) == counted
