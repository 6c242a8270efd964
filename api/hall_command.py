"""``onething simulate-hall``: one day of a service hall through the real queue on a fresh database
(applicants arriving, some booked, windows calling and serving), then the waiting times."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta

from api.simulate_command import DEFAULT_DATABASE, fresh_sqlite
from engine.bootstrap import Settings, build_engine
from engine.domain.clocks import SHANGHAI
from engine.services.hall_simulation import HallDay, simulate_hall_day
from engine.services.simulation import SimulationClock


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    hall = sub.add_parser("simulate-hall", help="one day of a service hall's queue on a fresh database: tickets, "
                                                "bookings, windows calling; prints the waiting times (p50, p95)")
    hall.add_argument("--point", default="xx_city", help="the service point's code (default xx_city)")
    hall.add_argument("--day", type=date.fromisoformat, default=date(2026, 3, 2), help="YYYY-MM-DD, a day it opens")
    hall.add_argument("--applicants", type=int, default=300)
    hall.add_argument("--booked-share", type=float, default=0.2)
    hall.add_argument("--service-minutes", type=float, default=9.0, help="mean minutes a window spends with one")
    hall.add_argument("--seed", type=int, default=1)
    hall.add_argument("--database-url", default=None,
                      help=f"default: a fresh SQLite file beside {DEFAULT_DATABASE.name} (replaced at each run)")


def run_hall(args: argparse.Namespace) -> int:
    url = args.database_url or fresh_sqlite(DEFAULT_DATABASE.with_name("hall.sqlite3"))
    clock = SimulationClock(datetime.combine(args.day - timedelta(days=1), time(18), SHANGHAI))
    settings = Settings.from_env()
    settings.database_url, settings.clock, settings.demo_users = url, clock, False
    settings.tick_seconds, settings.production = 0, False
    settings.replica_url = ""  # it reads what it has just written: the primary's
    engine = build_engine(settings)
    try:
        def set_clock(moment: datetime) -> None:
            clock.now = moment

        try:
            result = simulate_hall_day(engine.ctx, set_clock, HallDay(args.point, args.day, args.applicants,
                                                                      args.booked_share, args.service_minutes,
                                                                      args.seed))
        except ValueError as err:
            print(f"onething simulate-hall: {err}", file=sys.stderr)
            return 2
        w = result.waiting

        def minutes(value: float | None) -> str:
            return "—" if value is None else f"{value:.1f} 分钟"

        print(f"{args.point} {args.day}：取号 {w.tickets}（预约 {result.booked}），叫号 {w.called}；"
              f"等候时长（取号到叫号）中位数 {minutes(w.p50_minutes)}，95% 分位 {minutes(w.p95_minutes)}")
        return 0
    finally:
        engine.db.dispose()
