"""Every registered route × every role × every ticket position answers as the policy table says.

The route list comes from the application itself: a route missing from RULES fails the test,
so a new page or action cannot be added without saying which right it needs. Runs on SQLite
and on PostgreSQL, through the whole web stack.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy.engine import Engine

from helpdesk.auth.models import Role
from helpdesk.policy.table import Action
from helpdesk.policy.tickets import NOT_FOUND

from conftest import WebClient, make_settings
from factories import PASSWORD
from support.permission_world import (
    PEOPLE,
    Person,
    Position,
    World,
    make_people,
    make_world,
    on_page,
    on_ticket,
    sees,
)

A = Action


@dataclass(frozen=True)
class Rule:
    """What a route needs: a right on one ticket, a right at all, or nothing."""

    kind: str  # "ticket", "report", "page", "public", "followup", "partner", "signout"

    action: Action | None = None
    console: bool = True  # ticket pages of the agent console (référents: their own space)
    referent_redirect: bool = False  # a référent is sent to its space for its site's tickets
    hidden_when_refused: bool = False  # pages of an article: refused looks like missing


def ticket(action: Action = A.VIEW) -> Rule:
    """A console route on one ticket."""
    return Rule("ticket", action)


def page(action: Action | None = None) -> Rule:
    """A page that needs a right (None: any signed-in person)."""
    return Rule("page", action)


def article(action: Action = A.EDIT_ARTICLES) -> Rule:
    """A page of one wiki article: who may not use it cannot tell whether it exists."""
    return Rule("page", action, hidden_when_refused=True)


PUBLIC = Rule("public")
FOLLOWUP = Rule("followup")
T = "/tickets/{ticket_id:int}"

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/connexion"): PUBLIC,
    ("POST", "/connexion"): Rule("session"),  # signing in again ends the current session
    ("POST", "/deconnexion"): Rule("signout"),
    ("GET", "/"): page(),
    ("GET", T): Rule("ticket", A.VIEW, referent_redirect=True),
    ("GET", T + "/pieces-jointes/{attachment_id:int}"): ticket(A.DOWNLOAD),
    ("GET", T + "/pieces-jointes/{attachment_id:int}/apercu"): ticket(A.DOWNLOAD),
    ("POST", T + "/prendre"): ticket(A.ASSIGN),
    ("POST", "/tickets/lot"): ticket(A.ASSIGN),
    ("GET", "/files/{code:str}"): page(A.USE_CONSOLE),
    ("POST", "/files/{code:str}"): page(A.USE_CONSOLE),
    ("GET", "/recherche"): page(A.USE_CONSOLE),
    ("POST", "/recherche"): page(A.USE_CONSOLE),
    ("GET", "/vues"): page(A.USE_CONSOLE),
    ("GET", "/vues/menu"): page(A.USE_CONSOLE),
    ("GET", "/vues/{slug:str}"): page(A.USE_CONSOLE),
    ("POST", "/vues/{slug:str}"): page(A.USE_CONSOLE),
    ("POST", "/vues/{slug:str}/prendre"): page(A.USE_CONSOLE),
    ("POST", "/files/{code:str}/prendre"): page(A.USE_CONSOLE),
    ("GET", T + "/suivant"): ticket(),
    ("GET", T + "/precedent"): ticket(),
    ("POST", "/vues/enregistrees"): page(A.USE_CONSOLE),
    ("GET", "/vues/enregistrees/{view_id:int}"): page(A.USE_CONSOLE),
    ("POST", "/vues/enregistrees/{view_id:int}/nom"): page(A.USE_CONSOLE),
    ("GET", "/vues/enregistrees/{view_id:int}/suppression"): page(A.USE_CONSOLE),
    ("POST", "/vues/enregistrees/{view_id:int}/suppression"): page(A.USE_CONSOLE),
    ("POST", T + "/messages"): ticket(A.NOTE),
    ("POST", T + "/assign"): ticket(A.ASSIGN),
    ("POST", T + "/status"): ticket(A.CHANGE_STATUS),
    ("POST", T + "/handover"): ticket(A.HAND_OVER),
    ("POST", T + "/articles/{slug:str}/inserer"): ticket(A.NOTE),
    ("POST", T + "/liens"): ticket(A.LINK),
    ("POST", T + "/fusion"): ticket(A.MERGE),
    ("POST", T + "/presence"): ticket(),
    ("GET", T + "/reponse"): ticket(),
    ("POST", T + "/champs"): ticket(A.CHANGE_FIELDS),
    ("GET", T + "/dossier"): ticket(),
    ("POST", T + "/dossier"): ticket(A.CHANGE_FIELDS),
    ("POST", T + "/dossier/recherche"): ticket(),
    ("POST", T + "/lien-de-suivi"): ticket(A.REPLY),
    ("GET", T + "/incidents"): ticket(),
    ("POST", T + "/incidents"): ticket(A.LINK_INCIDENT),
    ("GET", "/routage/tickets/{ticket_id:int}"): ticket(),
    ("POST", "/routage/tickets/{ticket_id:int}/suggestion"): ticket(A.ACCEPT_ROUTING),
    ("GET", "/appels/nouveau"): page(A.TAKE_CALL),
    ("POST", "/appels/nouveau"): page(A.TAKE_CALL),
    ("POST", "/appels/demandeur"): page(A.TAKE_CALL),
    ("POST", T + "/brouillon"): ticket(A.NOTE),
    ("POST", "/console/panneaux"): page(A.USE_CONSOLE),
    ("GET", "/reponses-types"): page(A.MANAGE_CANNED),
    ("POST", "/reponses-types"): page(A.MANAGE_CANNED),
    ("POST", "/reponses-types/{response_id:int}"): page(A.MANAGE_CANNED),
    ("POST", "/reponses-types/{response_id:int}/suppression"): page(A.MANAGE_CANNED),
    ("GET", T + "/elements"): ticket(A.NOTE),
    ("POST", T + "/elements/{canned_id:int}/texte"): ticket(A.NOTE),
    ("POST", T + "/elements/{canned_id:int}/inserer"): ticket(A.NOTE),
    ("POST", T + "/articles/{slug:str}/texte"): ticket(A.NOTE),
    ("POST", T + "/macros/{canned_id:int}"): ticket(A.NOTE),
    ("GET", T + "/etiquettes"): ticket(),
    ("POST", T + "/etiquettes"): ticket(A.CHANGE_FIELDS),
    ("POST", T + "/etiquettes/retrait"): ticket(A.CHANGE_FIELDS),
    ("GET", "/disponibilite"): page(A.USE_CONSOLE),
    ("POST", "/disponibilite"): page(A.USE_CONSOLE),
    ("GET", "/notifications"): page(A.USE_CONSOLE),
    ("GET", "/notifications/cloche"): page(A.USE_CONSOLE),
    ("POST", "/notifications/{notification_id:int}/ouvrir"): page(A.USE_CONSOLE),
    ("POST", "/notifications/tout-lu"): page(A.USE_CONSOLE),
    ("POST", "/notifications/preferences"): page(A.USE_CONSOLE),
    ("GET", "/kb"): page(),
    ("POST", "/kb"): page(A.EDIT_ARTICLES),
    ("GET", "/kb/nouveau"): page(A.EDIT_ARTICLES),
    ("GET", "/kb/lacunes"): page(A.EDIT_ARTICLES),
    ("GET", "/kb/suggestions"): page(),
    ("GET", "/kb/{slug:str}"): page(),
    ("GET", "/kb/{slug:str}/diff"): article(),
    ("GET", "/kb/{slug:str}/modifier"): article(),
    ("POST", "/kb/{slug:str}/modifier"): article(),
    ("GET", "/kb/{slug:str}/historique"): article(),
    ("POST", "/kb/{slug:str}/publier"): article(),
    ("POST", "/kb/{slug:str}/archiver"): article(),
    ("POST", "/kb/{slug:str}/historique/{number:int}/restaurer"): article(),
    ("POST", "/kb/{slug:str}/utilise"): page(),
    ("GET", "/aide"): PUBLIC,
    ("GET", "/aide/{slug:str}"): PUBLIC,
    ("POST", "/aide/{slug:str}/avis"): PUBLIC,
    ("GET", "/aide/suggestions"): PUBLIC,
    ("GET", "/help"): PUBLIC,
    ("GET", "/contact"): PUBLIC,
    ("POST", "/contact"): PUBLIC,
    ("POST", "/contact/evenements"): PUBLIC,
    ("GET", "/suivi/{token:str}"): FOLLOWUP,
    ("POST", "/suivi/{token:str}"): FOLLOWUP,
    ("GET", "/suivi/{token:str}/pieces-jointes/{attachment_id:int}"): FOLLOWUP,
    ("GET", "/suivi/{token:str}/dossier"): FOLLOWUP,
    ("GET", "/referent"): page(A.REPORT_AS_SITE),
    ("POST", "/referent"): page(A.REPORT_AS_SITE),
    ("GET", "/referent/signalements/nouveau"): page(A.REPORT_AS_SITE),
    ("POST", "/referent/signalements"): page(A.REPORT_AS_SITE),
    ("GET", "/referent/signalements/{ticket_id:int}"): Rule("report", A.VIEW, console=False),
    ("POST", "/referent/signalements/{ticket_id:int}/messages"): Rule(
        "report", A.ANSWER_REPORT, console=False
    ),
    ("GET", "/referent/signalements/{ticket_id:int}/pieces-jointes/{attachment_id:int}"): Rule(
        "report", A.DOWNLOAD, console=False
    ),
    ("GET", "/incidents"): page(A.READ_INCIDENTS),
    ("POST", "/incidents"): page(A.DECLARE_INCIDENT),
    ("GET", "/incidents/nouveau"): page(A.DECLARE_INCIDENT),
    ("GET", "/incidents/{incident_id:int}"): page(A.READ_INCIDENTS),
    ("POST", "/incidents/{incident_id:int}"): page(A.DECLARE_INCIDENT),
    ("POST", "/incidents/{incident_id:int}/tickets"): page(A.LINK_INCIDENT),
    ("POST", "/incidents/lier"): page(A.LINK_INCIDENT),
    ("POST", "/incidents/{incident_id:int}/resolution"): page(A.RESOLVE_INCIDENT),
    ("GET", "/informations"): page(),
    ("GET", "/informations/bandeau"): page(),
    ("GET", "/informations/{notice_id:int}"): page(),
    ("POST", "/informations"): page(A.PUBLISH_NOTICE),
    ("GET", "/informations/nouvelle"): page(A.PUBLISH_NOTICE),
    ("POST", "/informations/{notice_id:int}/lu"): page(A.REPORT_AS_SITE),
    ("GET", "/informations/{notice_id:int}/lectures"): page(A.PUBLISH_NOTICE),
    ("GET", "/point-bimensuel"): page(A.ATTEND_REVIEW),
    ("GET", "/point-bimensuel/imprimer"): page(A.ATTEND_REVIEW),
    ("GET", "/point-bimensuel/export.csv"): page(A.EXPORT),
    ("POST", "/point-bimensuel/tenu"): page(A.HOLD_REVIEW),
    ("GET", "/protection-des-donnees"): page(A.PROTECT_DATA),
    ("POST", "/protection-des-donnees/demandes"): page(A.PROTECT_DATA),
    ("GET", "/protection-des-donnees/demandes/{request_id:int}"): page(A.PROTECT_DATA),
    ("POST", "/protection-des-donnees/demandes/{request_id:int}/export"): page(A.PROTECT_DATA),
    ("POST", "/protection-des-donnees/demandes/{request_id:int}/repondue"): page(A.PROTECT_DATA),
    ("POST", "/protection-des-donnees/demandes/{request_id:int}/effacement"): page(A.PROTECT_DATA),
    ("POST", "/protection-des-donnees/demandes/{request_id:int}/rectification"): page(
        A.PROTECT_DATA
    ),
    ("GET", "/donnees-personnelles"): PUBLIC,
    ("GET", "/personal-data"): PUBLIC,
    ("POST", "/api/v1/contact"): Rule("partner"),  # an API key with contact:write
    ("POST", "/api/v1/dossier-events"): Rule("partner"),  # an API key and the signature
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/static/{file_path:path}"): PUBLIC,
    **{("GET", path): PUBLIC for path in ("/api/v1/schema", "/api/v1/schema/{path:str}")},
    **{("GET", f"/api/v1/schema/openapi.{ext}"): PUBLIC for ext in ("json", "yaml", "yml")},
}
ADMIN_PREFIX = "/admin/"

# One form fits every action: parseable, but refused after the access check (a stale version,
# an unknown reference or an empty text), so an allowed request changes nothing that matters.
FORM = {
    "version": "0",
    "body": "",
    "status": "resolved",
    "to_queue": "sdst",
    "reason": "motif",
    "checked": "vérifié",
    "question": "question ?",
    "answer": "réponse",
    "assignee_id": "",
    "priority": "normal",
    "reference": "ANEF-1999-000001",
    "number": "",
    "incident_id": "",
    "action": "take",
}


def app_routes(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, path) the application serves, HEAD and OPTIONS aside."""
    found = set()
    for route in app.routes:
        for method in getattr(route, "methods", ()) or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, route.path))
    return sorted(found)


