"""The routing pages: rules editor and dry run, SLA policies, calendars, availability, badges."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.auth.models import Role
from helpdesk.ticket_routing.models import BusinessCalendar, ClosedDay, RoutingRule, SlaPolicy
from helpdesk.tickets.models import QueueMembership

from factories import make_agent
from support.routing import paris, routed_ticket, set_history_times


def sign_in_as(web, role: Role, organisation: str = "dp-anef", queues=("dp-anef",)):
    with web.session() as session:
        agent = make_agent(session, role=role, organisation=organisation, queues=queues)
        session.commit()
    web.sign_in(agent.email)
    return agent


def test_rules_page_lists_the_default_chain_and_is_for_admins_only(web):
    sign_in_as(web, Role.AGENT)
    assert web.client.get("/admin/routage/").status_code == 403
    web.client.cookies.clear()
    sign_in_as(web, Role.ADMIN)
    page = web.client.get("/admin/routage/")
    assert page.status_code == 200
    assert "Référent NATALI → DP ANEF" in page.text and "Essai à blanc" in page.text


def test_a_rule_with_a_mistake_comes_back_with_the_text_kept(web):
    sign_in_as(web, Role.ADMIN)
    form = {
        "name": "Essai",
        "conditions": "couleur = bleu",
        "actions": "file = ccc",
        "match": "all",
    }
    response = web.post_form("/admin/routage/regles", form, page="/admin/routage/regles/nouvelle")
    assert response.status_code == 422
    assert "ligne 1" in response.text and "couleur = bleu" in response.text
    form["conditions"] = "texte contient carte volée"
    form["actions"] = "priorité = urgente\nfile = nulle-part"
    response = web.post_form("/admin/routage/regles", form, page="/admin/routage/regles/nouvelle")
    assert response.status_code == 422 and "nulle-part" in response.text


def test_saving_and_moving_a_rule(web):
    sign_in_as(web, Role.ADMIN)
    form = {
        "name": "Vol de titre",
        "conditions": "texte contient vol",
        "actions": "priorité = urgente",
        "match": "all",
        "stop": "true",
        "enabled": "true",
    }
    response = web.post_form("/admin/routage/regles", form, page="/admin/routage/regles/nouvelle")
    assert response.status_code == 303
    with web.session() as session:
        row = session.exec(select(RoutingRule).where(RoutingRule.name == "Vol de titre")).one()
    edit = web.client.get(f"/admin/routage/regles/{row.id}")
    assert "priorite = urgente" in edit.text
    moved = web.post_form(
        f"/admin/routage/regles/{row.id}/deplacer", {"direction": "up"}, page="/admin/routage/"
    )
    assert moved.status_code == 303
    with web.session() as session:
        positions = [
            r.name for r in session.exec(select(RoutingRule).order_by(RoutingRule.position))
        ]
    assert positions.index("Vol de titre") == len(positions) - 2


def test_dry_run_of_a_text_returns_a_fragment_for_htmx(web):
    sign_in_as(web, Role.ADMIN)
    query = {"subject": "Anomalie", "message": "Incident de remise", "requester": "referent-sejour"}
    fragment = web.client.get("/admin/routage/essai", params=query, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "dp-anef" in fragment.text and "déclenchée" in fragment.text
    page = web.client.get("/admin/routage/essai", params={"reference": "ANEF-2099-000001"})
    assert "Aucun ticket ANEF-2099-000001" in page.text


def test_policies_and_calendars_can_be_changed(web):
    sign_in_as(web, Role.ADMIN)
    assert "Délais par file et par priorité" in web.client.get("/admin/routage/delais").text
    with web.session() as session:
        policy = session.exec(select(SlaPolicy)).first()
        calendar = session.exec(select(BusinessCalendar)).first()
    assert policy is not None and calendar is not None
    values = {
        "response_minutes": "30",
        "resolution_minutes": "600",
        "warn_before_minutes": "60",
        "notify_supervisor": "true",
        "escalate_to": "",
    }
    assert (
        web.post_form(
            f"/admin/routage/delais/{policy.id}", values, page="/admin/routage/delais"
        ).status_code
        == 303
    )
    page = web.client.get("/admin/routage/calendriers")
    assert "Lundi de Pâques" in page.text
    hours = {
        "name": "Horaires réduits",
        "timezone": "Europe/Paris",
        "hours": "lundi 10:00-12:00",
        "areas": ["6AE"],
        "site_holidays": "true",
    }
    assert (
        web.post_form(
            f"/admin/routage/calendriers/{calendar.id}", hours, page="/admin/routage/calendriers"
        ).status_code
        == 303
    )
    closed = {"day": "2026-05-15", "label": "Pont de l'Ascension"}
    assert (
        web.post_form(
            f"/admin/routage/calendriers/{calendar.id}/fermetures",
            closed,
            page="/admin/routage/calendriers",
        ).status_code
        == 303
    )
    with web.session() as session:
        changed = session.get(SlaPolicy, policy.id)
        row = session.get(BusinessCalendar, calendar.id)
        assert changed.response_minutes == 30 and not changed.raise_priority
        assert (
            row.weekly[0] == [[600, 720]] and row.weekly[1] == [] and row.holiday_areas == ["6AE"]
        )
        assert session.exec(select(ClosedDay)).one().label == "Pont de l'Ascension"
    bad = dict(hours, hours="lundi 18:00-09:00")
    assert (
        web.post_form(
            f"/admin/routage/calendriers/{calendar.id}", bad, page="/admin/routage/calendriers"
        ).status_code
        == 422
    )


def test_agents_mark_themselves_away_and_back(web):
    agent = sign_in_as(web, Role.AGENT, organisation="ccc", queues=("ccc",))
    assert "disponible" in web.client.get("/disponibilite").text
    assert (
        web.post_form("/disponibilite", {"available": "0"}, page="/disponibilite").status_code
        == 303
    )
    with web.session() as session:
        rows = session.exec(
            select(QueueMembership).where(QueueMembership.agent_id == agent.id)
        ).all()
        assert [r.available for r in rows] == [False]
    assert "absent" in web.client.get("/disponibilite").text


def test_supervisors_see_the_sla_badge_and_filter_on_it(web):
    sign_in_as(web, Role.SUPERVISOR, organisation="ccc", queues=("ccc",))
    with web.session() as session:
        late = routed_ticket(session, subject="Très en retard")
        set_history_times(session, late, {"created": [paris(2, 9)]})
        from helpdesk.ticket_routing.sla_check import check_ticket

        check_ticket(session, ticket_id=late.id)
        session.commit()
        fresh = routed_ticket(session, subject="Tout juste arrivé")
    page = web.client.get("/files/ccc")
    assert 'id="sla"' in page.text and 'data-sla="breached"' in page.text
    filtered = web.client.get("/files/ccc", params={"sla": "breached"})
    assert late.reference in filtered.text and fresh.reference not in filtered.text
    panel = web.client.get(f"/routage/tickets/{late.id}")
    assert "Délais par niveau" in panel.text and "Délai dépassé" in panel.text
