"""Routing at creation: the chain's default rules, history lines, classification, assignment."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.auth.models import OrganisationKind, Role
from helpdesk.kb.transfer import import_seed
from helpdesk.ticket_routing import assignment, rules_store
from helpdesk.ticket_routing.models import AssignmentMode, TicketClassification, TicketTag
from helpdesk.ticket_routing.service import dry_run
from helpdesk.tickets.models import Queue
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import create_ticket
from routing.classification import AUTO_APPLY_CONFIDENCE

from factories import make_agent
from support.routing import events_of, make_site, routed_ticket


def queue_code(session: Session, queue_id: int) -> str:
    return session.get(Queue, queue_id).code  # type: ignore[union-attr]


def test_referent_natali_tickets_go_to_dp_anef_with_the_rule_in_history(session: Session):
    site = make_site(session, "natali-rennes", OrganisationKind.PLATFORM)
    referent = make_agent(session, role=Role.REFERENT, organisation="ccc", queues=(), site=None)
    data = NewTicket(
        channel="referent",
        subject="Anomalie NATALI",
        body="Le dossier ne s'ouvre pas",
        site_id=site.id,
    )
    ticket = create_ticket(session, data=data, actor=referent)
    session.commit()
    from helpdesk.ticket_routing.service import route_ticket

    route_ticket(session, ticket_id=ticket.id, trigger="created")
    session.commit()
    session.refresh(ticket)
    assert queue_code(session, ticket.queue_id) == "dp-anef"
    assert ticket.owner_queue_id == ticket.queue_id  # DP ANEF talks to the référent
    routed = events_of(session, ticket, "routed")
    assert [(e.from_value, e.to_value, e.reason) for e in routed] == [
        ("ccc", "dp-anef", "Règle « Référent NATALI → DP ANEF »")
    ]
    assert routed[0].data["rule_id"] is not None


def test_referent_sejour_goes_to_dp_anef(session: Session):
    site = make_site(session, "pref-67", OrganisationKind.PREFECTURE)
    ticket = routed_ticket(
        session, channel="referent", site_id=site.id, subject="Incident de remise"
    )
    assert queue_code(session, ticket.queue_id) == "dp-anef"


def test_usager_stays_at_the_ccc_and_the_decision_is_recorded(session: Session):
    ticket = routed_ticket(session)
    assert queue_code(session, ticket.queue_id) == "ccc"
    reasons = [e.reason for e in events_of(session, ticket, "routed")]
    assert reasons == [
        "Règle « Attestation de prolongation : étiquette »",
        "Règle « Usager → CCC »",
    ]


def test_naturalisation_metier_question_is_escalated_to_sdanf_owner_stays_ccc(session: Session):
    ticket = routed_ticket(
        session,
        procedure="naturalisation-decret",
        subject="Ajournement de ma demande",
        body="J'ai reçu un ajournement de deux ans, puis-je faire un RAPO ?",
    )
    assert queue_code(session, ticket.queue_id) == "sdanf"
    assert queue_code(session, ticket.owner_queue_id) == "ccc"


def test_tags_from_a_continuing_rule(session: Session):
    ticket = routed_ticket(session, body="Mon attestation de prolongation a expiré hier.")
    tags = session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket.id)).all()
    assert tags == ["attestation-prolongation"]


def test_text_without_procedure_gets_a_suggestion(session: Session):
    import_seed(session)  # the wiki's titles and tags are the labelled examples
    ticket = routed_ticket(
        session,
        procedure=None,
        category="autre",
        subject="Mot de passe oublié",
        body="Je n'arrive plus à me connecter à mon compte ANEF, mot de passe oublié.",
    )
    row = session.get(TicketClassification, ticket.id)
    assert row is not None and row.procedure == "compte"
    assert row.category == "compte"
    confident = row.procedure_confidence >= AUTO_APPLY_CONFIDENCE
    assert ticket.procedure == ("compte" if confident else None)
    assert ticket.category == "compte"  # the motif "autre" is replaced when sure enough
    assert "Motif déduit du texte" in events_of(session, ticket, "classified")[-1].reason


def test_a_ticket_with_its_procedure_is_not_classified(session: Session):
    ticket = routed_ticket(session, procedure="etudiant", category="attestation")
    assert session.get(TicketClassification, ticket.id) is None


def test_round_robin_among_available_members_only(session: Session):
    ccc = session.exec(select(Queue).where(Queue.code == "ccc")).one()
    first, second, away = (make_agent(session) for _ in range(3))
    assignment.set_available(session, agent=away, available=False)
    assignment.set_assignment_mode(session, queue_id=ccc.id, mode=AssignmentMode.ROUND_ROBIN)
    session.commit()
    owners = [routed_ticket(session).assignee_id for _ in range(3)]
    assert owners == [first.id, second.id, first.id]


def test_least_loaded_gives_to_the_member_with_fewest_tickets(session: Session):
    ccc = session.exec(select(Queue).where(Queue.code == "ccc")).one()
    busy, free = make_agent(session), make_agent(session)
    assignment.set_assignment_mode(session, queue_id=ccc.id, mode=AssignmentMode.LEAST_LOADED)
    session.commit()
    for _ in range(2):
        ticket = routed_ticket(session)
        ticket.assignee_id = busy.id
        session.add(ticket)
        session.commit()
    assert routed_ticket(session).assignee_id == free.id


def test_manual_queues_leave_tickets_unassigned(session: Session):
    make_agent(session)
    session.commit()
    assert routed_ticket(session).assignee_id is None


def test_dry_run_on_a_text_and_on_a_ticket_changes_nothing(session: Session):
    admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=("dp-anef",))
    result = dry_run(
        session, agent=admin, subject="Référent", message="Incident", requester="referent-sejour"
    )
    assert result.queue == "dp-anef"
    verdicts = {rule.name: verdict for rule, verdict, _held in result.trace}
    assert verdicts["Référent séjour → DP ANEF"] == "déclenchée"
    assert verdicts["Usager → CCC"] == "non évaluée (arrêt)"
    ticket = routed_ticket(session)
    before = len(events_of(session, ticket, "routed"))
    assert dry_run(session, agent=admin, reference=ticket.reference).queue == "ccc"
    assert len(events_of(session, ticket, "routed")) == before


def first_rule(session: Session, *, name: str, conditions: str, actions: str) -> None:
    """Save a rule through the editor's service and move it before the seeded ones."""
    admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=("dp-anef",))
    row = rules_store.save_rule(
        session,
        rule_id=None,
        name=name,
        conditions=conditions,
        actions=actions,
        match_all=True,
        stop=False,
        enabled=True,
        actor=admin,
    )
    for _ in range(6):
        rules_store.move_rule(session, rule_id=row.id, direction=-1)
    session.commit()


