"""The failed jobs page: paging to the oldest, filters, tickets and recipients, replays, badge."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.admin.dead_letters import PAGE_SIZE
from helpdesk.auth.models import Agent, Role
from helpdesk.db import utcnow
from helpdesk.incidents.models import IncidentTicket
from helpdesk.incidents.schemas import IncidentForm
from helpdesk.incidents.service import link_tickets, record_incident
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.notifications.service import queue_mail

from conftest import WebClient
from factories import make_agent, make_ticket
from support.dead_letters import add_dead_letter, add_many

SEND_MAIL = "notifications.send_mail"
ROUTING = "routing.ticket_changed"
PURGE = "maintenance.purge_expired"
RESOLVE = "incidents.resolve_linked_ticket"
ROW = re.compile(r'data-dead-letter="(\d+)"')
# The tables a page reads for the tickets and recipients of its rows.
ROW_TABLES = re.compile(r"\bFROM (outgoing_mail|ticket|incident_ticket)\b")
# A moment far from midnight in Paris, so that "the day before" is unambiguous.
NOON = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def sign_in_admin(web: WebClient) -> Agent:
    """An administrator of DP ANEF, signed in."""
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        session.commit()
    assert web.sign_in(admin.email).status_code in (302, 303)
    return admin


def shown_ids(html: str) -> list[int]:
    """The dead letters listed on a page, in their order."""
    return [int(found) for found in ROW.findall(html)]


def replayed_ids(engine: Engine) -> set[int]:
    """The dead letters marked replayed."""
    with Session(engine) as session:
        found = session.exec(select(DeadLetter.id).where(col(DeadLetter.replayed_at).is_not(None)))
        return {i for i in found if i is not None}


def due_again(engine: Engine, dead_letter_ids: set[int]) -> bool:
    """Whether the outbox rows of these dead letters are pending again (the sweep sends them)."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .join(DeadLetter, col(DeadLetter.outbox_id) == col(OutboxMessage.id))
            .where(col(DeadLetter.id).in_(dead_letter_ids))
        ).all()
    return len(rows) == len(dead_letter_ids) and all(
        row.dead_at is None and row.done_at is None and row.failures == 0 for row in rows
    )


def replay_form(web: WebClient, path: str, data: dict[str, Any], *, page: str) -> Any:
    """POST a replay form with the CSRF token of the page it is on."""
    return web.post_form(path, data, page=page)


def test_paging_reaches_the_oldest_of_230_dead_letters(any_web: WebClient):
    web = any_web
    with web.session() as session:
        letters = add_many(session, SEND_MAIL, 230, newest=NOON, step=timedelta(minutes=7))
        session.commit()
    newest_first = [d.id for d in letters]
    sign_in_admin(web)

    first = web.client.get("/admin/travaux")
    assert first.status_code == 200
    assert shown_ids(first.text) == newest_first[:PAGE_SIZE]
    assert "230 travaux en échec" in first.text
    assert "230 non relancés" in first.text
    assert 'href="/admin/travaux?page=5"' in first.text  # the last page, linked

    last = web.client.get("/admin/travaux?page=5")
    assert shown_ids(last.text) == newest_first[200:]
    assert newest_first[-1] in shown_ids(last.text)  # the oldest failure of all
    assert 'aria-current="page" title="Page 5"' in last.text
    beyond = web.client.get("/admin/travaux?page=99")  # kept within the pages that exist
    assert shown_ids(beyond.text) == newest_first[200:]


def test_filters_by_kind_state_and_period(any_web: WebClient):
    web = any_web
    day = timedelta(days=1)
    with web.session() as session:
        mail_old = add_dead_letter(session, SEND_MAIL, failed_at=NOON - 3 * day)
        mail_new = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        mail_done = add_dead_letter(session, SEND_MAIL, failed_at=NOON - day, replayed_at=NOON)
        routing = add_dead_letter(session, ROUTING, kwargs={"ticket_id": 999}, failed_at=NOON)
        session.commit()
    sign_in_admin(web)

    by_kind = web.client.get(f"/admin/travaux?type={SEND_MAIL}")
    assert set(shown_ids(by_kind.text)) == {mail_old.id, mail_new.id, mail_done.id}
    assert "3 travaux en échec</strong> pour ces critères" in by_kind.text
    assert "Envoi d&#39;un courriel (3, dont 2 non relancés)" in by_kind.text

    not_replayed = web.client.get("/admin/travaux?etat=non-relances")
    assert set(shown_ids(not_replayed.text)) == {mail_old.id, mail_new.id, routing.id}
    replayed = web.client.get("/admin/travaux?etat=relances")
    assert shown_ids(replayed.text) == [mail_done.id]

    # 9 and 10 March in Paris: the failure of the 7th is outside, the others inside.
    period = web.client.get(f"/admin/travaux?type={SEND_MAIL}&du=09/03/2026&au=2026-03-10")
    assert set(shown_ids(period.text)) == {mail_new.id, mail_done.id}
    assert 'value="09/03/2026"' in period.text and 'value="10/03/2026"' in period.text
    one_day = web.client.get("/admin/travaux?du=2026-03-07&au=2026-03-07")
    assert shown_ids(one_day.text) == [mail_old.id]
    nothing = web.client.get("/admin/travaux?du=2026-01-01&au=2026-01-31")
    assert "Aucun travail en échec ne correspond à ces critères" in nothing.text


