"""Import and export of the wiki as Markdown files with front matter (knowledge_base format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from helpdesk.errors import ValidationFailedError
from helpdesk.kb import service
from helpdesk.kb.models import Article, ArticleStatus
from helpdesk.kb.schemas import ArticleContent
from knowledge_base.corpus import ArticleDoc, dump_article, load_articles

IMPORT_COMMENT = "import"
SEED_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "seed"


@dataclass
class ImportReport:
    """What an import did, slug by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"{len(self.created)} créé(s), {len(self.updated)} modifié(s), "
            f"{len(self.status_changed)} changement(s) de statut, "
            f"{len(self.unchanged)} inchangé(s)."
        )


def import_directory(
    session: Session, *, directory: Path, owner_code: str | None = None
) -> ImportReport:
    """Import every *.md file by slug: new → created, changed → one new revision, else nothing."""
    report = ImportReport()
    touched: list[Article] = []
    for doc in load_articles(directory):
        try:
            article = _import_one(session, doc, owner_code, report)
        except ValidationFailedError as error:
            details = "; ".join(error.field_errors.values()) or error.message
            raise ValidationFailedError(f"{doc.slug} : {details}") from error
        if article is not None:
            touched.append(article)
    service.refresh_articles(session, articles=touched)
    return report


def _import_one(
    session: Session, doc: ArticleDoc, owner_code: str | None, report: ImportReport
) -> Article | None:
    """Apply one file; returns the article when the searchable set may have changed."""
    status = ArticleStatus(doc.status)
    article = session.exec(select(Article).where(Article.slug == doc.slug)).first()
    if article is None:
        article = service.create_article(
            session,
            slug=doc.slug,
            content=ArticleContent.of(doc),
            actor=None,
            comment=IMPORT_COMMENT,
            status=status,
            owner_code=owner_code,
            refresh=False,
        )
        report.created.append(doc.slug)
        return article if status == ArticleStatus.PUBLISHED else None
    article_id = article.id or 0
    revision = service.update_article(
        session,
        article_id=article_id,
        content=ArticleContent.of(doc),
        actor=None,
        comment=IMPORT_COMMENT,
        refresh=False,
    )
    moved = article.status != status
    if moved:
        service.set_status(session, article_id=article_id, status=status, actor=None, refresh=False)
        report.status_changed.append(doc.slug)
    if revision is not None:
        report.updated.append(doc.slug)
    elif not moved:
        report.unchanged.append(doc.slug)
    return (
        article if moved or (revision is not None and status == ArticleStatus.PUBLISHED) else None
    )


def export_directory(session: Session, *, directory: Path) -> int:
    """Write every article (any status) as <slug>.md; returns how many files were written."""
    directory.mkdir(parents=True, exist_ok=True)
    articles = session.exec(select(Article).order_by(col(Article.slug))).all()
    for article in articles:
        doc = ArticleContent.of(article).to_doc(slug=article.slug, status=article.status)
        (directory / f"{article.slug}.md").write_text(dump_article(doc), encoding="utf-8")
    return len(articles)


def import_seed(session: Session) -> ImportReport:
    """Import the knowledge base the project ships (demo data, `make run`)."""
    return import_directory(session, directory=SEED_DIR)