def test_a_saved_rule_applies_to_the_next_ticket(session: Session):
    first_rule(
        session,
        name="Titres volés en urgence",
        conditions="texte contient vol",
        actions="priorité = urgente\nnote = Vérifier la déclaration de vol",
    )
    ticket = routed_ticket(session, body="Mon titre de séjour a fait l'objet d'un vol.")
    assert ticket.priority == "urgent"
    assert queue_code(session, ticket.queue_id) == "ccc"


def test_rules_read_the_dossier_status_an_event_brings(session: Session):
    from datetime import UTC, datetime

    from dossiers.model import DossierEvent
    from helpdesk.dossier_links.events import receive_event
    from helpdesk.jobs.models import OutboxMessage
    from helpdesk.ticket_routing.service import route_ticket

    first_rule(
        session,
        name="Titre disponible en priorité",
        conditions="dossier = titre_disponible",
        actions="priorité = haute",
    )
    ticket = routed_ticket(session, dossier_number="9403202606060001234")
    assert ticket.priority == "normal"  # no dossier service here: the status is unknown

    event = DossierEvent(
        event_id="evt-titre-0001",
        occurred_at=datetime.now(UTC),
        dossier_number="9403202606060001234",
        procedure="etudiant",
        from_status="titre_en_fabrication",
        to_status="titre_disponible",
    )
    receive_event(session, event=event)
    session.commit()
    jobs = [
        o.payload
        for o in session.exec(select(OutboxMessage))
        if o.actor_name == "routing.ticket_changed" and o.payload.get("trigger") == "fields"
    ]
    assert jobs == [
        {"ticket_id": ticket.id, "trigger": "fields", "dossier_status": "titre_disponible"}
    ]
    route_ticket(
        session, ticket_id=ticket.id, **{k: v for k, v in jobs[0].items() if k != "ticket_id"}
    )  # type: ignore[arg-type]
    session.commit()
    assert ticket.priority == "high"