def test_each_row_shows_its_ticket_and_recipient_in_a_fixed_number_of_queries(
    any_web: WebClient,
):
    web = any_web
    with web.session() as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
        ticket = make_ticket(session, requester_email="awa.traore@example.org")
        linked = make_ticket(session, subject="Dépôt impossible")
        link_id = _incident_link(session, admin, linked.id)
        mail = queue_mail(
            session,
            recipient="awa.traore@example.org",
            subject="Réponse à votre demande",
            body="Bonjour",
            ticket_id=ticket.id,
        )
        add_dead_letter(session, SEND_MAIL, kwargs={"mail_id": mail.id}, failed_at=NOON)
        add_dead_letter(session, ROUTING, kwargs={"ticket_id": ticket.id}, failed_at=NOON)
        add_dead_letter(session, PURGE, error="OperationalError: " + "x" * 400, failed_at=NOON)
        add_dead_letter(session, RESOLVE, kwargs={"link_id": link_id}, failed_at=NOON)
        session.commit()
    web.sign_in(admin.email)

    page = web.client.get("/admin/travaux")
    assert page.text.count(f'<a href="/tickets/{ticket.id}">{ticket.reference}</a>') == 2
    assert f'<a href="/tickets/{linked.id}">{linked.reference}</a>' in page.text
    assert "awa.traore@example.org" in page.text
    assert "Envoi d&#39;un courriel" in page.text and "Routage d&#39;un ticket" in page.text
    assert "<details" in page.text and "x" * 400 in page.text  # the full error, folded

    few = _queries_of(web, "/admin/travaux")
    with web.session() as session:
        for number in range(PAGE_SIZE):
            other = make_ticket(session, subject=f"Demande {number}")
            sent = queue_mail(
                session,
                recipient=f"usager{number}@example.org",
                subject="x",
                body="x",
                ticket_id=other.id,
            )
            add_dead_letter(session, SEND_MAIL, kwargs={"mail_id": sent.id})
        session.commit()
    assert "usager49@example.org" in web.client.get("/admin/travaux").text
    assert few == 3  # the mails, the incident links, the tickets
    assert _queries_of(web, "/admin/travaux") <= few  # not one per row


def _incident_link(session: Session, admin: Agent, ticket_id: int) -> int:
    """The id of a ticket's link to a new incident (what a resolution job is about)."""
    incident = record_incident(
        session, form=IncidentForm(title="Panne du dépôt", description="Erreur 500."), actor=admin
    )
    link_tickets(session, incident_id=incident.id, ticket_ids=[ticket_id], actor=admin)
    link = session.exec(select(IncidentTicket).where(IncidentTicket.ticket_id == ticket_id)).one()
    assert link.id is not None
    return link.id


def _queries_of(web: WebClient, path: str) -> int:
    """How many SQL statements the page costs to read mails, tickets and incident links."""
    statements: list[str] = []

    def note(*args: Any) -> None:
        if ROW_TABLES.search(args[2]):
            statements.append(args[2])

    event.listen(web.engine, "before_cursor_execute", note)
    try:
        assert web.client.get(path).status_code == 200
    finally:
        event.remove(web.engine, "before_cursor_execute", note)
    return len(statements)


