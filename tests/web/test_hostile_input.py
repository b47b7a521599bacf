"""Hostile input never reaches a 500, and a refused request changes nothing (issue 14, part 1).

The routes come from the application itself; each is sent as a person the permission table
lets use it (tests/test_route_permissions.py's oracle), with every declared field (the
handler's form or JSON model, and the inputs of the page's own GET forms) set to a nasty
value, then with raw malformed bodies. Runs on SQLite and PostgreSQL, through the whole
web stack. The deterministic list below keeps the payloads that once broke a route; the
hypothesis test draws new ones.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine
from test_route_permissions import (
    FORM,
    _expected,
    _fill,
    _sign_everyone_in,
    app_routes,
    rule_of,
)

from dossiers.signing import signed_headers

from conftest import WebClient, make_settings
from support.api_keys import as_partner
from support.permission_world import PEOPLE, Person, Position, World, make_people, make_world

# Payloads that broke a route once, or could: control characters, sizes, numbers and dates
# out of range, injections, forged cursors and sort keys, unknown enum values.
NASTY = (
    "\x00",
    "avant\x00après",
    "\x1b[31m\x07\x08\x7f",
    "\u202e\ufeff\u200b",
    "é" * 300_000,
    "9" * 40,
    "-99999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "-1",
    "' OR 1=1; --",
    "<script>alert(1)</script>{{7*7}}",
    "../../../etc/passwd",
    "eyJpZCI6IDF9",  # base64 JSON, as a forged keyset cursor
    "2026-01-01T00:00:00|999999999999999999999",
    "inconnu",
)
# Tables whose rows a refused request must not change (counters of abuse aside).
WATCHED = (
    "ticket",
    "message",
    "ticket_event",
    "attachment",
    "intake_follow_up_link",
    "outgoing_mail",
    "article",
    "article_revision",
    "routing_rule",
    "canned_response",
    "closed_day",
    "incident",
    "ticket_link",
    "agent",
)
QUERY_NAMES = ("q", "lang", "after", "before", "sort", "page", "periode", "cursor")
EVENTS_SECRET = "secret-des-evenements"
EVENTS_PATH = "/api/v1/dossier-events"
EVENT_FIELDS = (
    "event_id",
    "type",
    "occurred_at",
    "dossier_number",
    "procedure",
    "from_status",
    "to_status",
    "contact_email",
)
ANONYMOUS = PEOPLE[0]
# Sent in one field at a time, the others holding plausible values (so that the nasty value
# reaches the deeper layers instead of the first check).
FIELD_NASTY = ("avant\x00après", "é" * 60_000, "9" * 40, "9999-12-31", "eyJpZCI6IDF9")
# Each field gets FIELD_VALUES of them, rotating, so a form of three fields or more meets
# them all (the every-field pass sends each of the NASTY values to every field already).
FIELD_VALUES = 2


def field_values(index: int) -> tuple[str, ...]:
    """The nasty values sent alone in a route's field number `index`."""
    return tuple(FIELD_NASTY[(index + k) % len(FIELD_NASTY)] for k in range(FIELD_VALUES))


INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([\w-]+)"')
SKIPPED_PREFIXES = ("/static/", "/api/v1/schema")


@dataclass(frozen=True)
class Target:
    """A route as one allowed person sends it: its URL and the fields it declares."""

    method: str
    path: str
    url: str
    person: Person
    fields: tuple[str, ...]
    json: bool
    query: tuple[str, ...] = QUERY_NAMES


