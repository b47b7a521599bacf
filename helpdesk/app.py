"""The composition root: create_app(settings) wires routes, templates, static files and jobs."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Router
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.htmx import HTMXRequest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError

import helpdesk.job_modules  # noqa: F401  (registers the jobs)
from helpdesk.admin.account_views import AccountAdminController
from helpdesk.admin.journal_views import AuditJournalController
from helpdesk.admin.views import AdminController
from helpdesk.agent_notifications.views import NotificationController
from helpdesk.api_clients.openapi import security_components
from helpdesk.api_clients.views import ApiClientAdminController
from helpdesk.audit.writer import AuditWriter
from helpdesk.auth.activity import ActivityRecorder
from helpdesk.auth.preference_views import PanelController
from helpdesk.auth.views import AuthController
from helpdesk.clock import start_clock_thread
from helpdesk.config import Settings
from helpdesk.db import make_engine
from helpdesk.dossier_links.public import PublicDossierController
from helpdesk.dossier_links.source import build_source, close_source
from helpdesk.dossier_links.views import DossierController, dossier_events
from helpdesk.errors import DomainError
from helpdesk.health import healthz, readyz
from helpdesk.incidents.notice_views import NoticeController
from helpdesk.incidents.views import IncidentController, TicketIncidentController
from helpdesk.intake.api import contact_api
from helpdesk.intake.followup_views import FollowUpController
from helpdesk.intake.ratelimit import RateLimiter
from helpdesk.intake.views import ContactController
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.kb.help_views import HelpController, english_help
from helpdesk.kb.index import LiveIndex
from helpdesk.kb.public_suggest import PublicSuggestions
from helpdesk.kb.views import KbController
from helpdesk.logging import configure_logging
from helpdesk.privacy.public_views import PersonalDataController
from helpdesk.privacy.views import DataProtectionController
from helpdesk.referents.views import ReferentController
from helpdesk.review.views import ReviewController
from helpdesk.ticket_routing.agent_views import RoutingAgentController
from helpdesk.ticket_routing.sla_views import SlaAdminController
from helpdesk.ticket_routing.views import RoutingAdminController
from helpdesk.tickets.action_views import TicketActionsController
from helpdesk.tickets.canned_views import CannedController
from helpdesk.tickets.draft_views import DraftController
from helpdesk.tickets.insert_views import InsertController
from helpdesk.tickets.phone_views import PhoneController
from helpdesk.tickets.queue_views import QueueController
from helpdesk.tickets.saved_view_routes import SavedViewController
from helpdesk.tickets.tag_views import TagController
from helpdesk.tickets.view_routes import WorkViewController
from helpdesk.tickets.views import ConsoleController
from helpdesk.web import dependencies as deps
from helpdesk.web.errors import (
    domain_error_handler,
    http_error_handler,
    internal_error_handler,
    refused_value_handler,
    unreadable_body_handler,
)
from helpdesk.web.flash import make_flash_middleware
from helpdesk.web.middleware import make_security_headers_hook, make_web_middleware
from helpdesk.web.static_assets import static_routers
from helpdesk.web.templating import template_config

MAX_BODY_BYTES = 20 * 1024 * 1024


def create_app(
    settings: Settings | None = None, *, engine: Engine | None = None, run_jobs: bool | None = None
) -> Litestar:
    """Build the application; `run_jobs` starts worker and clock threads (default: no Redis).

    The composition root: the engine, the dossier source, the job runtime (whose sessions
    relay their outbox rows), the live index and the rate limiter are made here, once, and
    hang off the application's state; nothing of them lives in a module.
    """
    settings = settings or Settings()
    configure_logging(settings.log_level)
    engine = engine or make_engine(settings.database_url)
    dossier_source = build_source(settings)
    runtime = JobRuntime(settings, engine, dossier_source=dossier_source)
    in_process = run_jobs if run_jobs is not None else settings.redis_url is None
    kb_index = LiveIndex(engine)
    limiter = RateLimiter(settings, engine)
    activity = ActivityRecorder(engine)
    audit = AuditWriter(engine)
    state = State(
        {
            "settings": settings,
            "engine": engine,
            "jobs": runtime,
            "kb_index": kb_index,
            "public_suggestions": PublicSuggestions(kb_index),
            "dossier_source": dossier_source,
            "intake_limiter": limiter,
            "session_activity": activity,
            "audit": audit,
        }
    )

    def start() -> None:
        if in_process:
            runtime.start_worker()
            state.clock_stop = start_clock_thread(runtime, interval=settings.outbox_sweep_seconds)

    def stop() -> None:
        if "clock_stop" in state:
            state.clock_stop.set()
        runtime.stop()
        close_source(dossier_source)
        limiter.close()
        activity.close()
        audit.close()

    return Litestar(
        route_handlers=[
            _web_router(),
            contact_api,
            dossier_events,
            healthz,
            readyz,
            *static_routers(),
        ],
        state=state,
        request_class=HTMXRequest,
        dependencies=_dependencies(),
        template_config=template_config(),
        csrf_config=_csrf_config(settings),
        allowed_hosts=_allowed_hosts(settings),
        middleware=[
            make_web_middleware(),
            make_flash_middleware(secret=settings.secret, https=settings.is_https),
        ],
        before_send=[make_security_headers_hook(https=settings.is_https)],
        exception_handlers=_exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="API de l'assistance ANEF",
            version="1.0.0",
            path="/api/v1/schema",
            # JSON and YAML only: the HTML viewers would load their scripts from a CDN.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            components=security_components(),
        ),
        request_max_body_size=MAX_BODY_BYTES,
        on_startup=[start, kb_index.warm_up],
        on_shutdown=[stop],
        debug=False,
        logging_config=None,
    )


def _web_router() -> Router:
    """The HTML pages, kept out of the OpenAPI schema."""
    return Router(
        path="/",
        route_handlers=[
            AuthController,
            ConsoleController,
            QueueController,
            WorkViewController,
            SavedViewController,
            TicketActionsController,
            PhoneController,
            DraftController,
            PanelController,
            CannedController,
            InsertController,
            TagController,
            AdminController,
            AccountAdminController,
            AuditJournalController,
            NotificationController,
            ApiClientAdminController,
            RoutingAdminController,
            SlaAdminController,
            RoutingAgentController,
            KbController,
            HelpController,
            english_help,
            ContactController,
            FollowUpController,
            DossierController,
            PublicDossierController,
            ReferentController,
            IncidentController,
            TicketIncidentController,
            NoticeController,
            ReviewController,
            DataProtectionController,
            PersonalDataController,
        ],
        include_in_schema=False,
    )


def _dependencies() -> dict[str, Provide]:
    """Dependencies every handler may ask for."""
    return {
        "db_session": Provide(deps.in_worker_thread(deps.provide_db_session)),
        "settings": Provide(deps.provide_settings, sync_to_thread=False),
        "agent_or_none": Provide(deps.provide_optional_agent, sync_to_thread=True),
        "agent": Provide(deps.provide_agent, sync_to_thread=False),
    }


def _allowed_hosts(settings: Settings) -> AllowedHostsConfig | None:
    """In production, a request naming another Host is a 400 (no host-header poisoning of
    the links we build); the probes answer whatever address the orchestrator uses."""
    names = settings.host_names
    if names is None:
        return None
    return AllowedHostsConfig(
        allowed_hosts=names, exclude=["^/healthz$", "^/readyz$"], www_redirect=False
    )


def _csrf_config(settings: Settings) -> CSRFConfig:
    """Double-submit CSRF tokens on every state-changing request outside the API."""
    return CSRFConfig(
        secret=settings.secret,
        # __Host-: bound to this exact host over https (see session_cookie_name).
        cookie_name=("__Host-" if settings.is_https else "") + "helpdesk_csrf",
        header_name="x-csrftoken",
        cookie_secure=settings.is_https,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/"],
    )


def _exception_handlers() -> dict[Any, Any]:
    """Domain errors, HTTP errors and anything else, each answered in French."""
    return {
        DomainError: domain_error_handler,
        HTTPException: http_error_handler,
        UnicodeDecodeError: unreadable_body_handler,
        DataError: refused_value_handler,
        OverflowError: refused_value_handler,
        Exception: internal_error_handler,
    }
