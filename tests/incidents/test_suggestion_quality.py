"""Incident suggestions one can trust: quality on the labelled set, nothing pre-ticked,
the reasons shown, and only tickets the agent may see (both databases)."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from helpdesk.auth.models import Role
from helpdesk.db import utcnow
from helpdesk.incidents import likeness
from helpdesk.incidents.models import IncidentTicket
from helpdesk.incidents.schemas import IncidentForm
from helpdesk.incidents.service import record_incident
from helpdesk.incidents.suggestions import suggest_links

from conftest import WebClient
from factories import make_agent, make_ticket

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import incident_suggestions as bench  # noqa: E402

# Floors stated for the shipped model (measured: tuning 0.93 / 0.97, validation 1.0 / 0.92).
TUNING_PRECISION, VALIDATION_PRECISION = 0.9, 0.9
TUNING_RECALL, VALIDATION_RECALL = 0.9, 0.85
# Measured: 2 of the tuning half's 29 hard negatives and none of the validation half's 35.
MAX_HARD_PROPOSED = {"tuning": 2, "validation": 0}


@pytest.fixture(scope="module")
def labelled() -> dict[str, list[bench.Pair]]:
    """Every pair of the labelled set, scored by the shipped model, by half."""
    incidents, tickets = bench.load(bench.DATA)
    return {half: bench.pairs(incidents, tickets, half) for half in bench.HALVES}


def _proposed(pair: bench.Pair) -> bool:
    return pair.scored.probability >= likeness.THRESHOLD


def test_the_labelled_set_is_big_enough_and_split_by_hash(labelled):
    for rows in labelled.values():
        assert len(rows) >= 40 and sum(p.related for p in rows) >= 20
    assert bench.half_of("c1") == bench.half_of("c1")
    tuning = {p.ticket for p in labelled["tuning"]}
    assert tuning.isdisjoint({p.ticket for p in labelled["validation"]})


@pytest.mark.parametrize(
    ("half", "precision", "recall"),
    [
        ("tuning", TUNING_PRECISION, TUNING_RECALL),
        ("validation", VALIDATION_PRECISION, VALIDATION_RECALL),
    ],
)
def test_precision_and_recall_reach_their_floors(labelled, half, precision, recall):
    result = bench.metrics(labelled[half], _proposed)
    assert result["precision"] >= precision, result
    assert result["recall"] >= recall, result
    former = bench.metrics(labelled[half], lambda p: p.old_score >= 60)
    assert result["precision"] > 3 * former["precision"]  # the rapidfuzz scorer it replaces


def test_hard_negatives_are_kept_out(labelled):
    for half, rows in labelled.items():
        proposed_pairs = [p for p in rows if p.hard and _proposed(p)]
        assert len(proposed_pairs) <= MAX_HARD_PROPOSED[half], proposed_pairs
        sure = [p.ticket for p in proposed_pairs if p.scored.category == "très proche"]
        assert sure == []  # a hard negative that slips through is never shown as "très proche"


def test_a_shared_short_word_is_not_enough():
    """The case reported: "connexion" for a driving licence is not a login incident."""
    start = utcnow()
    incident = likeness.IncidentText(
        "Impossible de se connecter à l'espace ANEF",
        "La connexion au compte ANEF échoue : identifiant ou mot de passe incorrect.",
        ("compte",),
        start,
    )
    related = likeness.CandidateText(
        1, "pb conexion", "jarrive pa a me conecter a mon compte anef mdp incorect", None, start
    )
    licence = likeness.CandidateText(
        2, "Connexion ANTS", "Connexion au site de l'ANTS pour mon permis de conduire.", None, start
    )
    ranked = likeness.rank(incident, [licence, related])
    assert [s.key for s in ranked] == [1]
    assert {"conexion", "compte"} <= set(ranked[0].shared_words)  # as the usager wrote them


def _dp(session):
    return make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )


def _login_incident(session, dp):
    form = IncidentForm.model_validate(
        {
            "title": "Impossible de se connecter à l'espace ANEF",
            "description": "Depuis 8 h, la connexion au compte ANEF échoue avec le message "
            "« identifiant ou mot de passe incorrect » alors que les identifiants sont bons.",
            "procedures": ["compte"],
            "started_at": utcnow() - timedelta(hours=2),
        }
    )
    return record_incident(session, form=form, actor=dp)


LOGIN_PROBLEM = {
    "subject": "Connexion impossible",
    "body": "Je n'arrive plus à me connecter à mon compte ANEF : identifiant ou mot de passe "
    "incorrect alors que ce sont les bons.",
    "procedure": "compte",
}


def test_only_tickets_the_agent_may_see_are_proposed(session):
    dp = _dp(session)
    incident = _login_incident(session, dp)
    seen = make_ticket(session, **LOGIN_PROBLEM)
    unseen = make_ticket(session, queue_code="sdanf", **LOGIN_PROBLEM)  # never passed DP ANEF
    unrelated = make_ticket(session, subject="Changement d'adresse", procedure="compte")
    session.commit()
    found = {s.ticket.id for s in suggest_links(session, incident=incident, agent=dp)}
    assert found == {seen.id}
    assert unseen.id not in found and unrelated.id not in found


def test_nothing_is_pre_ticked_and_the_reasons_are_shown(any_web: WebClient):
    with any_web.session() as session:
        dp = _dp(session)
        incident = _login_incident(session, dp)
        ticket = make_ticket(session, **LOGIN_PROBLEM)
        session.commit()
        incident_id, reference, email = incident.id, ticket.reference, dp.email
    any_web.sign_in(email)
    page = any_web.client.get(f"/incidents/{incident_id}").text
    form = page[page.index('data-testid="link-suggestions"') :]
    form = form[: form.index("</form>")]
    boxes = re.findall(r'<input type="checkbox"[^>]*>', form)
    assert len(boxes) == 1 and reference in form
    assert "checked" not in boxes[0]
    assert "Mots en commun" in form and "« Connexion »" in form and "« identifiant »" in form
    assert "même téléprocédure (Compte usager" in form
    assert "ouvert 2 h après le début de l'incident" in form
    assert "%" not in form  # a plain category, not a misleading percentage
    assert re.search(r"Très proche|Proche", form)


def test_linking_the_ticked_ones_confirms_and_a_refusal_stays_on_the_page(any_web: WebClient):
    with any_web.session() as session:
        dp = _dp(session)
        incident = _login_incident(session, dp)
        ticket = make_ticket(session, **LOGIN_PROBLEM)
        session.commit()
        incident_id, ticket_id, email = incident.id, ticket.id, dp.email
    any_web.sign_in(email)
    page = f"/incidents/{incident_id}"
    refused = any_web.post_form(f"{page}/tickets", {"reference": "ANEF-2026-999999"}, page=page)
    assert refused.status_code == 404
    assert 'data-testid="link-refused"' in refused.text and "ANEF-2026-999999" in refused.text
    assert 'id="reference-erreur"' in refused.text
    none_ticked = any_web.post_form(f"{page}/tickets", {}, page=page)
    assert none_ticked.status_code == 422 and "Sélectionnez au moins un ticket" in none_ticked.text
    done = any_web.post_form(f"{page}/tickets", {"ticket_ids": str(ticket_id)}, page=page)
    assert done.status_code == 303
    shown = any_web.client.get(done.headers["location"]).text
    assert "1 ticket lié à l&#39;incident" in shown or "1 ticket lié à l'incident" in shown
    assert 'data-testid="flash"' in shown
    bulk = {"ticket_ids": str(ticket_id), "back": "/files/dp-anef"}
    no_number = any_web.post_form("/incidents/lier", bulk, page=page)
    assert no_number.status_code == 303 and no_number.headers["location"] == "/files/dp-anef"
    queue = any_web.client.get("/files/dp-anef").text
    assert "Aucun ticket n&#39;a été rattaché" in queue or "Aucun ticket n'a été rattaché" in queue
    again = any_web.post_form("/incidents/lier", {**bulk, "incident_id": f"INC-{incident_id}"})
    assert again.status_code == 303
    assert "déjà liés" in any_web.client.get("/files/dp-anef").text


def test_hostile_link_values_are_refused_politely(web: WebClient):
    with web.session() as session:
        dp = _dp(session)
        incident = _login_incident(session, dp)
        session.commit()
        incident_id, email = incident.id, dp.email
    web.sign_in(email)
    page = f"/incidents/{incident_id}"
    nasty = ["abc", "-1", "9" * 30, "<script>x</script>", "ANEF-2026-\x00", "' OR 1=1 --"]
    for value in nasty:
        for path, field in ((f"{page}/tickets", "ticket_ids"), (f"{page}/tickets", "reference")):
            response = web.post_form(path, {field: value}, page=page)
            assert 400 <= response.status_code < 500, (field, value, response.status_code)
        bulk = web.post_form("/incidents/lier", {"incident_id": value, "ticket_ids": "1"})
        assert bulk.status_code in (303, 400, 422), (value, bulk.status_code)
    with web.session() as session:
        assert not session.exec(select(IncidentTicket)).all()


def test_linking_from_the_ticket_panel_confirms_or_explains(web: WebClient):
    with web.session() as session:
        dp = _dp(session)
        incident = _login_incident(session, dp)
        ticket = make_ticket(session, **LOGIN_PROBLEM)
        session.commit()
        incident_id, ticket_id, email = incident.id, ticket.id, dp.email
    web.sign_in(email)
    page = f"/tickets/{ticket_id}"
    refused = web.post_form(f"{page}/incidents/", {"incident_id": "INC-999"}, page=page)
    assert refused.status_code == 303 and refused.headers["location"] == page
    assert "pas été rattaché" in web.client.get(page).text
    done = web.post_form(f"{page}/incidents/", {"incident_id": f"INC-{incident_id}"}, page=page)
    assert done.status_code == 303
    assert f"Ticket rattaché à l&#39;incident INC-{incident_id}" in web.client.get(page).text
    with web.session() as session:
        assert [link.ticket_id for link in session.exec(select(IncidentTicket))] == [ticket_id]