@pytest.fixture(params=["sqlite", "postgresql"])
def hostile(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[WebClient, Any]]:
    """The application with every person of the permission test and one world of tickets."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    settings_ = make_settings(tmp_path, dossier_events_secret=EVENTS_SECRET)
    with WebClient.start(engine, settings_) as web:
        with web.session() as session:
            make_people(session)
            world = make_world(session, settings_.storage_dir, "hostile")
            session.commit()
        sessions = _sign_everyone_in(web)
        as_partner(web)  # the API's calls carry a partner's key: the values reach the handler
        yield web, (sessions, [with_page_inputs(web, sessions, t) for t in targets(web, world)])


def targets(web: WebClient, world: World) -> list[Target]:
    """Every route once, as the first person (and ticket) the table allows."""
    found = []
    handlers = _handlers(web.client.app)
    for method, path in app_routes(web.client.app):
        if path.startswith(SKIPPED_PREFIXES):
            continue
        rule = rule_of(method, path)
        assert rule is not None
        chosen = _allowed(rule, world)
        if chosen is None:
            continue
        person, position = chosen
        fields, is_json = _declared_fields(handlers.get((method, path)))
        if path == EVENTS_PATH:
            fields, is_json = EVENT_FIELDS, True
        url = _fill(path, position)
        found.append(Target(method, path, url, person, fields, is_json))
    return found


def with_page_inputs(web: WebClient, sessions: dict[str, str], target: Target) -> Target:
    """A GET route with the names of its page's own inputs as query names (its filters)."""
    if target.method != "GET":
        return target
    status, page = send(web, sessions, target, {})
    names = set(INPUT_NAME.findall(page)) - {"_csrf_token"} if status == 200 else set()
    return Target(**{**target.__dict__, "query": tuple(sorted(names | set(QUERY_NAMES)))})


def _allowed(rule: Any, world: World) -> tuple[Person, Position | None] | None:
    """A person (and ticket) for whom the table says the route is usable; the usager's own
    pages with a live follow-up link, the webhook signed, signing out as nobody (a signed-in
    person would lose the session the other routes use)."""
    if rule.kind == "followup":
        return ANONYMOUS, world.positions[0]
    if rule.kind in ("partner", "signout", "session"):
        return ANONYMOUS, None
    positions: list[Position | None] = (
        list(world.positions) if rule.kind in ("ticket", "report") else [None]
    )
    for position in positions:
        for person in PEOPLE:
            if _expected(person, rule, position) in ("allowed", "public"):
                return person, position
    return None


def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    """The handler serving each (method, path)."""
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in handler.http_methods:
                found[(method, route.path)] = handler
    return found


