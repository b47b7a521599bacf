"""The éléments de langage picker of the ticket page: folders, language and typo-tolerant search.

`canned_context(session, agent=..., ticket=...)` gives what templates/tickets/_canned_picker.html
needs; the search itself (`search`) is pure: the organisation's responses are few (tens to a
few hundred), so they are matched in memory with the engine's normalisation (folding, stop
words, stemming) and its typo correction (knowledge_base.fuzzy.Vocabulary).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from helpdesk.auth.models import Agent
from helpdesk.policy import Action, may
from helpdesk.tickets import canned, tags
from helpdesk.tickets.models import CannedResponse, Ticket
from knowledge_base.fuzzy import Vocabulary
from knowledge_base.text import index_term, is_stop_word, words

TITLE_WEIGHT = 3
QUERY_MAX = 200


@dataclass(frozen=True)
class PickerItem:
    """One élément de langage as the picker shows it."""

    id: int
    title: str
    folder: str
    language: str
    excerpt: str
    effects: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Picker:
    """The picker's state: the filters chosen, the folders and the matching items by folder."""

    query: str
    folder: str
    language: str
    folders: list[str]
    groups: list[tuple[str, list[PickerItem]]]
    corrected: str = ""

    @property
    def count(self) -> int:
        """How many items match."""
        return sum(len(items) for _, items in self.groups)


def canned_context(
    session: Session,
    *,
    agent: Agent,
    ticket: Ticket,
    query: str = "",
    folder: str = "",
    language: str | None = None,
) -> dict[str, Any]:
    """What the picker and the tags partials show: `canned_picker` (None when the agent may not
    write on the ticket), `ticket_tags` and `may_tag`. The language defaults to the ticket's."""
    context: dict[str, Any] = {
        "canned_picker": None,
        "ticket_tags": tags.tags_of(session, ticket.id or 0),
        "may_tag": may(session, agent, Action.CHANGE_FIELDS, ticket),
    }
    if not may(session, agent, Action.NOTE, ticket):
        return context
    chosen = language if language in (*canned.LANGUAGES, "") else None
    if chosen is None:
        chosen = ticket.language if ticket.language in canned.LANGUAGES else "fr"
    responses = canned.available(session, agent=agent)
    context["canned_picker"] = build(responses, query=query, folder=folder, language=chosen)
    return context


def build(responses: list[CannedResponse], *, query: str, folder: str, language: str) -> Picker:
    """Filter by language and folder, then search; the items grouped by folder."""
    query = " ".join(query.split())[:QUERY_MAX]
    in_language = [r for r in responses if not language or r.language == language]
    folders = sorted({r.folder for r in in_language if r.folder})
    chosen = [r for r in in_language if not folder or r.folder == folder]
    found, corrected = search(chosen, query)
    groups: dict[str, list[PickerItem]] = {}
    for response in found:
        groups.setdefault(response.folder or "Sans dossier", []).append(_item(response))
    ordered = sorted(groups.items(), key=lambda group: (group[0] == "Sans dossier", group[0]))
    return Picker(query, folder, language, folders, ordered, corrected)


def search(responses: list[CannedResponse], query: str) -> tuple[list[CannedResponse], str]:
    """The responses whose title or text holds every word of the query (typos corrected),
    best first; and the query as corrected when a word was ("" otherwise)."""
    wanted = [w for w in words(query) if not is_stop_word(w)]
    if not wanted:
        return responses, ""
    documents = {id(r): (_vocabulary_of(r.title), _vocabulary_of(r.body)) for r in responses}
    vocabulary = Vocabulary()
    for title_words, body_words in documents.values():
        vocabulary.add(title_words | body_words)
    spelt = [_spelling(w, vocabulary) for w in wanted]
    scored = []
    for response in responses:
        title_words, body_words = documents[id(response)]
        score = _score(spelt, title_words, body_words, response.language)
        if score:
            scored.append((-score, response.title, response))
    scored.sort(key=lambda row: row[:2])
    corrected = " ".join(spelt) if spelt != wanted else ""
    return [row[2] for row in scored], corrected


def _vocabulary_of(text: str) -> set[str]:
    """The folded words of a text, placeholders and stop words aside."""
    return {w for w in words(text) if not is_stop_word(w)}


def _spelling(word: str, vocabulary: Vocabulary) -> str:
    """The word, or the known word it was probably meant to be (typo or truncation)."""
    if word in vocabulary:
        return word
    corrected = vocabulary.correct(word)
    if corrected:
        return corrected
    completions = vocabulary.completions(word, limit=1)
    return completions[0] if completions else word


def _score(wanted: list[str], title: set[str], body: set[str], language: str) -> int:
    """Title matches weigh more; 0 when one word of the query is found nowhere."""
    title_terms, body_terms = _terms(title, language), _terms(body, language)
    score = 0
    for word in wanted:
        term = index_term(word, language) or word
        if term in title_terms or word in title:
            score += TITLE_WEIGHT
        elif term in body_terms or word in body:
            score += 1
        else:
            return 0
    return score


def _terms(folded: Iterable[str], language: str) -> set[str]:
    """The stems of folded words in the response's language."""
    return {index_term(w, language) or w for w in folded}


def _item(response: CannedResponse) -> PickerItem:
    """The picker's view of a response: a one-line excerpt and what its macro does."""
    text = " ".join(response.body.split())
    excerpt = text if len(text) <= 140 else text[:139].rsplit(" ", 1)[0] + "…"
    return PickerItem(
        id=response.id or 0,
        title=response.title,
        folder=response.folder,
        language=response.language,
        excerpt=excerpt,
        effects=canned.macro_effects(response),
    )
