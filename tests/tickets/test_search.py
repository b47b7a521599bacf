"""Search behaviour on SQLite and PostgreSQL: the same matches as before the weighted index,
exact lookups, relevance, excerpts, capped counts and hostile queries."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from markupsafe import Markup
from sqlalchemy import Integer, column, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.tickets import service
from helpdesk.tickets.highlight import highlight
from helpdesk.tickets.listing import COUNT_CAP, QueueFilters, TicketPage, capped_count, list_tickets
from helpdesk.tickets.lookups import exact_lookups
from helpdesk.tickets.models import MessageKind, Ticket
from helpdesk.tickets.sealed_search import unseal
from helpdesk.tickets.search import matching_ticket_ids
from helpdesk.volume import seed_volume
from helpdesk.volume.vocabulary import COMMON_WORD, RARE_WORDS

from factories import PASSWORD, make_agent, make_ticket

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
HOSTILE_QUERIES = (
    "a" * 5000,
    "'\"",
    "&|!():*",
    "attestation & ! (titre | séjour):*",
    "titre\x00séjour",
    "\x00",
    "\\' OR 1=1 --",
    'NEAR(titre séjour) "ti',
    "body:titre heading:* ^titre -séjour",
    "ANEF-2026-" + "9" * 40,
    "@@ <-> :A",
    "x@y",
    "+33 (0)6 12 34 56 78",
)


# ----------------------------------------------- the previous implementation, as an oracle


def _old_postgres_ids(session: Session, terms: list[str]) -> set[int]:
    """Revision 0008's PostgreSQL query, over the document it stored (the parts joined)."""
    expression = " & ".join(f"'{term}'" + (":*" if len(term) >= 3 else "") for term in terms)
    query = text(
        "SELECT ticket_id FROM ticket_search WHERE to_tsvector('simple', "
        "heading || ' ' || contact || ' ' || body) @@ to_tsquery('simple', :q)"
    )
    return set(session.execute(query, {"q": expression}).scalars())


def _old_sqlite_ids(session: Session, terms: list[str]) -> set[int]:
    """Revision 0008's SQLite query, on an FTS5 table of the single document it indexed."""
    session.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS old_fts USING fts5(document, "
            "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")"
        )
    )
    if not session.execute(text("SELECT count(*) FROM old_fts")).scalar():
        session.execute(
            text(
                "INSERT INTO old_fts(rowid, document) SELECT ticket_id, "
                "heading || ' ' || contact || ' ' || body FROM ticket_search"
            )
        )
    expression = " AND ".join(f'"{term}"' + ("*" if len(term) >= 3 else "") for term in terms)
    query = text("SELECT rowid FROM old_fts WHERE old_fts MATCH :q").columns(
        column("rowid", Integer)
    )
    return set(session.execute(query, {"q": expression}).scalars())


def _old_ids(session: Session, query: str) -> set[int]:
    """The tickets the previous implementation found for a query."""
    from knowledge_base.text import tokens

    terms = list(dict.fromkeys(tokens(query[:200])))[:12]
    if not terms:
        return set()  # stop words only: nothing (revision 0008 returned false())
    if session.get_bind().dialect.name == "postgresql":
        return _old_postgres_ids(session, terms)
    return _old_sqlite_ids(session, terms)


@pytest.fixture()
def corpus(engine: Engine) -> Engine:
    """A generated corpus: 400 tickets with their conversations."""
    seed_volume(engine, tickets=400, seed=11, now=NOW, batch=200, set_indexes_aside=True)
    return engine


def test_the_new_search_finds_what_the_old_one_found(corpus: Engine):
    with Session(corpus) as session:
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.id))))
        with_email = next(t for t in tickets if t.requester_email)
        with_dossier = next(t for t in tickets if t.dossier_number)
        named = tickets[7]
        queries = [
            COMMON_WORD,
            "titre",
            "séjour",
            "rendez-vous préfecture",
            *RARE_WORDS,
            "natur",
            "attes",
            "renouvel",
            "ti",
            tickets[0].reference,
            tickets[-1].reference,
            tickets[123].reference.rsplit("-", 1)[0],
            with_email.requester_email or "",
            (with_email.requester_email or "").upper(),
            with_dossier.dossier_number or "",
            named.requester_name,
            named.subject,
            "le la de",
            "inexistantissime",
        ]
        found: dict[str, set[int]] = {}
        for query in queries:
            condition = matching_ticket_ids(session, query)
            assert condition is not None, query
            found[query] = set(session.exec(select(Ticket.id).where(condition)))  # type: ignore[arg-type]
            assert found[query] == _old_ids(session, query), query
        assert len(found[COMMON_WORD]) > 50 and len(found["natur"]) > 5
        assert with_email.id in found[with_email.requester_email or ""]
        assert with_dossier.id in found[with_dossier.dossier_number or ""]
        assert found[tickets[0].reference] == {tickets[0].id}
        assert not found["le la de"] and not found["inexistantissime"]


