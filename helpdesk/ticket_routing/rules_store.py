"""Rules in the database: reading them as pure rules, saving the editor's form, ordering."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlmodel import Session, col, func, select

from helpdesk.auth.models import Agent
from helpdesk.db import utcnow
from helpdesk.errors import NotFoundError, ValidationFailedError
from helpdesk.ticket_routing.models import RoutingRule
from helpdesk.tickets.models import Queue
from routing.rules import Action, ActionKind, Condition, Op, Rule
from routing.rules_text import RuleSyntaxError, parse_actions, parse_conditions


def to_rule(row: RoutingRule) -> Rule:
    """The pure rule of a stored row."""
    return Rule(
        id=row.id,
        name=row.name,
        conditions=tuple(
            Condition(c["field"], Op(c["op"]), tuple(c.get("values", ()))) for c in row.conditions
        ),
        actions=tuple(Action(ActionKind(a["kind"]), a["value"]) for a in row.actions),
        match_all=row.match_all,
        stop=row.stop,
        enabled=row.enabled,
    )


def stored_rows(session: Session) -> list[RoutingRule]:
    """Every rule row in evaluation order."""
    return list(
        session.exec(select(RoutingRule).order_by(col(RoutingRule.position), col(RoutingRule.id)))
    )


def active_rules(session: Session) -> list[Rule]:
    """The rules in evaluation order, as pure rules."""
    return [to_rule(row) for row in stored_rows(session)]


def _json(conditions: tuple[Condition, ...], actions: tuple[Action, ...]) -> dict[str, Any]:
    """The JSON columns of parsed conditions and actions."""
    return {
        "conditions": [
            {"field": c.field, "op": c.op.value, "values": list(c.values)} for c in conditions
        ],
        "actions": [{"kind": a.kind.value, "value": a.value} for a in actions],
    }


def parse_form(session: Session, *, conditions: str, actions: str) -> dict[str, Any]:
    """The editor's text checked: syntax, known queues; refusals name the line to fix."""
    try:
        parsed_conditions = parse_conditions(conditions)
        parsed_actions = parse_actions(actions)
    except RuleSyntaxError as error:
        raise ValidationFailedError(str(error), field_errors={"rule": str(error)}) from error
    codes = set(session.exec(select(Queue.code)).all())
    for action in parsed_actions:
        if action.kind in (ActionKind.SET_QUEUE, ActionKind.ESCALATE) and action.value not in codes:
            message = f"La file « {action.value} » n'existe pas ({', '.join(sorted(codes))})."
            raise ValidationFailedError(message, field_errors={"actions": message})
    return _json(parsed_conditions, parsed_actions)


def save_rule(
    session: Session,
    *,
    rule_id: int | None,
    name: str,
    conditions: str,
    actions: str,
    match_all: bool,
    stop: bool,
    enabled: bool,
    actor: Agent,
) -> RoutingRule:
    """Create or update a rule from the editor's form."""
    name = name.strip()
    if not name:
        raise ValidationFailedError(
            "Donnez un nom à la règle.", field_errors={"name": "Nom requis."}
        )
    values = parse_form(session, conditions=conditions, actions=actions)
    row = session.get(RoutingRule, rule_id) if rule_id else None
    if rule_id and row is None:
        raise NotFoundError("Cette règle n'existe plus.")
    if row is None:
        last = session.exec(select(func.max(RoutingRule.position))).one()
        row = RoutingRule(name=name, position=(last or 0) + 10)
    row.name, row.match_all, row.stop, row.enabled = name, match_all, stop, enabled
    row.conditions, row.actions = values["conditions"], values["actions"]
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    session.add(row)
    session.flush()
    return row


def move_rule(session: Session, *, rule_id: int, direction: int) -> None:
    """Move a rule one place up (-1) or down (+1) in the evaluation order."""
    rows = stored_rows(session)
    index = next((i for i, r in enumerate(rows) if r.id == rule_id), None)
    if index is None:
        raise NotFoundError("Cette règle n'existe plus.")
    other = index + direction
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position * 10
        session.add(row)


def describe(rule: Rule) -> dict[str, Any]:
    """A rule as plain data (for event history)."""
    return {"id": rule.id, "name": rule.name, "actions": [asdict(a) for a in rule.actions]}
