"""The administration page of API clients: declare, rotate, revoke; audit rows; CLI.

On SQLite and PostgreSQL (any_web), through the web stack with the CSRF tokens of the pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from helpdesk.api_clients.models import ApiClient, ApiClientSecret
from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Role
from helpdesk.cli import main
from helpdesk.db import make_engine

from conftest import WebClient
from factories import bearer, make_agent

PAGE = "/admin/clients-api"
KEY_VALUE = re.compile(r'data-testid="api-key"|value="(anef_[0-9a-f]{12}_[A-Za-z0-9_-]+)"')
CONTACT_BODY = {
    "last_name": "Nguyen",
    "first_name": "Linh",
    "email": "linh.nguyen@example.org",
    "procedure": "compte",
    "reason": "demarche",
    "subject": "Mot de passe perdu",
    "message": "Bonjour, je n'arrive plus à me connecter à mon compte, que faire ?",
    "privacy_acknowledged": True,
}


def shown_key(html: str) -> str:
    """The key a page shows (once)."""
    found = re.search(r'value="(anef_[0-9a-f]{12}_[A-Za-z0-9_-]{43,})"', html)
    assert found, "no key on the page"
    return found.group(1)


def admin_in(web: WebClient) -> int:
    """An administrator, signed in; answers their id."""
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        session.commit()
        admin_id = admin.id
        email = admin.email
    assert web.sign_in(email).status_code in (302, 303)
    assert admin_id is not None
    return admin_id


def audit_rows(web: WebClient, kind: AuditKind) -> list[AuditEvent]:
    with web.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.kind == kind.value)).all())


def create(web: WebClient, name: str, *scopes: str) -> object:
    return web.post_form(PAGE, {"name": name, "scopes": list(scopes)}, page=f"{PAGE}/nouveau")


def test_an_administrator_declares_a_client_and_sees_its_key_once(any_web: WebClient):
    admin_id = admin_in(any_web)
    listing = any_web.client.get(PAGE)
    assert listing.status_code == 200 and "Aucun client d'API" in listing.text
    assert f'href="{PAGE}"' in listing.text  # the menu links the page
    response = create(any_web, "Portail usager", "contact:write")
    assert response.status_code == 200, response.text
    assert "fr-alert--success" in response.text and "Portail usager" in response.text
    key = shown_key(response.text)
    with any_web.session() as session:
        client = session.exec(select(ApiClient)).one()
        secret = session.exec(select(ApiClientSecret)).one()
    assert client.scopes == ["contact:write"] and client.revoked_at is None
    assert key not in secret.secret_hash and len(secret.secret_hash) == 64
    listing = any_web.client.get(PAGE).text
    assert f"anef_{secret.prefix}_…" in listing and key not in listing
    (row,) = audit_rows(any_web, AuditKind.API_CLIENT_CREATED)
    assert (row.actor_id, row.object_kind, row.object_id) == (
        admin_id,
        "api_client",
        str(client.id),
    )
    assert row.actor_label.startswith("Agent ") and row.address
    assert row.detail["scopes"] == ["contact:write"] and key not in str(row.detail)
    any_web.client.cookies.clear()
    sent = any_web.client.post("/api/v1/contact", json=CONTACT_BODY, headers=bearer(key))
    assert sent.status_code == 201, sent.text


def test_refused_input_shows_the_form_again_with_each_error(any_web: WebClient):
    admin_id = admin_in(any_web)
    empty = create(any_web, "  ")
    assert empty.status_code == 422
    assert 'id="name-erreur"' in empty.text and "de 3 à 100 caractères" in empty.text
    assert 'id="scopes-erreur"' in empty.text and "Cochez au moins une autorisation" in empty.text
    unknown = create(any_web, "Formulaire <b>partenaire</b>", "tout:faire")
    assert unknown.status_code == 422
    assert 'value="Formulaire &lt;b&gt;partenaire&lt;/b&gt;"' in unknown.text  # kept, escaped
    assert "existe pas : cochez parmi la liste" in unknown.text
    assert create(any_web, "Formulaire", "dossier-events:write").status_code == 200
    taken = create(any_web, "FORMULAIRE", "contact:write")
    assert taken.status_code == 422 and "porte déjà ce nom" in taken.text
    assert re.search(r'value="contact:write"\s+checked', taken.text)  # the choice is kept
    with any_web.session() as session:
        assert len(session.exec(select(ApiClient)).all()) == 1
    assert len(audit_rows(any_web, AuditKind.API_CLIENT_CREATED)) == 1
    assert admin_id


def test_rotation_shows_a_new_key_and_keeps_the_old_one_for_the_overlap(any_web: WebClient):
    admin_id = admin_in(any_web)
    old = shown_key(create(any_web, "Service des dossiers", "dossier-events:write").text)
    with any_web.session() as session:
        client_id = session.exec(select(ApiClient.id)).one()
    form = any_web.client.get(f"{PAGE}/{client_id}/renouveler")
    assert form.status_code == 200 and 'value="7"' in form.text  # the default overlap
    page = f"{PAGE}/{client_id}/renouveler"
    bad = any_web.post_form(page, {"overlap_days": "sept"}, page=page)
    assert bad.status_code == 422 and 'id="overlap_days-erreur"' in bad.text
    assert 'value="sept"' in bad.text
    too_long = any_web.post_form(page, {"overlap_days": "365"}, page=page)
    assert too_long.status_code == 422 and "de 0 à 90" in too_long.text
    assert audit_rows(any_web, AuditKind.API_CLIENT_ROTATED) == []
    rotated = any_web.post_form(page, {"overlap_days": "3"}, page=page)
    assert rotated.status_code == 200, rotated.text
    new = shown_key(rotated.text)
    assert new != old and 'data-testid="overlap"' in rotated.text
    with any_web.session() as session:
        secrets = session.exec(select(ApiClientSecret).order_by(ApiClientSecret.id)).all()
    assert [s.expires_at is None for s in secrets] == [False, True]
    (row,) = audit_rows(any_web, AuditKind.API_CLIENT_ROTATED)
    assert (row.actor_id, row.object_id) == (admin_id, str(client_id))
    assert row.detail["prefix"] == secrets[1].prefix and new not in str(row.detail)
    listing = any_web.client.get(PAGE).text
    assert "valable jusqu'au" in listing and "(en service)" in listing


def test_revocation_is_confirmed_then_refuses_every_key(any_web: WebClient):
    admin_id = admin_in(any_web)
    key = shown_key(create(any_web, "Ancien partenaire", "contact:write").text)
    with any_web.session() as session:
        client_id = session.exec(select(ApiClient.id)).one()
    page = f"{PAGE}/{client_id}/revoquer"
    confirm = any_web.client.get(page)
    assert confirm.status_code == 200 and "Révoquer définitivement" in confirm.text
    done = any_web.post_form(page, {}, page=page)
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?revoque={client_id}"
    listing = any_web.client.get(done.headers["location"]).text
    assert "fr-alert--success" in listing and "Ancien partenaire » révoqué" in listing
    assert "Révoqué" in listing
    again = any_web.post_form(page, {}, page=PAGE)
    assert again.status_code == 200 and "déjà révoqué" in again.text
    (row,) = audit_rows(any_web, AuditKind.API_CLIENT_REVOKED)
    assert (row.actor_id, row.object_kind, row.object_id) == (
        admin_id,
        "api_client",
        str(client_id),
    )
    any_web.client.cookies.clear()
    refused = any_web.client.post("/api/v1/contact", json=CONTACT_BODY, headers=bearer(key))
    assert refused.status_code == 401
    rotate_page = f"{PAGE}/{client_id}/renouveler"
    admin_in(any_web)
    refused_rotation = any_web.post_form(rotate_page, {"overlap_days": "7"}, page=PAGE)
    assert refused_rotation.status_code == 422 and "révoqué" in refused_rotation.text


def test_other_roles_may_not_manage_clients(any_web: WebClient):
    with any_web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR)
        session.commit()
        email = supervisor.email
    any_web.sign_in(email)
    assert any_web.client.get(PAGE).status_code == 403
    refused = create(any_web, "Portail", "contact:write")
    assert refused.status_code == 403
    assert f'href="{PAGE}"' not in any_web.client.get("/").text
    with any_web.session() as session:
        assert session.exec(select(ApiClient)).all() == []


@pytest.fixture()
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "cli-test-secret")
    monkeypatch.delenv("HELPDESK_API_CLIENT_KEY", raising=False)
    assert CliRunner().invoke(main, ["migrate"]).exit_code == 0
    return url


def test_the_cli_creates_rotates_and_revokes_with_audit_rows(cli_db: str):
    runner = CliRunner()
    args = ["api-client", "create", "--name", "Portail", "--scope", "contact:write"]
    created = runner.invoke(main, args)
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("anef_")
    again = runner.invoke(main, [*args, "--if-missing"])
    assert again.exit_code == 0 and "existe déjà" in again.output
    assert runner.invoke(main, args).exit_code != 0  # the name is taken
    fixed = "anef_00000000d0c5_" + "d" * 43
    registered = runner.invoke(
        main,
        ["api-client", "create", "--name", "Démo", "--scope", "dossier-events:write"],
        env={"HELPDESK_API_CLIENT_KEY": fixed},
    )
    assert registered.exit_code == 0 and fixed not in registered.output
    rotated = runner.invoke(main, ["api-client", "rotate", "--name", "Portail"])
    assert rotated.exit_code == 0 and rotated.output.strip().splitlines()[-1] != key
    listed = runner.invoke(main, ["api-client", "list"])
    assert "Portail [actif]" in listed.output and key not in listed.output
    assert runner.invoke(main, ["api-client", "revoke", "--name", "Portail"]).exit_code == 0
    assert "Portail [révoqué]" in runner.invoke(main, ["api-client", "list"]).output
    with Session(make_engine(cli_db)) as session:
        kinds = [row.kind for row in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        labels = {row.actor_label for row in session.exec(select(AuditEvent))}
    assert kinds == [
        "api_client_created",
        "api_client_created",
        "api_client_rotated",
        "api_client_revoked",
    ]
    assert labels == {"Ligne de commande (helpdesk api-client)"}
