"""The follow-up page: what the usager sees, answering, reopening, expiry, the single 404."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from helpdesk.db import utcnow
from helpdesk.intake.uploads import clean_upload
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.models import MessageKind, Status, Ticket
from helpdesk.tickets.service import add_message, change_status
from intake.helpers import PDF, follow_up_path, send

from conftest import WebClient
from factories import make_agent


def open_request(web: WebClient) -> tuple[str, int]:
    response = send(web, web.client.app.state.settings)
    assert response.status_code == 200
    with web.session() as session:
        ticket = session.exec(select(Ticket)).one()
    return follow_up_path(response.text), ticket.id  # type: ignore[return-value]


def answer_as_agent(web: WebClient, ticket_id: int, *, resolve: bool = False) -> None:
    with web.session() as session:
        agent = make_agent(session)
        agent.full_name = "Camille Secret"
        add_message(
            session,
            ticket_id=ticket_id,
            kind=MessageKind.INTERNAL_NOTE,
            body="Note interne : usager déjà connu",
            actor=agent,
        )
        add_message(
            session,
            ticket_id=ticket_id,
            kind=MessageKind.PUBLIC_REPLY,
            body="Votre attestation est disponible dans votre espace.",
            actor=agent,
        )
        if resolve:
            change_status(session, ticket_id=ticket_id, status=Status.RESOLVED, actor=agent)
        session.commit()


def answer(web: WebClient, path: str, message: str, **extra):
    token = web.csrf("/contact")
    return web.client.post(
        path,
        data={"_csrf_token": token, "message": message, **extra},
        files=extra.pop("files", None),
        follow_redirects=False,
    )


def test_the_page_shows_the_public_conversation_only(web: WebClient):
    path, ticket_id = open_request(web)
    answer_as_agent(web, ticket_id)
    page = web.client.get(path)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Votre attestation est disponible" in page.text
    assert "Centre de contact" in page.text
    assert "Note interne" not in page.text and "Camille Secret" not in page.text
    assert "En cours de traitement" in page.text or "Reçue" in page.text
    english = web.client.get(path + "?lang=en")
    assert "Contact centre" in english.text


def test_answering_adds_a_message_and_files(web: WebClient):
    path, _ticket_id = open_request(web)
    token = web.csrf(path)
    response = web.client.post(
        path,
        data={"_csrf_token": token, "message": "Voici le document demandé."},
        files=[("attachments", ("piece.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = web.client.get(response.headers["location"])
    assert "Voici le document demandé." in page.text
    assert "Votre message a bien été envoyé" in page.text
    link = page.text.split("/pieces-jointes/")[1].split('"')[0]
    download = web.client.get(f"{path}/pieces-jointes/{link}")
    stored = clean_upload("piece.pdf", PDF).data  # the PDF as kept: without its metadata
    assert download.status_code == 200 and download.content == stored
    assert download.headers["cache-control"] == "private, no-store"
    assert download.headers["content-security-policy"] == "sandbox"
    empty = answer(web, path, "   ")
    assert empty.status_code == 422 and "Écrivez votre message" in empty.text


def test_answering_a_resolved_ticket_reopens_it_within_thirty_days(web: WebClient):
    path, ticket_id = open_request(web)
    answer_as_agent(web, ticket_id, resolve=True)
    assert answer(web, path, "Cela ne règle pas ma question.").status_code == 303
    with web.session() as session:
        assert session.get(Ticket, ticket_id).status == Status.OPEN  # type: ignore[union-attr]


def test_after_thirty_days_the_page_invites_a_new_request(web: WebClient):
    path, ticket_id = open_request(web)
    answer_as_agent(web, ticket_id, resolve=True)
    with web.session() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.resolved_at = utcnow() - timedelta(days=31)  # type: ignore[union-attr]
        session.commit()
    page = web.client.get(path)
    assert 'data-testid="new-request"' in page.text and 'action="/suivi/' not in page.text
    refused = answer(web, path, "Encore une question.")
    assert refused.status_code == 422
    assert "faites une nouvelle demande" in refused.text


def test_wrong_expired_and_unknown_links_get_the_same_404(web: WebClient):
    path, ticket_id = open_request(web)
    wrong = web.client.get("/suivi/" + "A" * 43)
    malformed = web.client.get("/suivi/%3Cscript%3E")
    with web.session() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.status = Status.CLOSED  # type: ignore[union-attr]
        ticket.closed_at = utcnow() - timedelta(days=366)  # type: ignore[union-attr]
        session.commit()
    expired = web.client.get(path)
    bodies = {r.text.split('<meta name="csrf-token"')[0] for r in (wrong, malformed, expired)}
    assert {r.status_code for r in (wrong, malformed, expired)} == {404}
    assert all("Lien de suivi introuvable" in r.text for r in (wrong, malformed, expired))
    assert len(bodies) == 1
    assert web.client.get(path + "/pieces-jointes/1").status_code == 404


def test_an_agent_reissues_the_link_the_old_one_dies_and_the_new_one_is_mailed(web: WebClient):
    old_path, ticket_id = open_request(web)
    with web.session() as session:
        make_agent(session, email="relance@ccc.test")
        session.commit()
    web.sign_in("relance@ccc.test")
    page = web.client.get(f"/tickets/{ticket_id}")
    assert 'data-testid="reissue-link-form"' in page.text
    response = web.post_form(
        f"/tickets/{ticket_id}/lien-de-suivi", {}, page=f"/tickets/{ticket_id}"
    )
    assert response.status_code == 303
    assert (
        "Nouveau lien de suivi envoyé au demandeur" in web.client.get(f"/tickets/{ticket_id}").text
    )
    web.client.cookies.clear()
    assert web.client.get(old_path).status_code == 404  # the same answer as an unknown link
    with web.session() as session:
        mails = session.exec(select(OutgoingMail).where(OutgoingMail.ticket_id == ticket_id)).all()
    renewed = [m for m in mails if m.subject.startswith("Nouveau lien de suivi")]
    assert len(renewed) == 1 and renewed[0].recipient == "awa.traore@example.org"
    new_path = "/suivi/" + renewed[0].body_text.split("/suivi/")[1].split()[0]
    assert new_path != old_path
    assert web.client.get(new_path).status_code == 200


def test_a_link_cannot_be_reissued_without_an_address_and_nothing_changes(web: WebClient):
    path, ticket_id = open_request(web)
    with web.session() as session:
        make_agent(session, email="sansmail@ccc.test")
        session.get(Ticket, ticket_id).requester_email = None  # a phone call without e-mail
        session.commit()
    web.sign_in("sansmail@ccc.test")
    response = web.post_form(
        f"/tickets/{ticket_id}/lien-de-suivi", {}, page=f"/tickets/{ticket_id}"
    )
    assert response.status_code == 422
    assert "pas d'adresse électronique" in response.text.replace("&#39;", "'")
    web.client.cookies.clear()
    assert web.client.get(path).status_code == 200  # the old link still works