def _declared_fields(handler: Any) -> tuple[tuple[str, ...], bool]:
    """The names of the fields of the handler's body model; whether it reads JSON."""
    if handler is None:
        return (), False
    for name in ("data", "payload"):
        parameter = handler.parsed_fn_signature.parameters.get(name)
        if parameter is None:
            continue
        model = _model_of(parameter.annotation)
        if model is not None:
            is_json = not getattr(parameter, "kwarg_definition", None) or name == "payload"
            return tuple(f.alias or n for n, f in model.model_fields.items()), is_json
    return (), False


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (Annotated[Model, Body(...)] or Model)."""
    candidates = [annotation, *typing.get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def counts(web: WebClient) -> dict[str, int]:
    """The rows of the watched tables."""
    columns = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in WATCHED)
    with web.engine.connect() as connection:
        row = connection.execute(text(f"SELECT {columns}")).one()
    return dict(zip(WATCHED, (int(n) for n in row), strict=True))


def values_for(target: Target, value: str, field: str | None) -> dict[str, str]:
    """Every field set to `value`, or only `field` (the others plausible)."""
    names = target.query if target.method == "GET" else (target.fields or tuple(FORM))
    if field is None:
        return {name: value for name in names}
    return {name: value if name == field else str(FORM.get(name, "")) for name in names}


def send(
    web: WebClient, sessions: dict[str, str], target: Target, fields: dict[str, str]
) -> tuple[int, str]:
    """The route as its person, with these fields (the query string of a GET)."""
    web.client.cookies.delete("helpdesk_session")
    if target.person.role is not None:
        web.client.cookies.set("helpdesk_session", sessions[target.person.name])
    if target.method == "GET":
        limit = 6_000 // max(1, len(fields))  # a URL has a length limit of its own
        query = {name: value[:limit] for name, value in fields.items()}
        response = web.client.get(target.url, params=query, follow_redirects=False)
        return response.status_code, response.text
    token = web.client.cookies.get("csrftoken") or web.csrf()
    value = next(iter(fields.values()), "")
    headers = {"X-CSRFToken": token}
    if target.json:
        body = json.dumps(fields).encode()
        headers["Content-Type"] = "application/json"
        if target.path == EVENTS_PATH:
            headers.update(signed_headers(EVENTS_SECRET, body))
        response = web.client.post(
            target.url, content=body, headers=headers, follow_redirects=False
        )
    else:
        files = [("attachments", (value[:200] or "vide", b"%PDF-1.4", "application/pdf"))]
        response = web.client.post(
            target.url, data=fields, files=files, headers=headers, follow_redirects=False
        )
    return response.status_code, response.text


def check(
    web: WebClient,
    sessions: dict[str, str],
    target: Target,
    value: str,
    field: str | None = None,
) -> list[str]:
    """No 5xx; a refusal (4xx) leaves the watched tables as they were."""
    before = counts(web) if target.method != "GET" else {}
    status, _ = send(web, sessions, target, values_for(target, value, field))
    where = f"{target.method} {target.url} as {target.person.name}"
    where += f" with {field or 'every field'}={value[:30]!r}"
    if status >= 500:
        return [f"{where}: {status}"]
    if target.method != "GET" and status >= 400 and counts(web) != before:
        return [f"{where}: refused ({status}) but changed rows"]
    return []


def test_nasty_values_in_every_field_of_every_route(hostile: tuple[WebClient, Any]):
    web, (sessions, found) = hostile
    web.csrf()
    failures = [f for t in found for value in NASTY for f in check(web, sessions, t, value)]
    for target in (t for t in found if t.method == "POST"):  # GET: the drawn test's part
        for index, field in enumerate(target.fields):
            for value in field_values(index):
                failures += check(web, sessions, target, value, field)
    assert not failures, "\n".join(failures[:200]) + f"\n({len(failures)} in all)"


BOUNDARY = "frontiere-hostile"
RAW_PARTS = {
    "invalid UTF-8 in a text part": b'Content-Disposition: form-data; name="body"\r\n\r\n'
    b"\xff\xfe\xfd",
    "invalid UTF-8 in a part header": b'Content-Disposition: form-data; name="\xff\xfe"\r\n\r\nx',
    "quote in a file name": b'Content-Disposition: form-data; name="attachments"; '
    b'filename="a"b.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4',
    "empty file name": b'Content-Disposition: form-data; name="attachments"; filename=""\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.4",
    "CR in a field name": b'Content-Disposition: form-data; name="bo\rdy"\r\n\r\nx',
    "no disposition": b"Content-Type: text/plain\r\n\r\nx",
    "duplicated field": b'Content-Disposition: form-data; name="body"\r\n\r\nun\r\n'
    b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="body"\r\n\r\ndeux',
}


def raw_bodies(token: str) -> dict[str, tuple[str, bytes]]:
    """Malformed bodies: (content type, bytes), the CSRF token in its own clean part."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}\r\n'
    ).encode()
    multipart = f"multipart/form-data; boundary={BOUNDARY}"
    bodies = {
        name: (
            multipart,
            head
            + b"--"
            + BOUNDARY.encode()
            + b"\r\n"
            + part
            + b"\r\n--"
            + BOUNDARY.encode()
            + b"--\r\n",
        )
        for name, part in RAW_PARTS.items()
    }
    bodies["truncated multipart"] = (multipart, head + b"--" + BOUNDARY.encode() + b"\r\nCont")
    bodies["no boundary"] = ("multipart/form-data", b"x")
    urlencoded = "application/x-www-form-urlencoded"
    undecodable = b"_csrf_token=" + token.encode() + b"&body=%FF%FE"
    bodies["invalid UTF-8, url-encoded"] = (urlencoded, undecodable)
    bodies["invalid JSON"] = ("application/json", b'{"body": "\xff')
    bodies["JSON of the wrong shape"] = ("application/json", b"[1, 2, 3]")
    return bodies


