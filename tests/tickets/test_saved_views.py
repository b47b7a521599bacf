"""Saved views: saved from a list with its filters (search words included, never in clear in
an address), shared with a queue by a supervisor only, listed with their counts, opened with
obsolete filters dropped and said, renamed and deleted by their owner only."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from helpdesk.tickets.counts import forget_counts
from helpdesk.tickets.saved_view_models import SavedView
from helpdesk.tickets.saved_views import (
    check_filters,
    delete_view,
    rename_view,
    save_view,
    visible_views,
)
from helpdesk.tickets.view_service import view_counts

from conftest import WebClient
from factories import make_agent, make_ticket


def test_filters_are_checked_and_obsolete_ones_named():
    checked = check_filters(
        {"procedure": "etudiant", "status": "obsolete", "sort": "priorite", "colonne": "x"}
    )
    assert checked.values == {"procedure": "etudiant", "sort": "priorite"}
    assert checked.dropped == ["Statut", "colonne"]


def test_personal_and_shared_views_reach_the_right_people(session: Session):
    advisor = make_agent(session)
    colleague = make_agent(session)
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    mine = save_view(
        session,
        agent=advisor,
        name="Étudiants",
        base="queue:ccc",
        filters={"procedure": "etudiant"},
    )
    session.commit()
    with pytest.raises(PermissionDeniedError):
        save_view(
            session, agent=advisor, name="Pour tous", base="search", filters={}, share_with="ccc"
        )
    session.rollback()
    shared = save_view(
        session,
        agent=supervisor,
        name="Urgents du CCC",
        base="queue:ccc",
        filters={"priority": "urgent"},
        share_with="ccc",
    )
    session.commit()
    assert {v.id for v in visible_views(session, advisor)} == {mine.id, shared.id}
    assert {v.id for v in visible_views(session, colleague)} == {shared.id}
    assert visible_views(session, sdst) == []
    with pytest.raises(NotFoundError):
        rename_view(session, agent=colleague, view_id=shared.id, name="À moi")
    with pytest.raises(NotFoundError):
        delete_view(session, agent=sdst, view_id=mine.id)


def test_names_are_required_and_bounded(session: Session):
    advisor = make_agent(session)
    with pytest.raises(ValidationFailedError) as empty:
        save_view(session, agent=advisor, name="  ", base="search", filters={})
    assert "name" in empty.value.field_errors
    with pytest.raises(ValidationFailedError) as long:
        save_view(session, agent=advisor, name="x" * 201, base="search", filters={})
    assert "201" in long.value.field_errors["name"]
    with pytest.raises(ValidationFailedError):
        save_view(session, agent=advisor, name="Ailleurs", base="queue:inconnue", filters={})


def test_counts_follow_the_policy(session: Session):
    advisor = make_agent(session)
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    make_ticket(session, procedure="etudiant")
    make_ticket(session, procedure="etudiant", queue_code="sdst")
    mine = save_view(
        session, agent=advisor, name="Étudiants", base="search", filters={"procedure": "etudiant"}
    )
    theirs = save_view(
        session, agent=sdst, name="Étudiants SDST", base="search", filters={"procedure": "etudiant"}
    )
    session.commit()
    forget_counts()
    assert view_counts(session, advisor)[f"saved:{mine.id}"] == 1  # not the SDST's ticket
    assert view_counts(session, sdst)[f"saved:{theirs.id}"] == 1


def test_save_open_rename_delete_through_the_web(any_web: WebClient):
    web = any_web
    with web.session() as session:
        make_agent(session, email="vues@saved.test")
        wanted = make_ticket(session, subject="Renouvellement étudiant", procedure="etudiant")
        make_ticket(session, subject="Renouvellement visiteur", procedure="visiteur")
        session.commit()
    web.sign_in("vues@saved.test")
    token = web.csrf("/recherche")
    listed = web.client.post(
        "/recherche",
        data={"q": "renouvellement", "procedure": "etudiant", "_csrf_token": token},
        follow_redirects=True,
    )
    sealed = re.search(r'name="qs" value="([^"]+)"', listed.text).group(1)  # type: ignore[union-attr]
    form = {
        "base": "search",
        "procedure": "etudiant",
        "status": "",
        "sort": "pertinence",
        "qs": sealed,
    }

    refused = web.client.post("/vues/enregistrees", data={**form, "name": "", "_csrf_token": token})
    assert refused.status_code == 422 and "Donnez un nom à la vue" in refused.text
    assert wanted.reference in refused.text  # the same list, with the error beside the name

    saved = web.client.post(
        "/vues/enregistrees",
        data={**form, "name": "Mes étudiants", "_csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    opened = web.client.get(saved.headers["location"], follow_redirects=False)
    assert "renouvel" not in opened.headers["location"]  # the words stay sealed
    page = web.client.get(opened.headers["location"]).text
    assert "Vue « Mes étudiants » enregistrée" in page
    assert wanted.reference in page and "visiteur" not in page.split("queue-tickets")[1]
    with web.session() as session:
        view = session.exec(select(SavedView)).one()
        assert view.filters["q"] == "renouvellement"
        view.filters = {**view.filters, "procedure": "retiree"}
        session.add(view)
        session.commit()
        view_id = view.id

    warned = web.client.get(f"/vues/enregistrees/{view_id}", follow_redirects=True)
    assert "filtre retiré" in warned.text and "Téléprocédure" in warned.text
    assert "Mes étudiants" in web.client.get("/vues/menu", headers={"HX-Request": "true"}).text

    renamed = web.client.post(
        f"/vues/enregistrees/{view_id}/nom", data={"name": "", "_csrf_token": token}
    )
    assert renamed.status_code == 422 and "Donnez un nom" in renamed.text
    renamed = web.client.post(
        f"/vues/enregistrees/{view_id}/nom", data={"name": "Étudiants", "_csrf_token": token}
    )
    assert "Vue renommée « Étudiants »" in renamed.text
    confirm = web.client.get(f"/vues/enregistrees/{view_id}/suppression")
    assert "Supprimer la vue « Étudiants » ?" in confirm.text
    deleted = web.client.post(
        f"/vues/enregistrees/{view_id}/suppression", data={"_csrf_token": token}
    )
    assert "Vue « Étudiants » supprimée" in deleted.text
    with web.session() as session:
        assert session.exec(select(SavedView)).all() == []
