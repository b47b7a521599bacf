"""Benchmarks of the foundation: ticket creation, outbox relay and page latency.

Run with `make bench`. PostgreSQL and Redis are measured when HELPDESK_BENCH_DATABASE_URL
and HELPDESK_BENCH_REDIS_URL are set (e.g. this machine's services); SQLite always is.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from litestar.testing import TestClient
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import helpdesk.job_modules  # noqa: E402, F401
from helpdesk.app import create_app  # noqa: E402
from helpdesk.config import Settings  # noqa: E402
from helpdesk.db import make_engine  # noqa: E402
from helpdesk.logging import configure_logging  # noqa: E402
from helpdesk.migrate import migrate  # noqa: E402
from helpdesk.notifications.service import queue_mail  # noqa: E402
from helpdesk.seed import DEMO_PASSWORD, seed_demo  # noqa: E402

from factories import make_ticket  # noqa: E402
from support.servers import fresh_postgres_database  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    """The share-th percentile of samples, in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def timed(action: Callable[[], object], count: int) -> list[float]:
    """Run an action count times and return each duration in seconds."""
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return durations


def bench_ticket_creation(label: str, url: str, count: int = 300) -> None:
    """Tickets created (with message, event, mail and outbox rows) one transaction each."""
    engine = make_engine(url)
    migrate(engine)

    def create() -> None:
        with Session(engine) as session:
            make_ticket(session)
            session.commit()

    durations = timed(create, count)
    print(
        f"ticket creation [{label}]: {count / sum(durations):.0f} tickets/s, "
        f"p50 {percentile(durations, 0.5):.1f} ms, p95 {percentile(durations, 0.95):.1f} ms"
    )


def bench_pages(folder: Path, count: int = 200) -> None:
    """Latency of the home page and a ticket page for a signed-in téléconseiller."""
    engine = make_engine(f"sqlite:///{folder / 'pages.db'}")
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    settings = Settings(env="test", secret_key="bench", mail_dir=folder / "mail", log_level="ERROR")
    app = create_app(settings, engine=engine, run_jobs=False)
    with TestClient(app=app, base_url="http://bench.local") as client:
        page = client.get("/connexion").text
        token = page.split('name="_csrf_token" value="')[1].split('"')[0]
        client.post(
            "/connexion",
            data={"email": "conseiller@ccc.demo", "password": DEMO_PASSWORD, "_csrf_token": token},
        )
        for path in ("/", "/files/ccc", "/tickets/2"):
            durations = timed(lambda path=path: client.get(path), count)
            print(
                f"page {path} [sqlite, in-process client]: p50 {percentile(durations, 0.5):.1f} ms,"
                f" p95 {percentile(durations, 0.95):.1f} ms"
            )


def bench_outbox(label: str, url: str, redis_url: str | None, count: int = 200) -> None:
    """Tickets with an e-mail each: from commit to the mail written, through broker and worker."""
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(url)
    migrate(engine)
    settings = Settings(
        env="test", secret_key="bench", redis_url=redis_url, mail_dir=folder, log_level="ERROR"
    )
    from helpdesk.jobs.runtime import JobRuntime

    runtime = JobRuntime(settings, engine)
    runtime.start_worker()
    started = time.perf_counter()
    for _ in range(count):
        with runtime.session() as session:
            ticket = make_ticket(session)
            queue_mail(
                session,
                recipient="usager@example.org",
                subject=f"Votre demande {ticket.reference}",
                body="Bonjour, nous avons bien reçu votre demande.",
                ticket_id=ticket.id,
            )
            session.commit()
    while len(list(folder.glob("*.eml"))) < count:
        if time.perf_counter() - started > 120:
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    delivered = len(list(folder.glob("*.eml")))
    runtime.stop()
    print(f"outbox → job → mail [{label}]: {delivered}/{count} delivered, {count / elapsed:.0f}/s")


def main() -> None:
    """Run every benchmark and print one line each."""
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp())
    bench_ticket_creation("sqlite", f"sqlite:///{folder / 'tickets.db'}")
    bench_outbox("sqlite, in-process broker", f"sqlite:///{folder / 'outbox.db'}", None)
    bench_pages(folder)
    server = os.environ.get("HELPDESK_BENCH_DATABASE_URL")
    redis_url = os.environ.get("HELPDESK_BENCH_REDIS_URL")
    if not server:
        print("postgresql: not measured (set HELPDESK_BENCH_DATABASE_URL)")
        return
    with fresh_postgres_database(server) as url:
        bench_ticket_creation("postgresql", url)
    if redis_url:
        with fresh_postgres_database(server) as url:
            bench_outbox("postgresql, redis broker", url, redis_url)


if __name__ == "__main__":
    main()
