"""Demo signalements, a release note and an ongoing incident, for `make run`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.incidents.models import Incident, IncidentStatus, Notice, NoticeKind
from helpdesk.referents.models import ReportKind, Severity
from helpdesk.referents.schemas import ReportForm
from helpdesk.referents.service import file_report

DEMO_REPORTS = (
    (
        "referent@pref-69.demo",
        ReportForm(
            kind=ReportKind.INCIDENT,
            procedure="etudiant",
            severity=Severity.ANNOYING,
            affected_count=12,
            subject="Attestations de prolongation non générées",
            description="Depuis ce matin, plusieurs usagers étudiants signalent que l'attestation "
            "de prolongation d'instruction n'apparaît pas dans leur espace après le dépôt.",
            steps="Ouvrir un dossier étudiant déposé\nConsulter l'onglet Documents",
            browser="Firefox 128",
        ),
    ),
    (
        "referent@natali-nantes.demo",
        ReportForm(
            kind=ReportKind.FUNCTIONAL,
            procedure="naturalisation-decret",
            severity=Severity.MINOR,
            subject="Statut « contrôle SDANF » peu compréhensible",
            description="Les usagers ne comprennent pas le statut « contrôle SDANF » affiché après "
            "l'entretien : existe-t-il une formulation validée à leur communiquer ?",
        ),
    ),
)


def create_demo_referent_data(session: Session) -> None:
    """Create the demo signalements, release note and incident if none exists yet."""
    if session.exec(select(Notice.id).limit(1)).first() is not None:
        return
    for email, form in DEMO_REPORTS:
        referent = session.exec(select(Agent).where(Agent.email == email)).first()
        if referent is not None:
            file_report(session, form=form, actor=referent, storage_dir=Path("var/attachments"))
    _demo_notices(session)


def _demo_notices(session: Session) -> None:
    """A recent release note and an incident with its workaround."""
    now = utcnow()
    session.add(
        Notice(
            kind=NoticeKind.RELEASE,
            title="Mise en production du 2 juin : dépôt des pièces en plusieurs fois",
            released_on=now - timedelta(days=2),
            procedures=["etudiant", "passeport-talent"],
            changes="Les usagers peuvent déposer leurs pièces justificatives en plusieurs fois "
            "avant de valider leur demande.",
            known_issues="L'aperçu des PDF de plus de 10 Mo peut être lent.",
        )
    )
    incident = Incident(
        title="Lenteurs à la connexion par FranceConnect",
        description="La connexion au compte ANEF par FranceConnect échoue ou prend plus d'une "
        "minute pour une partie des usagers.",
        procedures=["compte"],
        started_at=now - timedelta(hours=3),
        status=IncidentStatus.WORKAROUND,
        workaround="Se connecter avec le numéro étranger et le mot de passe du compte.",
    )
    session.add(incident)
    session.flush()
    session.add(
        Notice(
            kind=NoticeKind.INCIDENT,
            title=incident.title,
            released_on=incident.started_at,
            procedures=incident.procedures,
            changes=incident.description,
            known_issues=incident.workaround,
            incident_id=incident.id,
        )
    )
    session.flush()
