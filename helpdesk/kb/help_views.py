"""The public help centre: /aide (French; ?lang=en for English), articles, search, feedback."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, State
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from helpdesk.i18n import LANGUAGES, language
from helpdesk.kb import queries, service
from helpdesk.kb.index import suggest
from helpdesk.kb.models import Audience, FeedbackKind
from helpdesk.kb.public_suggest import PublicSuggestions
from helpdesk.kb.schemas import FeedbackForm
from helpdesk.web.dependencies import DbSession, OptionalAgent
from knowledge_base.engine import Suggestion
from knowledge_base.render import render_markdown

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PUBLIC = {Audience.PUBLIC.value}
RESULTS = 10
SUGGESTIONS_TEMPLATE = "help/_suggestions.html"
# Public data, the same for everyone: browsers and proxies may keep it a little while.
SUGGESTIONS_CACHE = CacheControlHeader(public=True, max_age=60)


def _page(name: str, lang: str, agent: Any, **context: Any) -> Template:
    """A help centre page in one language (its words come from the gettext catalogs)."""
    other_lang = next(code for code in LANGUAGES if code != lang)
    return Template(
        name,
        context={"lang": lang, "other_lang": other_lang, "agent": agent, "nav": "help", **context},
    )


def help_url(path: str = "/aide", lang: str = "fr", **params: str) -> str:
    """A help centre address that keeps the reader's language."""
    query = {**({"lang": lang} if lang != "fr" else {}), **{k: v for k, v in params.items() if v}}
    return f"{path}?{urlencode(query)}" if query else path


class HelpController(Controller):
    """Pages anyone may read, without signing in."""

    path = "/aide"

    @get("/", sync_to_thread=True)
    def home(
        self,
        state: State,
        db_session: DbSession,
        agent_or_none: OptionalAgent,
        q: FromQuery[str] = "",
        lang: FromQuery[str] = "fr",
    ) -> Template:
        """Search box, search results, and every public article in the reader's language."""
        lang = language(lang)
        query = q.strip()[:200]
        found = (
            suggest(
                db_session,
                live=state.kb_index,
                text=query,
                audiences=PUBLIC,
                language=lang,
                limit=RESULTS,
            )
            if query
            else []
        )
        return _page(
            "help/home.html",
            lang,
            agent_or_none,
            query=query,
            results=found,
            articles=queries.public_articles(db_session, language=lang),
            help_url=help_url,
        )

    @get(
        "/suggestions",
        cache_control=SUGGESTIONS_CACHE,
        opt={"exclude_from_csrf": True},  # a public read: no CSRF cookie to set
        sync_to_thread=True,
    )
    def suggestions(
        self, request: Request, state: State, q: FromQuery[str] = "", lang: FromQuery[str] = "fr"
    ) -> Response[str]:
        """An htmx fragment: published public articles that answer a text (contact form).

        A thin route for every keystroke of anonymous usagers: no request session, no agent,
        no cookie; the answer comes from the process cache, else from the live index (which
        looks at the index version in the database every few seconds, hence the thread).
        """
        lang = language(lang)
        public: PublicSuggestions = state.public_suggestions
        html = public.cached(q, language=lang)
        if html is None:
            html = public.fragment(q, language=lang, render=_fragment_renderer(request, lang))
        return Response(html, media_type=MediaType.HTML)

    @get("/{slug:str}", sync_to_thread=True)
    def article(
        self,
        db_session: DbSession,
        agent_or_none: OptionalAgent,
        slug: FromPath[str],
        lang: FromQuery[str] = "",
        avis: FromQuery[str] = "",
    ) -> Template:
        """A published public article and the "was this helpful?" form."""
        article = queries.public_article(db_session, slug=slug)
        lang = language(lang, default=article.language)
        return _page(
            "help/article.html",
            lang,
            agent_or_none,
            article=article,
            body_html=render_markdown(article.body),
            thanked=avis == "merci",
            help_url=help_url,
        )

    @post("/{slug:str}/avis", sync_to_thread=True)
    def feedback(
        self, db_session: DbSession, slug: FromPath[str], data: Annotated[FeedbackForm, FORM]
    ) -> Redirect:
        """Record a yes/no verdict, then thank the reader."""
        article = queries.public_article(db_session, slug=slug)
        kind = FeedbackKind.HELPFUL if data.helpful == "oui" else FeedbackKind.NOT_HELPFUL
        if data.helpful in ("oui", "non"):
            service.record_feedback(db_session, article_id=article.id or 0, kind=kind)
        url = help_url(f"/aide/{slug}", language(data.lang, article.language), avis="merci")
        return Redirect(f"{url}#avis", status_code=303)


@get("/help", sync_to_thread=False, include_in_schema=False)
def english_help() -> Redirect:
    """The English address of the help centre."""
    return Redirect("/aide?lang=en", status_code=302)


def _fragment_renderer(request: Request, lang: str) -> Callable[[Sequence[Suggestion]], str]:
    """Render the suggestions fragment with the application's Jinja environment."""
    engine = request.app.template_engine
    assert engine is not None, "create_app configures the templates"
    template = engine.engine.get_template(SUGGESTIONS_TEMPLATE)

    def render(found: Sequence[Suggestion]) -> str:
        return str(template.render(suggestions=found, lang=lang, help_url=help_url))

    return render
