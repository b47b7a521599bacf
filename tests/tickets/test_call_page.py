"""« Nouvel appel »: the caller's history and dossiers as the identifiers are typed, the
dossier attached to the call's ticket, the notes kept as an internal call note, and the
confirmation on the ticket page. Through the web stack and the reference dossier service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from test_migrations import _alembic
from test_migrations import scratch_engine as scratch_engine_fixture

from dossiers.model import Dossier
from helpdesk.intake.followup import public_conversation
from helpdesk.tickets.models import Message, MessageKind, Ticket

from conftest import WebClient, make_settings
from factories import make_agent, make_ticket
from support.dossier_service import REFERENCE_TOKEN, demo, reference_service

scratch_engine = scratch_engine_fixture  # a migrated database of its own, for 0019


@pytest.fixture()
def call_web(sqlite_engine: Engine, tmp_path: Path) -> Iterator[WebClient]:
    """The application wired to the reference dossier service."""
    with reference_service(tmp_path) as reference:
        settings = make_settings(
            tmp_path,
            dossiers_url=reference.url,
            dossiers_token=REFERENCE_TOKEN,
            dossiers_cache_seconds=0,
        )
        with WebClient.start(sqlite_engine, settings) as web:
            yield web


def _caller(web: WebClient) -> tuple[str, Dossier]:
    """A téléconseiller signed in, and the dossier of a caller who wrote before."""
    dossier = demo("instruction")
    with web.session() as session:
        advisor = make_agent(session)
        make_ticket(
            session,
            subject="Ma précédente demande",
            requester_email=dossier.contact_email.upper(),
        )
        make_ticket(
            session,
            subject="Au SDST, hors de vue",
            requester_email=dossier.contact_email,
            queue_code="sdst",
        )
        session.commit()
    web.sign_in(advisor.email)
    return advisor.email, dossier


def test_typing_the_identifiers_shows_the_history_and_the_dossiers(call_web: WebClient):
    web = call_web
    _, dossier = _caller(web)
    token = web.csrf("/appels/nouveau")
    fields = {
        "requester_email": dossier.contact_email,
        "requester_foreign_number": dossier.foreign_number,
        "_csrf_token": token,
    }
    fragment = web.client.post("/appels/demandeur", data=fields, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Ma précédente demande" in fragment.text
    assert "hors de vue" not in fragment.text
    assert dossier.number in fragment.text and dossier.status_label in fragment.text
    assert fragment.headers["cache-control"] == "private, no-store"
    # Without JavaScript the same button posts the whole form and gets the page back.
    page = web.client.post("/appels/demandeur", data={**fields, "notes": "Il rappelle"})
    assert page.status_code == 200 and "<html" in page.text
    assert "Il rappelle" in page.text and "Ma précédente demande" in page.text
    with web.session() as session:
        assert session.exec(select(Ticket).where(Ticket.channel == "phone")).all() == []


def test_a_wrong_numero_etranger_is_said_and_nothing_else_breaks(call_web: WebClient):
    web = call_web
    _caller(web)
    token = web.csrf("/appels/nouveau")
    fragment = web.client.post(
        "/appels/demandeur",
        data={"requester_foreign_number": "12ab", "_csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "10 chiffres" in fragment.text


def test_a_saved_call_attaches_the_dossier_and_keeps_its_note_internal(call_web: WebClient):
    web = call_web
    _, dossier = _caller(web)
    saved = web.post_form(
        "/appels/nouveau",
        {
            "requester_name": "Awa Traoré",
            "requester_email": dossier.contact_email,
            "requester_foreign_number": dossier.foreign_number,
            "dossier_number": dossier.number,
            "notes": "Appelle pour son attestation ; identité vérifiée, ton agacé.",
            "outcome": "resolved",
        },
        page="/appels/nouveau",
    )
    assert saved.status_code == 303
    confirmation = web.client.get(saved.headers["location"])
    with web.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.channel == "phone")).one()
        messages = session.exec(
            select(Message).where(Message.ticket_id == ticket.id).order_by(col(Message.id))
        ).all()
        assert ticket.dossier_number == dossier.number
        assert [m.kind for m in messages] == [MessageKind.CALL_NOTE]
        assert messages[0].author_id is not None
        assert public_conversation(session, ticket=ticket) == []
    assert f"Appel enregistré : ticket {ticket.reference} résolu au premier contact" in (
        confirmation.text
    )


def test_a_refused_call_comes_back_with_everything_typed(call_web: WebClient):
    web = call_web
    _, dossier = _caller(web)
    refused = web.post_form(
        "/appels/nouveau",
        {
            "requester_email": dossier.contact_email,
            "requester_foreign_number": dossier.foreign_number,
            "dossier_number": "9999999999999999999",
            "notes": "Note gardée",
            "outcome": "escalated",
            "reason": "Blocage",
        },
        page="/appels/nouveau",
    )
    assert refused.status_code == 422
    assert "Note gardée" in refused.text and "Blocage" in refused.text
    assert 'id="erreur-dossier_number"' in refused.text
    assert "Ma précédente demande" in refused.text
    with web.session() as session:
        assert session.exec(select(Ticket).where(Ticket.channel == "phone")).all() == []


def test_revision_0019_turns_the_first_message_of_phone_tickets_into_a_call_note(
    scratch_engine: Engine,
):
    with Session(scratch_engine, expire_on_commit=False) as session:
        phone = make_ticket(session, channel="phone", subject="Appel ancien", body="Note")
        form = make_ticket(session, subject="Formulaire", body="Message de l'usager")
        session.flush()
        phone_id, form_id = phone.id, form.id
        session.commit()
    _alembic(scratch_engine, "downgrade", "0018")
    with scratch_engine.begin() as connection:
        kinds = connection.execute(sa.text("SELECT DISTINCT kind FROM message")).scalars().all()
        assert set(kinds) == {"requester"}
        connection.execute(
            sa.text(
                "INSERT INTO message (ticket_id, kind, author_label, body, created_at) "
                "SELECT ticket_id, 'requester', 'Usager', 'Rappel', created_at FROM message "
                "WHERE ticket_id = :id"
            ),
            {"id": phone_id},
        )
    _alembic(scratch_engine, "upgrade", "head")
    with Session(scratch_engine) as session:
        rows = session.exec(select(Message.ticket_id, Message.kind).order_by(col(Message.id)))
        assert [(t, str(k)) for t, k in rows.all()] == [
            (phone_id, "call_note"),
            (form_id, "requester"),
            (phone_id, "requester"),
        ]
