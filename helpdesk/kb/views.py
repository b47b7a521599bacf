"""The agent-side wiki under /kb: list and search, article, editor, history, diff, gaps."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from dossiers.catalog import CATALOG
from helpdesk.auth.models import Agent
from helpdesk.db import attempt
from helpdesk.errors import (
    DomainError,
    NotFoundError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.kb import gaps, queries, service
from helpdesk.kb.index import suggest
from helpdesk.kb.models import (
    AUDIENCE_LABELS,
    LANGUAGE_LABELS,
    STATUS_LABELS,
    TRANSVERSE,
    Article,
    FeedbackKind,
)
from helpdesk.kb.schemas import ArticleForm, UsedForm
from helpdesk.policy import Action, ensure, may_view
from helpdesk.policy.articles import can_edit, readable_audiences
from helpdesk.tickets.models import Ticket
from helpdesk.web.dependencies import CurrentAgent, DbSession
from knowledge_base.render import render_markdown

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
NOTICES = {
    "cree": "L'article a été créé en brouillon. Publiez-le quand il est prêt.",
    "enregistre": "Vos modifications ont été enregistrées dans une nouvelle révision.",
    "inchange": "Aucune modification : aucune révision n'a été créée.",
    "publie": "L'article est publié. Les suggestions en tiennent compte dans quelques secondes.",
    "archive": "L'article est archivé : il n'est plus proposé aux lecteurs.",
    "restaure": "L'ancienne révision a été restaurée dans une nouvelle révision.",
    "utilise": "Merci : l'utilisation de l'article a été enregistrée.",
}
EditorAgent = NamedDependency[Agent]


def require_editor(db_session: DbSession, agent: CurrentAgent) -> Agent:
    """The signed-in agent if they write the wiki; others are refused (pages of an article
    answer 404 instead, like an article they may not read)."""
    return ensure(db_session, agent, Action.EDIT_ARTICLES)


def _labels() -> dict[str, Any]:
    """Labels and choices the wiki templates share."""
    return {
        "audience_labels": AUDIENCE_LABELS,
        "status_labels": STATUS_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "procedure_choices": [(p.code, p.label) for p in CATALOG]
        + [(TRANSVERSE, "Toutes les téléprocédures (transverse)")],
    }


def _page(name: str, agent: Agent, status_code: int = 200, **context: Any) -> Template:
    """A wiki page with the shared context."""
    return Template(
        name,
        context={"agent": agent, "nav": "kb", **_labels(), **context},
        status_code=status_code,
    )


def _notice(code: str) -> dict[str, str] | None:
    """The confirmation banner shown after a redirect."""
    text = NOTICES.get(code)
    return {"kind": "success", "text": text} if text else None


class KbController(Controller):
    """The wiki for agents, référents and editors."""

    path = "/kb"
    dependencies = {"editor": Provide(require_editor, sync_to_thread=True)}

    @get("/", sync_to_thread=True)
    def index(
        self,
        state: State,
        db_session: DbSession,
        agent: CurrentAgent,
        q: FromQuery[str] = "",
        audience: FromQuery[str] = "",
        language: FromQuery[str] = "",
        status: FromQuery[str] = "",
        procedure: FromQuery[str] = "",
    ) -> Template:
        """The articles the agent may read, with a search box and filters."""
        filters = queries.ListFilters(q[:200], audience, language, status, procedure)
        articles = queries.list_articles(
            db_session, agent=agent, filters=filters, live=state.kb_index
        )
        return _page(
            "kb/list.html",
            agent,
            articles=articles,
            filters=filters,
            may_edit=can_edit(db_session, agent),
            audiences=sorted(readable_audiences(db_session, agent)),
        )

    @get("/suggestions", sync_to_thread=True)
    def suggestions(
        self, state: State, db_session: DbSession, agent: CurrentAgent, q: FromQuery[str] = ""
    ) -> Template:
        """An htmx fragment: the articles the agent may read that answer a text."""
        found = suggest(
            db_session,
            live=state.kb_index,
            text=q,
            audiences=readable_audiences(db_session, agent),
        )
        return Template("kb/_suggestions.html", context={"suggestions": found, "query": q})

    @get("/nouveau", sync_to_thread=True)
    def new_form(self, editor: EditorAgent) -> Template:
        """An empty editor form."""
        return _page("kb/edit.html", editor, form=ArticleForm(), article=None, errors={})

    @post("/", sync_to_thread=True)
    def create(
        self, db_session: DbSession, editor: EditorAgent, data: Annotated[ArticleForm, FORM]
    ) -> Template | Redirect:
        """Create a draft article with its first revision."""
        try:
            with attempt(db_session):
                article = service.create_article(
                    db_session,
                    slug=data.slug,
                    content=data.content(),
                    actor=editor,
                    comment=data.comment or "Création",
                )
        except ValidationFailedError as error:
            return _form_error(editor, data, None, error)
        return Redirect(f"/kb/{article.slug}?message=cree", status_code=303)

    @get("/lacunes", sync_to_thread=True)
    def gaps_page(self, state: State, db_session: DbSession, editor: EditorAgent) -> Template:
        """Recent tickets no article answers, grouped by similar subject."""
        found = gaps.kb_gaps(db_session, live=state.kb_index, reader=editor)
        return _page("kb/gaps.html", editor, gaps=found, days=gaps.WINDOW.days)

    @get("/{slug:str}", sync_to_thread=True)
    def article_page(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        message: FromQuery[str] = "",
    ) -> Template:
        """An article, rendered from Markdown and sanitised; actions for editors."""
        article = queries.readable_article(db_session, agent=agent, slug=slug)
        may_edit = can_edit(db_session, agent)
        return _page(
            "kb/article.html",
            agent,
            article=article,
            body_html=render_markdown(article.body),
            owner=queries.owner_name(db_session, article),
            may_edit=may_edit,
            feedback=queries.feedback_counts(db_session, article=article) if may_edit else {},
            flash=_notice(message),
        )

    @get("/{slug:str}/modifier", sync_to_thread=True)
    def edit_form(
        self, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str]
    ) -> Template:
        """The editor form filled with the current revision."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        form = ArticleForm(
            slug=article.slug,
            title=article.title,
            body=article.body,
            audience=article.audience,
            language=article.language,
            procedures=list(article.procedures),
            tags=", ".join(article.tags),
            base_revision=article.revision_number,
        )
        return _page("kb/edit.html", agent, form=form, article=article, errors={})

    @post("/{slug:str}/modifier", sync_to_thread=True)
    def update(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        data: Annotated[ArticleForm, FORM],
    ) -> Template | Redirect:
        """Save the form as a new revision (refused if someone saved in between)."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        try:
            with attempt(db_session):
                revision = service.update_article(
                    db_session,
                    article_id=_id(article),
                    content=data.content(),
                    actor=agent,
                    comment=data.comment,
                    expected_revision=data.base_revision,
                )
        except (ValidationFailedError, StaleVersionError) as error:
            return _form_error(agent, data, article, error)
        notice = "enregistre" if revision else "inchange"
        return Redirect(f"/kb/{slug}?message={notice}", status_code=303)

    @post("/{slug:str}/publier", sync_to_thread=True)
    def publish(self, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str]) -> Redirect:
        """Publish the article."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        service.publish(db_session, article_id=_id(article), actor=agent)
        return Redirect(f"/kb/{slug}?message=publie", status_code=303)

    @post("/{slug:str}/archiver", sync_to_thread=True)
    def archive(self, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str]) -> Redirect:
        """Archive the article."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        service.archive(db_session, article_id=_id(article), actor=agent)
        return Redirect(f"/kb/{slug}?message=archive", status_code=303)

    @get("/{slug:str}/historique", sync_to_thread=True)
    def history(self, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str]) -> Template:
        """Every revision of the article, with author, time and comment."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        rows = queries.history(db_session, article=article)
        return _page("kb/history.html", agent, article=article, rows=rows)

    @get("/{slug:str}/diff", sync_to_thread=True)
    def diff(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        de: FromQuery[int] = 0,
        vers: FromQuery[int] = 0,
    ) -> Template:
        """What changed between two revisions."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        old, new = (de, vers) if de <= vers else (vers, de)
        changes = queries.revision_diff(db_session, article=article, old=old, new=new)
        return _page("kb/diff.html", agent, article=article, old=old, new=new, changes=changes)

    @post("/{slug:str}/historique/{number:int}/restaurer", sync_to_thread=True)
    def restore(
        self, db_session: DbSession, agent: CurrentAgent, slug: FromPath[str], number: FromPath[int]
    ) -> Redirect:
        """Restore an old revision as a new one."""
        article = queries.editable_article(db_session, agent=agent, slug=slug)
        revision = service.restore_revision(
            db_session, article_id=_id(article), number=number, actor=agent
        )
        return Redirect(
            f"/kb/{slug}?message={'restaure' if revision else 'inchange'}", status_code=303
        )

    @post("/{slug:str}/utilise", sync_to_thread=True)
    def used(
        self,
        db_session: DbSession,
        agent: CurrentAgent,
        slug: FromPath[str],
        data: Annotated[UsedForm, FORM],
    ) -> Redirect:
        """Record that the agent used the article in a reply."""
        article = queries.readable_article(db_session, agent=agent, slug=slug)
        service.record_feedback(
            db_session,
            article_id=_id(article),
            kind=FeedbackKind.USED_IN_REPLY,
            agent=agent,
            ticket_id=_ticket_id(db_session, agent, data.ticket_id),
        )
        return Redirect(f"/kb/{slug}?message=utilise", status_code=303)


def _id(article: Article) -> int:
    """The id of a loaded article."""
    return article.id or 0


def _ticket_id(session: Session, agent: Agent, raw: str) -> int | None:
    """The ticket the article was used for, if given and readable by the agent."""
    if not raw.strip():
        return None
    ticket = session.get(Ticket, int(raw)) if raw.strip().isdigit() else None
    if ticket is None or not may_view(session, agent, ticket):
        raise NotFoundError("Ce ticket n'existe pas ou ne vous est pas accessible.")
    return ticket.id


def _form_error(
    editor: Agent, form: ArticleForm, article: Article | None, error: DomainError
) -> Template:
    """The editor form again, with what to correct."""
    return _page(
        "kb/edit.html",
        editor,
        status_code=error.status_code,
        form=form,
        article=article,
        errors=error.field_errors,
        error=error.message,
    )
