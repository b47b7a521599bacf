"""Signalements: validation, routing to DP ANEF, screenshots, the thread a référent follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake.helpers import PDF
from pydantic import ValidationError
from sqlmodel import select

from helpdesk.auth.models import OrganisationKind, Role
from helpdesk.errors import PermissionDeniedError, ValidationFailedError
from helpdesk.intake.uploads import clean_upload
from helpdesk.notifications.models import OutgoingMail
from helpdesk.referents.models import Report
from helpdesk.referents.schemas import field_errors
from helpdesk.referents.service import reply, thread
from helpdesk.ticket_routing.service import route_ticket
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Attachment, Channel, MessageKind, Queue, Status, Ticket
from helpdesk.tickets.service import add_message, change_status

from conftest import WebClient
from factories import make_agent
from support.referents import open_report, png_bytes, referent, report_form, screenshot


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "plainte"),
        ("procedure", "inconnue"),
        ("severity", "critique"),
        ("affected_count", -1),
        ("dossier_number", "12345"),
        ("occurred_at", "2999-01-01T10:00"),
        ("occurred_at", "hier"),
        ("subject", "ab"),
        ("description", "court"),
    ],
)
def test_each_bad_field_is_refused_with_a_french_message(field: str, value: object):
    with pytest.raises(ValidationError) as caught:
        report_form(**{field: value})
    messages = field_errors(caught.value)
    assert list(messages) == [field]
    assert messages[field] and "Input" not in messages[field]


def test_a_valid_form_is_normalised():
    form = report_form(dossier_number="9403 2026 0606 0001 234", occurred_at="2026-03-02T09:30")
    assert form.dossier_number == "9403202606060001234"
    assert form.occurred_at is not None and form.occurred_at.utcoffset() is not None
    assert report_form(dossier_number="na-2025-004217").dossier_number == "NA-2025-004217"
    assert "Étapes pour reproduire" in form.first_message()


@pytest.mark.parametrize(
    ("code", "kind", "procedure"),
    [
        ("pref-31", OrganisationKind.PREFECTURE, "etudiant"),
        ("natali-rennes", OrganisationKind.PLATFORM, "naturalisation-decret"),
    ],
)
def test_signalements_go_to_dp_anef_for_sejour_and_natali(
    session, tmp_path: Path, code: str, kind: str, procedure: str
):
    author = referent(session, code, kind)
    ticket = open_report(session, author, tmp_path, procedure=procedure, severity="bloquant")
    session.commit()
    route_ticket(session, ticket_id=ticket.id, trigger="created")  # the routing job
    session.commit()
    session.refresh(ticket)
    queue = session.get(Queue, ticket.queue_id)
    assert queue is not None and queue.code == "dp-anef"
    assert ticket.owner_queue_id == ticket.queue_id
    assert ticket.channel == Channel.REFERENT
    assert ticket.site_id == author.site_id
    assert ticket.priority == "urgent"
    assert ticket.requester_email == author.email
    report = session.exec(select(Report).where(Report.ticket_id == ticket.id)).one()
    assert (report.kind, report.severity, report.affected_count) == ("incident", "bloquant", 4)
    mails = session.exec(select(OutgoingMail).where(OutgoingMail.recipient == author.email)).all()
    assert [m.subject for m in mails] == [f"Signalement {ticket.reference} enregistré"]


def test_only_referents_file_signalements(session, tmp_path: Path):
    advisor = make_agent(session)
    with pytest.raises(PermissionDeniedError):
        open_report(session, advisor, tmp_path)


def test_screenshots_are_png_or_jpeg_only_and_lose_their_metadata(session, tmp_path: Path):
    author = referent(session, "pref-13")
    pdf = clean_upload("notice.pdf", PDF)
    with pytest.raises(ValidationFailedError) as refused:
        open_report(session, author, tmp_path, files=(pdf,))
    assert "screenshots" in refused.value.field_errors
    with pytest.raises(ValidationFailedError):
        open_report(session, author, tmp_path, files=(screenshot(),) * 4)
    ticket = open_report(session, author, tmp_path, files=(screenshot(comment="GPS 45.76 4.83"),))
    session.commit()
    stored = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).one()
    assert stored.content_type == "image/png" and stored.message_id is not None
    data = (tmp_path / stored.storage_key[:2] / stored.storage_key).read_bytes()
    assert b"GPS" not in data


def test_the_referent_answers_in_the_same_thread_and_never_sees_internal_notes(
    session, tmp_path: Path
):
    author = referent(session, "pref-44")
    colleague = referent(session, "pref-44")
    dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    ticket = open_report(session, author, tmp_path, kind="question_reglementaire")
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="sdst",
        reason="Question réglementaire",
        checked="Pas d'anomalie",
        question="Quel titre ?",
        actor=dp,
    )
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="dp-anef",
        reason="",
        answer="Réponse SDST",
        actor=sdst,
    )
    add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.INTERNAL_NOTE,
        body="Note interne DP",
        actor=dp,
    )
    add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.PUBLIC_REPLY,
        body="Précisez le navigateur ?",
        actor=dp,
    )
    change_status(session, ticket_id=ticket.id, status=Status.WAITING, actor=dp)
    reply(
        session,
        ticket_id=ticket.id,
        body="Firefox 128 sur Windows",
        actor=colleague,
        storage_dir=tmp_path,
    )
    session.commit()
    session.refresh(ticket)
    assert ticket.status == Status.OPEN  # the answer puts it back to work
    messages = thread(session, ticket=ticket)
    bodies = [item.message.body for item in messages]
    assert "Note interne DP" not in bodies and "Réponse SDST" not in bodies
    assert bodies[-2:] == ["Précisez le navigateur ?", "Firefox 128 sur Windows"]
    last = messages[-1]
    assert last.from_site and last.message.kind == MessageKind.REQUESTER
    assert last.message.author_label == colleague.full_name


def test_a_referent_of_another_site_cannot_answer(session, tmp_path: Path):
    author = referent(session, "pref-06")
    stranger = referent(session, "pref-83")
    ticket = open_report(session, author, tmp_path)
    from helpdesk.errors import NotFoundError

    with pytest.raises(NotFoundError):
        reply(session, ticket_id=ticket.id, body="Je réponds", actor=stranger, storage_dir=tmp_path)
    assert stranger.role == Role.REFERENT


def test_the_form_gives_errors_back_offers_articles_without_javascript_and_sends(
    web: WebClient,
):
    with web.session() as session:
        author = referent(session, "pref-69")
        session.commit()
    web.sign_in(author.email)
    token = web.csrf("/referent/signalements/nouveau")
    fields = {
        "_csrf_token": token,
        "kind": "incident",
        "procedure": "etudiant",
        "severity": "genant",
        "subject": "Remise non enregistrée",
        "description": "La remise du titre n'a pas été enregistrée : dépôt impossible.",
    }
    post = web.client.post
    bad = post("/referent/signalements", data={**fields, "affected_count": "beaucoup"})
    assert bad.status_code == 422 and 'data-testid="error-summary"' in bad.text
    assert "Remise non enregistrée" in bad.text  # what was typed is kept
    pdf = post(
        "/referent/signalements",
        data=fields,
        files={"screenshots": ("capture.pdf", PDF, "application/pdf")},
    )
    assert pdf.status_code == 422 and "pas une image PNG ou JPEG" in pdf.text
    articles = post("/referent/signalements", data={**fields, "intent": "articles"})
    assert articles.status_code == 200 and 'data-testid="report-suggestions"' in articles.text
    sent = post(
        "/referent/signalements",
        data={**fields, "intent": "send"},
        files={"screenshots": ("capture.png", png_bytes(), "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = web.client.get(sent.headers["location"])
    assert 'data-testid="report-sent"' in page.text and "capture.png" in page.text
    with web.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.site_id == author.site_id)).one()
        assert session.get(Queue, ticket.queue_id).code == "dp-anef"  # type: ignore[union-attr]
