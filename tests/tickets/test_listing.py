"""Queue lists and full-text search on SQLite and PostgreSQL, limited to visible tickets."""

from __future__ import annotations

from sqlmodel import Session, select

from helpdesk.tickets import service
from helpdesk.tickets.listing import PAGE_SIZE, QueueFilters, list_tickets
from helpdesk.tickets.models import MessageKind, Queue, Status, TicketSearchDocument
from helpdesk.tickets.search import search_document

from factories import make_agent, make_ticket


def ccc_queue_id(session: Session) -> int:
    return session.exec(select(Queue.id).where(Queue.code == "ccc")).one()  # type: ignore[return-value]


def test_search_is_accent_and_case_insensitive_over_every_field(session: Session):
    advisor = make_agent(session)
    titre = make_ticket(session, subject="Récépissé introuvable", requester_email="zoe@exemple.fr")
    other = make_ticket(session, subject="Timbre fiscal", dossier_number="9403202606060001234")
    service.add_message(
        session,
        ticket_id=other.id,
        kind=MessageKind.INTERNAL_NOTE,
        body="Le préfet a été contacté",
        actor=advisor,
    )
    session.commit()

    def found(q: str) -> set[int]:
        page = list_tickets(session, agent=advisor, filters=QueueFilters(q=q))
        return {ticket.id for ticket in page.tickets}  # type: ignore[misc]

    assert found("RECEPISSE") == {titre.id}
    assert found("récépissé introuvable") == {titre.id}
    assert found("zoe@exemple.fr") == {titre.id}
    assert found("9403202606060001234") == {other.id}
    assert found("prefet") == {other.id}
    assert found(titre.reference) == {titre.id}
    assert found("inexistant") == set()
    assert found('") OR 1=1 --') == set()


def test_search_matches_the_shared_normalisation_of_the_ticket_text(session: Session):
    advisor = make_agent(session)
    naturalisation = make_ticket(
        session, subject="Naturalisation", body="Mon dossier est à la préfecture d'Évry."
    )
    coeur = make_ticket(session, subject="Question", body="Le cœur du problème : ŒUVRE d’art")
    ivan = make_ticket(session, requester_name="Иван Петров", body="Bonjour")
    mohamed = make_ticket(session, subject="Titre de séjour", body="Je suis محمد بن علي.")
    plain = make_ticket(session, subject="Coeur de cible", body="prefecture sans accent")
    session.commit()

    def found(q: str) -> set[int]:
        page = list_tickets(session, agent=advisor, filters=QueueFilters(q=q))
        return {ticket.id for ticket in page.tickets}  # type: ignore[misc]

    assert found("naturalisation") == {naturalisation.id}
    assert found("NATURALISATIONS") == {naturalisation.id}  # stems meet
    assert found("natural") == {naturalisation.id}  # a prefix
    assert found("prefecture") == {naturalisation.id, plain.id}
    assert found("préfecture evry") == {naturalisation.id}
    assert found("coeur") == {coeur.id, plain.id}
    assert found("cœur œuvre") == {coeur.id}
    assert found("oeuvre") == {coeur.id}
    assert found("Иван") == {ivan.id}
    assert found("петров иван") == {ivan.id}
    assert found("محمد") == {mohamed.id}
    assert found("علي") == {mohamed.id}
    assert found("сергей") == set()
    # stop words are not indexed: a query of stop words only finds nothing
    assert found("le la de") == set()
    # no word at all: no filter
    assert len(found("--")) == 5


def test_search_document_holds_the_shared_tokens_by_weight(session: Session):
    ticket = make_ticket(session, subject="Préfecture du cœur", requester_name="Иван")
    session.commit()
    document = session.get(TicketSearchDocument, ticket.id)
    assert document is not None
    assert document.heading == search_document([ticket.reference, ticket.subject])
    assert document.contact == search_document([ticket.requester_name, ticket.requester_email])
    assert document.body == search_document(["Mon attestation a expiré, que faire ?"])
    assert {"prefectur", "coeur"} <= set(document.heading.split())
    assert "иван" in document.contact.split() and "attest" in document.body.split()


def test_search_never_returns_tickets_the_agent_may_not_see(session: Session):
    sdst_agent = make_agent(session, organisation="sdst", queues=("sdst",))
    make_ticket(session, subject="Question secrète du CCC")
    session.commit()
    page = list_tickets(session, agent=sdst_agent, filters=QueueFilters(q="secrète"))
    assert page.tickets == [] and page.total == 0


def test_filters_combine(session: Session):
    advisor = make_agent(session)
    mine = make_ticket(session, procedure="etudiant", priority="high")
    make_ticket(session, procedure="compte")
    resolved = make_ticket(session, procedure="etudiant")
    service.assign(session, ticket_id=mine.id, assignee_id=advisor.id, actor=advisor)
    service.change_status(session, ticket_id=resolved.id, status=Status.RESOLVED, actor=advisor)
    session.commit()

    def ids(**kwargs: str) -> set[int]:
        filters = QueueFilters(queue_id=ccc_queue_id(session), **kwargs)
        return {t.id for t in list_tickets(session, agent=advisor, filters=filters).tickets}  # type: ignore[misc]

    assert ids(procedure="etudiant") == {mine.id}
    assert ids(procedure="etudiant", status="resolved") == {resolved.id}
    assert ids(assigned="moi") == {mine.id}
    assert mine.id not in ids(assigned="personne")
    assert ids(priority="high") == {mine.id}
    assert ids(age_days="3") == set()


def test_keyset_pagination_walks_every_ticket_once_in_each_sort(session: Session):
    advisor = make_agent(session)
    created = {make_ticket(session, subject=f"Demande {i}").id for i in range(PAGE_SIZE + 7)}
    session.commit()
    for sort in ("anciens", "recents", "priorite", "activite"):
        seen: list[int] = []
        after = ""
        while True:
            page = list_tickets(
                session, agent=advisor, filters=QueueFilters(sort=sort, after=after)
            )
            seen += [t.id for t in page.tickets]  # type: ignore[misc]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert len(seen) == len(created) and set(seen) == created, sort
    assert list_tickets(
        session, agent=advisor, filters=QueueFilters(after="%%garbage")
    ).total == len(created)
