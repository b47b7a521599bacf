"""Ours: a fresh PostgreSQL database with the demo chain, 10,000 tickets and the help
centre articles, served by `helpdesk serve --workers 2` with in-process jobs."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

import helpdesk.job_modules  # noqa: F401  (actors registered before the seed enqueues)
from helpdesk.api_clients.service import create_client
from helpdesk.audit.service import Actor
from helpdesk.db import make_engine
from helpdesk.kb.transfer import import_directory
from helpdesk.migrate import migrate
from helpdesk.seed import seed_demo
from helpdesk.volume import seed_volume
from peer.processes import LOOPBACK, free_port, server_process

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var" / "peer" / "logs"

# What the load needs from our settings, printed when the server starts.
BENCH_SETTINGS = {
    "HELPDESK_ENV": "production",
    "HELPDESK_SECRET_KEY": "bench-peer-not-secret-" + "x" * 32,
    "HELPDESK_LOG_LEVEL": "WARNING",
    "HELPDESK_INTAKE_RATE_LIMIT": "1000000000",  # 8 clients from one address: not a flood
    "HELPDESK_INTAKE_MIN_FILL_SECONDS": "0",  # the load posts right after reading the form
}
# The API key of the load's partner (scope contact:write), registered at seeding; not secret.
BENCH_API_KEY = "anef_000000000000_bench-peer-not-secret-" + "x" * 21


def seed_ours(database_url: str, *, tickets: int) -> None:
    """Migrate, seed the demo chain and accounts, the volume of tickets and the articles."""
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with Session(engine) as session:
            seed_demo(session)
            create_client(
                session,
                name="Banc de comparaison",
                scopes=["contact:write"],
                actor=Actor(label="bench-peer"),
                key=BENCH_API_KEY,
            )
            session.commit()
        report = seed_volume(engine, tickets=tickets, seed=1)
        with Session(engine) as session:
            import_directory(session, directory=ROOT / "knowledge_base" / "seed")
            session.commit()
        print(f"ours: {report.summary()}", flush=True)
    finally:
        engine.dispose()


@contextlib.contextmanager
def serve_ours(database_url: str, *, tickets: int) -> Iterator[str]:
    """Seed our database (SQLAlchemy URL) and serve it on 2 workers; yield its URL."""
    seed_ours(database_url, tickets=tickets)
    port = free_port()
    base_url = f"http://{LOOPBACK}:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-peer-ours-") as folder:
        settings = {
            **BENCH_SETTINGS,
            "HELPDESK_DATABASE_URL": database_url,
            "HELPDESK_BASE_URL": base_url,
            "HELPDESK_MAIL_DIR": str(Path(folder) / "mail"),
            "HELPDESK_STORAGE_DIR": str(Path(folder) / "attachments"),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
        env.update(settings)
        # This checkout's code, not that of an editable install the venv may point elsewhere.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        shown = {k: v for k, v in settings.items() if k != "HELPDESK_SECRET_KEY"}
        print("ours: settings for the load: " + " ".join(f"{k}={v}" for k, v in shown.items()))
        helpdesk = Path(sys.executable).parent / "helpdesk"
        command = [
            str(helpdesk),
            "serve",
            "--workers",
            "2",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
        ]
        log = LOGS / "ours.log"
        with server_process(command, env=env, cwd=ROOT, log=log, ready_url=f"{base_url}/contact"):
            print(f"ours: helpdesk serve --workers 2 at {base_url} (log {log})", flush=True)
            yield base_url
