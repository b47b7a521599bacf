"""The information banner: incidents in the DSFR warning style, releases in the info style,
never the error style; a resolved incident leaves it."""

from __future__ import annotations

import re

from helpdesk.auth.models import Role
from helpdesk.incidents.models import Notice, NoticeKind
from helpdesk.incidents.notices import banner_groups, publish_release
from helpdesk.incidents.schemas import IncidentForm, ReleaseForm, ResolutionForm
from helpdesk.incidents.service import record_incident, resolve_incident

from conftest import WebClient
from factories import make_agent

# Each notice of the banner: its style classes, then its text up to the next notice.
NOTICE = re.compile(
    r'class="fr-notice ([^"]*)" data-testid="notice-banner"(.*?)(?=class="fr-notice |\Z)', re.S
)


def _notices(html: str) -> dict[str, str]:
    """The banner's notices: their style class → their text."""
    return {classes: body for classes, body in NOTICE.findall(html)}


def test_banner_groups_put_incidents_first_in_warning_and_releases_in_info():
    release = Notice(id=1, kind=NoticeKind.RELEASE, title="Version 3.16")
    incident = Notice(id=2, kind=NoticeKind.INCIDENT, title="NATALI indisponible")
    groups = banner_groups([release, incident])
    assert [(g.kind, g.style, [n.id for n in g.notices]) for g in groups] == [
        (NoticeKind.INCIDENT, "warning", [2]),
        (NoticeKind.RELEASE, "info", [1]),
    ]
    assert [g.style for g in banner_groups([release])] == ["info"]
    assert banner_groups([]) == []


def test_the_banner_warns_of_an_incident_informs_of_a_release_and_drops_a_resolved_incident(
    web: WebClient,
):
    with web.session() as session:
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        advisor = make_agent(session)
        publish_release(
            session,
            form=ReleaseForm.model_validate(
                {"title": "Version 3.16 de l'ANEF", "changes": "Nouveau parcours étudiant."}
            ),
            actor=dp,
        )
        form = IncidentForm(
            title="Dépôt de pièces impossible", description="Le téléversement échoue depuis 9 h."
        )
        incident = record_incident(session, form=form, actor=dp)
        session.commit()
        incident_id, dp_id = incident.id, dp.id
    web.sign_in(advisor.email)
    shown = _notices(web.client.get("/informations/bandeau").text)
    assert set(shown) == {"fr-notice--warning", "fr-notice--info"}
    assert "Dépôt de pièces impossible" in shown["fr-notice--warning"]
    assert "Version 3.16" in shown["fr-notice--info"]
    assert "Version 3.16" not in shown["fr-notice--warning"]

    with web.session() as session:
        resolver = session.get(type(dp), dp_id)
        resolution = ResolutionForm(
            usager_reply="Le dépôt de pièces fonctionne de nouveau.",
            referent_message="Incident résolu, le téléversement fonctionne.",
        )
        resolve_incident(session, incident_id=incident_id, form=resolution, actor=resolver)
        session.commit()
    html = web.client.get("/informations/bandeau").text
    assert set(_notices(html)) == {"fr-notice--info"}
    assert "Dépôt de pièces impossible" not in html and "fr-notice--alert" not in html
