"""Site isolation: a référent of site A never sees site B's tickets, whatever the read path."""

from __future__ import annotations

import re

from helpdesk.auth.models import Agent
from helpdesk.referents.service import site_counts
from helpdesk.tickets.listing import QueueFilters, list_tickets
from helpdesk.tickets.models import MessageKind, Ticket
from helpdesk.tickets.service import add_message

from conftest import WebClient
from factories import make_agent, make_ticket
from support.referents import open_report, referent, screenshot


def _two_sites(web: WebClient) -> tuple[Agent, Agent, Agent, Ticket, Ticket, Ticket, int, int]:
    """Référents of sites A (two of them) and B, a signalement each, a screenshot each."""
    storage = web.client.app.state.settings.storage_dir
    with web.session() as session:
        a1, a2, b = (
            referent(session, "pref-a"),
            referent(session, "pref-a"),
            referent(session, "pref-b"),
        )
        dp = make_agent(session, organisation="dp-anef", queues=("dp-anef",))
        mine = open_report(
            session, a1, storage, files=(screenshot("a.png"),), subject="Panne du site A"
        )
        theirs = open_report(
            session, b, storage, files=(screenshot("b.png"),), subject="Panne du site B"
        )
        usager = make_ticket(session, subject="Question d'un usager sans site")
        add_message(
            session,
            ticket_id=mine.id,
            kind=MessageKind.INTERNAL_NOTE,
            body="Secret DP ANEF",
            actor=dp,
        )
        session.commit()
        from sqlmodel import select

        from helpdesk.tickets.models import Attachment

        files = {f.ticket_id: f.id for f in session.exec(select(Attachment))}
    return a1, a2, b, mine, theirs, usager, files[mine.id], files[theirs.id]


def test_the_space_search_and_counts_show_only_the_sites_tickets(web: WebClient):
    _a1, a2, _b, mine, theirs, usager, _fa, _fb = _two_sites(web)
    web.sign_in(a2.email)  # a colleague of the same site sees the signalement too
    home = web.client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/referent/"
    space = web.client.get("/referent/").text
    assert mine.reference in space
    assert theirs.reference not in space and usager.reference not in space
    for query in (theirs.reference, "Panne", "usager"):
        found = web.client.get(f"/referent/?q={query}&status=").text
        fragment = web.client.get(f"/referent/?q={query}", headers={"HX-Request": "true"}).text
        search = web.client.get(f"/recherche?q={query}&status=").text
        for text in (found, fragment, search):
            assert f'data-reference="{theirs.reference}"' not in text
            assert f'data-reference="{usager.reference}"' not in text
    assert f'data-reference="{mine.reference}"' in web.client.get("/referent/?q=Panne").text
    assert 'data-testid="count-new">1<' in space
    with web.session() as session:
        agent = session.get(Agent, a2.id)
        assert agent is not None
        assert sum(site_counts(session, agent=agent).values()) == 1
        page = list_tickets(session, agent=agent, filters=QueueFilters(status=""))
        assert [t.reference for t in page.tickets] == [mine.reference] and page.total == 1


def test_pages_fragments_and_attachments_of_another_site_are_404(web: WebClient):
    a1, _a2, _b, mine, theirs, usager, _file_a, file_b = _two_sites(web)
    web.sign_in(a1.email)
    for ticket in (theirs, usager):
        paths = [
            f"/referent/signalements/{ticket.id}",
            f"/tickets/{ticket.id}/incidents/",
            f"/tickets/{ticket.id}/dossier",
            f"/tickets/{ticket.id}/reponse",
            f"/routage/tickets/{ticket.id}",
        ]
        for path in paths:
            assert web.client.get(path).status_code == 404, path
        redirected = web.client.get(f"/tickets/{ticket.id}")
        assert redirected.status_code == 404
    assert (
        web.client.get(f"/referent/signalements/{theirs.id}/pieces-jointes/{file_b}").status_code
        == 404
    )
    assert (
        web.client.get(f"/referent/signalements/{mine.id}/pieces-jointes/{file_b}").status_code
        == 404
    )
    assert web.client.get(f"/tickets/{theirs.id}/pieces-jointes/{file_b}").status_code == 404
    answer = web.post_form(
        f"/referent/signalements/{theirs.id}/messages", {"body": "Intrus"}, page="/referent/"
    )
    assert answer.status_code == 404


def test_the_own_sites_signalement_shows_the_public_thread_only(web: WebClient):
    a1, a2, _b, mine, _theirs, _usager, file_a, _fb = _two_sites(web)
    web.sign_in(a2.email)
    page = web.client.get(f"/tickets/{mine.id}")  # the console page sends référents to their space
    assert page.status_code == 200 and str(page.url).endswith(f"/referent/signalements/{mine.id}")
    assert "Panne du site A" in page.text and a1.full_name in page.text
    assert "Secret DP ANEF" not in page.text
    download = web.client.get(f"/referent/signalements/{mine.id}/pieces-jointes/{file_a}")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert web.client.get(f"/tickets/{mine.id}/pieces-jointes/{file_a}").status_code == 404
    assert web.client.get(f"/tickets/{mine.id}/reponse").status_code == 404


def test_the_space_search_is_posted_and_its_words_stay_out_of_urls(web: WebClient):
    _a1, a2, _b, mine, theirs, _usager, _fa, _fb = _two_sites(web)
    web.sign_in(a2.email)
    posted = web.post_form("/referent/", {"q": "Panne", "status": ""}, page="/referent/")
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert "Panne" not in location and "qs=" in location and "status=&" in location + "&"
    page = web.client.get(location).text
    assert f'data-reference="{mine.reference}"' in page
    assert f'data-reference="{theirs.reference}"' not in page
    assert 'value="Panne"' in page
    assert "Panne" not in "".join(re.findall(r'(?:href|hx-get)="([^"]*)"', page))
