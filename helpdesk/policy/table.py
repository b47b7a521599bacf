"""The role × action table: who may do what, and on which tickets (pure data, no I/O).

Each cell is a Scope: how far the right reaches. The README shows this table, rendered by
`markdown_table()`; a test fails when the two disagree.
"""

from __future__ import annotations

from enum import StrEnum

from helpdesk.auth.models import Role


class Action(StrEnum):
    """Everything the policy decides, on a ticket or on the helpdesk's other objects."""

    VIEW = "view"
    DOWNLOAD = "download"
    REPLY = "reply"
    NOTE = "note"
    ASSIGN = "assign"
    CHANGE_STATUS = "change_status"
    CHANGE_FIELDS = "change_fields"
    HAND_OVER = "hand_over"
    RETURN = "return"
    MERGE = "merge"
    LINK = "link"
    LINK_INCIDENT = "link_incident"
    RESOLVE_INCIDENT = "resolve_incident"
    ACCEPT_ROUTING = "accept_routing"
    EXPORT = "export"
    ANSWER_REPORT = "answer_report"
    # Actions on other objects than one ticket.
    USE_CONSOLE = "use_console"
    TAKE_CALL = "take_call"
    DECLARE_INCIDENT = "declare_incident"
    READ_INCIDENTS = "read_incidents"
    PUBLISH_NOTICE = "publish_notice"
    ATTEND_REVIEW = "attend_review"
    HOLD_REVIEW = "hold_review"
    EDIT_ARTICLES = "edit_articles"
    MANAGE_CANNED = "manage_canned"
    FOLLOW_SLAS = "follow_slas"
    ADMINISTER = "administer"
    REPORT_AS_SITE = "report_as_site"
    PROTECT_DATA = "protect_data"
    SHARE_VIEWS = "share_views"


class Scope(StrEnum):
    """How far a right reaches."""

    NONE = "none"  # never
    SITE = "site"  # tickets of the référent's own site
    VISIBLE = "visible"  # tickets the person may view (see TICKET_VIEW)
    QUEUE = "queue"  # tickets in a queue the person works (current queue)
    OWNER_QUEUE = "owner_queue"  # the current queue is also the owner queue (the contact level)
    ALL = "all"  # every ticket, or the right itself for non-ticket actions


class Viewing(StrEnum):
    """Which tickets a role may open (the VIEW cell, spelt out)."""

    NOTHING = "nothing"
    SITE = "site"  # its site's tickets only
    ORGANISATION = "organisation"  # its organisation's queues, its queues, and queues passed
    CHAIN_FRONT = "chain_front"  # as ORGANISATION, plus every level 1 and 2 queue
    EVERYTHING = "everything"


class Working(StrEnum):
    """Which queues a role works, that is where its QUEUE rights apply."""

    NOWHERE = "nowhere"
    MEMBERSHIP = "membership"  # the queues it is a member of
    ORGANISATION = "organisation"  # its queues and every queue of its organisation
    EVERYWHERE = "everywhere"


QUEUE_WORK: dict[Role, Working] = {
    Role.AGENT: Working.MEMBERSHIP,
    Role.SUPERVISOR: Working.ORGANISATION,
    Role.EDITOR: Working.NOWHERE,
    Role.INCIDENT_MANAGER: Working.MEMBERSHIP,
    Role.REFERENT: Working.NOWHERE,
    Role.ADMIN: Working.EVERYWHERE,
}

TICKET_VIEW: dict[Role, Viewing] = {
    Role.AGENT: Viewing.ORGANISATION,
    Role.SUPERVISOR: Viewing.ORGANISATION,
    # Editors read the questions of levels 1 and 2 to write the articles that answer them.
    Role.EDITOR: Viewing.CHAIN_FRONT,
    Role.INCIDENT_MANAGER: Viewing.CHAIN_FRONT,
    Role.REFERENT: Viewing.SITE,
    Role.ADMIN: Viewing.EVERYTHING,
}

N, S, V, Q, OWN, A = (
    Scope.NONE,
    Scope.SITE,
    Scope.VISIBLE,
    Scope.QUEUE,
    Scope.OWNER_QUEUE,
    Scope.ALL,
)

