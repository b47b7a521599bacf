"""Administration pages: jobs that exhausted their retries, their filters and their replay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from helpdesk.admin.dead_letters import KindCount, dead_letter_page, kind_counts
from helpdesk.admin.filters import FIELDS, STATES, ParsedFilters, parse_filters
from helpdesk.admin.replay import replay_matching
from helpdesk.auth.models import Agent
from helpdesk.jobs.outbox import replay_dead_letters
from helpdesk.policy import Action
from helpdesk.web.dependencies import DbSession, require_right
from helpdesk.web.forms import FormModel

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE_PATH = "/admin/travaux"
NOTICE = "relances"  # the query flag saying how many jobs a replay sent again
MAX_ID_DIGITS = 12
NOTHING_CHECKED = (
    "Aucun travail n'est coché : rien n'a été relancé. Cochez les travaux à relancer, "
    "ou relancez d'un coup tous ceux de la sélection avec le bouton prévu."
)
STALE_FILTERS = (
    "Les critères de cette sélection ne sont pas valides : rien n'a été relancé. "
    "Corrigez les filtres, puis relancez à nouveau."
)


class ReplayForm(FormModel):
    """The replay form: checked rows or the whole selection, and the filters of the page."""

    ids: list[str] = []
    mode: str = ""  # "selection" (the checked rows) or "filtre" (all matching, every page)
    plafond: str = ""  # the newest dead letter the page showed (bulk replay stops there)
    type: str = ""
    etat: str = ""
    du: str = ""
    au: str = ""
    page: str = ""

    def filter_params(self) -> dict[str, str]:
        """The page's filters, as the URL carries them."""
        return {name: getattr(self, name) for name in FIELDS}

    def checked_ids(self) -> list[int]:
        """The ids of the checked rows (anything that is not an id is dropped)."""
        return [i for i in map(as_id, self.ids) if i is not None]


def as_id(text: str) -> int | None:
    """A row id typed in a form or a URL, or None when the text is not one."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS else None


def _filters(session: Session, params: Mapping[str, str]) -> tuple[list[KindCount], ParsedFilters]:
    """The job kinds with their counts, and the filters read against them."""
    kinds = kind_counts(session)
    return kinds, parse_filters(params, kinds={kind.actor_name for kind in kinds})


def _page(
    session: Session,
    admin: Agent,
    params: Mapping[str, str],
    *,
    notice: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The failed jobs page for these filters, with a notice on top."""
    kinds, parsed = _filters(session, params)
    return Template(
        "admin/dead_letters.html",
        context={
            "agent": admin,
            "nav": "jobs",
            "kinds": kinds,
            "states": STATES,
            "page": dead_letter_page(session, filters=parsed.filters),
            "typed": parsed.typed,
            "errors": parsed.errors,
            "flash": notice,
        },
        status_code=status_code,
    )


def _notice(value: str) -> dict[str, str] | None:
    """What a replay did, said after its redirect."""
    count = as_id(value)
    if count is None:
        return None
    if count == 0:
        return {"kind": "info", "text": "Aucun travail relancé : ceux choisis l'avaient déjà été."}
    if count == 1:
        text = "1 travail relancé : il repart dans la file et sera exécuté dans quelques instants."
    else:
        text = (
            f"{count} travaux relancés : ils repartent dans la file et seront exécutés "
            "dans quelques instants."
        )
    return {"kind": "success", "text": text}


def _back(parsed: ParsedFilters, count: int, *, keep_page: bool) -> Redirect:
    """Back to the page with the same filters, saying how many jobs were sent again."""
    filters = parsed.filters
    query = filters.query_string(page=filters.page) if keep_page else filters.query_string()
    flag = urlencode({NOTICE: count})
    return Redirect(f"{PAGE_PATH}?{query + '&' if query else ''}{flag}", status_code=303)


class AdminController(Controller):
    """Pages for administrators only."""

    path = "/admin"
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/travaux", sync_to_thread=True)
    def dead_letters(
        self, request: Request[Any, Any, Any], db_session: DbSession, admin: NamedDependency[Agent]
    ) -> Template:
        """The jobs that exhausted their retries: filters, counts, one page of them."""
        params = {name: request.query_params.get(name, "") for name in FIELDS}
        notice = _notice(request.query_params.get(NOTICE, ""))
        return _page(db_session, admin, params, notice=notice)

    @post("/travaux/relancer", sync_to_thread=True)
    def replay_many(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        data: Annotated[ReplayForm, FORM],
    ) -> Template | Redirect:
        """Send again the checked jobs, or every not yet replayed job of the selection."""
        params = data.filter_params()
        _, parsed = _filters(db_session, params)
        refusal = STALE_FILTERS if parsed.errors else None
        ids = data.checked_ids()
        if data.mode != "filtre" and not ids:
            refusal = refusal or NOTHING_CHECKED
        if refusal:
            notice = {"kind": "error", "text": refusal}
            return _page(db_session, admin, params, notice=notice, status_code=422)
        if data.mode == "filtre":
            bound = as_id(data.plafond)
            count = replay_matching(db_session, filters=parsed.filters, up_to_id=bound)
            return _back(parsed, count, keep_page=False)
        return _back(parsed, replay_dead_letters(db_session, ids), keep_page=True)

    @post("/travaux/{dead_letter_id:int}/relancer", sync_to_thread=True)
    def replay_one(
        self,
        db_session: DbSession,
        admin: NamedDependency[Agent],
        dead_letter_id: FromPath[int],
        data: Annotated[ReplayForm, FORM],
    ) -> Redirect:
        """Send one dead letter's job again (a second replay does nothing)."""
        _, parsed = _filters(db_session, data.filter_params())
        count = replay_dead_letters(db_session, [dead_letter_id])
        return _back(parsed, count, keep_page=True)
