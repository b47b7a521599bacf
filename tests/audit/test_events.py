"""Each security-relevant event writes its audit row: kind, actor, address, object (issue 14)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent, AgentSession
from helpdesk.auth.service import UNKNOWN_ACCOUNT, token_hash
from helpdesk.db import utcnow
from helpdesk.tickets.attachments import store_attachment
from helpdesk.tickets.handover import hand_over
from helpdesk.web.dependencies import SESSION_COOKIE

from conftest import WebClient
from factories import PASSWORD, make_agent, make_ticket

ADDRESS = "testclient"  # the client address Litestar's test client presents
SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}


def rows(web: WebClient, kind: AuditKind) -> list[AuditEvent]:
    """The audit rows of a kind, oldest first, once the writer has written what it holds."""
    web.client.app.state.audit.wait()
    with web.session() as session:
        query = select(AuditEvent).where(AuditEvent.kind == kind.value)
        return list(session.exec(query.order_by(col(AuditEvent.id))).all())


def agent(web: WebClient, **kwargs: Any) -> Agent:
    """An agent committed to the app's database."""
    with web.session() as session:
        made = make_agent(session, **kwargs)
        session.commit()
        return made


def assert_actor(row: AuditEvent, who: Agent) -> None:
    """The row names the agent, by id and by name, from the test client's address."""
    assert (row.actor_id, row.actor_label, row.address) == (who.id, who.full_name, ADDRESS)


def test_sign_in_success(any_web: WebClient):
    advisor = agent(any_web)
    assert any_web.sign_in(advisor.email).status_code == 303
    (row,) = rows(any_web, AuditKind.SIGN_IN)
    assert_actor(row, advisor)
    assert (row.object_kind, row.object_id) == ("agent", str(advisor.id))


def test_sign_in_failures_name_the_account_but_never_keep_what_was_typed(any_web: WebClient):
    advisor = agent(any_web)
    assert any_web.sign_in(advisor.email, "pas-le-bon-mot-de-passe").status_code == 401
    assert any_web.sign_in("Mot-De-Passe-Tape-Ici@x.test", "peu-importe").status_code == 401
    wrong, unknown = rows(any_web, AuditKind.SIGN_IN_FAILED)
    assert_actor(wrong, advisor)
    assert wrong.detail == {"reason": "wrong_password"}
    assert (unknown.actor_id, unknown.actor_label, unknown.address) == (
        None,
        UNKNOWN_ACCOUNT,
        ADDRESS,
    )
    assert unknown.detail == {"reason": "unknown_account"}
    assert "mot-de-passe-tape-ici" not in repr(unknown.model_dump()).lower()


def test_a_disabled_account_and_a_throttled_attempt_are_recorded(web: WebClient):
    advisor = agent(web)
    with web.session() as session:
        session.get(Agent, advisor.id).active = False  # type: ignore[union-attr]
        session.commit()
    assert web.sign_in(advisor.email).status_code == 401
    for _ in range(4):  # with the refusal above, the fifth failure: the limit
        assert web.sign_in(advisor.email, "mauvais-mot-de-passe").status_code == 401
    assert web.sign_in(advisor.email).status_code == 429  # rolled back: written apart
    reasons = [row.detail["reason"] for row in rows(web, AuditKind.SIGN_IN_FAILED)]
    assert reasons == ["account_disabled", *["wrong_password"] * 4, "throttled"]
    assert all(row.actor_id == advisor.id for row in rows(web, AuditKind.SIGN_IN_FAILED))


def test_sign_out(any_web: WebClient):
    advisor = agent(any_web)
    any_web.sign_in(advisor.email)
    token = any_web.client.cookies[SESSION_COOKIE]
    assert any_web.post_form("/deconnexion", {}, page="/").status_code == 303
    (row,) = rows(any_web, AuditKind.SIGN_OUT)
    assert_actor(row, advisor)
    assert row.detail == {"reason": "sign_out"}
    with any_web.session() as session:
        ended = session.exec(
            select(AgentSession).where(AgentSession.token_hash == token_hash(token))
        ).one()
    assert (row.object_kind, row.object_id) == ("session", str(ended.id))


def test_signing_in_again_ends_the_previous_session_as_a_sign_out(web: WebClient):
    advisor = agent(web)
    web.sign_in(advisor.email)
    web.sign_in(advisor.email)
    assert [row.detail for row in rows(web, AuditKind.SIGN_OUT)] == [{"reason": "new_sign_in"}]
    assert len(rows(web, AuditKind.SIGN_IN)) == 2