def test_bulk_replay_of_a_filtered_selection_replays_exactly_the_matching_rows(
    any_web: WebClient,
):
    web = any_web
    day = timedelta(days=1)
    with web.session() as session:
        inside = add_many(session, SEND_MAIL, 120, newest=NOON, step=timedelta(minutes=5))
        too_old = add_dead_letter(session, SEND_MAIL, failed_at=NOON - 5 * day)
        other_kind = add_dead_letter(session, ROUTING, failed_at=NOON)
        done = add_dead_letter(session, SEND_MAIL, failed_at=NOON, replayed_at=NOON)
        session.commit()
    sign_in_admin(web)
    query = f"type={SEND_MAIL}&etat=non-relances&du=2026-03-09&au=2026-03-10"
    page = web.client.get(f"/admin/travaux?{query}")
    assert "Relancer les 120 travaux non relancés de cette sélection" in page.text

    form = {"mode": "filtre", "type": SEND_MAIL, "etat": "non-relances", "du": "2026-03-09"}
    form |= {"au": "2026-03-10", "page": "2", "plafond": str(max(d.id for d in inside))}
    response = replay_form(web, "/admin/travaux/relancer", form, page=f"/admin/travaux?{query}")

    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/admin/travaux?{query}&relances=120"
    wanted = {d.id for d in inside}
    assert replayed_ids(web.engine) == wanted | {done.id}
    assert due_again(web.engine, wanted)
    assert too_old.id not in replayed_ids(web.engine)
    assert other_kind.id not in replayed_ids(web.engine)
    after = web.client.get(location)
    assert "120 travaux relancés" in after.text
    assert "Aucun travail en échec ne correspond à ces critères" in after.text


def test_bulk_replay_leaves_dead_letters_that_arrived_after_the_page_was_shown(web: WebClient):
    with web.session() as session:
        seen = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        session.commit()
    sign_in_admin(web)
    page = web.client.get("/admin/travaux")
    bound = re.search(r'name="plafond" value="(\d+)"', page.text)
    assert bound is not None and int(bound.group(1)) == seen.id
    with web.session() as session:
        later = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        session.commit()

    response = replay_form(
        web,
        "/admin/travaux/relancer",
        {"mode": "filtre", "plafond": bound.group(1)},
        page="/admin/travaux",
    )

    assert response.headers["location"] == "/admin/travaux?relances=1"
    assert replayed_ids(web.engine) == {seen.id}
    assert later.id not in replayed_ids(web.engine)


def test_checked_rows_replay_once_and_an_empty_selection_is_refused(any_web: WebClient):
    web = any_web
    with web.session() as session:
        first, second, third = add_many(session, PURGE, 3, newest=NOON, step=timedelta(hours=1))
        session.commit()
    sign_in_admin(web)
    page = f"/admin/travaux?type={PURGE}"

    response = replay_form(
        web,
        "/admin/travaux/relancer",
        {"mode": "selection", "ids": [str(first.id), str(third.id)], "type": PURGE},
        page=page,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/travaux?type={PURGE}&relances=2"
    assert "2 travaux relancés" in web.client.get(response.headers["location"]).text
    assert replayed_ids(web.engine) == {first.id, third.id}

    again = replay_form(
        web, "/admin/travaux/relancer", {"mode": "selection", "ids": str(first.id)}, page=page
    )
    assert again.headers["location"] == "/admin/travaux?relances=0"
    assert "ceux choisis l&#39;avaient déjà été" in web.client.get(again.headers["location"]).text

    empty = replay_form(
        web,
        "/admin/travaux/relancer",
        {"mode": "selection", "type": PURGE, "du": "01/03/2026"},
        page=page,
    )
    assert empty.status_code == 422
    assert "Aucun travail n&#39;est coché : rien n&#39;a été relancé" in empty.text
    assert 'value="01/03/2026"' in empty.text  # the filters as they were
    assert f'<option value="{PURGE}" selected>' in empty.text
    assert shown_ids(empty.text) == [first.id, second.id, third.id]
    assert replayed_ids(web.engine) == {first.id, third.id}


def test_one_row_replays_at_once_and_comes_back_to_the_same_page(any_web: WebClient):
    web = any_web
    with web.session() as session:
        dead = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        session.commit()
    sign_in_admin(web)

    started = time.monotonic()
    response = replay_form(
        web,
        f"/admin/travaux/{dead.id}/relancer",
        {"etat": "non-relances", "page": "1", "ids": "abc"},
        page="/admin/travaux",
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 303
    assert elapsed < 3  # no second writer waiting for the request's lock on SQLite
    assert response.headers["location"] == "/admin/travaux?etat=non-relances&relances=1"
    assert replayed_ids(web.engine) == {dead.id}
    assert due_again(web.engine, {dead.id})
    assert "1 travail relancé" in web.client.get(response.headers["location"]).text


def test_ten_thousand_dead_letters_replay_in_one_request(any_web: WebClient):
    web = any_web
    with web.session() as session:
        add_many(session, SEND_MAIL, 10_000, newest=NOON, step=timedelta(seconds=30))
        session.commit()
    sign_in_admin(web)

    response = replay_form(
        web, "/admin/travaux/relancer", {"mode": "filtre"}, page="/admin/travaux"
    )

    assert response.headers["location"] == "/admin/travaux?relances=10000"
    assert len(replayed_ids(web.engine)) == 10_000
    assert web.client.app.state.jobs.relay.wait_idle(120)  # then the relay hands them over
    with Session(web.engine) as session:
        handed_over = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.dead_at).is_(None), col(OutboxMessage.sent_at).is_not(None))
        ).one()
    assert handed_over == 10_000


