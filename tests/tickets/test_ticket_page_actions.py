"""The ticket page's actions through the web layer, on SQLite and PostgreSQL: take and assign,
reply and set the status, refusals kept on the page, confirmations after each action."""

from __future__ import annotations

import re

from helpdesk.auth.models import Role
from helpdesk.tickets.models import Status, Ticket

from conftest import WebClient
from factories import make_agent, make_ticket


def _ticket(web: WebClient, ticket_id: int) -> Ticket:
    with web.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


def _post(web: WebClient, ticket_id: int, action: str, data: dict[str, str]):
    page = f"/tickets/{ticket_id}"
    return web.post_form(f"{page}/{action}", data, page=page)


def _flash(web: WebClient, response) -> str:
    """The confirmation the page after a redirect shows."""
    assert response.status_code == 303, response.text[:500]
    page = web.client.get(response.headers["location"])
    found = re.search(r'data-testid="flash"><p>([^<]*)</p>', page.text)
    assert found, "no confirmation on the next page"
    return found.group(1).replace("&#39;", "'")


def test_taking_and_assigning_are_separate_and_confirmed(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        colleague = make_agent(session)
        stranger = make_agent(session, organisation="sdst", queues=("sdst",))
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    page = any_web.client.get(f"/tickets/{ticket.id}").text
    assert f'action="/tickets/{ticket.id}/prendre"' in page
    # The take button no longer shares its form with the "Attribuer à" select.
    take_form = page.split('data-testid="take-form"')[1].split("</form>")[0]
    assert "assignee_id" not in take_form

    taken = _post(any_web, ticket.id, "prendre", {"version": str(ticket.version)})
    assert _flash(any_web, taken) == "Vous avez pris ce ticket"
    assert _ticket(any_web, ticket.id).assignee_id == advisor.id

    version = str(_ticket(any_web, ticket.id).version)
    given = _post(
        any_web, ticket.id, "assign", {"assignee_id": str(colleague.id), "version": version}
    )
    assert _flash(any_web, given) == f"Ticket attribué à {colleague.full_name}"

    version = str(_ticket(any_web, ticket.id).version)
    refused = _post(
        any_web, ticket.id, "assign", {"assignee_id": str(stranger.id), "version": version}
    )
    assert refused.status_code == 422
    assert 'data-testid="refusal"' in refused.text
    assert "Choisissez un membre de la file du ticket." in refused.text  # beside the select
    assert 'aria-controls="modale-attribuer" data-fr-opened="true"' in refused.text
    assert _ticket(any_web, ticket.id).assignee_id == colleague.id


def test_a_reply_sets_the_status_it_was_sent_with(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        first, waiting, resolved, noted = (make_ticket(session) for _ in range(4))
        session.commit()
    any_web.sign_in(advisor.email)
    page = any_web.client.get(f"/tickets/{first.id}").text
    assert "Envoyer la réponse à l'usager" in page and "Enregistrer le message" not in page
    assert f'data-draft-url="/tickets/{first.id}/brouillon"' in page

    def send(ticket: Ticket, button: str) -> str:
        data = {"body": "Bonjour, voici la réponse.", "send": button, "version": "1"}
        return _flash(any_web, _post(any_web, ticket.id, "messages", data))

    assert send(first, "reply") == "Réponse envoyée à l'usager ; statut : En cours"
    assert _ticket(any_web, first.id).status == Status.OPEN
    assert send(waiting, "reply_waiting").endswith("statut : En attente du demandeur")
    assert _ticket(any_web, waiting.id).status == Status.WAITING
    assert send(resolved, "reply_resolved").endswith("statut : Résolu")
    assert _ticket(any_web, resolved.id).status == Status.RESOLVED
    assert send(noted, "note") == "Note interne enregistrée"
    assert _ticket(any_web, noted.id).status == Status.NEW


def test_an_empty_reply_is_refused_on_the_page_and_changes_nothing(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    data = {"body": "  ", "send": "reply_resolved", "version": "1"}
    response = _post(any_web, ticket.id, "messages", data)
    assert response.status_code == 422
    assert 'id="body-erreur"' in response.text
    assert _ticket(any_web, ticket.id).status == Status.NEW


def test_refused_merges_and_links_stay_on_the_page_with_the_reference(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        stranger = make_ticket(session, requester_email="autre@example.org")
        session.commit()
    any_web.sign_in(advisor.email)
    cases = [
        ("fusion", "ANEF-2020-999999", "Aucun ticket accessible"),
        ("liens", "ANEF-2020-999999", "Aucun ticket accessible"),
        ("fusion", stranger.reference, "même demandeur"),
        ("fusion", ticket.reference, "lui-même"),
        ("liens", ticket.reference, "lui-même"),
    ]
    for action, reference, words in cases:
        response = _post(any_web, ticket.id, action, {"reference": reference})
        assert response.status_code == 422, (action, reference)
        assert f'data-testid="reference">{ticket.reference}<' in response.text  # the ticket page
        assert 'id="reference-erreur"' in response.text and words in response.text
        assert f'value="{reference}"' in response.text  # what was typed is kept
    assert _ticket(any_web, ticket.id).status == Status.NEW


def test_linking_and_a_status_change_are_confirmed(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        other = make_ticket(session, requester_email="autre@example.org")
        session.commit()
    any_web.sign_in(advisor.email)
    linked = _post(any_web, ticket.id, "liens", {"reference": other.reference})
    assert _flash(any_web, linked) == f"Ticket lié à {other.reference}"
    version = str(_ticket(any_web, ticket.id).version)
    waiting = _post(any_web, ticket.id, "status", {"status": "waiting", "version": version})
    assert _flash(any_web, waiting) == "Statut changé : En attente du demandeur"


def test_labels_and_the_answer_coming_back_down_the_chain(any_web: WebClient):
    with any_web.session() as session:
        advisor = make_agent(session)
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        sdst = make_agent(session, organisation="sdst", queues=("sdst",))
        ticket = make_ticket(session, procedure="vie-privee-familiale")
        session.commit()
    summary = {"reason": "motif", "checked": "vérifié", "question": "Le droit est-il maintenu ?"}
    any_web.sign_in(advisor.email)
    sent = _post(any_web, ticket.id, "handover", {"to_queue": "dp-anef", "version": "1", **summary})
    assert _flash(any_web, sent) == "Ticket transmis à la DP ANEF"
    page = any_web.client.get(f"/tickets/{ticket.id}").text
    assert "vie-privee-familiale" not in page.split('data-testid="facts"')[1].split("</dl>")[0]
    assert "CCC → DP ANEF" in page and "ccc → dp-anef" not in page

    any_web.sign_in(dp.email)
    version = str(_ticket(any_web, ticket.id).version)
    _post(any_web, ticket.id, "handover", {"to_queue": "sdst", "version": version, **summary})
    any_web.sign_in(sdst.email)
    version = str(_ticket(any_web, ticket.id).version)
    answer = "Oui, le droit au travail est maintenu."
    back = _post(
        any_web,
        ticket.id,
        "handover",
        {"to_queue": "dp-anef", "answer": answer, "version": version},
    )
    assert _flash(any_web, back) == "Réponse renvoyée à la DP ANEF"

    any_web.sign_in(dp.email)
    page = any_web.client.get(f"/tickets/{ticket.id}").text
    assert "Réponse du SDST" in page and "Question posée : Le droit est-il maintenu ?" in page
    assert f'name="answer" rows="4" maxlength="20000">{answer}</textarea>' in page  # pre-filled

    version = str(_ticket(any_web, ticket.id).version)
    _post(any_web, ticket.id, "handover", {"to_queue": "ccc", "answer": answer, "version": version})
    any_web.sign_in(advisor.email)
    page = any_web.client.get(f"/tickets/{ticket.id}").text
    assert "Réponse de la DP ANEF" in page
    assert re.search(r'id="body"[^>]*>' + re.escape(answer) + "</textarea>", page)
    version = str(_ticket(any_web, ticket.id).version)
    data = {"body": answer, "send": "reply_resolved", "version": version}
    _post(any_web, ticket.id, "messages", data)
    after = _ticket(any_web, ticket.id)
    assert after.answer_received is False and after.status == Status.RESOLVED
