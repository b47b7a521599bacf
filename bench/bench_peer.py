"""Side-by-side intake benchmark against django-helpdesk 2.6.1 (issue 13: at least 2×).

Run with `make bench-peer` (opt-in; PostgreSQL: HELPDESK_BENCH_DATABASE_URL). The peer runs
from its own virtualenv (var/peer/venv, built once from the package registry) on gunicorn
-w 2; ours on `helpdesk serve --workers 2` with in-process jobs; each on a fresh database
with 10,000 tickets. 8 concurrent clients for 10 s per measure, peer and ours alternated
over HELPDESK_BENCH_ROUNDS rounds (3), then the medians and the ratios ours/peer.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import statistics
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# This checkout first (an editable install of another checkout would win otherwise).
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]


from load import ClientState, LoadResult, run_load  # noqa: E402
from peer.peer_server import PeerUnavailable, ensure_venv, serve_peer  # noqa: E402

from support.servers import fresh_postgres_database, libpq_url  # noqa: E402

# A measure's client prepares once (cookies, a CSRF token) and keeps what it read.
Prepare = Callable[[httpx.AsyncClient], Awaitable[Any]]
Request = Callable[[httpx.AsyncClient, Any, int], Awaitable[httpx.Response]]

TICKETS = 10_000
SECONDS = float(os.environ.get("HELPDESK_BENCH_SECONDS", "10"))
CLIENTS = 8
SUGGEST_TARGET_MS = 10.0
GOAL = 2.0
MESSAGE = "Bonjour, je n'arrive pas à télécharger mon attestation de dépôt (envoi {n})."
_SENT = itertools.count(1)
PEER_AGENT = ("bench", "bench-password")  # made by peer_seed.py
OUR_AGENT = "conseiller@ccc.demo"
TICKET_IDS = {"peer": TICKETS // 2}  # ours: read from its database once seeded
QUERIES = ["attestation de dépôt", "rendez-vous préfecture", "mot de passe", "titre étudiant"]


def hidden(page: str, name: str) -> str:
    """The value of a hidden input of an HTML form."""
    found = re.search(rf'name="{re.escape(name)}"\s+value="([^"]*)"', page)
    if found is None:
        raise RuntimeError(f"no {name!r} field in the form")
    return found.group(1)


def unique() -> str:
    """A tag no other submission of this run has (ours de-duplicates same e-mail + message)."""
    return f"{os.getpid()}-{next(_SENT)}"


async def peer_prepare(client: httpx.AsyncClient) -> dict[str, str]:
    """GET django-helpdesk's public form: csrftoken cookie, csrfmiddlewaretoken, the queue."""
    page = (await client.get("/tickets/submit/")).raise_for_status().text
    queue = re.search(r'<option value="(\d+)">', page)
    token = hidden(page, "csrfmiddlewaretoken")
    return {"csrfmiddlewaretoken": token, "queue": queue.group(1) if queue else "1"}


async def peer_post(client: httpx.AsyncClient, state: dict[str, str], n: int) -> httpx.Response:
    """Submit the public form as a browser does (multipart, no file chosen); 302 on success."""
    tag = unique()
    data = {
        **state,
        "title": f"Attestation de dépôt introuvable {tag}",
        "body": MESSAGE.format(n=tag),
        "priority": "3",
        "due_date": "",
        "submitter_email": f"usager.{tag}@example.org",
    }
    files = {"attachment": ("", b"", "application/octet-stream")}
    response = await client.post("/tickets/submit/", data=data, files=files)
    return _expect(response, 302)


async def ours_prepare(client: httpx.AsyncClient) -> dict[str, str]:
    """GET our contact form: CSRF cookie and `_csrf_token`, the signed start and the visit."""
    page = (await client.get("/contact")).raise_for_status().text
    return {name: hidden(page, name) for name in ("_csrf_token", "started", "visit")}


