"""Revision diffs: changed fields, changed lines with context, changed words."""

from __future__ import annotations

from dataclasses import replace

from knowledge_base.corpus import ArticleDoc
from knowledge_base.diff import diff_docs, diff_lines

DOC = ArticleDoc(
    slug="mot-de-passe-oublie",
    title="Mot de passe oublié",
    body="\n".join(f"Ligne {n}" for n in range(1, 21)),
    audience="public",
    language="fr",
    procedures=("compte",),
    tags=("mot-de-passe",),
)


def test_identical_revisions_have_no_change():
    changes = diff_docs(DOC, DOC)
    assert changes.unchanged
    assert changes.fields == ()
    assert changes.lines == ()


def test_changed_fields_are_listed_with_both_values():
    changes = diff_docs(DOC, replace(DOC, title="Mot de passe perdu", tags=("compte", "mdp")))
    assert [(c.name, c.old, c.new) for c in changes.fields] == [
        ("title", "Mot de passe oublié", "Mot de passe perdu"),
        ("tags", "mot-de-passe", "compte, mdp"),
    ]
    assert not changes.unchanged


def test_a_changed_line_shows_context_and_the_changed_words():
    new_body = DOC.body.replace("Ligne 10", "Ligne 10 modifiée")
    lines = diff_lines(DOC.body, new_body)
    kinds = [line.kind for line in lines]
    assert kinds == ["gap", *["equal"] * 3, "delete", "insert", *["equal"] * 3, "gap"]
    deleted, inserted = lines[4], lines[5]
    assert (deleted.old_number, deleted.new_number, deleted.text) == (10, None, "Ligne 10")
    assert (inserted.old_number, inserted.new_number) == (None, 10)
    assert [s.text for s in inserted.segments if s.changed] == [" modifiée"]
    assert lines[1].old_number == 7 and lines[-2].old_number == 13


def test_added_and_removed_lines_are_marked_whole():
    lines = diff_lines("a\nb\nc", "a\nc\nd")
    assert [(line.kind, line.text) for line in lines] == [
        ("equal", "a"),
        ("delete", "b"),
        ("equal", "c"),
        ("insert", "d"),
    ]
    assert all(s.changed for line in lines if line.kind != "equal" for s in line.segments)
