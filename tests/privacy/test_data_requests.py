"""Usagers' requests on their data: register, export (ZIP), erase early, rectify; all audited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Role
from helpdesk.privacy.anonymise import MARKER
from helpdesk.privacy.models import DataRequest
from helpdesk.privacy.requests import one_month_after
from helpdesk.tickets.attachments import store_attachment
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Attachment, Message, Ticket, TicketEvent
from helpdesk.tickets.service import add_message

from conftest import WebClient
from factories import make_agent, make_ticket

EMAIL = "Fatou.Sow@example.org"
HOME = "/protection-des-donnees/"
SUMMARY = {"reason": "question", "checked": "vérifié", "question": "question ?"}


def world(web: WebClient) -> dict[str, Any]:
    """A data protection officer, the requester's tickets in three queues, a stranger's."""
    storage = web.client.app.state.settings.storage_dir
    with web.session() as session:
        officer = make_agent(
            session, role=Role.SUPERVISOR, organisation="dp-anef", queues=(), email="dpo@dp.test"
        )
        advisor = make_agent(session, queues=("ccc",))
        dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
        make_agent(
            session, role=Role.SUPERVISOR, organisation="ccc", queues=(), email="sup@ccc.test"
        )
        at_ccc = make_ticket(session, requester_email=EMAIL.lower(), body="Ma carte est perdue.")
        at_sdanf = make_ticket(
            session,
            queue_code="sdanf",
            requester_email=EMAIL,
            requester_foreign_number="7512345678",
            subject="Décret de naturalisation",
            body="Où en est mon décret ?",
        )
        up = make_ticket(session, requester_email=EMAIL, body="Attestation <b>expirée</b>.")
        hand_over(session, ticket_id=up.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
        hand_over(session, ticket_id=up.id, to_queue_code="sdst", actor=dp, **SUMMARY)
        other = make_ticket(session, requester_email="autre@example.org", body="Autre personne")
        files = {}
        for ticket, content in ((at_ccc, b"%PDF-1.4 carte"), (at_sdanf, b"%PDF-1.4 decret")):
            attachment = store_attachment(
                session,
                storage_dir=storage,
                ticket=ticket,
                filename="piece.pdf",
                content_type="application/pdf",
                data=content,
            )
            files[ticket.reference] = (attachment.id, content)
        add_message(
            session,
            ticket_id=at_ccc.id,  # type: ignore[arg-type]
            kind="internal_note",  # type: ignore[arg-type]
            body="Usagère rappelée le 3 mars.",
            actor=advisor,
        )
        session.commit()
        return {
            "officer": officer.email,
            "mine": {t.reference: t.id for t in (at_ccc, at_sdanf, up)},
            "other": other.reference,
            "files": files,
            "storage": storage,
        }


def register(web: WebClient, **fields: str) -> Any:
    """Post the registration form."""
    token = web.csrf(HOME)
    data = {"kind": "access", "received_on": date.today().isoformat(), **fields}
    return web.client.post(
        "/protection-des-donnees/demandes",
        data={**data, "_csrf_token": token},
        follow_redirects=False,
    )


def post(web: WebClient, path: str, **fields: str) -> Any:
    """Post a form of a request's page."""
    token = web.csrf(HOME)
    return web.client.post(path, data={**fields, "_csrf_token": token}, follow_redirects=False)


def audit_rows(web: WebClient, kind: AuditKind) -> list[AuditEvent]:
    """The audit rows of a kind."""
    with web.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.kind == kind)).all())


@pytest.fixture()
def signed_in(any_web: WebClient) -> tuple[WebClient, dict[str, Any]]:
    """The application with the world, signed in as the data protection officer."""
    facts = world(any_web)
    assert any_web.sign_in(facts["officer"]).status_code in (302, 303)
    return any_web, facts