def contact_fields(tag: str) -> dict[str, str]:
    """The fields of a valid contact request, unique by tag."""
    return {
        "last_name": "Martin",
        "first_name": "Aïcha",
        "email": f"usager.{tag}@example.org",
        "procedure": "etudiant",
        "reason": "attestation",
        "subject": f"Attestation de dépôt introuvable {tag}",
        "message": MESSAGE.format(n=tag),
    }


async def ours_post(client: httpx.AsyncClient, state: dict[str, str], n: int) -> httpx.Response:
    """Submit our contact form as a browser does (multipart, no file, honeypot empty)."""
    data = {**state, **contact_fields(unique()), "privacy": "on", "website": ""}
    files = {"attachments": ("", b"", "application/octet-stream")}
    return _expect(await client.post("/contact", data=data, files=files), 200)


async def ours_prepare_close(client: httpx.AsyncClient) -> dict[str, str]:
    """As ours_prepare, but every request on a new connection (as the peer's sync workers do)."""
    client.headers["Connection"] = "close"
    return await ours_prepare(client)


async def no_prepare(client: httpx.AsyncClient) -> None:
    """Nothing to prepare (the API needs no cookie nor token)."""


async def close_prepare(client: httpx.AsyncClient) -> None:
    """Nothing to prepare but `Connection: close` on every request."""
    client.headers["Connection"] = "close"


async def api_prepare(client: httpx.AsyncClient) -> None:
    """The partner's API key on every request (registered when our database was seeded)."""
    from peer.ours_server import BENCH_API_KEY

    client.headers["Authorization"] = f"Bearer {BENCH_API_KEY}"


async def ours_api(client: httpx.AsyncClient, state: None, n: int) -> httpx.Response:
    """POST /api/v1/contact in JSON; 201 on success."""
    body = {**contact_fields(unique()), "privacy_acknowledged": True}
    return _expect(await client.post("/api/v1/contact", json=body), 201)


async def ours_suggest(client: httpx.AsyncClient, state: None, n: int) -> httpx.Response:
    """GET the suggestions fragment the contact form asks for while the usager types."""
    query = QUERIES[n % len(QUERIES)]
    return _expect(await client.get("/aide/suggestions", params={"q": query}), 200)


async def ours_health(client: httpx.AsyncClient, state: None, n: int) -> httpx.Response:
    """GET /healthz: no work at all, so its latency is the transport's."""
    return await client.get("/healthz")


async def peer_sign_in(client: httpx.AsyncClient) -> None:
    """Sign in to django-helpdesk as the seeded staff account (its session cookie)."""
    page = (await client.get("/login/")).raise_for_status().text
    data = {"csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"), "next": "/"}
    data.update(username=PEER_AGENT[0], password=PEER_AGENT[1])
    if (await client.post("/login/", data=data)).status_code != 302:
        raise RuntimeError("the peer refused the sign-in of its seeded agent")


async def peer_ticket(client: httpx.AsyncClient, state: None, n: int) -> httpx.Response:
    """The peer's staff ticket page (a ticket with two follow-ups)."""
    return _expect(await client.get(f"/tickets/{TICKET_IDS['peer']}/"), 200)


async def ours_sign_in(client: httpx.AsyncClient) -> None:
    """Sign in to ours as the demo téléconseiller (its session cookie)."""
    from helpdesk.seed import DEMO_PASSWORD

    page = (await client.get("/connexion")).raise_for_status().text
    data = {"_csrf_token": hidden(page, "_csrf_token"), "email": OUR_AGENT}
    data["password"] = DEMO_PASSWORD
    if (await client.post("/connexion", data=data)).status_code != 303:
        raise RuntimeError("ours refused the sign-in of the demo téléconseiller")


async def ours_ticket(client: httpx.AsyncClient, state: None, n: int) -> httpx.Response:
    """Our agent ticket page (a ticket that went up the chain and came back)."""
    return _expect(await client.get(f"/tickets/{TICKET_IDS['ours']}"), 200)


