"""The words of generated tickets: French subjects, message fragments, names and rare words.

Texts are built by joining fragments with spaces, so a ticket's search document is the
join of each fragment's tokens (computed once per fragment, see helpdesk.volume.stories).
"""

from __future__ import annotations

# The common word of the benchmark ("attestation" is in a large share of the tickets).
COMMON_WORD = "attestation"
# Words that appear in about one ticket in RARE_EVERY (the benchmark searches the first).
RARE_WORDS = ("kafala", "apatridie", "Wallis-et-Futuna", "tétraplégie", "Saint-Barthélemy")
RARE_EVERY = 5_000

SUBJECTS: dict[str, tuple[str, ...]] = {
    "vls-ts": ("Validation du VLS-TS impossible", "Taxe du visa long séjour refusée"),
    "etudiant": (
        "Renouvellement du titre étudiant",
        "Attestation de prolongation du titre étudiant",
        "Titre disponible sans SMS",
    ),
    "autorisation-travail": (
        "Autorisation de travail en attente",
        "Employeur bloqué sur la demande d'autorisation",
    ),
    "passeport-talent": ("Passeport talent : pièce refusée", "Délai du passeport talent"),
    "visiteur": ("Titre visiteur : justificatif de ressources",),
    "changement-situation": ("Changement d'adresse", "Erreur d'état civil sur le titre"),
    "duplicata": ("Duplicata après vol du titre", "Déclaration de perte du titre de séjour"),
    "protection-internationale": ("Carte de réfugié en attente", "Document de voyage réfugié"),
    "dcem-tve": ("DCEM pour mon enfant", "Titre de voyage pour étranger"),
    "vie-privee-familiale": (
        "Attestation de prolongation expirée",
        "Renouvellement vie privée et familiale",
    ),
    "citoyen-ue": ("Carte de séjour citoyen UE",),
    "carte-resident": ("Demande de carte de résident", "Carte de résident : rendez-vous"),
    "naturalisation-decret": (
        "Délai de naturalisation",
        "Entretien d'assimilation non programmé",
        "Statut de la demande de naturalisation illisible",
    ),
    "naturalisation-declaration": ("Déclaration de nationalité par mariage",),
    "asile": ("Attestation de demande d'asile",),
    "ofii": ("Visite médicale OFII", "Signature du contrat d'intégration"),
    "compte": (
        "Mot de passe oublié",
        "Connexion impossible à mon compte ANEF",
        "FranceConnect ne fonctionne pas",
    ),
}

OPENINGS = ("Bonjour,", "Bonjour Madame, Monsieur,", "Madame, Monsieur,", "Bonsoir,")
PROBLEMS = (
    "mon attestation de prolongation d'instruction a expiré et je n'ai pas reçu la nouvelle.",
    "je n'arrive plus à me connecter à mon compte, le lien de réinitialisation ne marche pas.",
    "mon titre est indiqué disponible mais je n'ai reçu aucun SMS pour le rendez-vous.",
    "j'ai déposé ma demande il y a plusieurs mois et le statut ne change pas.",
    "on me demande des pièces complémentaires que j'ai déjà envoyées.",
    "je ne peux pas corriger une erreur dans ma demande après l'avoir déposée.",
    "deux démarches ne peuvent pas être faites en même temps sur mon espace.",
    "le timbre fiscal n'est pas accepté par le formulaire.",
    "j'ai déménagé et je dois déclarer ma nouvelle adresse.",
    "mon titre de séjour a été volé et je dois demander un duplicata.",
    "l'attestation de dépôt ne suffit pas pour mon employeur.",
    "le document téléversé est illisible selon la préfecture.",
    "mon récépissé de complétude date de plus de dix-huit mois.",
    "je n'ai pas reçu de convocation pour l'entretien d'assimilation.",
)
DETAILS = (
    "Mon employeur me demande un justificatif de séjour régulier.",
    "Je dois voyager le mois prochain pour raisons familiales.",
    "Ma caisse d'allocations familiales a suspendu mes droits.",
    "J'ai appelé la préfecture plusieurs fois sans réponse.",
    "Mon numéro étranger figure sur mon ancien récépissé.",
    "Je joins une copie de mon passeport et de mon justificatif de domicile.",
    "Mon conjoint est de nationalité française.",
    "Je suis étudiant en master à l'université.",
    "Le site affiche une erreur technique à chaque tentative.",
    "Mon contrat de travail commence dans deux semaines.",
)
RARE_SENTENCE = "Ma situation relève de la {word}, je ne trouve pas la rubrique."
CLOSINGS = ("Merci d'avance.", "Cordialement.", "Merci de votre aide.", "Bien à vous.")

REPLIES = (
    "Bonjour, votre identifiant est votre numéro étranger à dix chiffres.",
    "Bonjour, une nouvelle attestation de prolongation a été générée sur votre espace.",
    "Bonjour, votre demande est en cours d'instruction par la préfecture.",
    "Bonjour, merci de téléverser à nouveau le document dans un format lisible.",
    "Bonjour, le rendez-vous de remise du titre se prend depuis le lien reçu par SMS.",
    "Bonjour, la déclaration de changement d'adresse se fait depuis votre espace.",
)
REQUESTER_ANSWERS = (
    "Merci, je viens d'envoyer le document demandé.",
    "Je n'ai toujours rien reçu, pouvez-vous vérifier ?",
    "Voici mon numéro de demande, merci de regarder.",
)
ESCALATION_REASONS = (
    "Anomalie technique sur le dossier.",
    "Attestation non régénérée alors que le dossier est complet.",
    "Question réglementaire hors du périmètre du CCC.",
    "Statut bloqué malgré les vérifications.",
)
CHECKED = (
    "Dossier complet, déposé à temps ; compte vérifié.",
    "Identité et numéro étranger vérifiés, aucune anomalie visible.",
    "Fiche de la base de connaissances appliquée sans résultat.",
)
QUESTIONS = (
    "Pouvez-vous relancer la génération de l'attestation ?",
    "L'usager garde-t-il son droit au travail pendant l'instruction ?",
    "Où en est l'instruction du dossier ?",
    "Pouvez-vous débloquer le statut de la demande ?",
)
ANSWERS = (
    "Attestation régénérée, l'usager peut la télécharger.",
    "Le droit au travail est maintenu pendant l'instruction.",
    "Le dossier est en contrôle, décision attendue sous deux mois.",
    "Statut corrigé après intervention technique.",
)

FIRST_NAMES = (
    "Amina",
    "Mohamed",
    "Fatoumata",
    "Ivan",
    "Olena",
    "Li",
    "Carlos",
    "Aïcha",
    "Youssef",
    "Mariam",
    "Ahmed",
    "Sofia",
    "Nguyen",
    "Kofi",
    "Élodie",
    "Rahul",
    "Leila",
    "Samir",
    "Anastasia",
    "Jean",
    "Grace",
    "Omar",
    "Hana",
    "Diego",
)
LAST_NAMES = (
    "Diallo",
    "Benali",
    "Traoré",
    "Petrenko",
    "Kowalski",
    "Wang",
    "Garcia",
    "Haddad",
    "Nguyen",
    "Mensah",
    "Kumar",
    "Rossi",
    "Cissé",
    "Bouzid",
    "Silva",
    "Ivanova",
    "Okafor",
    "Mbarga",
    "Chen",
    "Fernandes",
    "Sow",
    "Kaya",
)
DOMAINS = ("example.org", "example.net", "courriel.example", "mail.example")
