"""The ticket core service on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from helpdesk.auth.models import Role
from helpdesk.errors import (
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.jobs.models import OutboxMessage
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets import service
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import (
    Message,
    MessageKind,
    Queue,
    Status,
    Ticket,
    TicketEvent,
    TicketSearchDocument,
)
from helpdesk.tickets.search import search_terms

from factories import make_agent, make_ticket


def events(session: Session, ticket: Ticket) -> list[TicketEvent]:
    return list(
        session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        )
    )


def queue_code(session: Session, ticket: Ticket) -> str:
    queue = session.get(Queue, ticket.queue_id)
    assert queue is not None
    return queue.code


def test_create_ticket_writes_reference_message_event_and_search_text(session: Session):
    ticket = make_ticket(session)
    session.commit()

    assert re.fullmatch(r"ANEF-\d{4}-\d{6}", ticket.reference)
    assert ticket.status == Status.NEW
    assert queue_code(session, ticket) == "ccc"
    assert ticket.owner_queue_id == ticket.queue_id
    messages = session.exec(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert [m.kind for m in messages] == [MessageKind.REQUESTER]
    assert [e.kind for e in events(session, ticket)] == ["created"]
    document = session.get(TicketSearchDocument, ticket.id)
    assert document is not None
    assert set(search_terms(ticket.reference)) <= set(document.heading.split())
    assert set(search_terms(messages[0].body)) <= set(document.body.split())
    # The acknowledgement belongs to the intake service (it carries the follow-up link).
    actors = {row.actor_name for row in session.exec(select(OutboxMessage))}
    assert "notifications.send_mail" not in actors


def test_references_follow_each_other(session: Session):
    first = make_ticket(session)
    second = make_ticket(session)
    session.commit()
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_invalid_input_is_refused_before_anything_is_written(session: Session):
    with pytest.raises(ValueError, match="10 chiffres"):
        make_ticket(session, requester_foreign_number="12345")
    with pytest.raises(ValueError, match="catalogue"):
        make_ticket(session, procedure="inconnue")
    assert session.exec(select(Ticket)).all() == []


def test_status_lifecycle_allows_legal_moves_and_refuses_illegal_ones(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()

    service.change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=advisor)
    service.change_status(session, ticket_id=ticket.id, status=Status.RESOLVED, actor=advisor)
    assert ticket.resolved_at is not None
    service.change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=advisor)
    assert ticket.resolved_at is None
    service.change_status(session, ticket_id=ticket.id, status=Status.RESOLVED, actor=advisor)
    service.change_status(session, ticket_id=ticket.id, status=Status.CLOSED, actor=advisor)
    session.commit()

    with pytest.raises(InvalidTransitionError, match="Clos"):
        service.change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=advisor)
    kinds = [(e.kind, e.from_value, e.to_value) for e in events(session, ticket)]
    assert kinds[1:] == [
        ("status_changed", "new", "open"),
        ("status_changed", "open", "resolved"),
        ("reopened", "resolved", "open"),
        ("status_changed", "open", "resolved"),
        ("status_changed", "resolved", "closed"),
    ]


def test_requester_answer_reopens_a_waiting_ticket(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    service.change_status(session, ticket_id=ticket.id, status=Status.WAITING, actor=advisor)
    service.add_message(
        session, ticket_id=ticket.id, kind=MessageKind.REQUESTER, body="Voici", actor=None
    )
    session.commit()
    assert ticket.status == Status.OPEN


def test_hand_over_follows_the_chain_and_records_the_reason(session: Session):
    advisor = make_agent(session)
    dp_agent = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    sdst_agent = make_agent(session, organisation="sdst", queues=("sdst",))
    ticket = make_ticket(session)
    session.commit()

    summary = {"checked": "Compte vérifié", "question": "Que répondre ?"}
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="dp-anef",
        reason="Vérifié",
        actor=advisor,
        **summary,
    )
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="sdst",
        reason="Réglementaire",
        actor=dp_agent,
        **summary,
    )
    hand_over(
        session,
        ticket_id=ticket.id,
        to_queue_code="dp-anef",
        reason="Réponse",
        answer="Le droit au travail est maintenu.",
        actor=sdst_agent,
    )
    session.commit()

    assert queue_code(session, ticket) == "dp-anef"
    owner = session.get(Queue, ticket.owner_queue_id)
    assert owner is not None and owner.code == "ccc"
    assert ticket.answer_received is False  # back at DP ANEF, not yet at the owner
    escalation = events(session, ticket)[1]
    assert escalation.data == summary
    notes = session.exec(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert notes[-1].kind == MessageKind.INTERNAL_NOTE
    assert notes[-1].body == "Le droit au travail est maintenu."
    moves = [(e.kind, e.from_value, e.to_value, e.reason) for e in events(session, ticket)][1:]
    assert moves == [
        ("escalate", "ccc", "dp-anef", "Vérifié"),
        ("escalate", "dp-anef", "sdst", "Réglementaire"),
        ("return", "sdst", "dp-anef", "Réponse"),
    ]


def test_hand_over_outside_the_chain_or_without_reason_is_refused(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    with pytest.raises(InvalidTransitionError, match="circuit"):
        hand_over(session, ticket_id=ticket.id, to_queue_code="sdst", reason="x", actor=advisor)
    session.rollback()
    with pytest.raises(ValidationFailedError, match="motif") as refused:
        hand_over(
            session,
            ticket_id=ticket.id,
            to_queue_code="dp-anef",
            reason="  ",
            checked="",
            question="Une question",
            actor=advisor,
        )
    assert set(refused.value.field_errors) == {"reason", "checked"}
    session.rollback()
    assert queue_code(session, ticket) == "ccc"


def test_only_members_of_the_current_queue_may_act(session: Session):
    sdst_agent = make_agent(session, organisation="sdst", queues=("sdst",))
    ccc_editor = make_agent(session, role=Role.EDITOR, queues=())
    ticket = make_ticket(session)
    session.commit()
    # A ticket SDST never saw does not exist for SDST; a CCC editor sees it but may not act.
    with pytest.raises(NotFoundError):
        service.add_message(
            session,
            ticket_id=ticket.id,
            kind=MessageKind.INTERNAL_NOTE,
            body="Je ne devrais pas",
            actor=sdst_agent,
        )
    session.rollback()
    with pytest.raises(NotFoundError):
        service.change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=sdst_agent)
    session.rollback()
    with pytest.raises(PermissionDeniedError):
        service.change_status(session, ticket_id=ticket.id, status=Status.OPEN, actor=ccc_editor)


def test_stale_version_is_refused_and_changes_nothing(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    loaded_version = ticket.version
    service.add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.INTERNAL_NOTE,
        body="Première note",
        actor=advisor,
        expected_version=loaded_version,
    )
    session.commit()
    with pytest.raises(StaleVersionError, match="modifié par quelqu'un d'autre"):
        service.change_status(
            session,
            ticket_id=ticket.id,
            status=Status.RESOLVED,
            actor=advisor,
            expected_version=loaded_version,
        )
    session.rollback()
    assert session.get(Ticket, ticket.id).status == Status.NEW  # type: ignore[union-attr]


def test_public_reply_sets_first_response_and_queues_an_email(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    service.add_message(
        session,
        ticket_id=ticket.id,
        kind=MessageKind.PUBLIC_REPLY,
        body="Votre attestation est disponible.",
        actor=advisor,
    )
    session.commit()
    assert ticket.first_response_at is not None
    mails = session.exec(select(OutgoingMail).where(OutgoingMail.ticket_id == ticket.id)).all()
    assert any("Réponse à votre demande" in m.subject for m in mails)
    assert any("Votre attestation est disponible." in m.body_text for m in mails)


def test_assign_only_to_members_of_the_queue(session: Session):
    advisor = make_agent(session)
    colleague = make_agent(session)
    outsider = make_agent(session, role=Role.AGENT, organisation="sdst", queues=("sdst",))
    ticket = make_ticket(session)
    service.assign(session, ticket_id=ticket.id, assignee_id=colleague.id, actor=advisor)
    session.commit()
    assert ticket.assignee_id == colleague.id
    with pytest.raises(ValidationFailedError, match="membre de la file"):
        service.assign(session, ticket_id=ticket.id, assignee_id=outsider.id, actor=advisor)
    session.rollback()
    assert events(session, ticket)[-1].to_value == colleague.full_name


def test_empty_message_is_refused(session: Session):
    advisor = make_agent(session)
    ticket = make_ticket(session)
    session.commit()
    with pytest.raises(ValidationFailedError, match="vide"):
        service.add_message(
            session,
            ticket_id=ticket.id,
            kind=MessageKind.INTERNAL_NOTE,
            body=" \x00 ",
            actor=advisor,
        )
