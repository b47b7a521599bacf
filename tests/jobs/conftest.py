"""Fixtures of the job tests: a clean Redis, settings for it, runtimes that always stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from helpdesk.config import Settings
from helpdesk.jobs.runtime import JobRuntime

from conftest import make_settings
from support.servers import SmtpSink, delete_namespace

StartRuntime = Callable[..., JobRuntime]


def _flush_dramatiq_keys(url: str) -> None:
    """Delete every queue, ack set and heartbeat of this session (its namespace) in Redis."""
    delete_namespace(url)


@pytest.fixture()
def live_redis(redis_url: str) -> Iterator[str]:
    """The session's Redis with no message left over from an earlier test."""
    _flush_dramatiq_keys(redis_url)
    yield redis_url
    _flush_dramatiq_keys(redis_url)


@pytest.fixture()
def redis_settings(tmp_path: Path, live_redis: str, smtp: SmtpSink) -> Settings:
    """Settings using the live Redis broker and the SMTP sink."""
    return make_settings(
        tmp_path, redis_url=live_redis, smtp_host=smtp.host, smtp_port=smtp.port, worker_threads=4
    )


@pytest.fixture()
def start_runtime() -> Iterator[StartRuntime]:
    """Build and (by default) start job runtimes; all are stopped after the test."""
    started: list[JobRuntime] = []

    def start(settings: Settings, engine: Engine, *, worker: bool = True) -> JobRuntime:
        runtime = JobRuntime(settings, engine)
        started.append(runtime)
        if worker:
            runtime.start_worker()
        return runtime

    yield start
    for runtime in started:
        runtime.stop()
