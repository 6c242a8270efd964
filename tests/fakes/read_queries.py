"""The read side over the fake tables: case search, inbox, department figures, the audit's reads
and comment mentions, with the real queries' conditions and orders (``engine/persistence``)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from datetime import date
from typing import Any, TypeVar

from engine.domain.audit import LogMark
from engine.domain.comments import COMMENT_ADDED
from engine.domain.model import CaseStatus
from engine.domain.records import CaseRecord, EventRecord, TaskRecord, case_id_in
from engine.persistence.audit_reads import CaseRowState
from engine.persistence.case_search import CaseCriteria
from engine.persistence.comment_reads import Mentions
from engine.persistence.department_stats import NO_LIMIT, DepartmentFigures
from engine.persistence.inbox import InboxCriteria
from engine.persistence.queries import COUNT_CAP, Page
from tests.fakes.clock_repositories import deadline_of
from tests.fakes.tables import Tables

T = TypeVar("T")
_OPEN = ("ready", "claimed")
_LAST = date.max  # a missing due day sorts after every other going up, as NULLS LAST


def _page(found: list[T], key: Callable[[T], Any], page: int, per_page: int, descending: bool,
          mark: Callable[[T], tuple[Any, ...]] | None = None, after: tuple[Any, ...] | None = None) -> Page[T]:
    """Descending is the exact reverse of ascending, as the real orders are written to be. With
    ``mark`` (an item's sort key as a page mark holds it) the page says where the next one starts,
    and ``after`` starts a page after the item with that key."""
    ordered = sorted(found, key=key, reverse=descending)
    start = (page - 1) * per_page
    if after is not None and mark is not None:
        start = next((n + 1 for n, item in enumerate(ordered) if mark(item) == after), len(ordered))
    items = ordered[start:start + per_page]
    more = start + per_page < len(ordered)
    total = min(len(found), COUNT_CAP)
    return Page(items, total, page, per_page, len(found) <= COUNT_CAP,
                mark(items[-1]) if mark is not None and items and more else None)


def _matches_case(case: CaseRecord, criteria: CaseCriteria, departments: set[str], agent: str | None) -> bool:
    applicant = case.applicant
    names = (str(applicant.get("name") or ""), str(applicant.get("entity_name") or ""))
    return ((criteria.department is None or criteria.department in departments)
            and (criteria.status is None or case.status == criteria.status)
            and (criteria.bundle_code is None or case.bundle_code == criteria.bundle_code)
            and (criteria.number_prefix is None or case.number.startswith(criteria.number_prefix))
            and (criteria.name_part is None or any(criteria.name_part in name for name in names))
            and (criteria.identifier is None
                 or criteria.identifier in (applicant.get("id_number"), applicant.get("credit_code")))
            and (criteria.phone is None or applicant.get("phone") == criteria.phone)
            and (criteria.party_phone is None or applicant.get("phone") == criteria.party_phone
                 or agent == criteria.party_phone)
            and (criteria.accepted_from is None or case.accepted_at >= criteria.accepted_from)
            and (criteria.accepted_before is None or case.accepted_at < criteria.accepted_before))


def _case_key(sort: str) -> Callable[[CaseRecord], Any]:
    if sort == "number":
        return lambda c: c.number
    if sort == "due":
        return lambda c: (c.due_on is None, c.due_on or _LAST, c.accepted_at, c.id)
    if sort == "accepted_at":
        return lambda c: (c.accepted_at, c.id)
    column = {"bundle": "bundle_code", "status": "status"}[sort]
    return lambda c: (getattr(c, column), c.accepted_at, c.id)


def _case_mark(sort: str) -> Callable[[CaseRecord], tuple[Any, ...]]:
    """The values of the real query's sort columns (``sort_columns``)."""
    columns = {"accepted_at": ("accepted_at", "id"), "number": ("number",),
               "bundle": ("bundle_code", "accepted_at", "id"), "status": ("status", "accepted_at", "id"),
               "due": ("due_on", "accepted_at", "id")}[sort]
    return lambda c: tuple(getattr(c, column) for column in columns)


class FakeReadQueries:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _cases(self) -> list[CaseRecord]:
        return sorted(self.tables.all("cases"), key=lambda c: c.id)

    def search_cases(self, criteria: CaseCriteria, page: int = 1, per_page: int = 50,
                     sort: str = "accepted_at", descending: bool = True,
                     after: tuple[Any, ...] | None = None) -> Page[CaseRecord]:
        departments: dict[int, set[str]] = {}
        for item in self.tables.all("case_items"):
            departments.setdefault(item.case_id, set()).add(item.department)
        found = [c for c in self._cases()
                 if _matches_case(c, criteria, departments.get(c.id, set()), self.tables.get("case_agents", c.id))]
        return _page(found, _case_key(sort), page, per_page, descending, _case_mark(sort), after)

    def list_inbox(self, criteria: InboxCriteria, page: int = 1, per_page: int = 50,
                   sort: str = "arrived", descending: bool = False) -> Page[TaskRecord]:
        cases = {c.id: c for c in self._cases()}
        of_case: int | None = None
        if criteria.case_ref is not None:
            of_case = case_id_in(criteria.case_ref)
            if of_case is None:
                of_case = next((c.id for c in cases.values() if c.number == criteria.case_ref), -1)
        found = [t for t in self.tables.all("tasks")
                 if t.state in criteria.states and (of_case is None or t.case_id == of_case)
                 and (criteria.colour is None or t.colour == criteria.colour)
                 and (criteria.department is None or t.department == criteria.department)
                 and (criteria.departments is None or t.department in criteria.departments)
                 and (criteria.assignee is None or t.assignee == criteria.assignee)
                 and (criteria.bundle_code is None or t.bundle_code == criteria.bundle_code)
                 and (criteria.paused is None or (t.paused_since is not None) == criteria.paused)]
        first: Callable[[TaskRecord], tuple[Any, ...]] = {
            "arrived": lambda t: (),
            "due": lambda t: (t.due_on is None, t.due_on or _LAST),
            "accepted": lambda t: (cases[t.case_id].accepted_at,),
            "bundle": lambda t: (t.bundle_code,),
            "case": lambda t: (t.case_number,),
        }[sort]
        return _page(found, lambda t: (*first(t), t.created_at, t.id), page, per_page, descending)

    def department_figures(self, departments: frozenset[str] | None = None) -> list[DepartmentFigures]:
        found: dict[str, DepartmentFigures] = {}
        for task in self.tables.all("tasks"):
            if task.kind != "approval" or (departments is not None and task.department not in departments):
                continue
            if task.state in _OPEN:
                figures = found.setdefault(task.department, DepartmentFigures(task.department))
                colour = task.colour or NO_LIMIT
                figures.open_by_colour[colour] = figures.open_by_colour.get(colour, 0) + 1
                figures.paused += task.paused_since is not None
            elif task.state == "completed" and task.due_on is not None and task.completed_at is not None:
                figures = found.setdefault(task.department, DepartmentFigures(task.department))
                figures.completed += 1
                figures.on_time += task.completed_at < deadline_of(task.due_on)
        return [found[k] for k in sorted(found)]

    def case_heads(self) -> dict[int, tuple[int, str]]:
        return {c.id: (c.event_seq, c.event_hash) for c in self._cases()}

    def grown_case_heads(self, after: LogMark | None) -> tuple[dict[int, tuple[int, str]], int]:
        verified: dict[str, tuple[int, str]] = self.tables.table("audit_verified")
        heads = self.case_heads()
        if after is not None:
            grown = {e.case_id for e in self.tables.all("case_events") if (e.id or 0) > after.through_event}
            return {c: head for c, head in heads.items() if c in grown}, len(heads)
        return {c: head for c, head in heads.items() if verified.get(f"case:{c}") != head}, len(heads)

    def log_mark(self) -> LogMark:
        return LogMark(max((e.id or 0 for e in self.tables.all("case_events")), default=0))

    def case_row_states(self, case_ids: Sequence[int] | None = None) -> dict[int, CaseRowState]:
        states = {c.id: CaseRowState(c.status) for c in self._cases() if case_ids is None or c.id in case_ids}
        for item in self.tables.all("case_items"):
            if item.case_id in states:
                states[item.case_id].items[item.item_code] = item.status
        return states

    def events_in_case_order(self, case_ids: Sequence[int] | None = None
                             ) -> Generator[tuple[int, str, EventRecord], None, None]:
        numbers = {c.id: c.number for c in self._cases() if case_ids is None or c.id in case_ids}
        events = sorted(self.tables.all("case_events"), key=lambda e: (e.case_id, e.seq))
        for event in events:
            if event.case_id in numbers:
                yield event.case_id, numbers[event.case_id], event

    def mentions_in_running_cases(self, department: str) -> list[Mentions]:
        running = {c.id: c.number for c in self._cases() if not CaseStatus(c.status).is_finished}
        found: dict[str, Mentions] = {}
        for event in sorted(self.tables.all("case_events"), key=lambda e: (e.case_id, e.seq)):
            number = running.get(event.case_id)
            if number is not None and event.type == COMMENT_ADDED and department in (event.data.get("mention") or ()):
                seen = found.get(number)
                found[number] = Mentions(number, (seen.count if seen else 0) + 1, event.occurred_at)
        return sorted(found.values(), key=lambda m: m.last_at, reverse=True)


class FakeRollupRepository:
    """The fake read side counts every day from its rows: there is nothing to sum ahead."""

    def seal(self, through: date) -> dict[str, int]:
        return {}

    def reseal(self, through: date) -> dict[str, int]:
        return {}
