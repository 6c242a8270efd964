"""Running a use case's transaction, again when a concurrent writer got there first."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.domain.errors import ConcurrentUpdate, DomainError, IdempotencyKeyReused
from engine.domain.records import TaskRecord
from engine.persistence.db_errors import SERIALIZATION_FAILURE, is_unavailable, retry_cause, sqlstate
from engine.services.case_detail import CaseDetail
from engine.services.context import ServiceContext
from engine.services.unit_of_work import UnitOfWork

T = TypeVar("T")
_log = logging.getLogger("onething.transactions")


class Busy(DomainError):
    code = "busy"


database_unavailable = is_unavailable
"""Whether an error says the database is down or dropped the connection (a restart): try again shortly."""


@dataclass(frozen=True)
class RequestKey:
    """An Idempotency-Key and a fingerprint of the request it was first used with."""

    key: str
    fingerprint: str

    @staticmethod
    def of(key: str, method: str, path: str, body: Mapping[str, Any] | None) -> RequestKey:
        canonical = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False, default=str)
        return RequestKey(key, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


@dataclass(frozen=True)
class Applied:
    """What a state change touched; ``replayed`` when an Idempotency-Key found it done before."""

    resource_type: str
    resource_id: str
    status_code: int
    replayed: bool = False
    task: TaskRecord | None = None
    """The task as the change left it, so that callers need not read it again."""
    opened: tuple[TaskRecord, ...] = ()
    """The tasks the change opened (a completion's next steps); empty when an Idempotency-Key replays it."""
    detail: CaseDetail | None = None
    """The case as the change left it, when the command named a viewer (see ``case_detail``)."""


def in_transaction(ctx: ServiceContext, work: Callable[[UnitOfWork], T]) -> T:
    """Run ``work`` in one write transaction and commit; on a lost compare-and-swap, a lock
    timeout or deadlock, a key a concurrent request inserted first, or a lost connection, start
    over with a fresh read (bounded, with jittered backoff), logging each retry with its cause
    (``engine/persistence/db_errors.py``). Any other error, an integrity error included, surfaces
    at once. Contention outlasting the attempts answers ``Busy``; a database still gone, its error."""
    for attempt in range(1, ctx.max_attempts + 1):
        cause: str | None
        try:
            with ctx.uow(True) as uow:
                result = work(uow)
                uow.commit()
                return result
        except ConcurrentUpdate as err:
            cause = f"compare-and-swap: {err}"
        except DomainError:
            raise
        except Exception as err:
            cause = retry_cause(err)
            if cause is None or (attempt == ctx.max_attempts and is_unavailable(err)):
                raise
        _log.info("transaction attempt %d of %d failed (%s)", attempt, ctx.max_attempts, cause)
        if attempt < ctx.max_attempts:
            time.sleep(random.uniform(0.002, 0.01) * attempt)
    raise Busy(
        "the case is being changed by others right now; please try again",
        "该办件正被他人同时办理，请稍后重试",
    )


def read_on_replica(ctx: ServiceContext, work: Callable[[UnitOfWork], T]) -> T:
    """Run ``work``, a read that may be a few seconds stale, on the read replica (see
    ``engine.services.replica``); on the primary when none is configured, when it does not answer
    (it is then left alone for a while), or when it cancelled the read for a conflict with the WAL
    it replays (40001). Never for a read a write depends on: the replica may not show it yet."""
    replica = ctx.replica
    if replica is not None and replica.usable():
        try:
            with replica.uow() as uow:
                return work(uow)
        except DomainError:
            raise
        except Exception as err:
            if is_unavailable(err):
                replica.failed(err)
            elif sqlstate(err) == SERIALIZATION_FAILURE:
                _log.info("the read replica cancelled a read (conflict with recovery); reading from the primary")
            else:
                raise
    with ctx.uow(False) as uow:
        return work(uow)


def idempotent(
    uow: UnitOfWork, key: RequestKey | None, resource_type: str,
    apply: Callable[[], Applied], now: Any,
) -> Applied:
    """Apply once per Idempotency-Key: the key is stored in the same transaction as the change."""
    if key is None:
        return apply()
    stored = uow.idempotency.get(key.key)
    if stored is not None:
        if stored.fingerprint != key.fingerprint or stored.resource_type != resource_type:
            raise IdempotencyKeyReused()
        return Applied(stored.resource_type, stored.resource_id, stored.status_code, replayed=True)
    applied = apply()
    uow.idempotency.add(key.key, key.fingerprint, applied.resource_type, applied.resource_id,
                        applied.status_code, now)
    return applied
