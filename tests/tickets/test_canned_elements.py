"""Éléments de langage: placeholders, folders, language, typo-tolerant search, macros, tags,
the demo set and who may manage or use them (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.db import attempt
from helpdesk.errors import (
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationFailedError,
)
from helpdesk.seed import ensure_chain
from helpdesk.ticket_routing.models import TicketTag
from helpdesk.tickets import canned, macros, tags
from helpdesk.tickets.canned_picker import build, canned_context
from helpdesk.tickets.canned_seed import ELEMENTS, seed_canned_responses
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.models import CannedResponse, Status, Ticket, TicketEvent
from helpdesk.tickets.service import change_status

from factories import make_agent, make_ticket


@pytest.fixture()
def people(session: Session):
    """A CCC supervisor and agent, a DP ANEF supervisor, and a CCC ticket."""
    ensure_chain(session)
    supervisor = make_agent(session, role=Role.SUPERVISOR)
    advisor = make_agent(session)
    other = make_agent(session, role=Role.SUPERVISOR, organisation="dp-anef", queues=("dp-anef",))
    ticket = make_ticket(session, dossier_number=None)
    session.commit()
    return supervisor, advisor, other, ticket


def _element(session: Session, supervisor, **fields) -> CannedResponse:
    values = {"title": "Relance", "body": "Bonjour {nom}, votre demande {reference}."}
    values.update(fields)
    response = canned.save(session, agent=supervisor, **values)
    session.commit()
    return response


def test_placeholders_are_filled_in_the_response_language(session: Session, people):
    supervisor, advisor, _, ticket = people
    french = _element(
        session, supervisor, body="Bonjour {nom}, {reference} : {statut}, {teleprocedure}."
    )
    english = _element(
        session, supervisor, title="Status", language="en", body="{statut} / {statut_dossier}"
    )
    text = canned.render(session, agent=advisor, response_id=french.id, ticket=ticket)
    assert text == f"Bonjour Awa Traoré, {ticket.reference} : Nouveau, Titre de séjour étudiant."
    ticket.requester_name = None
    text = canned.fill(english, agent=advisor, ticket=ticket, dossier_status="instruction")
    assert text == "new / instruction"
    assert canned.fill(english, agent=advisor, ticket=ticket).endswith("unavailable for the moment")


def test_save_refuses_each_wrong_field_and_keeps_nothing(session: Session, people):
    supervisor, _, _, _ = people
    with pytest.raises(ValidationFailedError) as refused:
        canned.save(
            session,
            agent=supervisor,
            title=" ",
            body="{inconnu}",
            language="de",
            macro_status="new",
            macro_priority="énorme",
            macro_tags="x" * 41,
        )
    assert set(refused.value.field_errors) == {
        "title",
        "body",
        "language",
        "macro_status",
        "macro_priority",
        "macro_tags",
    }
    saved = _element(
        session, supervisor, folder="  Titres   de séjour ", macro_tags="Relance, relance ,À suivre"
    )
    assert (saved.folder, saved.macro_tags) == ("Titres de séjour", "relance, à-suivre")


def test_only_supervisors_manage_and_only_their_organisation_uses(session: Session, people):
    supervisor, advisor, other, ticket = people
    response = _element(session, supervisor)
    with pytest.raises(PermissionDeniedError):
        canned.save(session, agent=advisor, title="x", body="y")
    with pytest.raises(PermissionDeniedError):
        canned.delete(session, agent=advisor, response_id=response.id)
    with pytest.raises(NotFoundError):  # DP ANEF's supervisor: not theirs to edit nor use
        canned.save(session, agent=other, title="x", body="y", response_id=response.id)
    with pytest.raises(NotFoundError):
        canned.render(session, agent=other, response_id=response.id, ticket=ticket)
    with pytest.raises(NotFoundError):
        macros.apply_macro(
            session,
            ticket_id=ticket.id,
            response_id=response.id,
            actor=other,
            expected_version=None,
        )
    assert canned.delete(session, agent=supervisor, response_id=response.id) == "Relance"
    with pytest.raises(NotFoundError):
        canned.render(session, agent=advisor, response_id=response.id, ticket=ticket)


def test_picker_filters_by_language_folder_and_finds_typos(session: Session, people):
    supervisor, advisor, _, ticket = people
    _element(
        session,
        supervisor,
        title="Quand déposer un renouvellement",
        folder="Titres de séjour",
        body="Entre 120 et 60 jours avant l'expiration.",
    )
    _element(
        session,
        supervisor,
        title="Mot de passe oublié",
        folder="Compte ANEF",
        body="Le lien de réinitialisation est sur la page de connexion.",
    )
    _element(
        session,
        supervisor,
        title="When to apply for a renewal",
        folder="Titres de séjour",
        language="en",
        body="Between 120 and 60 days before it expires.",
    )
    picker = canned_context(session, agent=advisor, ticket=ticket)["canned_picker"]
    assert picker.language == "fr"  # the ticket's language by default
    assert [f for f, _ in picker.groups] == ["Compte ANEF", "Titres de séjour"]
    assert picker.count == 2
    responses = canned.available(session, agent=advisor)
    found = build(responses, query="renouvelement", folder="", language="fr")
    assert [i.title for _, items in found.groups for i in items] == [
        "Quand déposer un renouvellement"
    ]
    assert found.corrected == "renouvellement"
    by_body = build(responses, query="REINITIALISATION connexion", folder="", language="")
    assert [i.title for _, items in by_body.groups for i in items] == ["Mot de passe oublié"]
    english = build(responses, query="renewal", folder="Titres de séjour", language="en")
    assert [i.title for _, items in english.groups for i in items] == [
        "When to apply for a renewal"
    ]
    assert build(responses, query="passeport", folder="", language="").count == 0
    ticket.language = "en"
    assert canned_context(session, agent=advisor, ticket=ticket)["canned_picker"].count == 1


def test_a_macro_sets_status_priority_and_tags_at_once(session: Session, people):
    supervisor, advisor, _, ticket = people
    macro = _element(
        session,
        supervisor,
        title="Relance usager",
        macro_status="waiting",
        macro_priority="high",
        macro_tags="relance, Pièces manquantes",
    )
    with attempt(session):
        result = macros.apply_macro(
            session,
            ticket_id=ticket.id,
            response_id=macro.id,
            actor=advisor,
            expected_version=ticket.version,
        )
    session.commit()
    assert result.text == f"Bonjour Awa Traoré, votre demande {ticket.reference}."
    assert result.summary() == (
        "Élément « Relance usager » inséré ; statut : En attente du demandeur ; "
        "priorité : Haute ; étiquette ajoutée : relance ; étiquette ajoutée : pièces-manquantes"
    )
    stored = session.get(Ticket, ticket.id, populate_existing=True)
    assert (stored.status, stored.priority) == ("waiting", "high")
    assert tags.tags_of(session, ticket.id) == ["pièces-manquantes", "relance"]
    kinds = [
        e.kind for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
    ]
    assert kinds.count(EventKind.STATUS_CHANGED) == 1 and kinds.count(EventKind.FIELD_CHANGED) == 3


def test_a_refused_transition_changes_nothing(session: Session, people):
    supervisor, advisor, _, ticket = people
    change_status(session, ticket_id=ticket.id, status="resolved", actor=advisor)
    session.commit()
    version = session.get(Ticket, ticket.id).version
    macro = _element(
        session, supervisor, macro_status="waiting", macro_priority="urgent", macro_tags="relance"
    )
    with pytest.raises(InvalidTransitionError), attempt(session):
        macros.apply_macro(
            session,
            ticket_id=ticket.id,
            response_id=macro.id,
            actor=advisor,
            expected_version=version,
        )
    session.commit()
    stored = session.get(Ticket, ticket.id, populate_existing=True)
    assert (stored.status, stored.priority, stored.version) == ("resolved", "normal", version)
    assert session.exec(select(TicketTag).where(TicketTag.ticket_id == ticket.id)).all() == []
    with pytest.raises(StaleVersionError):
        macros.apply_macro(
            session,
            ticket_id=ticket.id,
            response_id=macro.id,
            actor=advisor,
            expected_version=version - 1,
        )


def test_tags_are_normalised_limited_and_need_the_right(session: Session, people):
    _, advisor, other, ticket = people
    assert tags.normalise("  Pièces   manquantes !! ") == "pièces-manquantes"
    assert (
        tags.add_tag(session, ticket_id=ticket.id, actor=advisor, raw="À rappeler") == "à-rappeler"
    )
    with pytest.raises(ValidationFailedError) as refused:
        tags.add_tag(session, ticket_id=ticket.id, actor=advisor, raw="!!!")
    assert "tag" in refused.value.field_errors
    with pytest.raises(ValidationFailedError):
        tags.add_tag(session, ticket_id=ticket.id, actor=advisor, raw="x" * 41)
    with pytest.raises((NotFoundError, PermissionDeniedError)):  # not DP ANEF's ticket to tag
        tags.add_tag(session, ticket_id=ticket.id, actor=other, raw="relance")
    assert (
        tags.remove_tag(session, ticket_id=ticket.id, actor=advisor, raw="à-rappeler")
        == "à-rappeler"
    )
    assert tags.remove_tag(session, ticket_id=ticket.id, actor=advisor, raw="absente") is None
    assert tags.tags_of(session, ticket.id) == []


def test_the_demo_set_has_both_languages_in_folders_with_macros(session: Session):
    ensure_chain(session)
    assert seed_canned_responses(session) == 2 * len(ELEMENTS)
    assert seed_canned_responses(session) == 0  # idempotent
    rows = session.exec(select(CannedResponse)).all()
    ccc = [r for r in rows if r.organisation_id == rows[0].organisation_id]
    languages = [r.language for r in ccc]
    assert len(ccc) >= 20 and languages.count("en") >= 8 and languages.count("fr") >= 12
    assert {r.folder for r in ccc} >= set(canned.FOLDERS)
    assert sum(1 for r in ccc if canned.macro_effects(r)) >= 5
    for response in ccc:
        assert not set(canned.placeholders_in(response.body)) - set(canned.PLACEHOLDERS)
        assert "{nom}" in response.body and "{conseiller}" in response.body
        assert response.macro_status in (None, *(s.value for s in canned.MACRO_STATUSES))
    assert Status.WAITING in {r.macro_status for r in ccc}