# Acting on a ticket needs its current queue; replying to the requester needs the owner queue
# too. Passing through a queue earlier gives read access only. An editor role gives no right
# on tickets beyond reading its organisation's. Référents act through their own space.
_WORKER = {
    Action.VIEW: V,
    Action.DOWNLOAD: V,
    Action.REPLY: OWN,
    Action.NOTE: Q,
    Action.ASSIGN: Q,
    Action.CHANGE_STATUS: Q,
    Action.CHANGE_FIELDS: Q,
    Action.HAND_OVER: Q,
    Action.RETURN: Q,
    Action.MERGE: Q,
    Action.LINK: Q,
    Action.ACCEPT_ROUTING: Q,
    Action.USE_CONSOLE: A,
    Action.READ_INCIDENTS: A,
    Action.ATTEND_REVIEW: A,
}

TABLE: dict[Role, dict[Action, Scope]] = {
    Role.AGENT: {**_WORKER, Action.TAKE_CALL: A, Action.EXPORT: V},
    Role.SUPERVISOR: {
        **_WORKER,
        Action.TAKE_CALL: A,
        Action.EXPORT: V,
        Action.MANAGE_CANNED: A,
        Action.HOLD_REVIEW: A,
        Action.FOLLOW_SLAS: A,
        Action.PROTECT_DATA: A,
        Action.SHARE_VIEWS: A,
    },
    Role.EDITOR: {
        Action.VIEW: V,
        Action.DOWNLOAD: V,
        Action.USE_CONSOLE: A,
        Action.READ_INCIDENTS: A,
        Action.EDIT_ARTICLES: A,
    },
    Role.INCIDENT_MANAGER: {
        **_WORKER,
        Action.LINK_INCIDENT: V,
        Action.RESOLVE_INCIDENT: V,
        Action.EXPORT: V,
        Action.DECLARE_INCIDENT: A,
        Action.PUBLISH_NOTICE: A,
        Action.HOLD_REVIEW: A,
    },
    Role.REFERENT: {
        Action.VIEW: S,
        Action.DOWNLOAD: S,
        Action.ANSWER_REPORT: S,
        Action.ATTEND_REVIEW: A,
        Action.EXPORT: S,
        Action.REPORT_AS_SITE: A,
    },
    Role.ADMIN: {
        **{action: A for action in _WORKER},
        Action.REPLY: OWN,
        Action.LINK_INCIDENT: A,
        Action.RESOLVE_INCIDENT: A,
        Action.EXPORT: A,
        Action.DECLARE_INCIDENT: A,
        Action.PUBLISH_NOTICE: A,
        Action.EDIT_ARTICLES: A,
        Action.MANAGE_CANNED: A,
        Action.HOLD_REVIEW: A,
        Action.FOLLOW_SLAS: A,
        Action.ADMINISTER: A,
        Action.PROTECT_DATA: A,
        Action.SHARE_VIEWS: A,
    },
}

# Where an organisation is required on top of the role: the CCC takes calls; editors write
# for DP ANEF, SDST and SDANF; the point bimensuel is held by the CCC, DP ANEF and SDST, and
# référents follow their own site's tickets there.
ORGANISATION_KINDS: dict[Action, frozenset[str]] = {
    Action.TAKE_CALL: frozenset({"ccc"}),
    Action.EDIT_ARTICLES: frozenset({"dp_anef", "sdst", "sdanf"}),
    Action.ATTEND_REVIEW: frozenset(
        {"ccc", "dp_anef", "sdst", "prefecture", "naturalisation_platform"}
    ),
    Action.EXPORT: frozenset({"ccc", "dp_anef", "sdst", "prefecture", "naturalisation_platform"}),
    Action.HOLD_REVIEW: frozenset({"ccc", "dp_anef", "sdst"}),
    # The usagers' requests on their data are answered by DP ANEF, which runs the helpdesk.
    Action.PROTECT_DATA: frozenset({"dp_anef"}),
}

