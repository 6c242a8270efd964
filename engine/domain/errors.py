"""Errors the domain and the use cases raise; the API maps each class to one HTTP status.

Every error carries an English and a Chinese message, because the Chinese one is what a clerk
or reviewer reads on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(
        self,
        message: str,
        message_zh: str,
        field_errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.field_errors = {k: list(v) for k, v in (field_errors or {}).items()}

    def details(self) -> dict[str, Any]:
        """Members the error body carries beside ``code``, ``message``, ``message_zh`` and ``errors``
        (a refused flow upload lists its ``problems``); none by default."""
        return {}


class NotFound(DomainError):
    code = "not_found"


def case_not_found(ref: str) -> NotFound:
    """The one answer for a case that does not exist and for one outside the caller's scope (another
    department's): two different answers would tell an outsider which case numbers exist."""
    return NotFound(f"no case {ref!r}", f"没有办件 {ref}")


def task_not_found(task_id: str) -> NotFound:
    """The one answer for a task that does not exist and for one outside the caller's department."""
    return NotFound(f"no task {task_id!r}", f"没有任务 {task_id}")


class InvalidInput(DomainError):
    """The request is well-formed but its content breaks a rule (422)."""

    code = "invalid_input"


class TooLarge(InvalidInput):
    """An upload over its size limit (413)."""

    code = "too_large"


class UnsupportedMediaType(InvalidInput):
    """An upload of a type not accepted, by its content (415)."""

    code = "unsupported_media_type"


class Unauthenticated(DomainError):
    """No valid login: no token, a wrong password, an expired or revoked token (401)."""

    code = "unauthenticated"


class TooManyAttempts(DomainError):
    """Too many failed logins; try again after ``retry_after`` seconds (429)."""

    code = "too_many_attempts"

    def __init__(self, message: str, message_zh: str, retry_after: int) -> None:
        super().__init__(message, message_zh)
        self.retry_after = retry_after


class Forbidden(DomainError):
    """The actor may not do this (another department's task, a reviewer starting a case...)."""

    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (task already completed, case closed...)."""

    code = "conflict"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used for a different request",
            "该 Idempotency-Key 已用于另一个不同的请求",
        )


class ConcurrentUpdate(Exception):
    """The case row changed under us (compare-and-swap failed); the use case is retried."""
