"""Concurrent ticket creation on PostgreSQL yields unique references."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from helpdesk.tickets.models import Ticket

from factories import make_ticket


def test_fifty_threads_create_tickets_with_unique_references(postgres_engine: Engine):
    def create(index: int) -> str:
        with Session(postgres_engine, expire_on_commit=False) as session:
            ticket = make_ticket(session, subject=f"Demande concurrente {index}")
            session.commit()
            return ticket.reference

    with ThreadPoolExecutor(max_workers=50) as pool:
        references = list(pool.map(create, range(50)))

    assert len(set(references)) == 50
    assert all(re.fullmatch(r"ANEF-\d{4}-\d{6}", ref) for ref in references)
    with Session(postgres_engine) as session:
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 50


def test_a_rolled_back_creation_leaves_a_gap_not_a_duplicate(postgres_engine: Engine):
    with Session(postgres_engine) as session:
        lost = make_ticket(session).reference
        session.rollback()
    with Session(postgres_engine) as session:
        kept = make_ticket(session).reference
        session.commit()
    assert kept != lost
    assert int(kept[-6:]) == int(lost[-6:]) + 1
