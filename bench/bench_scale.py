"""Scale benchmark: agent pages, search and the SLA check at 10k, 100k (and 1M) tickets.

Run with `make bench` (PostgreSQL only: HELPDESK_BENCH_DATABASE_URL). Each size gets a
fresh database with the demo chain and accounts, then `seed_volume` writes the tickets;
pages are timed through Litestar's in-process client, signed in as the demo téléconseiller
and the demo DP ANEF agent. 1M tickets takes a while: set HELPDESK_BENCH_MILLION=1.
HELPDESK_BENCH_EXISTING_URL measures a database generated earlier instead (the SLA part
then checks what is due there).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from urllib.parse import quote

from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import helpdesk.job_modules  # noqa: E402, F401
from helpdesk.app import create_app  # noqa: E402
from helpdesk.config import Settings  # noqa: E402
from helpdesk.db import make_engine, utcnow  # noqa: E402
from helpdesk.jobs.registry import JobContext  # noqa: E402
from helpdesk.logging import configure_logging  # noqa: E402
from helpdesk.migrate import migrate  # noqa: E402
from helpdesk.seed import DEMO_PASSWORD, seed_demo  # noqa: E402
from helpdesk.ticket_routing.sla_check import check_due  # noqa: E402
from helpdesk.ticket_routing.tasks import sla_check  # noqa: E402
from helpdesk.tickets.listing import encode_cursor  # noqa: E402
from helpdesk.volume import seed_volume  # noqa: E402
from helpdesk.volume.vocabulary import COMMON_WORD, RARE_WORDS  # noqa: E402

from support.servers import fresh_postgres_database  # noqa: E402

REQUESTS = 30
PAGE_TARGET_MS, SEARCH_TARGET_MS, SLA_TARGET_S = 150, 300, 10
ACTIVE = "('new', 'open', 'waiting')"


@dataclass(frozen=True)
class Samples:
    """What the measured requests ask for, read from the generated data."""

    reference: str
    email: str
    ticket_id: int
    deep_cursors: dict[str, str]


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    pick = lambda share: ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000  # noqa: E731
    return pick(0.5), pick(0.95)


def measure(label: str, action: Callable[[], object], target_ms: float) -> None:
    """Time an action REQUESTS times (after one warm-up) and print p50/p95 against its target."""
    action()
    durations = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    p50, p95 = percentiles(durations)
    verdict = "ok" if p95 <= target_ms else "MISSED"
    timing = f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
    print(f"  {label:<46} {timing}  (target p95 ≤ {target_ms} ms: {verdict})")


def read_samples(engine: Engine) -> Samples:
    """An active ticket's reference and e-mail, a ticket that went up and down, deep cursors."""
    with engine.connect() as connection:
        reference, email = connection.execute(
            text(
                f"SELECT reference, requester_email FROM ticket WHERE status IN {ACTIVE} "
                "AND requester_email IS NOT NULL ORDER BY id DESC LIMIT 1"
            )
        ).one()
        ticket_id = connection.execute(
            text(
                "SELECT MIN(ticket_id) FROM ticket_event WHERE kind = 'return' AND to_value = 'ccc'"
            )
        ).scalar_one()
        cursors = {}
        for code in ("ccc", "dp-anef"):
            active = (
                f"FROM ticket t JOIN queue q ON q.id = t.queue_id "
                f"WHERE q.code = :code AND t.status IN {ACTIVE}"
            )
            count = connection.execute(text(f"SELECT COUNT(*) {active}"), {"code": code}).scalar()
            row = connection.execute(
                text(f"SELECT t.created_at, t.id {active} ORDER BY 1, 2 OFFSET :n LIMIT 1"),
                {"code": code, "n": (count or 0) // 2},
            ).first()
            if row is not None:
                cursors[code] = encode_cursor([row[0].replace(tzinfo=UTC), row[1]])
    return Samples(reference, email, int(ticket_id), cursors)


@contextmanager
def signed_in(engine: Engine, email: str) -> Iterator[TestClient]:
    """An in-process client signed in as a demo account."""
    folder = Path(tempfile.mkdtemp())
    settings = Settings(env="test", secret_key="bench", mail_dir=folder, log_level="ERROR")
    app = create_app(settings, engine=engine, run_jobs=False)
    with TestClient(app=app, base_url="http://bench.local") as client:
        page = client.get("/connexion").text
        token = page.split('name="_csrf_token" value="')[1].split('"')[0]
        data = {"email": email, "password": DEMO_PASSWORD, "_csrf_token": token}
        client.post("/connexion", data=data)
        yield client


def bench_pages(engine: Engine, samples: Samples) -> None:
    """The agent pages and the search, for the téléconseiller and the DP ANEF agent."""
    for email, code in (("conseiller@ccc.demo", "ccc"), ("agent@dp-anef.demo", "dp-anef")):
        print(f" signed in as {email}:")
        with signed_in(engine, email) as client:

            def get(path: str, client: TestClient = client) -> Callable[[], object]:
                def action() -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)

                return action

            measure("home /", get("/"), PAGE_TARGET_MS)
            measure(f"queue /files/{code} (first page)", get(f"/files/{code}"), PAGE_TARGET_MS)
            if code in samples.deep_cursors:
                deep = f"/files/{code}?after={samples.deep_cursors[code]}"
                measure(f"queue /files/{code} (deep page)", get(deep), PAGE_TARGET_MS)
            for label, query in (
                ("common word", COMMON_WORD),
                ("rare word", RARE_WORDS[0]),
                ("e-mail", samples.email),
                ("reference", samples.reference),
            ):
                path = f"/recherche?q={quote(query)}"
                measure(f"search, {label} ({query[:20]})", get(path), SEARCH_TARGET_MS)
            ticket = f"/tickets/{samples.ticket_id}"
            measure(f"ticket page {ticket}", get(ticket), PAGE_TARGET_MS)


