"""HttpDossierSource: dossiers over HTTP; short timeouts, retries, circuit breaker, cache.

Every way a read can fail (network, timeout, status, a body too big, too slow, undecodable,
not JSON, not the contract, or a bug) reaches callers as DossierUnavailableError and the
breaker as a failure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from dossiers.breaker import CircuitBreaker, CircuitOpenError
from dossiers.catalog import is_foreign_number, normalise_dossier_number
from dossiers.model import Dossier, DossierList
from dossiers.source import DossierUnavailableError

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_BODY_BYTES = 1_000_000
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
log = logging.getLogger(__name__)


class _RetryableError(Exception):
    """A failure worth another try within the time budget (network, timeout, 5xx)."""


class HttpDossierSource:
    """The only way the helpdesk reads dossiers: the dossier API at `base_url`."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        budget_seconds: float = 2.0,
        attempts: int = 3,
        cache_seconds: float = 30.0,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.budget_seconds = budget_seconds
        self.attempts = attempts
        self.cache_seconds = cache_seconds
        self.breaker = breaker or CircuitBreaker()
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        headers = {"Accept": "application/json", "User-Agent": "assistance-anef"}
        if token:  # the dossier service requires a bearer token (configured on both sides)
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, follow_redirects=False
        )

    def get(self, number: str) -> Dossier | None:
        """The dossier with this number; None if unknown or badly formed."""
        normal = normalise_dossier_number(number)
        if normal is None:
            return None
        path = f"/api/v1/dossiers/{quote(normal, safe='')}"
        result: Dossier | None = self._cached(path, lambda: self._load(path, Dossier))
        return result

    def by_foreign_number(self, foreign_number: str) -> list[Dossier]:
        """The dossiers of a numéro étranger; none for a badly formed one."""
        if not is_foreign_number(foreign_number):
            return []
        path = f"/api/v1/dossiers?numero_etranger={foreign_number.strip()}"
        found: DossierList | None = self._cached(path, lambda: self._load(path, DossierList))
        return list(found.items) if found else []

    def forget(self) -> None:
        """Empty the cache."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _cached(self, key: str, load: Callable[[], Any]) -> Any:
        """The cached answer while fresh, else a new one (failures are not cached)."""
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        value = load()
        with self._lock:
            self._cache[key] = (self._clock() + self.cache_seconds, value)
        return value

    def _load(self, path: str, model: type[ModelT]) -> ModelT | None:
        """One guarded read; the breaker hears how it ended, whatever happened. None on 404."""
        try:
            self.breaker.before_call()
        except CircuitOpenError as error:
            raise DossierUnavailableError("circuit ouvert") from error
        succeeded = False
        try:
            result = self._read_and_parse(path, model)
            succeeded = True
        finally:  # even on KeyboardInterrupt: a half-open trial must always end
            if succeeded:
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
        return result

    def _read_and_parse(self, path: str, model: type[ModelT]) -> ModelT | None:
        """The answer as the contract's model; every failure is DossierUnavailableError."""
        try:
            status, body = self._read_with_retries(path)
            return None if status == 404 else _parse(body, model)
        except DossierUnavailableError:
            raise
        except Exception as error:  # a bug or a library surprise: still only "unavailable"
            log.warning("dossier read failed unexpectedly: %s", path, exc_info=True)
            raise DossierUnavailableError(f"erreur inattendue ({type(error).__name__})") from error

    def _read_with_retries(self, path: str) -> tuple[int, bytes]:
        """GET the path, retrying network errors, timeouts and 5xx within the time budget."""
        deadline = self._clock() + self.budget_seconds
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.budget_seconds),
            wait=wait_exponential(multiplier=0.05, max=0.3),
            retry=retry_if_exception_type(_RetryableError),
            reraise=True,
        )
        try:
            return retrying(self._read_once, path, deadline)
        except _RetryableError as error:
            raise DossierUnavailableError(str(error)) from error

    def _read_once(self, path: str, deadline: float) -> tuple[int, bytes]:
        """One GET bounded by the deadline: status and body (at most 1 MB)."""
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise DossierUnavailableError("délai dépassé")
        timeout = httpx.Timeout(
            min(self.read_timeout, remaining), connect=min(self.connect_timeout, remaining)
        )
        try:
            with self._client.stream("GET", path, timeout=timeout) as response:
                body = _read_body(response, deadline, self._clock)
        except httpx.TransportError as error:
            raise _RetryableError(f"{type(error).__name__}") from error
        except httpx.HTTPError as error:  # a body that does not decode (bad gzip), and the like
            raise DossierUnavailableError(f"réponse illisible ({type(error).__name__})") from error
        if response.status_code in RETRIED_STATUSES:
            raise _RetryableError(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            log.warning("the dossier service refused our token (HTTP %s)", response.status_code)
        if response.status_code not in (200, 404):
            raise DossierUnavailableError(f"HTTP {response.status_code}")
        return response.status_code, body


def _read_body(response: httpx.Response, deadline: float, clock: Callable[[], float]) -> bytes:
    """The response body, refused if too big or still coming at the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise DossierUnavailableError("réponse trop volumineuse")
        if clock() > deadline:
            raise DossierUnavailableError("réponse trop lente")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes, model: type[ModelT]) -> ModelT:
    """The body as the contract's model; anything else is the service answering garbage."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise DossierUnavailableError("réponse illisible") from error
