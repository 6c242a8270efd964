"""Savings (四减一优): one closed case's figures, and the reports over many cases with their CSV and
XLSX exports and SVG charts."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_principal
from api.cases import ctx
from engine.domain.errors import InvalidInput
from engine.domain.savings import FIGURE_LABELS, FOUR_FIGURES, rounded, rounded_share
from engine.domain.savings_summary import TARGETS_SOURCE, SavingsSummary, TargetCheck
from engine.domain.savings_totals import ScopeTotals, distribution
from engine.services.point_report import level_name, point_report
from engine.services.savings_reports import (
    CHARTS,
    EXPORT_ROWS,
    CaseSavingsView,
    ReportQuery,
    SavingsReport,
    export_savings,
    get_case_savings,
    published_figures,
    savings_chart,
    savings_report,
)

case_blp = Blueprint("case_savings", __name__, url_prefix="/api/cases",
                     description="办件成效：减跑动、减环节、减时间、减材料、表单免填写（四减一优）")
blp = Blueprint("reports", __name__, url_prefix="/api/reports",
                description="成效统计（四减一优）：按一件事与总体的报表、CSV/XLSX 导出与图表")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportArgsSchema(Schema):
    bundle = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "一件事编码"})
    day_from = fields.String(data_key="from", metadata={"description": "办结日期起（含），YYYY-MM-DD，北京时间"})
    day_to = fields.String(data_key="to", metadata={"description": "办结日期止（含），YYYY-MM-DD，北京时间"})
    department = fields.String(validate=validate.Length(min=1, max=32),
                               metadata={"description": "部门代码：只统计有该部门事项的办件"})
    service_point = fields.String(validate=validate.Length(min=1, max=32),
                                  metadata={"description": "服务点编码：只统计在该服务点（含下级服务点）受理的办件"})
    level = fields.String(validate=validate.OneOf(["city", "county", "township", "village"]),
                          metadata={"description": "层级：只统计在该层级服务点受理的办件"})


class CsvArgsSchema(ReportArgsSchema):
    rows = fields.String(load_default="summary", validate=validate.OneOf(EXPORT_ROWS),
                         metadata={"description": "summary 按一件事汇总（默认）/ cases 办件明细"})


def day_arg(args: dict[str, Any], key: str, name: str) -> date | None:
    text = args.get(key)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD), not {text!r}",
                           f"日期格式有误：{text}（应为 YYYY-MM-DD，如 2026-09-01）",
                           {name: ["日期格式应为 YYYY-MM-DD"]}) from None


def _query(args: dict[str, Any]) -> ReportQuery:
    return ReportQuery(bundle=args.get("bundle"), day_from=day_arg(args, "day_from", "from"),
                       day_to=day_arg(args, "day_to", "to"), department=args.get("department"),
                       service_point=args.get("service_point"), level=args.get("level"))


def case_savings_view(view: CaseSavingsView) -> dict[str, Any]:
    stored, savings = view.stored, view.stored.savings
    data = savings.to_dict()
    for name, figure in data["figures"].items():
        figure["label"] = FIGURE_LABELS[name]
    for entry in data["prefill_fields"] or ():
        entry["label"] = view.field_labels.get(entry["key"], entry["key"])
    return {
        "case_id": view.case.id, "bundle_name": view.bundle.name, **data,
        "accepted_at": stored.accepted_at.isoformat(), "closed_at": stored.closed_at.isoformat(),
        "time": {"elapsed_days": rounded(stored.elapsed_days), "paused_days": rounded(stored.paused_days)},
        "published": published_figures(view.bundle),
    }


def _targets(checks: tuple[TargetCheck, ...]) -> list[dict[str, Any]]:
    return [{"figure": c.figure, "label": c.label, "target": c.target, "achieved": rounded_share(c.achieved),
             "met": c.met} for c in checks]


def _scope(summary: SavingsSummary, totals: ScopeTotals, checks: tuple[TargetCheck, ...]) -> dict[str, Any]:
    return {
        **summary.to_dict(), "targets": _targets(checks),
        "distributions": {name: [{"value": rounded(v), "count": n} for v, n in distribution(totals, name)]
                          for name in FOUR_FIGURES},
    }


def report_view(report: SavingsReport) -> dict[str, Any]:
    query = report.query
    return {
        "filters": {"bundle": query.bundle, "department": query.department, "service_point": query.service_point,
                    "level": query.level,
                    "from": query.day_from.isoformat() if query.day_from else None,
                    "to": query.day_to.isoformat() if query.day_to else None},
        "count": report.summary.count,
        "overall": _scope(report.summary, report.totals, report.targets),
        "bundles": [{"code": part.bundle.code, "name": part.bundle.name,
                     **_scope(part.summary, part.totals, part.targets),
                     "published": published_figures(part.bundle)} for part in report.bundles],
        "figure_labels": dict(FIGURE_LABELS),
        "targets_source": TARGETS_SOURCE,
    }


_CSV_ROWS_ZH = {"summary": "汇总", "cases": "办件明细"}


def download(data: bytes, mimetype: str, filename: str, filename_zh: str) -> Response:
    """Saved under its Chinese name (RFC 6266 / RFC 5987 ``filename*``); the ASCII ``filename`` is
    for clients that read only that."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = \
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename_zh, safe='')}"
    return response


