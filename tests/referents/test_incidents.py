"""Incidents: linking tickets, link suggestions, and a resolution posted exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from helpdesk.auth.models import Role
from helpdesk.errors import InvalidTransitionError, NotFoundError, PermissionDeniedError
from helpdesk.incidents.models import (
    LINK_OUTCOME_LABELS,
    IncidentStatus,
    IncidentTicket,
    LinkOutcome,
)
from helpdesk.incidents.schemas import IncidentForm, ResolutionForm
from helpdesk.incidents.service import (
    RESOLVE_JOB,
    link_tickets,
    record_incident,
    resolve_incident,
)
from helpdesk.incidents.suggestions import similarity, suggest_links
from helpdesk.notifications.models import OutgoingMail
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.merge import merge
from helpdesk.tickets.models import Message, MessageKind, Status, Ticket, TicketEvent
from helpdesk.tickets.service import change_status

from conftest import WebClient
from factories import make_agent, make_ticket
from support.permission_world import SUMMARY
from support.referents import open_report, referent, run_jobs

DESCRIPTION = (
    "Erreur 500 lors du téléversement des pièces justificatives sur la téléprocédure étudiant"
)


def _incident(session: Session, dp, **overrides):
    values = {
        "title": "Dépôt des pièces impossible",
        "description": DESCRIPTION,
        "procedures": ["etudiant"],
    }
    values.update(overrides)
    return record_incident(session, form=IncidentForm.model_validate(values), actor=dp)


def _resolution() -> ResolutionForm:
    return ResolutionForm(
        usager_reply="Bonjour {nom}, l'incident « {incident} » est résolu ({reference}).",
        referent_message="L'incident « {incident} » est résolu : dites-nous si cela persiste.",
    )


def _count(session: Session, model, **where) -> int:
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return len(session.exec(query).all())


def test_resolution_reaches_every_linked_ticket_exactly_once_even_retried(session, tmp_path: Path):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    author = referent(session, "pref-75")
    incident = _incident(session, dp)
    usagers = [
        make_ticket(
            session,
            queue_code="dp-anef",
            requester_email=f"u{i}@example.org",
            requester_name=f"Usager {i}",
        )
        for i in range(3)
    ]
    report = open_report(session, author, tmp_path)
    closed = make_ticket(session, queue_code="dp-anef", requester_email="closed@example.org")
    change_status(session, ticket_id=closed.id, status=Status.RESOLVED, actor=dp)
    session.commit()
    tickets = [*usagers, report]
    link_tickets(session, incident_id=incident.id, ticket_ids=[t.id for t in tickets], actor=dp)
    change_status(session, ticket_id=closed.id, status=Status.CLOSED, actor=dp)
    link_tickets(session, incident_id=incident.id, ticket_ids=[closed.id], actor=dp)
    session.commit()

    resolve_incident(session, incident_id=incident.id, form=_resolution(), actor=dp)
    session.commit()
    resolve_incident(session, incident_id=incident.id, form=_resolution(), actor=dp)  # retried
    session.commit()
    assert run_jobs(session, RESOLVE_JOB) == 5  # one job per link, not per click
    run_jobs(session, RESOLVE_JOB)  # every job delivered twice
    session.expire_all()

    for ticket in tickets:
        session.refresh(ticket)
        replies = session.exec(
            select(Message).where(
                Message.ticket_id == ticket.id, Message.kind == MessageKind.PUBLIC_REPLY
            )
        ).all()
        assert len(replies) == 1, ticket.reference
        assert "résolu" in replies[0].body and "{" not in replies[0].body
        assert ticket.status == Status.RESOLVED
        events = session.exec(
            select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
        ).all()
        assert events.count("incident_resolved") == 1 and events.count("incident_linked") == 1
        assert _count(
            session, OutgoingMail, ticket_id=ticket.id, recipient=ticket.requester_email
        ) == (
            2 if ticket.id == report.id else 1  # the référent also got the acknowledgement
        )
    assert (
        "Usager 0"
        in session.exec(
            select(Message.body).where(
                Message.ticket_id == usagers[0].id, Message.kind == MessageKind.PUBLIC_REPLY
            )
        ).one()
    )
    report_reply = session.exec(
        select(Message.body).where(
            Message.ticket_id == report.id, Message.kind == MessageKind.PUBLIC_REPLY
        )
    ).one()
    assert report_reply.startswith("L'incident « Dépôt des pièces impossible » est résolu")
    assert _count(session, Message, ticket_id=closed.id, kind=MessageKind.PUBLIC_REPLY) == 0
    outcomes = {link.ticket_id: link.outcome for link in session.exec(select(IncidentTicket))}
    assert outcomes[closed.id] == "closed" and {outcomes[t.id] for t in tickets} == {"notified"}


def test_links_are_for_dp_anef_on_tickets_they_see_and_not_after_resolution(
    session, tmp_path: Path
):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    advisor = make_agent(session)
    plain_dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    incident = _incident(session, dp)
    ticket = make_ticket(session)
    naturalisation = make_ticket(session, queue_code="sdanf")
    with pytest.raises(PermissionDeniedError):  # linking is the incident managers' right
        link_tickets(session, incident_id=incident.id, ticket_ids=[ticket.id], actor=advisor)
    with pytest.raises(PermissionDeniedError):
        link_tickets(session, incident_id=incident.id, ticket_ids=[ticket.id], actor=plain_dp)
    with pytest.raises(NotFoundError):  # a level-3 ticket the manager has never seen
        link_tickets(session, incident_id=incident.id, ticket_ids=[naturalisation.id], actor=dp)
    # The CCC's tickets are the point of an incident: its managers link them.
    assert link_tickets(session, incident_id=incident.id, ticket_ids=[ticket.id], actor=dp) == 1
    report = open_report(session, referent(session, "pref-59"), tmp_path)
    assert (
        link_tickets(session, incident_id=incident.id, ticket_ids=[report.id, report.id], actor=dp)
        == 1
    )
    assert link_tickets(session, incident_id=incident.id, ticket_ids=[report.id], actor=dp) == 0
    resolve_incident(session, incident_id=incident.id, form=_resolution(), actor=dp)
    assert incident.status == IncidentStatus.RESOLVED
    with pytest.raises(InvalidTransitionError):
        link_tickets(session, incident_id=incident.id, ticket_ids=[report.id], actor=dp)


def test_suggestions_rank_tickets_by_text_similarity(session, tmp_path: Path):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    author = referent(session, "pref-33")
    incident = _incident(session, dp)
    alike = open_report(
        session,
        author,
        tmp_path,
        subject="Téléversement impossible",
        description="Impossible de téléverser les pièces justificatives, erreur 500 "
        "sur le dossier étudiant.",
    )
    unrelated = open_report(
        session,
        author,
        tmp_path,
        subject="Question sur les délais",
        description="Quel est le délai moyen d'instruction d'un changement d'adresse ?",
    )
    other_procedure = open_report(session, author, tmp_path, procedure="visiteur")
    session.commit()
    found = [s.ticket.id for s in suggest_links(session, incident=incident, agent=dp)]
    assert alike.id in found
    assert unrelated.id not in found and other_procedure.id not in found
    assert similarity("erreur 500 pièces", "Erreur 500 au dépôt des pièces") > similarity(
        "erreur 500 pièces", "carte prête sans SMS"
    )


def test_link_from_the_ticket_page_and_in_bulk_from_a_queue(web: WebClient):
    with web.session() as session:
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        incident = _incident(session, dp)
        tickets = [
            make_ticket(session, queue_code="dp-anef", subject=f"Erreur 500 n°{i}")
            for i in range(3)
        ]
        session.commit()
    web.sign_in(dp.email)
    panel = web.client.get(f"/tickets/{tickets[0].id}/incidents/", headers={"HX-Request": "true"})
    assert 'data-testid="link-incident-form"' in panel.text
    response = web.post_form(
        f"/tickets/{tickets[0].id}/incidents/",
        {"incident_id": str(incident.id)},
        page="/files/dp-anef",
    )
    assert response.status_code == 303
    response = web.post_form(
        "/incidents/lier",
        {
            "ticket_ids": [str(tickets[1].id), str(tickets[2].id)],
            "incident_id": f"INC-{incident.id}",
            "back": "/files/dp-anef",
        },
        page="/files/dp-anef",
    )
    assert response.status_code == 303 and response.headers["location"] == "/files/dp-anef"
    single = web.post_form(
        f"/incidents/{incident.id}/tickets",
        {"ticket_ids": str(tickets[2].id)},
        page="/files/dp-anef",
    )
    assert single.status_code == 303
    with web.session() as session:
        linked = session.exec(
            select(IncidentTicket.ticket_id).where(IncidentTicket.incident_id == incident.id)
        ).all()
        assert sorted(linked) == sorted(t.id for t in tickets)
        history = session.exec(
            select(TicketEvent).where(TicketEvent.kind == "incident_linked")
        ).all()
        assert len(history) == 3
    page = web.client.get(f"/tickets/{tickets[0].id}").text
    assert "Rattaché à un incident" in page
    detail = web.client.get(f"/incidents/{incident.id}").text
    assert all(t.reference in detail for t in tickets)


def test_resolving_twice_through_the_page_changes_nothing_the_second_time(web: WebClient):
    with web.session() as session:
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        incident = _incident(session, dp)
        ticket = make_ticket(session, queue_code="dp-anef")
        link_tickets(session, incident_id=incident.id, ticket_ids=[ticket.id], actor=dp)
        session.commit()
    web.sign_in(dp.email)
    form = {
        "usager_reply": "Bonjour, l'incident est résolu.",
        "referent_message": "Incident résolu, merci.",
        "version": "1",
    }
    for _ in range(2):
        response = web.post_form(
            f"/incidents/{incident.id}/resolution", form, page=f"/incidents/{incident.id}"
        )
        assert response.status_code == 303
    with web.session() as session:
        jobs = session.exec(select(col(IncidentTicket.id))).all()
        from helpdesk.jobs.models import OutboxMessage

        queued = session.exec(
            select(OutboxMessage).where(OutboxMessage.actor_name == RESOLVE_JOB)
        ).all()
        assert len(queued) == len(jobs) == 1
    web.client.app.state.jobs.start_worker()
    web.client.app.state.jobs.join()
    with web.session() as session:
        refreshed = session.get(Ticket, ticket.id)
        assert refreshed is not None and refreshed.status == Status.RESOLVED
        assert _count(session, Message, ticket_id=ticket.id, kind=MessageKind.PUBLIC_REPLY) == 1


def test_mass_resolution_skips_what_the_resolver_may_not_answer_and_says_why(session):
    manager = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    advisor = make_agent(session)
    incident = _incident(session, manager)
    at_ccc = make_ticket(session, requester_email="ccc@example.org")
    moved = make_ticket(session, requester_email="moved@example.org")
    twin = make_ticket(session, requester_email="moved@example.org")
    session.commit()
    ids = [at_ccc.id, moved.id, twin.id]
    link_tickets(session, incident_id=incident.id, ticket_ids=ids, actor=manager)
    # Before the resolution, one ticket goes up to SDANF (out of the manager's reach) and
    # another is merged into it.
    merge(session, source_id=twin.id, target_reference=moved.reference, actor=advisor)
    hand_over(session, ticket_id=moved.id, to_queue_code="sdanf", actor=advisor, **SUMMARY)
    session.commit()
    resolve_incident(session, incident_id=incident.id, form=_resolution(), actor=manager)
    session.commit()
    run_jobs(session, RESOLVE_JOB)
    session.expire_all()
    outcomes = {link.ticket_id: link.outcome for link in session.exec(select(IncidentTicket))}
    assert outcomes == {
        at_ccc.id: LinkOutcome.NOTIFIED,
        moved.id: LinkOutcome.NOT_ALLOWED,
        twin.id: LinkOutcome.MERGED,
    }
    reply = session.exec(
        select(Message).where(
            Message.ticket_id == at_ccc.id, Message.kind == MessageKind.PUBLIC_REPLY
        )
    ).one()
    assert reply.author_label.startswith("CCC")  # on behalf of the owner queue
    assert session.get(Ticket, moved.id).status != Status.RESOLVED
    assert _count(session, Message, ticket_id=moved.id, kind=MessageKind.PUBLIC_REPLY) == 0
    assert all(outcome in LINK_OUTCOME_LABELS for outcome in outcomes.values())
