"""Article content as the service takes it, and the wiki's web forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import field_validator

from dossiers.catalog import PROCEDURES_BY_CODE
from helpdesk.errors import ValidationFailedError
from helpdesk.kb.models import TRANSVERSE, Article, ArticleRevision, Audience
from helpdesk.web.forms import WebForm, as_list
from knowledge_base.corpus import LANGUAGES, ArticleDoc

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"nouveau", "lacunes", "suggestions", "help", "aide"})
MAX_TITLE, MAX_SLUG, MAX_BODY, MAX_TAGS, MAX_TAG, MAX_COMMENT = 200, 120, 100_000, 20, 40, 500


@dataclass(frozen=True)
class ArticleContent:
    """What a revision records: the content and metadata an editor writes."""

    title: str
    body: str
    audience: str
    language: str
    procedures: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Article | ArticleRevision | ArticleDoc) -> ArticleContent:
        """The content of an article, a revision or a Markdown file."""
        return cls(
            title=row.title,
            body=row.body,
            audience=row.audience,
            language=row.language,
            procedures=tuple(row.procedures),
            tags=tuple(row.tags),
        )

    def cleaned(self) -> ArticleContent:
        """The content trimmed and checked; raises ValidationFailedError with field messages."""
        content = ArticleContent(
            title=" ".join(self.title.split()),
            body=self.body.replace("\0", "").replace("\r\n", "\n").strip(),
            audience=self.audience,
            language=self.language,
            procedures=tuple(dict.fromkeys(p.strip() for p in self.procedures if p.strip())),
            tags=tuple(dict.fromkeys(t.strip().lower() for t in self.tags if t.strip())),
        )
        errors = content.errors()
        if errors:
            raise ValidationFailedError(
                "L'article n'a pas été enregistré : corrigez les champs signalés.",
                field_errors=errors,
            )
        return content

    def errors(self) -> dict[str, str]:
        """Field messages for what is not acceptable."""
        errors: dict[str, str] = {}
        if not self.title or len(self.title) > MAX_TITLE:
            errors["title"] = f"Donnez un titre (au plus {MAX_TITLE} caractères)."
        if not self.body or len(self.body) > MAX_BODY:
            errors["body"] = "Écrivez le texte de l'article (au plus 100 000 caractères)."
        if self.audience not in {a.value for a in Audience}:
            errors["audience"] = "Choisissez le public de l'article."
        if self.language not in LANGUAGES:
            errors["language"] = "Choisissez la langue de l'article (français ou anglais)."
        unknown = [p for p in self.procedures if p != TRANSVERSE and p not in PROCEDURES_BY_CODE]
        if unknown:
            errors["procedures"] = f"Téléprocédure inconnue : {', '.join(unknown)}."
        if len(self.tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in self.tags):
            errors["tags"] = f"Au plus {MAX_TAGS} mots-clés de {MAX_TAG} caractères chacun."
        return errors

    def to_doc(self, *, slug: str, status: str) -> ArticleDoc:
        """The content as the suggestion engine and the Markdown format see it."""
        return ArticleDoc(
            slug=slug,
            title=self.title,
            body=self.body,
            audience=self.audience,
            language=self.language,
            procedures=self.procedures,
            tags=self.tags,
            status=str(status),
        )


def check_slug(slug: str) -> str:
    """A valid new slug, or a ValidationFailedError saying how to write one."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG or slug in RESERVED_SLUGS:
        raise ValidationFailedError(
            "L'adresse de l'article n'est pas valable.",
            field_errors={
                "slug": "Utilisez des lettres minuscules sans accents, des chiffres et des "
                "tirets (par exemple : mot-de-passe-oublie)."
            },
        )
    return slug


class ArticleForm(WebForm):
    """The editor's form (create and edit)."""

    slug: str = ""
    title: str = ""
    body: str = ""
    audience: str = Audience.PUBLIC.value
    language: str = "fr"
    procedures: list[str] = []
    tags: str = ""
    comment: str = ""
    base_revision: int | None = None

    _lists = field_validator("procedures", mode="before")(as_list)

    def content(self) -> ArticleContent:
        """The submitted content (tags are comma-separated)."""
        return ArticleContent(
            title=self.title,
            body=self.body,
            audience=self.audience,
            language=self.language,
            procedures=tuple(self.procedures),
            tags=tuple(t for t in self.tags.split(",")),
        )


class FeedbackForm(WebForm):
    """The public "did this help you?" form."""

    helpful: str = ""
    lang: str = ""


class UsedForm(WebForm):
    """An agent says they used the article in a reply (optionally to a ticket)."""

    ticket_id: str = ""
