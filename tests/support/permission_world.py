"""The people and tickets of the route permission test, and what the policy table says of them.

The oracle here re-reads the policy *table* (data) with its own small logic over plain facts
(which queue a ticket is in, which queues it passed, whose site it is), so the test checks the
application's code paths against the table rather than against the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from helpdesk.auth.models import Agent, Role
from helpdesk.intake.service import issue_link
from helpdesk.policy.rights import HIDDEN
from helpdesk.policy.table import (
    ORGANISATION_KINDS,
    QUEUE_WORK,
    TABLE,
    TICKET_VIEW,
    Action,
    Scope,
    Viewing,
    Working,
)
from helpdesk.tickets.attachments import store_attachment
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Queue, Ticket

from factories import make_agent, make_ticket
from support.referents import open_report, site

SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}
QUEUE_ORG = {"ccc": "ccc", "dp-anef": "dp-anef", "sdst": "sdst", "sdanf": "sdanf"}
QUEUE_LEVEL = {"ccc": 1, "dp-anef": 2, "sdst": 3, "sdanf": 3}
ORG_KIND = {
    "ccc": "ccc",
    "dp-anef": "dp_anef",
    "sdst": "sdst",
    "sdanf": "sdanf",
    "site-a": "prefecture",
    "site-b": "prefecture",
}


@dataclass(frozen=True)
class Person:
    """A role of the test: its account, organisation, queues and site."""

    name: str
    role: Role | None  # None: anonymous
    organisation: str = ""
    queues: tuple[str, ...] = ()
    site: str | None = None


PEOPLE = (
    Person("anonymous", None),
    Person("teleconseiller", Role.AGENT, "ccc", ("ccc",)),
    Person("ccc_supervisor", Role.SUPERVISOR, "ccc", ()),
    Person("dp_anef", Role.AGENT, "dp-anef", ("dp-anef",)),
    Person("incident_manager", Role.INCIDENT_MANAGER, "dp-anef", ("dp-anef",)),
    Person("kb_editor", Role.EDITOR, "dp-anef", ()),
    Person("sdst", Role.AGENT, "sdst", ("sdst",)),
    Person("sdanf", Role.AGENT, "sdanf", ("sdanf",)),
    Person("referent_a", Role.REFERENT, "site-a", (), "site-a"),
    Person("referent_b", Role.REFERENT, "site-b", (), "site-b"),
    Person("admin", Role.ADMIN, "dp-anef", ()),
)


@dataclass
class Position:
    """A ticket of the world and the facts the oracle reads."""

    name: str
    ticket_id: int
    reference: str
    queue: str
    owner: str
    passed: frozenset[str]
    site: str | None = None
    attachment_id: int = 0
    token: str = ""


@dataclass
class World:
    """The tickets, in every position the test needs."""

    positions: list[Position] = field(default_factory=list)


def make_people(session: Session) -> dict[str, str]:
    """Create every person once; returns their e-mails."""
    site(session, "site-a")
    site(session, "site-b")
    emails = {}
    for person in PEOPLE:
        if person.role is None:
            continue
        agent = make_agent(
            session,
            role=person.role,
            organisation=person.organisation,
            queues=person.queues,
            site=person.site,
            email=f"{person.name}@permissions.test",
        )
        emails[person.name] = agent.email
    return emails


def make_world(session: Session, storage: Path, tag: str) -> World:
    """Six tickets: at the CCC, passed to DP ANEF, up to SDST, straight to SDANF, and a
    signalement of each site (at DP ANEF)."""
    by_email = {a.email: a for a in session.exec(select(Agent))}
    advisor = by_email["teleconseiller@permissions.test"]
    dp = by_email["dp_anef@permissions.test"]
    world = World()
    at_ccc = make_ticket(session, subject=f"Au CCC {tag}", requester_email=f"a{tag}@example.org")
    world.positions.append(_position(session, storage, "at_ccc", at_ccc, {"ccc"}))
    passed = make_ticket(session, subject=f"Passé {tag}", requester_email=f"b{tag}@example.org")
    hand_over(session, ticket_id=passed.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    world.positions.append(_position(session, storage, "at_dp", passed, {"ccc", "dp-anef"}))
    up = make_ticket(session, subject=f"Au SDST {tag}", requester_email=f"c{tag}@example.org")
    hand_over(session, ticket_id=up.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    hand_over(session, ticket_id=up.id, to_queue_code="sdst", actor=dp, **SUMMARY)
    world.positions.append(_position(session, storage, "at_sdst", up, {"ccc", "dp-anef", "sdst"}))
    natural = make_ticket(
        session, subject=f"SDANF {tag}", queue_code="sdanf", requester_email=f"d{tag}@example.org"
    )
    world.positions.append(_position(session, storage, "at_sdanf", natural, {"sdanf"}))
    for code in ("site-a", "site-b"):
        author = by_email[f"referent_{code[-1]}@permissions.test"]
        report = open_report(session, author, storage, subject=f"Signalement {code} {tag}")
        world.positions.append(
            _position(session, storage, f"report_{code}", report, {"dp-anef"}, site=code)
        )
    return world


def _position(
    session: Session,
    storage: Path,
    name: str,
    ticket: Ticket,
    passed: set[str],
    site: str | None = None,
) -> Position:
    """The facts of one ticket, with an attachment and a follow-up link."""
    session.flush()
    session.refresh(ticket)
    attachment = store_attachment(
        session,
        storage_dir=storage,
        ticket=ticket,
        filename="piece.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4",
    )
    queue = session.get(Queue, ticket.queue_id)
    owner = session.get(Queue, ticket.owner_queue_id)
    assert queue is not None and owner is not None
    return Position(
        name=name,
        ticket_id=ticket.id or 0,
        reference=ticket.reference,
        queue=queue.code,
        owner=owner.code,
        passed=frozenset(passed),
        site=site,
        attachment_id=attachment.id or 0,
        token=issue_link(session, ticket=ticket),
    )


# The oracle: what the table says, read with plain logic over the facts above.


def sees(person: Person, position: Position) -> bool:
    """Whether the table lets this person open this ticket."""
    if person.role is None:
        return False
    viewing = TICKET_VIEW[person.role]
    if viewing == Viewing.EVERYTHING:
        return True
    if viewing == Viewing.SITE:
        return position.site is not None and position.site == person.site
    home = {q for q, org in QUEUE_ORG.items() if org == person.organisation} | set(person.queues)
    if position.queue in home or position.passed & home:
        return True
    return viewing == Viewing.CHAIN_FRONT and QUEUE_LEVEL[position.queue] <= 2


def works(person: Person, queue: str) -> bool:
    """Whether the table lets this person act in this queue."""
    assert person.role is not None
    working = QUEUE_WORK[person.role]
    if working == Working.EVERYWHERE:
        return True
    if working == Working.NOWHERE:
        return False
    if queue in person.queues:
        return True
    return working == Working.ORGANISATION and QUEUE_ORG[queue] == person.organisation


def holds(person: Person, action: Action) -> bool:
    """Whether the table gives this person the right at all."""
    if person.role is None or TABLE[person.role].get(action, Scope.NONE) == Scope.NONE:
        return False
    kinds = ORGANISATION_KINDS.get(action)
    return kinds is None or person.role == Role.ADMIN or ORG_KIND[person.organisation] in kinds


def on_ticket(person: Person, action: Action, position: Position, *, console: bool) -> str:
    """The expected answer: "signin", "hidden" (404), "refused" (403) or "allowed"."""
    if person.role is None:
        return "signin"
    if console and not holds(person, Action.USE_CONSOLE):
        return "hidden"
    if not sees(person, position):
        return "hidden"
    scope = TABLE[person.role].get(action, Scope.NONE)
    if scope in (Scope.ALL, Scope.VISIBLE, Scope.SITE):
        return "allowed"
    if scope == Scope.QUEUE:
        return "allowed" if works(person, position.queue) else "refused"
    if scope == Scope.OWNER_QUEUE:
        ok = position.queue == position.owner and works(person, position.queue)
        return "allowed" if ok else "refused"
    return "refused"


def on_page(person: Person, action: Action | None) -> str:
    """The expected answer of a page that needs a right (None: any signed-in person)."""
    if person.role is None:
        return "signin"
    if action is None or holds(person, action):
        return "allowed"
    return "hidden" if action in HIDDEN else "refused"
