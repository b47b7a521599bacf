"""A handful of demo tickets spread over the chain, for `make run`."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.auth.models import Agent
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import Channel, MessageKind, Status
from helpdesk.tickets.schemas import NewTicket
from helpdesk.tickets.service import add_message, change_status, create_ticket

DEMO_REQUESTS = (
    (
        "Attestation de prolongation expirée",
        "vie-privee-familiale",
        "Mon attestation de "
        "prolongation d'instruction a expiré hier et je n'ai pas reçu la nouvelle. Mon employeur "
        "me la demande, que dois-je faire ?",
    ),
    (
        "Mot de passe oublié",
        "compte",
        "Je n'arrive plus à me connecter à mon compte ANEF, "
        "le lien de réinitialisation ne marche pas.",
    ),
    (
        "Titre disponible sans SMS",
        "etudiant",
        "Sur mon espace il est écrit que mon titre est "
        "disponible mais je n'ai reçu aucun SMS pour le rendez-vous.",
    ),
    (
        "Délai de naturalisation",
        "naturalisation-decret",
        "J'ai reçu mon récépissé de complétude "
        "il y a 20 mois et je n'ai toujours pas de nouvelles de ma demande de naturalisation.",
    ),
    (
        "Changement d'adresse",
        "changement-situation",
        "J'ai déménagé à Lyon, comment déclarer ma "
        "nouvelle adresse sans refaire toute ma demande ?",
    ),
)


def create_demo_tickets(session: Session) -> None:
    """Create the demo tickets and move some of them along the chain."""
    advisor = _agent(session, "conseiller@ccc.demo")
    dp_agent = _agent(session, "agent@dp-anef.demo")
    tickets = []
    for index, (subject, procedure, body) in enumerate(DEMO_REQUESTS):
        data = NewTicket(
            channel=Channel.FORM if index % 2 == 0 else Channel.PHONE,
            subject=subject,
            body=body,
            requester_name=f"Usager de démonstration {index + 1}",
            requester_email=f"usager{index + 1}@example.org",
            procedure=procedure,
        )
        tickets.append(create_ticket(session, data=data))
    session.flush()
    first, second, third = tickets[0], tickets[1], tickets[3]
    hand_over(
        session,
        ticket_id=first.id,  # type: ignore[arg-type]
        to_queue_code="dp-anef",
        reason="Attestation non régénérée alors que le dossier est complet et déposé à temps.",
        checked="Dossier complet, déposé 90 jours avant l'échéance ; compte vérifié.",
        question="Pouvez-vous relancer la génération de l'attestation ?",
        actor=advisor,
    )
    hand_over(
        session,
        ticket_id=first.id,  # type: ignore[arg-type]
        to_queue_code="sdst",
        reason="Question réglementaire sur la durée de validité.",
        checked="Aucune anomalie technique sur le dossier.",
        question="L'usager garde-t-il son droit au travail pendant l'instruction ?",
        actor=dp_agent,
    )
    add_message(
        session,
        ticket_id=second.id,  # type: ignore[arg-type]
        kind=MessageKind.PUBLIC_REPLY,
        body="Bonjour, votre identifiant est votre numéro étranger (10 chiffres).",
        actor=advisor,
    )
    change_status(session, ticket_id=second.id, status=Status.RESOLVED, actor=advisor)  # type: ignore[arg-type]
    hand_over(
        session,
        ticket_id=third.id,  # type: ignore[arg-type]
        to_queue_code="sdanf",
        reason="Question métier sur l'avancement NATALI.",
        checked="Récépissé de complétude reçu il y a 20 mois.",
        question="Où en est l'instruction du dossier ?",
        actor=advisor,
    )


def _agent(session: Session, email: str) -> Agent:
    """A demo agent by e-mail."""
    return session.exec(select(Agent).where(Agent.email == email)).one()
