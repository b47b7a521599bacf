"""Entry point of the worker: `dramatiq helpdesk.tasks` declares every actor on the broker."""

from __future__ import annotations

import helpdesk.job_modules  # noqa: F401  (registers the jobs)
from helpdesk.config import Settings
from helpdesk.db import make_engine
from helpdesk.jobs import runtime as jobs_runtime
from helpdesk.logging import configure_logging

settings = Settings()
configure_logging(settings.log_level)
runtime = jobs_runtime.JobRuntime(settings, make_engine(settings.database_url))
jobs_runtime.install(runtime)
broker = runtime.broker
