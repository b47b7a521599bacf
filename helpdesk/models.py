"""Imports every table so that SQLModel.metadata knows them all (Alembic, tests)."""

from sqlmodel import SQLModel

from helpdesk.auth.models import Agent, AgentSession, Organisation, SignInFailure
from helpdesk.jobs.models import DeadLetter, JobExecution, OutboxMessage
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.models import (
    Attachment,
    HandoverRoute,
    Message,
    Queue,
    QueueMembership,
    Ticket,
    TicketEvent,
    TicketSequence,
)

metadata = SQLModel.metadata

__all__ = [
    "Agent",
    "AgentSession",
    "Attachment",
    "DeadLetter",
    "HandoverRoute",
    "JobExecution",
    "Message",
    "Organisation",
    "OutboxMessage",
    "OutgoingMail",
    "Queue",
    "QueueMembership",
    "SignInFailure",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "metadata",
]
