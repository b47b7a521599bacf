"""The ticket lifecycle over random sequences of actions, on SQLite and PostgreSQL.

After every step: every closed ticket has closed_at (a merged one too, and its follow-up link
expires like any closed ticket's); every status change has exactly one history line; the
version never goes back and rises with every change; the SLA clocks follow the status;
the queues a ticket passed through (the relation the policy reads) are its current queue and
those its move lines name. And no module but the lifecycle assigns `Ticket.status` or moves a
ticket to another queue.
"""

from __future__ import annotations

import ast
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import event as sa_event
from sqlalchemy import func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent, Role
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.incidents.schemas import IncidentForm, ResolutionForm
from helpdesk.incidents.service import RESOLVE_JOB, link_tickets, record_incident, resolve_incident
from helpdesk.incidents.tasks import resolve_linked_ticket
from helpdesk.intake import followup
from helpdesk.intake.service import (
    LINK_LIFETIME_AFTER_CLOSE,
    issue_link,
    link_expired,
    ticket_for_token,
)
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.registry import JOBS, JobContext
from helpdesk.ticket_routing.models import TicketSlaClock
from helpdesk.ticket_routing.sla_check import check_ticket
from helpdesk.tickets import bulk, merge
from helpdesk.tickets.events import EventKind
from helpdesk.tickets.handover import hand_over
from helpdesk.tickets.lifecycle import ACTIVE_STATUSES, SLA_SYNC_JOB, status_changes
from helpdesk.tickets.models import MessageKind, Queue, Status, Ticket, TicketEvent
from helpdesk.tickets.passages import passed_queue_ids
from helpdesk.tickets.phone import PhoneCall, record_call
from helpdesk.tickets.service import add_message, change_status

from factories import make_agent, make_ticket

HELPDESK = Path(__file__).resolve().parents[2] / "helpdesk"
LIFECYCLE = HELPDESK / "tickets" / "lifecycle.py"
QUEUES = ("ccc", "dp-anef", "sdst", "sdanf")
SUMMARY = {"reason": "Motif", "checked": "Compte vérifié", "question": "Que répondre ?"}
# Lines that tell the requester was answered (by an agent, or by an incident's resolution).
ANSWERS = frozenset({EventKind.PUBLIC_REPLY, EventKind.INCIDENT_RESOLVED})
# Lines that name the queues a ticket moves between.
MOVES = frozenset(
    {EventKind.CREATED, EventKind.ESCALATE, EventKind.TRANSFER, EventKind.RETURN, EventKind.ROUTED}
)
# Lines the SLA check writes without changing the ticket (no new version).
BOOKKEEPING = frozenset({EventKind.SLA_WARNING, EventKind.SLA_BREACHED})
PROPERTIES = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class World:
    """What every run of the machine shares: the database, two agents, a storage folder."""

    engine: Engine
    advisor_id: int  # CCC, member of every queue: takes calls, acts anywhere
    dp_id: int  # DP ANEF, member of every queue: records and resolves incidents
    storage_dir: Path


@dataclass(frozen=True)
class Seen:
    """A ticket as the last step left it."""

    status: str
    version: int
    events: int
    status_lines: int


