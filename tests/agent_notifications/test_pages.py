"""« Mes notifications » and the bell, through the whole web stack."""

from __future__ import annotations

import re

from sqlmodel import col, select

from helpdesk.agent_notifications.capture import DERIVE_JOB
from helpdesk.agent_notifications.kinds import NotificationKind
from helpdesk.agent_notifications.models import AgentNotification
from helpdesk.agent_notifications.recipients import Notice
from helpdesk.agent_notifications.service import deliver, email_mode
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS

from conftest import WebClient
from factories import make_agent, make_ticket

UNREAD = re.compile(r'aria-label="Notifications : ([^"]+)"')


def _run_derive(web: WebClient) -> None:
    """Run the pending derive jobs as the worker would (the test app starts no worker)."""
    with web.session() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.actor_name == DERIVE_JOB, col(OutboxMessage.done_at).is_(None))
            .order_by(col(OutboxMessage.id))
        ).all()
    for row in rows:
        web.client.app.state.jobs.execute(JOBS[DERIVE_JOB], row.id, dict(row.payload))


def _bell(web: WebClient) -> str:
    response = web.client.get("/notifications/cloche")
    assert response.status_code == 200
    match = UNREAD.search(response.text)
    assert match, response.text
    return match.group(1)


def _world(web: WebClient) -> tuple[str, list[int]]:
    """A CCC agent and two new tickets in the CCC queue (two notifications for the agent)."""
    with web.session() as session:
        email = make_agent(session).email
        session.commit()
        tickets = [make_ticket(session), make_ticket(session, subject="Titre de séjour perdu")]
        session.commit()
        ids = [t.id for t in tickets if t.id is not None]
    _run_derive(web)
    return email, ids


def test_the_bell_counts_and_opening_a_notification_marks_it_read(any_web: WebClient):
    email, ticket_ids = _world(any_web)
    any_web.sign_in(email)
    assert _bell(any_web) == "2 non lues"
    home = any_web.client.get("/")
    assert (
        'id="cloche-notifications"' in home.text and 'hx-get="/notifications/cloche"' in home.text
    )

    page = any_web.client.get("/notifications")
    assert page.status_code == 200
    assert page.text.count('data-unread="1"') == 2
    assert "Titre de séjour perdu" in page.text
    assert page.text.index("Titre de séjour perdu") < page.text.index("Attestation")  # newest
    newest = re.findall(r'action="/notifications/(\d+)/ouvrir"', page.text)[0]

    opened = any_web.post_form(f"/notifications/{newest}/ouvrir", {}, page="/notifications")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/tickets/{ticket_ids[1]}"
    assert _bell(any_web) == "1 non lue"

    done = any_web.post_form("/notifications/tout-lu", {}, page="/notifications")
    assert done.status_code == 303
    after = any_web.client.get(done.headers["location"])
    assert "1 notification marquée comme lue" in after.text and 'data-testid="flash"' in after.text
    assert _bell(any_web) == "aucune non lue"


def test_another_agents_notification_is_not_found_and_stays_unread(web: WebClient):
    email, _ = _world(web)
    with web.session() as session:
        other = make_agent(session)
        session.commit()
        mine = session.exec(select(AgentNotification.id)).first()
    web.sign_in(other.email)
    response = web.post_form(f"/notifications/{mine}/ouvrir", {}, page="/notifications")
    assert response.status_code == 404
    with web.session() as session:
        assert session.get(AgentNotification, mine).read_at is None  # type: ignore[union-attr]
    web.sign_in(email)
    assert _bell(web) == "2 non lues"


def test_preferences_are_saved_with_a_confirmation_or_refused_beside_the_field(web: WebClient):
    with web.session() as session:
        agent = make_agent(session)
        session.commit()
    web.sign_in(agent.email)

    saved = web.post_form(
        "/notifications/preferences",
        {"email_mode": "digest", "email_kinds": ["mention", "sla_breached"]},
        page="/notifications",
    )
    assert saved.status_code == 303
    page = web.client.get("/notifications").text
    assert "Préférences enregistrées" in page
    assert re.search(r'value="mention"\s+checked', page)
    assert not re.search(r'value="queue_arrival"\s+checked', page)

    refused = web.post_form(
        "/notifications/preferences", {"email_mode": "chaque-minute"}, page="/notifications"
    )
    assert refused.status_code == 422
    assert 'id="email_mode-erreur"' in refused.text and "Mes notifications" in refused.text
    with web.session() as session:
        assert email_mode(session, agent) == "digest"


def test_notifications_about_tickets_out_of_sight_are_neither_listed_nor_counted(web: WebClient):
    with web.session() as session:
        agent = make_agent(session)
        ticket = make_ticket(session, queue_code="sdst", subject="Question du SDST")
        deliver(  # written by hand: the derive job never gives such a notice
            session,
            web.client.app.state.settings,
            ticket,
            [Notice(agent=agent, kind=NotificationKind.MENTION, source="test:1", detail="")],
        )
        session.commit()
    web.sign_in(agent.email)
    assert _bell(web) == "aucune non lue"
    assert "Question du SDST" not in web.client.get("/notifications").text


def test_a_bad_page_number_shows_the_first_page(web: WebClient):
    email, _ = _world(web)
    web.sign_in(email)
    for value in ("abc", "-3", "99999999999999", "0"):
        response = web.client.get("/notifications", params={"page": value})
        assert response.status_code == 200
        assert response.text.count('data-testid="notification"') == 2


def test_opening_the_ticket_from_anywhere_marks_its_notifications_read(web: WebClient):
    email, ticket_ids = _world(web)
    web.sign_in(email)
    token = web.csrf("/notifications")
    response = web.client.post(
        f"/tickets/{ticket_ids[0]}/presence", headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert _bell(web) == "1 non lue"  # the other ticket's stays unread