@case_blp.route("/<string:ref>/savings")
class CaseSavings(MethodView):
    @case_blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """A closed case's savings: baseline (the items done separately) against actual, per figure"""
        return case_savings_view(get_case_savings(ctx(), ref, current_principal()))


@blp.route("/savings")
class SavingsReportView(MethodView):
    @blp.arguments(ReportArgsSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Means of the figures and of their reductions, counts and distributions, per bundle and overall"""
        return report_view(savings_report(ctx(), _query(args)))


@blp.route("/savings.csv")
class SavingsCsv(MethodView):
    @blp.arguments(CsvArgsSchema(), location="query")
    @blp.response(200, content_type="text/csv", description="UTF-8 with a byte-order mark")
    def get(self, args: dict[str, Any]) -> Response:
        """The report as CSV: one row per bundle and one for all (rows=summary), or one per case (rows=cases)"""
        data = export_savings(ctx(), _query(args), "csv", args["rows"])
        return download(data, "text/csv", f"savings-{args['rows']}.csv",
                         f"成效统计-{_CSV_ROWS_ZH.get(args['rows'], '汇总')}.csv")


@blp.route("/savings.xlsx")
class SavingsXlsx(MethodView):
    @blp.arguments(ReportArgsSchema(), location="query")
    @blp.response(200, content_type=XLSX_TYPE)
    def get(self, args: dict[str, Any]) -> Response:
        """The report as an XLSX workbook: sheets 汇总 (per bundle and all) and 办件明细 (per case)"""
        return download(export_savings(ctx(), _query(args), "xlsx"), XLSX_TYPE, "savings.xlsx", "成效统计.xlsx")


@blp.route("/savings/charts/<string:name>.svg")
class SavingsChart(MethodView):
    @blp.arguments(ReportArgsSchema(), location="query")
    @blp.response(200, content_type="image/svg+xml",
                  description=f"charts: {', '.join(CHARTS)} (before/after bars, reductions against the "
                              "published targets, distribution of the time to result)")
    def get(self, args: dict[str, Any], name: str) -> Response:
        """A chart of the report as SVG, for one bundle (bundle=) or for all"""
        return Response(savings_chart(ctx(), name, _query(args)), mimetype="image/svg+xml")


class PointReportArgsSchema(Schema):
    bundle = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "一件事编码"})
    day_from = fields.String(data_key="from",
                             metadata={"description": "起始日期（含），YYYY-MM-DD，北京时间；默认截止日前 29 天"})
    day_to = fields.String(data_key="to", metadata={"description": "截止日期（含），YYYY-MM-DD，北京时间；默认今天"})


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _mean(value: float | None) -> int | float | None:
    return None if value is None else rounded(value)


@blp.route("/service-points")
class ServicePointReport(MethodView):
    @blp.arguments(PointReportArgsSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Per service point: cases accepted (at the hall, at home, by agents) and closed with their trips, and
        the hall's waiting times (ticket to call, call to acceptance); each hall agent's cases"""
        report = point_report(ctx(), day_arg(args, "day_from", "from"), day_arg(args, "day_to", "to"),
                              args.get("bundle"))
        return {
            "from": report.day_from.isoformat(), "to": report.day_to.isoformat(), "bundle": report.bundle,
            "points": [{"code": r.code, "name": r.name, "level": r.level, "level_name": level_name(r.level),
                        "depth": r.depth, "accepted": r.accepted, "home_visits": r.home_visits,
                        "by_agents": r.by_agents, "closed": r.closed, "trips_baseline": _mean(r.trips_baseline),
                        "trips_actual": _mean(r.trips_actual), "tickets": r.tickets, "called": r.called,
                        "wait_p50_minutes": _minutes(r.wait_p50_minutes),
                        "wait_p95_minutes": _minutes(r.wait_p95_minutes),
                        "to_acceptance_p50_minutes": _minutes(r.to_acceptance_p50_minutes)} for r in report.points],
            "agents": [{"agent": a.agent, "name": report.agent_names.get(a.agent), "point": a.point, "cases": a.cases}
                       for a in report.agents],
        }
