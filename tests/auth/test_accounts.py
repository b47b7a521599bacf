"""The account administration page: create, change role and queues, disable (issue 14)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent, AgentSession, Role
from helpdesk.tickets.models import Queue, QueueMembership
from helpdesk.web.dependencies import SESSION_COOKIE

from conftest import WebClient
from factories import make_agent

PASSWORD_SHOWN = re.compile(r"<code>([^<]+)</code>")


def setup(web: WebClient) -> tuple[Agent, Agent]:
    """An administrator (signed in) and a téléconseiller of the CCC."""
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        advisor = make_agent(session, email="camille@ccc.test")
        session.commit()
    web.sign_in(admin.email)
    return admin, advisor


def audit_rows(web: WebClient, kind: AuditKind) -> list[AuditEvent]:
    """The audit rows of a kind, oldest first."""
    web.client.app.state.audit.wait()
    with web.session() as session:
        query = select(AuditEvent).where(AuditEvent.kind == kind.value)
        return list(session.exec(query.order_by(col(AuditEvent.id))))


def queue_codes(web: WebClient, agent_id: int) -> set[str]:
    """The queues the agent is a member of."""
    with web.session() as session:
        rows = session.exec(
            select(Queue.code)
            .join(QueueMembership, col(QueueMembership.queue_id) == col(Queue.id))
            .where(QueueMembership.agent_id == agent_id)
        )
        return set(rows)


def post(web: WebClient, path: str, data: dict[str, Any]) -> Any:
    """A form of the account pages."""
    return web.post_form(path, data, page="/admin/comptes")


def test_the_list_filters_by_organisation_role_and_state(any_web: WebClient):
    admin, advisor = setup(any_web)
    with any_web.session() as session:
        sdst = make_agent(session, organisation="sdst", queues=("sdst",))
        session.get(Agent, sdst.id).active = False  # type: ignore[union-attr]
        session.commit()
    everyone = any_web.client.get("/admin/comptes")
    assert everyone.status_code == 200
    assert all(a.email in everyone.text for a in (admin, advisor, sdst))
    ccc = any_web.client.get("/admin/comptes?organisation=ccc").text
    assert advisor.email in ccc and sdst.email not in ccc
    admins = any_web.client.get("/admin/comptes?role=admin").text
    assert admin.email in admins and advisor.email not in admins
    disabled = any_web.client.get("/admin/comptes?etat=desactives").text
    assert sdst.email in disabled and advisor.email not in disabled
    odd = any_web.client.get("/admin/comptes?organisation=nulle-part&role=roi")
    assert odd.status_code == 200
    assert "Organisation inconnue" in odd.text and "Rôle inconnu" in odd.text
    assert advisor.email in odd.text  # the filters not understood are not applied


def test_creating_an_account_shows_a_temporary_password_once_and_audits_it(any_web: WebClient):
    admin, _ = setup(any_web)
    response = post(
        any_web,
        "/admin/comptes",
        {
            "email": "Nouvel.Agent@SDST.test",
            "nom": "Nouvel Agent",
            "role": "agent",
            "organisation": "sdst",
            "files": ["sdst"],
        },
    )
    assert response.status_code == 200
    assert "Le compte de Nouvel Agent est créé." in response.text
    match = PASSWORD_SHOWN.search(response.text)
    assert match and len(match.group(1)) >= 12
    with any_web.session() as session:
        created = session.exec(select(Agent).where(Agent.email == "nouvel.agent@sdst.test")).one()
    assert queue_codes(any_web, created.id) == {"sdst"}  # type: ignore[arg-type]
    assert match.group(1) not in created.password_hash
    (row,) = audit_rows(any_web, AuditKind.ACCOUNT_CREATED)
    assert (row.actor_id, row.object_kind, row.object_id) == (admin.id, "agent", str(created.id))
    assert row.detail == {
        "role": "agent",
        "organisation": "sdst",
        "site": None,
        "queues": ["sdst"],
        "temporary_password": True,
    }
    assert match.group(1) not in repr(row.model_dump())
    any_web.client.cookies.clear()
    assert any_web.sign_in("nouvel.agent@sdst.test", match.group(1)).status_code == 303


def test_a_refused_creation_keeps_the_input_and_says_why_beside_each_field(any_web: WebClient):
    setup(any_web)
    response = post(
        any_web,
        "/admin/comptes",
        {
            "email": "pas-une-adresse",
            "nom": "Luc Garnier",
            "role": "referent",
            "organisation": "ccc",
        },
    )
    assert response.status_code == 422
    assert 'id="email-erreur"' in response.text and 'id="site-erreur"' in response.text
    assert 'value="pas-une-adresse"' in response.text and 'value="Luc Garnier"' in response.text
    duplicate = post(
        any_web,
        "/admin/comptes",
        {"email": "camille@ccc.test", "nom": "Autre", "role": "agent", "organisation": "ccc"},
    )
    assert duplicate.status_code == 422 and "utilise déjà cette adresse" in duplicate.text
    assert audit_rows(any_web, AuditKind.ACCOUNT_CREATED) == []


def test_role_and_membership_changes_write_before_and_after(any_web: WebClient):
    admin, advisor = setup(any_web)
    response = post(
        any_web,
        f"/admin/comptes/{advisor.id}",
        {"role": "supervisor", "organisation": "ccc", "files": ["ccc", "dp-anef"]},
    )
    assert response.status_code == 303
    page = any_web.client.get(response.headers["location"])
    assert "Le compte a été modifié" in page.text
    with any_web.session() as session:
        assert session.get(Agent, advisor.id).role == "supervisor"  # type: ignore[union-attr]
    assert queue_codes(any_web, advisor.id) == {"ccc", "dp-anef"}  # type: ignore[arg-type]
    (role,) = audit_rows(any_web, AuditKind.ROLE_CHANGED)
    (membership,) = audit_rows(any_web, AuditKind.MEMBERSHIP_CHANGED)
    for row in (role, membership):
        assert (row.actor_id, row.object_kind, row.object_id) == (
            admin.id,
            "agent",
            str(advisor.id),
        )
    assert role.detail == {"before": "agent", "after": "supervisor"}
    assert membership.detail["before"]["queues"] == ["ccc"]
    assert membership.detail["after"]["queues"] == ["ccc", "dp-anef"]
    again = post(
        any_web,
        f"/admin/comptes/{advisor.id}",
        {"role": "supervisor", "organisation": "ccc", "files": ["ccc", "dp-anef"]},
    )
    assert again.headers["location"].endswith("fait=inchange")
    assert len(audit_rows(any_web, AuditKind.ROLE_CHANGED)) == 1


def test_a_bad_change_is_refused_beside_the_field_and_changes_nothing(web: WebClient):
    admin, advisor = setup(web)
    response = post(
        web, f"/admin/comptes/{advisor.id}", {"role": "roi", "organisation": "ccc", "files": ["x"]}
    )
    assert response.status_code == 422
    assert 'id="role-erreur"' in response.text and 'id="files-erreur"' in response.text
    own = post(web, f"/admin/comptes/{admin.id}", {"role": "agent", "organisation": "dp-anef"})
    assert own.status_code == 422 and "votre propre rôle" in own.text
    with web.session() as session:
        assert session.get(Agent, advisor.id).role == "agent"  # type: ignore[union-attr]
        assert session.get(Agent, admin.id).role == "admin"  # type: ignore[union-attr]
    assert audit_rows(web, AuditKind.ROLE_CHANGED) == []


def test_disabling_ends_the_sessions_and_re_enabling_lets_the_agent_back(any_web: WebClient):
    admin, advisor = setup(any_web)
    admin_cookie = any_web.client.cookies[SESSION_COOKIE]
    any_web.client.cookies.clear()
    any_web.sign_in(advisor.email)
    advisor_cookie = any_web.client.cookies[SESSION_COOKIE]
    assert any_web.client.get("/", follow_redirects=False).status_code == 200
    any_web.client.cookies.set(SESSION_COOKIE, admin_cookie)
    response = post(any_web, f"/admin/comptes/{advisor.id}/desactiver", {})
    assert response.status_code == 303
    assert "Le compte est désactivé" in any_web.client.get(response.headers["location"]).text
    with any_web.session() as session:
        sessions = session.exec(
            select(AgentSession).where(AgentSession.agent_id == advisor.id)
        ).all()
    assert sessions and all(s.revoked_at is not None for s in sessions)
    any_web.client.cookies.set(SESSION_COOKIE, advisor_cookie)
    assert any_web.client.get("/", follow_redirects=False).status_code == 302
    (row,) = audit_rows(any_web, AuditKind.ACCOUNT_DISABLED)
    assert (row.actor_id, row.object_id, row.detail) == (
        admin.id,
        str(advisor.id),
        {"sessions_ended": 1},
    )
    any_web.client.cookies.set(SESSION_COOKIE, admin_cookie)
    assert post(any_web, f"/admin/comptes/{advisor.id}/reactiver", {}).status_code == 303
    (enabled,) = audit_rows(any_web, AuditKind.ACCOUNT_ENABLED)
    assert (enabled.actor_id, enabled.object_id) == (admin.id, str(advisor.id))
    any_web.client.cookies.clear()
    assert any_web.sign_in(advisor.email).status_code == 303


def test_an_administrator_cannot_disable_their_own_account(web: WebClient):
    admin, _ = setup(web)
    response = post(web, f"/admin/comptes/{admin.id}/desactiver", {})
    assert response.status_code == 422
    assert "votre propre compte" in response.text
    with web.session() as session:
        assert session.get(Agent, admin.id).active  # type: ignore[union-attr]


def test_the_account_pages_are_refused_to_non_administrators_and_a_missing_account_is_a_404(
    web: WebClient,
):
    _, advisor = setup(web)
    assert web.client.get("/admin/comptes/999999").status_code == 404
    with web.session() as session:
        supervisor = make_agent(session, role=Role.SUPERVISOR, email="chef@ccc.test")
        session.commit()
    web.client.cookies.clear()
    web.sign_in(supervisor.email)
    assert web.client.get("/admin/comptes").status_code == 403
    assert web.client.get(f"/admin/comptes/{advisor.id}").status_code == 403
    response = web.post_form(f"/admin/comptes/{advisor.id}/desactiver", {}, page="/")
    assert response.status_code == 403
    with web.session() as session:
        assert session.get(Agent, advisor.id).active  # type: ignore[union-attr]
    assert "/admin/comptes" not in web.client.get("/").text  # not in the menu either
