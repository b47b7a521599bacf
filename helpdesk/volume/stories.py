"""One generated ticket's story, in the shapes the service layer writes, cut off at now.

A story is a script of steps (creation, replies, status changes, hand-overs up and down
the chain, the requester's answers); each step happens some business hours after the
previous one. Steps after `now` do not happen, so old tickets are finished and recent
ones are still on their way: the status and queue are those of the last step taken.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from dossiers.catalog import CATALOG
from helpdesk.ticket_routing.clocks import stints
from helpdesk.tickets.lifecycle import SYSTEM_LABEL
from helpdesk.tickets.models import Channel, MessageKind, Status
from helpdesk.tickets.references import format_reference
from helpdesk.tickets.service import REQUESTER_LABEL
from helpdesk.volume import vocabulary as words
from helpdesk.volume.arrivals import later
from knowledge_base.text import tokens

CHANNELS = ((Channel.FORM, 55), (Channel.EMAIL, 15), (Channel.PHONE, 30))
PRIORITIES = (("normal", 85), ("high", 10), ("low", 4), ("urgent", 1))
AUTO_CLOSE = timedelta(days=7)
STALLED_SHARE, STALLED_PACE = 0.08, 30.0
REQUESTER_REASON = "Réponse du demandeur"
RETURN_REASON = "Réponse du niveau supérieur"


class Cutoff(Exception):
    """The next step would happen after now: the story stops here."""


@dataclass(frozen=True)
class Chain:
    """What stories refer to: queue ids and levels, agents per queue, SLA policies."""

    queue_ids: dict[str, int]
    levels: dict[str, int]
    agents: dict[str, list[tuple[int | None, str]]]  # queue code -> (agent id, full name)
    policies: dict[tuple[int, str], tuple[int, int]]  # (queue id, priority) -> (id, minutes)


@dataclass
class EventRow:
    """A history line as the lifecycle writes it (also read by clocks.stints)."""

    at: datetime
    actor_id: int | None
    actor_label: str
    kind: str
    from_value: str | None = None
    to_value: str | None = None
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class MessageRow:
    """A message of the conversation, kept as fragments for the search document."""

    at: datetime
    kind: str
    author_id: int | None
    author_label: str
    fragments: list[str]


@dataclass
class Story:
    """A ticket being written: its fields, messages and history."""

    chain: Chain
    rng: random.Random
    now: datetime
    ticket: dict[str, Any]
    messages: list[MessageRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    queue: str = "ccc"
    at: datetime | None = None
    pace: float = 1.0  # a few tickets stall: every step takes much longer

    def step(self, hours: float) -> datetime:
        """The moment of the next step, or Cutoff when it is still in the future."""
        assert self.at is not None
        at = later(self.rng, self.at, hours=hours * self.pace)
        if at > self.now:
            raise Cutoff
        self.at = at
        self.ticket["updated_at"] = at
        self.ticket["version"] += 1
        return at

    def agent(self) -> tuple[int | None, str]:
        """An agent of the current queue (or the system when the queue has no member)."""
        members = self.chain.agents.get(self.queue) or [(None, SYSTEM_LABEL)]
        return self.rng.choice(members)

    def event(self, kind: str, actor: tuple[int | None, str] | None, **values: Any) -> None:
        """Append a history line at the current moment."""
        actor_id, label = actor or (None, SYSTEM_LABEL)
        assert self.at is not None
        self.events.append(EventRow(self.at, actor_id, label, kind, **values))

    def message(self, kind: str, author: tuple[int | None, str], fragments: list[str]) -> None:
        """Append a message at the current moment."""
        assert self.at is not None
        self.messages.append(MessageRow(self.at, kind, author[0], author[1], fragments))

    def status(self, target: str, actor: tuple[int | None, str] | None, **extra: Any) -> None:
        """A status change line with its timestamps (as lifecycle.transition writes it)."""
        current = self.ticket["status"]
        kind = "reopened" if (current, target) == (Status.RESOLVED, Status.OPEN) else None
        self.event(kind or "status_changed", actor, from_value=current, to_value=target, **extra)
        self.ticket["status"] = target
        if target == Status.RESOLVED:
            self.ticket["resolved_at"] = self.at
        elif target == Status.CLOSED:
            self.ticket["closed_at"] = self.at
        elif kind:
            self.ticket["resolved_at"] = None

    def reply(self) -> None:
        """A public reply of the current queue's agent: the first response."""
        agent = self.agent()
        self.message(MessageKind.PUBLIC_REPLY, agent, [self.rng.choice(words.REPLIES)])
        self.event("public_reply", agent)
        self.ticket["first_response_at"] = self.ticket["first_response_at"] or self.at
        self.ticket["answer_received"] = False

    def hand_over(self, kind: str, target: str) -> None:
        """Escalate, transfer or return the ticket (a new ticket is put to work)."""
        agent, source = self.agent(), self.queue
        data: dict[str, Any] = {}
        reason = RETURN_REASON
        if kind == "return":
            self.message(MessageKind.INTERNAL_NOTE, agent, [self.rng.choice(words.ANSWERS)])
        else:
            reason = self.rng.choice(words.ESCALATION_REASONS)
            data = {"checked": self.rng.choice(words.CHECKED)}
            data["question"] = self.rng.choice(words.QUESTIONS)
        self.event(kind, agent, from_value=source, to_value=target, reason=reason, data=data)
        if self.ticket["status"] == Status.NEW:
            self.ticket["status"] = Status.OPEN.value
        self.queue = target
        self.ticket["queue_id"] = self.chain.queue_ids[target]
        self.ticket["answer_received"] = kind == "return" and target == "ccc"

    def requester_answers(self) -> None:
        """The requester writes back; a waiting or resolved ticket goes back to work."""
        name = self.ticket["requester_name"] or REQUESTER_LABEL
        self.message(
            MessageKind.REQUESTER, (None, name), [self.rng.choice(words.REQUESTER_ANSWERS)]
        )
        if self.ticket["status"] in (Status.WAITING, Status.RESOLVED):
            self.status(Status.OPEN, None, reason=REQUESTER_REASON)


def weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    """One value of (value, weight) pairs."""
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def new_story(
    chain: Chain, rng: random.Random, now: datetime, *, ticket_id: int, number: int, at: datetime
) -> Story:
    """The ticket as created, with the requester's first message and its creation line."""
    procedure = rng.choice(CATALOG).code
    channel = weighted(rng, CHANNELS)
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    name = f"{first} {last}"
    email = f"{_ascii(first)}.{_ascii(last)}.{number}@{rng.choice(words.DOMAINS)}"
    has_email = channel == Channel.EMAIL or rng.random() < (
        0.3 if channel == Channel.PHONE else 0.9
    )
    story = Story(chain, rng, now, _ticket(chain, rng, ticket_id, number, at), at=at)
    story.pace = STALLED_PACE if rng.random() < STALLED_SHARE else 1.0
    story.ticket.update(
        channel=channel.value,
        procedure=procedure,
        subject=rng.choice(words.SUBJECTS.get(procedure, words.SUBJECTS["compte"])),
        requester_name=name,
        requester_email=email if has_email else None,
        requester_phone=f"06 {rng.randrange(10**8):08d}" if channel == Channel.PHONE else None,
        requester_foreign_number=f"{rng.randrange(10**10):010d}" if rng.random() < 0.5 else None,
        dossier_number=_dossier(rng, procedure, at) if rng.random() < 0.4 else None,
    )
    taker = story.agent() if channel == Channel.PHONE else None
    story.ticket["created_by_id"] = taker[0] if taker else None
    if taker:  # a phone call: the téléconseiller's note of it (helpdesk.tickets.phone)
        story.message(MessageKind.CALL_NOTE, taker, _request(rng))
    else:
        story.message(MessageKind.REQUESTER, (None, name), _request(rng))
    story.event("created", taker, to_value="ccc")
    return story


def _ticket(chain: Chain, rng: random.Random, ticket_id: int, number: int, at: datetime) -> dict:
    """The ticket row's fields that do not depend on the requester."""
    ccc = chain.queue_ids["ccc"]
    return {
        "id": ticket_id,
        "reference": format_reference(at.year, number),
        "category": None,
        "status": Status.NEW.value,
        "priority": weighted(rng, PRIORITIES),
        "queue_id": ccc,
        "owner_queue_id": ccc,
        "assignee_id": None,
        "site_id": None,
        "language": "fr",
        "created_at": at,
        "updated_at": at,
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
        "version": 1,
        "answer_received": False,
        "resolved_at_first_contact": False,
        "merged_into_id": None,
    }


def play(story: Story) -> Story:
    """Run the ticket's script until it ends or reaches now."""
    rng = story.rng
    try:
        if story.ticket["channel"] == Channel.PHONE and rng.random() < 0.6:
            story.step(0.1)
            story.status(Status.RESOLVED, story.agent())
            story.ticket["first_response_at"] = story.at
            story.ticket["resolved_at_first_contact"] = True
        elif rng.random() < 0.7:
            _answer_at_first_level(story)
        else:
            _escalate_and_return(story)
        _after_resolution(story)
    except Cutoff:
        pass
    return story


