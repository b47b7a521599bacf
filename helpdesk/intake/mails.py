"""E-mails of the public intake, in the requester's language."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.i18n import N_, t
from helpdesk.notifications.service import queue_mail
from helpdesk.tickets.models import Ticket

ACK_SUBJECT = N_("Votre demande %(reference)s a bien été reçue")
ACK_BODY = N_(
    "Bonjour,\n\n"
    "Nous avons bien reçu votre demande « %(subject)s ». Sa référence est %(reference)s.\n\n"
    "Un conseiller du centre de contact vous répondra dans les meilleurs délais. "
    "Vous pouvez suivre votre demande, lire nos réponses et nous écrire à cette adresse :\n\n"
    "%(url)s\n\n"
    "Ce lien est personnel : ne le transmettez à personne. "
    "Il reste valable un an après la clôture de votre demande.\n\n"
    "Ceci est un message automatique : merci de ne pas y répondre.\n\n"
    "Cordialement,\n"
    "Le centre de contact citoyen ANEF"
)


NEW_LINK_SUBJECT = N_("Nouveau lien de suivi pour votre demande %(reference)s")
NEW_LINK_BODY = N_(
    "Bonjour,\n\n"
    "À votre demande ou par précaution, le centre de contact a remplacé le lien de suivi de "
    "votre demande « %(subject)s » (référence %(reference)s). L'ancien lien ne fonctionne "
    "plus. Voici le nouveau :\n\n"
    "%(url)s\n\n"
    "Ce lien est personnel : ne le transmettez à personne.\n\n"
    "Ceci est un message automatique : merci de ne pas y répondre.\n\n"
    "Cordialement,\n"
    "Le centre de contact citoyen ANEF"
)


def queue_new_link(session: Session, *, ticket: Ticket, url: str) -> None:
    """Queue the e-mail carrying a re-issued follow-up link, in the ticket's language."""
    _queue_link_mail(session, ticket, url, subject=NEW_LINK_SUBJECT, body=NEW_LINK_BODY)


def queue_acknowledgement(session: Session, *, ticket: Ticket, url: str) -> None:
    """Queue the acknowledgement (reference and follow-up link) in the ticket's language."""
    _queue_link_mail(session, ticket, url, subject=ACK_SUBJECT, body=ACK_BODY)


def _queue_link_mail(
    session: Session, ticket: Ticket, url: str, *, subject: str, body: str
) -> None:
    """Queue an e-mail to the requester that carries their follow-up link (none without an
    address); `subject` and `body` are message ids with %(reference)s, %(subject)s, %(url)s."""
    if not ticket.requester_email:
        return
    lang = ticket.language
    queue_mail(
        session,
        recipient=ticket.requester_email,
        subject=t(lang, subject, reference=ticket.reference),
        body=t(lang, body, subject=ticket.subject, reference=ticket.reference, url=url),
        ticket_id=ticket.id,
    )
