"""The queues a ticket has been in, its current one included: who keeps reading it.

Written only through `record_passage`, by the lifecycle when a ticket gets a queue (its
creation, a hand-over, a routing rule); read by helpdesk.policy as an index lookup.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from helpdesk.tickets.models import TicketQueuePassage


def record_passage(session: Session, *, ticket_id: int, queue_id: int) -> None:
    """Note that the ticket is in this queue; a passage already noted stays as it is."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(TicketQueuePassage).values(ticket_id=ticket_id, queue_id=queue_id)
    session.execute(statement.on_conflict_do_nothing())


def passed_queue_ids(session: Session, *, ticket_id: int) -> set[int]:
    """The queues the ticket has been in (its current one included)."""
    rows = session.exec(
        select(TicketQueuePassage.queue_id).where(TicketQueuePassage.ticket_id == ticket_id)
    ).all()
    return set(rows)
