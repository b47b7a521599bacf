"""A refused action undoes everything it wrote: the form comes back, no row is left behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func
from sqlmodel import select

from helpdesk.jobs.models import OutboxMessage
from helpdesk.tickets.models import Message, Ticket, TicketEvent

from conftest import WebClient
from factories import make_agent

CALL = {
    "requester_name": "Léa Martin",
    "requester_email": "lea.martin@example.org",
    "subject": "Titre de séjour perdu",
    "notes": "L'usagère a perdu son titre et demande la marche à suivre.",
    "outcome": "escalated",
    "checked": "Identité vérifiée, dossier en cours.",
    "question": "Quelle démarche pour un duplicata ?",
    "reason": "",  # the escalation needs a reason: refused once the ticket is written
}


@contextmanager
def inserts_into(web: WebClient, table: str) -> Iterator[list[str]]:
    """The INSERT statements on `table` that the application runs inside the block."""
    seen: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            seen.append(statement)

    event.listen(web.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(web.engine, "before_cursor_execute", spy)


def counts(web: WebClient) -> dict[str, int]:
    """How many tickets, messages, events and outbox rows the database holds."""
    with web.session() as session:
        return {
            model.__name__: int(session.exec(select(func.count()).select_from(model)).one())
            for model in (Ticket, Message, TicketEvent, OutboxMessage)
        }


def test_a_refused_escalation_leaves_no_ticket_and_shows_the_call_again(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        session.commit()
    web.sign_in(advisor.email)
    before = counts(web)

    with inserts_into(web, "ticket") as written:
        response = web.post_form("/appels/nouveau", CALL, page="/appels/nouveau")

    assert written, "the ticket row was written before the refusal"
    assert response.status_code == 422
    assert "Indiquez le motif de l&#39;escalade." in response.text
    assert 'value="Léa Martin"' in response.text
    assert "Quelle démarche pour un duplicata ?</textarea>" in response.text
    assert counts(web) == before  # nothing of the refused call was committed

    accepted = web.post_form(
        "/appels/nouveau", {**CALL, "reason": "Question métier"}, page="/appels/nouveau"
    )
    assert accepted.status_code == 303
    assert counts(web)["Ticket"] == before["Ticket"] + 1


def test_a_refused_rule_leaves_no_rule_behind(web: WebClient):
    from helpdesk.auth.models import Role
    from helpdesk.ticket_routing.models import RoutingRule

    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=("dp-anef",))
        session.commit()
        rules = len(session.exec(select(RoutingRule)).all())
    web.sign_in(admin.email)
    form = {"name": "Essai", "conditions": "texte contient vol", "actions": "file = nulle-part"}
    response = web.post_form("/admin/routage/regles", form, page="/admin/routage/regles/nouvelle")
    assert response.status_code == 422
    assert "nulle-part" in response.text and "texte contient vol" in response.text
    with web.session() as session:
        assert len(session.exec(select(RoutingRule)).all()) == rules