def our_ticket_id(url: str) -> int:
    """A ticket the téléconseiller may read that went up and came back down (as bench_scale)."""
    query = "SELECT MIN(ticket_id) FROM ticket_event WHERE kind = 'return' AND to_value = 'ccc'"
    with psycopg.connect(libpq_url(url)) as connection:
        row = connection.execute(query).fetchone()
    return int(row[0]) if row and row[0] else 1


def _expect(response: httpx.Response, status: int) -> httpx.Response:
    """Turn an unexpected success code (a 200 instead of 302, say) into a reported error."""
    if response.status_code != status and response.status_code < 400:
        response.status_code = 599
    return response


@dataclass(frozen=True)
class Measure:
    """One line of the table: whose server, what is loaded, with how many clients."""

    label: str
    side: str  # "peer" or "ours"
    prepare: Prepare
    request: Request
    clients: int = CLIENTS
    seconds: float = SECONDS


MEASURES = [
    Measure("peer: public form POST", "peer", peer_prepare, peer_post),
    Measure("ours: contact form POST", "ours", ours_prepare, ours_post),
    Measure("ours: API POST (JSON)", "ours", api_prepare, ours_api),
    Measure("ours: suggestions, 8 clients", "ours", no_prepare, ours_suggest),
    Measure("ours: suggestions, 1 client", "ours", no_prepare, ours_suggest, 1, SECONDS / 2),
    Measure("peer: ticket page (staff)", "peer", peer_sign_in, peer_ticket),
    Measure("ours: ticket page (agent)", "ours", ours_sign_in, ours_ticket),
    # Diagnostics (not the goal): each request on a new connection, as the peer's gunicorn
    # sync workers answer anyway; shows what the keep-alive delayed-ACK wait costs ours.
    Measure("ours: form POST, no keep-alive", "ours", ours_prepare_close, ours_post),
    Measure("ours: suggest, 1 client, no keep-alive", "ours", close_prepare, ours_suggest, 1, 5.0),
]


def measure(item: Measure, urls: dict[str, str], seconds: float | None = None) -> LoadResult:
    """Run one measure and print its line and its errors."""

    async def prepare(client: httpx.AsyncClient, state: ClientState) -> None:
        state["prepared"] = await item.prepare(client)

    def request(client: httpx.AsyncClient, state: ClientState, n: int) -> Awaitable[httpx.Response]:
        return item.request(client, state["prepared"], n)

    result = run_load(
        request,
        base_url=urls[item.side],
        prepare=prepare,
        clients=item.clients,
        seconds=seconds or item.seconds,
        stagger=0.05,  # a burst of connections would all land on one worker, on both sides
    )
    print(result.line(item.label[:40]), flush=True)
    return result


def report(results: dict[str, list[LoadResult]]) -> None:
    """The medians over the rounds, the ratios against the peer and the targets."""
    median: Callable[[list[float]], float] = statistics.median
    rates = {label: median([r.rps for r in rs]) for label, rs in results.items()}
    p50s = {label: median([r.p50 for r in rs]) for label, rs in results.items()}
    errors = {label: sum(r.errors for r in rs) for label, rs in results.items()}
    print(f"\nmedians over {len(next(iter(results.values())))} round(s):")
    for label in results:
        p50 = f"p50 {p50s[label]:6.1f} ms"
        print(f"  {label:<38} {rates[label]:7.1f} req/s  {p50}  ({errors[label]} errors)")
    peer = rates[MEASURES[0].label]
    for item in MEASURES[1:3]:
        ratio = rates[item.label] / peer if peer else float("nan")
        verdict = "met" if ratio >= GOAL else "MISSED"
        print(f"  ratio {item.label} / peer form: {ratio:.2f} (goal ≥ {GOAL}: {verdict})")
    for item in (MEASURES[4], MEASURES[8]):
        alone = p50s[item.label]
        verdict = "met" if alone <= SUGGEST_TARGET_MS else "MISSED"
        target = f"target ≤ {SUGGEST_TARGET_MS} ms: {verdict}"
        print(f"  p50 {item.label}: {alone:.1f} ms ({target})")
    pages = rates[MEASURES[5].label]
    ratio = rates[MEASURES[6].label] / pages if pages else float("nan")
    print(f"  ratio {MEASURES[6].label} / peer's: {ratio:.2f}")
    ratio = rates[MEASURES[7].label] / peer if peer else float("nan")
    print(f"  diagnostic: {MEASURES[7].label} / peer form: {ratio:.2f}")


