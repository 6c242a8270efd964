"""The savings of closed cases (``case_savings``): written when a case closes, read per case,
summed per bundle in SQL for the reports (sums, counts and value counts; never a row per case in
Python), and listed for the exports. Also the two small reads a closing case's figures come from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Row,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    union_all,
)

from engine.domain.clocks import shanghai_day
from engine.domain.savings import FIGURES, FOUR_FIGURES, CaseSavings, Figure
from engine.domain.savings_table import ChannelTrips
from engine.domain.savings_totals import HALF_PREFILLED, FigureTotals, ScopeTotals
from engine.persistence import tables as t
from engine.persistence.day_rollups import month_end_through, sealed_through
from engine.persistence.pipeline import defer
from engine.persistence.sql_days import start_of
from engine.persistence.tables.rollup import SAVINGS_SUMS

s = t.case_savings
d = t.case_savings_departments

_PREFILL_COUNT = s.c.fields_prefillable
_PREFILL_SHARE = s.c.fields_prefilled_of_prefillable


@dataclass(frozen=True)
class StoredSavings:
    """A closed case's savings as stored, with what the time figure was made of."""

    case_id: int
    accepted_at: datetime
    closed_at: datetime
    savings: CaseSavings
    elapsed_days: float
    """Working days from acceptance to results ready."""
    paused_days: float
    """Of those, the days special procedures paused the clock."""
    departments: tuple[str, ...] = ()
    """The departments with an item in the case (written, not read back)."""
    accepted_point: str | None = None
    """The service point that accepted the case (written, not read back): a report by point reads it."""


@dataclass(frozen=True)
class SavingsFilter:
    """Which closed cases a report covers; ``None`` leaves a condition out."""

    bundle_code: str | None = None
    closed_from: datetime | None = None
    """Closed at or after this moment."""
    closed_before: datetime | None = None
    """Closed before this moment."""
    department: str | None = None
    """Cases with an item of this department."""
    points: frozenset[str] | None = None
    """Cases accepted at one of these service points."""


@dataclass(frozen=True)
class CaseEvent:
    type: str
    occurred_at: datetime
    data: dict[str, Any]


def _values(stored: StoredSavings) -> dict[str, Any]:
    savings = stored.savings
    values: dict[str, Any] = {
        "case_id": stored.case_id, "case_number": savings.case_number, "bundle_code": savings.bundle_code,
        "channel": savings.channel, "result_delivery": savings.result_delivery,
        "accepted_at": stored.accepted_at, "closed_at": stored.closed_at, "accepted_point": stored.accepted_point,
        "time_elapsed_days": stored.elapsed_days, "time_paused_days": stored.paused_days,
        "fields_prefilled_share": savings.fields_prefilled_share,
        "fields_prefillable": savings.fields_prefillable,
        "fields_prefilled_of_prefillable": savings.fields_prefilled_of_prefillable,
        "prefill_fields": None if savings.prefill_fields is None else dict(savings.prefill_fields),
        "materials_shared": savings.materials_shared, "materials_elicence": savings.materials_elicence,
        "baseline_sources": dict(savings.baseline_sources),
    }
    for name in FIGURES:
        figure = savings.figure(name)
        values[f"{name}_baseline"], values[f"{name}_actual"] = figure.baseline, figure.actual
        values[f"{name}_reduction"] = figure.reduction
    return values


