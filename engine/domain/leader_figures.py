"""Figures for leaders (issue 28): per period and per service point, bundle or department — cases
accepted and closed, closed on time and overdue, 办结率 and 按时办结率, 满意率 from the 好差评 ratings,
complaints and how long they took to close — and their trend by week or month. Pure: the rows come
from the database, the counting is here.

满意率 follows 好差评: a rating of 3 (基本满意) or better is satisfied, 1 and 2 are 差评. 办结率 is the
share of the cases accepted in the period that are closed (by the end of the period); 按时办结率 the
cases closed in the period whose closing day was not after their promised due day (承诺时限), over
those closed."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from engine.domain.clocks import shanghai_day

SATISFIED_FROM = 3
"""The lowest rating counted as satisfied (基本满意); 1 and 2 are 差评."""
COMPLAINT_KINDS = ("complaint", "cannot_do", "hotline")
"""The work orders counted as complaints (诉求); rectifications and observations are not."""


@dataclass(frozen=True)
class CaseRow:
    bundle: str
    point: str | None
    accepted_at: datetime
    closed_at: datetime | None
    status: str
    due_on: date | None
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RatingRow:
    at: datetime
    rating: int
    bundle: str
    point: str | None
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderRow:
    kind: str
    raised_at: datetime
    closed_at: datetime | None
    department: str | None
    point: str | None
    bundle: str | None
    escalated: bool


@dataclass
class Figures:
    accepted: int = 0
    accepted_closed: int = 0
    """Of those accepted in the period, the ones closed by its end."""
    closed: int = 0
    """Closed in the period, whenever accepted."""
    on_time: int = 0
    overdue: int = 0
    """Closed after their due day, or still open past it."""
    ratings: int = 0
    satisfied: int = 0
    complaints: int = 0
    complaints_closed: int = 0
    escalated: int = 0
    resolution_days: list[float] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return self.accepted_closed / self.accepted if self.accepted else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None

    @property
    def median_resolution_days(self) -> float | None:
        return statistics.median(self.resolution_days) if self.resolution_days else None


Key = Callable[[str | None, str | None, tuple[str, ...]], Iterable[str]]
"""From a row's bundle, point and departments, the groups it counts in."""
GROUPINGS: Mapping[str, Key] = {
    "all": lambda bundle, point, departments: ("all",),
    "bundle": lambda bundle, point, departments: (bundle,) if bundle else (),
    "point": lambda bundle, point, departments: (point or "",),
    "department": lambda bundle, point, departments: departments,
}


def _in(moment: datetime | None, since: date, until: date) -> bool:
    return moment is not None and since <= shanghai_day(moment) <= until


def figures(cases: Iterable[CaseRow], ratings: Iterable[RatingRow], orders: Iterable[OrderRow], since: date,
            until: date, today: date, group: str = "all") -> dict[str, Figures]:
    """The period's figures (``since`` to ``until``, both included, Asia/Shanghai days) per group."""
    key = GROUPINGS[group]
    found: defaultdict[str, Figures] = defaultdict(Figures)
    for case in cases:
        for name in key(case.bundle, case.point, case.departments):
            row = found[name]
            if _in(case.accepted_at, since, until):
                row.accepted += 1
                row.accepted_closed += (case.status == "closed" and case.closed_at is not None
                                        and shanghai_day(case.closed_at) <= until)
            if case.status == "closed" and _in(case.closed_at, since, until):
                row.closed += 1
                assert case.closed_at is not None
                late = case.due_on is not None and shanghai_day(case.closed_at) > case.due_on
                row.on_time, row.overdue = row.on_time + (not late), row.overdue + late
            elif case.status == "in_review" and case.due_on is not None and case.due_on < min(today, until) \
                    and shanghai_day(case.accepted_at) <= until:
                row.overdue += 1
    for rating in ratings:
        if _in(rating.at, since, until):
            for name in key(rating.bundle, rating.point, rating.departments):
                found[name].ratings += 1
                found[name].satisfied += rating.rating >= SATISFIED_FROM
    add_orders(found, orders, since, until, group)
    return dict(found)


def add_orders(found: defaultdict[str, Figures], orders: Iterable[OrderRow], since: date, until: date,
               group: str = "all") -> None:
    """Count the complaints raised in the period into ``found``, per group."""
    key = GROUPINGS[group]
    for order in orders:
        if order.kind not in COMPLAINT_KINDS or not _in(order.raised_at, since, until):
            continue
        for name in key(order.bundle, order.point, (order.department,) if order.department else ()):
            row = found[name]
            row.complaints += 1
            row.escalated += order.escalated
            if order.closed_at is not None:
                row.complaints_closed += 1
                row.resolution_days.append((order.closed_at - order.raised_at).total_seconds() / 86400)


