"""Word lists of the suggestion engine's query analysis: abbreviations, synonyms, translations.

All entries are written folded (lowercase, no accents) except where noted; they
describe everyday French and English, not the wording of any particular question.
Stop words belong to the shared normalisation (knowledge_base.text).
"""

from __future__ import annotations

# SMS spellings and abbreviations of general usage -> full folded words.
# fmt: off
ABBREVIATIONS: dict[str, str] = {
    # greetings and fillers
    "slt": "salut", "bjr": "bonjour", "bsr": "bonsoir", "cdt": "cordialement",
    "cdlt": "cordialement", "mrc": "merci", "mci": "merci", "stp": "svp", "plz": "please",
    "pls": "please", "thx": "thanks",
    # SMS grammar words
    "c": "c est", "ct": "c etait", "g": "j ai", "jai": "j ai", "ke": "que", "koi": "quoi",
    "kan": "quand", "kand": "quand", "ki": "qui", "kel": "quel", "kelle": "quelle",
    "kesk": "qu est ce que", "keske": "qu est ce que", "kestion": "question",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi",
    "qd": "quand", "cmt": "comment", "cmnt": "comment", "komen": "comment",
    "koman": "comment", "tjr": "toujours", "tjrs": "toujours", "tjs": "toujours",
    "ds": "dans", "pr": "pour", "pa": "pas", "bcp": "beaucoup", "tt": "tout",
    "tte": "toute", "ts": "titre de sejour", "mm": "meme", "dc": "donc", "ns": "nous",
    "vs": "vous", "jsp": "je ne sais pas", "jdoi": "je dois", "jdois": "je dois",
    "doi": "dois", "sa": "ca", "sava": "ca va", "ya": "il y a", "yen": "il y en",
    "auj": "aujourd hui", "ajd": "aujourd hui", "dmn": "demain",
    "tps": "temps", "cb": "combien", "cbn": "combien", "rep": "reponse", "msg": "message",
    "nvx": "nouveau", "nvl": "nouvelle", "nouvo": "nouveau", "pb": "probleme",
    "pbm": "probleme", "pbl": "probleme", "pblm": "probleme", "prob": "probleme",
    "dossie": "dossier", "dosier": "dossier", "encor": "encore", "depui": "depuis",
    "fo": "faut", "fau": "faut", "tro": "trop",
    "quan": "quand", "kom": "comme", "komme": "comme", "oqp": "occupe",
    # everyday abbreviations
    "mdp": "mot de passe", "pwd": "password", "rdv": "rendez vous", "tel": "telephone",
    "num": "numero", "n0": "numero", "info": "information",
    "infos": "informations", "doc": "document", "docs": "documents", "admin": "administration",
    "tds": "titre de sejour", "cds": "carte de sejour", "pref": "prefecture",
    "prefect": "prefecture", "prefecure": "prefecture", "cni": "carte nationale identite",
    "natu": "naturalisation", "natura": "naturalisation", "renouv": "renouvellement",
    "convoc": "convocation", "attest": "attestation", "recep": "recepisse",
    "rib": "releve identite bancaire", "appt": "appartement", "dem": "demande",
    "mail": "courriel", "mails": "courriels", "email": "courriel", "emails": "courriels",
    "mel": "courriel", "texto": "sms", "textos": "sms", "portable": "telephone",
    # programme vocabulary (domain.md)
    "api": "api attestation prolongation instruction", "adf": "adf attestation decision favorable",
    "vls": "visa long sejour", "vlsts": "vls ts", "vpf": "vpf vie privee familiale",
    "mep": "mep mise en production", "agdref": "agdref numero etranger",
    "oqtf": "oqtf obligation quitter",
    "ccc": "ccc centre contact citoyen", "dcem": "dcem document circulation mineur",
}

# fmt: on

