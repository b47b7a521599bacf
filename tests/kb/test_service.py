"""Wiki service on SQLite and PostgreSQL: revisions, restore, diff, status, permissions."""

from __future__ import annotations

import pytest
from kb.helpers import add_article, content, make_editor, make_referent
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.errors import PermissionDeniedError, StaleVersionError, ValidationFailedError
from helpdesk.jobs.models import OutboxMessage
from helpdesk.kb import queries, service
from helpdesk.kb.models import Article, ArticleFeedback, ArticleStatus, FeedbackKind
from helpdesk.policy.articles import can_edit, can_read, readable_audiences

from factories import make_agent


def refresh_jobs(session: Session) -> list[dict]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.actor_name == "kb.refresh_index"))
    return [row.payload for row in rows]


def test_every_save_makes_a_revision_with_author_time_and_comment(session: Session):
    editor = make_editor(session)
    article = service.create_article(
        session, slug="recepisse-perdu", content=content(), actor=editor, comment="Création"
    )
    second = service.update_article(
        session,
        article_id=article.id,
        content=content(body="Nouveau texte."),
        actor=editor,
        comment="Texte revu",
        expected_revision=1,
    )
    session.commit()
    assert second is not None and second.number == 2
    assert article.status == ArticleStatus.DRAFT
    assert article.revision_number == 2 and article.current_revision_id == second.id
    assert article.body == "Nouveau texte."
    rows = queries.history(session, article=article)
    assert [(r.revision.number, r.revision.comment, r.author) for r in rows] == [
        (2, "Texte revu", editor.full_name),
        (1, "Création", editor.full_name),
    ]
    assert rows[0].revision.created_at >= rows[1].revision.created_at
    assert rows[0].revision.created_at.tzinfo is not None


def test_saving_unchanged_content_makes_no_revision(session: Session):
    editor = make_editor(session)
    article = service.create_article(session, slug="a", content=content(), actor=editor)
    again = service.update_article(
        session,
        article_id=article.id,
        content=content(title="  Récépissé   perdu : que faire ? "),
        actor=editor,
    )
    assert again is None
    assert article.revision_number == 1


def test_restore_brings_an_old_revision_back_as_a_new_one(session: Session):
    editor = make_editor(session)
    article = service.create_article(session, slug="a", content=content(), actor=editor)
    service.update_article(
        session, article_id=article.id, content=content(title="Titre 2", tags=("x",)), actor=editor
    )
    service.update_article(
        session, article_id=article.id, content=content(title="Titre 3"), actor=editor
    )
    restored = service.restore_revision(session, article_id=article.id, number=1, actor=editor)
    session.commit()
    assert restored is not None and restored.number == 4
    assert restored.comment == "Restauration de la révision 1"
    assert article.title == "Récépissé perdu : que faire ?"
    assert article.tags == ["recepisse", "perte"]
    numbers = [r.revision.number for r in queries.history(session, article=article)]
    assert numbers == [4, 3, 2, 1]  # nothing was rewritten
    assert queries.revision_diff(session, article=article, old=1, new=4).unchanged
    with pytest.raises(Exception, match="révision n'existe pas"):
        service.restore_revision(session, article_id=article.id, number=9, actor=editor)


def test_diff_between_any_two_revisions(session: Session):
    editor = make_editor(session)
    article = service.create_article(session, slug="a", content=content(), actor=editor)
    service.update_article(
        session,
        article_id=article.id,
        content=content(body=content().body.replace("en ligne", "sur le site ANEF")),
        actor=editor,
    )
    service.update_article(
        session, article_id=article.id, content=content(audience="agents"), actor=editor
    )
    changes = queries.revision_diff(session, article=article, old=1, new=3)
    assert [(c.name, c.old, c.new) for c in changes.fields] == [("audience", "public", "agents")]
    assert changes.lines == ()  # body of 3 is back to the one of 1
    changes = queries.revision_diff(session, article=article, old=1, new=2)
    assert [line.kind for line in changes.lines] == ["delete", "insert", "equal", "equal"]
    inserted = changes.lines[1]
    assert "".join(s.text for s in inserted.segments if s.changed) == "sur le site ANEF"


def test_publish_and_archive_queue_the_index_refresh(session: Session):
    editor = make_editor(session)
    article = service.create_article(session, slug="a", content=content(), actor=editor)
    session.commit()
    assert refresh_jobs(session) == []  # a draft is not searchable
    service.publish(session, article_id=article.id, actor=editor)
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    service.update_article(session, article_id=article.id, content=content(title="T"), actor=editor)
    service.archive(session, article_id=article.id, actor=editor)
    session.commit()
    assert article.status == ArticleStatus.ARCHIVED
    assert refresh_jobs(session) == [{"article_ids": [article.id]}] * 3