def test_malformed_bodies_are_refused_cleanly(hostile: tuple[WebClient, Any]):
    web, (sessions, found) = hostile
    token = web.csrf()
    failures = []
    for target in (t for t in found if t.method == "POST"):
        web.client.cookies.delete("helpdesk_session")
        if target.person.role is not None:
            web.client.cookies.set("helpdesk_session", sessions[target.person.name])
        for name, (content_type, body) in raw_bodies(token).items():
            before = counts(web)
            headers = {"Content-Type": content_type, "X-CSRFToken": token}
            response = web.client.post(
                target.url, content=body, headers=headers, follow_redirects=False
            )
            where = f"POST {target.url} as {target.person.name}, {name}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.status_code}")
            elif response.status_code >= 400 and counts(web) != before:
                failures.append(f"{where}: refused but changed rows")
    assert not failures, "\n".join(failures[:200]) + f"\n({len(failures)} in all)"


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_drawn_values_never_give_a_server_error(hostile: tuple[WebClient, Any], data: Any):
    web, (sessions, found) = hostile
    target = data.draw(st.sampled_from(found), label="route")
    value = data.draw(
        st.one_of(
            st.text(max_size=200),
            st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
            st.integers().map(str),
            st.dates().map(str),
            st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
        ),
        label="value",
    )
    names = target.query if target.method == "GET" else target.fields
    field = data.draw(st.sampled_from(names), label="field") if names else None
    failures = check(web, sessions, target, value, field)
    assert not failures, failures


def test_the_route_list_covers_the_application(hostile: tuple[WebClient, Any]):
    web, (_, found) = hostile
    served = {r for r in app_routes(web.client.app) if not r[1].startswith(SKIPPED_PREFIXES)}
    sent = {(t.method, t.path) for t in found}
    unreachable = served - sent
    # A route nobody may use is not a route: each one here has someone allowed.
    assert not unreachable, sorted(unreachable)
    assert any(t.fields for t in found if t.method == "POST")
    assert re.search(r"/tickets/\d+", " ".join(t.url for t in found))


@pytest.mark.parametrize(
    ("url", "accept", "expected"),
    [
        ("/contact?lang=en", "fr", "could not be read"),
        ("/contact", "en-GB,en;q=0.8", "could not be read"),
        ("/contact", "fr-FR", "pas pu être lu"),
    ],
)
def test_an_unreadable_send_is_explained_in_the_page_language(
    web: WebClient, url: str, accept: str, expected: str
):
    token = web.csrf("/contact")
    content_type, body = raw_bodies(token)["invalid UTF-8 in a text part"]
    before = counts(web)
    response = web.client.post(
        url,
        content=body,
        headers={"Content-Type": content_type, "X-CSRFToken": token, "Accept-Language": accept},
    )
    assert response.status_code == 400
    assert expected in response.text
    assert "/contact" in response.text  # a way back to the form, not the agents' sign-in
    assert counts(web) == before


def test_a_nul_byte_in_an_agent_form_is_dropped_not_refused(any_web: WebClient):
    from sqlmodel import select

    from helpdesk.tickets.models import Message

    from factories import make_agent, make_ticket

    with any_web.session() as session:
        make_agent(session, email="nul@ccc.test")
        ticket_id = make_ticket(session).id
        session.commit()
    any_web.sign_in("nul@ccc.test")
    response = any_web.post_form(
        f"/tickets/{ticket_id}/messages",
        {"kind": "internal_note", "body": "Appel\x00 du demandeur\x1b", "version": "1"},
        page=f"/tickets/{ticket_id}",
    )
    assert response.status_code < 400, response.text
    with any_web.session() as session:
        bodies = [
            m.body for m in session.exec(select(Message).where(Message.ticket_id == ticket_id))
        ]
    assert "Appel du demandeur" in bodies
