"""Each role against each read and action on a ticket that went CCC → DP ANEF."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from helpdesk.auth.models import Role
from helpdesk.tickets.attachments import store_attachment
from helpdesk.tickets.handover import hand_over

from conftest import WebClient
from factories import make_agent, make_ticket

SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}


@dataclass(frozen=True)
class Scenario:
    """The ticket under test and the people around it."""

    ticket_id: int
    reference: str
    attachment_id: int
    emails: dict[str, str]


def build(web: WebClient) -> Scenario:
    storage = web.client.app.state.settings.storage_dir
    with web.session() as session:
        people = {
            "teleconseiller": make_agent(session),
            "dp_anef": make_agent(session, organisation="dp-anef", queues=("dp-anef",)),
            "sdst": make_agent(session, organisation="sdst", queues=("sdst",)),
            "supervisor": make_agent(session, role=Role.SUPERVISOR),
            "referent": make_agent(
                session, role=Role.REFERENT, organisation="pref-test", queues=(), site="pref-test"
            )
            if _site(session)
            else None,
            "admin": make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=()),
        }
        ticket = make_ticket(session, subject="Matrice des droits")
        attachment = store_attachment(
            session,
            storage_dir=storage,
            ticket=ticket,
            filename="piece.pdf",
            content_type="application/pdf",
            data=b"%PDF-1.4",
        )
        hand_over(
            session,
            ticket_id=ticket.id,
            to_queue_code="dp-anef",
            actor=people["teleconseiller"],
            **SUMMARY,
        )
        session.commit()
        emails = {name: agent.email for name, agent in people.items() if agent}
        return Scenario(ticket.id, ticket.reference, attachment.id, emails)  # type: ignore[arg-type]


def _site(session) -> bool:
    from helpdesk.auth.models import Organisation, OrganisationKind

    session.add(
        Organisation(code="pref-test", name="Préfecture de test", kind=OrganisationKind.PREFECTURE)
    )
    session.flush()
    return True


READS = ("view", "list", "search", "download", "fragment", "presence")
ACTIONS = ("reply", "note", "assign", "merge", "hand_over")

# What each role may do; anything else must be refused (404 for reads, 403/404 for actions).
EXPECTED = {
    "teleconseiller": {"view", "list", "search", "download", "fragment", "presence"},
    "dp_anef": {*READS, "note", "assign", "hand_over"},
    "sdst": set(),
    "supervisor": {"view", "list", "search", "download", "fragment", "presence"},
    "referent": set(),
    "admin": {*READS, "note", "assign", "hand_over"},
}


def attempt(web: WebClient, scenario: Scenario, operation: str) -> int | bool:
    page = f"/tickets/{scenario.ticket_id}"
    if operation == "view":
        return web.client.get(page).status_code
    row = f'data-reference="{scenario.reference}"'
    if operation == "list":
        return row in web.client.get("/recherche").text
    if operation == "search":
        return row in web.client.get(f"/recherche?q={scenario.reference}").text
    if operation == "fragment":
        return web.client.get(f"{page}/reponse", headers={"hx-request": "true"}).status_code
    if operation == "presence":
        return web.post_form(f"{page}/presence", {}, page="/connexion").status_code
    if operation == "download":
        return web.client.get(f"{page}/pieces-jointes/{scenario.attachment_id}").status_code
    version = _version(web, scenario)
    forms = {
        "reply": ("messages", {"body": "Bonjour", "kind": "public_reply", "version": version}),
        "note": ("messages", {"body": "Note", "kind": "internal_note", "version": version}),
        "assign": ("assign", {"assignee_id": "me", "version": version}),
        "merge": ("fusion", {"reference": scenario.reference}),
        "hand_over": ("handover", {"to_queue": "sdst", "version": version, **SUMMARY}),
    }
    path, data = forms[operation]
    return web.post_form(f"{page}/{path}", data, page="/connexion").status_code


def _version(web: WebClient, scenario: Scenario) -> int:
    from helpdesk.tickets.models import Ticket

    with web.session() as session:
        return session.get(Ticket, scenario.ticket_id).version  # type: ignore[union-attr]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_permission_matrix(web: WebClient, role: str):
    scenario = build(web)
    web.sign_in(scenario.emails[role])
    outcomes = {}
    for operation in (*READS, *ACTIONS):
        result = attempt(web, scenario, operation)
        allowed = result is True or result in (200, 303)
        outcomes[operation] = (allowed, result)
    expected = EXPECTED[role]
    wrong = {op: got for op, (allowed, got) in outcomes.items() if allowed != (op in expected)}
    assert wrong == {}, f"{role}: unexpected outcomes {wrong}"
    for operation in READS:
        if operation not in expected and operation not in ("list", "search"):
            assert outcomes[operation][1] == 404, f"{role} {operation} must be a 404"
