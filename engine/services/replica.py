"""The read replica (ONETHING_REPLICA_URL, PostgreSQL streaming replication) as the use cases see it.

Reads that tolerate a few seconds of staleness go to it (``transactions.read_on_replica``): the
savings, service-point and leaders' reports, case search, the supervision board and its warnings.
Writes, and every read a write depends on (a case's own page, the task a reviewer is deciding, the
inbox, sign-in), stay on the primary. A replica that does not answer is left alone for a few
seconds, its reads answered by the primary meanwhile."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.persistence.db_errors import driver_error, is_unavailable
from engine.persistence.replication import ReplicaLag
from engine.services.unit_of_work import UnitOfWork

RETRY_SECONDS = 5.0
"""How long reads skip a replica that did not answer before trying it again."""
_log = logging.getLogger("onething.replica")


@dataclass
class Replica:
    """A read replica: a read-only unit of work on it, and its lag behind the primary."""

    uow: Callable[[], UnitOfWork]
    lag: Callable[[], ReplicaLag]
    """Asks the primary and the replica (``engine.persistence.replication.measure_lag``); raises
    the driver's error when either does not answer."""
    retry_seconds: float = RETRY_SECONDS
    clock: Callable[[], float] = time.monotonic
    _down_until: float = field(default=0.0, init=False, repr=False)

    def usable(self) -> bool:
        """Whether reads should try it: not within ``retry_seconds`` of its last failure."""
        return self.clock() >= self._down_until

    def failed(self, err: BaseException) -> None:
        """It did not answer: reads go to the primary for a while."""
        if self.usable():
            _log.warning("read replica unavailable, reading from the primary for %.0f s: %s",
                         self.retry_seconds, first_line(err))
        self._down_until = self.clock() + self.retry_seconds

    def answered(self) -> None:
        self._down_until = 0.0


@dataclass(frozen=True)
class ReplicaStatus:
    """What the supervision board shows of the replica."""

    configured: bool
    reachable: bool | None = None
    lag_seconds: float | None = None
    behind_bytes: int | None = None
    replay_paused: bool | None = None
    reason: str | None = None
    """Why it is not used (reachable False), for the operator."""


def replica_status(replica: Replica | None) -> ReplicaStatus:
    """The replica's lag, asked now; never raises: a replica that does not answer is reported so,
    and its reads go to the primary (``Replica.failed``)."""
    if replica is None:
        return ReplicaStatus(configured=False)
    try:
        lag = replica.lag()
    except Exception as err:  # whatever it is, the board shows it instead of failing
        if is_unavailable(err):
            replica.failed(err)
        else:
            _log.warning("measuring the read replica's lag failed: %s", first_line(err))
        return ReplicaStatus(configured=True, reachable=False, reason=first_line(err))
    if not lag.in_recovery:
        return ReplicaStatus(configured=True, reachable=False,
                             reason="the replica's server is not a standby (not in recovery): promoted?")
    replica.answered()
    return ReplicaStatus(True, True, None if lag.lag_seconds is None else round(lag.lag_seconds, 3),
                         lag.behind_bytes, lag.replay_paused)


def first_line(err: BaseException) -> str:
    lines = str(driver_error(err)).strip().splitlines()
    return (lines[0] if lines else type(err).__name__)[:200]
