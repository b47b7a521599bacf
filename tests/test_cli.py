"""The `helpdesk` command on a throwaway SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, func, select

from helpdesk.auth.models import Agent
from helpdesk.cli import main
from helpdesk.db import make_engine
from helpdesk.tickets.models import Ticket


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HELPDESK_DATABASE_URL", url)
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("HELPDESK_MAIL_DIR", str(tmp_path / "mail"))
    return url


def count(url: str, model: type) -> int:
    with Session(make_engine(url)) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_migrate_then_seed_demo_is_idempotent_and_prints_the_accounts(cli_env: str):
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0
    first = runner.invoke(main, ["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "conseiller@ccc.demo" in first.output and "admin@dp-anef.demo" in first.output
    agents, tickets = count(cli_env, Agent), count(cli_env, Ticket)
    assert agents == 10 and tickets >= 5
    again = runner.invoke(main, ["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert (count(cli_env, Agent), count(cli_env, Ticket)) == (agents, tickets)


def test_create_agent_checks_its_input(cli_env: str):
    runner = CliRunner()
    runner.invoke(main, ["migrate"])
    args = ["create-agent", "--email", "Nouvel.Agent@ccc.test", "--name", "Nouvel Agent"]
    args += ["--role", "agent", "--organisation", "ccc"]
    short = runner.invoke(main, args, input="court\ncourt\n")
    assert short.exit_code != 0 and "au moins 12 caractères" in short.output
    unknown = runner.invoke(
        main, [*args[:-1], "inconnue"], input="mot-de-passe-solide\nmot-de-passe-solide\n"
    )
    assert unknown.exit_code != 0 and "n'existe pas" in unknown.output
    created = runner.invoke(main, args, input="mot-de-passe-solide\nmot-de-passe-solide\n")
    assert created.exit_code == 0, created.output
    with Session(make_engine(cli_env)) as session:
        agent = session.exec(select(Agent).where(Agent.email == "nouvel.agent@ccc.test")).one()
        assert agent.password_hash.startswith("$argon2id$")


def test_production_refuses_to_start_without_a_secret(monkeypatch: pytest.MonkeyPatch):
    from helpdesk.config import ConfigurationError, Settings

    monkeypatch.delenv("HELPDESK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="HELPDESK_SECRET_KEY"):
        Settings(env="production")
