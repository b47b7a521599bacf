"""E-mail preferences: none, immediate (one e-mail per notification), daily digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from helpdesk.agent_notifications.digest import send_digests
from helpdesk.agent_notifications.models import AgentNotification, NotificationSettings
from helpdesk.agent_notifications.service import email_mode, mark_all_read, set_email_mode
from helpdesk.auth.models import Role
from helpdesk.config import Settings
from helpdesk.errors import ValidationFailedError
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.service import assign

from factories import make_agent, make_ticket

RunJobs = Callable[[], int]


def _mails_to(session: Session, address: str) -> list[OutgoingMail]:
    session.expire_all()
    return list(session.exec(select(OutgoingMail).where(OutgoingMail.recipient == address)))


def test_immediate_mails_each_notification_with_the_reference_and_a_link(
    session: Session, run_derive: RunJobs
):
    wants = make_agent(session)
    quiet = make_agent(session)
    set_email_mode(session, wants, mode="immediate")
    session.commit()
    ticket = make_ticket(session, requester_name="Awa Traoré", requester_email="awa@example.org")
    session.commit()
    run_derive()

    [mail] = _mails_to(session, wants.email)
    assert ticket.reference in mail.subject and "Nouveau ticket dans votre file" in mail.subject
    assert f"https://assistance.example.gouv.fr/tickets/{ticket.id}" in mail.body_text
    assert ticket.subject in mail.body_text
    assert "Awa" not in mail.body_text and "awa@example.org" not in mail.body_text
    assert _mails_to(session, quiet.email) == []  # in the console only, by default
    assert email_mode(session, quiet) == "none"


def test_the_daily_digest_sends_the_unread_ones_once_a_day(
    session: Session, run_derive: RunJobs, settings: Settings
):
    reader = make_agent(session)
    set_email_mode(session, reader, mode="digest")
    session.commit()
    backdate = session.exec(
        select(NotificationSettings).where(NotificationSettings.agent_id == reader.id)
    ).one()
    backdate.last_digest_at = backdate.last_digest_at - timedelta(days=1)  # type: ignore[operator]
    first, second = make_ticket(session), make_ticket(session, subject="Récépissé introuvable")
    session.commit()
    run_derive()
    assert _mails_to(session, reader.email) == []  # no immediate mail for a digest reader

    assert send_digests(session, settings) == 1
    session.commit()
    assert send_digests(session, settings) == 0  # the same day: nothing more
    session.commit()

    [digest] = _mails_to(session, reader.email)
    assert "2 notifications non lues" in digest.subject
    assert first.reference in digest.body_text and second.reference in digest.body_text
    assert f"/tickets/{second.id}" in digest.body_text


def test_a_digest_skips_read_notifications_and_says_nothing_when_all_are_read(
    session: Session, run_derive: RunJobs, settings: Settings
):
    reader = make_agent(session)
    set_email_mode(session, reader, mode="digest")
    session.commit()
    make_ticket(session)
    session.commit()
    run_derive()
    mark_all_read(session, reader)
    row = session.exec(
        select(NotificationSettings).where(NotificationSettings.agent_id == reader.id)
    ).one()
    row.last_digest_at = row.last_digest_at - timedelta(days=1)  # type: ignore[operator]
    session.commit()

    assert send_digests(session, settings) == 0
    session.commit()
    assert _mails_to(session, reader.email) == []
    unread = session.exec(
        select(AgentNotification).where(col(AgentNotification.read_at).is_(None))
    ).all()
    assert unread == []


def test_an_unknown_choice_is_refused_and_changes_nothing(session: Session):
    agent = make_agent(session)
    set_email_mode(session, agent, mode="immediate")
    with pytest.raises(ValidationFailedError) as refused:
        set_email_mode(session, agent, mode="hourly")
    assert "email_mode" in refused.value.field_errors
    with pytest.raises(ValidationFailedError) as refused:
        set_email_mode(session, agent, mode="digest", kinds=["assigned", "<script>"])
    assert "email_kinds" in refused.value.field_errors
    assert email_mode(session, agent) == "immediate"


def test_kinds_left_unchecked_stay_in_the_console_only(session: Session, run_derive: RunJobs):
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    agent = make_agent(session)
    set_email_mode(session, agent, mode="immediate", kinds=["assigned"])
    session.commit()
    ticket = make_ticket(session)
    session.commit()
    run_derive()
    assign(session, ticket_id=ticket.id, assignee_id=agent.id, actor=supervisor)  # type: ignore[arg-type]
    session.commit()
    run_derive()

    [mail] = _mails_to(session, agent.email)  # the arrival in the queue was not mailed
    assert "Ticket qui vous est attribué" in mail.subject
    session.expire_all()
    kinds = {row.kind for row in session.exec(select(AgentNotification))}
    assert {"queue_arrival", "assigned"} <= kinds  # both are in the console
