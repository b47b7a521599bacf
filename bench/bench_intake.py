"""Intake throughput: the contact form POST, the JSON API POST and the suggestions while typing.

Run with `make bench` (PostgreSQL only: HELPDESK_BENCH_DATABASE_URL; skipped without it).
Starts our web application as production does (`helpdesk serve --workers 2`, in-process
jobs, no Redis) on a fresh PostgreSQL database with the demo chain and the wiki's seed
articles, then loads it with 8 concurrent clients for ~10 s per measure (bench/load.py).
The anti-abuse settings that would refuse a load test are relaxed, and said so below.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
from sqlalchemy import text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from load import ClientState, LoadResult, run_load  # noqa: E402

import helpdesk.job_modules  # noqa: E402, F401
from helpdesk.api_clients.scopes import CONTACT_WRITE  # noqa: E402
from helpdesk.api_clients.service import create_client  # noqa: E402
from helpdesk.audit.service import Actor  # noqa: E402
from helpdesk.db import make_engine  # noqa: E402
from helpdesk.logging import configure_logging  # noqa: E402
from helpdesk.migrate import migrate  # noqa: E402
from helpdesk.seed import seed_demo  # noqa: E402

from support.servers import fresh_postgres_database  # noqa: E402

CLIENTS = int(os.environ.get("HELPDESK_BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("HELPDESK_BENCH_SECONDS", "10"))
WORKERS = int(os.environ.get("HELPDESK_BENCH_WORKERS", "2"))
# Clients connect this many seconds apart (keep-alive connections opened in one burst all
# land on one uvicorn worker: the other stays idle; 0 to see that).
STAGGER = float(os.environ.get("HELPDESK_BENCH_STAGGER", "0.05"))
# django-helpdesk 2.6.1 on gunicorn -w 2, PostgreSQL, same machine kind (speed.md): 50–165 req/s.
PEER_SUBMISSIONS_RPS = (50.0, 165.0)
SUGGEST_P50_TARGET_MS = 10.0
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'name="(started|visit)" value="([^"]*)"')
TYPED = (
    "attestation de prolongation d'instruction expirée",
    "je n'arrive pas à me connecter à mon compte ANEF",
    "mon titre de séjour est arrivé à expiration",
    "récépissé de demande de renouvellement",
    "changement d'adresse pendant l'instruction",
    "naturalisation décret convocation entretien",
    "mot de passe oublié France Connect",
    "rendez-vous préfecture remise du titre",
    "where is my residence permit application",
    "passeport talent carte pluriannuelle",
)
PREFIXES = [text[:n] for text in TYPED for n in range(4, len(text) + 1, 3)]
RELAXED = {
    "HELPDESK_INTAKE_RATE_LIMIT": "100000000",  # one client address sends everything
    "HELPDESK_INTAKE_MIN_FILL_SECONDS": "0",  # the form is posted right after it is read
}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_database(url: str) -> str:
    """Migrate, then write the demo chain, accounts and the wiki's seed articles; answers
    the API key of a partner declared for the load (scope contact:write)."""
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        _, key = create_client(
            session, name="Banc de charge", scopes=[CONTACT_WRITE], actor=Actor(label="bench")
        )
        session.commit()
    engine.dispose()
    return key


@contextmanager
def served(
    database_url: str, folder: Path
) -> Iterator[tuple[str, psutil.Process, Callable[[], None]]]:
    """`helpdesk serve --workers N` on a free port; yields its base URL, its process and a
    function waiting until its queued jobs are done."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")},
        "HELPDESK_ENV": "production",
        "HELPDESK_DATABASE_URL": database_url,
        "HELPDESK_SECRET_KEY": secrets.token_urlsafe(32),
        "HELPDESK_BASE_URL": base_url,
        "HELPDESK_MAIL_DIR": str(folder / "mail"),
        "HELPDESK_STORAGE_DIR": str(folder / "attachments"),
        "HELPDESK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **RELAXED,
    }
    command = [sys.executable, "-c", "from helpdesk.cli import main; main()", "serve"]
    command += ["--port", str(port), "--workers", str(WORKERS)]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base_url, server, folder / "server.log")
        settle = lambda: _wait_jobs_done(database_url, server, folder / "server.log")  # noqa: E731
        settle()
        yield base_url, psutil.Process(server.pid), settle
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_ready(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until every worker answers (a few requests each), or fail with the log's tail."""
    deadline = time.monotonic() + 60
    answered = 0
    while time.monotonic() < deadline and answered < 4 * WORKERS:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/contact", timeout=5).status_code == 200:
                answered += 1
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if answered < 4 * WORKERS:
        raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")


def _wait_jobs_done(
    database_url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 120.0
) -> None:
    """Wait until the server ran the jobs the seeding queued (73 wiki index refreshes), so
    that the measures see the steady state, not the start-up."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    pending = text("SELECT count(*) FROM outbox_message WHERE done_at IS NULL AND dead_at IS NULL")
    try:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
            with engine.connect() as connection:
                if not connection.execute(pending).scalar():
                    return
            time.sleep(0.5)
        print("  (the start-up jobs were still running when the measures began)")
    finally:
        engine.dispose()


def contact_values(state: ClientState, n: int) -> dict[str, str]:
    """A valid contact request, unique per client and send (no duplicate detection)."""
    index = state["index"]
    return {
        "last_name": "Traoré",
        "first_name": "Awa",
        "email": f"usager{index}@example.org",
        "phone": "06 12 34 56 78",
        "foreign_number": "7501234567",
        "dossier_number": "",
        "procedure": "etudiant",
        "reason": "attestation",
        "subject": "Attestation de prolongation expirée",
        "message": f"Bonjour, mon attestation a expiré ({index}-{n}-{time.time()}). Que faire ?",
        "language": "fr",
    }


async def read_form(client: httpx.AsyncClient, state: ClientState) -> None:
    """GET the form once: the CSRF cookie and token, the signed start stamp, the visit id."""
    page = (await client.get("/contact")).text
    match = CSRF.search(page)
    if not match:
        raise SystemExit("no CSRF token on /contact")
    state["csrf"] = match.group(1)
    state.update(HIDDEN.findall(page))


async def post_form(client: httpx.AsyncClient, state: ClientState, n: int) -> httpx.Response:
    """POST the contact form as a browser does (multipart, with an empty file field)."""
    data = {
        **contact_values(state, n),
        "privacy": "on",
        "started": state.get("started", ""),
        "visit": state.get("visit", ""),
        "_csrf_token": state["csrf"],
    }
    files = [("attachments", ("", b"", "application/octet-stream"))]
    return await client.post("/contact", data=data, files=files)


def form_ok(response: httpx.Response) -> bool:
    """The confirmation page with its reference."""
    return response.status_code == 200 and 'data-testid="reference"' in response.text


async def post_api(
    client: httpx.AsyncClient, state: ClientState, n: int, *, key: str
) -> httpx.Response:
    """POST /api/v1/contact in JSON, with the partner's API key."""
    body = {**contact_values(state, n), "privacy_acknowledged": True}
    headers = {"Authorization": f"Bearer {key}"}
    return await client.post("/api/v1/contact", json=body, headers=headers)


async def get_suggestions(client: httpx.AsyncClient, state: ClientState, n: int) -> httpx.Response:
    """What the form's script asks while the usager types: growing prefixes of real texts."""
    prefix = PREFIXES[(state["index"] * 17 + n) % len(PREFIXES)]
    return await client.get("/aide/suggestions", params={"q": prefix, "lang": "fr"})


def fragment_ok(response: httpx.Response) -> bool:
    """The suggestions fragment."""
    return response.status_code == 200 and 'data-testid="help-suggestions"' in response.text


def verdict(result: LoadResult) -> str:
    """How a submission throughput compares with twice the peer's."""
    low, high = (2 * rps for rps in PEER_SUBMISSIONS_RPS)
    if result.rps >= high:
        return f"ok: ≥ 2× the peer's best ({high:.0f})"
    if result.rps >= low:
        return f"≥ 2× the peer's lowest ({low:.0f}), < 2× its best ({high:.0f})"
    return f"MISSED: < 2× the peer's lowest ({low:.0f})"


def cpu_seconds(server: psutil.Process) -> float:
    """CPU time used so far by the server and its worker processes."""
    total = 0.0
    for process in (server, *server.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def measured(
    server: psutil.Process, settle: Callable[[], None], label: str, run: Callable[[], LoadResult]
) -> LoadResult:
    """Run one measure, then wait for the jobs it queued; print it with the server's CPU per
    request, those jobs included (other load on the machine disturbs it less than req/s)."""
    before = cpu_seconds(server)
    result = run()
    ended = time.monotonic()
    settle()
    drained = time.monotonic() - ended
    used = cpu_seconds(server) - before
    per_request = 1000 * used / max(1, result.requests + result.errors)
    print(result.line(label), f"· server CPU {per_request:.1f} ms/req", end=" ")
    if drained > 1:
        print(f"· jobs done {drained:.0f} s later", end=" ")
    return result


def bench(base_url: str, server: psutil.Process, settle: Callable[[], None], key: str) -> None:
    """The measures, one line each, with their targets."""
    options = {"base_url": base_url, "clients": CLIENTS, "seconds": SECONDS, "stagger": STAGGER}
    form = measured(
        server,
        settle,
        "contact form POST",
        lambda: run_load(post_form, prepare=read_form, ok=form_ok, **options),
    )
    print("·", verdict(form))
    api = measured(
        server,
        settle,
        "intake API POST (JSON)",
        lambda: run_load(
            functools.partial(post_api, key=key), ok=lambda r: r.status_code == 201, **options
        ),
    )
    print("·", verdict(api))
    for label, pace in (("closed loop", 0.0), ("typing: 1 per 400 ms", 0.4)):
        suggest = measured(
            server,
            settle,
            f"suggestions ({label})",
            lambda pace=pace: run_load(get_suggestions, pace=pace, ok=fragment_ok, **options),
        )
        ok = "ok" if suggest.p50 <= SUGGEST_P50_TARGET_MS else "MISSED"
        print(f"· p50 ≤ {SUGGEST_P50_TARGET_MS:.0f} ms: {ok}")


def main() -> None:
    """Measure on a fresh PostgreSQL database, or say why not."""
    configure_logging("WARNING")
    server = os.environ.get("HELPDESK_BENCH_DATABASE_URL")
    if not server:
        print("intake [postgresql]: not measured (set HELPDESK_BENCH_DATABASE_URL)")
        return
    relaxed = ", ".join(f"{k}={v}" for k, v in RELAXED.items())
    print(
        f"intake [postgresql, helpdesk serve --workers {WORKERS}, in-process jobs; "
        f"{CLIENTS} clients × {SECONDS:.0f} s each, connecting {STAGGER * 1000:.0f} ms apart; "
        f"relaxed for the load: {relaxed}]"
    )
    with fresh_postgres_database(server) as url:
        key = prepare_database(url)
        with (
            tempfile.TemporaryDirectory() as folder,
            served(url, Path(folder)) as (base, server, settle),
        ):
            bench(base, server, settle, key)


if __name__ == "__main__":
    main()
