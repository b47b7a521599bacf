"""`helpdesk api-client`: declare, list, rotate and revoke machine clients from a shell."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlmodel import Session

from helpdesk.api_clients.scopes import SCOPES
from helpdesk.audit.service import Actor
from helpdesk.config import Settings

CLI_ACTOR = Actor(label="Ligne de commande (helpdesk api-client)")


def _session() -> Session:
    """A session on the configured database."""
    from helpdesk.db import make_engine

    return Session(make_engine(Settings().database_url), expire_on_commit=False)


def _client_id(session: Session, name: str) -> int:
    """The id of the client with this name; a usage error when there is none."""
    from helpdesk.api_clients.service import client_named

    client = client_named(session, name)
    if client is None or client.id is None:
        raise click.ClickException(f"Aucun client d'API ne s'appelle « {name} ».")
    return client.id


@click.group("api-client")
def api_client() -> None:
    """Machine clients of the API (partner forms, the dossier service...)."""


@api_client.command("create")
@click.option("--name", required=True, help="The partner system's name (3 to 100 characters).")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)))
@click.option(
    "--key",
    envvar="HELPDESK_API_CLIENT_KEY",
    default=None,
    help="Register this key instead of generating one (read it from the environment).",
)
@click.option("--if-missing", is_flag=True, help="Do nothing when a client has this name.")
def create(name: str, scopes: tuple[str, ...], key: str | None, if_missing: bool) -> None:
    """Declare a client and print its key, once (only its hash is stored)."""
    from helpdesk.api_clients.service import client_named, create_client
    from helpdesk.errors import DomainError

    with _session() as session:
        if if_missing and client_named(session, name) is not None:
            click.echo(f"Le client d'API « {name} » existe déjà : rien n'a changé.")
            return
        try:
            client, new_key = create_client(
                session, name=name, scopes=scopes, actor=CLI_ACTOR, key=key
            )
            session.commit()
        except DomainError as error:
            details = "; ".join(error.field_errors.values())
            raise click.ClickException(f"{error.message} {details}".strip()) from error
    click.echo(f"Client d'API « {client.name} » créé ({', '.join(client.scopes)}).")
    if key is None:
        click.echo("Clé (affichée une seule fois, à conserver maintenant) :")
        click.echo(new_key)


@api_client.command("list")
def list_command() -> None:
    """List the clients, their scopes and their keys' prefixes (never the keys)."""
    from helpdesk.api_clients.service import list_clients
    from helpdesk.db import utcnow

    now = utcnow()
    with _session() as session:
        views = list_clients(session)
    if not views:
        click.echo("Aucun client d'API.")
    for view in views:
        state = "révoqué" if view.client.revoked_at else "actif"
        prefixes = ", ".join(f"anef_{s.prefix}_…" for s in view.live_secrets(now)) or "aucune"
        scopes = ", ".join(view.client.scopes)
        click.echo(f"{view.client.name} [{state}] {scopes} ; clés valides : {prefixes}")


@api_client.command("rotate")
@click.option("--name", required=True)
@click.option(
    "--overlap-days",
    type=click.IntRange(0, 90),
    default=None,
    help="Days the previous keys keep working (default HELPDESK_API_KEY_OVERLAP_DAYS).",
)
def rotate(name: str, overlap_days: int | None) -> None:
    """Give a client a new key (printed once); its previous keys work during the overlap."""
    from helpdesk.api_clients.service import rotate_client
    from helpdesk.errors import DomainError

    days = Settings().api_key_overlap_days if overlap_days is None else overlap_days
    with _session() as session:
        try:
            client, key, until = rotate_client(
                session,
                client_id=_client_id(session, name),
                overlap=timedelta(days=days),
                actor=CLI_ACTOR,
            )
            session.commit()
        except DomainError as error:
            raise click.ClickException(error.message) from error
    when = f"{until:%Y-%m-%d %H:%M} UTC"
    click.echo(f"Nouvelle clé de « {client.name} » ; les précédentes valent jusqu'au {when}.")
    click.echo(key)


@api_client.command("revoke")
@click.option("--name", required=True)
def revoke(name: str) -> None:
    """Revoke a client: all its keys are refused from now on."""
    from helpdesk.api_clients.service import revoke_client
    from helpdesk.errors import DomainError

    with _session() as session:
        try:
            revoke_client(session, client_id=_client_id(session, name), actor=CLI_ACTOR)
            session.commit()
        except DomainError as error:
            raise click.ClickException(error.message) from error
    click.echo(f"Client d'API « {name} » révoqué.")
