"""Builders of the référent tests: sites, référents, signalements, and running their jobs."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Organisation, OrganisationKind, Role
from helpdesk.intake.uploads import CleanFile, clean_upload
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS, JobContext
from helpdesk.referents.models import ReportKind, Severity
from helpdesk.referents.schemas import ReportForm
from helpdesk.referents.service import file_report
from helpdesk.tickets.models import Ticket

from factories import make_agent


def site(session: Session, code: str, kind: str = OrganisationKind.PREFECTURE) -> Organisation:
    """A préfecture or a naturalisation platform (created once)."""
    existing = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if existing is not None:
        return existing
    row = Organisation(code=code, name=f"Site {code}", kind=kind)
    session.add(row)
    session.flush()
    return row


def referent(session: Session, code: str, kind: str = OrganisationKind.PREFECTURE) -> Agent:
    """A référent of a site."""
    site(session, code, kind)
    return make_agent(session, role=Role.REFERENT, organisation=code, queues=(), site=code)


def report_form(**overrides: Any) -> ReportForm:
    """A valid signalement."""
    values: dict[str, Any] = {
        "kind": ReportKind.INCIDENT,
        "procedure": "etudiant",
        "severity": Severity.BLOCKING,
        "affected_count": 4,
        "subject": "Dépôt impossible des pièces étudiant",
        "description": "Erreur 500 lors du téléversement des pièces justificatives étudiant.",
        "steps": "Ouvrir la demande\nAjouter une pièce",
        "browser": "Firefox 128",
    }
    values.update(overrides)
    return ReportForm.model_validate(values)


def open_report(
    session: Session,
    actor: Agent,
    tmp_path: Path,
    files: tuple[CleanFile, ...] = (),
    **overrides: Any,
) -> Ticket:
    """A signalement filed through the service."""
    return file_report(
        session, form=report_form(**overrides), actor=actor, screenshots=files, storage_dir=tmp_path
    )


def png_bytes(comment: str = "") -> bytes:
    """A small PNG, with a text chunk if asked."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def screenshot(name: str = "capture.png", comment: str = "") -> CleanFile:
    """A checked PNG screenshot."""
    return clean_upload(name, png_bytes(comment))


def run_jobs(session: Session, actor_name: str) -> int:
    """Run every outbox job of one actor directly (no idempotency key); returns how many."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.actor_name == actor_name)
        .order_by(col(OutboxMessage.id))
    ).all()
    for row in rows:
        JOBS[actor_name].fn(JobContext(session=session, settings=None), **row.payload)
        session.commit()
    return len(rows)
