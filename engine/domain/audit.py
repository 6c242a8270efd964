"""The tamper-evident chain of the event log: each event carries the hash of the one before it.

A case's events form one chain (the case row keeps its head); account and administration events
form another. Changing, removing or reordering a stored event breaks the chain at that event.

An unkeyed hash only finds changes made by someone who does not recompute it: whoever can write
to the database can rewrite an event and every hash after it. Events are therefore written with
HMAC-SHA256 under a key the database does not hold (``ONETHING_AUDIT_KEY``): without the key no one
can forge a link that verifies. Each event records its scheme, so the unkeyed SHA-256 events of a
database written before keys existed still verify; an unkeyed event after a keyed one in the same
chain is a break (a forger who cannot sign writes unkeyed events). What the key cannot protect
are chains that hold no keyed event yet; signed checkpoints of the chain heads, kept outside the
database (``audit_checkpoint``), seal them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from engine.domain.secret_keys import secret_key_problem

GENESIS = "0" * 64
"""The ``prev_hash`` of a chain's first event."""

DEV_AUDIT_KEY = "onething-development-audit-key-not-for-production"
"""The key of development and test databases: it is published here, so it protects nothing, and
production refuses it."""


class HashScheme(IntEnum):
    SHA256 = 0
    """Unkeyed SHA-256: events written before the chain was keyed."""
    HMAC_SHA256 = 1
    """HMAC-SHA256 under the audit key."""


def _message(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    canonical = json.dumps(
        {key: _canonical(value) for key, value in fields.items()},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return f"{prev_hash}\n{canonical}".encode()


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's fields in a canonical JSON form (unkeyed)."""
    return hashlib.sha256(_message(prev_hash, fields)).hexdigest()


def keyed_event_hash(key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """HMAC-SHA256 under ``key`` over the same message: one hash's cost, no round trip."""
    return hmac.new(key, _message(prev_hash, fields), hashlib.sha256).hexdigest()


def link_hash(scheme: int, key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str | None:
    """What an event of ``scheme`` should carry; None for a scheme this version does not know."""
    if scheme == HashScheme.HMAC_SHA256:
        return keyed_event_hash(key, prev_hash, fields)
    if scheme == HashScheme.SHA256:
        return event_hash(prev_hash, fields)
    return None


def sign(key: bytes, payload: bytes) -> str:
    """An HMAC-SHA256 signature of anything else kept under the audit key (a checkpoint file)."""
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def signature_matches(key: bytes, payload: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, payload), signature)


def audit_key_problem(key: str, secret_key: str, published: Iterable[str] = ()) -> str | None:
    """Why ``key`` must not sign a production audit trail, or None: the secret keys' rules
    (``secret_keys``), and not the same as ``ONETHING_SECRET_KEY`` (a leak of one must not give
    away the other)."""
    if problem := secret_key_problem(key, (DEV_AUDIT_KEY, *published)):
        return problem
    if key == secret_key:
        return "it is ONETHING_SECRET_KEY; each needs its own"
    return None


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an audited event")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


@dataclass(frozen=True)
class LogMark:
    """Where the case event log stood in the snapshot a sound verification read: the largest event id
    it saw, and on PostgreSQL the snapshot's ``xmin`` (the oldest transaction still running) and
    ``xmax`` (the first not yet started); None on a database with one writer, where an event written
    later always takes a larger id."""

    through_event: int
    xmin: int | None = None
    xmax: int | None = None


def read_from(marks: Sequence[LogMark]) -> LogMark | None:
    """The mark after which every case event the sound verifications (``marks``, oldest first, the last
    the latest) did not see must lie; None: there is none, every chain must be compared.

    An event the latest run did not see was either written after its snapshot, so its id is larger
    than any it saw, or by a transaction still running then (its transaction id at least that
    snapshot's ``xmin``). Such a transaction started after every earlier snapshot whose ``xmax`` is at
    most that ``xmin``, so its events' ids are larger than any that snapshot saw: the latest such mark
    is the one to read from — the latest run's own when nothing was running. (An event's id is drawn
    in the same statement that starts its transaction's writes, if no earlier write did.)"""
    if not marks:
        return None
    latest = marks[-1]
    if latest.xmin is None or latest.xmax is None:
        return latest
    for mark in reversed(marks):
        if mark.xmax is not None and mark.xmax <= latest.xmin:
            return mark
    return None
