"""API clients' keys on the partner API: valid, missing, invalid, revoked, rotated, scopes.

Through the whole web stack, on SQLite and PostgreSQL (any_web)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from intake.helpers import MESSAGE
from sqlmodel import select

from dossiers.signing import signed_headers
from helpdesk.api_clients.authentication import authenticate
from helpdesk.api_clients.keys import generate_key, parse_key
from helpdesk.api_clients.models import ApiClientSecret
from helpdesk.api_clients.service import create_client, revoke_client, rotate_client
from helpdesk.audit.service import Actor
from helpdesk.db import utcnow
from helpdesk.errors import CredentialsRefusedError
from helpdesk.tickets.models import Ticket

from conftest import WebClient, make_settings
from factories import bearer

CONTACT = "/api/v1/contact"
EVENTS = "/api/v1/dossier-events"
EVENTS_SECRET = "secret-des-evenements"
ADMIN = Actor(label="Tests")
BODY = {
    "last_name": "Nguyen",
    "first_name": "Linh",
    "email": "linh.nguyen@example.org",
    "procedure": "naturalisation-decret",
    "reason": "demarche",
    "subject": "Délai de ma naturalisation",
    "message": MESSAGE,
    "privacy_acknowledged": True,
}


def declare(web: WebClient, *scopes: str, name: str = "Portail partenaire") -> tuple[int, str]:
    """A committed client with these scopes: its id and key."""
    with web.session() as session:
        client, key = create_client(
            session, name=name, scopes=scopes or ("contact:write",), actor=ADMIN
        )
        session.commit()
        assert client.id is not None
        return client.id, key


def send(web: WebClient, headers: dict[str, str], number: int = 0) -> object:
    """POST a contact request with these headers (a distinct message per number)."""
    body = {**BODY, "message": f"{MESSAGE} ({number})"}
    return web.client.post(CONTACT, json=body, headers=headers)


def tickets(web: WebClient) -> int:
    with web.session() as session:
        return len(session.exec(select(Ticket.id)).all())


def assert_refused(response: object, status: int, words: str, error: str | None) -> None:
    """A problem+json refusal with its Bearer challenge and its French explanation."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-type"].startswith("application/problem+json")
    challenge = headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="assistance-anef"')
    assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)
    assert words in response.json()["detail"]  # type: ignore[attr-defined]


def test_a_valid_key_is_let_through_and_its_use_noted(any_web: WebClient):
    _, key = declare(any_web)
    response = send(any_web, bearer(key))
    assert response.status_code == 201, response.text
    with any_web.session() as session:
        secret = session.exec(select(ApiClientSecret)).one()
    assert secret.last_used_at is not None
    assert utcnow() - secret.last_used_at < timedelta(minutes=1)
    assert tickets(any_web) == 1


def test_a_missing_or_malformed_credential_is_a_401(any_web: WebClient):
    declare(any_web)
    assert_refused(send(any_web, {}), 401, "Authentification requise", None)
    assert_refused(send(any_web, {"Authorization": "Basic eDp5"}), 401, "Authentification", None)
    assert_refused(send(any_web, {"Authorization": "Bearer "}), 401, "Authentification", None)
    for wrong in ("n'importe quoi", "anef_0123456789ab_" + "x" * 43, "x" * 5000):
        assert_refused(send(any_web, bearer(wrong)), 401, "Clé d'API invalide", "invalid_token")
    latin = {"Authorization": ("Bearer anef_" + "é" * 300).encode("latin-1")}
    assert_refused(send(any_web, latin), 401, "Clé d'API invalide", "invalid_token")  # type: ignore[arg-type]
    assert tickets(any_web) == 0


def test_a_known_prefix_with_another_secret_is_refused(any_web: WebClient):
    _, key = declare(any_web)
    prefix = parse_key(key).prefix  # type: ignore[union-attr]
    forged = f"anef_{prefix}_" + generate_key().key.rsplit("_", 1)[-1].ljust(43, "x")
    assert parse_key(forged) is not None and forged != key
    assert_refused(send(any_web, bearer(forged)), 401, "Clé d'API invalide", "invalid_token")


