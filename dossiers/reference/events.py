"""Signed status-change events, kept in the service's database and posted to the helpdesk."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import datetime

import httpx

from dossiers.model import Dossier
from dossiers.reference.store import DossierStore
from dossiers.signing import signed_headers

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 5.0


def event_body(before: Dossier, after: Dossier, *, at: datetime) -> tuple[str, bytes]:
    """A new event id and the JSON body describing the move from `before` to `after`."""
    event_id = f"evt-{uuid.uuid4().hex}"
    payload = {
        "event_id": event_id,
        "type": "dossier.status_changed",
        "occurred_at": at.isoformat(),
        "dossier_number": after.number,
        "procedure": after.procedure,
        "from_status": before.status,
        "to_status": after.status,
        "contact_email": after.contact_email,
    }
    return event_id, json.dumps(payload, ensure_ascii=False).encode()


class EventSender:
    """Posts pending events to the webhook, signed; what fails is retried later."""

    def __init__(
        self,
        store: DossierStore,
        *,
        webhook_url: str | None,
        secret: str | None,
        api_key: str | None = None,
    ) -> None:
        self.store = store
        self.webhook_url = webhook_url
        self.secret = secret
        self.api_key = api_key
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether a webhook, its signing secret and the helpdesk's API key are configured."""
        return bool(self.webhook_url and self.secret and self.api_key)

    def deliver(self, event_id: str, body: bytes) -> bool:
        """Post one event; a 2xx answer marks it delivered."""
        if not self.enabled:
            return False
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.api_key}",
            **signed_headers(str(self.secret), body),
        }
        try:
            response = httpx.post(
                str(self.webhook_url), content=body, headers=headers, timeout=DELIVERY_TIMEOUT
            )
            delivered = response.is_success
        except httpx.HTTPError as error:
            log.warning("dossier event %s not delivered: %s", event_id, type(error).__name__)
            delivered = False
        self.store.mark_attempt(event_id, delivered=delivered)
        return delivered

    def deliver_pending(self) -> int:
        """Post every pending event once; answers how many were delivered."""
        with self._lock:
            return sum(
                self.deliver(event_id, body) for event_id, body in self.store.pending_events()
            )

    def run_forever(self, stop: threading.Event, *, interval: float = 15.0) -> None:
        """Retry pending events every `interval` seconds until stopped."""
        while not stop.wait(interval):
            try:
                self.deliver_pending()
            except Exception:  # keep retrying whatever happens
                log.exception("dossier event delivery loop failed")
