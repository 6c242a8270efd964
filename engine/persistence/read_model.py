"""The read queries and saved filters over a unit of work's connection, as the services' ports
(``engine.services.repository_ports.ReadQueries`` and ``SavedFilterRepository``) declare them.

The queries themselves live in their modules (``case_search``, ``inbox``, ``department_stats``,
``queries``, ``audit_reads``, ``comment_reads``, ``saved_filter_store``); these classes only bind
them to the transaction's connection, so that services never hold a connection.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from engine.domain.audit import LogMark
from engine.domain.records import CaseRecord, EventRecord, TaskRecord
from engine.domain.saved_filters import SavedFilter
from engine.persistence import audit_reads, case_search, comment_reads, department_stats, inbox, queries
from engine.persistence import saved_filter_store as store
from engine.persistence.audit_reads import CaseRowState
from engine.persistence.case_search import CaseCriteria
from engine.persistence.comment_reads import Mentions
from engine.persistence.department_stats import DepartmentFigures
from engine.persistence.inbox import InboxCriteria
from engine.persistence.queries import Page


class ReadModel:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def search_cases(self, criteria: CaseCriteria, page: int = 1, per_page: int = 50,
                     sort: str = "accepted_at", descending: bool = True,
                     after: tuple[Any, ...] | None = None) -> Page[CaseRecord]:
        return case_search.search_cases(self.conn, criteria, page, per_page, sort, descending, after)

    def list_inbox(self, criteria: InboxCriteria, page: int = 1, per_page: int = 50,
                   sort: str = "arrived", descending: bool = False) -> Page[TaskRecord]:
        return inbox.list_inbox(self.conn, criteria, page, per_page, sort, descending)

    def department_figures(self, departments: frozenset[str] | None = None) -> list[DepartmentFigures]:
        return department_stats.department_figures(self.conn, departments)

    def case_heads(self) -> dict[int, tuple[int, str]]:
        return audit_reads.case_heads(self.conn)

    def grown_case_heads(self, after: LogMark | None) -> tuple[dict[int, tuple[int, str]], int]:
        return audit_reads.grown_case_heads(self.conn, after)

    def log_mark(self) -> LogMark:
        return audit_reads.log_mark(self.conn)

    def case_row_states(self, case_ids: Sequence[int] | None = None) -> dict[int, CaseRowState]:
        return audit_reads.case_row_states(self.conn, case_ids)

    def events_in_case_order(self, case_ids: Sequence[int] | None = None
                             ) -> Generator[tuple[int, str, EventRecord], None, None]:
        if case_ids is None:
            return queries.events_in_case_order(self.conn)
        return queries.events_of_cases(self.conn, case_ids)

    def mentions_in_running_cases(self, department: str) -> list[Mentions]:
        return comment_reads.mentions_in_running_cases(self.conn, department)


class SavedFilterRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def filters_of(self, user_id: int, page: str) -> list[SavedFilter]:
        return store.filters_of(self.conn, user_id, page)

    def lock_owner(self, user_id: int) -> None:
        store.lock_owner(self.conn, user_id)

    def count_of(self, user_id: int, page: str) -> int:
        return store.count_of(self.conn, user_id, page)

    def is_named(self, user_id: int, page: str, name: str) -> bool:
        return store.is_named(self.conn, user_id, page, name)

    def add(self, user_id: int, page: str, name: str, query: dict[str, str], now: datetime) -> SavedFilter:
        return store.add(self.conn, user_id, page, name, query, now)

    def remove_own(self, user_id: int, filter_id: int) -> bool:
        return store.remove_own(self.conn, user_id, filter_id)