def test_a_revoked_client_is_refused(any_web: WebClient):
    client_id, key = declare(any_web)
    assert send(any_web, bearer(key)).status_code == 201
    with any_web.session() as session:
        revoke_client(session, client_id=client_id, actor=ADMIN)
        session.commit()
    assert_refused(send(any_web, bearer(key), 1), 401, "révoqué", "invalid_token")
    assert tickets(any_web) == 1


def test_a_rotated_key_works_during_the_overlap_then_is_refused(any_web: WebClient):
    client_id, old = declare(any_web)
    with any_web.session() as session:
        _, new, until = rotate_client(
            session, client_id=client_id, overlap=timedelta(days=7), actor=ADMIN
        )
        session.commit()
    assert timedelta(days=6, hours=23) < until - utcnow() <= timedelta(days=7)
    assert send(any_web, bearer(old), 1).status_code == 201  # during the overlap
    assert send(any_web, bearer(new), 2).status_code == 201
    after = until + timedelta(seconds=1)
    with any_web.session() as session:
        with pytest.raises(CredentialsRefusedError, match="expirée"):
            authenticate(session, authorization=f"Bearer {old}", now=after)
        assert authenticate(session, authorization=f"Bearer {new}", now=after).name
    with any_web.session() as session:  # a second rotation with no overlap ends it at once
        rotate_client(session, client_id=client_id, overlap=timedelta(0), actor=ADMIN)
        session.commit()
    assert_refused(send(any_web, bearer(old), 3), 401, "expirée", "invalid_token")
    assert_refused(send(any_web, bearer(new), 4), 401, "expirée", "invalid_token")
    assert tickets(any_web) == 2


def test_a_key_without_the_scope_is_a_403(any_web: WebClient):
    _, events_only = declare(any_web, "dossier-events:write")
    response = send(any_web, bearer(events_only))
    assert_refused(response, 403, "contact:write", "insufficient_scope")
    assert 'scope="contact:write"' in response.headers["www-authenticate"]
    assert tickets(any_web) == 0


@pytest.fixture()
def events_web(sqlite_engine, tmp_path):
    settings = make_settings(tmp_path, dossier_events_secret=EVENTS_SECRET)
    with WebClient.start(sqlite_engine, settings) as web:
        yield web


def test_dossier_events_need_both_the_key_and_the_signature(events_web: WebClient):
    _, contact_only = declare(events_web, "contact:write", name="Formulaire")
    _, events_key = declare(events_web, "dossier-events:write", name="Service des dossiers")
    body = json.dumps({"event_id": "evt-1"}).encode()
    json_type = {"content-type": "application/json"}
    signed = {**json_type, **signed_headers(EVENTS_SECRET, body)}
    no_key = events_web.client.post(EVENTS, content=body, headers=signed)
    assert_refused(no_key, 401, "Authentification requise", None)
    wrong_scope = events_web.client.post(
        EVENTS, content=body, headers={**signed, **bearer(contact_only)}
    )
    assert_refused(wrong_scope, 403, "dossier-events:write", "insufficient_scope")
    unsigned = events_web.client.post(
        EVENTS, content=body, headers={**json_type, **bearer(events_key)}
    )
    assert unsigned.status_code == 401 and "Signature" in unsigned.json()["title"]
    both = events_web.client.post(EVENTS, content=body, headers={**signed, **bearer(events_key)})
    assert both.status_code == 422  # past both checks: the body itself is incomplete


def test_openapi_documents_the_security_schemes(web: WebClient):
    schema = web.client.get("/api/v1/schema/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cleApi"]["type"] == "http" and schemes["cleApi"]["scheme"] == "bearer"
    assert schemes["signatureEvenement"] == {
        **schemes["signatureEvenement"],
        "type": "apiKey",
        "in": "header",
        "name": "X-Dossier-Signature",
    }
    contact = schema["paths"][CONTACT]["post"]
    assert contact["security"] == [{"cleApi": ["contact:write"]}]
    assert {"401", "403"} <= set(contact["responses"])
    events = schema["paths"][EVENTS]["post"]
    assert events["security"] == [{"cleApi": ["dossier-events:write"], "signatureEvenement": []}]
    assert "security" not in schema  # nothing is secured globally: each operation says