ACTION_LABELS: dict[Action, str] = {
    Action.VIEW: "voir le ticket",
    Action.DOWNLOAD: "télécharger ses pièces jointes",
    Action.REPLY: "répondre au demandeur",
    Action.NOTE: "écrire une note interne",
    Action.ASSIGN: "attribuer le ticket",
    Action.CHANGE_STATUS: "changer son statut",
    Action.CHANGE_FIELDS: "corriger procédure, motif et priorité",
    Action.HAND_OVER: "escalader ou transférer",
    Action.RETURN: "renvoyer au niveau précédent",
    Action.MERGE: "fusionner",
    Action.LINK: "lier à un autre ticket",
    Action.LINK_INCIDENT: "lier à un incident",
    Action.RESOLVE_INCIDENT: "résoudre en masse par un incident",
    Action.ACCEPT_ROUTING: "accepter la suggestion de routage",
    Action.EXPORT: "exporter (point bimensuel : page, impression, CSV)",
    Action.ANSWER_REPORT: "répondre dans le fil d'un signalement",
    Action.USE_CONSOLE: "utiliser la console des agents",
    Action.TAKE_CALL: "enregistrer un appel d'usager (CCC)",
    Action.DECLARE_INCIDENT: "déclarer et modifier un incident",
    Action.READ_INCIDENTS: "consulter les incidents",
    Action.PUBLISH_NOTICE: "publier une note de mise en production",
    Action.ATTEND_REVIEW: "participer au point bimensuel (ses tickets visibles)",
    Action.HOLD_REVIEW: "noter que le point bimensuel a été tenu",
    Action.EDIT_ARTICLES: "rédiger et publier des fiches (DP ANEF, SDST, SDANF)",
    Action.MANAGE_CANNED: "gérer les éléments de langage",
    Action.FOLLOW_SLAS: "filtrer les listes sur les délais (SLA) dépassés ou proches",
    Action.ADMINISTER: "administrer (comptes, journal d'audit, routage, délais, travaux)",
    Action.REPORT_AS_SITE: "ouvrir un signalement pour son site",
    Action.PROTECT_DATA: ("traiter les demandes sur les données personnelles (DP ANEF)"),
    Action.SHARE_VIEWS: "partager une vue enregistrée avec une file",
}

SCOPE_LABELS: dict[Scope, str] = {
    Scope.NONE: "—",
    Scope.SITE: "son site",
    Scope.VISIBLE: "tickets visibles",
    Scope.QUEUE: "file courante",
    Scope.OWNER_QUEUE: "file courante = file de contact",
    Scope.ALL: "oui",
}

WORKING_LABELS: dict[Working, str] = {
    Working.NOWHERE: "aucune",
    Working.MEMBERSHIP: "ses files",
    Working.ORGANISATION: "ses files et celles de son organisation",
    Working.EVERYWHERE: "toutes",
}

VIEWING_LABELS: dict[Viewing, str] = {
    Viewing.NOTHING: "aucun",
    Viewing.SITE: "tickets de son site",
    Viewing.ORGANISATION: "files de son organisation, ses files, files traversées",
    Viewing.CHAIN_FRONT: "comme un agent, et toutes les files de niveau 1 et 2",
    Viewing.EVERYTHING: "tous",
}

ROLE_ORDER = (
    Role.AGENT,
    Role.SUPERVISOR,
    Role.EDITOR,
    Role.INCIDENT_MANAGER,
    Role.REFERENT,
    Role.ADMIN,
)


def scope_of(role: str, action: Action) -> Scope:
    """The reach of a role's right to an action (NONE for an unknown role)."""
    try:
        return TABLE[Role(role)].get(action, Scope.NONE)
    except ValueError:
        return Scope.NONE


def working_of(role: str) -> Working:
    """Which queues a role works."""
    try:
        return QUEUE_WORK[Role(role)]
    except ValueError:
        return Working.NOWHERE


def viewing_of(role: str) -> Viewing:
    """Which tickets a role may open."""
    try:
        return TICKET_VIEW[Role(role)]
    except ValueError:
        return Viewing.NOTHING


def markdown_table() -> str:
    """The table as Markdown, for the README."""
    from helpdesk.auth.models import ROLE_LABELS

    header = "| action | " + " | ".join(ROLE_LABELS[r] for r in ROLE_ORDER) + " |"
    rule = "|---|" + "---|" * len(ROLE_ORDER)
    viewing = (
        "| tickets visibles | "
        + " | ".join(VIEWING_LABELS[TICKET_VIEW[r]] for r in ROLE_ORDER)
        + " |"
    )
    working = (
        "| « file courante » = | "
        + " | ".join(WORKING_LABELS[QUEUE_WORK[r]] for r in ROLE_ORDER)
        + " |"
    )
    rows = [
        f"| {ACTION_LABELS[action]} | "
        + " | ".join(SCOPE_LABELS[scope_of(r, action)] for r in ROLE_ORDER)
        + " |"
        for action in Action
    ]
    return "\n".join([header, rule, viewing, working, *rows])
