"""``onething generate``: a PostgreSQL database filled with realistic cases for the scale benchmarks —
real cases first (the simulation, through the engine, on the empty database: every bundle, every
status), then copies of them written in bulk (COPY) with their own numbers, applicants and event
chains, their times spread over the weeks before (``engine.persistence.case_copies``)."""

from __future__ import annotations

import argparse
import random
import sys
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from api.simulate_command import progress_bar
from engine.bootstrap import Settings, build_engine
from engine.domain.clocks import SHANGHAI
from engine.persistence.case_generation import generate
from engine.services.report_days import reseal_report_days
from engine.services.simulation import SimulationClock, SimulationPlan, simulate
from engine.services.simulation_people import new_applicant


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    gen = sub.add_parser("generate", help="fill a PostgreSQL database with N realistic cases for the scale "
                                          "benchmarks: simulated templates, then bulk copies (COPY)")
    gen.add_argument("--cases", type=int, required=True, help="how many cases to add")
    gen.add_argument("--database-url", default=None, help="PostgreSQL (default: DATABASE_URL)")
    gen.add_argument("--templates", type=int, default=440,
                     help="real cases simulated first when the database holds none, and the first so many "
                          "cases copied (default 440: 20 a bundle)")
    gen.add_argument("--weeks", type=int, default=156, help="spread the copies over this many weeks (default 3 years)")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--workers", type=int, default=2, help="processes writing copies (default 2)")


def _person(rng: random.Random) -> dict[str, Any]:
    someone = new_applicant(rng)
    return {"name": someone.name, "id_number": someone.id_number, "phone": someone.phone,
            "address": someone.address, "entity_name": someone.entity_name, "credit_code": someone.credit_code}


def run_generate(args: argparse.Namespace) -> int:
    if args.cases < 1 or args.templates < 1 or args.workers < 1:
        print("onething generate: --cases, --templates and --workers must be positive", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if args.database_url:
        settings.database_url = args.database_url
    if not settings.database_url.startswith("postgresql"):
        print("onething generate: COPY needs PostgreSQL (--database-url postgresql://…)", file=sys.stderr)
        return 2
    start = date.today() - timedelta(days=120)
    clock = SimulationClock(datetime.combine(start, time(18), SHANGHAI))
    settings.clock, settings.demo_users, settings.tick_seconds, settings.production = clock, False, 0, False
    settings.replica_url = ""  # it writes into --database-url, which the configured replica need not follow
    engine = build_engine(settings)
    try:
        with engine.ctx.uow(False) as uow:
            empty = uow.reads.case_heads() == {}
        if empty:
            began = timer.monotonic()
            # The last arrivals are left where they stand: templates in every status, as a live database.
            arriving = max(5, -(-args.templates // 40)) * 7 // 5  # calendar days of arrivals, ~40 a working day
            stop = start + timedelta(days=arriving + 7)
            plan = SimulationPlan(cases=args.templates, seed=args.seed, stop_after=stop)
            result = simulate(engine.ctx, clock, plan, lambda done, total: None)
            print(f"模板：模拟 {result.started} 件，其中办结 {result.closed}、终止 {result.terminated}，其余在办"
                  f"（{timer.monotonic() - began:.0f} 秒）", file=sys.stderr)
        done = generate(engine.db, settings.audit_key.encode(), args.cases, _person, args.weeks, args.seed,
                        progress=progress_bar(sys.stderr, label="件已写入"), workers=args.workers,
                        templates_limit=args.templates)
        print(file=sys.stderr)
        began, clock.now = timer.monotonic(), datetime.now(UTC)  # the copies are in the past: sum their days again
        sealed = reseal_report_days(engine.ctx)
        print(f"报表按日汇总：{max(sealed.values(), default=0)} 天（{timer.monotonic() - began:.0f} 秒）",
              file=sys.stderr)
        print(f"generated {done.cases} cases ({done.rows} rows) in {done.seconds:.1f} s, "
              f"{done.cases / done.seconds:.0f} cases/s; the database now holds {done.total_cases} cases; "
              f"case tables {done.case_bytes / 1e6:.1f} MB, {done.case_bytes / done.total_cases / 1024:.1f} KB a case")
        return 0
    finally:
        engine.db.dispose()
