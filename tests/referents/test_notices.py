"""Release notes and incident notices: audience targeting, e-mails, banner, read receipts."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import OrganisationKind, Role
from helpdesk.errors import NotFoundError, PermissionDeniedError
from helpdesk.incidents.audience import Target, concerns
from helpdesk.incidents.notices import banner, mark_read, notices_for, publish_release, readers
from helpdesk.incidents.schemas import IncidentForm, ReleaseForm
from helpdesk.incidents.service import record_incident
from helpdesk.jobs.models import OutboxMessage
from helpdesk.notifications.models import OutgoingMail

from conftest import WebClient
from factories import make_agent
from support.referents import referent

PREF, PLATFORM = OrganisationKind.PREFECTURE.value, OrganisationKind.PLATFORM.value


@pytest.mark.parametrize(
    ("target", "site_code", "site_kind", "expected"),
    [
        (Target(True, (), ()), "pref-69", PREF, True),
        (Target(True, (), ("etudiant",)), "pref-69", PREF, True),
        (Target(True, (), ("etudiant",)), "natali-nantes", PLATFORM, False),
        (Target(True, (), ("naturalisation-decret",)), "natali-nantes", PLATFORM, True),
        (Target(True, (), ("naturalisation-decret",)), "pref-69", PREF, False),
        (Target(True, (), ("compte",)), "natali-nantes", PLATFORM, True),
        (Target(False, ("pref-69",), ()), "pref-69", PREF, True),
        (Target(False, ("pref-69",), ()), "pref-75", PREF, False),
        (Target(False, ("pref-69",), ("naturalisation-decret",)), "pref-69", PREF, False),
    ],
)
def test_a_notice_concerns_sites_by_name_and_by_procedure(target, site_code, site_kind, expected):
    assert concerns(target, site_code=site_code, site_kind=site_kind) is expected


def _release(session: Session, dp, **overrides) -> object:
    values = {"title": "Version 3.14 de l'ANEF", "changes": "Nouveau parcours de dépôt des pièces."}
    values.update(overrides)
    return publish_release(session, form=ReleaseForm.model_validate(values), actor=dp)


def test_release_notes_reach_only_the_referents_concerned(session):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    lyon, paris = referent(session, "pref-69"), referent(session, "pref-75")
    nantes = referent(session, "natali-nantes", PLATFORM)
    advisor = make_agent(session)
    sejour = _release(session, dp, procedures=["etudiant"])
    natali = _release(session, dp, title="NATALI 2.1", procedures=["naturalisation-decret"])
    lyon_only = _release(session, dp, title="Correctif Rhône", all_sites=False, sites=["pref-69"])
    session.commit()
    mails = {(m.recipient, m.subject) for m in session.exec(select(OutgoingMail))}
    assert mails == {
        (lyon.email, "[Assistance ANEF] Mise en production : Version 3.14 de l'ANEF"),
        (paris.email, "[Assistance ANEF] Mise en production : Version 3.14 de l'ANEF"),
        (nantes.email, "[Assistance ANEF] Mise en production : NATALI 2.1"),
        (lyon.email, "[Assistance ANEF] Mise en production : Correctif Rhône"),
    }
    jobs = session.exec(
        select(OutboxMessage).where(OutboxMessage.actor_name == "notifications.send_mail")
    ).all()
    assert len(jobs) == 4  # each e-mail leaves through the outbox
    assert [n.id for n in notices_for(session, agent=lyon)] == [lyon_only.id, sejour.id]
    assert [n.id for n in notices_for(session, agent=nantes)] == [natali.id]
    assert len(notices_for(session, agent=advisor)) == 3  # the CCC console sees every notice
    with pytest.raises(NotFoundError):
        mark_read(session, notice_id=natali.id, agent=lyon)


def test_incident_notices_follow_the_incident_audience_and_leave_the_banner_when_resolved(session):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    lyon, nantes = referent(session, "pref-69"), referent(session, "natali-nantes", PLATFORM)
    form = IncidentForm(
        title="NATALI indisponible",
        description="Le service NATALI ne répond plus.",
        procedures=["naturalisation-decret"],
    )
    incident = record_incident(session, form=form, actor=dp)
    session.commit()
    recipients = {m.recipient for m in session.exec(select(OutgoingMail))}
    assert recipients == {nantes.email}
    assert [n.incident_id for n in banner(session, agent=nantes)] == [incident.id]
    assert banner(session, agent=lyon) == []
    assert [n.incident_id for n in banner(session, agent=dp)] == [incident.id]


def test_marking_read_is_once_and_dp_anef_sees_who_read(session):
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    lyon, paris = referent(session, "pref-69"), referent(session, "pref-75")
    notice = _release(session, dp)
    first = mark_read(session, notice_id=notice.id, agent=lyon)
    assert mark_read(session, notice_id=notice.id, agent=lyon).id == first.id
    with pytest.raises(PermissionDeniedError):
        mark_read(session, notice_id=notice.id, agent=dp)
    session.commit()
    rows = {row.agent.email: row.read_at for row in readers(session, notice_id=notice.id)}
    assert set(rows) == {lyon.email, paris.email}
    assert rows[lyon.email] is not None and rows[paris.email] is None
    assert banner(session, agent=lyon) == [] and [n.id for n in banner(session, agent=paris)] == [
        notice.id
    ]


def test_the_pages_of_informations(web: WebClient):
    with web.session() as session:
        dp = make_agent(
            session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
        )
        lyon = referent(session, "pref-69")
        advisor = make_agent(session)
        session.commit()
    web.sign_in(dp.email)
    response = web.post_form(
        "/informations/",
        {
            "title": "Version 3.15",
            "changes": "Correction du parcours étudiant.",
            "procedures": "etudiant",
            "all_sites": "1",
        },
        page="/informations/nouvelle",
    )
    assert response.status_code == 303
    notice_path = response.headers["location"]
    bad = web.post_form(
        "/informations/", {"title": "x", "changes": ""}, page="/informations/nouvelle"
    )
    assert bad.status_code == 422 and "fr-error-text" in bad.text
    web.sign_in(advisor.email)
    assert "Version 3.15" in web.client.get("/informations/bandeau").text
    assert web.client.get(f"{notice_path}/lectures").status_code == 403
    web.sign_in(lyon.email)
    assert "Version 3.15" in web.client.get("/referent/").text
    read = web.post_form(f"{notice_path}/lu", {"back": "/informations/"}, page="/informations/")
    assert read.status_code == 303
    assert "Version 3.15" not in web.client.get("/informations/bandeau").text
    web.sign_in(dp.email)
    page = web.client.get(f"{notice_path}/lectures").text
    assert "1 référent sur 1 concerné" in page and lyon.full_name in page
