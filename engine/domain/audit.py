"""The tamper-evident chain of the event log: each event carries the hash of the one before it.

A case's events form one chain (the case row keeps its head); account and administration events
form another. Changing, removing or reordering a stored event breaks the chain at that event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of a chain's first event."""


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's fields in a canonical JSON form."""
    canonical = json.dumps(
        {key: _canonical(value) for key, value in fields.items()},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an audited event")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value
