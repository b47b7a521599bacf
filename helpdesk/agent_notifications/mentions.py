"""Mentions in internal notes: `@prénom.nom` (or the local part of an e-mail address)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from helpdesk.auth.models import Agent

MENTION = re.compile(r"(?<![\w@])@(\w[\w.'-]*\w|\w)")


def fold(text: str) -> str:
    """Lower case without accents, spaces and apostrophes as dots: « Élise N'Diaye » → élise."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s'’-]+", ".", plain.strip())


def mentioned_handles(body: str) -> set[str]:
    """The folded handles written after an @ in a note."""
    return {fold(match) for match in MENTION.findall(body)}


def handles_of(agent: Agent) -> set[str]:
    """The handles that name an agent: prénom.nom and the e-mail's local part."""
    return {fold(agent.full_name), fold(agent.email.split("@", 1)[0])}


def mentioned_agents(body: str, agents: Iterable[Agent]) -> list[Agent]:
    """The agents a note mentions, in the order given."""
    wanted = mentioned_handles(body)
    if not wanted:
        return []
    return [agent for agent in agents if handles_of(agent) & wanted]
