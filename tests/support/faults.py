"""Faults to inject: real worker processes to kill, a Redis that never answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpdesk.config import Settings

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`dramatiq helpdesk.tasks` in a process group of its own, as production runs it."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        env = {
            **os.environ,
            "HELPDESK_ENV": "test",
            "HELPDESK_SECRET_KEY": "test-secret-key-not-for-production",
            "HELPDESK_DATABASE_URL": database_url,
            "HELPDESK_REDIS_URL": settings.redis_url or "",
            "HELPDESK_REDIS_NAMESPACE": settings.redis_namespace,
            "HELPDESK_SMTP_HOST": settings.smtp_host or "",
            "HELPDESK_SMTP_PORT": str(settings.smtp_port),
            "HELPDESK_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "dramatiq", "helpdesk.tasks"]
        self.process = subprocess.Popen(
            [*command, "--processes", "1", "--threads", "1"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """SIGKILL the whole group: nothing of the worker gets to clean up."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """End a worker still running at the end of a test."""
        if self.process.poll() is None:
            self.kill()


@contextmanager
def frozen_redis() -> Iterator[str]:
    """A server that accepts connections and never answers (a frozen Redis)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in accepted:
            connection.close()
        listener.close()
