"""The work views (« Mes tickets », « Non attribués », « Réponse reçue », « En retard »): their
contents and counts follow the policy, « Prendre le suivant » takes the most urgent ticket,
and the ticket page's « précédent / suivant » walks the last list opened."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.tickets.counts import forget_counts
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.listing import QueueFilters, list_tickets
from helpdesk.tickets.models import Priority, Ticket
from helpdesk.tickets.service import assign
from helpdesk.tickets.view_service import take_next, view_counts

from conftest import WebClient
from factories import make_agent, make_ticket

SUMMARY = {"reason": "motif", "checked": "vérifié", "question": "question ?"}


def _references(session: Session, agent, slug: str) -> set[str]:
    page = list_tickets(session, agent=agent, filters=QueueFilters(view=slug))
    return {ticket.reference for ticket in page.tickets}


def test_views_hold_what_they_say_and_only_what_the_agent_may_see(session: Session):
    advisor = make_agent(session)  # CCC, member of the CCC queue
    colleague = make_agent(session)
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    mine = make_ticket(session, subject="Le mien")
    free = make_ticket(session, subject="Libre")
    theirs = make_ticket(session, subject="Celui du collègue")
    elsewhere = make_ticket(session, subject="Au SDST", queue_code="sdst")
    late = make_ticket(session, subject="En retard")
    assign(session, ticket_id=mine.id, assignee_id=advisor.id, actor=advisor)
    assign(session, ticket_id=theirs.id, assignee_id=colleague.id, actor=colleague)
    clock = session.exec(select(TicketSlaClock).where(TicketSlaClock.ticket_id == late.id)).first()
    if clock is None:
        clock = TicketSlaClock(ticket_id=late.id, queue_id=late.queue_id, level=1)
    clock.state = "breached"
    clock.stopped_at = None
    session.add(clock)
    session.commit()

    assert _references(session, advisor, "mes-tickets") == {mine.reference}
    unassigned = _references(session, advisor, "non-attribues")
    assert {free.reference, late.reference} <= unassigned
    assert not {mine.reference, theirs.reference, elsewhere.reference} & unassigned
    assert _references(session, advisor, "en-retard") == {late.reference}
    # The SDST agent sees neither the CCC's tickets nor their counts.
    assert _references(session, sdst, "non-attribues") == {elsewhere.reference}
    forget_counts()
    assert view_counts(session, sdst)["en-retard"] == 0
    counts = view_counts(session, advisor)
    assert counts["mes-tickets"] == 1 and counts["en-retard"] == 1
    assert counts["non-attribues"] == len(unassigned)


def test_answer_received_view_shows_tickets_back_from_a_higher_level(session: Session):
    advisor = make_agent(session)
    dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
    ticket = make_ticket(session, subject="Question pour la DP ANEF")
    hand_over(session, ticket_id=ticket.id, to_queue_code="dp-anef", actor=advisor, **SUMMARY)
    assert _references(session, advisor, "reponse-recue") == set()
    hand_over(
        session, ticket_id=ticket.id, to_queue_code="ccc", actor=dp, reason="réponse", answer="Oui"
    )
    session.commit()
    assert _references(session, advisor, "reponse-recue") == {ticket.reference}
    assert _references(session, dp, "reponse-recue") == set()


def test_take_next_takes_the_most_urgent_then_the_oldest(session: Session):
    advisor = make_agent(session)
    old = make_ticket(session, subject="Ancien")
    urgent = make_ticket(session, subject="Urgent", priority=Priority.URGENT)
    make_ticket(session, subject="Récent")
    session.commit()

    first = take_next(session, agent=advisor, filters=QueueFilters(view="non-attribues"))
    second = take_next(session, agent=advisor, filters=QueueFilters(view="non-attribues"))
    session.commit()
    assert first is not None and first.id == urgent.id and first.assignee_id == advisor.id
    assert second is not None and second.id == old.id
    # Nothing left in the SDST's queues: nothing taken, whatever the CCC holds.
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    session.commit()
    assert take_next(session, agent=sdst, filters=QueueFilters(view="non-attribues")) is None


def test_take_next_and_neighbours_through_the_web(any_web: WebClient):
    web = any_web
    with web.session() as session:
        advisor = make_agent(session, email="conseiller@views.test")
        tickets = [make_ticket(session, subject=f"Demande {n}") for n in range(3)]
        session.commit()
        ids = [t.id for t in tickets]
    web.sign_in("conseiller@views.test")
    page = web.client.get("/vues/non-attribues")
    assert page.status_code == 200 and "Prendre le suivant" in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    taken = web.client.post(
        "/vues/non-attribues/prendre", data={"_csrf_token": token}, follow_redirects=False
    )
    assert taken.status_code == 303 and taken.headers["location"] == f"/tickets/{ids[0]}"
    opened = web.client.get(taken.headers["location"])
    assert f"Vous avez pris {tickets[0].reference}" in opened.text

    # The remembered list is « Non attribués »: the next one is the oldest still free.
    following = web.client.get(f"/tickets/{ids[0]}/suivant", follow_redirects=False)
    assert following.headers["location"] == f"/tickets/{ids[1]}"
    back = web.client.get(f"/tickets/{ids[1]}/precedent", follow_redirects=False)
    assert "/vues/non-attribues" in back.headers["location"]  # the first of the list: back to it
    end = web.client.get(f"/tickets/{ids[2]}/suivant", follow_redirects=False)
    assert end.headers["location"].startswith("/vues/non-attribues")
    assert "dernier ticket" in web.client.get(end.headers["location"]).text

    with web.session() as session:
        assigned = session.exec(select(Ticket).where(col(Ticket.assignee_id) == advisor.id)).all()
    assert [t.id for t in assigned] == [ids[0]]


def test_take_next_keeps_the_lists_filters(any_web: WebClient):
    web = any_web
    with web.session() as session:
        make_agent(session, email="filtre@views.test")
        make_ticket(session, subject="Étudiant", procedure="etudiant", priority=Priority.URGENT)
        visitor = make_ticket(session, subject="Visiteur", procedure="visiteur")
        session.commit()
    web.sign_in("filtre@views.test")
    token = web.csrf("/files/ccc")
    form = {"status": "actifs", "procedure": "visiteur", "_csrf_token": token}
    taken = web.client.post("/files/ccc/prendre", data=form, follow_redirects=False)
    assert taken.headers["location"] == f"/tickets/{visitor.id}"
    again = web.client.post("/files/ccc/prendre", data=form, follow_redirects=False)
    assert "procedure=visiteur" in again.headers["location"]
    assert "Aucun ticket non attribué" in web.client.get(again.headers["location"]).text


def test_menu_and_home_show_the_counts(any_web: WebClient):
    web = any_web
    with web.session() as session:
        make_agent(session, email="compte@views.test")
        make_ticket(session, subject="Sans personne")
        session.commit()
    web.sign_in("compte@views.test")
    forget_counts()
    menu = web.client.get("/vues/menu", headers={"HX-Request": "true"})
    assert re.search(r"Non attribués&nbsp;<span[^>]*>1<", menu.text)
    home = web.client.get("/")
    assert re.search(r'data-testid="view-count-non-attribues">1<', home.text)
    columns = web.client.get("/vues/non-attribues").text
    assert "Awa Traoré" in columns and "Titre de séjour étudiant" in columns
    assert "Français" in columns and "Personne" in columns


def test_neighbours_without_a_list_say_what_to_do(web: WebClient):
    with web.session() as session:
        make_agent(session, email="seul@views.test")
        ticket = make_ticket(session)
        session.commit()
    web.sign_in("seul@views.test")
    response = web.client.get(f"/tickets/{ticket.id}/suivant")
    assert response.status_code == 200 and "abord une liste" in response.text
