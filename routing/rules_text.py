"""The rule editor's text form: one condition or action per line, in French (pure)."""

from __future__ import annotations

import re

from knowledge_base.text import fold
from routing.rules import FACT_FIELDS, Action, ActionKind, Condition, Op, split_values

PRIORITY_WORDS = {
    "basse": "low",
    "normale": "normal",
    "haute": "high",
    "urgente": "urgent",
    "low": "low",
    "normal": "normal",
    "high": "high",
    "urgent": "urgent",
}
PRIORITY_NAMES = {"low": "basse", "normal": "normale", "high": "haute", "urgent": "urgente"}
_CONDITION_RE = re.compile(
    r"^(?P<field>[a-z]+)\s*(?P<op>!=|=|contient|ressemble|vide)\s*(?P<rest>.*)$"
)
_ACTION_RE = re.compile(r"^(?P<kind>[a-z]+)\s*=?\s*(?P<value>.*)$")
FIELD_HELP = {
    "canal": "form, phone, email, referent, api",
    "demandeur": "usager, referent-sejour, referent-natali (referent : les deux)",
    "procedure": "code de téléprocédure, ex. naturalisation-decret",
    "famille": "sejour, naturalisation, asile, compte",
    "motif": "demarche, compte, attestation, rendez-vous, autre",
    "site": "code du site, ex. pref-69",
    "langue": "fr, en",
    "dossier": "statut du dossier, ex. instruction",
    "priorite": "basse, normale, haute, urgente",
    "file": "file actuelle, ex. ccc",
    "texte": "objet et message (avec contient ou ressemble)",
}


class RuleSyntaxError(ValueError):
    """A line of the editor that cannot be read; the message says which and why."""


def _key(word: str) -> str:
    """A keyword without accents or case (procédure → procedure)."""
    return fold(word).strip()


def parse_conditions(text: str) -> tuple[Condition, ...]:
    """Conditions from lines such as "procédure = etudiant, visiteur" or "texte contient mot"."""
    conditions = []
    for number, line in _lines(text):
        match = _CONDITION_RE.match(_key(line.split(" ", 1)[0]) + " " + _after_first(line))
        if not match or match.group("field") not in FACT_FIELDS:
            raise RuleSyntaxError(
                f"Condition, ligne {number} : commencez par un champ connu "
                f"({', '.join(FACT_FIELDS)}) suivi de =, !=, contient, ressemble ou vide."
            )
        op = Op(match.group("op"))
        values = tuple(split_values(match.group("rest")))
        if op == Op.RESEMBLES:
            values = (match.group("rest").strip(),)
        if op != Op.EMPTY and not any(values):
            raise RuleSyntaxError(f"Condition, ligne {number} : indiquez au moins une valeur.")
        if match.group("field") == "priorite":
            values = tuple(PRIORITY_WORDS.get(_key(v), v) for v in values)
        conditions.append(Condition(match.group("field"), op, values))
    return tuple(conditions)


def parse_actions(text: str) -> tuple[Action, ...]:
    """Actions from lines such as "file = dp-anef" or "priorité = haute"."""
    actions = []
    kinds = ", ".join(k.value for k in ActionKind)
    for number, line in _lines(text):
        match = _ACTION_RE.match(_key(line.split("=", 1)[0].split(" ", 1)[0]) + " " + _value(line))
        kind = match.group("kind") if match else ""
        if kind not in {k.value for k in ActionKind}:
            raise RuleSyntaxError(f"Action, ligne {number} : commencez par {kinds}.")
        value = _value(line).strip()
        if not value:
            raise RuleSyntaxError(f"Action, ligne {number} : indiquez une valeur après « = ».")
        if kind == ActionKind.SET_PRIORITY:
            if _key(value) not in PRIORITY_WORDS:
                raise RuleSyntaxError(
                    f"Action, ligne {number} : la priorité est basse, normale, haute ou urgente."
                )
            value = PRIORITY_WORDS[_key(value)]
        actions.append(Action(ActionKind(kind), value))
    if not actions:
        raise RuleSyntaxError("Indiquez au moins une action (par exemple « file = dp-anef »).")
    return tuple(actions)


def format_conditions(conditions: tuple[Condition, ...]) -> str:
    """Conditions as editor lines."""
    lines = []
    for c in conditions:
        values = c.values
        if c.field == "priorite":
            values = tuple(PRIORITY_NAMES.get(v, v) for v in values)
        tail = "" if c.op == Op.EMPTY else " " + ", ".join(values)
        lines.append(f"{c.field} {c.op.value}{tail}")
    return "\n".join(lines)


def format_actions(actions: tuple[Action, ...]) -> str:
    """Actions as editor lines."""
    lines = []
    for a in actions:
        value = (
            PRIORITY_NAMES.get(a.value, a.value) if a.kind == ActionKind.SET_PRIORITY else a.value
        )
        lines.append(f"{a.kind.value} = {value}")
    return "\n".join(lines)


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered non-empty lines."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _after_first(line: str) -> str:
    """The line after its first word."""
    parts = line.split(" ", 1)
    return parts[1] if len(parts) > 1 else ""


def _value(line: str) -> str:
    """The value of an action line: after "=", else after the first word."""
    if "=" in line:
        return line.split("=", 1)[1]
    return _after_first(line)
