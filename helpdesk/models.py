"""Imports every table so that SQLModel.metadata knows them all (Alembic, tests)."""

from sqlmodel import SQLModel

from helpdesk.agent_notifications.models import AgentNotification, NotificationSettings
from helpdesk.api_clients.models import ApiClient, ApiClientSecret
from helpdesk.audit.models import AuditEvent
from helpdesk.auth.models import Agent, AgentSession, Organisation, SignInFailure
from helpdesk.auth.preference_models import AgentPreference
from helpdesk.dossier_links.models import DossierEventReceipt
from helpdesk.incidents.models import Incident, IncidentTicket, Notice, NoticeRead
from helpdesk.intake.models import ContactSubmission, DeflectionEvent, FollowUpLink, RateHit
from helpdesk.jobs.models import DeadLetter, OutboxMessage
from helpdesk.kb.models import Article, ArticleFeedback, ArticleRevision, KbIndexState
from helpdesk.notifications.models import OutgoingMail
from helpdesk.privacy.models import DataRequest, RetentionRun
from helpdesk.referents.models import Report
from helpdesk.review.models import ReviewMeeting
from helpdesk.ticket_routing.models import (
    BusinessCalendar,
    ClosedDay,
    QueueRouting,
    RoutingRule,
    SlaPolicy,
    TicketClassification,
    TicketSlaClock,
    TicketTag,
)
from helpdesk.tickets.draft_models import TicketDraft
from helpdesk.tickets.models import (
    Attachment,
    CannedResponse,
    HandoverRoute,
    Message,
    Queue,
    QueueMembership,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketPresence,
    TicketQueuePassage,
    TicketSearchDocument,
    TicketSequence,
)
from helpdesk.tickets.saved_view_models import SavedView

metadata = SQLModel.metadata

__all__ = [
    "Agent",
    "AgentNotification",
    "AgentPreference",
    "AgentSession",
    "ApiClient",
    "ApiClientSecret",
    "Article",
    "ArticleFeedback",
    "ArticleRevision",
    "Attachment",
    "AuditEvent",
    "BusinessCalendar",
    "CannedResponse",
    "ClosedDay",
    "ContactSubmission",
    "DataRequest",
    "DeadLetter",
    "DeflectionEvent",
    "DossierEventReceipt",
    "FollowUpLink",
    "HandoverRoute",
    "Incident",
    "IncidentTicket",
    "KbIndexState",
    "Message",
    "Notice",
    "NoticeRead",
    "NotificationSettings",
    "Organisation",
    "OutboxMessage",
    "OutgoingMail",
    "Queue",
    "QueueMembership",
    "QueueRouting",
    "RateHit",
    "Report",
    "RetentionRun",
    "ReviewMeeting",
    "RoutingRule",
    "SavedView",
    "SignInFailure",
    "SlaPolicy",
    "Ticket",
    "TicketClassification",
    "TicketDraft",
    "TicketEvent",
    "TicketLink",
    "TicketPresence",
    "TicketQueuePassage",
    "TicketSearchDocument",
    "TicketSequence",
    "TicketSlaClock",
    "TicketTag",
    "metadata",
]
