"""Entry point of the worker: `dramatiq helpdesk.tasks` declares every actor on the broker.

The composition root of the worker process: its engine, dossier source and job runtime.
"""

from __future__ import annotations

import dramatiq

import helpdesk.job_modules  # noqa: F401  (registers the jobs)
from helpdesk.config import Settings
from helpdesk.db import make_engine
from helpdesk.dossier_links.source import build_source
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.logging import configure_logging

settings = Settings()
configure_logging(settings.log_level)
runtime = JobRuntime(
    settings, make_engine(settings.database_url), dossier_source=build_source(settings)
)
broker = runtime.broker
dramatiq.set_broker(broker)  # the broker `dramatiq helpdesk.tasks` consumes