# ---------------------------------------------------------------------- exact lookups


def test_phone_and_foreign_number_are_found_by_their_own_columns(session: Session):
    advisor = make_agent(session)
    caller = make_ticket(session, subject="Appel", requester_phone="06.12.34.56.78")
    foreign = make_ticket(session, subject="Numéro", requester_foreign_number="7512345678")
    make_ticket(session, subject="Autre", requester_phone="07 00 00 00 00")
    session.commit()

    def found(q: str) -> set[int | None]:
        page = list_tickets(session, agent=advisor, filters=QueueFilters(q=q, status=""))
        return {ticket.id for ticket in page.tickets}

    assert found("06 12 34 56 78") == {caller.id}
    assert found("+33 6 12 34 56 78") == {caller.id}
    assert found("0612345678") == {caller.id}
    assert found("7512345678") == {foreign.id}
    assert found("0799999999") == set()


def test_exact_lookups_read_what_the_query_names():
    assert exact_lookups("anef-2026-000042").reference == "ANEF-2026-000042"
    assert exact_lookups(" Zoe@Exemple.FR ").email == "zoe@exemple.fr"
    assert exact_lookups("+33 6 12 34 56 78").phone == "0612345678"
    assert exact_lookups("75 1234 5678").foreign_number == "7512345678"
    assert exact_lookups("na-2025-004217").dossier_number == "NA-2025-004217"
    assert not exact_lookups("titre de séjour")
    assert not exact_lookups("x" * 300 + "@example.org")


# ------------------------------------------------------------------ relevance and excerpts


def test_a_subject_match_ranks_above_a_message_only_match(session: Session):
    advisor = make_agent(session)
    in_message = make_ticket(
        session, subject="Question diverse", body="Je parle de kafala dans ce message."
    )
    in_subject = make_ticket(session, subject="Kafala et regroupement", body="Bonjour")
    make_ticket(session, subject="Sans rapport", body="Rien à voir")
    session.commit()
    filters = QueueFilters(q="kafala", sort="pertinence")
    page = list_tickets(session, agent=advisor, filters=filters)
    assert [t.id for t in page.tickets] == [in_subject.id, in_message.id]
    # The date sort still lists the oldest first.
    oldest = list_tickets(session, agent=advisor, filters=QueueFilters(q="kafala"))
    assert [t.id for t in oldest.tickets] == [in_message.id, in_subject.id]


def test_an_exact_reference_ranks_first(session: Session):
    advisor = make_agent(session)
    target = make_ticket(session, subject="Demande simple")
    mention = make_ticket(session, subject=f"Suite de {target.reference}")
    session.commit()
    filters = QueueFilters(q=target.reference, sort="pertinence")
    page = list_tickets(session, agent=advisor, filters=filters)
    assert [t.id for t in page.tickets] == [target.id, mention.id]


def test_relevance_pages_cover_every_match_once(corpus: Engine):
    with Session(corpus) as session:
        advisor = make_agent(session, queues=("ccc", "dp-anef", "sdst", "sdanf"))
        session.commit()
        filters = QueueFilters(q=COMMON_WORD, status="", sort="pertinence")
        condition = matching_ticket_ids(session, COMMON_WORD)
        assert condition is not None
        expected = set(session.exec(select(Ticket.id).where(condition)))
        assert 50 < len(expected) <= COUNT_CAP  # more than one page
        seen: list[int | None] = []
        pages = 0
        while True:
            page = list_tickets(session, agent=advisor, filters=filters)
            seen += [t.id for t in page.tickets]
            pages += 1
            if not page.next_cursor:
                break
            filters = replace(filters, after=page.next_cursor)
        assert len(seen) == len(set(seen)) and set(seen) == expected
        assert pages >= 2


def test_excerpts_mark_the_matches_and_escape_the_text():
    excerpt = highlight("<script>alert('x')</script> Ma préfecture & moi", ["prefectur"])
    assert excerpt is not None and isinstance(excerpt, Markup)
    assert "<script>" not in excerpt and "&lt;script&gt;" in excerpt
    assert "<mark>préfecture</mark> &amp; moi" in excerpt
    assert highlight("rien ici", ["prefectur"]) is None
    long = "début " + "mot " * 100 + "préfecture " + "fin " * 100
    cut = highlight(long, ["prefectur"])
    assert cut is not None and cut.startswith("…") and cut.endswith("…") and len(cut) < 200


