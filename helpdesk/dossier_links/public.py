"""The usager's side: procedure from a verified dossier, its status on the follow-up page."""

from __future__ import annotations

import dataclasses

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from dossiers.source import DossierSource
from helpdesk.dossier_links import service
from helpdesk.dossier_links.views import dossier_source, today
from helpdesk.i18n import language
from helpdesk.intake.schemas import ContactData
from helpdesk.intake.service import ticket_for_token
from helpdesk.web.dependencies import DbSession

PRIVATE = {"Cache-Control": "no-store"}


def procedure_from_dossier(source: DossierSource, data: ContactData) -> ContactData:
    """The contact data with the procedure of the usager's dossier, when it is verified theirs."""
    dossier = service.verified_dossier(source, number=data.dossier_number, email=data.email)
    if dossier is None:
        return data
    return dataclasses.replace(data, procedure=dossier.procedure)


class PublicDossierController(Controller):
    """GET /suivi/<token>/dossier: the dossier's status in plain words, if the e-mail matches."""

    path = "/suivi/{token:str}/dossier"

    @get("/", sync_to_thread=True)
    def status(
        self,
        request: HTMXRequest,
        state: State,
        db_session: DbSession,
        token: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Template:
        """A fragment for htmx, or a small page without JavaScript."""
        ticket = ticket_for_token(db_session, token=token)
        context = {
            "agent": None,
            "ticket": ticket,
            "token": token,
            "lang": language(lang or ticket.language),
            "dossier": service.public_status(dossier_source(state), ticket=ticket, today=today()),
            "unavailable_text": service.UNAVAILABLE,
        }
        fragment = bool(request.htmx)
        name = "dossiers/_public_status.html" if fragment else "dossiers/public_status.html"
        return Template(name, context=context, headers=PRIVATE)
