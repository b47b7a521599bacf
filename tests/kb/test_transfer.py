"""Import and export of Markdown articles: idempotent by slug, one revision per change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from helpdesk.errors import ValidationFailedError
from helpdesk.kb import queries
from helpdesk.kb.models import Article, ArticleRevision, ArticleStatus
from helpdesk.kb.transfer import SEED_DIR, export_directory, import_directory
from knowledge_base.corpus import load_articles


def revision_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ArticleRevision)).one()


def article(session: Session, slug: str) -> Article:
    return session.exec(select(Article).where(Article.slug == slug)).one()


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(SEED_DIR, folder)
    return folder


def test_importing_twice_changes_nothing_the_second_time(session: Session, kb_dir: Path):
    first = import_directory(session, directory=kb_dir)
    session.commit()
    count = len(load_articles(kb_dir))
    assert len(first.created) == count and revision_count(session) == count
    second = import_directory(session, directory=kb_dir)
    session.commit()
    assert (second.created, second.updated, second.status_changed) == ([], [], [])
    assert len(second.unchanged) == count
    assert revision_count(session) == count
    imported = article(session, "mot-de-passe-oublie")
    assert imported.status == ArticleStatus.PUBLISHED and imported.procedures == ["compte"]
    assert queries.owner_name(session, imported).startswith("Direction de programme ANEF")


def test_a_changed_file_makes_exactly_one_revision_by_nobody(session: Session, kb_dir: Path):
    import_directory(session, directory=kb_dir)
    session.commit()
    path = kb_dir / "mot-de-passe-oublie.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    report = import_directory(session, directory=kb_dir)
    session.commit()
    assert report.updated == ["mot-de-passe-oublie"]
    rows = queries.history(session, article=article(session, "mot-de-passe-oublie"))
    assert [r.revision.number for r in rows] == [2, 1]
    assert rows[0].revision.author_id is None and rows[0].revision.comment == "import"
    assert rows[0].revision.body.endswith("Une phrase ajoutée.")
    assert revision_count(session) == len(load_articles(kb_dir)) + 1


def test_a_status_in_the_file_is_applied_without_a_revision(session: Session, kb_dir: Path):
    import_directory(session, directory=kb_dir)
    path = kb_dir / "mot-de-passe-oublie.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "language: fr\n", "language: fr\nstatus: archived\n"
        ),
        encoding="utf-8",
    )
    report = import_directory(session, directory=kb_dir)
    assert report.status_changed == ["mot-de-passe-oublie"] and report.updated == []
    assert article(session, "mot-de-passe-oublie").status == ArticleStatus.ARCHIVED


def test_export_then_import_round_trips(
    session: Session, kb_dir: Path, tmp_path: Path, engine: Engine
):
    import_directory(session, directory=kb_dir)
    draft = article(session, "mot-de-passe-oublie")
    draft.status = ArticleStatus.DRAFT
    session.commit()
    out = tmp_path / "export"
    assert export_directory(session, directory=out) == len(load_articles(kb_dir))
    exported = {d.slug: d for d in load_articles(out)}
    seeded = {d.slug: d for d in load_articles(kb_dir)}
    assert exported["mot-de-passe-oublie"].status == "draft"
    exported["mot-de-passe-oublie"] = seeded["mot-de-passe-oublie"].__class__(
        **{**exported["mot-de-passe-oublie"].__dict__, "status": "published"}
    )
    assert exported == seeded
    again = import_directory(session, directory=out)
    assert again.updated == [] and again.created == [] and again.status_changed == []


def test_an_invalid_file_is_reported_by_slug(session: Session, tmp_path: Path):
    (tmp_path / "bad.md").write_text(
        "---\nslug: mauvais\ntitle: T\nteleprocedures: [teleportation]\n---\nTexte\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailedError, match="mauvais : Téléprocédure inconnue"):
        import_directory(session, directory=tmp_path)


def test_the_kb_commands_import_and_export(
    sqlite_engine: Engine, tmp_path: Path, kb_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    from helpdesk.cli import main

    monkeypatch.setenv("HELPDESK_DATABASE_URL", str(sqlite_engine.url))
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "test-secret-key-not-for-production")
    runner = CliRunner()
    result = runner.invoke(main, ["kb", "import", str(kb_dir)])
    assert result.exit_code == 0, result.output
    assert f"{len(load_articles(kb_dir))} créé(s)" in result.output
    result = runner.invoke(main, ["kb", "import", str(kb_dir)])
    assert "0 créé(s), 0 modifié(s)" in result.output
    result = runner.invoke(main, ["kb", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.md")) == sorted(
        p.name for p in kb_dir.glob("*.md")
    )
