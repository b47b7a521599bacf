"""The web skeleton: home page, ticket pages, error pages, headers and probes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from helpdesk.auth.models import Role
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Ticket

from conftest import WebClient, make_settings
from factories import make_agent, make_ticket


def seed_agents(web: WebClient) -> dict[str, str]:
    with web.session() as session:
        agents = {
            "advisor": make_agent(session),
            "supervisor": make_agent(session, role=Role.SUPERVISOR),
            "sdst": make_agent(session, organisation="sdst", queues=("sdst",)),
            "referent": make_agent(
                session, role=Role.REFERENT, organisation="ccc", queues=(), site=None
            ),
        }
        session.commit()
        return {name: agent.email for name, agent in agents.items()}


def create_tickets(web: WebClient, count: int) -> list[Ticket]:
    with web.session() as session:
        tickets = [make_ticket(session, subject=f"Demande {i}") for i in range(count)]
        session.commit()
        return tickets


def test_home_lists_the_agents_queues_with_their_counts(web: WebClient):
    emails = seed_agents(web)
    create_tickets(web, 3)
    web.sign_in(emails["advisor"])
    page = web.client.get("/")
    assert page.status_code == 200
    assert 'data-queue="ccc"' in page.text
    assert 'data-queue="sdst"' not in page.text
    assert 'data-testid="count-ccc">3<' in page.text


def test_supervisors_see_their_organisation_queues(web: WebClient):
    emails = seed_agents(web)
    web.sign_in(emails["supervisor"])
    page = web.client.get("/")
    assert 'data-queue="ccc"' in page.text
    for code in ("dp-anef", "sdst", "sdanf"):
        assert f'data-queue="{code}"' not in page.text


def test_pages_need_sign_in(web: WebClient):
    response = web.client.get("/tickets/1", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/connexion?next=/tickets/1"


def test_security_headers_on_every_page(web: WebClient):
    for path in ("/connexion", "/healthz", "/page-inexistante"):
        headers = web.client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-request-id"]
        assert "strict-transport-security" not in headers


def test_hsts_behind_https(sqlite_engine: Engine, tmp_path: Path):
    settings = make_settings(tmp_path, base_url="https://assistance.anef.example.gouv.fr")
    with WebClient.start(sqlite_engine, settings) as web:
        headers = web.client.get("/connexion").headers
        assert headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in headers["set-cookie"]


def test_not_found_page_is_french_without_traceback(web: WebClient):
    response = web.client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert "Traceback" not in response.text


def test_database_failure_gives_a_french_500_without_traceback(web: WebClient):
    emails = seed_agents(web)
    web.sign_in(emails["advisor"])
    with web.engine.begin() as connection:
        connection.execute(text("DROP TABLE queue_membership"))
    response = web.client.get("/")
    assert response.status_code == 500
    assert "Erreur inattendue" in response.text
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_ticket_of_another_queue_is_a_404(web: WebClient):
    emails = seed_agents(web)
    (ticket,) = create_tickets(web, 1)
    web.sign_in(emails["sdst"])
    response = web.client.get(f"/tickets/{ticket.id}")
    assert response.status_code == 404
    assert ticket.reference not in response.text
    assert web.client.get("/files/ccc").status_code == 404


def test_advisor_works_a_ticket_through_the_forms(web: WebClient):
    emails = seed_agents(web)
    (ticket,) = create_tickets(web, 1)
    web.sign_in(emails["advisor"])
    page = f"/tickets/{ticket.id}"
    assert ticket.reference in web.client.get(page).text
    reply = web.post_form(
        f"{page}/messages",
        {"body": "<script>alert(1)</script> Bonjour", "kind": "public_reply", "version": 1},
        page=page,
    )
    assert reply.status_code == 303
    shown = web.client.get(page).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bonjour" in shown
    assert "<script>alert(1)</script>" not in shown
    moved = web.post_form(
        f"{page}/handover",
        {
            "to_queue": "dp-anef",
            "reason": "Attestation non générée",
            "checked": "Dossier complet",
            "question": "Pouvez-vous régénérer l'attestation ?",
            "version": 2,
        },
        page=page,
    )
    assert moved.status_code == 303
    assert "Attestation non générée" in web.client.get(page).text


def test_stale_form_gets_a_409_and_changes_nothing(web: WebClient):
    emails = seed_agents(web)
    (ticket,) = create_tickets(web, 1)
    web.sign_in(emails["advisor"])
    page = f"/tickets/{ticket.id}"
    web.post_form(f"{page}/status", {"status": "open", "version": 1}, page=page)
    stale = web.post_form(f"{page}/status", {"status": "resolved", "version": 1}, page=page)
    assert stale.status_code == 409
    assert "modifié par quelqu&#39;un d&#39;autre" in stale.text
    with web.session() as session:
        assert session.get(Ticket, ticket.id).status == "open"  # type: ignore[union-attr]


def test_illegal_hand_over_is_a_clear_422(web: WebClient):
    emails = seed_agents(web)
    (ticket,) = create_tickets(web, 1)
    web.sign_in(emails["advisor"])
    page = f"/tickets/{ticket.id}"
    response = web.post_form(
        f"{page}/handover", {"to_queue": "sdst", "reason": "x", "version": 1}, page=page
    )
    assert response.status_code == 422
    assert "circuit de support" in response.text


def test_sdst_reads_a_ticket_it_handled_after_it_went_back(web: WebClient):
    emails = seed_agents(web)
    (ticket,) = create_tickets(web, 1)
    with web.session() as session:
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        advisor = make_agent(session)
        sdst = make_agent(session, organisation="sdst", queues=("sdst",))
        summary = {"checked": "vérifié", "question": "question ?"}
        hand_over(
            session,
            ticket_id=ticket.id,
            to_queue_code="dp-anef",
            reason="a",
            actor=advisor,
            **summary,
        )
        hand_over(
            session, ticket_id=ticket.id, to_queue_code="sdst", reason="b", actor=dp, **summary
        )
        hand_over(
            session,
            ticket_id=ticket.id,
            to_queue_code="dp-anef",
            reason="c",
            answer="ok",
            actor=sdst,
        )
        session.commit()
    web.sign_in(emails["sdst"])
    page = web.client.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200
    assert "Enregistrer le message" not in page.text


def test_health_and_readiness(web: WebClient):
    assert web.client.get("/healthz").json() == {"status": "ok"}
    ready = web.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "broker": True}


def test_admin_sees_dead_letters_and_others_do_not(web: WebClient):
    emails = seed_agents(web)
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        session.commit()
    web.sign_in(emails["advisor"])
    assert web.client.get("/admin/travaux").status_code == 403
    web.sign_in(admin.email)
    page = web.client.get("/admin/travaux")
    assert page.status_code == 200
    assert "Aucun travail en échec" in page.text


def test_openapi_schema_is_served_without_any_cdn_viewer(web: WebClient):
    schema = web.client.get("/api/v1/schema")
    assert schema.status_code == 200
    assert "/api/v1/contact" in schema.json()["paths"]
    assert "/api/v1/dossier-events" in schema.json()["paths"]
    assert web.client.get("/api/v1/schema/swagger").status_code == 404
    assert "http" not in web.client.get("/api/v1/schema/openapi.yaml").headers["content-type"]
