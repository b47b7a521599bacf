"""Each trigger notifies the right agents once, never the actor, never someone who may not see."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from helpdesk.agent_notifications.kinds import NotificationKind as K
from helpdesk.auth.models import Role
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.lifecycle import record_event
from helpdesk.tickets.models import MessageKind, QueueMembership
from helpdesk.tickets.service import add_message, assign

from factories import make_agent, make_ticket

RunJobs = Callable[[], int]
Notified = Callable[[int | None], list[tuple[str, int]]]


def _away(session: Session, agent_id: int | None) -> None:
    """Mark the agent away in all their queues (the Disponibilité page)."""
    for row in session.exec(select(QueueMembership).where(QueueMembership.agent_id == agent_id)):
        row.available = False


def _escalate(session: Session, ticket_id: int, actor) -> None:  # type: ignore[no-untyped-def]
    hand_over(
        session,
        ticket_id=ticket_id,
        to_queue_code="dp-anef",
        reason="Titre bloqué",
        checked="Dossier vérifié",
        question="Pouvez-vous débloquer ?",
        actor=actor,
    )


def test_a_new_ticket_notifies_the_available_members_of_its_queue(
    session: Session, run_derive: RunJobs, notified: Notified
):
    present = make_agent(session)
    away = make_agent(session)
    elsewhere = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    _away(session, away.id)
    ticket = make_ticket(session)
    session.commit()

    assert run_derive() == 1
    assert notified(present.id) == [(K.QUEUE_ARRIVAL, ticket.id)]
    assert notified(away.id) == []
    assert notified(elsewhere.id) == []


def test_assignment_notifies_the_assignee_but_not_who_took_it(
    session: Session, run_derive: RunJobs, notified: Notified
):
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    given = make_agent(session)
    taker = make_agent(session)
    first, second = make_ticket(session), make_ticket(session)
    session.commit()
    run_derive()
    assign(session, ticket_id=first.id, assignee_id=given.id, actor=supervisor)  # type: ignore[arg-type]
    assign(session, ticket_id=second.id, assignee_id=taker.id, actor=taker)  # type: ignore[arg-type]
    session.commit()

    assert run_derive() == 1  # one job for the whole transaction
    assert (K.ASSIGNED, first.id) in notified(given.id)
    assert K.ASSIGNED not in {kind for kind, _ in notified(taker.id)}
    assert K.ASSIGNED not in {kind for kind, _ in notified(supervisor.id)}


def test_the_answer_of_another_level_goes_back_to_who_asked(
    session: Session, run_derive: RunJobs, notified: Notified
):
    asker = make_agent(session)
    colleague = make_agent(session)
    expert = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    ticket = make_ticket(session)
    session.commit()
    run_derive()
    _escalate(session, ticket.id, asker)  # type: ignore[arg-type]
    session.commit()
    run_derive()
    assert notified(expert.id) == [(K.QUEUE_ARRIVAL, ticket.id)]  # arrived in the DP ANEF queue

    hand_over(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        to_queue_code="ccc",
        reason="",
        answer="Titre débloqué, l'usager peut le retirer.",
        actor=expert,
    )
    session.commit()
    run_derive()

    assert notified(asker.id)[-1] == (K.ANSWER_RECEIVED, ticket.id)
    assert K.ANSWER_RECEIVED not in {kind for kind, _ in notified(colleague.id)}
    assert notified(expert.id) == [(K.QUEUE_ARRIVAL, ticket.id)]  # never the actor


def test_a_requester_reply_notifies_the_assignee_or_else_the_queue(
    session: Session, run_derive: RunJobs, notified: Notified
):
    owner = make_agent(session)
    colleague = make_agent(session)
    assigned, unassigned = make_ticket(session), make_ticket(session)
    assign(session, ticket_id=assigned.id, assignee_id=owner.id, actor=owner)  # type: ignore[arg-type]
    session.commit()
    run_derive()
    for ticket in (assigned, unassigned):
        add_message(
            session,
            ticket_id=ticket.id,  # type: ignore[arg-type]
            kind=MessageKind.REQUESTER,
            body="Voici mon numéro de dossier.",
            actor=None,
        )
    session.commit()
    run_derive()

    replies = K.REQUESTER_REPLIED
    assert (replies, assigned.id) in notified(owner.id)
    assert (replies, assigned.id) not in notified(colleague.id)
    assert (replies, unassigned.id) in notified(owner.id)
    assert (replies, unassigned.id) in notified(colleague.id)


def test_sla_warnings_and_breaches_go_to_the_queues_supervisors(
    session: Session, run_derive: RunJobs, notified: Notified
):
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    other_supervisor = make_agent(session, role=Role.SUPERVISOR, organisation="sdst", queues=())
    agent = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    run_derive()
    record_event(session, ticket, None, kind=EventKind.SLA_WARNING, to_value="ccc")
    record_event(session, ticket, None, kind=EventKind.SLA_BREACHED, to_value="ccc")
    session.commit()
    run_derive()

    kinds = [kind for kind, _ in notified(supervisor.id)]
    assert K.SLA_WARNING in kinds and K.SLA_BREACHED in kinds
    assert notified(other_supervisor.id) == []
    assert not {K.SLA_WARNING, K.SLA_BREACHED} & {kind for kind, _ in notified(agent.id)}


def test_a_mention_notifies_only_who_may_see_the_ticket(
    session: Session, run_derive: RunJobs, notified: Notified
):
    author = make_agent(session)
    colleague = make_agent(session)
    outsider = make_agent(session, organisation="sdst", queues=("sdst",))
    ticket = make_ticket(session)
    session.commit()
    run_derive()
    handle = colleague.full_name.lower().replace(" ", ".")
    outsider_handle = outsider.email.split("@")[0]
    own = author.full_name.lower().replace(" ", ".")
    add_message(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        kind=MessageKind.INTERNAL_NOTE,
        body=f"@{handle} peux-tu vérifier ? cc @{outsider_handle} et moi-même @{own}.",
        actor=author,
    )
    session.commit()
    run_derive()

    assert (K.MENTION, ticket.id) in notified(colleague.id)
    assert notified(outsider.id) == []  # the SDST does not see a CCC ticket
    assert K.MENTION not in {kind for kind, _ in notified(author.id)}


def test_a_second_run_of_the_same_job_notifies_nobody_twice(
    session: Session, run_derive: RunJobs, notified: Notified, engine, settings
):
    from helpdesk.agent_notifications.capture import DERIVE_JOB
    from helpdesk.jobs.models import OutboxMessage
    from helpdesk.jobs.registry import JOBS
    from helpdesk.jobs.runtime import JobRuntime

    present_id = make_agent(session).id
    ticket_id = make_ticket(session).id
    session.commit()
    run_derive()
    payload = session.exec(
        select(OutboxMessage.payload).where(OutboxMessage.actor_name == DERIVE_JOB)
    ).one()
    session.rollback()  # end the read: SQLite lets one writer in
    runtime = JobRuntime(settings, engine)
    try:
        runtime.execute(JOBS[DERIVE_JOB], None, dict(payload))  # a redelivery without its claim
    finally:
        runtime.stop()

    assert notified(present_id) == [(K.QUEUE_ARRIVAL, ticket_id)]


def test_an_empty_helpdesk_enqueues_no_job(session: Session, run_derive: RunJobs):
    make_ticket(session)
    session.commit()
    assert run_derive() == 0


def test_the_author_can_be_told_which_mentions_reach_nobody(session: Session):
    from helpdesk.agent_notifications.recipients import unreachable_mentions

    colleague = make_agent(session)
    outsider = make_agent(session, organisation="sdst", queues=("sdst",))
    ticket = make_ticket(session)
    session.commit()
    handle = colleague.full_name.lower().replace(" ", ".")
    outsider_handle = outsider.email.split("@")[0]
    body = f"@{handle} et @{outsider_handle}, voyez aussi @personne.inconnue"

    assert unreachable_mentions(session, ticket, body) == sorted(
        [f"@{outsider_handle}", "@personne.inconnue"]
    )


def test_a_referent_mentioned_on_their_sites_ticket_is_not_paged_in_a_console_they_lack(
    session: Session, run_derive: RunJobs, notified: Notified
):
    from helpdesk.auth.models import Organisation, OrganisationKind

    session.add(Organisation(code="pref-test", name="Préfecture", kind=OrganisationKind.PREFECTURE))
    session.flush()
    referent = make_agent(
        session, role=Role.REFERENT, organisation="pref-test", queues=(), site="pref-test"
    )
    author = make_agent(session)
    ticket = make_ticket(session, site_id=referent.site_id)
    session.commit()
    run_derive()
    add_message(
        session,
        ticket_id=ticket.id,  # type: ignore[arg-type]
        kind=MessageKind.INTERNAL_NOTE,
        body=f"Voir avec @{referent.email.split('@')[0]}",
        actor=author,
    )
    session.commit()
    run_derive()

    assert notified(referent.id) == []