def rule_of(method: str, path: str) -> Rule | None:
    """The rule of a route (administration pages all need the ADMINISTER right)."""
    if path.startswith(ADMIN_PREFIX):
        return page(A.ADMINISTER)
    if path.startswith("/static/") and path.endswith("/{file_path:path}"):
        return PUBLIC  # the build-stamped tree as the plain one
    return RULES.get((method, path.rstrip("/") or "/"))


@pytest.fixture(params=["sqlite", "postgresql"])
def world_web(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebClient]:
    """The application on a fresh database of each kind, with every person of the test."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    settings = make_settings(tmp_path, dossier_events_secret="secret-des-evenements")
    with WebClient.start(engine, settings) as web:
        with web.session() as session:
            make_people(session)
            session.commit()
        yield web


def test_every_route_has_a_rule(web: WebClient):
    missing = [r for r in app_routes(web.client.app) if rule_of(*r) is None]
    assert not missing, f"routes without an entry in the permission table: {missing}"


def test_every_route_answers_as_the_table_says(world_web: WebClient):
    web = world_web
    sessions = _sign_everyone_in(web)
    token = web.csrf()
    storage = web.client.app.state.settings.storage_dir
    failures: list[str] = []
    counter = itertools.count()
    for method, path in app_routes(web.client.app):
        rule = rule_of(method, path)
        assert rule is not None
        if rule.kind not in ("ticket", "report"):
            failures += _check_route(web, sessions, token, method, path, rule, None)
            continue
        with web.session() as session:
            world = make_world(session, storage, f"{next(counter)}")
            session.commit()
        for position in world.positions:
            failures += _check_route(web, sessions, token, method, path, rule, position)
    assert not failures, "\n".join(failures[:400]) + f"\n({len(failures)} in all)"


def _sign_everyone_in(web: WebClient) -> dict[str, str]:
    """Each person's session cookie."""
    cookies = {}
    for person in PEOPLE:
        if person.role is None:
            continue
        web.client.cookies.clear()
        response = web.sign_in(f"{person.name}@permissions.test", PASSWORD)
        assert response.status_code in (302, 303), person.name
        cookies[person.name] = web.client.cookies.get("helpdesk_session") or ""
    web.client.cookies.clear()
    return cookies