class LifecycleMachine(RuleBasedStateMachine):
    """Agents, requesters, merges, calls, incidents and bulk actions on a few tickets."""

    tickets = Bundle("tickets")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.session = Session(world.engine, expire_on_commit=False)
        tag = uuid.uuid4().hex[:10]
        self.requesters = (f"a-{tag}@example.org", f"b-{tag}@example.org")
        self.seen: dict[int, Seen] = {}
        self.tokens: dict[int, str] = {}
        self.outbox_done = self.session.exec(select(func.max(OutboxMessage.id))).one() or 0

    def teardown(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------ helpers

    @property
    def advisor(self) -> Agent:
        return self.session.get(Agent, self.world.advisor_id)  # type: ignore[return-value]

    @property
    def dp(self) -> Agent:
        return self.session.get(Agent, self.world.dp_id)  # type: ignore[return-value]

    def _ticket(self, ticket_id: int) -> Ticket:
        ticket = self.session.get(Ticket, ticket_id, populate_existing=True)
        assert ticket is not None
        return ticket

    def _act(self, action: Callable[[], object]) -> None:
        """One user action in its transaction: committed, or refused and rolled back."""
        try:
            action()
            self.session.commit()
        except DomainError:
            self.session.rollback()
        self._run_jobs(SLA_SYNC_JOB)
        self._check_step()

    def _run_jobs(self, actor_name: str) -> None:
        """Run the jobs of one kind queued since the last step, as the worker would."""
        rows = self.session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id) > self.outbox_done)
            .where(OutboxMessage.actor_name == actor_name)
            .order_by(col(OutboxMessage.id))
        ).all()
        for row in rows:
            JOBS[actor_name].fn(JobContext(session=self.session, settings=None), **row.payload)
            self.session.commit()
        if actor_name == SLA_SYNC_JOB:
            last = self.session.exec(select(func.max(OutboxMessage.id))).one()
            self.outbox_done = last or self.outbox_done

    def _history(self, ticket_id: int) -> list[TicketEvent]:
        return list(
            self.session.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(col(TicketEvent.id))
            )
        )

    def _snapshot(self, ticket: Ticket) -> Seen:
        events = self._history(ticket.id)  # type: ignore[arg-type]
        lines = sum(1 for change in status_changes(events) if change is not None)
        changes = sum(1 for e in events if e.kind not in BOOKKEEPING)
        return Seen(ticket.status, ticket.version, changes, lines)

    def _adopt(self, ticket_id: int) -> int:
        """Follow a new ticket from now on, with a follow-up link like a form's; its clock
        starts as the routing job of a new ticket starts it."""
        ticket = self._ticket(ticket_id)
        self.tokens[ticket_id] = issue_link(self.session, ticket=ticket)
        self.session.commit()
        self._run_jobs(SLA_SYNC_JOB)
        check_ticket(self.session, ticket_id=ticket_id)
        self.session.commit()
        self.seen[ticket_id] = self._snapshot(self._ticket(ticket_id))
        return ticket_id

    # ------------------------------------------------------------------ rules

    @initialize(target=tickets)
    def first_request(self) -> int:
        return self._adopt(make_ticket(self.session, requester_email=self.requesters[0]).id)  # type: ignore[arg-type]

    @initialize(target=tickets)
    def second_request_of_the_same_requester(self) -> int:
        return self.first_request()

    @rule(target=tickets, requester=st.sampled_from([0, 1]))
    def new_request(self, requester: int) -> int:
        ticket = make_ticket(self.session, requester_email=self.requesters[requester])
        return self._adopt(ticket.id)  # type: ignore[arg-type]

    @rule(ticket=tickets)
    def reply(self, ticket: int) -> None:
        self._act(
            lambda: add_message(
                self.session,
                ticket_id=ticket,
                kind=MessageKind.PUBLIC_REPLY,
                body="Voici la réponse.",
                actor=self.advisor,
            )
        )

    @rule(ticket=tickets)
    def note(self, ticket: int) -> None:
        self._act(
            lambda: add_message(
                self.session,
                ticket_id=ticket,
                kind=MessageKind.INTERNAL_NOTE,
                body="Note interne.",
                actor=self.advisor,
            )
        )

    @rule(ticket=tickets, status=st.sampled_from(list(Status)))
    def change_status(self, ticket: int, status: Status) -> None:
        self._act(
            lambda: change_status(self.session, ticket_id=ticket, status=status, actor=self.advisor)
        )

    @rule(ticket=tickets)
    def requester_answers(self, ticket: int) -> None:
        self._act(
            lambda: followup.answer(
                self.session,
                ticket=self._ticket(ticket),
                body="Merci, mais ma question demeure.",
                files=(),
                storage_dir=self.world.storage_dir,
            )
        )

    @rule(ticket=tickets, to_queue=st.sampled_from(QUEUES))
    def hand_over(self, ticket: int, to_queue: str) -> None:
        self._act(
            lambda: hand_over(
                self.session,
                ticket_id=ticket,
                to_queue_code=to_queue,
                answer="Voici la réponse du niveau supérieur.",
                actor=self.advisor,
                **SUMMARY,
            )
        )

    @rule(source=tickets, into=tickets)
    def merge(self, source: int, into: int) -> None:
        reference = self._ticket(into).reference
        self._act(
            lambda: merge.merge(
                self.session, source_id=source, target_reference=reference, actor=self.advisor
            )
        )

    @rule(
        target=tickets,
        outcome=st.sampled_from(["resolved", "escalated"]),
        requester=st.sampled_from([0, 1]),
    )
    def phone_call(self, outcome: str, requester: int) -> int:
        call = PhoneCall(
            requester_name="Karim B.",
            requester_email=self.requesters[requester],
            notes="Appel pris en note.",
            outcome=outcome,
            **SUMMARY,
        )
        ticket = record_call(self.session, agent=self.advisor, call=call)
        self.session.commit()
        return self._adopt(ticket.id)  # type: ignore[arg-type]

    @rule(ticket=tickets)
    def incident_resolved(self, ticket: int) -> None:
        def resolve() -> None:
            form = IncidentForm(title="Panne du dépôt", description="Erreur 500 au dépôt.")
            incident = record_incident(self.session, form=form, actor=self.dp)
            link_tickets(self.session, incident_id=incident.id, ticket_ids=[ticket], actor=self.dp)  # type: ignore[arg-type]
            resolution = ResolutionForm(
                usager_reply="Bonjour {nom}, l'incident est résolu.",
                referent_message="L'incident est résolu.",
            )
            resolve_incident(self.session, incident_id=incident.id, form=resolution, actor=self.dp)  # type: ignore[arg-type]
            self.session.commit()
            # The job function, as the worker runs it once the resolution is committed.
            for row in self._queued(RESOLVE_JOB):
                resolve_linked_ticket(self.session, link_id=row.payload["link_id"])

        self._act(resolve)

    @rule(
        chosen=st.lists(tickets, min_size=1, max_size=3, unique=True),
        status=st.sampled_from(list(Status)),
    )
    def bulk_status(self, chosen: list[int], status: Status) -> None:
        todo = bulk.BulkAction(action="status", status=status)
        self._act(
            lambda: bulk.apply(self.session, agent=self.advisor, ticket_ids=chosen, todo=todo)
        )

    def _queued(self, actor_name: str) -> list[OutboxMessage]:
        return list(
            self.session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > self.outbox_done)
                .where(OutboxMessage.actor_name == actor_name)
                .order_by(col(OutboxMessage.id))
            )
        )

    # ------------------------------------------------------------------ the properties

    def _check_step(self) -> None:
        """Compare every ticket with what the previous step left."""
        for ticket_id, before in self.seen.items():
            ticket = self._ticket(ticket_id)
            now = self._snapshot(ticket)
            changed = now.status != before.status
            assert now.status_lines - before.status_lines == (1 if changed else 0), (
                f"{ticket.reference}: {before.status} → {now.status} wrote "
                f"{now.status_lines - before.status_lines} status line(s)"
            )
            assert now.version >= before.version
            if now.events > before.events or changed:
                assert now.version > before.version, f"{ticket.reference}: version did not rise"
            self.seen[ticket_id] = now

    @invariant()
    def every_ticket_is_consistent(self) -> None:
        for ticket_id in self.seen:
            ticket = self._ticket(ticket_id)
            events = self._history(ticket_id)
            self._replays_to_its_status(ticket, events)
            self._timestamps_follow_the_status(ticket, events)
            self._follow_up_link_expires_a_year_after_closing(ticket)
            self._clocks_run_only_while_active(ticket)
            self._passages_follow_the_moves(ticket, events)

    def _replays_to_its_status(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        """The status lines chain from "new" to the current status, one line per change."""
        current = Status.NEW.value
        for change in status_changes(events):
            if change is not None:
                assert change[0] == current and change[1] != current, (ticket.reference, change)
                current = change[1]
        assert current == ticket.status, (ticket.reference, current, ticket.status)

    def _timestamps_follow_the_status(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at is not None, f"{ticket.reference} closed without closed_at"
        else:
            assert ticket.closed_at is None
        if ticket.status == Status.RESOLVED:
            assert ticket.resolved_at is not None
        if ticket.status in ACTIVE_STATUSES:
            assert ticket.resolved_at is None
        if ticket.merged_into_id is not None:
            assert ticket.status == Status.CLOSED
        answered = any(e.kind in ANSWERS for e in events)
        if answered or ticket.resolved_at_first_contact:
            assert ticket.first_response_at is not None, f"{ticket.reference}: no first response"

    def _follow_up_link_expires_a_year_after_closing(self, ticket: Ticket) -> None:
        token = self.tokens[ticket.id]  # type: ignore[index]
        assert ticket_for_token(self.session, token=token).id == ticket.id
        if ticket.closed_at is None:
            assert not link_expired(ticket, now=utcnow() + timedelta(days=3650))
            return
        end = ticket.closed_at + LINK_LIFETIME_AFTER_CLOSE
        assert not link_expired(ticket, now=end - timedelta(minutes=1))
        assert link_expired(ticket, now=end + timedelta(minutes=1))

    def _clocks_run_only_while_active(self, ticket: Ticket) -> None:
        clocks = self.session.exec(
            select(TicketSlaClock).where(TicketSlaClock.ticket_id == ticket.id)
        ).all()
        running = [c for c in clocks if c.stopped_at is None]
        if ticket.status not in ACTIVE_STATUSES:
            assert not running, f"{ticket.reference} is {ticket.status} with a running clock"
        else:
            assert running, f"{ticket.reference} is {ticket.status} with no running clock"

    def _passages_follow_the_moves(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        """The passages are the current queue and every queue a move line names."""
        codes = {e.to_value for e in events if e.kind in MOVES} | {
            e.from_value for e in events if e.kind in MOVES
        }
        named = self.session.exec(select(Queue.id).where(col(Queue.code).in_(codes))).all()
        passed = passed_queue_ids(self.session, ticket_id=ticket.id)  # type: ignore[arg-type]
        assert passed == {ticket.queue_id, *named}, (ticket.reference, passed, codes)


@contextmanager
def only_the_lifecycle_sets_status() -> Iterator[list[str]]:
    """Record every assignment of Ticket.status made outside the lifecycle module."""
    offenders: list[str] = []

    def on_set(target: Ticket, value: Any, oldvalue: Any, initiator: Any) -> None:
        state = sa_inspect(target)
        if state.transient or state.pending:
            return  # a ticket being built starts in its default status
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("sqlalchemy", "sqlmodel", "pydantic")
        ):
            frame = frame.f_back  # type: ignore[assignment]
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
        if module != "helpdesk.tickets.lifecycle":
            offenders.append(f"{module}:{frame.f_lineno if frame else '?'} → {value}")

    sa_event.listen(Ticket.status, "set", on_set)
    try:
        yield offenders
    finally:
        sa_event.remove(Ticket.status, "set", on_set)


def test_lifecycle_properties_hold_over_random_actions(engine: Engine, tmp_path: Path):
    with Session(engine, expire_on_commit=False) as session:
        advisor = make_agent(session, queues=QUEUES)
        dp = make_agent(session, role=Role.INCIDENT_MANAGER, organisation="dp-anef", queues=QUEUES)
        session.commit()
        world = World(engine, advisor.id, dp.id, tmp_path)  # type: ignore[arg-type]
    with only_the_lifecycle_sets_status() as offenders:
        run_state_machine_as_test(lambda: LifecycleMachine(world), settings=PROPERTIES)
    assert offenders == []


# ---------------------------------------------------------------------- who assigns the status


def status_assignments(path: Path, relative: str, attr: str = "status") -> list[str]:
    """Where a module sets a ticket's status (or `attr`): `x.status = …`, setattr,
    Ticket(status=…), update(Ticket).values(status=…)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in _flatten(targets):
            if isinstance(target, ast.Attribute) and target.attr == attr:
                found.append((node.lineno, ast.unparse(target.value)))
        if isinstance(node, ast.Call):
            found.extend((node.lineno, name) for name in _status_calls(node, attr))
    return [
        f"{relative}:{line} ({owner}.{attr})"
        for line, owner in found
        if attr != "status" or (relative, owner) not in NOT_TICKETS
    ]


# Other things that have a status of their own.
NOT_TICKETS = frozenset(
    {
        ("helpdesk/incidents/service.py", "incident"),
        ("helpdesk/kb/service.py", "article"),
        ("helpdesk/privacy/requests.py", "request"),  # a data protection request
    }
)


def _flatten(targets: list[ast.expr]) -> Iterator[ast.expr]:
    for target in targets:
        if isinstance(target, ast.Tuple | ast.List):
            yield from _flatten(list(target.elts))
        else:
            yield target


def _status_calls(node: ast.Call, attr: str = "status") -> Iterator[str]:
    """setattr(x, "status", …), Ticket(status=…) and update(Ticket)….values(status=…)."""
    func = node.func
    if (
        isinstance(func, ast.Name)
        and func.id == "setattr"
        and len(node.args) >= 2
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == attr
    ):
        yield ast.unparse(node.args[0])
    keywords = {k.arg for k in node.keywords}
    if isinstance(func, ast.Name) and func.id == "Ticket" and attr in keywords:
        yield "Ticket(…)"
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "values"
        and attr in keywords
        and "update(Ticket)" in ast.unparse(func.value)
    ):
        yield "update(Ticket)"


def test_only_the_lifecycle_assigns_a_ticket_status():
    offenders = [
        place
        for path in sorted(HELPDESK.rglob("*.py"))
        if path != LIFECYCLE and "migrations" not in path.parts
        for place in status_assignments(path, path.relative_to(HELPDESK.parent).as_posix())
    ]
    assert offenders == [], "Ticket.status is assigned outside helpdesk/tickets/lifecycle.py"


def test_only_the_lifecycle_moves_a_ticket_to_another_queue():
    """A ticket is built in its first queue (create_ticket notes that passage); any other
    queue change goes through lifecycle.place_in_queue, which notes the new passage."""
    found = [
        place
        for path in sorted(HELPDESK.rglob("*.py"))
        if path != LIFECYCLE and "migrations" not in path.parts
        for place in status_assignments(
            path, path.relative_to(HELPDESK.parent).as_posix(), attr="queue_id"
        )
    ]
    offenders = [p for p in found if not p.startswith("helpdesk/tickets/service.py:")]
    assert offenders == [], "Ticket.queue_id is assigned outside lifecycle.place_in_queue"
    assert [p.split(" ")[1] for p in found] == ["(Ticket(…).queue_id)"]


def test_the_check_finds_every_way_of_assigning(tmp_path: Path):
    module = tmp_path / "sneaky.py"
    module.write_text(
        "def sneak(session, source, ticket, incident):\n"
        "    source.status = 'closed'\n"
        "    ticket.queue_id, ticket.status = 1, 'open'\n"
        "    setattr(ticket, 'status', 'new')\n"
        "    session.add(Ticket(subject='x', status='resolved'))\n"
        "    session.execute(update(Ticket).where(Ticket.id == 1).values(status='closed'))\n"
        "    incident.status = 'resolu'\n",
        encoding="utf-8",
    )
    assert len(status_assignments(module, "helpdesk/tickets/sneaky.py")) == 6
    assert len(status_assignments(module, "helpdesk/incidents/service.py")) == 5
