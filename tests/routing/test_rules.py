"""Rule evaluation (pure) and the editor's text form."""

from __future__ import annotations

import pytest

from routing.rules import (
    Action,
    ActionKind,
    Condition,
    Op,
    Rule,
    TicketFacts,
    condition_holds,
    evaluate,
    fields_read,
)
from routing.rules_text import (
    RuleSyntaxError,
    format_actions,
    format_conditions,
    parse_actions,
    parse_conditions,
)


def rule(name: str, conditions: str, actions: str, **options: bool) -> Rule:
    return Rule(name, parse_conditions(conditions), parse_actions(actions), **options)


CHAIN = [
    rule("Référent séjour", "demandeur = referent-sejour", "file = dp-anef"),
    rule("Référent NATALI", "demandeur = referent-natali", "file = dp-anef"),
    rule(
        "Naturalisation métier",
        "demandeur = usager\nfamille = naturalisation\ntexte contient ajournement, rapo",
        "escalader = sdanf",
    ),
    rule("Usager", "demandeur = usager", "file = ccc"),
]


def test_referents_go_to_dp_anef_and_usagers_to_the_ccc():
    assert evaluate(CHAIN, TicketFacts(demandeur="referent-sejour")).queue == "dp-anef"
    assert evaluate(CHAIN, TicketFacts(demandeur="referent-natali")).queue == "dp-anef"
    assert evaluate(CHAIN, TicketFacts(demandeur="usager")).queue == "ccc"


def test_naturalisation_metier_questions_go_straight_to_sdanf():
    facts = TicketFacts(
        famille="naturalisation", subject="Décision", message="J'ai reçu un AJOURNEMENT de 2 ans"
    )
    outcome = evaluate(CHAIN, facts)
    assert outcome.escalate_to == "sdanf"
    assert [f.rule.name for f in outcome.firings] == ["Naturalisation métier"]


def test_a_stopping_rule_ends_the_evaluation_and_a_continuing_one_does_not():
    rules = [
        rule("Étiquette", "texte contient mot de passe", "étiquettes = compte", stop=False),
        rule("Urgent", "texte contient bloqué", "priorité = urgente"),
        rule("Jamais atteinte", "", "priorité = basse"),
    ]
    outcome = evaluate(rules, TicketFacts(message="Mot de passe oublié, compte bloqué"))
    assert outcome.tags == ["compte"]
    assert outcome.priority == "urgent"
    assert [f.rule.name for f in outcome.firings] == ["Étiquette", "Urgent"]


def test_any_of_and_all_of():
    facts = TicketFacts(canal="phone", langue="fr")
    any_rule = rule("Un", "canal = email\nlangue = fr", "note = x", match_all=False)
    all_rule = rule("Tous", "canal = email\nlangue = fr", "note = x")
    assert evaluate([any_rule], facts).changed
    assert not evaluate([all_rule], facts).changed


def test_disabled_rules_are_skipped():
    off = rule("Arrêtée", "", "file = sdst", enabled=False)
    assert evaluate([off], TicketFacts()).queue is None


def test_conditions_ignore_case_and_accents_and_match_whole_words():
    assert condition_holds(
        Condition("texte", Op.CONTAINS, ("recepisse",)), TicketFacts(message="Le RÉCÉPISSÉ")
    )
    assert not condition_holds(
        Condition("texte", Op.CONTAINS, ("rapo",)), TicketFacts(message="rapport")
    )
    assert condition_holds(Condition("procedure", Op.EMPTY), TicketFacts())
    assert condition_holds(Condition("canal", Op.NOT_EQUALS, ("form",)), TicketFacts(canal="phone"))


def test_fuzzy_phrases_tolerate_typos():
    fuzzy = Condition("texte", Op.RESEMBLES, ("je n'arrive pas à me connecter",))
    assert condition_holds(fuzzy, TicketFacts(message="bonjour je narive pas a me conecter svp"))
    assert not condition_holds(fuzzy, TicketFacts(message="quand aurai-je ma carte de résident ?"))


def test_referent_stands_for_both_kinds():
    both = Condition("demandeur", Op.EQUALS, ("referent",))
    assert condition_holds(both, TicketFacts(demandeur="referent-natali"))
    assert not condition_holds(both, TicketFacts(demandeur="usager"))


def test_later_rules_see_the_queue_and_priority_set_before():
    rules = [
        rule("Haute", "", "priorité = haute", stop=False),
        rule("Si haute", "priorité = haute", "file = dp-anef"),
    ]
    assert evaluate(rules, TicketFacts()).queue == "dp-anef"


def test_fields_read_lists_the_facts_rules_depend_on():
    assert fields_read(CHAIN) == {"demandeur", "famille", "texte"}


def test_editor_text_round_trips():
    conditions = parse_conditions("Procédure = etudiant, visiteur\npriorité != haute\nmotif vide")
    actions = parse_actions("file = sdst\nPriorité = Urgente\nnotifier = superviseurs")
    assert conditions[0] == Condition("procedure", Op.EQUALS, ("etudiant", "visiteur"))
    assert conditions[1].values == ("high",)
    assert actions[1] == Action(ActionKind.SET_PRIORITY, "urgent")
    assert parse_conditions(format_conditions(conditions)) == conditions
    assert parse_actions(format_actions(actions)) == actions


@pytest.mark.parametrize(
    ("conditions", "actions", "message"),
    [
        ("couleur = bleu", "file = ccc", "ligne 1"),
        ("procedure =", "file = ccc", "au moins une valeur"),
        ("", "déplacer = ccc", "Action, ligne 1"),
        ("", "priorité = énorme", "basse, normale"),
        ("", "", "au moins une action"),
    ],
)
def test_editor_mistakes_say_which_line_to_fix(conditions, actions, message):
    with pytest.raises(RuleSyntaxError, match=message):
        parse_conditions(conditions)
        parse_actions(actions)
