"""The point bimensuel: time per level, grouping, CSV neutralisation and access."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from helpdesk.auth.models import Role
from helpdesk.review.service import ReviewFilters, hold_review, review
from helpdesk.review.timeline import duration_text, neutralise, time_per_level
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.models import TicketEvent

from conftest import WebClient
from factories import make_agent, make_ticket
from support.referents import referent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEVELS = {"ccc": 1, "dp-anef": 2, "sdst": 3}


def test_time_per_level_sums_each_stay_until_now():
    moves = [
        (T0, "ccc"),
        (T0 + timedelta(hours=2), "dp-anef"),
        (T0 + timedelta(hours=5), "sdst"),
        (T0 + timedelta(days=1), "dp-anef"),
        (T0 + timedelta(days=1, hours=1), "ccc"),
    ]
    spent = time_per_level(moves, now=T0 + timedelta(days=2), levels=LEVELS)
    assert spent == {1: timedelta(hours=2 + 23), 2: timedelta(hours=3 + 1), 3: timedelta(hours=19)}
    assert time_per_level([], now=T0, levels=LEVELS) == {}
    assert duration_text(timedelta(days=3, hours=4)) == "3 j 4 h"
    assert duration_text(timedelta(minutes=12)) == "12 min"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Attestation = expirée", "Attestation = expirée"),
        (12, "12"),
        (None, ""),
    ],
)
def test_cells_that_would_run_as_formulas_are_neutralised(cell, expected):
    assert neutralise(cell) == expected


def _between_levels(session: Session):
    advisor = make_agent(session)
    dp = make_agent(
        session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=("dp-anef",)
    )
    escalated = make_ticket(
        session, subject='=HYPERLINK("http://evil.example","clic")', procedure="etudiant"
    )
    hand_over(
        session,
        ticket_id=escalated.id,
        to_queue_code="dp-anef",
        reason="-2+3 motif",
        checked="Vérifié",
        question="Que faire ?",
        actor=advisor,
    )
    hand_over(
        session,
        ticket_id=escalated.id,
        to_queue_code="sdst",
        reason="Métier",
        checked="Rien",
        question="Droit au travail ?",
        actor=dp,
    )
    at_ccc = make_ticket(session, subject="Reste au CCC", procedure="etudiant")
    return escalated, at_ccc, dp


def test_the_review_holds_tickets_between_levels_with_time_per_level(session):
    escalated, at_ccc, dp = _between_levels(session)
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == escalated.id)).all()
    for event, hours in zip(events, (50, 48, 24), strict=False):
        event.at = datetime.now(UTC) - timedelta(hours=hours)
    session.commit()
    groups = review(session, agent=dp, filters=ReviewFilters())
    rows = [row for group in groups for row in group.rows]
    assert [row.ticket.id for row in rows] == [escalated.id]
    row = rows[0]
    assert groups[0].queue_name.startswith("SDST") or "séjour" in groups[0].queue_name
    assert row.level == 3
    assert round(row.levels[1].total_seconds() / 3600) == 2
    assert round(row.levels[2].total_seconds() / 3600) == 24
    assert row.last_action == "Escalade"
    later = hold_review(session, actor=dp)
    assert (
        review(session, agent=dp, filters=ReviewFilters(since=later.held_at + timedelta(seconds=1)))
        == []
    )
    assert at_ccc.id not in [r.ticket.id for g in groups for r in g.rows]


def test_the_csv_export_opens_cleanly_and_runs_no_formula(web: WebClient):
    with web.session() as session:
        escalated, _at_ccc, dp = _between_levels(session)
        lyon = referent(session, "pref-69")
        sdanf = make_agent(session, organisation="sdanf", queues=("sdanf",))
        session.commit()
    web.sign_in(dp.email)
    response = web.client.get("/point-bimensuel/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="point-bimensuel-'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["File", "Niveau actuel", "Téléprocédure", "Référence"]
    data = rows[1]
    assert data[3] == escalated.reference
    assert data[4] == '\'=HYPERLINK("http://evil.example","clic")'
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    page = web.client.get("/point-bimensuel/?periode=tout").text
    assert escalated.reference in page
    printable = web.client.get("/point-bimensuel/imprimer").text
    assert escalated.reference in printable and "fr-header" not in printable
    # A référent follows its own site's tickets only; SDANF does not attend.
    web.sign_in(lyon.email)
    own = web.client.get("/point-bimensuel/export.csv")
    assert own.status_code == 200 and escalated.reference not in own.text
    assert escalated.reference not in web.client.get("/point-bimensuel/?periode=tout").text
    assert escalated.reference not in web.client.get("/point-bimensuel/imprimer").text
    web.sign_in(sdanf.email)
    assert web.client.get("/point-bimensuel/export.csv").status_code == 403