def _answer_at_first_level(story: Story) -> None:
    """The CCC answers, sometimes waits for the requester, then resolves."""
    story.step(6)
    story.reply()
    if story.rng.random() < 0.2:
        story.status(Status.WAITING, story.agent())
        story.step(16)
        story.requester_answers()
        story.step(4)
        story.reply()
    story.step(1)
    story.status(Status.RESOLVED, story.agent())


def _escalate_and_return(story: Story) -> None:
    """Up the chain (DP ANEF, sometimes SDST or SDANF) and back down to the CCC."""
    rng = story.rng
    naturalisation = story.ticket["procedure"].startswith("naturalisation")
    story.step(4)
    if naturalisation and rng.random() < 0.3:
        story.hand_over("escalate", "sdanf")  # a métier question goes straight to SDANF
        story.step(40)
        story.hand_over("return", "ccc")
    else:
        story.hand_over("escalate", "dp-anef")
        if rng.random() < 0.35:
            story.step(12)
            story.hand_over("escalate", "sdanf" if naturalisation else "sdst")
            story.step(40)
            story.hand_over("return", "dp-anef")
        story.step(16)
        story.hand_over("return", "ccc")
    story.step(3)
    story.reply()
    story.step(1)
    story.status(Status.RESOLVED, story.agent())


def _after_resolution(story: Story) -> None:
    """Sometimes the requester writes back and it is resolved again; then it closes."""
    if story.rng.random() < 0.05:
        story.step(20)
        story.requester_answers()
        story.step(4)
        story.reply()
        story.step(1)
        story.status(Status.RESOLVED, story.agent())
    assert story.at is not None
    closing = story.at + AUTO_CLOSE
    if closing > story.now:
        raise Cutoff
    story.at = closing
    story.ticket["updated_at"] = closing
    story.ticket["version"] += 1
    story.status(Status.CLOSED, None)


def clocks(story: Story) -> list[dict[str, Any]]:
    """The SLA clocks sync_clocks would keep, one per stint (stopped ones judged roughly)."""
    rows = []
    for stint in stints(cast(Any, story.events)):
        queue_id = story.chain.queue_ids[stint.queue_code]
        policy = story.chain.policies.get((queue_id, story.ticket["priority"]))
        state = "ok" if policy else "none"
        if policy and stint.end is not None:
            business = (stint.end - stint.start).total_seconds() / 60 * 47.5 / 168
            state = "breached" if business > policy[1] else "met"
        rows.append(
            {
                "ticket_id": story.ticket["id"],
                "queue_id": queue_id,
                "level": story.chain.levels[stint.queue_code],
                "policy_id": policy[0] if policy else None,
                "started_at": stint.start,
                "stopped_at": stint.end,
                "responded_at": stint.responded_at,
                "state": state,
                "checked_at": stint.end or stint.start,
                # A running clock is evaluated by the next periodic check, as a new one is.
                "next_check_at": stint.start if policy and stint.end is None else None,
            }
        )
    return rows


def search_parts(story: Story) -> dict[str, str]:
    """The ticket's weighted search tokens, as helpdesk.tickets.search.index_ticket writes them."""
    t = story.ticket
    contact = [*_cached_tokens(t["requester_name"])]
    contact += (
        token
        for value in (t["requester_email"], t["dossier_number"])
        if value
        for token in tokens(value)
    )
    return {
        "heading": " ".join([*tokens(t["reference"]), *_cached_tokens(t["subject"])]),
        "contact": " ".join(contact),
        "body": " ".join(w for m in story.messages for f in m.fragments for w in _cached_tokens(f)),
    }


@lru_cache(maxsize=8192)
def _cached_tokens(fragment: str) -> tuple[str, ...]:
    """The tokens of a vocabulary fragment or a name (each is tokenised once)."""
    return tuple(tokens(fragment))


def _request(rng: random.Random) -> list[str]:
    """The requester's first message, as fragments."""
    fragments = [rng.choice(words.OPENINGS), rng.choice(words.PROBLEMS)]
    fragments += rng.sample(words.DETAILS, rng.randint(0, 2))
    if rng.randrange(words.RARE_EVERY) == 0:
        word = rng.choice(words.RARE_WORDS)
        fragments.append(words.RARE_SENTENCE.format(word=word))
    fragments.append(rng.choice(words.CLOSINGS))
    return fragments


def _dossier(rng: random.Random, procedure: str, at: datetime) -> str:
    """A dossier number in the format of the procedure's system."""
    if procedure.startswith("naturalisation"):
        return f"NA-{at.year}-{rng.randrange(10**6):06d}"
    site = rng.choice(("9403", "7501", "6901", "6701", "3101"))
    return f"{site}{at:%Y%m%d}{rng.randrange(10**7):07d}"


def _ascii(name: str) -> str:
    """A name as it would appear in an e-mail address."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return folded.lower()
