"""Benchmarks of reliability: the embedded default under concurrent senders, and the time
a SIGKILLed worker's job takes to run again.

Run with `make bench`. The requeue delay needs PostgreSQL and Redis
(HELPDESK_BENCH_DATABASE_URL, HELPDESK_BENCH_REDIS_URL); SQLite is always measured.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import helpdesk.job_modules  # noqa: E402, F401
from helpdesk.db import make_engine  # noqa: E402
from helpdesk.logging import configure_logging  # noqa: E402
from helpdesk.migrate import migrate  # noqa: E402
from helpdesk.notifications.models import OutgoingMail  # noqa: E402
from helpdesk.notifications.service import queue_mail  # noqa: E402
from helpdesk.seed import DEMO_PASSWORD, seed_demo  # noqa: E402

from conftest import CSRF_INPUT, make_settings  # noqa: E402
from factories import make_api_key  # noqa: E402
from support.faults import Worker  # noqa: E402
from support.live import send_all_at_once, serve_process  # noqa: E402
from support.servers import ReceivedMail, fresh_postgres_database, smtp_server  # noqa: E402

REQUEUE_RUNS = 3


def percentile(samples: list[float], share: float) -> float:
    """The share-th percentile of samples (seconds), in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class PageProbe:
    """A signed-in téléconseiller loading pages in a loop while the usagers send."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=120)
        token = CSRF_INPUT.search(self.client.get("/connexion").text)
        assert token is not None
        self.client.post(
            "/connexion",
            data={
                "email": "conseiller@ccc.demo",
                "password": DEMO_PASSWORD,
                "_csrf_token": token.group(1),
            },
        )
        self.durations: list[float] = []
        self.errors = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        """Load the home page, a queue and the contact form until stopped."""
        while not self.stop.is_set():
            for path in ("/", "/files/ccc", "/contact"):
                started = time.perf_counter()
                status = self.client.get(path).status_code
                self.durations.append(time.perf_counter() - started)
                self.errors += status != 200

    def __enter__(self) -> PageProbe:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()
        self.client.close()


def bench_sqlite_senders(forms: int, api: int) -> None:
    """`forms` usagers on the form and `api` partners on the API, all at once, on the
    embedded default (SQLite, in-process jobs), while an agent loads pages."""
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'helpdesk.db'}")
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        key = make_api_key(session, scopes=("contact:write",))
        session.commit()
    settings = make_settings(folder, intake_rate_limit=100_000, intake_min_fill_seconds=0)
    with serve_process(settings, str(engine.url)) as url:
        send_all_at_once(url, settings, forms=1, api=0)  # the server's first request warms up
        with PageProbe(url) as probe:
            started = time.perf_counter()
            sends = send_all_at_once(url, settings, forms=forms, api=api, api_key=key)
            wall = time.perf_counter() - started
            drained = wait_for_acknowledgements(engine, forms + api + 1) - started
    errors = sum(s.status not in (200, 201) for s in sends)
    durations = [s.seconds for s in sends]
    posts = [s.post_seconds for s in sends]
    print(
        f"sqlite, {forms} form + {api} API senders at once: {errors} errors, "
        f"send (load + post) p50 {percentile(durations, 0.5):.0f} ms, "
        f"p95 {percentile(durations, 0.95):.0f} ms, max {max(durations) * 1000:.0f} ms; "
        f"POST alone p50 {percentile(posts, 0.5):.0f} ms, p95 {percentile(posts, 0.95):.0f} ms; "
        f"all answered in {wall:.1f} s, "
        f"every acknowledgement sent after {drained:.1f} s; "
        f"agent pages meanwhile: {len(probe.durations)} loads, {probe.errors} errors, "
        f"p50 {percentile(probe.durations, 0.5):.0f} ms, "
        f"p95 {percentile(probe.durations, 0.95):.0f} ms"
    )


def wait_for_acknowledgements(engine: Engine, count: int) -> float:
    """The moment (perf_counter) every acknowledgement of the `count` tickets was sent."""
    query = (
        select(func.count()).select_from(OutgoingMail).where(col(OutgoingMail.sent_at).is_not(None))
    )
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        with Session(engine) as session:
            if session.exec(query).one() >= count:
                break
        time.sleep(0.05)
    return time.perf_counter()


def requeue_delay(database_url: str, redis_url: str) -> float:
    """Seconds from a worker SIGKILLed mid-send to the job's send by the next worker."""
    with smtp_server() as smtp:
        folder = Path(tempfile.mkdtemp())
        settings = make_settings(
            folder, redis_url=redis_url, smtp_host=smtp.host, smtp_port=smtp.port
        )
        first = Worker(settings, database_url)
        killed_at: list[float] = []

        async def gate(mail: ReceivedMail) -> bool:
            if not killed_at:
                await asyncio.to_thread(first.kill)
                killed_at.append(time.monotonic())
                return False
            return True

        smtp.gate = gate
        engine = make_engine(database_url)
        from helpdesk.jobs.runtime import JobRuntime

        web = JobRuntime(settings, engine)
        with web.session() as session:
            queue_mail(session, recipient="usager@example.org", subject="Accusé", body="x")
            session.commit()
        second = None
        try:
            while not killed_at:
                time.sleep(0.05)
            second = Worker(settings, database_url)
            smtp.wait_for(1, timeout=180)
            return time.monotonic() - killed_at[0]
        finally:
            first.stop()
            if second is not None:
                second.stop()
            web.stop()
            engine.dispose()


def bench_requeue(server: str, redis_url: str) -> None:
    """The requeue delay of a killed worker's job, a few times."""
    delays = []
    for _ in range(REQUEUE_RUNS):
        with fresh_postgres_database(server) as url:
            migrate(make_engine(url))
            delays.append(requeue_delay(url, redis_url))
    print(
        f"worker SIGKILLed mid-job [postgresql, redis]: job ran again after "
        f"{', '.join(f'{d:.1f}' for d in delays)} s (max {max(delays):.1f} s)"
    )


def main() -> None:
    """Run every benchmark and print one line each."""
    configure_logging("ERROR")
    for forms, api in ((2, 0), (20, 0), (20, 20)):
        bench_sqlite_senders(forms, api)
    server = os.environ.get("HELPDESK_BENCH_DATABASE_URL")
    redis_url = os.environ.get("HELPDESK_BENCH_REDIS_URL")
    if not (server and redis_url):
        print("requeue delay: not measured (set HELPDESK_BENCH_DATABASE_URL and _REDIS_URL)")
        return
    bench_requeue(server, redis_url)


if __name__ == "__main__":
    main()
