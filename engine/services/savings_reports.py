"""Reading the savings (四减一优): one closed case's figures, the report per bundle and overall
(summed in the database), its CSV and XLSX exports and its SVG charts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engine.domain.access import Principal
from engine.domain.catalogue import bundle_from_dict
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Conflict, InvalidInput, NotFound, case_not_found
from engine.domain.model import Bundle, CaseStatus
from engine.domain.records import CaseRecord
from engine.domain.savings import CaseSavings, rounded
from engine.domain.savings_charts import before_after_chart, targets_chart, time_histogram_chart
from engine.domain.savings_export import ALL_BUNDLES_LABEL, cases_csv, savings_workbook, summaries_csv
from engine.domain.savings_published import PublishedFigure
from engine.domain.savings_published import published_figures as published_entries
from engine.domain.savings_summary import SavingsSummary, TargetCheck, compare_with_targets
from engine.domain.savings_table import ChannelTrips
from engine.domain.savings_totals import ScopeTotals, overall, summary_of
from engine.domain.service_points import ServicePoint
from engine.persistence.savings_store import SavingsFilter, StoredSavings
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of, points_within
from engine.services.transactions import read_on_replica
from engine.services.unit_of_work import UnitOfWork

CHARTS = ("before_after", "targets", "time_distribution")
"""The charts a report draws: before/after bars, reductions against the published targets, and the
distribution of the time to result."""
EXPORT_ROWS = ("summary", "cases")
"""A CSV export holds one row per bundle (and all), or one row per case."""


@dataclass(frozen=True)
class CaseSavingsView:
    case: CaseRecord
    bundle: Bundle
    stored: StoredSavings
    field_labels: Mapping[str, str] = field(default_factory=dict)
    """The unified form's field labels by key, from today's catalogue (for the per-field detail)."""


@dataclass(frozen=True)
class ReportQuery:
    bundle: str | None = None
    day_from: date | None = None
    """Cases closed on this day (Asia/Shanghai) or later."""
    day_to: date | None = None
    """Cases closed on this day (Asia/Shanghai) or earlier."""
    department: str | None = None
    service_point: str | None = None
    """Cases accepted at this service point or one below it."""
    level: str | None = None
    """Cases accepted at a point of this level."""


@dataclass(frozen=True)
class BundleSavings:
    bundle: Bundle
    totals: ScopeTotals
    summary: SavingsSummary
    targets: tuple[TargetCheck, ...]


@dataclass(frozen=True)
class SavingsReport:
    query: ReportQuery
    totals: ScopeTotals
    summary: SavingsSummary
    """Every bundle together (the scope ``all``)."""
    targets: tuple[TargetCheck, ...]
    bundles: tuple[BundleSavings, ...]
    bundle_names: Mapping[str, str]
    """Every deployed bundle's name by code."""
    filter: SavingsFilter


def get_case_savings(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseSavingsView:
    """A closed case's figures, for whoever may see the case (the rule of GET /api/cases/{ref})."""
    with ctx.uow(False) as uow:
        case = find_case(uow, ref)
        if not viewer.sees_case({i.department for i in uow.items.for_case(case.id)}, case.agent):
            raise case_not_found(ref)
        stored = uow.savings.get(case.id)
        row = uow.flows.bundle(case.bundle_code)
        labels = {} if stored is None or row is None else {
            f.key: f.label for f in ctx.catalogues.get(uow, row.definition).form().fields}
    if stored is None:
        if case.status == CaseStatus.TERMINATED:
            raise Conflict(f"case {case.number} was terminated; only closed cases are measured",
                           f"办件 {case.number} 已终止，不计算减跑动、减环节等成效")
        if case.status == CaseStatus.CLOSED:
            raise NotFound(f"case {case.number} closed before savings were recorded",
                           f"办件 {case.number} 办结时尚未记录成效数据")
        raise Conflict(f"case {case.number} is not closed yet; its savings are measured when it closes",
                       f"办件 {case.number} 尚未办结，办结出件后才计算减跑动、减环节等成效")
    assert row is not None
    return CaseSavingsView(case, bundle_from_dict(row.definition), stored, labels)


def _bundles(uow: UnitOfWork) -> dict[str, Bundle]:
    return {row.code: bundle_from_dict(row.definition) for row in uow.flows.bundles()}


def _shanghai_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)


