"""The worker entry point loads every table and every job in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import helpdesk.tasks as tasks
from sqlmodel import SQLModel
assert {"ticket", "outgoing_mail", "agent"} <= set(SQLModel.metadata.tables), "tables missing"
print(sorted(tasks.broker.get_declared_actors()))
"""


def test_dramatiq_entry_point_declares_the_jobs_with_every_table(tmp_path: Path):
    env = {**os.environ, "HELPDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    env.pop("HELPDESK_REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "notifications.send_mail" in result.stdout
    assert "maintenance.purge_expired" in result.stdout
