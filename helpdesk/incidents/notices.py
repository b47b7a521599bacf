"""Release notes and incident notices: audience, e-mails, lists, banner, read receipts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Organisation, Role
from helpdesk.db import require_id, utcnow
from helpdesk.errors import NotFoundError
from helpdesk.incidents.audience import Target, concerns
from helpdesk.incidents.models import (
    NOTICE_KIND_LABELS,
    Incident,
    IncidentStatus,
    Notice,
    NoticeKind,
    NoticeRead,
)
from helpdesk.incidents.schemas import ReleaseForm
from helpdesk.notifications.service import queue_mail
from helpdesk.policy import Action, ensure
from helpdesk.policy.rights import may_read_notice

BANNER_RELEASE_DAYS = 14
LIST_LIMIT = 100
# The DSFR notice style of each kind in the banner: an incident warns, a release informs
# (the error style is for emergencies; a resolved incident leaves the banner).
BANNER_STYLES = {NoticeKind.INCIDENT: "warning", NoticeKind.RELEASE: "info"}


@dataclass(frozen=True)
class Reader:
    """A référent a notice concerns, and when they read it (None: not yet)."""

    agent: Agent
    site: Organisation
    read_at: datetime | None


def target_of(row: Notice | Incident) -> Target:
    """The audience of a notice or an incident."""
    return Target(all_sites=row.all_sites, sites=tuple(row.sites), procedures=tuple(row.procedures))


def concerned_referents(session: Session, target: Target) -> list[tuple[Agent, Organisation]]:
    """The active référents whose site the target concerns, with their site."""
    rows = session.exec(
        select(Agent, Organisation)
        .join(Organisation, col(Organisation.id) == col(Agent.site_id))
        .where(Agent.role == Role.REFERENT, col(Agent.active).is_(True))
        .order_by(col(Organisation.name), col(Agent.full_name))
    ).all()
    return [
        (agent, site)
        for agent, site in rows
        if concerns(target, site_code=site.code, site_kind=site.kind)
    ]


def concerns_agent(session: Session, notice: Notice, agent: Agent) -> bool:
    """Whether a notice is for this agent: référents by site and procedure, others all."""
    return may_read_notice(session, agent, target_of(notice))


def publish_release(session: Session, *, form: ReleaseForm, actor: Agent) -> Notice:
    """Publish a release note and e-mail it to the référents concerned."""
    notice = Notice(
        kind=NoticeKind.RELEASE,
        title=form.title,
        released_on=form.released_on or utcnow(),
        procedures=form.procedures,
        all_sites=form.all_sites,
        sites=[] if form.all_sites else form.sites,
        changes=form.changes,
        known_issues=form.known_issues,
        created_by_id=actor.id,
    )
    session.add(notice)
    session.flush()
    body = f"{form.changes}\n\nProblèmes connus :\n{form.known_issues or 'aucun'}"
    mail_audience(
        session, target=target_of(notice), subject=f"Mise en production : {notice.title}", body=body
    )
    return notice


def mail_audience(session: Session, *, target: Target, subject: str, body: str) -> int:
    """E-mail the référents a target concerns, through the outbox; returns how many."""
    recipients = concerned_referents(session, target)
    for agent, _site in recipients:
        queue_mail(
            session,
            recipient=agent.email,
            subject=f"[Assistance ANEF] {subject}",
            body=(
                f"Bonjour {agent.full_name},\n\n{body}\n\n"
                "Retrouvez cette information dans votre espace référent, rubrique Informations."
                "\n\nLa DP ANEF"
            ),
        )
    return len(recipients)


def notices_for(session: Session, *, agent: Agent, limit: int = LIST_LIMIT) -> list[Notice]:
    """The notices an agent may see, newest first."""
    rows = session.exec(
        select(Notice).order_by(col(Notice.published_at).desc(), col(Notice.id).desc()).limit(500)
    ).all()
    return [n for n in rows if concerns_agent(session, n, agent)][:limit]


def read_ids(session: Session, *, agent: Agent) -> set[int]:
    """The notices the agent marked read."""
    return set(session.exec(select(NoticeRead.notice_id).where(NoticeRead.agent_id == agent.id)))


def banner(session: Session, *, agent: Agent) -> list[Notice]:
    """What the banner shows: ongoing incidents, recent releases (référents: unread ones)."""
    since = utcnow() - timedelta(days=BANNER_RELEASE_DAYS)
    incidents = {i.id: i for i in session.exec(select(Incident))}
    already = read_ids(session, agent=agent) if agent.role == Role.REFERENT else set()
    shown = []
    for notice in notices_for(session, agent=agent, limit=200):
        if notice.id in already:
            continue
        if notice.kind == NoticeKind.INCIDENT:
            incident = incidents.get(notice.incident_id)
            if incident is None or incident.status == IncidentStatus.RESOLVED:
                continue
        elif notice.published_at < since:
            continue
        shown.append(notice)
    return shown[:5]


@dataclass(frozen=True)
class BannerGroup:
    """The banner's notices of one kind, shown in one DSFR notice of that kind's style."""

    kind: NoticeKind
    style: str
    notices: list[Notice]


def banner_groups(shown: list[Notice]) -> list[BannerGroup]:
    """The banner's notices grouped by kind, incidents first, each kind with its style."""
    groups = []
    for kind in (NoticeKind.INCIDENT, NoticeKind.RELEASE):
        of_kind = [notice for notice in shown if notice.kind == kind]
        if of_kind:
            groups.append(BannerGroup(kind=kind, style=BANNER_STYLES[kind], notices=of_kind))
    return groups


def get_notice(session: Session, *, agent: Agent, notice_id: int) -> Notice:
    """A notice the agent may see, else a 404."""
    notice = session.get(Notice, notice_id)
    if notice is None or not concerns_agent(session, notice, agent):
        raise NotFoundError("Cette information n'existe pas ou ne vous concerne pas.")
    return notice


def mark_read(session: Session, *, notice_id: int, agent: Agent) -> NoticeRead:
    """Record that a référent read a notice (once; marking again changes nothing)."""
    ensure(session, agent, Action.REPORT_AS_SITE)
    notice = get_notice(session, agent=agent, notice_id=notice_id)
    existing = session.exec(
        select(NoticeRead).where(NoticeRead.notice_id == notice.id, NoticeRead.agent_id == agent.id)
    ).first()
    if existing is not None:
        return existing
    row = NoticeRead(notice_id=require_id(notice), agent_id=require_id(agent))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # marked at the same moment in another tab
        return session.exec(
            select(NoticeRead).where(
                NoticeRead.notice_id == notice.id, NoticeRead.agent_id == agent.id
            )
        ).one()
    return row


def readers(session: Session, *, notice_id: int) -> list[Reader]:
    """Every référent the notice concerns, with the time they read it."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError("Cette information n'existe pas.")
    read = dict(
        session.exec(
            select(NoticeRead.agent_id, NoticeRead.read_at).where(NoticeRead.notice_id == notice_id)
        ).all()
    )
    return [
        Reader(agent=agent, site=site, read_at=read.get(agent.id or 0))
        for agent, site in concerned_referents(session, target_of(notice))
    ]


def kind_label(kind: str) -> str:
    """The French label of a notice kind."""
    try:
        return NOTICE_KIND_LABELS[NoticeKind(kind)]
    except ValueError:
        return kind