# Groups of interchangeable phrases (everyday synonyms; each one adds the others).
SYNONYM_GROUPS: list[list[str]] = [
    ["carte de sejour", "titre de sejour", "titre", "carte"],
    ["perdu", "perte", "egare", "disparu"],
    ["vol", "vole", "voler", "derobe", "cambriole"],
    ["login", "identifiant"],
    ["password", "mot de passe", "code secret"],
    ["demenager", "demenagement", "emmenager", "nouvelle adresse", "changement adresse"],
    ["mariage", "marie", "epouser", "conjoint", "epoux"],
    ["nom", "patronyme", "nom de famille", "nom usage"],
    ["delai", "duree", "attente", "combien de temps", "longtemps"],
    ["rendez vous", "creneau", "convocation"],
    ["courriel", "e mail", "adresse electronique", "messagerie"],
    ["telephone", "mobile", "numero de telephone"],
    ["sms", "message"],
    ["recu", "recepisse", "accuse de reception"],
    ["recepisse de depot", "attestation de depot"],
    ["travail", "emploi", "travailler", "boulot", "job", "embaucher", "embauche"],
    ["employeur", "patron", "entreprise", "ressources humaines"],
    ["prix", "tarif", "cout", "payer", "combien coute", "taxe", "timbre fiscal"],
    ["bug", "beug", "plantage", "panne", "probleme technique", "erreur", "bloque"],
    ["refus", "refuse", "rejet", "rejete", "decision defavorable"],
    ["recours", "contester", "contestation", "faire appel"],
    ["naturalisation", "nationalite francaise", "devenir francais"],
    ["enfant", "fils", "fille", "mineur"],
    ["expire", "expiration", "perime", "fin de validite", "arrive a echeance"],
    ["renouveler", "renouvellement", "prolonger"],
    ["corriger", "rectifier", "modifier", "correction"],
    ["aide", "assistance", "accompagnement", "aider"],
    ["ordinateur", "internet", "numerique", "en ligne"],
    ["documents", "pieces justificatives", "justificatifs", "papiers"],
    ["retirer", "recuperer", "remise", "chercher"],
    ["pret", "prete", "disponible", "fabrique"],
    ["asile", "refugie", "protection internationale"],
    ["compte", "espace personnel", "mon espace"],
]

# One-way English -> French equivalents, so English questions reach French articles.
# fmt: off
TRANSLATIONS: dict[str, list[str]] = {
    "residence permit": ["titre de sejour"], "residence card": ["carte de sejour"],
    "permit": ["titre"], "card": ["carte"], "password": ["mot de passe"],
    "account": ["compte"], "login": ["identifiant"], "sign in": ["connexion"],
    "appointment": ["rendez vous"], "tax stamp": ["timbre fiscal"], "stamp": ["timbre"],
    "move": ["demenager"], "moved": ["demenager"], "address": ["adresse"],
    "renewal": ["renouvellement"], "renew": ["renouveler"],
    "extension certificate": ["attestation de prolongation"], "lost": ["perdu"],
    "stolen": ["vol"], "citizenship": ["naturalisation"], "student": ["etudiant"],
    "work": ["travail"], "job": ["travail"], "employer": ["employeur"],
    "number": ["numero"], "foreigner": ["etranger"], "foreign": ["etranger"],
    "support": ["centre de contact"], "phone": ["telephone"], "free": ["gratuit"],
    "collect": ["retirer"], "ready": ["disponible"], "available": ["disponible"],
    "request": ["demande"], "application": ["demande"], "documents": ["pieces"],
    "refused": ["refus"], "refusal": ["refus"], "rejected": ["refus"], "delay": ["delai"],
    "wait": ["attente"], "email": ["courriel"], "expires": ["expire"], "expired": ["expire"],
    "married": ["mariage"], "wife": ["conjoint"], "husband": ["conjoint"],
    "child": ["enfant"], "children": ["enfants"], "asylum": ["asile"],
    "decision": ["decision"], "prefecture": ["prefecture"], "website": ["site"],
    "error": ["erreur"], "photo": ["photo"], "name": ["nom"], "change": ["changement"],
}
# fmt: on