def test_session_expiry_is_recorded_once_when_the_expired_session_is_presented(
    any_web: WebClient,
):
    advisor = agent(any_web)
    any_web.sign_in(advisor.email)
    token = any_web.client.cookies[SESSION_COOKIE]
    with any_web.session() as session:
        session.execute(
            update(AgentSession)
            .where(col(AgentSession.token_hash) == token_hash(token))
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
        session.commit()
    for _ in range(2):  # the second time the session is already ended: no second row
        response = any_web.client.get("/", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"].startswith("/connexion")
    (row,) = rows(any_web, AuditKind.SESSION_EXPIRED)
    assert_actor(row, advisor)
    assert row.detail == {"timeout": "idle"}
    with any_web.session() as session:
        ended = session.exec(
            select(AgentSession).where(AgentSession.token_hash == token_hash(token))
        ).one()
    assert ended.revoked_at is not None
    assert row.object_id == str(ended.id)


def test_refusals_on_existing_tickets_are_recorded_and_missing_ids_are_not(any_web: WebClient):
    advisor = agent(any_web)
    with any_web.session() as session:
        unseen = make_ticket(session, queue_code="sdanf", subject="Hors de vue")
        passed = make_ticket(session, subject="Passé à la DP ANEF")
        hand_over(session, ticket_id=passed.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
        session.commit()
    any_web.sign_in(advisor.email)
    assert any_web.client.get(f"/tickets/{unseen.id}").status_code == 404
    assert any_web.client.get("/tickets/999999").status_code == 404  # no such ticket
    refused = any_web.post_form(
        f"/tickets/{passed.id}/status",
        {"status": "resolved", "version": "9"},
        page=f"/tickets/{passed.id}",
    )
    assert refused.status_code == 403  # readable (passed through the CCC), not workable
    hidden, forbidden = rows(any_web, AuditKind.ACCESS_REFUSED)
    for row in (hidden, forbidden):
        assert_actor(row, advisor)
        assert row.object_kind == "ticket"
    assert (hidden.ticket_id, hidden.detail["status"], hidden.detail["action"]) == (
        unseen.id,
        404,
        "view",
    )
    assert hidden.detail["path"] == f"/tickets/{unseen.id}"
    assert (forbidden.ticket_id, forbidden.detail["status"], forbidden.detail["action"]) == (
        passed.id,
        403,
        "change_status",
    )


def test_a_refused_page_is_recorded(web: WebClient):
    advisor = agent(web)
    web.sign_in(advisor.email)
    assert web.client.get("/admin/travaux").status_code == 403
    (row,) = rows(web, AuditKind.ACCESS_REFUSED)
    assert_actor(row, advisor)
    assert (row.object_kind, row.object_id, row.ticket_id) == ("page", "administer", None)
    assert row.detail["path"] == "/admin/travaux"


def test_ticket_viewed(any_web: WebClient):
    advisor = agent(any_web)
    with any_web.session() as session:
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    assert any_web.client.get(f"/tickets/{ticket.id}").status_code == 200
    (row,) = rows(any_web, AuditKind.TICKET_VIEWED)
    assert_actor(row, advisor)
    assert (row.ticket_id, row.object_kind, row.object_id) == (ticket.id, "ticket", str(ticket.id))


def test_attachment_downloaded(web: WebClient):
    advisor = agent(web)
    with web.session() as session:
        ticket = make_ticket(session)
        attachment = store_attachment(
            session,
            storage_dir=web.client.app.state.settings.storage_dir,
            ticket=ticket,
            filename="titre.pdf",
            content_type="application/pdf",
            data=b"%PDF-1.4 demo",
        )
        session.commit()
    web.sign_in(advisor.email)
    assert web.client.get(f"/tickets/{ticket.id}/pieces-jointes/{attachment.id}").status_code == 200
    (row,) = rows(web, AuditKind.ATTACHMENT_DOWNLOADED)
    assert_actor(row, advisor)
    assert (row.ticket_id, row.object_kind, row.object_id) == (
        ticket.id,
        "attachment",
        str(attachment.id),
    )


def test_point_bimensuel_export_and_print(web: WebClient):
    advisor = agent(web)
    with web.session() as session:
        ticket = make_ticket(session)
        hand_over(session, ticket_id=ticket.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
        session.commit()
    web.sign_in(advisor.email)
    export = web.client.get("/point-bimensuel/export.csv?periode=tout")
    assert ticket.reference in export.text
    assert web.client.get("/point-bimensuel/imprimer").status_code == 200
    (exported,) = rows(web, AuditKind.EXPORTED)
    (printed,) = rows(web, AuditKind.PRINTED)
    for row in (exported, printed):
        assert_actor(row, advisor)
        assert (row.object_kind, row.object_id) == ("export", "point-bimensuel")
    assert exported.detail["filters"] == {"periode": "tout"}
    assert exported.detail["tickets"] == 1


def test_follow_up_link_revoked(any_web: WebClient):
    advisor = agent(any_web)
    with any_web.session() as session:
        ticket = make_ticket(session)
        session.commit()
    any_web.sign_in(advisor.email)
    response = any_web.post_form(
        f"/tickets/{ticket.id}/lien-de-suivi", {}, page=f"/tickets/{ticket.id}"
    )
    assert response.status_code == 303
    (row,) = rows(any_web, AuditKind.FOLLOW_UP_LINK_REVOKED)
    assert_actor(row, advisor)
    assert (row.ticket_id, row.object_kind) == (ticket.id, "ticket")


def test_the_trail_refuses_updates_but_lets_old_rows_be_deleted(any_web: WebClient):
    advisor = agent(any_web)
    any_web.sign_in(advisor.email, PASSWORD)
    (row,) = rows(any_web, AuditKind.SIGN_IN)
    with pytest.raises(DBAPIError, match="append-only"), any_web.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor_label = 'x'"))
    with any_web.engine.begin() as connection:
        deleted = connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": row.id})
    assert deleted.rowcount == 1