def _check_route(
    web: WebClient,
    sessions: dict[str, str],
    token: str,
    method: str,
    path: str,
    rule: Rule,
    position: Position | None,
) -> list[str]:
    """Send the route as every person; the differences from the table, one line each."""
    failures = []
    for person in PEOPLE:
        expected = _expected(person, rule, position)
        if expected is None:
            continue
        response = _send(web, sessions, token, person, method, path, position)
        if not _matches(expected, response):
            where = f" on {position.name}" if position else ""
            failures.append(
                f"{method} {path}{where} as {person.name}: expected {expected}, "
                f"got {response.status_code} {response.headers.get('location', '')}"
            )
    return failures


def _expected(person: Person, rule: Rule, position: Position | None) -> str | None:
    """What the table says this person gets (None: nothing to check for this rule)."""
    if rule.kind == "ticket":
        assert position is not None and rule.action is not None
        if rule.referent_redirect and person.role == Role.REFERENT:
            return on_ticket(person, rule.action, position, console=False)
        return on_ticket(person, rule.action, position, console=True)
    if rule.kind == "report":
        assert position is not None and rule.action is not None
        page_answer = on_page(person, A.REPORT_AS_SITE)
        if page_answer != "allowed":
            return page_answer
        return on_ticket(person, rule.action, position, console=False)
    if rule.kind == "page":
        answer = on_page(person, rule.action)
        return "hidden" if rule.hidden_when_refused and answer == "refused" else answer
    if rule.kind == "followup":
        return "hidden"  # an unknown follow-up link is a 404 for anyone, signed in or not
    if rule.kind == "partner":
        return "unauthorised"
    if rule.kind in ("signout", "session"):
        return ("signin" if rule.kind == "signout" else "public") if person.role is None else None
    return "public"


