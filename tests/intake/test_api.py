"""The partner API: POST /api/v1/contact in JSON and multipart, problem+json, OpenAPI."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.tickets.models import Attachment, Ticket
from intake.helpers import MESSAGE, PDF

from conftest import WebClient
from factories import bearer, make_api_key

BODY = {
    "last_name": "Nguyen",
    "first_name": "Linh",
    "email": "linh.nguyen@example.org",
    "procedure": "naturalisation-decret",
    "reason": "demarche",
    "subject": "Délai de ma naturalisation",
    "message": MESSAGE,
    "dossier_number": "na-2025-004217",
    "language": "en",
    "privacy_acknowledged": True,
}


@pytest.fixture()
def key(web: WebClient) -> str:
    """A partner's API key with the contact:write scope."""
    with web.session() as session:
        value = make_api_key(session, scopes=("contact:write",))
        session.commit()
    return value


def test_json_request_answers_the_reference_and_the_follow_up_url(web: WebClient, key: str):
    response = web.client.post("/api/v1/contact", json=BODY, headers=bearer(key))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"].startswith("ANEF-") and body["duplicate"] is False
    assert "/suivi/" in body["follow_up_url"]
    with web.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.channel == "api" and ticket.language == "en"
    assert ticket.dossier_number == "NA-2025-004217"
    again = web.client.post("/api/v1/contact", json=BODY, headers=bearer(key))
    assert again.status_code == 200 and again.json()["reference"] == body["reference"]
    assert again.json()["duplicate"] is True and again.json()["follow_up_url"] is None


def test_errors_are_problem_json_with_one_entry_per_field(web: WebClient, key: str):
    bad = {
        **BODY,
        "email": "x",
        "foreign_number": "12",
        "privacy_acknowledged": False,
        "procedure": "inconnue",
        "language": "fr",
    }
    del bad["message"]
    response = web.client.post("/api/v1/contact", json=bad, headers=bearer(key))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {
        "email",
        "foreign_number",
        "privacy_acknowledged",
        "procedure",
        "message",
    }
    assert fields["message"] == "Ce champ est obligatoire."
    not_json = web.client.post(
        "/api/v1/contact",
        content=b"[1, 2]",
        headers={"content-type": "application/json", **bearer(key)},
    )
    assert not_json.status_code == 422


def test_multipart_request_carries_attachments(web: WebClient, key: str):
    fields = {k: str(v).lower() if isinstance(v, bool) else v for k, v in BODY.items()}
    response = web.client.post(
        "/api/v1/contact",
        headers=bearer(key),
        data=fields,
        files=[("attachments", ("justificatif.exe", PDF, "application/octet-stream"))],
    )
    assert response.status_code == 201, response.text
    with web.session() as session:
        attachment = session.exec(select(Attachment)).one()
    assert attachment.display_name == "justificatif.pdf"
    disguised = web.client.post(
        "/api/v1/contact",
        headers=bearer(key),
        data={**fields, "message": MESSAGE + " bis"},
        files=[("attachments", ("photo.jpg", b"<svg onload=alert(1)>", "image/jpeg"))],
    )
    assert disguised.status_code == 422
    assert [e["field"] for e in disguised.json()["errors"]] == ["attachments"]


def test_the_endpoint_is_in_the_openapi_schema(web: WebClient):
    schema = web.client.get("/api/v1/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/contact"]["post"]
    content = operation["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    properties = content["application/json"]["schema"]["properties"]
    assert {"email", "message", "privacy_acknowledged"} <= set(properties)
    assert "/contact" not in schema["paths"]
