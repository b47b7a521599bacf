"""The `helpdesk` command: serve, worker, clock, doctor, migrate, seed-demo, seed-volume,
create-agent, api-client, kb."""

from __future__ import annotations

import contextlib
import pathlib
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
        http="helpdesk.web.server:NoDelayHttpProtocol",
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
def doctor() -> None:
    """Check the database, the broker and the job queue, with advice; exit 1 if not ready."""
    from helpdesk.db import make_engine
    from helpdesk.doctor import findings, render
    from helpdesk.jobs.runtime import JobRuntime
    from helpdesk.jobs.status import system_status

    settings = Settings()
    runtime = JobRuntime(settings, make_engine(settings.database_url))
    try:
        status = system_status(runtime)
    finally:
        runtime.stop()
    found = findings(status, settings)
    click.echo(render(found))
    sys.exit(0 if status.ready else 1)


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


@main.command("seed-volume")
@click.option("--tickets", required=True, type=click.IntRange(min=1), help="How many to write.")
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same tickets.")
def seed_volume(tickets: int, seed: int) -> None:
    """Write many tickets with a two-year history, fast (benchmarks, pilotage)."""
    from helpdesk.db import make_engine
    from helpdesk.volume import VolumeReport
    from helpdesk.volume import seed_volume as run_volume

    def progress(report: VolumeReport) -> None:
        click.echo(f"  {report.tickets}/{tickets} tickets…", err=True)

    engine = make_engine(Settings().database_url)
    report = run_volume(engine, tickets=tickets, seed=seed, progress=progress)
    click.echo(f"Volume écrit : {report.summary()}")


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


def _mount_api_client_commands() -> None:
    """Add `helpdesk api-client` (create, list, rotate, revoke)."""
    from helpdesk.api_clients.cli import api_client

    main.add_command(api_client)


_mount_api_client_commands()


def _mount_retention_commands() -> None:
    """Add `helpdesk retention run`."""
    from helpdesk.privacy.cli import retention

    main.add_command(retention)


_mount_retention_commands()


@main.group()
def kb() -> None:
    """Knowledge base: suggestions, import and export."""


@kb.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=pathlib.Path))
@click.option("--owner", default=None, help="Organisation code owning new articles (dp-anef).")
def kb_import(directory: pathlib.Path, owner: str | None) -> None:
    """Import Markdown articles by slug: new ones are created, changed ones get a revision."""
    import helpdesk.job_modules  # noqa: F401
    from helpdesk.db import make_engine
    from helpdesk.errors import DomainError
    from helpdesk.kb.transfer import import_directory

    with Session(make_engine(Settings().database_url)) as session:
        try:
            report = import_directory(session, directory=directory, owner_code=owner)
            session.commit()
        except DomainError as error:
            raise click.ClickException(error.message) from error
    click.echo(f"Base de connaissances importée : {report.summary()}")


@kb.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=pathlib.Path))
def kb_export(directory: pathlib.Path) -> None:
    """Write every article as a Markdown file with front matter (the import format)."""
    from helpdesk.db import make_engine
    from helpdesk.kb.transfer import export_directory

    with Session(make_engine(Settings().database_url)) as session:
        count = export_directory(session, directory=directory)
    click.echo(f"{count} article(s) exporté(s) dans {directory}.")


def _mount_kb_commands() -> None:
    """Add the knowledge base commands that live in knowledge_base/."""
    try:
        from knowledge_base.cli import suggest_command
    except ImportError:  # the engine is not installed in this checkout yet
        return
    kb.add_command(suggest_command, "suggest")


_mount_kb_commands()


@main.group("dossiers-reference")
def dossiers_reference() -> None:
    """The reference dossier service (demonstrations and tests)."""


@dossiers_reference.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--database",
    envvar="DOSSIERS_REFERENCE_DB",
    default="var/dossiers-reference.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    help="Its own SQLite file (demo dossiers are added when it is empty).",
)
@click.option(
    "--webhook-url",
    envvar="DOSSIERS_REFERENCE_WEBHOOK_URL",
    default=None,
    help="The helpdesk's POST /api/v1/dossier-events address.",
)
@click.option(
    "--secret",
    envvar=["DOSSIERS_REFERENCE_SECRET", "HELPDESK_DOSSIER_EVENTS_SECRET"],
    default=None,
    help="Shared secret signing the events (HMAC-SHA256).",
)
@click.option(
    "--token",
    envvar=["DOSSIERS_REFERENCE_TOKEN", "HELPDESK_DOSSIERS_TOKEN"],
    default=None,
    help="The bearer token callers must send (the helpdesk's HELPDESK_DOSSIERS_TOKEN).",
)
@click.option(
    "--webhook-key",
    envvar="DOSSIERS_REFERENCE_WEBHOOK_KEY",
    default=None,
    help="The helpdesk's API key (scope dossier-events:write) sent with each event.",
)
def dossiers_reference_serve(
    host: str,
    port: int,
    database: pathlib.Path,
    webhook_url: str | None,
    secret: str | None,
    token: str | None,
    webhook_key: str | None,
) -> None:
    """Serve the reference dossier service on its own port and database."""
    import uvicorn

    from dossiers.reference.app import ReferenceConfig, create_reference_app
    from helpdesk.logging import configure_logging

    if not token:
        raise click.ClickException(
            "Le service de dossiers exige un jeton : définissez DOSSIERS_REFERENCE_TOKEN "
            "(la même valeur que HELPDESK_DOSSIERS_TOKEN côté assistance)."
        )
    if webhook_url and not (secret and webhook_key):
        click.echo(
            "Attention : sans --secret et --webhook-key, les événements ne sont pas envoyés.",
            err=True,
        )
    config = ReferenceConfig(
        database=database,
        webhook_url=webhook_url,
        secret=secret,
        token=token,
        webhook_key=webhook_key,
    )
    click.echo(f"Service de dossiers de référence : http://{host}:{port}/api/v1/schema")
    configure_logging("INFO")  # JSON lines, identifiers masked, as the helpdesk writes them
    uvicorn.run(create_reference_app(config), host=host, port=port, access_log=False)
