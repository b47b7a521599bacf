"""Reply drafts: saved per ticket and agent, restored, discarded when sent or closed, never
shown to another agent; the side panels' memory. Through the web stack, SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.auth import preferences
from helpdesk.auth.models import Agent
from helpdesk.tickets import drafts, service
from helpdesk.tickets.draft_models import TicketDraft
from helpdesk.tickets.lifecycle import transition
from helpdesk.tickets.models import Status

from conftest import WebClient
from factories import make_agent, make_ticket


def _world(web: WebClient) -> tuple[Agent, Agent, Agent, int]:
    """Two téléconseillers of the CCC, a SDST agent, and a ticket at the CCC."""
    with web.session() as session:
        camille = make_agent(session)
        lea = make_agent(session)
        sdst = make_agent(session, organisation="sdst", queues=("sdst",))
        ticket = make_ticket(session)
        session.commit()
        return camille, lea, sdst, ticket.id or 0


def _save(web: WebClient, ticket_id: int, body: str):
    return web.post_form(f"/tickets/{ticket_id}/brouillon", {"body": body}, page="/")


def test_a_draft_is_saved_restored_and_kept_to_its_agent(any_web: WebClient):
    web = any_web
    camille, lea, _, ticket_id = _world(web)
    web.sign_in(camille.email)
    saved = _save(web, ticket_id, "Bonjour, votre attestation")
    assert saved.status_code == 200
    assert "Brouillon enregistré à " in saved.text
    again = _save(web, ticket_id, "Bonjour, votre attestation de prolongation")
    assert again.status_code == 200
    with web.session() as session:
        assert drafts.draft_for(session, camille, ticket_id) == (
            "Bonjour, votre attestation de prolongation"
        )
        assert drafts.draft_for(session, lea, ticket_id) == ""
        rows = session.exec(select(TicketDraft).where(TicketDraft.ticket_id == ticket_id)).all()
        assert len(rows) == 1
    web.sign_in(lea.email)
    _save(web, ticket_id, "Le brouillon de Léa")
    with web.session() as session:
        assert drafts.draft_for(session, camille, ticket_id).endswith("de prolongation")
        assert drafts.draft_for(session, lea, ticket_id) == "Le brouillon de Léa"


def test_an_agent_who_may_not_write_on_the_ticket_saves_nothing(any_web: WebClient):
    web = any_web
    _, _, sdst, ticket_id = _world(web)
    web.sign_in(sdst.email)
    refused = _save(web, ticket_id, "Je ne devrais pas écrire ici")
    assert refused.status_code == 404
    with web.session() as session:
        assert session.exec(select(TicketDraft)).all() == []


def test_a_draft_too_long_is_refused_with_the_count(any_web: WebClient):
    web = any_web
    camille, _, _, ticket_id = _world(web)
    web.sign_in(camille.email)
    refused = _save(web, ticket_id, "a" * 20_001)
    assert refused.status_code == 422
    assert "Brouillon non enregistré" in refused.text and "20\u202f001" in refused.text
    with web.session() as session:
        assert drafts.draft_for(session, camille, ticket_id) == ""


def test_a_draft_is_discarded_when_sent_emptied_or_the_ticket_closed(any_web: WebClient):
    web = any_web
    camille, lea, _, ticket_id = _world(web)
    web.sign_in(camille.email)
    _save(web, ticket_id, "Réponse en cours")
    emptied = _save(web, ticket_id, "   ")
    assert emptied.status_code == 200 and "Brouillon effacé" in emptied.text
    with web.session() as session:
        assert drafts.draft_for(session, camille, ticket_id) == ""
    _save(web, ticket_id, "Réponse en cours")
    with web.session() as session:
        drafts.discard(session, camille.id or 0, ticket_id)
        session.commit()
        assert drafts.draft_for(session, camille, ticket_id) == ""
    _save(web, ticket_id, "Encore une réponse")
    web.sign_in(lea.email)
    _save(web, ticket_id, "La note de Léa")
    with web.session() as session:
        ticket = service.load_for_change(session, ticket_id, None, actor=camille, action=None)
        transition(session, ticket, Status.RESOLVED, actor=camille, reason="Répondu")
        session.flush()
        assert len(session.exec(select(TicketDraft)).all()) == 2
        transition(session, ticket, Status.CLOSED, actor=camille, reason="Doublon")
        session.commit()
        assert session.exec(select(TicketDraft)).all() == []


def test_side_panels_are_remembered_per_agent(any_web: WebClient):
    web = any_web
    camille, lea, _, _ = _world(web)
    with web.session() as session:
        assert preferences.open_panels(session, camille) == set(preferences.PANELS)
    web.sign_in(camille.email)
    closed = web.post_form("/console/panneaux", {"panel": "kb", "open": "0"}, page="/")
    assert closed.status_code == 204
    web.post_form("/console/panneaux", {"panel": "history", "open": "0"}, page="/")
    web.post_form("/console/panneaux", {"panel": "history", "open": "1"}, page="/")
    unknown = web.post_form("/console/panneaux", {"panel": "<script>", "open": "0"}, page="/")
    assert unknown.status_code == 422
    with web.session() as session:
        assert preferences.open_panels(session, camille) == set(preferences.PANELS) - {"kb"}
        assert preferences.open_panels(session, lea) == set(preferences.PANELS)
