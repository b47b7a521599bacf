"""The classifiers read resolved tickets in one query and are not rebuilt on every resolution."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import Session

from helpdesk.db import utcnow
from helpdesk.ticket_routing import classify
from helpdesk.tickets.models import Ticket
from knowledge_base.text import tokens

from factories import make_ticket
from support.statements import counted


def resolve_all(session: Session) -> None:
    session.flush()
    session.execute(update(Ticket).values(status="resolved", resolved_at=utcnow()))
    session.commit()


@pytest.fixture(autouse=True)
def no_classifiers_built_yet() -> None:
    classify._cache.clear()


def test_resolved_tickets_are_read_in_one_query(session: Session):
    for n in range(40):
        make_ticket(
            session,
            subject=f"Demande {n}",
            body=f"Question numéro {n} sur le xylophone de la préfecture",
            procedure="naturalisation-decret",
            category="decision",
        )
    resolve_all(session)
    engine = session.get_bind().engine
    with counted(engine) as statements:
        procedures, categories = classify.classifiers(session)
    assert len(statements) <= 4, statements  # was 4 + one per resolved ticket
    assert tokens("xylophone")[0] in procedures.idf  # the first messages were read
    assert "naturalisation-decret" in procedures.centroids
    assert "decision" in categories.centroids


def test_new_resolutions_rebuild_at_most_every_interval(
    session: Session, monkeypatch: pytest.MonkeyPatch
):
    make_ticket(session, body="Première question sur le xylophone")
    resolve_all(session)
    first, _ = classify.classifiers(session)
    make_ticket(session, body="Une autre question sur le tambourin", procedure="etudiant")
    resolve_all(session)
    engine = session.get_bind().engine
    with counted(engine) as statements:
        again, _ = classify.classifiers(session)
    assert again is first and len(statements) == 1  # the wiki's signature only
    assert tokens("tambourin")[0] not in again.idf
    monkeypatch.setattr(classify, "REBUILD_INTERVAL_S", 0.0)
    rebuilt, _ = classify.classifiers(session)
    assert rebuilt is not first and tokens("tambourin")[0] in rebuilt.idf
    assert classify.classifiers(session)[0] is rebuilt  # nothing new resolved: kept


def test_a_wiki_change_rebuilds_at_once(session: Session):
    from helpdesk.kb.transfer import import_seed

    first, _ = classify.classifiers(session)
    import_seed(session)
    session.commit()
    assert classify.classifiers(session)[0] is not first
