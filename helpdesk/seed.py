"""Reference data of the chain (organisations, queues, hand-overs) and the demo data set."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from helpdesk.auth.models import Agent, Organisation, OrganisationKind, Role
from helpdesk.auth.service import create_agent
from helpdesk.db import require_id
from helpdesk.ticket_routing.seed import ensure_routing_defaults
from helpdesk.tickets.models import HandoverRoute, Queue, QueueMembership, Ticket
from routing.chain import DEFAULT_MOVES, DEFAULT_QUEUES

CHAIN_ORGANISATIONS = (
    ("ccc", "Centre de contact citoyen (CCC)", OrganisationKind.CCC),
    ("dp-anef", "Direction de programme ANEF", OrganisationKind.DP_ANEF),
    ("sdst", "Sous-direction du séjour et du travail (SDST)", OrganisationKind.SDST),
    (
        "sdanf",
        "Sous-direction de l'accès à la nationalité française (SDANF)",
        OrganisationKind.SDANF,
    ),
)

DEMO_SITES = (
    ("pref-75", "Préfecture de police de Paris", OrganisationKind.PREFECTURE),
    ("pref-69", "Préfecture du Rhône", OrganisationKind.PREFECTURE),
    ("pref-67", "Préfecture du Bas-Rhin", OrganisationKind.PREFECTURE),
    ("pref-971", "Préfecture de la Guadeloupe", OrganisationKind.PREFECTURE),
    ("natali-nantes", "Plateforme de naturalisation de Nantes", OrganisationKind.PLATFORM),
    ("natali-toulouse", "Plateforme de naturalisation de Toulouse", OrganisationKind.PLATFORM),
)

DEMO_PASSWORD = "demo-anef-2026"  # noqa: S105 - printed by `make run`, demo data only


@dataclass(frozen=True)
class DemoAccount:
    """A demo agent: one per role of the chain."""

    email: str
    full_name: str
    role: Role
    organisation: str
    queues: tuple[str, ...] = ()
    site: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("conseiller@ccc.demo", "Camille Martin", Role.AGENT, "ccc", ("ccc",)),
    DemoAccount("superviseur@ccc.demo", "Sophie Bernard", Role.SUPERVISOR, "ccc", ("ccc",)),
    DemoAccount("agent@dp-anef.demo", "Karim Haddad", Role.AGENT, "dp-anef", ("dp-anef",)),
    DemoAccount("agent@sdst.demo", "Julie Moreau", Role.AGENT, "sdst", ("sdst",)),
    DemoAccount("agent@sdanf.demo", "Thomas Petit", Role.AGENT, "sdanf", ("sdanf",)),
    DemoAccount("redacteur@dp-anef.demo", "Nadia Lefèvre", Role.EDITOR, "dp-anef"),
    DemoAccount(
        "incidents@dp-anef.demo", "Paul Rousseau", Role.INCIDENT_MANAGER, "dp-anef", ("dp-anef",)
    ),
    DemoAccount("referent@pref-69.demo", "Luc Garnier", Role.REFERENT, "pref-69", site="pref-69"),
    DemoAccount(
        "referent@natali-nantes.demo",
        "Aïcha Diallo",
        Role.REFERENT,
        "natali-nantes",
        site="natali-nantes",
    ),
    DemoAccount("admin@dp-anef.demo", "Admin DP ANEF", Role.ADMIN, "dp-anef", ("dp-anef",)),
)


def ensure_chain(session: Session) -> None:
    """Create the organisations, queues and hand-overs of the default chain if missing."""
    organisations = {
        code: _ensure_organisation(session, code, name, kind)
        for code, name, kind in CHAIN_ORGANISATIONS
    }
    queues: dict[str, Queue] = {}
    for spec in DEFAULT_QUEUES:
        queue = session.exec(select(Queue).where(Queue.code == spec.code)).first()
        if queue is None:
            queue = Queue(
                code=spec.code,
                name=spec.name,
                level=spec.level,
                organisation_id=organisations[spec.organisation_code].id,  # type: ignore[arg-type]
            )
            session.add(queue)
            session.flush()
        queues[spec.code] = queue
    existing = {(r.from_queue_id, r.to_queue_id) for r in session.exec(select(HandoverRoute))}
    for move in DEFAULT_MOVES:
        pair = (require_id(queues[move.from_queue]), require_id(queues[move.to_queue]))
        if pair not in existing:
            session.add(HandoverRoute(from_queue_id=pair[0], to_queue_id=pair[1], kind=move.kind))
    session.flush()
    ensure_routing_defaults(session)


def is_empty(session: Session) -> bool:
    """Whether the database has no agent yet (a fresh install)."""
    return session.exec(select(Agent.id).limit(1)).first() is None


def seed_demo(session: Session) -> list[DemoAccount]:
    """Create demo sites, one agent per role, demo tickets and the seed wiki; idempotent."""
    ensure_chain(session)
    for code, name, kind in DEMO_SITES:
        _ensure_organisation(session, code, name, kind)
    for account in DEMO_ACCOUNTS:
        _ensure_demo_agent(session, account)
    if session.exec(select(Ticket.id).limit(1)).first() is None:
        from helpdesk.demo_tickets import create_demo_tickets

        create_demo_tickets(session)
        from helpdesk.dossier_links.demo import link_demo_tickets

        link_demo_tickets(session)
    from helpdesk.kb.transfer import import_seed

    import_seed(session)
    from helpdesk.tickets.canned_seed import seed_canned_responses

    seed_canned_responses(session)
    from helpdesk.referents.demo import create_demo_referent_data

    create_demo_referent_data(session)
    return list(DEMO_ACCOUNTS)


def _ensure_organisation(session: Session, code: str, name: str, kind: str) -> Organisation:
    """The organisation with this code, created if missing."""
    organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None:
        organisation = Organisation(code=code, name=name, kind=kind)
        session.add(organisation)
        session.flush()
    return organisation


def _ensure_demo_agent(session: Session, account: DemoAccount) -> None:
    """Create a demo agent and its queue memberships if missing."""
    if session.exec(select(Agent).where(Agent.email == account.email)).first() is not None:
        return
    agent = create_agent(
        session,
        email=account.email,
        full_name=account.full_name,
        password=DEMO_PASSWORD,
        role=account.role,
        organisation_code=account.organisation,
        site_code=account.site,
    )
    for code in account.queues:
        queue = session.exec(select(Queue).where(Queue.code == code)).one()
        session.add(QueueMembership(queue_id=queue.id, agent_id=agent.id))  # type: ignore[arg-type]
    session.flush()
