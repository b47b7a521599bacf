"""End to end on PostgreSQL, the real Redis broker and a real SMTP server on loopback."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from helpdesk.config import Settings
from helpdesk.intake import service
from helpdesk.intake.schemas import check_contact
from helpdesk.jobs.models import OutboxMessage
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.tickets.models import Channel, Ticket
from intake.helpers import MESSAGE, follow_up_path, form_values, reference_of, send

from conftest import WebClient, make_settings
from factories import make_agent
from support.servers import SmtpSink, delete_namespace, free_port


def _flush(url: str) -> None:
    """Delete this session's queues and rate counts from Redis."""
    delete_namespace(url)


@pytest.fixture()
def stack_settings(tmp_path: Path, redis_url: str, smtp: SmtpSink) -> Iterator[Settings]:
    """Settings on the live Redis and the SMTP sink."""
    _flush(redis_url)
    yield make_settings(
        tmp_path,
        redis_url=redis_url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        intake_rate_limit=50,
    )
    _flush(redis_url)


@pytest.fixture()
def stack(postgres_engine: Engine, stack_settings: Settings) -> Iterator[WebClient]:
    """The application on PostgreSQL with a worker consuming the Redis broker."""
    with WebClient.start(postgres_engine, stack_settings) as web:
        runtime: JobRuntime = web.client.app.state.jobs
        assert runtime.redis_url
        runtime.start_worker()
        yield web


def test_a_request_becomes_a_ticket_and_an_email_with_a_working_link(
    stack: WebClient, stack_settings: Settings, smtp: SmtpSink
):
    response = send(stack, stack_settings, language="en")
    assert response.status_code == 200, response.text
    reference = reference_of(response.text)
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ("awa.traore@example.org",)
    assert mail.message["Subject"] == f"Your request {reference} has been received"
    body = mail.message.get_content()
    link = re.search(r"(http://\S+/suivi/[A-Za-z0-9_-]+)", body)
    assert link, body
    path = link.group(1).removeprefix(stack_settings.base_url)
    page = stack.client.get(path)
    assert page.status_code == 200 and reference in page.text
    assert "Follow-up of your request" in page.text
    with stack.session() as session:
        ticket = session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        assert ticket.channel == "form" and ticket.language == "en"


HOSTILE_REFUSED: list[tuple[str, Any]] = [
    ("email", "awa@example.org\r\nBcc: victim@example.org"),
    ("email", "<script>alert(1)</script>@example.org"),
    ("subject", "Objet\r\nBcc: victim@example.org"),
    ("last_name", "Traoré\nX-Injected: 1"),
    ("phone", "<script>alert(1)</script>"),
    ("foreign_number", '12345678"90'),  # (a NUL byte is dropped on reading: WebForm)
    ("dossier_number", "<img src=x onerror=alert(1)>"),
    ("procedure", "<script>"),
    ("reason", "autre\r\nBcc: victim@example.org"),
    ("first_name", "A" * 5000),
    ("message", "x" * 5001),
]


@pytest.mark.parametrize(("field", "value"), HOSTILE_REFUSED)
def test_hostile_values_are_refused(stack: WebClient, stack_settings: Settings, field, value):
    response = send(stack, stack_settings, **{field: value})
    assert response.status_code == 422, field
    assert f'href="#{field}"' in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "onerror=alert(1)>" not in response.text
    with stack.session() as session:
        assert session.exec(select(Ticket)).all() == []


def test_hostile_text_is_inert_in_the_agent_view_and_the_email(
    stack: WebClient, stack_settings: Settings, smtp: SmtpSink
):
    payload = {
        "last_name": "<script>alert('nom')</script>",
        "first_name": '"><img src=x onerror=alert(1)>',
        "subject": "<svg onload=alert(2)> objet\u2028",
        "message": "Bonjour <script>alert(3)</script>\x00 <a href=javascript:alert(4)>lien</a>"
        " et <b onmouseover=alert(5)>texte</b>, merci de votre aide.",
    }
    payload["subject"] = payload["subject"].replace("\u2028", "")
    response = send(
        stack,
        stack_settings,
        files=[("facture.pdf", b"<html><script>alert(6)</script></html>", "application/pdf")],
        **payload,
    )
    assert response.status_code == 422  # the disguised file is refused, nothing is created
    response = send(stack, stack_settings, **payload)
    assert response.status_code == 200, response.text
    assert "<script>alert" not in response.text
    [mail] = smtp.wait_for(1)
    with stack.session() as session:
        ticket = session.exec(select(Ticket)).one()
        agent = make_agent(session)
        session.commit()
    assert "\x00" not in ticket.subject
    stack.sign_in(agent.email)
    page = stack.client.get(f"/tickets/{ticket.id}")
    assert page.status_code == 200
    for raw in (
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<a href=javascript",
        "<b onmouseover",
    ):
        assert raw not in page.text, raw
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page.text
    assert "\x00" not in page.text
    headers = dict(mail.message.items())
    assert "Bcc" not in headers and "\n" not in mail.message["Subject"]
    assert mail.message.get_content_type() == "text/plain"
    assert "\x00" not in mail.message.get_content()


def test_rate_limit_is_shared_through_redis(postgres_engine: Engine, stack_settings: Settings):
    settings = stack_settings.model_copy(update={"intake_rate_limit": 2})
    with WebClient.start(postgres_engine, settings) as first:
        for number in range(2):
            assert send(first, settings, message=f"{MESSAGE} {number}").status_code == 200
    with WebClient.start(postgres_engine, settings) as second:  # another process, same Redis
        refused = send(second, settings, message=f"{MESSAGE} 3")
        assert refused.status_code == 429
        assert "Trop de demandes envoyées" in refused.text
    client = redis.Redis.from_url(settings.redis_url or "")
    assert list(client.scan_iter(f"{settings.redis_namespace}:intake:rate:*"))
    client.close()


def test_concurrent_duplicates_give_one_ticket(postgres_engine: Engine, stack_settings: Settings):
    checked = check_contact(form_values(stack_settings), acknowledged=True, lang="fr")
    assert checked.data is not None
    references: list[str] = []

    def submit() -> None:
        with Session(postgres_engine, expire_on_commit=False) as session:
            receipt = service.submit_contact(
                session,
                data=checked.data,
                channel=Channel.FORM,
                files=[],  # type: ignore[arg-type]
                storage_dir=stack_settings.storage_dir,
                base_url=stack_settings.base_url,
            )
            session.commit()
            references.append(receipt.ticket.reference)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(references) == 4 and len(set(references)) == 1


def test_nothing_is_lost_when_redis_and_smtp_are_down(
    postgres_engine: Engine, stack_settings: Settings, smtp: SmtpSink, tmp_path: Path
):
    down = stack_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "smtp_port": free_port()}
    )
    with WebClient.start(postgres_engine, down) as web:
        started = time.monotonic()
        response = send(web, down)
        assert response.status_code == 200, response.text
        assert time.monotonic() - started < 5
    reference = reference_of(response.text)
    with Session(postgres_engine) as session:
        assert session.exec(select(Ticket).where(Ticket.reference == reference)).one()
        # The acknowledgement, and the routing job every new ticket enqueues.
        outbox = session.exec(select(OutboxMessage)).all()
        assert len(outbox) == 2 and all(row.sent_at is None for row in outbox)
    live = JobRuntime(stack_settings, postgres_engine)
    live.start_worker()
    try:
        assert live.sweep() == 2
        [mail] = smtp.wait_for(1)
    finally:
        live.stop()
    assert reference in mail.message["Subject"]
    assert follow_up_path(response.text) in mail.message.get_content()