def test_the_export_holds_every_ticket_of_the_requester_in_every_queue(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, facts = signed_in
    response = register(web, requester_email=EMAIL)
    assert response.status_code == 303
    location = response.headers["location"]
    assert "@" not in location and "fatou" not in location.lower()
    request_id = int(re.search(r"/demandes/(\d+)", location).group(1))  # type: ignore[union-attr]
    page = web.client.get(location)
    assert "La demande est enregistrée" in page.text
    for reference in facts["mine"]:
        assert reference in page.text
    assert facts["other"] not in page.text

    export = post(web, f"/protection-des-donnees/demandes/{request_id}/export")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/zip")
    assert export.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    names = set(archive.namelist())
    assert {"summary.html", "data.json"} <= names
    data = json.loads(archive.read("data.json"))
    tickets = {t["reference"]: t for t in data["tickets"]}
    assert set(tickets) == set(facts["mine"])
    assert len({t["file"] for t in tickets.values()}) == 3  # CCC, SDANF and SDST
    texts = [m["texte"] for t in tickets.values() for m in t["messages"]]
    assert "Où en est mon décret ?" in texts and "Usagère rappelée le 3 mars." in texts
    assert any(e["evenement"] == "Escalade" for t in tickets.values() for e in t["historique"])
    for reference, (attachment_id, content) in facts["files"].items():
        (entry,) = tickets[reference]["pieces_jointes"]
        assert archive.read(entry["fichier"]) == content
        assert entry["fichier"] == f"fichiers/{reference}/{attachment_id}-piece.pdf"
    summary = archive.read("summary.html").decode()
    assert all(reference in summary for reference in facts["mine"])
    assert facts["other"] not in summary
    assert "Attestation &lt;b&gt;expirée&lt;/b&gt;." in summary  # escaped, readable

    (opened,) = audit_rows(web, AuditKind.ACCESS_REQUEST_OPENED)
    (exported,) = audit_rows(web, AuditKind.ACCESS_REQUEST_EXPORTED)
    assert exported.object_id == opened.object_id == str(request_id)
    assert exported.detail["tickets"] == 3
    assert "@" not in json.dumps([opened.detail, exported.detail])


def test_the_requester_is_found_by_numero_etranger_too(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, facts = signed_in
    response = register(web, requester_foreign_number="75 1234 5678")
    assert response.status_code == 303
    page = web.client.get(response.headers["location"]).text
    sdanf = [ref for ref in facts["mine"] if ref in page]
    assert len(sdanf) == 1  # only the ticket that carries the number


def test_refused_input_is_shown_beside_its_field_and_kept(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, _ = signed_in
    response = register(web, requester_email="pas-une-adresse", note="appel du 3 mars")
    assert response.status_code == 422
    assert 'id="requester_email-error"' in response.text
    assert 'value="pas-une-adresse"' in response.text and 'value="appel du 3 mars"' in response.text
    with web.session() as session:
        assert session.exec(select(DataRequest)).all() == []
    empty = register(web)
    assert empty.status_code == 422 and "au moins l&#39;un des deux" in empty.text


def test_open_requests_show_their_deadline_and_the_overdue_ones(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, _ = signed_in
    late = (date.today() - timedelta(days=40)).isoformat()
    assert register(web, requester_email=EMAIL, received_on=late).status_code == 303
    assert register(web, requester_email="x@example.org").status_code == 303
    page = web.client.get(HOME).text
    assert page.count('data-testid="overdue"') == 1
    due = one_month_after(date.today() - timedelta(days=40))
    assert due.strftime("%d/%m/%Y") in page
    assert one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert one_month_after(date(2026, 12, 15)) == date(2027, 1, 15)


def test_early_erasure_needs_a_reason_and_a_confirmation(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, facts = signed_in
    location = register(web, kind="erasure", requester_email=EMAIL).headers["location"]
    base = location.split("?")[0]
    refused = post(web, f"{base}/effacement", reason="")
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    confirm = post(web, f"{base}/effacement", reason="Demande écrite de l'usagère")
    assert confirm.status_code == 200 and 'name="confirm" value="oui"' in confirm.text
    with web.session() as session:
        assert session.exec(select(Ticket).where(Ticket.anonymised_at != None)).all() == []  # noqa: E711
    done = post(web, f"{base}/effacement", reason="Demande écrite de l'usagère", confirm="oui")
    assert done.status_code == 303
    assert "effacées de 3 ticket(s)" in web.client.get(done.headers["location"]).text
    with web.session() as session:
        for ticket_id in facts["mine"].values():
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None and ticket.anonymised_at is not None
            assert ticket.requester_email is None and ticket.subject == MARKER
            bodies = session.exec(select(Message.body).where(Message.ticket_id == ticket_id))
            assert set(bodies.all()) == {MARKER}
        assert session.exec(select(Attachment)).all() == []
        other = session.exec(select(Ticket).where(Ticket.reference == facts["other"])).one()
        assert other.anonymised_at is None and other.requester_email == "autre@example.org"
    assert [p for p in Path(facts["storage"]).rglob("*") if p.is_file()] == []
    (row,) = audit_rows(web, AuditKind.REQUESTER_ANONYMISED)
    assert row.detail["tickets"] == 3 and row.detail["reason"] == "Demande écrite de l'usagère"


def test_rectification_corrects_every_ticket_and_says_which_fields(
    signed_in: tuple[WebClient, dict[str, Any]],
):
    web, facts = signed_in
    base = register(web, kind="rectification", requester_email=EMAIL).headers["location"]
    base = base.split("?")[0]
    refused = post(web, f"{base}/rectification", requester_email="faux", reason="courriel")
    assert refused.status_code == 422 and 'value="faux"' in refused.text
    assert 'id="rect-requester_email-error"' in refused.text
    done = post(
        web,
        f"{base}/rectification",
        requester_email="fatou.sow@nouveau.example",
        requester_phone="+33 6 11 22 33 44",
        reason="Courriel de l'usagère du 3 mars",
    )
    assert done.status_code == 303
    assert "corrigées sur 3 ticket(s)" in web.client.get(done.headers["location"]).text
    with web.session() as session:
        for ticket_id in facts["mine"].values():
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None and ticket.requester_email == "fatou.sow@nouveau.example"
            assert ticket.requester_phone == "+33 6 11 22 33 44"
            line = session.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "requester_rectified"
                )
            ).one()
            assert line.data == {"fields": ["requester_email", "requester_phone"]}
            assert EMAIL.lower() not in repr(line.model_dump())
    (row,) = audit_rows(web, AuditKind.REQUESTER_RECTIFIED)
    assert row.detail["tickets"] == 3
    page = web.client.get(base).text  # the request follows the corrected address
    assert all(reference in page for reference in facts["mine"])


def test_only_the_data_protection_role_reaches_the_section(any_web: WebClient):
    world(any_web)
    any_web.sign_in("sup@ccc.test")
    assert any_web.client.get(HOME, follow_redirects=False).status_code == 403
    any_web.client.cookies.clear()
    assert any_web.client.get(HOME, follow_redirects=False).status_code in (302, 303, 401)
