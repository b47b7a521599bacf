"""The peer: django-helpdesk 2.6.1 in its own cached virtualenv, seeded, on gunicorn -w 2."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from peer.processes import LOOPBACK, free_port, server_process

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "djangoproject"
VAR = ROOT / "var" / "peer"
VENV = VAR / "venv"
REQUIREMENTS = [
    "django-helpdesk==2.6.1",
    "Django>=5.2,<5.3",
    "gunicorn==27.0.1",
    "psycopg[binary]>=3.2,<4",
]
MARKER = VENV / ".bench-peer-installed"


class PeerUnavailable(RuntimeError):
    """The peer's virtualenv could not be built (no package registry, for instance)."""


def ensure_venv() -> Path:
    """Build var/peer/venv once (reused while the requirements stay the same); its bin dir."""
    wanted = "\n".join(REQUIREMENTS)
    if MARKER.exists() and MARKER.read_text() == wanted:
        return VENV / "bin"
    print(f"peer: building its virtualenv in {VENV} ({', '.join(REQUIREMENTS)})…", flush=True)
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [
        [base, "-m", "venv", "--clear", str(VENV)],
        [str(VENV / "bin" / "pip"), "install", "--quiet", "--no-input", *REQUIREMENTS],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise PeerUnavailable(f"`{' '.join(step[:3])} …` failed:\n{done.stderr[-1500:]}")
    MARKER.write_text(wanted)
    return VENV / "bin"


def peer_env(database_url: str) -> dict[str, str]:
    """The peer's environment: its Django project on the path, its database, nothing of ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HELPDESK_", "PYTHON", "VIRTUAL_ENV", "DJANGO_"))
    }
    env.update(
        PYTHONPATH=str(PROJECT),
        DJANGO_SETTINGS_MODULE="peer_settings",
        PEER_DATABASE_URL=database_url,
        PEER_MEDIA_ROOT=str(VAR / "media"),
    )
    return env


def seed_peer(bin_dir: Path, env: dict[str, str], tickets: int) -> None:
    """Migrate the peer's database and write its queue, tickets and follow-ups."""
    done = subprocess.run(
        [str(bin_dir / "python"), str(PROJECT / "peer_seed.py"), str(tickets)],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"peer seed failed:\n{done.stderr[-2000:]}")
    print(done.stdout.strip(), flush=True)


@contextlib.contextmanager
def serve_peer(bin_dir: Path, database_url: str, *, tickets: int) -> Iterator[str]:
    """Seed the peer's database (libpq URL) and serve it with gunicorn -w 2; yield its URL."""
    env = peer_env(database_url)
    seed_peer(bin_dir, env, tickets)
    port = free_port()
    command = [
        str(bin_dir / "gunicorn"),
        "--workers=2",
        f"--bind={LOOPBACK}:{port}",
        f"--chdir={PROJECT}",
        "--no-control-socket",
        "peer_wsgi:application",
    ]
    base_url = f"http://{LOOPBACK}:{port}"
    log = VAR / "logs" / "gunicorn.log"
    with server_process(
        command, env=env, cwd=PROJECT, log=log, ready_url=f"{base_url}/tickets/submit/"
    ):
        print(f"peer: django-helpdesk 2.6.1 on gunicorn -w 2 at {base_url} (log {log})")
        yield base_url