def bench_sla(engine: Engine) -> None:
    """The SLA check of every running clock (all due after generation, as after an
    upgrade), batch after batch as the chained job does; then one periodic run at rest."""
    settings = Settings(env="test", secret_key="bench", log_level="ERROR")
    started, checked = time.perf_counter(), 0
    while True:
        with Session(engine) as session:
            now = utcnow()
            plan = check_due(session, now=now, continuation=checked > 0)
            session.commit()
        checked += len(plan.ticket_ids)
        if not plan.more:
            break
    elapsed = time.perf_counter() - started
    verdict = "ok" if elapsed <= SLA_TARGET_S else "MISSED"
    print(
        f"  SLA check of every running clock ({checked} tickets, all due): {elapsed:.1f} s "
        f"(target ≤ {SLA_TARGET_S} s: {verdict})"
    )
    with Session(engine) as session:
        started = time.perf_counter()
        sla_check(JobContext(session=session, settings=settings))
        session.commit()
        print(f"  SLA job, one periodic run once up to date: {time.perf_counter() - started:.2f} s")


def bench_size(url: str, tickets: int) -> None:
    """Generate a database of `tickets` tickets and measure it."""
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    report = seed_volume(engine, tickets=tickets, seed=1)
    print(f"scale {tickets} tickets [postgresql]: generated {report.summary()}")
    bench_pages(engine, read_samples(engine))
    bench_sla(engine)
    engine.dispose()


def bench_existing(url: str) -> None:
    """Measure a database generated earlier (brought to the latest revision first)."""
    engine = make_engine(url)
    started = time.perf_counter()
    migrate(engine)
    with engine.connect() as connection:
        tickets = connection.execute(text("SELECT count(*) FROM ticket")).scalar_one()
    print(
        f"scale {tickets} tickets [postgresql, existing]: migrated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    bench_pages(engine, read_samples(engine))
    bench_sla(engine)
    engine.dispose()


def main() -> None:
    """Measure each size on a fresh PostgreSQL database (or HELPDESK_BENCH_EXISTING_URL)."""
    configure_logging("WARNING")
    if existing := os.environ.get("HELPDESK_BENCH_EXISTING_URL"):
        bench_existing(existing)
        return
    server = os.environ.get("HELPDESK_BENCH_DATABASE_URL")
    if not server:
        print("scale [postgresql]: not measured (set HELPDESK_BENCH_DATABASE_URL)")
        return
    sizes = [int(s) for s in os.environ.get("HELPDESK_BENCH_SIZES", "10000,100000").split(",")]
    if os.environ.get("HELPDESK_BENCH_MILLION") == "1":
        sizes.append(1_000_000)
    for tickets in sizes:
        with fresh_postgres_database(server) as url:
            bench_size(url, tickets)


if __name__ == "__main__":
    main()
