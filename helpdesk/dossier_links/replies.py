"""Proposed public replies when a dossier reaches a title, a decision or a request for documents."""

from __future__ import annotations

SIGNATURE = "\n\nCordialement,\nLe centre de contact citoyen ANEF"

OPENINGS = {
    "titre_disponible": (
        "Votre titre de séjour (demande n° {number}) est disponible. Vous allez recevoir un SMS "
        "vous invitant à prendre rendez-vous pour le retirer ; présentez-vous au rendez-vous "
        "muni(e) du timbre fiscal correspondant. Si vous n'avez reçu aucun SMS d'ici quelques "
        "jours, répondez simplement à ce message."
    ),
    "decision_favorable": (
        "Une décision favorable a été prise sur votre demande n° {number}. L'attestation de "
        "décision favorable est disponible dans votre espace ANEF. Votre titre va être fabriqué : "
        "vous serez prévenu(e) par SMS lorsqu'il sera disponible."
    ),
    "decision_defavorable": (
        "Une décision a été prise sur votre demande n° {number}. Elle vous a été notifiée avec "
        "les voies et délais de recours ; vous pouvez la consulter dans votre espace ANEF."
    ),
    "decision_negative": (
        "Une décision a été prise sur votre demande de naturalisation n° {number}. Elle vous a "
        "été notifiée ; un recours administratif préalable (RAPO) est possible dans les délais "
        "qu'elle indique."
    ),
    "decret_publie": (
        "Le décret vous accordant la nationalité française (dossier n° {number}) a été publié. "
        "Vous recevrez un courrier vous indiquant les prochaines étapes."
    ),
    "complements_demandes": (
        "Des documents complémentaires vous sont demandés pour votre demande n° {number}. "
        "Consultez la liste dans votre espace ANEF et déposez-les avant la date indiquée : "
        "l'instruction reprendra dès leur réception."
    ),
}


def proposed_reply(*, status: str, number: str, requester_name: str) -> str | None:
    """The canned public reply for a dossier that reached this status, if there is one."""
    opening = OPENINGS.get(status)
    if opening is None:
        return None
    greeting = f"Bonjour {requester_name}," if requester_name else "Madame, Monsieur,"
    return f"{greeting}\n\n{opening.format(number=number)}{SIGNATURE}"
