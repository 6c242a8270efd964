"""How many failed logins are tolerated, and from whom.

A login attempt is counted as a failure *before* its password is checked, in one transaction that
also decides whether it may go ahead: parallel guesses are counted one after another (the counter
rows are locked while counting), so no more than the limit are ever checked. An attempt that turns
out right takes its count back. Refused attempts count nothing.

- per login *and* client address: 5 failures in 15 minutes lock that pair only, so whoever guesses
  a reviewer's password from one place does not lock the reviewer out at their own desk;
- per client address: 20 failures in 15 minutes, whatever the logins (one place trying many);
- per login, from all addresses together: a slower back-off against guessing from many places;
  past 10 failures in the window, one more attempt every 90 seconds. It delays, it does not lock.

The client address is what the web layer determined (a trusted proxy's X-Forwarded-For only when
one is configured); here it is an opaque string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.domain.errors import TooManyAttempts
from engine.services.unit_of_work import UnitOfWork

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_ADDRESS = 20
LOGIN_FREE_FAILURES = 10
LOGIN_BACKOFF_STEP = timedelta(seconds=90)

PAIR, LOGIN, ADDRESS = "pair", "login", "address"


@dataclass(frozen=True)
class Attempt:
    login: str
    address: str

    def subjects(self) -> tuple[tuple[str, str], ...]:
        """Scope and subject of each counter, always in this order (the order rows are locked in)."""
        return (PAIR, f"{self.login}\n{self.address}"), (ADDRESS, self.address), (LOGIN, self.login)


def count_attempt(uow: UnitOfWork, attempt: Attempt, now: datetime) -> None:
    """Count the attempt as a failure in every scope, or raise TooManyAttempts (and the caller's
    transaction, rolled back, counted nothing)."""
    for scope, subject in attempt.subjects():
        failures, window_start = uow.login_failures.count(scope, subject, now, FAILURE_WINDOW)
        if scope == LOGIN:
            allowed_from = window_start + LOGIN_BACKOFF_STEP * max(0, failures - LOGIN_FREE_FAILURES)
        else:
            limit = MAX_FAILURES_PER_PAIR if scope == PAIR else MAX_FAILURES_PER_ADDRESS
            allowed_from = window_start + FAILURE_WINDOW if failures > limit else now
        if allowed_from > now:
            retry_after = max(1, int((allowed_from - now).total_seconds()) + 1)
            raise TooManyAttempts(
                f"too many failed logins; try again in {retry_after} seconds",
                f"登录失败次数过多，请 {(retry_after + 59) // 60} 分钟后再试", retry_after)


def take_back_attempt(uow: UnitOfWork, attempt: Attempt) -> None:
    """The attempt was right: this pair starts afresh; the login and the address lose the one
    failure counted in advance, and keep the others (a success does not wipe out a wider attack)."""
    for scope, subject in attempt.subjects():
        if scope == PAIR:
            uow.login_failures.clear(scope, subject)
        else:
            uow.login_failures.uncount(scope, subject)


def forget_old_failures(uow: UnitOfWork, now: datetime) -> None:
    uow.login_failures.forget_before(now - FAILURE_WINDOW)
