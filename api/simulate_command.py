"""``onething simulate``: realistic cases through the engine on a fresh database, with a progress
bar on stderr, then the savings table (四减一优) per bundle and overall beside the published targets."""

from __future__ import annotations

import argparse
import sys
import time as timer
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from engine.bootstrap import ROOT, Settings, build_engine
from engine.domain.clocks import SHANGHAI
from engine.domain.leader_export import table
from engine.domain.savings_table import (
    PublishedReduction,
    render_savings_table,
    render_text_table,
    render_trips_by_channel,
)
from engine.services.leader_report import LeaderReport, leader_report
from engine.services.point_report import PointReport, point_report
from engine.services.savings_reports import ReportQuery, published_figures, savings_report, trips_by_channel
from engine.services.simulation import SimulationClock, SimulationPlan, SimulationResult, simulate

DEFAULT_DATABASE = ROOT / "instance" / "simulation.sqlite3"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sim = sub.add_parser("simulate", help="drive realistic cases through the engine on a fresh database and "
                                          "print the savings table (四减一优) beside the published targets")
    sim.add_argument("--bundles", default="all", help="all (default), or bundle codes separated by commas")
    sim.add_argument("--cases", type=int, default=2000)
    sim.add_argument("--seed", type=int, default=1, help="the same seed gives the same cases")
    sim.add_argument("--start", type=date.fromisoformat, default=date(2026, 3, 2),
                     help="the first day cases arrive, YYYY-MM-DD (the next working day if it is not one)")
    sim.add_argument("--database-url", default=None,
                     help=f"default: a fresh SQLite file, {DEFAULT_DATABASE} (replaced at each run); "
                          "any other database must hold no cases yet")


def progress_bar(stream: TextIO, width: int = 30, label: str = "件办结或终止") -> Callable[[int, int], None]:
    """Plain text, redrawn in place at most five times a second."""
    started = timer.monotonic()
    shown = [0.0]

    def show(done: int, total: int) -> None:
        now = timer.monotonic()
        if done < total and now - shown[0] < 0.2:
            return
        shown[0] = now
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}  {now - started:.0f} s")
        stream.flush()

    return show


def fresh_sqlite(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _summary_line(result: SimulationResult, plan: SimulationPlan, seconds: float) -> str:
    return (f"模拟 {result.started} 件（seed {plan.seed}），{result.first_day}–{result.last_day}："
            f"办结 {result.closed}，终止 {result.terminated}（容缺材料逾期未补齐）；网上申请 {result.online}"
            f"（网上预审退回后重新提交 {result.returned}），"
            f"再次申请（持有电子证照）{result.repeat_applicants}，容缺受理 {result.tolerated}，"
            f"补正 {result.corrections}，不予许可 {result.rejections}，特别程序暂停计时 {result.pauses}，"
            f"现场核查 {result.inspections}（不合格 {result.inspections_failed}），"
            f"投诉和 12345 工单 {result.work_orders}；"
            f"用时 {seconds:.0f} 秒")


def render_points(report: PointReport) -> str:
    """The cases each service point accepted and closed, and their trips, indented by level."""
    header = ["服务点", "受理", "其中上门", "办结", "跑动（次）"]
    body = [["　" * r.depth + r.name, str(r.accepted), str(r.home_visits), str(r.closed),
             "—" if r.trips_actual is None else f"{r.trips_baseline:.1f}→{r.trips_actual:.2f}"]
            for r in report.points]
    return render_text_table(header, body)


def render_leaders(report: LeaderReport) -> str:
    """The leaders' figures of the simulated period: overall, per bundle and by month."""
    header, body = table("一件事", [("全部", report.overall), *((n, f) for _, n, f in report.groups["bundle"])])
    parts = [f"\n领导看板（{report.since}–{report.until}；办结率、按时办结率、满意率、诉求）：\n",
             render_text_table(list(header), [list(row) for row in body])]
    for title, first, rows in (("按服务点", "服务点", [(n, f) for _, n, f in report.groups["point"]]),
                               ("按部门", "部门", [(n, f) for _, n, f in report.groups["department"]]),
                               ("按月", "月份", report.months)):
        head, lines = table(first, rows)
        parts += [f"\n{title}：\n", render_text_table(list(head), [list(row) for row in lines])]
    return "".join(parts)


def run_simulate(args: argparse.Namespace) -> int:
    url = args.database_url or fresh_sqlite(DEFAULT_DATABASE)
    clock = SimulationClock(datetime.combine(args.start - timedelta(days=1), time(18), SHANGHAI))
    settings = Settings.from_env()
    settings.database_url, settings.clock, settings.demo_users = url, clock, False
    settings.tick_seconds, settings.production = 0, False
    settings.replica_url = ""  # its report is of the cases it has just written: read from the primary
    bundles = None if args.bundles == "all" else tuple(b.strip() for b in args.bundles.split(",") if b.strip())
    plan = SimulationPlan(cases=args.cases, seed=args.seed, bundles=bundles)
    engine = build_engine(settings)
    try:
        started = timer.monotonic()
        try:
            result = simulate(engine.ctx, clock, plan, progress_bar(sys.stderr))
        except ValueError as err:
            print(f"onething simulate: {err}", file=sys.stderr)
            return 2
        print(file=sys.stderr)
        report = savings_report(engine.ctx, ReportQuery())
        published: dict[str, list[PublishedReduction]] = {
            part.bundle.code: [(f["figure"], float(f["reduction"]), str(f["place"]))
                               for f in published_figures(part.bundle) if f["reduction"] is not None]
            for part in report.bundles}
        print(_summary_line(result, plan, timer.monotonic() - started))
        print(f"数据库：{url}\n")
        print(render_savings_table([*(p.summary for p in report.bundles), report.summary], report.bundle_names,
                                   published), end="")
        print("\n按受理渠道和出件方式的跑动次数（单独办理的平均数→一件事办理的平均数）：")
        print(render_trips_by_channel(trips_by_channel(engine.ctx, ReportQuery())), end="")
        print("\n按服务点（受理的服务点；跑动为单独办理的平均数→一件事办理的平均数）：")
        print(render_points(point_report(engine.ctx, result.first_day, result.last_day, None)), end="")
        print(render_leaders(leader_report(engine.ctx, result.first_day, result.last_day)), end="")
        return 0
    finally:
        engine.db.dispose()
