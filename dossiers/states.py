"""The séjour and naturalisation state machines of the reference dossier service (domain.md)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from dossiers.catalog import N_, PROCEDURES_BY_CODE


@dataclass(frozen=True)
class State:
    """A dossier status: its code, the label agents read and the words usagers read (French,
    marked for the helpdesk's gettext catalogs, which translate them on the follow-up page)."""

    code: str
    agent_label: str
    usager_label: str


@dataclass(frozen=True)
class Machine:
    """A state machine: its states and, for each state, the allowed next states (main first)."""

    name: str
    states: tuple[State, ...]
    moves: dict[str, tuple[str, ...]]

    @property
    def initial(self) -> str:
        """The first status of every dossier."""
        return self.states[0].code

    def state(self, code: str) -> State | None:
        """The state with this code, if the machine has it."""
        return next((state for state in self.states if state.code == code), None)

    def next_states(self, code: str) -> tuple[str, ...]:
        """The statuses a dossier may move to from this one (the usual one first)."""
        return self.moves.get(code, ())

    def path_to(self, code: str) -> list[str]:
        """The shortest walk of statuses from the initial one to this one."""
        previous: dict[str, str | None] = {self.initial: None}
        todo = deque([self.initial])
        while todo:
            current = todo.popleft()
            if current == code:
                break
            for following in self.next_states(current):
                if following not in previous:
                    previous[following] = current
                    todo.append(following)
        if code not in previous:
            raise ValueError(f"status {code!r} is not reachable in {self.name}")
        walk: list[str] = []
        step: str | None = code
        while step is not None:
            walk.append(step)
            step = previous[step]
        return walk[::-1]


EARLY_END = "classement_sans_suite"

SEJOUR = Machine(
    name="sejour",
    states=(
        State("brouillon", "Brouillon", N_("Votre demande n'est pas encore déposée.")),
        State(
            "depose",
            "Déposé",
            N_(
                "Votre demande est déposée. L'attestation de dépôt ne prouve pas "
                "la régularité de votre séjour."
            ),
        ),
        State("verification", "En vérification", N_("Votre demande est en cours de vérification.")),
        State(
            "instruction",
            "En instruction",
            N_("Votre demande est en cours d'instruction par la préfecture."),
        ),
        State(
            "complements_demandes",
            "Compléments demandés",
            N_("Des documents vous sont demandés : envoyez-les depuis votre espace ANEF."),
        ),
        State(
            "decision_favorable",
            "Décision favorable",
            N_("Une décision favorable a été prise sur votre demande."),
        ),
        State(
            "decision_defavorable",
            "Décision défavorable",
            N_(
                "Une décision défavorable a été prise sur votre demande ; "
                "elle vous a été notifiée avec les voies de recours."
            ),
        ),
        State(
            "titre_en_fabrication",
            "Titre en fabrication",
            N_("Votre titre de séjour est en cours de fabrication."),
        ),
        State(
            "titre_disponible",
            "Titre disponible",
            N_(
                "Votre titre est disponible : un SMS vous invite à prendre rendez-vous "
                "pour le retirer, muni du timbre fiscal."
            ),
        ),
        State("remis", "Titre remis", N_("Votre titre vous a été remis.")),
        State("cloture", "Clôturé", N_("Votre demande est terminée.")),
        State(
            EARLY_END,
            "Classement sans suite",
            N_("Votre demande a été classée sans suite."),
        ),
    ),
    moves={
        "brouillon": ("depose",),
        "depose": ("verification", EARLY_END),
        "verification": ("instruction", EARLY_END),
        "instruction": (
            "decision_favorable",
            "complements_demandes",
            "decision_defavorable",
            EARLY_END,
        ),
        "complements_demandes": ("instruction", EARLY_END),
        "decision_favorable": ("titre_en_fabrication",),
        "decision_defavorable": ("cloture",),
        "titre_en_fabrication": ("titre_disponible",),
        "titre_disponible": ("remis",),
        "remis": ("cloture",),
    },
)

NATURALISATION = Machine(
    name="naturalisation",
    states=(
        State("brouillon", "Brouillon", N_("Votre demande n'est pas encore déposée.")),
        State("depose", "Déposé", N_("Votre demande de naturalisation est déposée.")),
        State("verification", "En vérification", N_("Votre dossier est en cours de vérification.")),
        State(
            "instruction",
            "En instruction (récépissé de complétude)",
            N_("Votre dossier est complet (récépissé de complétude) et en cours d'instruction."),
        ),
        State(
            "entretien",
            "Entretien d'assimilation",
            N_("Vous êtes convoqué(e) à un entretien d'assimilation."),
        ),
        State(
            "proposition_prefecture",
            "Proposition de la préfecture",
            N_("La préfecture a transmis son avis sur votre demande."),
        ),
        State(
            "controle_sdanf",
            "Contrôle SDANF",
            N_("Votre dossier est examiné par le ministère (SDANF)."),
        ),
        State(
            "decret_en_preparation",
            "Décret en préparation",
            N_("Le décret de naturalisation est en préparation."),
        ),
        State(
            "decret_publie",
            "Décret publié",
            N_("Le décret vous accordant la nationalité française est publié."),
        ),
        State(
            "decision_negative",
            "Décision négative",
            N_(
                "Une décision négative (ajournement, irrecevabilité ou rejet) a été prise ; "
                "un recours préalable (RAPO) est possible."
            ),
        ),
    ),
    moves={
        "brouillon": ("depose",),
        "depose": ("verification",),
        "verification": ("instruction", "decision_negative"),
        "instruction": ("entretien", "decision_negative"),
        "entretien": ("proposition_prefecture", "decision_negative"),
        "proposition_prefecture": ("controle_sdanf", "decision_negative"),
        "controle_sdanf": ("decret_en_preparation", "decision_negative"),
        "decret_en_preparation": ("decret_publie",),
    },
)

# Moves the helpdesk reacts to when a ticket on the dossier waits: a title, a decision, documents.
NOTABLE_STATUSES = frozenset(
    {
        "titre_disponible",
        "decision_favorable",
        "decision_defavorable",
        "decision_negative",
        "decret_publie",
        "complements_demandes",
    }
)
ALL_STATUS_CODES = frozenset(
    state.code for machine in (SEJOUR, NATURALISATION) for state in machine.states
)


def machine_for(procedure: str) -> Machine:
    """The state machine of a téléprocédure (naturalisation, or séjour for the others)."""
    known = PROCEDURES_BY_CODE.get(procedure)
    if known is not None and known.family == "naturalisation":
        return NATURALISATION
    return SEJOUR


def labels(procedure: str, status: str) -> State:
    """The labels of a status of a procedure's machine (the code itself when unknown)."""
    return machine_for(procedure).state(status) or State(status, status, status)
