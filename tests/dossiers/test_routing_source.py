"""The routing job reads the dossier status from its runtime's source (no shared module state)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dossiers.http_source import HttpDossierSource
from helpdesk.auth.models import Role
from helpdesk.jobs.registry import JOBS
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.ticket_routing import rules_store
from helpdesk.ticket_routing.service import ROUTING_JOB
from helpdesk.tickets.models import Ticket

from conftest import make_settings
from factories import make_agent, make_ticket
from support.dossier_service import demo


def routed_priority(runtime: JobRuntime, engine: Engine, number: str) -> str:
    """Open a ticket on this dossier, run the routing job through the runtime: its priority."""
    with Session(engine, expire_on_commit=False) as session:
        ticket = make_ticket(session, dossier_number=number)
        session.commit()
    runtime.execute(JOBS[ROUTING_JOB], None, {"ticket_id": ticket.id, "trigger": "created"})
    with Session(engine) as session:
        routed = session.get(Ticket, ticket.id)
        assert routed is not None
        return routed.priority


def test_the_routing_job_reads_the_status_from_the_source_it_is_given(
    sqlite_engine: Engine, tmp_path: Path, source: HttpDossierSource
):
    number = demo("titre_en_fabrication").number
    with Session(sqlite_engine) as session:
        admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=("dp-anef",))
        rule = rules_store.save_rule(
            session,
            rule_id=None,
            name="Titre en fabrication en priorité",
            conditions="dossier = titre_en_fabrication",
            actions="priorité = haute",
            match_all=True,
            stop=False,
            enabled=True,
            actor=admin,
        )
        for _ in range(6):
            rules_store.move_rule(session, rule_id=rule.id, direction=-1)
        session.commit()

    unconfigured = JobRuntime(make_settings(tmp_path), sqlite_engine)
    try:
        assert routed_priority(unconfigured, sqlite_engine, number) == "normal"  # unknown status
    finally:
        unconfigured.stop()

    wired = JobRuntime(make_settings(tmp_path), sqlite_engine, dossier_source=source)
    try:
        assert routed_priority(wired, sqlite_engine, number) == "high"
    finally:
        wired.stop()
    assert source.get(number) is not None  # the runtime leaves the source to its owner
