"""The demo éléments de langage: replies the CCC and DP ANEF use every day, in French and English.

Their content follows the knowledge base (renewal window, attestation de prolongation
d'instruction, card collection by appointment with the tax stamp, naturalisation delays…);
they promise no date and never ask for a password. Idempotent: a title already present in
an organisation is left as its supervisors edited it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from helpdesk.auth.models import Organisation
from helpdesk.tickets.models import CannedResponse

SEED_ORGANISATIONS = ("ccc", "dp-anef")
SIGNATURE_FR = "Cordialement,\n{conseiller}\nCentre de contact citoyen – ANEF"
SIGNATURE_EN = "Kind regards,\n{conseiller}\nCitizen contact centre – ANEF"


@dataclass(frozen=True)
class Element:
    """One demo élément de langage (a macro when it sets a status, a priority or tags)."""

    title: str
    folder: str
    language: str
    body: str
    macro_status: str | None = None
    macro_priority: str | None = None
    macro_tags: str = ""


def _fr(text: str) -> str:
    """A French reply: greeting, text, signature."""
    return f"Bonjour {{nom}},\n\n{text}\n\n{SIGNATURE_FR}"


def _en(text: str) -> str:
    """An English reply: greeting, text, signature."""
    return f"Dear {{nom}},\n\n{text}\n\n{SIGNATURE_EN}"


FRENCH = (
    Element(
        "Accusé de réception de votre demande",
        "Relances",
        "fr",
        _fr(
            "Nous avons bien reçu votre demande, enregistrée sous la référence {reference}. "
            "Elle est en cours de traitement : nous revenons vers vous dès que possible. "
            "Merci de rappeler cette référence dans vos prochains échanges."
        ),
        macro_status="open",
    ),
    Element(
        "Demande d'informations complémentaires",
        "Relances",
        "fr",
        _fr(
            "Afin de traiter votre demande {reference}, pourriez-vous nous indiquer votre "
            "numéro étranger (10 chiffres, inscrit sur votre titre de séjour ou votre récépissé) "
            "et votre numéro de demande ? Ne nous communiquez jamais votre mot de passe."
        ),
        macro_status="waiting",
        macro_tags="informations-demandees",
    ),
    Element(
        "Relance sans réponse de l'usager",
        "Relances",
        "fr",
        _fr(
            "Sauf erreur de notre part, nous n'avons pas reçu votre réponse à notre précédent "
            "message concernant la demande {reference}. Sans retour de votre part, nous "
            "considérerons votre demande comme résolue. Vous pourrez toujours nous écrire "
            "en rappelant cette référence."
        ),
        macro_status="waiting",
        macro_tags="relance",
    ),
    Element(
        "Clôture après résolution",
        "Relances",
        "fr",
        _fr(
            "Nous sommes heureux d'avoir pu répondre à votre demande {reference}, que nous "
            "considérons désormais comme résolue. Si votre question n'est pas entièrement "
            "réglée, répondez simplement à ce message."
        ),
        macro_status="resolved",
    ),
    Element(
        "Où en est mon dossier ?",
        "Titres de séjour",
        "fr",
        _fr(
            "Votre dossier {numero_dossier} ({teleprocedure}) est actuellement au statut "
            "suivant : {statut_dossier}. Les délais d'instruction varient d'une préfecture "
            "à l'autre et nous ne pouvons pas vous donner de date. Pensez à consulter "
            "régulièrement votre espace personnel et à répondre rapidement à toute demande "
            "de compléments."
        ),
    ),
    Element(
        "Attestation de prolongation d'instruction",
        "Titres de séjour",
        "fr",
        _fr(
            "L'attestation de prolongation d'instruction prouve la régularité de votre séjour "
            "pendant l'examen de votre demande. Elle est délivrée lorsque la demande est "
            "complète et a été déposée dans les délais, pour 3 mois au plus, et elle est "
            "renouvelée tant qu'aucune décision n'a été prise. Vous la trouverez dans votre "
            "espace personnel, au format PDF. Si elle n'y apparaît pas alors que votre "
            "dossier est complet et déposé à temps, nous transmettons votre situation au "
            "service compétent."
        ),
    ),
    Element(
        "Quand déposer un renouvellement",
        "Titres de séjour",
        "fr",
        _fr(
            "La demande de renouvellement se dépose en ligne entre 120 et 60 jours avant la "
            "date d'expiration de votre titre. Une demande complète déposée dans ce délai "
            "vous permet d'obtenir une attestation de prolongation d'instruction. En cas de "
            "dépôt tardif, un droit de visa de régularisation de 180 € peut vous être réclamé."
        ),
    ),
    Element(
        "Demande déposée : aucune modification possible",
        "Titres de séjour",
        "fr",
        _fr(
            "Une fois déposée, une demande ne peut plus être corrigée ni complétée par "
            "vous-même. Ne déposez pas une seconde demande : deux démarches ne peuvent pas "
            "être en cours en même temps. Si la préfecture a besoin de pièces, une demande de "
            "compléments apparaîtra dans votre espace personnel. Nous signalons l'erreur "
            "que vous nous avez décrite au service compétent."
        ),
    ),
    Element(
        "Titre disponible : remise sur rendez-vous",
        "Rendez-vous",
        "fr",
        _fr(
            "Lorsque votre titre est disponible, un SMS vous l'indique avec le montant de la "
            "taxe à acquitter. La remise se fait uniquement sur rendez-vous en préfecture. "
            "Apportez le timbre fiscal électronique, votre passeport et votre titre actuel "
            "ou votre attestation. Le timbre fiscal est valable 6 mois après son achat."
        ),
    ),
    Element(
        "Titre fabriqué mais SMS non reçu",
        "Rendez-vous",
        "fr",
        _fr(
            "Si votre espace indique « titre disponible » sans que vous ayez reçu de SMS, le "
            "message est peut-être parti vers un ancien numéro : vérifiez le numéro de "
            "téléphone enregistré dans votre compte. En attendant la remise, l'attestation de "
            "décision favorable prouve la régularité de votre séjour."
        ),
    ),
    Element(
        "Mot de passe oublié ou compte bloqué",
        "Compte ANEF",
        "fr",
        _fr(
            "Vous pouvez choisir vous-même un nouveau mot de passe grâce au lien prévu sur la "
            "page de connexion. Votre identifiant est votre numéro étranger. Si vous vous "
            "connectez par FranceConnect, le mot de passe est celui du service choisi. Ne "
            "communiquez jamais votre mot de passe, même à un conseiller."
        ),
        macro_status="resolved",
        macro_tags="compte",
    ),
    Element(
        "Changement d'adresse",
        "Compte ANEF",
        "fr",
        _fr(
            "Vous déclarez votre nouvelle adresse depuis votre espace personnel, rubrique "
            "« Je déclare un changement ». Une attestation confirme ensuite votre déclaration. "
            "Il n'est pas nécessaire de faire refaire votre carte pour y faire figurer la "
            "nouvelle adresse."
        ),
    ),
    Element(
        "Délais de naturalisation",
        "Naturalisation",
        "fr",
        _fr(
            "L'administration dispose de 18 mois pour se prononcer sur une demande de "
            "naturalisation, à compter du récépissé de complétude (12 mois si vous résidez en "
            "France depuis plus de 10 ans). Ce délai peut être prolongé une fois de 3 mois. "
            "Votre dossier est actuellement au statut : {statut_dossier}. Il est normal qu'une "
            "même étape reste affichée plusieurs mois."
        ),
    ),
    Element(
        "Préparer l'entretien d'assimilation",
        "Naturalisation",
        "fr",
        _fr(
            "L'entretien d'assimilation a lieu à la préfecture ou à la plateforme de "
            "naturalisation indiquée sur votre convocation. Lisez-la en entier, apportez les "
            "originaux demandés et une pièce d'identité. Si vous ne pouvez pas vous présenter, "
            "prévenez au plus tôt le service indiqué sur la convocation."
        ),
    ),
    Element(
        "Transmission au service compétent",
        "Relances",
        "fr",
        _fr(
            "Votre demande {reference} nécessite l'examen d'un service spécialisé, auquel nous "
            "l'avons transmise. Nous reviendrons vers vous dès que nous aurons sa réponse. "
            "Inutile de renouveler votre demande entre-temps."
        ),
        macro_priority="high",
        macro_tags="transmis",
    ),
)

ENGLISH = (
    Element(
        "Acknowledgement of your request",
        "Relances",
        "en",
        _en(
            "We have received your request, registered under reference {reference}. We are "
            "dealing with it and will get back to you as soon as possible. Please quote this "
            "reference in any further message."
        ),
        macro_status="open",
    ),
    Element(
        "Request for further information",
        "Relances",
        "en",
        _en(
            "To deal with your request {reference}, could you please send us your foreign "
            "national number (10 digits, printed on your residence permit or récépissé) and "
            "your application number? Never send us your password."
        ),
        macro_status="waiting",
        macro_tags="informations-demandees",
    ),
    Element(
        "Reminder: no reply received",
        "Relances",
        "en",
        _en(
            "We have not received your reply to our previous message about request "
            "{reference}. Without an answer from you, we will consider your request resolved. "
            "You can still write to us at any time, quoting this reference."
        ),
        macro_status="waiting",
        macro_tags="relance",
    ),
    Element(
        "Application status",
        "Titres de séjour",
        "en",
        _en(
            "Your application {numero_dossier} currently shows the following status: "
            "{statut_dossier}. Processing times vary from one préfecture to another and we "
            "cannot give you a date. Please check your personal space regularly and answer "
            "any request for further documents quickly."
        ),
    ),
    Element(
        "Extension certificate",
        "Titres de séjour",
        "en",
        _en(
            "The extension certificate (attestation de prolongation d'instruction) proves that "
            "you are lawfully staying in France while your application is examined. It is "
            "issued when your application is complete and was filed on time, is valid for up "
            "to 3 months and is renewed until a decision is made. You can download it from "
            "your personal space."
        ),
    ),
    Element(
        "When to apply for a renewal",
        "Titres de séjour",
        "en",
        _en(
            "Please apply online between 120 and 60 days before your current residence permit "
            "expires. A complete application filed within this window gives you the right to "
            "an extension certificate. If you apply late, you may have to pay a 180 EUR "
            "regularisation fee."
        ),
    ),
    Element(
        "Card ready: collection by appointment",
        "Rendez-vous",
        "en",
        _en(
            "When your card is ready, you receive an SMS giving the amount of the tax to pay. "
            "You collect the card at the préfecture, by appointment only. Please bring the "
            "electronic tax stamp, your passport and your current documents. A tax stamp is "
            "valid for 6 months after purchase."
        ),
    ),
    Element(
        "Forgotten password",
        "Compte ANEF",
        "en",
        _en(
            "You can choose a new password yourself with the link on the sign-in page. Your "
            "login is your foreign national number. If you sign in with FranceConnect, the "
            "password is the one of the service you chose. Never give your password to "
            "anyone, not even to an adviser."
        ),
        macro_status="resolved",
        macro_tags="compte",
    ),
    Element(
        "Request resolved",
        "Relances",
        "en",
        _en(
            "We are glad we could answer your request {reference}, which we now consider "
            "resolved. If your question is not fully settled, simply reply to this message."
        ),
        macro_status="resolved",
    ),
)

ELEMENTS = FRENCH + ENGLISH


def seed_canned_responses(session: Session) -> int:
    """Create the demo éléments de langage missing in the CCC and DP ANEF; answers how many."""
    created = 0
    for code in SEED_ORGANISATIONS:
        organisation = session.exec(select(Organisation).where(Organisation.code == code)).first()
        if organisation is None:
            continue
        have = set(
            session.exec(
                select(CannedResponse.title).where(
                    CannedResponse.organisation_id == organisation.id
                )
            )
        )
        for element in ELEMENTS:
            if element.title in have:
                continue
            session.add(_response(element, organisation.id or 0))
            created += 1
    session.flush()
    return created


def _response(element: Element, organisation_id: int) -> CannedResponse:
    """The row of one demo element."""
    return CannedResponse(
        title=element.title,
        body=element.body,
        organisation_id=organisation_id,
        folder=element.folder,
        language=element.language,
        macro_status=element.macro_status,
        macro_priority=element.macro_priority,
        macro_tags=element.macro_tags,
    )