def run_rounds(urls: dict[str, str], rounds: int) -> None:
    """A short warm-up of each measure, then the rounds, peer and ours alternated."""
    print("warm-up (not counted):")
    for item in MEASURES:
        measure(item, urls, seconds=2.0)
    results: dict[str, list[LoadResult]] = {item.label: [] for item in MEASURES}
    for number in range(1, rounds + 1):
        print(f"round {number}/{rounds}:")
        for item in MEASURES:
            results[item.label].append(measure(item, urls))
    report(results)
    transport_check(urls)


def transport_check(urls: dict[str, str]) -> None:
    """One client on /healthz over keep-alive: flags the ~40 ms delayed-ACK wait if present."""
    print("\ntransport check (not part of the goal):")
    health = Measure("ours: /healthz, 1 client", "ours", no_prepare, ours_health, 1, 2.0)
    p50 = measure(health, urls).p50
    if p50 > 30:
        print(
            "  keep-alive responses wait for the client's delayed ACK (~40 ms): uvicorn's\n"
            "  --workers N listener leaves TCP_NODELAY off (Kludex/uvicorn#3149); this caps\n"
            "  each client of ours at about 20 requests per second."
        )


def commit_mode(urls: list[str]) -> None:
    """HELPDESK_BENCH_SYNCHRONOUS_COMMIT=off: both databases commit without waiting for the
    disk (a shared disk's fsync otherwise dominates the peer's autocommit writes)."""
    mode = os.environ.get("HELPDESK_BENCH_SYNCHRONOUS_COMMIT", "")
    if mode not in {"on", "off"}:
        print("databases: the server's synchronous_commit (HELPDESK_BENCH_SYNCHRONOUS_COMMIT)")
        return
    for url in urls:
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            name = make_url(url).database
            connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = {mode}')
    print(f"databases: synchronous_commit = {mode} on both (HELPDESK_BENCH_SYNCHRONOUS_COMMIT)")


def _interrupt(signum: int, _frame: FrameType | None) -> Any:
    """SIGTERM as Ctrl-C: unwind, stop the servers and drop the databases."""
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    """Build the peer if needed, serve both sides on fresh databases, measure, clean up."""
    server = os.environ.get("HELPDESK_BENCH_DATABASE_URL")
    if not server:
        print("peer [postgresql]: not measured (set HELPDESK_BENCH_DATABASE_URL)")
        return 0
    rounds = int(os.environ.get("HELPDESK_BENCH_ROUNDS", "3"))
    try:
        bin_dir = ensure_venv()
    except (PeerUnavailable, OSError) as error:
        print(f"peer: not measured (its virtualenv could not be built: {error})")
        return 0
    from peer.ours_server import serve_ours  # our application, imported only when measured

    signal.signal(signal.SIGTERM, _interrupt)
    print(f"machine: {os.cpu_count()} CPU(s), shared: expect noise of ±30–50 % on ratios")
    try:
        with ExitStack() as stack:
            peer_db = stack.enter_context(fresh_postgres_database(server))
            ours_db = stack.enter_context(fresh_postgres_database(server))
            commit_mode([peer_db, ours_db])
            urls = {
                "peer": stack.enter_context(
                    serve_peer(bin_dir, libpq_url(peer_db), tickets=TICKETS)
                ),
                "ours": stack.enter_context(serve_ours(ours_db, tickets=TICKETS)),
            }
            TICKET_IDS["ours"] = our_ticket_id(ours_db)
            try:
                run_rounds(urls, rounds)
            except KeyboardInterrupt:
                print("\ninterrupted: stopping the servers, dropping the databases…", flush=True)
                raise
    except KeyboardInterrupt:
        print("interrupted: servers stopped, databases dropped")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