@pytest.mark.parametrize(
    "query, message",
    [
        ("page=-3", None),
        ("page=abc", None),
        ("page=0", None),
        ("page=99999999999999999999", None),
        ("page=%C2%B2", None),
        ("du=31/02/2026", "Date non reconnue"),
        ("du=2026-13-01", "Date non reconnue"),
        ("au=0001-01-01", "Date non reconnue"),
        ("au=9999-12-31", "Date non reconnue"),
        ("du=demain&au=hier", "Date non reconnue"),
        ("du=2026-03-10&au=2026-03-01", "La date de fin précède la date de début"),
        ("type=inconnu.job", "Aucun travail de ce type n&#39;est en échec"),
        ("etat=peut-etre", None),
        ("type=" + "x" * 5000, "Aucun travail de ce type"),
        ("relances=abc", None),
        ("relances=-1", None),
    ],
)
def test_bad_query_parameters_are_explained_or_ignored_never_a_500(
    web: WebClient, query: str, message: str | None
):
    with web.session() as session:
        dead = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        session.commit()
    sign_in_admin(web)

    page = web.client.get(f"/admin/travaux?{query}")

    assert page.status_code == 200
    assert shown_ids(page.text) == [dead.id]  # a filter that makes no sense is not applied
    if message:
        assert message in page.text
        assert "fr-error-text" in page.text


def test_bad_replay_forms_are_refused_without_a_500(web: WebClient):
    with web.session() as session:
        dead = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        session.commit()
    sign_in_admin(web)
    forms = [
        {"mode": "filtre", "du": "n'importe quoi"},
        {"mode": "filtre", "type": "inconnu"},
        {"mode": "selection", "ids": ["-1", "x", "9" * 40]},
        {"mode": "filtre", "plafond": "9" * 40},
    ]
    answers = [
        replay_form(web, "/admin/travaux/relancer", form, page="/admin/travaux") for form in forms
    ]
    assert [a.status_code for a in answers] == [422, 422, 422, 303]
    assert "Les critères de cette sélection ne sont pas valides" in answers[0].text
    assert replayed_ids(web.engine) == {dead.id}  # the last form had no bound worth the name
    missing = replay_form(web, "/admin/travaux/987654/relancer", {}, page="/admin/travaux")
    assert missing.headers["location"] == "/admin/travaux?relances=0"


def test_admins_see_how_many_jobs_wait_for_a_replay_in_the_menu(web: WebClient):
    with web.session() as session:
        add_many(session, SEND_MAIL, 3, newest=NOON, step=timedelta(minutes=1))
        add_dead_letter(session, ROUTING, failed_at=NOON, replayed_at=utcnow())
        advisor = make_agent(session)
        session.commit()
    sign_in_admin(web)

    home = web.client.get("/")
    badge = re.search(r'data-testid="failed-jobs-badge">(\d+)<', home.text)
    assert badge is not None and badge.group(1) == "3"
    assert 'href="/admin/travaux?etat=non-relances"' in home.text

    web.sign_in(advisor.email)
    assert "failed-jobs-badge" not in web.client.get("/").text


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.INCIDENT_MANAGER, Role.EDITOR])
def test_only_administrators_reach_the_failed_jobs_routes(web: WebClient, role: Role):
    with web.session() as session:
        dead = add_dead_letter(session, SEND_MAIL, failed_at=NOON)
        other = make_agent(session, role=role, organisation="dp-anef", queues=("dp-anef",))
        session.commit()
    web.sign_in(other.email)

    assert web.client.get("/admin/travaux").status_code == 403
    for path in ("/admin/travaux/relancer", f"/admin/travaux/{dead.id}/relancer"):
        response = web.post_form(path, {"mode": "filtre", "ids": str(dead.id)}, page="/")
        assert response.status_code == 403
    assert replayed_ids(web.engine) == set()

    web.client.cookies.clear()
    anonymous = web.client.get("/admin/travaux", follow_redirects=False)
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/connexion")
