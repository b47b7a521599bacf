"""Texts longer than their limit are refused beside their field, kept, and nothing is saved."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.errors import ValidationFailedError
from helpdesk.review.models import ReviewMeeting
from helpdesk.text_limits import MESSAGE_MAX, REASON_MAX, SUMMARY_MAX, TITLE_MAX
from helpdesk.tickets import canned
from helpdesk.tickets.lifecycle import transition
from helpdesk.tickets.models import Message, Status, Ticket

from conftest import WebClient
from factories import make_agent, make_ticket


def test_a_reply_over_the_limit_comes_back_beside_its_field_and_saves_nothing(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
        before = len(session.exec(select(Message)).all())
    web.sign_in(advisor.email)
    page = f"/tickets/{ticket.id}"
    draft = "Bonjour, " + "x" * MESSAGE_MAX
    refused = web.post_form(
        f"{page}/messages", {"body": draft, "kind": "internal_note", "version": 1}, page=page
    )
    assert refused.status_code == 422
    assert 'id="body-erreur"' in refused.text
    assert "20 009 caractères ; 20 000 au plus" in refused.text.replace("\u202f", " ")
    assert f"{draft}</textarea>" in refused.text
    with web.session() as session:
        assert len(session.exec(select(Message)).all()) == before
        stored = session.get(Ticket, ticket.id)
        assert stored is not None and stored.version == 1

    at_limit = web.post_form(
        f"{page}/messages",
        {"body": "y" * MESSAGE_MAX, "kind": "internal_note", "version": 1},
        page=page,
    )
    assert at_limit.status_code == 303
    with web.session() as session:
        assert len(session.exec(select(Message)).all()) == before + 1


def test_a_hand_over_summary_over_the_limit_names_its_field(web: WebClient):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session)
        session.commit()
    web.sign_in(advisor.email)
    page = f"/tickets/{ticket.id}"
    refused = web.post_form(
        f"{page}/handover",
        {
            "to_queue": "dp-anef",
            "reason": "Motif",
            "checked": "Vérifié",
            "question": "?" * (SUMMARY_MAX + 1),
            "version": 1,
        },
        page=page,
    )
    assert refused.status_code == 422
    assert 'id="question-erreur"' in refused.text and 'id="reason-erreur"' not in refused.text
    assert "Motif</textarea>" in refused.text
    with web.session() as session:
        stored = session.get(Ticket, ticket.id)
        assert stored is not None and stored.version == 1 and stored.queue_id == ticket.queue_id


def test_the_review_note_over_the_limit_is_kept_beside_its_field(web: WebClient):
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="dp-anef")
        session.commit()
    web.sign_in(supervisor.email)
    note = "n" * (REASON_MAX + 1)
    refused = web.post_form("/point-bimensuel/tenu", {"note": note}, page="/point-bimensuel/")
    assert refused.status_code == 422
    assert 'id="note-erreur"' in refused.text and f"{note}</textarea>" in refused.text
    with web.session() as session:
        assert session.exec(select(ReviewMeeting)).all() == []


def test_services_refuse_over_long_titles_and_reasons(session: Session):
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    ticket = make_ticket(session)
    session.commit()
    with pytest.raises(ValidationFailedError) as refused:
        canned.save(session, agent=supervisor, title="t" * (TITLE_MAX + 1), body="Bonjour")
    assert set(refused.value.field_errors) == {"title"}
    with pytest.raises(ValidationFailedError) as refused:
        transition(session, ticket, Status.OPEN, actor=supervisor, reason="r" * (REASON_MAX + 1))
    assert set(refused.value.field_errors) == {"reason"}
    assert ticket.status == Status.NEW
