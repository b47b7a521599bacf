"""Telling the administrators, once, that jobs exhausted their retries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from helpdesk.admin.dead_letters import job_label
from helpdesk.admin.filters import NOT_REPLAYED
from helpdesk.jobs.models import DeadLetter
from helpdesk.notifications.service import ALERT_MAIL_JOB, queue_mail
from helpdesk.policy import Action, holders_of

DEAD_LETTER_ALERT_JOB = "jobs.dead_letter_alert"
ALERT_EVERY_SECONDS = 300
PAGE_PATH = f"/admin/travaux?etat={NOT_REPLAYED}"
# Dead letters that raise no e-mail: the failures of the alert e-mails themselves (an SMTP
# outage would otherwise send an alert about each alert). The page and the badge show them.
SILENT_JOBS = frozenset({ALERT_MAIL_JOB})


@dataclass(frozen=True)
class AlertOutcome:
    """What one alert round did: dead letters taken into account, e-mails queued."""

    dead_letters: int
    announced: int
    mails: int


def alert_new_dead_letters(session: Session, *, base_url: str, now: datetime) -> AlertOutcome:
    """Mark the dead letters no alert has covered yet, and e-mail one summary to each admin.

    Dead letters already replayed and failures of the alert e-mails are marked without
    being announced. Two rounds at once cannot announce the same dead letter: the UPDATE
    that marks them is what each round counts.
    """
    claimed = _claim_unalerted(session, now=now)
    counts = Counter(
        actor_name
        for actor_name, replayed_at in claimed
        if replayed_at is None and actor_name not in SILENT_JOBS
    )
    if not counts:
        return AlertOutcome(dead_letters=len(claimed), announced=0, mails=0)
    total = sum(counts.values())
    body = alert_body(counts, link=f"{base_url.rstrip('/')}{PAGE_PATH}")
    admins = holders_of(session, Action.ADMINISTER)
    for admin in admins:
        queue_mail(
            session,
            recipient=admin.email,
            subject=alert_subject(total),
            body=body,
            job_name=ALERT_MAIL_JOB,
        )
    return AlertOutcome(dead_letters=len(claimed), announced=total, mails=len(admins))


def _claim_unalerted(session: Session, *, now: datetime) -> list[tuple[str, datetime | None]]:
    """Set `alerted_at` on every dead letter without it; their kinds and replay times."""
    result = session.execute(
        update(DeadLetter)
        .where(col(DeadLetter.alerted_at).is_(None))
        .values(alerted_at=now)
        .returning(col(DeadLetter.actor_name), col(DeadLetter.replayed_at))
        .execution_options(synchronize_session=False)
    )
    return [(str(name), replayed_at) for name, replayed_at in result.all()]


def alert_subject(total: int) -> str:
    """The subject of the alert e-mail."""
    jobs = "travail" if total == 1 else "travaux"
    return f"Assistance ANEF : {total} {jobs} en échec à relancer"


def alert_body(counts: Counter[str], *, link: str) -> str:
    """The alert e-mail: how many dead letters of each kind, and where to replay them."""
    total = sum(counts.values())
    lines = [
        f"- {job_label(name)} : {count}"
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    opening = (
        "Un travail de l'assistance ANEF a épuisé ses tentatives."
        if total == 1
        else f"{total} travaux de l'assistance ANEF ont épuisé leurs tentatives."
    )
    return "\n".join(
        [
            "Bonjour,",
            "",
            opening,
            "",
            *lines,
            "",
            "Une fois la cause corrigée (serveur de messagerie, service indisponible…), "
            "relancez-les depuis la page « Travaux en échec » :",
            link,
            "",
            "Ce message n'est envoyé qu'une fois pour ces travaux ; les suivants feront "
            "l'objet d'un nouveau message.",
        ]
    )
