"""The live index: built from the database, refreshed by the job's version bump, in any process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kb.helpers import add_article, make_editor
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.kb import service
from helpdesk.kb.index import LiveIndex, current_version, feedback_prior, suggest
from helpdesk.kb.models import ArticleStatus, FeedbackKind

from conftest import make_settings

ALL = {"public", "agents", "referents"}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def runtime(engine: Engine, tmp_path: Path) -> Iterator[JobRuntime]:
    """A job runtime on the test database (not installed: nothing is relayed)."""
    runtime = JobRuntime(make_settings(tmp_path), engine)
    yield runtime
    runtime.stop()


def run_refresh_jobs(session: Session, runtime: JobRuntime) -> int:
    """Run the queued refresh jobs through the runtime's once-per-message path."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.actor_name == "kb.refresh_index", col(OutboxMessage.sent_at).is_(None))
        .order_by(col(OutboxMessage.id))
    ).all()
    session.commit()  # SQLite: leave the write lock to the job's own transaction
    for row in rows:
        runtime.execute(JOBS["kb.refresh_index"], row.id, row.payload)
        runtime.execute(JOBS["kb.refresh_index"], row.id, row.payload)  # a duplicate: no effect
    return len(rows)


def slugs(session: Session, live: LiveIndex, text: str, audiences=ALL) -> list[str]:
    return [s.slug for s in suggest(session, live=live, text=text, audiences=audiences)]


def test_the_index_is_built_from_published_articles(session: Session, engine: Engine):
    add_article(session, "recepisse-perdu")
    add_article(session, "recepisse-brouillon", status=ArticleStatus.DRAFT)
    session.commit()
    live = LiveIndex(engine)
    live.load()
    assert slugs(session, live, "récépissé perdu") == ["recepisse-perdu"]


def test_publishing_reaches_every_process_after_the_job(
    session: Session, engine: Engine, runtime: JobRuntime
):
    clock = FakeClock()
    web_a, web_b = LiveIndex(engine, clock=clock), LiveIndex(engine, clock=clock)
    web_a.load()
    web_b.load()
    editor = make_editor(session)
    article = add_article(session, "recepisse-perdu", status=ArticleStatus.DRAFT)
    service.publish(session, article_id=article.id, actor=editor)
    session.commit()
    clock.now += 5
    assert slugs(session, web_a, "récépissé perdu") == []  # the job has not run yet
    assert run_refresh_jobs(session, runtime) == 1
    assert current_version(session) == 1
    assert slugs(session, web_a, "récépissé perdu") == []  # checked less than 2 s ago
    clock.now += 2.5
    assert slugs(session, web_a, "récépissé perdu") == ["recepisse-perdu"]
    assert slugs(session, web_b, "recepise perdu") == ["recepisse-perdu"]

    service.archive(session, article_id=article.id, actor=editor)
    session.commit()
    run_refresh_jobs(session, runtime)
    clock.now += 2.5
    assert slugs(session, web_a, "récépissé perdu") == []
    assert "recepisse-perdu" not in web_b.get(session)
    assert web_b.version == 2


def test_results_are_checked_against_the_database(session: Session, engine: Engine):
    article = add_article(session, "recepisse-perdu")
    add_article(session, "recepisse-agents", audience="agents")
    session.commit()
    live = LiveIndex(engine, check_interval=3600)
    live.load()
    assert slugs(session, live, "récépissé perdu", {"public"}) == ["recepisse-perdu"]
    # archived, but the job has not told the index yet: still never shown
    article.status = ArticleStatus.ARCHIVED
    session.commit()
    assert slugs(session, live, "récépissé perdu", {"public"}) == []
    assert slugs(session, live, "récépissé perdu", {"public", "agents"}) == ["recepisse-agents"]


def test_bad_input_returns_nothing(session: Session, engine: Engine):
    add_article(session, "recepisse-perdu")
    session.commit()
    live = LiveIndex(engine)
    assert slugs(session, live, "") == []
    assert slugs(session, live, "   \n\t ") == []
    assert slugs(session, live, "<script>alert(1)</script>\x00\x07") == []
    long_text = "récépissé perdu " + "x" * 5000
    assert slugs(session, live, long_text) == ["recepisse-perdu"]
    assert slugs(session, live, "x" * 2000 + " récépissé perdu") == []  # cut at 2,000 characters


def test_feedback_is_a_mild_prior(session: Session, engine: Engine):
    helpful = add_article(session, "recepisse-perdu")
    used = add_article(session, "recepisse-vole", audience="agents")
    disliked = add_article(session, "recepisse-abime")
    agent_editor = make_editor(session)
    for _ in range(3):
        service.record_feedback(session, article_id=helpful.id, kind=FeedbackKind.HELPFUL)
    service.record_feedback(
        session, article_id=used.id, kind=FeedbackKind.USED_IN_REPLY, agent=agent_editor
    )
    service.record_feedback(session, article_id=disliked.id, kind=FeedbackKind.HELPFUL)
    service.record_feedback(session, article_id=disliked.id, kind=FeedbackKind.NOT_HELPFUL)
    session.commit()
    assert feedback_prior(session) == {"recepisse-perdu": 3.0, "recepisse-vole": 1.0}
    session.commit()
    live = LiveIndex(engine)
    live.load()
    index = live.get(session)
    assert index.prior == {"recepisse-perdu": 3.0, "recepisse-vole": 1.0}
    scores = {s.slug: s.score for s in index.suggest("récépissé", limit=5)}
    # same text everywhere: the prior decides, mildly (at most +10 %)
    assert scores["recepisse-perdu"] > scores["recepisse-abime"]
    assert scores["recepisse-perdu"] <= scores["recepisse-abime"] * 1.1 + 1e-9