def buckets(since: date, until: date, size: str) -> list[tuple[str, date, date]]:
    """The weeks (Monday first) or months that cover the period, each cut to it: label, first, last."""
    found, start = [], since
    while start <= until:
        if size == "week":
            end = start + timedelta(days=6 - start.weekday())
            label = f"{start.isocalendar().year}-W{start.isocalendar().week:02d}"
        else:
            following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            end, label = following - timedelta(days=1), f"{start.year}-{start.month:02d}"
        end = min(end, until)
        found.append((label, start, end))
        start = end + timedelta(days=1)
    return found


def trend(cases: list[CaseRow], ratings: list[RatingRow], orders: list[OrderRow], since: date, until: date,
          today: date, size: str) -> list[tuple[str, Figures]]:
    """The figures of every week or month of the period, in order."""
    return [(label, figures(cases, ratings, orders, first, last, today).get("all", Figures()))
            for label, first, last in buckets(since, until, size)]


# --- the same figures from counts summed per day (day_rollups.py), for periods of many cases -----------

@dataclass(frozen=True)
class DayCounts:
    """What happened on some days: cases accepted, closed, closed by their due day; ratings, satisfied."""

    accepted: int = 0
    closed: int = 0
    closed_on_time: int = 0
    ratings: int = 0
    satisfied: int = 0

    def __add__(self, other: DayCounts) -> DayCounts:
        return DayCounts(self.accepted + other.accepted, self.closed + other.closed,
                         self.closed_on_time + other.closed_on_time, self.ratings + other.ratings,
                         self.satisfied + other.satisfied)


@dataclass(frozen=True)
class PeriodCounts:
    """A period's counts as the database sums them."""

    days: Mapping[date, DayCounts]
    """Every case of the period, per day."""
    groups: Mapping[str, Mapping[str, DayCounts]]
    """Per grouping (bundle, point, department) and group, the period's sums."""
    spans: Iterable[tuple[date, date, int]]
    """The cases closed in the period: the day accepted, the day closed, how many."""
    group_spans: Mapping[str, Mapping[str, int]]
    """Per grouping and group, the cases closed in the period that were accepted before it."""
    open_cases: Iterable[CaseRow]
    """The cases still in review that were accepted by the period's end (those past due are overdue)."""


def _figures_of(counts: DayCounts, accepted_before: int, open_overdue: int) -> Figures:
    # Of the cases closed in the period, those accepted in it are the ones it accepted and closed: a case
    # accepted in the period and closed by its end closes in it, as nothing closes before it is accepted.
    return Figures(accepted=counts.accepted, accepted_closed=counts.closed - accepted_before, closed=counts.closed,
                   on_time=counts.closed_on_time, overdue=counts.closed - counts.closed_on_time + open_overdue,
                   ratings=counts.ratings, satisfied=counts.satisfied)


def _open_overdue(cases: Iterable[CaseRow], until: date, today: date, group: str) -> Counter[str]:
    key, found = GROUPINGS[group], Counter[str]()
    for case in cases:
        if case.status == "in_review" and case.due_on is not None and case.due_on < min(today, until) \
                and shanghai_day(case.accepted_at) <= until:
            found.update(key(case.bundle, case.point, case.departments))
    return found


def period_figures(counts: PeriodCounts, orders: Iterable[OrderRow], since: date, until: date, today: date,
                   group: str = "all") -> dict[str, Figures]:
    """What ``figures`` counts from rows, from the period's sums: overall (``all``) or per group."""
    open_cases = list(counts.open_cases)
    overdue = _open_overdue(open_cases, until, today, group)
    found: defaultdict[str, Figures] = defaultdict(Figures)
    if group == "all":
        total = sum((c for day, c in counts.days.items() if since <= day <= until), DayCounts())
        before = sum(n for accepted, closed, n in counts.spans if accepted < since and since <= closed <= until)
        found["all"] = _figures_of(total, before, overdue["all"])
    else:
        spans = counts.group_spans.get(group, {})
        for name, sums in counts.groups.get(group, {}).items():
            found[name] = _figures_of(sums, spans.get(name, 0), overdue[name])
        for name in overdue.keys() - found.keys():
            found[name] = _figures_of(DayCounts(), 0, overdue[name])
    orders = list(orders)
    add_orders(found, orders, since, until, group)
    return dict(found)


def period_trend(counts: PeriodCounts, orders: Iterable[OrderRow], since: date, until: date, today: date,
                 size: str) -> list[tuple[str, Figures]]:
    """The figures of every week or month of the period, in order, from the period's sums."""
    orders = list(orders)
    return [(label, period_figures(counts, orders, first, last, today).get("all", Figures()))
            for label, first, last in buckets(since, until, size)]
