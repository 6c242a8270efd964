"""The leaders' figures (issue 28) over HTTP: per period, overall and per bundle, service point and
department, with the trend by week and month; as XLSX, as the monthly report in PDF, and as a chart."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.cases import ctx
from api.reports import XLSX_TYPE, day_arg, download
from engine.domain.leader_figures import Figures
from engine.services.leader_report import GROUP_NAMES, leader_chart, leader_pdf, leader_report, leader_workbook

blp = Blueprint("leader_reports", __name__, url_prefix="/api/reports",
                description="领导看板：办结率、按时办结率、满意率、诉求及其办结时长，按服务点、一件事、部门和周、月")


class PeriodSchema(Schema):
    day_from = fields.String(data_key="from", metadata={"description": "起始日期（含），YYYY-MM-DD；默认本季度首日"})
    day_to = fields.String(data_key="to", metadata={"description": "截止日期（含），YYYY-MM-DD；默认今天"})


class ChartSchema(PeriodSchema):
    size = fields.String(load_default="month", validate=validate.OneOf(["week", "month"]))


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figures_view(f: Figures) -> dict[str, Any]:
    days = f.median_resolution_days
    return {"accepted": f.accepted, "accepted_closed": f.accepted_closed, "closed": f.closed,
            "completion_rate": _share(f.completion_rate),
            "on_time": f.on_time, "overdue": f.overdue, "on_time_rate": _share(f.on_time_rate),
            "ratings": f.ratings, "satisfied": f.satisfied, "satisfaction_rate": _share(f.satisfaction_rate),
            "complaints": f.complaints, "complaints_closed": f.complaints_closed, "escalated": f.escalated,
            "median_resolution_days": None if days is None else round(days, 2)}


def _report(args: dict[str, Any]) -> Any:
    return leader_report(ctx(), day_arg(args, "day_from", "from"), day_arg(args, "day_to", "to"))


@blp.route("/leaders")
class LeaderReport(MethodView):
    @blp.arguments(PeriodSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The period's figures overall, per bundle, service point and department, and by week and month"""
        report = _report(args)
        return {"from": report.since.isoformat(), "to": report.until.isoformat(),
                "overall": figures_view(report.overall),
                "groups": {group: [{"code": code, "name": name, **figures_view(f)} for code, name, f in rows]
                           for group, rows in report.groups.items()},
                "group_names": GROUP_NAMES,
                "weeks": [{"week": label, **figures_view(f)} for label, f in report.weeks],
                "months": [{"month": label, **figures_view(f)} for label, f in report.months]}


@blp.route("/leaders.xlsx")
class LeaderWorkbook(MethodView):
    @blp.arguments(PeriodSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Response:
        """The figures as an XLSX workbook: 总体, 按一件事, 按服务点, 按部门, 按周, 按月"""
        report = _report(args)
        return download(leader_workbook(ctx(), report), XLSX_TYPE, f"leaders-{report.since}-{report.until}.xlsx",
                        f"政务服务效能统计_{report.since}_{report.until}.xlsx")


@blp.route("/leaders.pdf")
class LeaderPdf(MethodView):
    @blp.arguments(PeriodSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Response:
        """The monthly report (月报; a longer period: 通报) as PDF"""
        report = _report(args)
        return download(leader_pdf(ctx(), report), "application/pdf", f"leaders-{report.since}-{report.until}.pdf",
                        f"政务服务效能月报_{report.since}_{report.until}.pdf")


@blp.route("/leaders/chart.svg")
class LeaderChart(MethodView):
    @blp.arguments(ChartSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Response:
        """Cases accepted and closed and the satisfaction rate, by week or month, as SVG"""
        return Response(leader_chart(_report(args), args["size"]), mimetype="image/svg+xml")