def test_a_stale_form_is_refused(session: Session):
    editor = make_editor(session)
    article = service.create_article(session, slug="a", content=content(), actor=editor)
    service.update_article(session, article_id=article.id, content=content(title="B"), actor=editor)
    with pytest.raises(StaleVersionError):
        service.update_article(
            session,
            article_id=article.id,
            content=content(title="C"),
            actor=editor,
            expected_revision=1,
        )


@pytest.mark.parametrize(
    ("slug", "overrides", "field"),
    [
        ("Avec Majuscules", {}, "slug"),
        ("nouveau", {}, "slug"),
        ("ok", {"title": "  "}, "title"),
        ("ok", {"audience": "everyone"}, "audience"),
        ("ok", {"language": "de"}, "language"),
        ("ok", {"procedures": ("teleportation",)}, "procedures"),
    ],
)
def test_invalid_articles_are_refused_field_by_field(
    session: Session, slug: str, overrides: dict, field: str
):
    editor = make_editor(session)
    with pytest.raises(ValidationFailedError) as caught:
        service.create_article(session, slug=slug, content=content(**overrides), actor=editor)
    assert field in caught.value.field_errors


def test_a_slug_is_used_once(session: Session):
    editor = make_editor(session)
    service.create_article(session, slug="a", content=content(), actor=editor)
    with pytest.raises(ValidationFailedError, match="déjà"):
        service.create_article(session, slug="a", content=content(), actor=editor)


@pytest.mark.parametrize(
    ("role", "organisation", "queues", "allowed"),
    [
        (Role.EDITOR, "dp-anef", (), True),
        (Role.EDITOR, "sdst", (), True),
        (Role.EDITOR, "sdanf", (), True),
        (Role.ADMIN, "dp-anef", ("dp-anef",), True),
        (Role.EDITOR, "ccc", (), False),
        (Role.AGENT, "dp-anef", ("dp-anef",), False),
        (Role.SUPERVISOR, "ccc", ("ccc",), False),
    ],
)
def test_only_editors_of_dp_anef_sdst_sdanf_write(
    session: Session, role: Role, organisation: str, queues: tuple, allowed: bool
):
    agent = make_agent(session, role=role, organisation=organisation, queues=queues)
    assert can_edit(session, agent) is allowed
    if allowed:
        article = service.create_article(session, slug="a", content=content(), actor=agent)
        service.publish(session, article_id=article.id, actor=agent)
    else:
        with pytest.raises(PermissionDeniedError):
            service.create_article(session, slug="a", content=content(), actor=agent)


def test_who_reads_what(session: Session):
    editor, agent, referent = make_editor(session), make_agent(session), make_referent(session)
    articles = {
        "public": add_article(session, "p"),
        "agents": add_article(session, "g", audience="agents"),
        "referents": add_article(session, "r", audience="referents"),
        "draft": add_article(session, "d", status=ArticleStatus.DRAFT),
        "archived": add_article(session, "x", status=ArticleStatus.ARCHIVED),
    }

    def readable(reader):
        return {name for name, a in articles.items() if can_read(session, reader, a)}

    assert readable(editor) == set(articles)
    assert readable(agent) == {"public", "agents"}
    assert readable(referent) == {"public", "referents"}
    assert readable(None) == {"public"}
    assert readable_audiences(session, referent) == {"public", "referents"}
    agent.active = False
    assert readable(agent) == {"public"}


def test_feedback_is_recorded_only_where_it_makes_sense(session: Session):
    agent = make_agent(session)
    public = add_article(session, "p")
    internal = add_article(session, "g", audience="agents")
    referents = add_article(session, "r", audience="referents")
    service.record_feedback(session, article_id=public.id, kind=FeedbackKind.HELPFUL)
    service.record_feedback(
        session, article_id=internal.id, kind=FeedbackKind.USED_IN_REPLY, agent=agent
    )
    with pytest.raises(Exception, match="n'existe pas"):
        service.record_feedback(session, article_id=internal.id, kind=FeedbackKind.HELPFUL)
    with pytest.raises(Exception, match="n'existe pas"):
        service.record_feedback(
            session, article_id=referents.id, kind=FeedbackKind.USED_IN_REPLY, agent=agent
        )
    session.commit()
    kinds = {(f.article_id, f.kind) for f in session.exec(select(ArticleFeedback))}
    assert kinds == {(public.id, "helpful"), (internal.id, "used_in_reply")}
    assert queries.feedback_counts(session, article=public) == {"helpful": 1}
    assert session.get(Article, public.id) is not None
