"""Console operations: merge, links, canned responses, presence, phone calls, bulk, conflicts."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.errors import PermissionDeniedError, ValidationFailedError
from helpdesk.tickets import bulk, canned, merge, presence
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Message, MessageKind, Status, Ticket, TicketEvent
from helpdesk.tickets.phone import PhoneCall, record_call
from helpdesk.tickets.service import add_message

from conftest import WebClient
from factories import make_agent, make_ticket

SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}


def test_merge_keeps_every_message_and_event(session: Session):
    advisor = make_agent(session)
    survivor = make_ticket(session, subject="Premier envoi")
    duplicate = make_ticket(session, subject="Second envoi", body="Je relance ma demande.")
    add_message(
        session, ticket_id=duplicate.id, kind=MessageKind.INTERNAL_NOTE, body="Note", actor=advisor
    )
    session.commit()
    events_before = len(session.exec(select(TicketEvent)).all())

    merge.merge(session, source_id=duplicate.id, target_reference=survivor.reference, actor=advisor)
    session.commit()

    bodies = [m.body for m in session.exec(select(Message).where(Message.ticket_id == survivor.id))]
    assert "Je relance ma demande." in bodies and "Note" in bodies
    assert duplicate.merged_into_id == survivor.id and duplicate.status == Status.CLOSED
    kinds = {e.kind for e in session.exec(select(TicketEvent))}
    assert {"merged_into", "merged_from"} <= kinds
    assert len(session.exec(select(TicketEvent)).all()) == events_before + 2


def test_merge_refuses_other_requesters_and_self(session: Session):
    advisor = make_agent(session)
    first = make_ticket(session)
    stranger = make_ticket(session, requester_email="autre@example.org")
    session.commit()
    with pytest.raises(ValidationFailedError, match="même demandeur"):
        merge.merge(session, source_id=first.id, target_reference=stranger.reference, actor=advisor)
    session.rollback()
    with pytest.raises(ValidationFailedError, match="lui-même"):
        merge.merge(session, source_id=first.id, target_reference=first.reference, actor=advisor)


def test_links_are_shown_on_both_tickets_once(session: Session):
    advisor = make_agent(session)
    first, second = make_ticket(session), make_ticket(session, requester_email="b@example.org")
    merge.link(session, ticket_id=first.id, other_reference=second.reference, actor=advisor)
    merge.link(session, ticket_id=second.id, other_reference=first.reference, actor=advisor)
    session.commit()
    assert merge.related(session, agent=advisor, ticket=first) == [second]
    assert merge.related(session, agent=advisor, ticket=second) == [first]


def test_canned_responses_fill_placeholders_and_are_for_supervisors(session: Session):
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    advisor = make_agent(session)
    ticket = make_ticket(session, requester_name="Awa Traoré")
    response = canned.save(
        session,
        agent=supervisor,
        title="Accusé",
        body="Bonjour {nom}, votre demande {reference} est « {statut} ». {conseiller}",
    )
    with pytest.raises(PermissionDeniedError):
        canned.save(session, agent=advisor, title="x", body="y")
    with pytest.raises(ValidationFailedError) as refused:
        canned.save(session, agent=supervisor, title="x", body="{nom.__class__} {inconnu}")
    assert refused.value.field_errors["body"] == "Champs inconnus : {inconnu}"
    text = canned.render(session, agent=advisor, response_id=response.id, ticket=ticket)
    assert text == (
        f"Bonjour Awa Traoré, votre demande {ticket.reference} est « Nouveau ». {advisor.full_name}"
    )
    assert [r.title for r in canned.available(session, agent=advisor)] == ["Accusé"]


def test_presence_lists_the_other_agents_only(session: Session):
    first, second = make_agent(session), make_agent(session)
    ticket = make_ticket(session)
    presence.heartbeat(session, ticket_id=ticket.id, agent=first)
    presence.heartbeat(session, ticket_id=ticket.id, agent=second)
    session.commit()
    assert presence.others_viewing(session, ticket_id=ticket.id, agent=first) == [second.full_name]


def test_phone_call_resolved_at_first_contact(session: Session):
    advisor = make_agent(session)
    call = PhoneCall(
        requester_name="Karim B.",
        requester_foreign_number="0123456789",
        procedure="compte",
        motif="Compte / problème technique",
        notes="Mot de passe réinitialisé avec l'usager.",
    )
    ticket = record_call(session, agent=advisor, call=call)
    session.commit()
    assert ticket.channel == "phone" and ticket.status == Status.RESOLVED
    assert ticket.resolved_at_first_contact and ticket.first_response_at is not None


def test_phone_call_escalated_needs_the_summary(session: Session):
    advisor = make_agent(session)
    session.commit()
    with pytest.raises(ValidationFailedError) as refused:
        record_call(session, agent=advisor, call=PhoneCall(outcome="escalated", notes="x"))
    assert {"reason", "checked", "question"} <= set(refused.value.field_errors)
    session.rollback()
    ticket = record_call(
        session, agent=advisor, call=PhoneCall(outcome="escalated", notes="x", **SUMMARY)
    )
    session.commit()
    queue = session.get(
        __import__("helpdesk.tickets.models", fromlist=["Queue"]).Queue, ticket.queue_id
    )
    assert queue.code == "dp-anef"


def test_bulk_actions_are_all_or_nothing(session: Session):
    advisor = make_agent(session)
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    tickets = [make_ticket(session) for _ in range(3)]
    session.commit()
    ids = [t.id for t in tickets]
    assert bulk.apply(session, agent=advisor, ticket_ids=ids, todo=bulk.BulkAction("take")) == 3
    session.commit()
    assert {t.assignee_id for t in tickets} == {advisor.id}
    with pytest.raises(Exception):
        bulk.apply(session, agent=sdst, ticket_ids=ids, todo=bulk.BulkAction("unassign"))
    session.rollback()
    assert {session.get(Ticket, i).assignee_id for i in ids} == {advisor.id}  # type: ignore[union-attr]


def test_answer_comes_back_to_the_owner_marked_received(session: Session):
    advisor = make_agent(session)
    dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    ticket = make_ticket(session)
    session.commit()
    hand_over(session, ticket_id=ticket.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    with pytest.raises(PermissionDeniedError, match="Seul le niveau"):
        add_message(session, ticket_id=ticket.id, kind=MessageKind.PUBLIC_REPLY, body="x", actor=dp)
    session.rollback()
    hand_over(session, ticket_id=ticket.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    hand_over(
        session, ticket_id=ticket.id, to_queue_code="ccc", reason="", answer="Réponse DP", actor=dp
    )
    session.commit()
    assert ticket.answer_received is True
    add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.PUBLIC_REPLY,
        body="Réponse finale",
        actor=advisor,
    )
    session.commit()
    assert ticket.answer_received is False


def test_stale_reply_shows_the_newer_ticket_and_keeps_the_draft(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    web.sign_in(advisor.email)
    page = f"/tickets/{ticket.id}"
    web.post_form(f"{page}/status", {"status": "open", "version": 1}, page=page)
    stale = web.post_form(
        f"{page}/messages",
        {"body": "Mon brouillon précieux", "kind": "internal_note", "version": 1},
        page=page,
    )
    assert stale.status_code == 409
    assert 'data-testid="conflict"' in stale.text
    assert "Mon brouillon précieux</textarea>" in stale.text
    assert "En cours" in stale.text


def test_canned_response_inserted_without_javascript(web: WebClient):
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR)
        advisor = make_agent(session)
        ticket = make_ticket(session, requester_name="Awa")
        response = canned.save(session, agent=supervisor, title="T", body="Bonjour {nom}")
        session.commit()
    web.sign_in(advisor.email)
    page = web.client.get(f"/tickets/{ticket.id}/reponse?reponse_type={response.id}")
    assert page.status_code == 200
    assert "Bonjour Awa</textarea>" in page.text
    fragment = web.client.get(
        f"/tickets/{ticket.id}/reponse?reponse_type={response.id}", headers={"hx-request": "true"}
    )
    assert "<html" not in fragment.text and "Bonjour Awa</textarea>" in fragment.text


def test_phone_page_keeps_input_on_error(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        session.commit()
    web.sign_in(advisor.email)
    response = web.post_form(
        "/appels/nouveau",
        {
            "requester_name": "Léa",
            "requester_foreign_number": "12",
            "notes": "Appel",
            "outcome": "resolved",
        },
        page="/appels/nouveau",
    )
    assert response.status_code == 422
    assert "10 chiffres" in response.text and 'value="Léa"' in response.text
    created = web.post_form(
        "/appels/nouveau",
        {"requester_name": "Léa", "notes": "Appel", "outcome": "resolved"},
        page="/appels/nouveau",
    )
    assert created.status_code == 303 and created.headers["location"].startswith("/tickets/")


def test_canned_management_page_is_for_supervisors(web: WebClient):
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR)
        advisor = make_agent(session)
        session.commit()
    web.sign_in(advisor.email)
    assert web.client.get("/reponses-types/").status_code == 403
    web.sign_in(supervisor.email)
    created = web.post_form(
        "/reponses-types/",
        {"title": "Délais", "body": "Bonjour {nom}", "active": "true"},
        page="/reponses-types/",
    )
    assert created.status_code == 303
    assert "Délais" in web.client.get("/reponses-types/").text
    bad = web.post_form("/reponses-types/", {"title": "", "body": "{x}"}, page="/reponses-types/")
    assert bad.status_code == 422 and "Champs inconnus" in bad.text


def test_kb_panel_inserts_a_public_article_and_records_its_use(web: WebClient):
    from helpdesk.kb.models import Article, ArticleFeedback

    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(
            session,
            subject="Mot de passe oublié",
            body="Je n'arrive plus à me connecter, j'ai oublié mon mot de passe ANEF.",
        )
        session.commit()
        from helpdesk.kb.transfer import import_seed

        import_seed(session)
        session.commit()
    web.client.app.state.jobs.start_worker()  # runs kb.refresh_index for the import
    web.client.app.state.jobs.sweep()
    web.sign_in(advisor.email)
    deadline = time.monotonic() + 10
    while 'data-slug="mot-de-passe-oublie"' not in web.client.get(f"/tickets/{ticket.id}").text:
        assert time.monotonic() < deadline, "the article never reached the index"
        time.sleep(0.3)
    response = web.post_form(
        f"/tickets/{ticket.id}/articles/mot-de-passe-oublie/inserer",
        {"body": "Bonjour,"},
        page=f"/tickets/{ticket.id}",
    )
    assert response.status_code == 200
    assert "Bonjour," in response.text and "/aide/mot-de-passe-oublie" in response.text
    with web.session() as session:
        article = session.exec(select(Article).where(Article.slug == "mot-de-passe-oublie")).one()
        uses = session.exec(
            select(ArticleFeedback).where(ArticleFeedback.article_id == article.id)
        ).all()
        assert [(u.kind, u.ticket_id) for u in uses] == [("used_in_reply", ticket.id)]


def test_presence_fragment_shows_the_colleague_on_the_ticket(web: WebClient):
    with web.session() as session:
        first, second = make_agent(session), make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    page = f"/tickets/{ticket.id}"
    web.sign_in(first.email)
    assert web.post_form(f"{page}/presence", {}, page=page).status_code == 200
    web.sign_in(second.email)
    fragment = web.post_form(f"{page}/presence", {}, page=page)
    assert first.full_name in fragment.text and second.full_name not in fragment.text


def test_bulk_form_takes_the_selected_tickets(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        tickets = [make_ticket(session) for _ in range(2)]
        untouched = make_ticket(session)
        session.commit()
    web.sign_in(advisor.email)
    token = web.csrf("/files/ccc")
    response = web.client.post(
        "/tickets/lot",
        data={
            "_csrf_token": token,
            "ticket_ids": [str(t.id) for t in tickets],
            "action": "take",
            "back": "/files/ccc?assigned=moi",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/files/ccc?assigned=moi"
    mine = web.client.get("/files/ccc?assigned=moi").text
    assert all(f'data-reference="{t.reference}"' in mine for t in tickets)
    assert f'data-reference="{untouched.reference}"' not in mine


def test_bulk_form_with_a_single_ticket_selected(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    web.sign_in(advisor.email)
    token = web.csrf("/files/ccc")
    response = web.client.post(
        "/tickets/lot",
        data={"_csrf_token": token, "ticket_ids": str(ticket.id), "action": "take"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with web.session() as session:
        assert session.get(Ticket, ticket.id).assignee_id == advisor.id  # type: ignore[union-attr]


def test_correcting_fields_records_history_and_reroutes(session: Session):
    from helpdesk.jobs.models import OutboxMessage
    from helpdesk.tickets.fields import update_fields

    advisor = make_agent(session)
    ticket = make_ticket(session, procedure="etudiant")
    session.commit()
    update_fields(
        session,
        ticket_id=ticket.id,
        actor=advisor,
        procedure="naturalisation-decret",
        category="question",
        priority="high",
    )
    session.commit()
    assert (ticket.procedure, ticket.category, ticket.priority) == (
        "naturalisation-decret",
        "question",
        "high",
    )
    changes = session.exec(select(TicketEvent).where(TicketEvent.kind == "field_changed")).all()
    assert {(e.data["field"], e.from_value, e.to_value) for e in changes} == {
        ("procedure", "etudiant", "naturalisation-decret"),
        ("category", None, "question"),
        ("priority", "normal", "high"),
    }
    triggers = [o.payload.get("trigger") for o in session.exec(select(OutboxMessage))]
    assert "fields" in triggers
    with pytest.raises(ValidationFailedError):
        update_fields(
            session,
            ticket_id=ticket.id,
            actor=advisor,
            procedure="inconnue",
            category="",
            priority="x",
        )


def test_only_the_ccc_takes_calls(session: Session):
    dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    session.commit()
    with pytest.raises(PermissionDeniedError, match="centre de contact"):
        record_call(session, agent=dp, call=PhoneCall(notes="x"))


def test_a_refused_hand_over_comes_back_with_what_was_typed(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    web.sign_in(advisor.email)
    page = f"/tickets/{ticket.id}"
    refused = web.post_form(
        f"{page}/handover",
        {"to_queue": "dp-anef", "reason": "Mon motif détaillé", "checked": "", "version": 1},
        page=page,
    )
    assert refused.status_code == 422
    assert 'data-testid="refusal"' in refused.text
    assert "Mon motif détaillé</textarea>" in refused.text
    assert 'href="#checked"' in refused.text
    with web.session() as session:
        stored = session.get(Ticket, ticket.id)
        assert stored is not None and stored.version == 1