def savings_filter(query: ReportQuery, bundles: Mapping[str, Bundle],
                   points: Mapping[str, ServicePoint] | None = None) -> SavingsFilter:
    """The query checked against the deployed bundles, their departments and the service points."""
    if query.bundle is not None and query.bundle not in bundles:
        raise NotFound(f"no bundle {query.bundle!r}", f"没有编码为 {query.bundle} 的一件事")
    if query.department is not None:
        # The choices by name: the person reads departments, not their codes.
        known = {item.department: b.department_name(item.department) for b in bundles.values() for item in b.items}
        if query.department not in known:
            names = "、".join(known[code] for code in sorted(known))
            raise InvalidInput(f"no department {query.department!r}; known: {', '.join(sorted(known))}",
                               f"没有这个部门：{query.department}", {"department": [f"可选的部门：{names}"]})
    if query.day_from and query.day_to and query.day_from > query.day_to:
        raise InvalidInput("from must not be later than to", "起始日期不能晚于截止日期",
                           {"from": ["不能晚于截止日期"], "to": ["不能早于起始日期"]})
    return SavingsFilter(
        bundle_code=query.bundle, department=query.department,
        points=points_within(points or {}, query.service_point, query.level),
        closed_from=_shanghai_midnight(query.day_from) if query.day_from else None,
        closed_before=_shanghai_midnight(query.day_to + timedelta(days=1)) if query.day_to else None,
    )


def savings_report(ctx: ServiceContext, query: ReportQuery) -> SavingsReport:
    """Means of the figures and of their reductions, counts and distributions, per bundle with
    closed cases and overall, each beside the published targets; read on the replica, if any."""
    def read(uow: UnitOfWork) -> tuple[dict[str, Bundle], SavingsFilter, list[ScopeTotals]]:
        bundles = _bundles(uow)
        flt = savings_filter(query, bundles, points_of(uow))
        return bundles, flt, uow.savings.totals(flt)

    bundles, flt, per_bundle = read_on_replica(ctx, read)
    total = overall(per_bundle)
    summary = summary_of(total)
    parts = []
    for totals in per_bundle:
        bundle_summary = summary_of(totals)
        bundle = bundles.get(totals.scope) or Bundle(totals.scope, totals.scope, "", (), {})
        parts.append(BundleSavings(bundle, totals, bundle_summary, compare_with_targets(bundle_summary)))
    return SavingsReport(query, total, summary, compare_with_targets(summary), tuple(parts),
                         {code: bundle.name for code, bundle in bundles.items()}, flt)


def trips_by_channel(ctx: ServiceContext, query: ReportQuery) -> list[ChannelTrips]:
    """跑动次数 of the closed cases by 受理渠道 and 出件方式."""
    return read_on_replica(
        ctx, lambda uow: uow.savings.trips_by_channel(savings_filter(query, _bundles(uow), points_of(uow))))


def _published_dict(entry: PublishedFigure) -> dict[str, Any]:
    def number(value: float | None) -> int | float | None:
        return None if value is None else rounded(value, 4)

    return {"figure": entry.figure, "before": number(entry.before), "after": number(entry.after), "unit": entry.unit,
            "reduction": entry.reduction, "place": entry.place or None}


def published_figures(bundle: Bundle) -> list[dict[str, Any]]:
    """The bundle's published before/after figures (regional examples), named as our figures; each
    entry's before, after and reduction are that one source's (engine.domain.savings_published)."""
    return [_published_dict(entry) for entry in published_entries(bundle)]


def export_savings(ctx: ServiceContext, query: ReportQuery, fmt: str, rows: str = "summary") -> bytes:
    """CSV (UTF-8 with a byte-order mark) of the summaries or of the cases; XLSX with both sheets."""
    if rows not in EXPORT_ROWS:
        raise InvalidInput(f"rows must be one of {', '.join(EXPORT_ROWS)}",
                           "rows 须为 summary（汇总）或 cases（办件明细）",
                           {"rows": [f"可选：{'、'.join(EXPORT_ROWS)}"]})
    report = savings_report(ctx, query)
    cases: list[CaseSavings] = []
    if fmt == "xlsx" or rows == "cases":
        cases = read_on_replica(ctx, lambda uow: uow.savings.case_savings(report.filter))
    summaries = [*(part.summary for part in report.bundles), report.summary]
    if fmt == "xlsx":
        return savings_workbook(cases, summaries, report.bundle_names, created=ctx.clock().replace(tzinfo=None))
    names = report.bundle_names
    return cases_csv(cases, names) if rows == "cases" else summaries_csv(summaries, names)


def savings_chart(ctx: ServiceContext, name: str, query: ReportQuery) -> str:
    """One of :data:`CHARTS` as SVG, for one bundle or (without ``bundle``) for all of them."""
    if name not in CHARTS:
        raise NotFound(f"no chart {name!r}; charts: {', '.join(CHARTS)}",
                       f"没有图表 {name}，可选：{'、'.join(CHARTS)}")
    report = savings_report(ctx, query)
    # With a bundle the report covers that bundle alone, so its overall summary is the bundle's.
    summary = report.summary
    label = report.bundle_names[query.bundle] if query.bundle is not None else ALL_BUNDLES_LABEL
    if name == "before_after":
        return before_after_chart(label, summary)
    if name == "targets":
        return targets_chart(f"{label}：成效与公布目标对比", compare_with_targets(summary))
    return time_histogram_chart(f"{label}：受理至出件时间分布", summary)
