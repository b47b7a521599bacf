"""Fixtures of the routing job tests: a clean Redis, settings for it, runtimes that stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from helpdesk.config import Settings
from helpdesk.jobs.runtime import JobRuntime

from conftest import make_settings
from support.servers import SmtpSink, delete_namespace


@pytest.fixture()
def clean_redis(redis_url: str) -> Iterator[str]:
    """The session's Redis without dramatiq messages left over from another test."""
    delete_namespace(redis_url)
    yield redis_url
    delete_namespace(redis_url)


@pytest.fixture()
def broker_settings(tmp_path: Path, clean_redis: str, smtp: SmtpSink) -> Settings:
    """Settings on the live Redis broker and the SMTP sink, with four worker threads."""
    return make_settings(
        tmp_path, redis_url=clean_redis, smtp_host=smtp.host, smtp_port=smtp.port, worker_threads=4
    )


@pytest.fixture()
def runtime_on(broker_settings: Settings) -> Iterator[Callable[[Engine], JobRuntime]]:
    """Build a job runtime (worker not started); stopped after the test."""
    started: list[JobRuntime] = []

    def build(engine: Engine) -> JobRuntime:
        runtime = JobRuntime(broker_settings, engine)
        started.append(runtime)
        return runtime

    yield build
    for runtime in started:
        runtime.stop()
