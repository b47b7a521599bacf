"""Administration pages: jobs that exhausted their retries, and their replay."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from helpdesk.admin.service import recent_dead_letters
from helpdesk.auth.models import Agent
from helpdesk.errors import DomainError
from helpdesk.policy import Action
from helpdesk.web.dependencies import DbSession, require_right


class AdminController(Controller):
    """Pages for administrators only."""

    path = "/admin"
    dependencies = {"admin": Provide(require_right(Action.ADMINISTER), sync_to_thread=True)}

    @get("/travaux", sync_to_thread=True)
    def dead_letters(self, db_session: DbSession, admin: NamedDependency[Agent]) -> Template:
        """The jobs that exhausted their retries."""
        return Template(
            "admin/dead_letters.html",
            context={
                "agent": admin,
                "nav": "jobs",
                "dead_letters": recent_dead_letters(db_session),
            },
        )

    @post("/travaux/{dead_letter_id:int}/relancer", sync_to_thread=True)
    def replay(
        self, state: State, admin: NamedDependency[Agent], dead_letter_id: FromPath[int]
    ) -> Redirect:
        """Send a dead letter's job again."""
        runtime = state.jobs
        try:
            runtime.replay_dead_letter(dead_letter_id)
        except Exception as error:
            raise DomainError(
                "La relance n'a pas pu être transmise (file de travaux injoignable). "
                "Réessayez dans quelques instants."
            ) from error
        return Redirect("/admin/travaux", status_code=303)
