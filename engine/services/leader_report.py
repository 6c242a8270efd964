"""The leaders' report (issue 28): for a period, the figures overall and per service point, bundle
or department (engine/domain/leader_figures.py), their trend by week and by month, named for people
to read; exported as XLSX and drawn as the monthly report (月报) in PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from engine.documents.notice_pdf import NoticeFontMissing, find_cjk_font
from engine.documents.report_pdf import ReportSection, render_report
from engine.domain.clocks import SHANGHAI, shanghai_day
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.leader_export import table, trend_chart, workbook
from engine.domain.leader_figures import GROUPINGS, Figures, OrderRow, PeriodCounts, period_figures, period_trend
from engine.services.accounts import known_departments
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of
from engine.services.transactions import read_on_replica
from engine.services.unit_of_work import UnitOfWork

MAX_DAYS = 400
GROUP_NAMES = {"bundle": "一件事", "point": "服务点", "department": "部门"}


@dataclass(frozen=True)
class LeaderReport:
    since: date
    until: date
    overall: Figures
    groups: dict[str, list[tuple[str, str, Figures]]]
    """Per grouping (bundle, point, department): code, name, figures; busiest first."""
    weeks: list[tuple[str, Figures]]
    months: list[tuple[str, Figures]]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def period(ctx: ServiceContext, since: date | None, until: date | None) -> tuple[date, date]:
    """The period asked for, by default the quarter so far; refused backwards or over ``MAX_DAYS``."""
    today = shanghai_day(ctx.clock())
    until = until or today
    since = since or date(until.year, (until.month - 1) // 3 * 3 + 1, 1)
    if since > until:
        raise InvalidInput("from must not be later than to", "起始日期不能晚于截止日期",
                           {"from": ["不能晚于截止日期"], "to": ["不能早于起始日期"]})
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", f"统计期间最长 {MAX_DAYS} 天",
                           {"from": ["请缩短统计期间"]})
    return since, until


def leader_report(ctx: ServiceContext, since: date | None = None, until: date | None = None) -> LeaderReport:
    since, until = period(ctx, since, until)
    start, before = _midnight(since), _midnight(until + timedelta(days=1))
    today = shanghai_day(ctx.clock())

    def read(uow: UnitOfWork) -> tuple[PeriodCounts, list[OrderRow], dict[str, dict[str, str]]]:
        names = {"bundle": {row.code: str(row.definition.get("name") or row.code) for row in uow.flows.bundles()},
                 "point": {code: p.name for code, p in points_of(uow).items()},
                 "department": known_departments(uow)}
        return uow.leader_stats.period_counts(since, until), uow.leader_stats.orders(start, before), names

    counts, orders, names = read_on_replica(ctx, read)  # a report: a few seconds stale will do
    names["point"][""] = "未记录服务点"
    groups = {}
    for group in GROUPINGS:
        if group == "all":
            continue
        found = period_figures(counts, orders, since, until, today, group)
        groups[group] = sorted(((code, names[group].get(code, code), f) for code, f in found.items()),
                               key=lambda row: (-row[2].accepted, -row[2].closed, row[0]))
    overall = period_figures(counts, orders, since, until, today).get("all", Figures())
    return LeaderReport(since, until, overall, groups, period_trend(counts, orders, since, until, today, "week"),
                        period_trend(counts, orders, since, until, today, "month"))


def _rows(report: LeaderReport, group: str) -> list[tuple[str, Figures]]:
    return [(name, f) for _, name, f in report.groups.get(group, [])]


def _span(report: LeaderReport) -> str:
    return f"{report.since.isoformat()} 至 {report.until.isoformat()}"


def leader_workbook(ctx: ServiceContext, report: LeaderReport) -> bytes:
    """总体, 按一件事, 按服务点, 按部门, 按周, 按月: one sheet each."""
    sheets = [("总体", "范围", [("全部", report.overall)]),
              *((f"按{GROUP_NAMES[g]}", GROUP_NAMES[g], _rows(report, g)) for g in ("bundle", "point", "department")),
              ("按周", "周", report.weeks), ("按月", "月份", report.months)]
    return workbook(sheets, f"政务服务效能统计 {_span(report)}", created=ctx.clock().replace(tzinfo=None))


def leader_pdf(ctx: ServiceContext, report: LeaderReport) -> bytes:
    """The report for the period as the monthly report (月报): the figures and their trend."""
    overall = report.overall
    lines = [f"统计期间：{_span(report)}（北京时间）",
             f"受理 {overall.accepted} 件，办结 {overall.closed} 件，超期 {overall.overdue} 件；"
             f"诉求 {overall.complaints} 件，已办结 {overall.complaints_closed} 件。",
             "办结率 = 期间受理并已办结的件数 ÷ 期间受理件数；按时办结率 = 未超过承诺时限办结的件数 ÷ 办结件数；"
             "满意率 = 评价为基本满意及以上的件数 ÷ 评价件数（好差评）；诉求含投诉、办不成事和 12345 热线工单。"]
    sections = []
    for heading, first, rows in (("一、总体", "范围", [("全部", overall)]),
                                 *((f"{n}、按{GROUP_NAMES[g]}", GROUP_NAMES[g], _rows(report, g))
                                   for n, g in (("二", "bundle"), ("三", "point"), ("四", "department"))),
                                 ("五、按月趋势", "月份", report.months), ("六、按周趋势", "周", report.weeks)):
        header, body = table(first, rows)
        sections.append(ReportSection(heading, header, body))
    title = f"政务服务效能{'月报' if (report.until - report.since).days < 32 else '通报'}"
    try:
        return render_report(title, ctx.notices.centre, lines, sections, find_cjk_font(ctx.notices.font or None))
    except NoticeFontMissing as err:
        raise Conflict(str(err), f"无法生成报告：服务器缺少可用的中文字体（{err}）") from err


def leader_chart(report: LeaderReport, size: str) -> str:
    points = report.weeks if size == "week" else report.months
    return trend_chart(f"{_span(report)} 受理、办结与满意率（按{'周' if size == 'week' else '月'}）", points)
