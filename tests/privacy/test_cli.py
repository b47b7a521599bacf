"""`helpdesk retention run` applies the policy now and says what it removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from helpdesk.audit.models import AuditEvent
from helpdesk.cli import main
from helpdesk.db import make_engine, utcnow
from helpdesk.migrate import migrate
from helpdesk.privacy.models import RetentionRun


def test_the_command_purges_and_records_its_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("HELPDESK_STORAGE_DIR", str(tmp_path / "files"))
    engine = make_engine(url)
    migrate(engine)
    with Session(engine) as session:
        session.add(AuditEvent(kind="sign_in", at=utcnow() - timedelta(days=500)))
        session.commit()
    result = CliRunner().invoke(main, ["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "audit_events : 1" in result.output
    again = CliRunner().invoke(main, ["retention", "run"])
    assert "Rien à supprimer." in again.output
    with Session(engine) as session:
        assert len(session.exec(select(RetentionRun)).all()) == 2
        assert session.exec(select(AuditEvent).where(AuditEvent.kind == "sign_in")).all() == []
