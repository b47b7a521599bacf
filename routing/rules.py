"""Routing rules: conditions on a ticket's facts, actions, ordered evaluation (pure, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rapidfuzz import fuzz

from knowledge_base.text import fold

FUZZY_THRESHOLD = 80


class Op(StrEnum):
    """How a condition compares a fact with its values."""

    EQUALS = "="
    NOT_EQUALS = "!="
    CONTAINS = "contient"
    RESEMBLES = "ressemble"
    EMPTY = "vide"


class ActionKind(StrEnum):
    """What a rule does when it fires."""

    SET_QUEUE = "file"
    ESCALATE = "escalader"
    SET_PRIORITY = "priorite"
    ADD_TAGS = "etiquettes"
    ASSIGN = "attribuer"
    ADD_NOTE = "note"
    NOTIFY = "notifier"


FACT_FIELDS = (
    "canal",
    "demandeur",
    "procedure",
    "famille",
    "motif",
    "site",
    "langue",
    "dossier",
    "priorite",
    "file",
    "texte",
)
REQUESTER_KINDS = ("usager", "referent-sejour", "referent-natali")


@dataclass(frozen=True)
class TicketFacts:
    """What rules may read of a ticket (plain data, built by the caller)."""

    canal: str = ""
    demandeur: str = "usager"
    procedure: str = ""
    famille: str = ""
    motif: str = ""
    site: str = ""
    langue: str = "fr"
    dossier: str = ""
    priorite: str = "normal"
    file: str = ""
    subject: str = ""
    message: str = ""

    @property
    def texte(self) -> str:
        """Subject and message together, as text conditions read them."""
        return f"{self.subject}\n{self.message}"


@dataclass(frozen=True)
class Condition:
    """One test on one fact."""

    field: str
    op: Op
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """One effect of a rule."""

    kind: ActionKind
    value: str


@dataclass(frozen=True)
class Rule:
    """An ordered rule: all (or any) of its conditions, then its actions."""

    name: str
    conditions: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()
    match_all: bool = True
    stop: bool = True
    enabled: bool = True
    id: int | None = None


@dataclass(frozen=True)
class Firing:
    """A rule that fired, with the conditions that matched."""

    rule: Rule
    matched: tuple[Condition, ...]


@dataclass
class Outcome:
    """What the rules decided for a ticket."""

    firings: list[Firing] = field(default_factory=list)
    queue: str | None = None
    escalate_to: str | None = None
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule name, text)
    notify: list[tuple[str, str]] = field(default_factory=list)  # (rule name, recipient)

    @property
    def changed(self) -> bool:
        """Whether any rule fired."""
        return bool(self.firings)


def _fact(facts: TicketFacts, name: str) -> str:
    """The value of a fact, folded for comparison."""
    return fold(str(getattr(facts, name, "") or ""))


def _phrase_in(phrase: str, text: str) -> bool:
    """Whether the folded phrase appears in the folded text as whole words."""
    return re.search(rf"(?<![^\W_]){re.escape(phrase)}(?![^\W_])", text) is not None


def condition_holds(condition: Condition, facts: TicketFacts) -> bool:
    """Whether one condition holds for the facts."""
    value = _fact(facts, condition.field)
    wanted = [fold(v) for v in condition.values]
    if condition.op == Op.EMPTY:
        return value.strip() == ""
    if condition.op in (Op.EQUALS, Op.NOT_EQUALS):
        equal = any(_same(value, w, condition.field) for w in wanted)
        return equal if condition.op == Op.EQUALS else not equal
    if condition.op == Op.CONTAINS:
        return any(_phrase_in(w, value) for w in wanted if w)
    return any(fuzz.partial_ratio(w, value) >= FUZZY_THRESHOLD for w in wanted if w)


def _same(value: str, wanted: str, field_name: str) -> bool:
    """Equality of a fact and a value ("referent" stands for both kinds of référent)."""
    if field_name == "demandeur" and wanted == "referent":
        return value.startswith("referent")
    return value == wanted


def rule_matches(rule: Rule, facts: TicketFacts) -> tuple[bool, tuple[Condition, ...]]:
    """Whether the rule fires, and which of its conditions held."""
    held = tuple(c for c in rule.conditions if condition_holds(c, facts))
    if not rule.conditions:
        return True, ()
    fired = len(held) == len(rule.conditions) if rule.match_all else bool(held)
    return fired, held


def evaluate(rules: Sequence[Rule], facts: TicketFacts) -> Outcome:
    """Run the enabled rules in order; a firing rule with `stop` ends the evaluation."""
    outcome = Outcome()
    for rule in rules:
        if not rule.enabled:
            continue
        fired, held = rule_matches(rule, facts)
        if not fired:
            continue
        outcome.firings.append(Firing(rule, held))
        facts = _apply(rule, outcome, facts)
        if rule.stop:
            break
    return outcome


def _apply(rule: Rule, outcome: Outcome, facts: TicketFacts) -> TicketFacts:
    """Record a rule's actions in the outcome; later rules see the new queue and priority."""
    for action in rule.actions:
        if action.kind == ActionKind.SET_QUEUE:
            outcome.queue = action.value
            facts = replace(facts, file=action.value)
        elif action.kind == ActionKind.ESCALATE:
            outcome.escalate_to = action.value
            facts = replace(facts, file=action.value)
        elif action.kind == ActionKind.SET_PRIORITY:
            outcome.priority = action.value
            facts = replace(facts, priorite=action.value)
        elif action.kind == ActionKind.ADD_TAGS:
            outcome.tags.extend(t for t in split_values(action.value) if t not in outcome.tags)
        elif action.kind == ActionKind.ASSIGN:
            outcome.assignee = action.value
        elif action.kind == ActionKind.ADD_NOTE:
            outcome.notes.append((rule.name, action.value))
        else:
            outcome.notify.append((rule.name, action.value))
    return facts


def split_values(text: str) -> list[str]:
    """Comma-separated values, stripped, without empties."""
    return [part.strip() for part in text.split(",") if part.strip()]


def fields_read(rules: Iterable[Rule]) -> frozenset[str]:
    """The facts that a set of rules reads (a change to one of them calls for a new run)."""
    return frozenset(c.field for rule in rules for c in rule.conditions)