def _stored(row: Row[Any]) -> StoredSavings:
    m = row._mapping
    figures = {name: Figure(float(m[f"{name}_baseline"]), float(m[f"{name}_actual"])) for name in FIGURES}
    share = m["fields_prefilled_share"]
    could, of_could, by_field = m["fields_prefillable"], m["fields_prefilled_of_prefillable"], m["prefill_fields"]
    savings = CaseSavings(
        bundle_code=m["bundle_code"], case_number=m["case_number"], channel=m["channel"],
        result_delivery=m["result_delivery"], trips=figures["trips"], steps=figures["steps"],
        time_days=figures["time_days"], materials=figures["materials"], fields=figures["fields"],
        fees=figures["fees"], fields_prefilled_share=None if share is None else float(share),
        baseline_sources=dict(m["baseline_sources"] or {}),
        fields_prefillable=None if could is None else int(could),
        fields_prefilled_of_prefillable=None if of_could is None else float(of_could),
        prefill_fields=None if by_field is None else {str(k): bool(v) for k, v in by_field.items()},
        materials_shared=_count(m["materials_shared"]), materials_elicence=_count(m["materials_elicence"]),
    )
    return StoredSavings(m["case_id"], m["accepted_at"], m["closed_at"], savings, float(m["time_elapsed_days"]),
                         float(m["time_paused_days"]))


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _conditions(flt: SavingsFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.bundle_code is not None:
        conditions.append(s.c.bundle_code == flt.bundle_code)
    if flt.closed_from is not None:
        conditions.append(s.c.closed_at >= flt.closed_from)
    if flt.closed_before is not None:
        conditions.append(s.c.closed_at < flt.closed_before)
    if flt.department is not None:
        # The department's cases closed in the period: one range of its (department, closed_at) index.
        mine = [d.c.department == flt.department]
        if flt.closed_from is not None:
            mine.append(d.c.closed_at >= flt.closed_from)
        if flt.closed_before is not None:
            mine.append(d.c.closed_at < flt.closed_before)
        conditions.append(s.c.case_id.in_(select(d.c.case_id).where(*mine)))
    if flt.points is not None:
        conditions.append(s.c.accepted_point.in_(sorted(flt.points)))
    return conditions


def _sums_query(flt: SavingsFilter) -> Any:
    columns: list[Any] = [s.c.bundle_code, func.count()]
    for name in FIGURES:
        reduction = s.c[f"{name}_reduction"]
        columns += [func.sum(s.c[f"{name}_baseline"]), func.sum(s.c[f"{name}_actual"]), func.sum(reduction),
                    func.count(reduction)]
    share = s.c.fields_prefilled_share
    columns += [func.sum(share), func.count(share), func.sum(case((share >= HALF_PREFILLED, 1), else_=0)),
                func.sum(_PREFILL_COUNT), func.count(_PREFILL_COUNT), func.sum(_PREFILL_SHARE),
                func.count(_PREFILL_SHARE), func.sum(s.c.materials_shared), func.count(s.c.materials_shared),
                func.sum(s.c.materials_elicence), func.count(s.c.materials_elicence)]
    return select(*columns).where(*_conditions(flt)).group_by(s.c.bundle_code)


def _value_counts_query(flt: SavingsFilter) -> Any:
    """Per bundle and figure, how many cases had each actual value: one UNION ALL statement, each
    part answered from the figure's (bundle, actual, closed at) index. Fees have no distribution:
    no case carries an amount yet."""
    parts = [
        select(literal(name).label("figure"), s.c.bundle_code, cast(s.c[f"{name}_actual"], Float).label("value"),
               func.count().label("cases"))
        .where(*_conditions(flt)).group_by(s.c.bundle_code, s.c[f"{name}_actual"])
        for name in FOUR_FIGURES
    ]
    return union_all(*parts)


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


Months = tuple[date | None, date]
"""The first days of the first (None: from the beginning) and of the last whole month the roll-up sums."""


def _sealed_conditions(flt: SavingsFilter, months: Months, rows: Any = t.savings_days.c) -> list[ColumnElement[bool]]:
    """The sealed months a filter covers, in ``savings_days`` or ``savings_value_days`` (``rows``: its
    columns; the latter without points)."""
    first, last = months
    conditions: list[ColumnElement[bool]] = [rows.month <= last, rows.department == (flt.department or "")]
    if first is not None:
        conditions.append(rows.month >= first)
    if flt.bundle_code is not None:
        conditions.append(rows.bundle_code == flt.bundle_code)
    if flt.points is not None:
        conditions.append(rows.point.in_(sorted(flt.points)))  # never with a department (``_split``)
    return conditions


def _sealed_sums_query(flt: SavingsFilter, months: Months) -> Any:
    rows = t.savings_days.c
    return (select(rows.bundle_code, *(func.sum(rows[name]) for name in SAVINGS_SUMS))
            .where(*_sealed_conditions(flt, months)).group_by(rows.bundle_code))


def _sealed_value_counts_query(flt: SavingsFilter, months: Months) -> Any:
    values = t.savings_value_days.c
    return (select(values.figure, values.bundle_code, values.value, func.sum(values.cases).label("cases"))
            .where(*_sealed_conditions(flt, months, values)).group_by(values.bundle_code, values.figure, values.value))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _scope_totals(sums: Any, value_counts: Any) -> list[ScopeTotals]:
    """Totals per bundle from the sums query's rows (bundle, count, 4 per figure, the prefill and
    material sums; several rows of a bundle add up) and the value counts' rows (figure, bundle, value,
    cases), by bundle code."""
    counts: dict[tuple[str, str], dict[float, int]] = defaultdict(dict)
    for row in value_counts:
        kept = counts[(row.bundle_code, row.figure)]
        kept[float(row.value)] = kept.get(float(row.value), 0) + int(row.cases)
    found: dict[str, ScopeTotals] = {}
    for row in sums:
        code, count, *rest = row
        figures = {}
        for n, name in enumerate(FIGURES):
            baseline, actual, reduction, reductions = rest[4 * n: 4 * n + 4]
            figures[name] = FigureTotals(_number(baseline), _number(actual), _number(reduction), int(reductions or 0))
        (share_sum, shares, half, could_sum, could, of_could_sum, of_could,
         shared_sum, shared, elicence_sum, elicence) = rest[4 * len(FIGURES):]
        totals = ScopeTotals(code, int(count), figures, _number(share_sum), int(shares or 0), int(half or 0),
                             _number(could_sum), int(could or 0), _number(of_could_sum), int(of_could or 0),
                             _number(shared_sum), int(shared or 0), _number(elicence_sum), int(elicence or 0))
        found[code] = totals if code not in found else found[code].merged(totals, code)
    return [replace(totals, figures={name: replace(figure, actuals=counts.get((code, name), {}))
                                     for name, figure in totals.figures.items()})
            for code, totals in sorted(found.items())]


class SavingsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _insert = insert(s).inline()

    _insert_departments = insert(d).inline()

    def add(self, *stored: StoredSavings) -> None:
        if stored:
            defer(self.conn, self._insert, [_values(row) for row in stored])
        departments = [{"case_id": row.case_id, "department": dept, "closed_at": row.closed_at}
                       for row in stored for dept in row.departments]
        if departments:
            defer(self.conn, self._insert_departments, departments)

    def closed_without_savings(self) -> list[int]:
        """Closed cases with no figures: closed before savings were measured (migration 0009)."""
        rows = self.conn.execute(select(t.cases.c.id).where(
            t.cases.c.status == "closed", ~select(s.c.case_id).where(s.c.case_id == t.cases.c.id).exists())
            .order_by(t.cases.c.id))
        return [int(r[0]) for r in rows]

    def get(self, case_id: int) -> StoredSavings | None:
        row = self.conn.execute(select(s).where(s.c.case_id == case_id)).first()
        return _stored(row) if row else None

    def totals(self, flt: SavingsFilter) -> list[ScopeTotals]:
        """One set of totals per bundle with closed cases in the filter, by bundle code: the whole months
        the roll-up sealed from ``savings_days``, the days before and after them from ``case_savings``."""
        live, months = self._split(flt)
        sums: list[Any] = [row for part in live for row in self.conn.execute(_sums_query(part))]
        if months is not None:
            sums += self.conn.execute(_sealed_sums_query(flt, months))
        if flt.points is not None or months is None:  # the distributions are not summed per point
            values: list[Any] = [*self.conn.execute(_value_counts_query(flt))]
        else:
            values = [row for part in live for row in self.conn.execute(_value_counts_query(part))]
            values += self.conn.execute(_sealed_value_counts_query(flt, months))
        return _scope_totals(sums, values)

    def _split(self, flt: SavingsFilter) -> tuple[list[SavingsFilter], Months | None]:
        """The parts of the filter to read from the cases, and the whole months to read from the roll-up
        (None: none). The filter's bounds are Asia/Shanghai midnights, as the reports give them."""
        # Points and departments are summed apart, never crossed: a filter by both reads the cases.
        sealed = None if flt.points is not None and flt.department is not None else sealed_through(
            self.conn, "savings")
        if sealed is None:
            return [flt], None
        start = None if flt.closed_from is None else shanghai_day(flt.closed_from)
        end = sealed if flt.closed_before is None else min(sealed, shanghai_day(flt.closed_before) - timedelta(days=1))
        first = None if start is None else (start if start.day == 1 else _next_month(start))
        last_end = month_end_through(end)
        if first is not None and first > last_end:
            return [flt], None
        live = []
        if first is not None and flt.closed_from is not None and flt.closed_from < start_of(first):
            live.append(replace(flt, closed_before=start_of(first)))
        after = start_of(last_end + timedelta(days=1))
        if flt.closed_before is None or after < flt.closed_before:
            live.append(replace(flt, closed_from=after))
        return live, (first, last_end.replace(day=1))

    def trips_by_channel(self, flt: SavingsFilter) -> list[ChannelTrips]:
        """The trips of the closed cases by how each came in and how its results went out."""
        live, months = self._split(flt)
        found: dict[tuple[str, str], tuple[int, float, float]] = {}
        rows: list[Any] = []
        for part in live:
            rows += self.conn.execute(
                select(s.c.channel, s.c.result_delivery, func.count(), func.sum(s.c.trips_baseline),
                       func.sum(s.c.trips_actual)).where(*_conditions(part)).group_by(s.c.channel, s.c.result_delivery))
        if months is not None:
            sealed = t.savings_days.c
            rows += self.conn.execute(
                select(sealed.channel, sealed.result_delivery, func.sum(sealed.cases), func.sum(sealed.trips_baseline),
                       func.sum(sealed.trips_actual)).where(*_sealed_conditions(flt, months))
                .group_by(sealed.channel, sealed.result_delivery))
        for channel, delivery, cases, baseline, actual in rows:
            had = found.get((str(channel), str(delivery)), (0, 0.0, 0.0))
            found[(str(channel), str(delivery))] = (had[0] + int(cases), had[1] + _number(baseline),
                                                    had[2] + _number(actual))
        ordered = sorted(sorted(found, key=lambda k: k[1]), key=lambda k: k[0], reverse=True)  # as the SQL orders
        return [ChannelTrips(channel, delivery, *found[(channel, delivery)]) for channel, delivery in ordered]

    _export_columns = (s.c.bundle_code, s.c.case_number, s.c.channel, s.c.result_delivery,
                       s.c.fields_prefilled_share, _PREFILL_COUNT, _PREFILL_SHARE, s.c.materials_shared,
                       s.c.materials_elicence,
                       *(s.c[f"{name}_{part}"] for name in FIGURES for part in ("baseline", "actual")))

    def case_savings(self, flt: SavingsFilter) -> list[CaseSavings]:
        """The savings of the cases in the filter, in the order they closed, for the per-case
        exports: only the columns those show, read by position (many rows)."""
        query = select(*self._export_columns).where(*_conditions(flt)).order_by(s.c.closed_at, s.c.case_id)
        found = []
        for code, number, channel, delivery, share, could, of_could, shared, elicence, *values in self.conn.execute(
                query):
            trips, steps, time_days, materials, fields, fees = (
                Figure(float(values[n]), float(values[n + 1])) for n in range(0, len(values), 2))
            found.append(CaseSavings(code, number, channel, delivery, trips, steps, time_days, materials, fields,
                                     fees, None if share is None else float(share),
                                     fields_prefillable=None if could is None else int(could),
                                     fields_prefilled_of_prefillable=None if of_could is None else float(of_could),
                                     materials_shared=_count(shared), materials_elicence=_count(elicence)))
        return found