def test_the_search_page_shows_escaped_excerpts(web):
    with web.session() as session:
        advisor = make_agent(session)
        ticket = make_ticket(session, subject="Demande", body="<b>Zeugma</b> <img src=x> ici")
        service.add_message(
            session,
            ticket_id=ticket.id,
            kind=MessageKind.INTERNAL_NOTE,
            body="rien",
            actor=advisor,
        )
        session.commit()
        email = advisor.email
    web.sign_in(email, PASSWORD)
    page = web.client.get("/recherche?q=zeugma").text
    assert '<p class="fr-text--xs fr-mb-0" data-testid="excerpt">' in page
    assert "&lt;b&gt;<mark>Zeugma</mark>&lt;/b&gt; &lt;img src=x&gt; ici" in page
    assert "<img src=x>" not in page


# ------------------------------------------------------------------------- capped counts


def test_the_count_stops_at_the_cap_and_the_page_says_more(web):
    seed_volume(web.engine, tickets=COUNT_CAP + 100, seed=3, now=NOW, batch=600)
    with web.session() as session:
        advisor = make_agent(session, queues=("ccc", "dp-anef", "sdst", "sdanf"))
        session.commit()
        email = advisor.email
        page = list_tickets(session, agent=advisor, filters=QueueFilters(status=""))
        assert page.total == COUNT_CAP + 1
        assert capped_count(session, [col(Ticket.id) <= 10]) == 10
    web.sign_in(email, PASSWORD)
    # Nearly every generated ticket is closed (a two-year history).
    assert "Plus de 1\u00a0000 résultats" in web.client.get("/recherche?status=closed").text
    assert "résultats" not in web.client.get("/recherche?status=new").text
    assert TicketPage(total=COUNT_CAP).total_label == "1000 tickets"
    assert TicketPage(total=1).total_label == "1 ticket"


# ------------------------------------------------------------------------ hostile queries


@pytest.mark.parametrize("sort", ["pertinence", "anciens"])
def test_hostile_queries_never_fail(session: Session, sort: str):
    advisor = make_agent(session)
    make_ticket(session, subject="Titre de séjour", requester_phone="06 12 34 56 78")
    session.commit()
    for query in HOSTILE_QUERIES:
        for after in ("", "WzEuNSwgIngiXQ", "bm90IGpzb24", "WyJhIiwgImIiLCAiYyJd"):
            filters = QueueFilters(q=query, sort=sort, after=after, status="")
            page = list_tickets(session, agent=advisor, filters=filters)
            assert page.total >= len(page.tickets), query
    found = list_tickets(session, agent=advisor, filters=QueueFilters(q="titre\x00séjour"))
    assert len(found.tickets) == 1


def test_hostile_queries_get_a_page_not_an_error(any_web):
    with any_web.session() as session:
        advisor = make_agent(session)
        make_ticket(session, subject="Titre de séjour")
        session.commit()
        email = advisor.email
    any_web.sign_in(email, PASSWORD)
    for query in HOSTILE_QUERIES:
        response = any_web.client.get("/recherche", params={"q": query, "after": "%%%"})
        assert response.status_code == 200, query
        assert 'data-testid="total"' in response.text


# ------------------------------------------------------------------------ sealed words


def test_search_words_never_travel_in_clear_in_a_url(web):
    with web.session() as session:
        advisor = make_agent(session)
        make_ticket(session, subject="Carte perdue", requester_email="awa.traore@example.org")
        make_ticket(session, subject="Autre demande", requester_email="karim@laposte.net")
        session.commit()
        email = advisor.email
    web.sign_in(email, PASSWORD)
    posted = web.post_form(
        "/recherche", {"q": "awa.traore@example.org", "status": ""}, page="/recherche"
    )
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert "awa" not in location and "example" not in location and "qs=" in location
    page = web.client.get(location).text
    assert "Carte perdue" in page and "Autre demande" not in page
    assert "awa.traore@example.org" in page  # kept in the search box, not in any link
    links = re.findall(r'(?:href|hx-get|value)="(/[^"]*)"', page)
    assert links and not [link for link in links if "awa" in link or "%40" in link]

    # An old link with the words in clear is answered by the sealed address.
    old = web.client.get("/recherche?q=awa.traore%40example.org", follow_redirects=False)
    assert old.status_code == 303 and "awa" not in old.headers["location"]
    # A sealed value from elsewhere (another key, tampered, expired) is no search at all.
    assert unseal("another-secret", location.split("qs=")[1].split("&")[0]) is None
    tampered = web.client.get("/recherche?qs=gAAAAAB-not-a-token&status=").text
    assert "Autre demande" in tampered and "Carte perdue" in tampered
