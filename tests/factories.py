"""Small builders of test data through the real services."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from helpdesk.auth.models import Agent, Role
from helpdesk.auth.service import create_agent
from helpdesk.tickets.models import Channel, Queue, QueueMembership, Ticket
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import create_ticket

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_agent(
    session: Session,
    *,
    role: Role = Role.AGENT,
    organisation: str = "ccc",
    queues: tuple[str, ...] = ("ccc",),
    site: str | None = None,
    email: str | None = None,
) -> Agent:
    """An agent of an organisation, member of some queues."""
    number = next(_counter)
    agent = create_agent(
        session,
        email=email or f"agent{number}@{organisation}.test",
        full_name=f"Agent {number}",
        password=PASSWORD,
        role=role,
        organisation_code=organisation,
        site_code=site,
    )
    for code in queues:
        queue = session.exec(select(Queue).where(Queue.code == code)).one()
        session.add(QueueMembership(queue_id=queue.id, agent_id=agent.id))  # type: ignore[arg-type]
    session.flush()
    return agent


def make_ticket(session: Session, **overrides: object) -> Ticket:
    """A ticket from the contact form with sensible defaults."""
    values: dict[str, object] = {
        "channel": Channel.FORM,
        "subject": "Attestation de prolongation expirée",
        "body": "Mon attestation a expiré, que faire ?",
        "requester_name": "Awa Traoré",
        "requester_email": "awa.traore@example.org",
        "procedure": "etudiant",
    }
    values.update(overrides)
    return create_ticket(session, data=NewTicket(**values))  # type: ignore[arg-type]


def make_api_key(
    session: Session,
    *,
    scopes: tuple[str, ...] = ("contact:write", "dossier-events:write"),
    name: str | None = None,
) -> str:
    """A new API client with these scopes, through the real service; answers its key."""
    from helpdesk.api_clients.service import create_client
    from helpdesk.audit.service import Actor

    _, key = create_client(
        session,
        name=name or f"Partenaire {next(_counter)}",
        scopes=scopes,
        actor=Actor(label="Tests"),
    )
    return key


def bearer(key: str) -> dict[str, str]:
    """The header sending an API key."""
    return {"Authorization": f"Bearer {key}"}