def _send(
    web: WebClient,
    sessions: dict[str, str],
    token: str,
    person: Person,
    method: str,
    path: str,
    position: Position | None,
) -> Any:
    """The request, as this person, with the path filled from the position."""
    web.client.cookies.delete("helpdesk_session")
    if person.role is not None:
        web.client.cookies.set("helpdesk_session", sessions[person.name])
    url = _fill(path, position)
    if method == "GET":
        return web.client.get(url, follow_redirects=False)
    data = {**FORM, "_csrf_token": token}
    if position is not None:
        data["ticket_ids"] = str(position.ticket_id)
    return web.client.post(url, data=data, follow_redirects=False)


def _fill(path: str, position: Position | None) -> str:
    """The path with its parameters: the position's ticket, else harmless values."""
    values = {
        "ticket_id": str(position.ticket_id) if position else "999999",
        "agent_id": "999999",  # no such account: the account pages answer 404, change nothing
        "attachment_id": str(position.attachment_id) if position else "999999",
        "token": position.token if position else "jeton-inconnu",
        "slug": "fiche-inexistante",
        "code": "ccc",
        "file_path": "app.js",
        "path": "openapi.json",
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


def _matches(expected: str, response: Any) -> bool:
    """Whether the answer is the expected kind of answer."""
    status = response.status_code
    if status >= 500:
        return False
    if expected == "signin":
        location = response.headers.get("location", "")
        return status == 401 or (status in (302, 303) and location.startswith("/connexion"))
    if expected == "hidden":
        return status == 404
    if expected == "refused":
        return status == 403
    if expected == "public":
        return status != 403
    if expected == "unauthorised":
        return status == 401
    denied_404 = status == 404 and NOT_FOUND in response.text
    return status not in (401, 403) and not denied_404


LIST_PAGES = (
    "/files/ccc",
    "/files/dp-anef",
    "/files/sdst",
    "/files/sdanf",
    "/recherche?q=Signalement",
    "/recherche?q=SDANF",
    "/recherche?status=",
    "/vues/non-attribues",
    "/vues/reponse-recue",
    "/vues/en-retard",
    "/vues/mes-tickets",
    "/point-bimensuel/?periode=tout",
    "/point-bimensuel/imprimer?periode=tout",
    "/point-bimensuel/export.csv?periode=tout",
    "/kb/lacunes",
    "/referent/",
    "/incidents/{incident}",
)


def test_lists_exports_and_reports_show_only_visible_tickets(world_web: WebClient):
    web = world_web
    sessions = _sign_everyone_in(web)
    storage = web.client.app.state.settings.storage_dir
    with web.session() as session:
        world = make_world(session, storage, "listes")
        incident = _incident_linking(session, world)
        session.commit()
    leaks = []
    for person in PEOPLE[1:]:
        web.client.cookies.set("helpdesk_session", sessions[person.name])
        unseen = [p for p in world.positions if not sees(person, p)]
        for path in LIST_PAGES:
            text = web.client.get(path.format(incident=incident), follow_redirects=False).text
            leaks += [f"{path} as {person.name}: {p.name}" for p in unseen if p.reference in text]
    assert not leaks, "\n".join(leaks)


def _incident_linking(session: Any, world: World) -> int:
    """An incident linked to every ticket of the world, by an administrator."""
    from sqlmodel import select

    from helpdesk.auth.models import Agent
    from helpdesk.incidents.schemas import IncidentForm
    from helpdesk.incidents.service import link_tickets, record_incident

    admin = session.exec(select(Agent).where(Agent.email == "admin@permissions.test")).one()
    form = IncidentForm(title="Panne du dépôt", description="Erreur 500 au dépôt des pièces.")
    incident = record_incident(session, form=form, actor=admin)
    ids = [p.ticket_id for p in world.positions]
    link_tickets(session, incident_id=incident.id, ticket_ids=ids, actor=admin)
    return incident.id


def test_the_readme_shows_the_policy_table():
    from helpdesk.policy.table import markdown_table

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README's access table differs: paste markdown_table()"
