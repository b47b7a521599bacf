"""The requester history: other tickets of the same e-mail (any case) or numéro étranger,
only those the policy lets the agent see; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.auth.models import Agent, Role
from helpdesk.policy import may_view
from helpdesk.tickets import requester_history
from helpdesk.tickets.models import Ticket

from factories import make_agent, make_ticket
from support.referents import referent

EMAIL = "Awa.Traore@Example.org"
NUMBER = "0123456789"


def _tickets(session: Session, site_id: int) -> dict[str, Ticket]:
    """The same requester in several places of the chain, and someone else."""
    tickets = {
        "ccc": make_ticket(session, subject="Au CCC", requester_email=EMAIL.lower()),
        "sdst": make_ticket(
            session, subject="Au SDST seulement", requester_email=EMAIL.upper(), queue_code="sdst"
        ),
        "by_number": make_ticket(
            session,
            subject="Par le numéro",
            requester_email="autre.adresse@example.org",
            requester_foreign_number=NUMBER,
        ),
        "site": make_ticket(
            session,
            subject="Signalé pour le site",
            requester_email=EMAIL,
            queue_code="dp-anef",
            site_id=site_id,
        ),
        "stranger": make_ticket(
            session, subject="Quelqu'un d'autre", requester_email="x@example.org"
        ),
    }
    session.flush()
    return tickets


def _subjects(history: requester_history.RequesterHistory) -> set[str]:
    return {line.subject for line in history.tickets}


def _expected(session: Session, agent: Agent, tickets: list[Ticket]) -> set[str]:
    """The oracle: the tickets the policy lets this agent open, one by one."""
    return {t.subject for t in tickets if may_view(session, agent, t)}


def test_the_history_shows_only_what_the_policy_lets_each_agent_see(session: Session):
    rhone = referent(session, "pref-test-69")
    advisor = make_agent(session)
    sdst = make_agent(session, organisation="sdst", queues=("sdst",))
    admin = make_agent(session, role=Role.ADMIN, organisation="dp-anef", queues=())
    tickets = _tickets(session, rhone.site_id or 0)
    same = [tickets[k] for k in ("ccc", "sdst", "by_number", "site")]
    lookups = {}
    for agent in (advisor, sdst, admin, rhone):
        found = requester_history.for_requester(
            session, agent, email=f"  {EMAIL} ", foreign_number=NUMBER
        )
        lookups[agent.id] = _subjects(found)
        assert lookups[agent.id] == _expected(session, agent, same)
        assert found.total == len(found.tickets)
    assert lookups[advisor.id] == {"Au CCC", "Par le numéro"}
    assert lookups[sdst.id] == {"Au SDST seulement"}
    assert lookups[admin.id] == {t.subject for t in same}
    assert lookups[rhone.id] == {"Signalé pour le site"}


def test_the_ticket_page_history_leaves_out_the_ticket_itself_and_others(session: Session):
    advisor = make_agent(session)
    rhone = referent(session, "pref-test-13")
    tickets = _tickets(session, rhone.site_id or 0)
    tickets["ccc"].requester_foreign_number = NUMBER
    history = requester_history.for_ticket(session, advisor, tickets["ccc"])
    assert _subjects(history) == {"Par le numéro"}
    by_email_only = requester_history.for_requester(
        session, advisor, email=EMAIL, foreign_number=""
    )
    assert _subjects(by_email_only) == {"Au CCC"}


def test_newest_first_capped_with_the_total(session: Session):
    advisor = make_agent(session)
    for number in range(requester_history.LIMIT + 3):
        make_ticket(session, subject=f"Demande {number:02d}", requester_foreign_number=NUMBER)
    history = requester_history.for_requester(session, advisor, email="", foreign_number=NUMBER)
    assert history.total == requester_history.LIMIT + 3
    assert len(history.tickets) == requester_history.LIMIT
    dates = [(line.created_at, line.id) for line in history.tickets]
    assert dates == sorted(dates, reverse=True)
    assert history.tickets[0].subject == f"Demande {requester_history.LIMIT + 2:02d}"
    assert history.tickets[0].queue_name


def test_nothing_is_looked_up_without_a_usable_identifier(session: Session):
    advisor = make_agent(session)
    make_ticket(session, requester_email="a@example.org", requester_foreign_number=NUMBER)
    for email, number in (("", ""), ("pas une adresse", "12"), ("%", "012345678%")):
        history = requester_history.for_requester(
            session, advisor, email=email, foreign_number=number
        )
        assert history.tickets == [] and not history.searched
