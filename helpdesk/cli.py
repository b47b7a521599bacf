"""The `helpdesk` command: serve, worker, clock, migrate, seed-demo, create-agent, kb."""

from __future__ import annotations

import contextlib
import sys
import threading

import click
from sqlmodel import Session

from helpdesk.config import Settings


@click.group()
def main() -> None:
    """Assistance ANEF: the helpdesk of the ANEF support chain."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application (with in-process jobs when no Redis is configured)."""
    import uvicorn

    uvicorn.run(
        "helpdesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


@main.command()
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=int)
def worker(threads: int, processes: int) -> None:
    """Run the dramatiq worker (same as `dramatiq helpdesk.tasks`)."""
    from dramatiq.cli import main as dramatiq_main

    sys.argv = [
        "dramatiq",
        "helpdesk.tasks",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    sys.exit(dramatiq_main())


@main.command()
def clock() -> None:
    """Run the periodic scheduler: outbox sweep and periodic jobs."""
    from helpdesk.clock import run_clock
    from helpdesk.tasks import runtime

    settings = Settings()
    click.echo(f"Horloge démarrée (toutes les {settings.outbox_sweep_seconds} s).")
    with contextlib.suppress(KeyboardInterrupt):
        run_clock(runtime, threading.Event(), interval=settings.outbox_sweep_seconds)


@main.command()
def migrate() -> None:
    """Apply the database migrations and the reference data of the chain."""
    from helpdesk.db import make_engine
    from helpdesk.migrate import migrate as run_migrations

    settings = Settings()
    run_migrations(make_engine(settings.database_url))
    click.echo("Base de données à jour.")


@main.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no agent yet.")
def seed_demo(if_empty: bool) -> None:
    """Create demo sites, one agent per role and demo tickets; prints the accounts."""
    import helpdesk.job_modules  # noqa: F401
    from helpdesk.db import make_engine
    from helpdesk.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, is_empty
    from helpdesk.seed import seed_demo as run_seed

    settings = Settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        if not if_empty or is_empty(session):
            run_seed(session)
            session.commit()
    click.echo("\nComptes de démonstration (mot de passe commun : " + DEMO_PASSWORD + ")")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.value:<11} {account.email:<30} {account.full_name}")
    click.echo("")


@main.command("create-agent")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role",
    type=click.Choice(["agent", "supervisor", "editor", "referent", "admin"]),
    required=True,
)
@click.option("--organisation", required=True, help="Code: ccc, dp-anef, sdst, sdanf or a site.")
@click.option("--site", default=None, help="Site code for a référent.")
@click.password_option()
def create_agent(
    email: str, full_name: str, role: str, organisation: str, site: str | None, password: str
) -> None:
    """Create an agent account."""
    from helpdesk.auth.models import Role
    from helpdesk.auth.service import create_agent as run_create
    from helpdesk.db import make_engine
    from helpdesk.errors import DomainError

    settings = Settings()
    with Session(make_engine(settings.database_url)) as session:
        try:
            agent = run_create(
                session,
                email=email,
                full_name=full_name,
                password=password,
                role=Role(role),
                organisation_code=organisation,
                site_code=site,
            )
            session.commit()
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Agent créé : {agent.email} ({agent.role}).")


@main.group()
def kb() -> None:
    """Knowledge base: suggestions, import and export."""


def _mount_kb_commands() -> None:
    """Add the knowledge base commands that live in knowledge_base/."""
    try:
        from knowledge_base.cli import suggest_command
    except ImportError:  # the engine is not installed in this checkout yet
        return
    kb.add_command(suggest_command, "suggest")


_mount_kb_commands()
