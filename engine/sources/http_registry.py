"""A provincial data-sharing platform (数据共享交换平台) over HTTP, behind the ``RegistrySource`` port.

The request, one per lookup, ``POST {base_url}{path of the kind}`` with ``Authorization: Bearer
{token}`` and the JSON body::

    {"kind": "person", "subject": "410702199001010023", "attributes": ["name", "phone"],
     "purpose": "受理：退休一件事", "request_id": "…"}

The answer, 200 with ``{"records": [{"ref": "…", "name": "…", "attributes": {…}, "subjects": ["…"]}]}``;
no record is ``{"records": []}`` (or 404). Anything else — a timeout, a refused connection, another
status, a body that is not that shape — makes the lookup ``unavailable`` with the reason, never an
error of the intake: the window types the fields.

Bounded on every side, so that an intake answers within about 2 s with a platform down: each request
has a connect and a read timeout; a refused connection, a timeout or a 502/503/504 is tried again at
most ``retries`` times (urllib3's ``Retry``); the asks of one intake run in parallel; a circuit breaker
per kind (pybreaker) stops asking a registry that failed ``fail_max`` times in a row for ``reset_seconds``
(then one trial ask); answers are kept ``cache_seconds`` (cachetools' ``TTLCache``) so that the form and
the intake that follows ask once. A kind without a path is answered by ``fallback`` (the embedded
registries).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pybreaker
import requests
import urllib3
from cachetools import TTLCache
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from engine.domain.registries import KINDS, Ask, LookupOutcome, RegistryRecord, RegistrySource


@dataclass(frozen=True)
class HttpRegistryConfig:
    base_url: str
    token: str = ""
    paths: Mapping[str, str] = field(default_factory=lambda: {kind: f"/registries/{kind}" for kind in KINDS})
    """The path of each kind under ``base_url``; a kind left out is asked of the fallback."""
    connect_timeout: float = 0.3
    read_timeout: float = 0.5
    retries: int = 1
    cache_seconds: float = 60.0
    fail_max: int = 5
    reset_seconds: float = 30.0


class Unanswered(Exception):
    """The platform gave no usable answer; the message says why (for the audit)."""


class HttpRegistries:
    name = "http"

    def __init__(self, config: HttpRegistryConfig, fallback: RegistrySource | None = None,
                 session: requests.Session | None = None) -> None:
        self.config = config
        self._fallback = fallback
        self._session = session or requests.Session()
        retry = Retry(total=config.retries, connect=config.retries, read=config.retries, status=config.retries,
                      status_forcelist=(502, 503, 504), allowed_methods=frozenset({"POST"}), backoff_factor=0.05,
                      raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._breakers = {kind: pybreaker.CircuitBreaker(fail_max=config.fail_max, reset_timeout=config.reset_seconds,
                                                         exclude=[_NotFound], name=kind) for kind in KINDS}
        self._cache: TTLCache[tuple[str, str], list[RegistryRecord]] = TTLCache(
            maxsize=10_000, ttl=config.cache_seconds, timer=time.monotonic)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=len(KINDS), thread_name_prefix="registry-http")

    def lookup(self, asks: Sequence[Ask]) -> list[LookupOutcome]:
        remote = [a for a in asks if self.config.paths.get(a.kind)]
        local = [a for a in asks if not self.config.paths.get(a.kind)]
        answered = dict(zip(remote, self._pool.map(self._one, remote), strict=True))
        if local:
            if self._fallback is None:
                answered.update({a: LookupOutcome(a.kind, a.subject, self.name, [], "no source for this registry")
                                 for a in local})
            else:
                answered.update(zip(local, self._fallback.lookup(local), strict=True))
        return [answered[a] for a in asks]

    def _one(self, ask: Ask) -> LookupOutcome:
        started = time.perf_counter()
        key = (ask.kind, ask.subject)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return LookupOutcome(ask.kind, ask.subject, self.name, cached, None, _ms(started))
        try:
            records = self._breakers[ask.kind].call(self._ask, ask)
        except _NotFound:
            records = []
        except pybreaker.CircuitBreakerError:
            return LookupOutcome(ask.kind, ask.subject, self.name, [],
                                 f"circuit open: {ask.kind} failed {self.config.fail_max} times in a row",
                                 _ms(started))
        except Unanswered as err:
            return LookupOutcome(ask.kind, ask.subject, self.name, [], str(err), _ms(started))
        with self._lock:
            self._cache[key] = records
        return LookupOutcome(ask.kind, ask.subject, self.name, records, None, _ms(started))

    def _ask(self, ask: Ask) -> list[RegistryRecord]:
        url = self.config.base_url.rstrip("/") + self.config.paths[ask.kind]
        headers = {"Authorization": f"Bearer {self.config.token}"} if self.config.token else {}
        body = {"kind": ask.kind, "subject": ask.subject, "attributes": list(ask.attributes),
                "purpose": ask.purpose, "request_id": str(uuid.uuid4())}
        try:
            response = self._session.post(url, json=body, headers=headers,
                                          timeout=(self.config.connect_timeout, self.config.read_timeout))
        except requests.RequestException as err:
            raise Unanswered(self._why(err)) from None
        if response.status_code == 404:
            raise _NotFound
        if response.status_code != 200:
            raise Unanswered(f"HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise Unanswered("malformed answer: not JSON") from None
        return records_of(ask, answer)


    def _why(self, err: requests.RequestException) -> str:
        """A timeout, also when urllib3 gave up retrying one (requests then wraps it in a
        ConnectionError whose MaxRetryError names the reason), or why no connection was made."""
        reason = getattr(err.args[0], "reason", None) if err.args else None
        if isinstance(err, requests.Timeout) or isinstance(reason, urllib3.exceptions.TimeoutError):
            return f"timeout after {self.config.read_timeout:g} s"
        return f"no connection: {type(reason or err).__name__}"


class _NotFound(Exception):
    """404: the platform holds nothing about the subject (an answer, not a failure)."""


def records_of(ask: Ask, answer: Any) -> list[RegistryRecord]:
    """The records of a platform's answer, each attribute kept only if it is a column of the kind;
    ``Unanswered`` for an answer that is not the documented shape."""
    if not isinstance(answer, dict) or not isinstance(answer.get("records"), list):
        raise Unanswered("malformed answer: no records list")
    kind = KINDS[ask.kind]
    now = datetime.now(UTC)
    records = []
    for item in answer["records"]:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise Unanswered("malformed answer: a record without attributes")
        attributes = {k: v for k, v in item["attributes"].items()
                      if kind.column(k) is not None and isinstance(v, str | int | float | bool)}
        ref = str(item.get("ref") or attributes.get(kind.key) or "")
        if not ref:
            raise Unanswered("malformed answer: a record without its reference")
        subjects = item.get("subjects")
        found_by = tuple(str(s).upper() for s in subjects) if isinstance(subjects, list) else (ask.subject,)
        records.append(RegistryRecord(ask.kind, ref, str(item.get("name") or attributes.get(kind.name_column) or ref),
                                      attributes, "http", now, found_by))
    return records


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
