"""Bearer tokens this process verified a moment ago, so that a burst of requests with the same
token reads the database once, not once per request.

An entry lives ``seconds`` at most (ONETHING_AUTH_CACHE_SECONDS, 5 by default; 0 turns the cache
off). Expiry is checked on every use. Revoking a token, logging out or changing a user clears
this process's cache at once; other server processes notice within ``seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from engine.domain.access import Principal
from engine.domain.records import TokenRecord


class TokenCache:
    def __init__(self, seconds: float = 5.0, size: int = 10_000,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.size = size
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Principal, TokenRecord]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[Principal, TokenRecord] | None:
        """What ``token`` stood for when verified, if that was less than ``seconds`` ago."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if self._monotonic() - entry[0] >= self.seconds:
            with self._lock:
                self._entries.pop(token, None)
            return None
        return entry[1], entry[2]

    def put(self, token: str, principal: Principal, record: TokenRecord) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()  # a flood of distinct tokens: start over rather than grow
            self._entries[token] = (self._monotonic(), principal, record)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
