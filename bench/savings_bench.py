"""Savings report benchmark: the aggregate report (四减一优 per bundle and overall, with its
distributions) over N closed cases, on SQLite and on PostgreSQL.

    python bench/savings_bench.py [--cases 100000] [--repeat 5] [--seed 1]
                                  [--pg-url postgresql://postgres@127.0.0.1:5432/bench] [--no-pg]

The closed cases are loaded in bulk (a case row and its savings with the departments it
concerns, figures drawn around each bundle's real baselines), not driven through the engine: what
is measured is the report, which reads ``case_savings`` and never the events. The PostgreSQL
database is wiped first (default: $BENCH_PG_URL, else the URL above). Prints, per query, the best
and the median of the repeats in milliseconds; the goal is under 1 s for the report. The per-case
CSV (every row) is timed once, for information.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from engine.bootstrap import OneThingEngine, Settings, build_engine  # noqa: E402
from engine.domain.catalogue import bundle_from_dict  # noqa: E402
from engine.domain.model import Bundle  # noqa: E402
from engine.domain.savings import CaseSavings, Figure, compute_baseline  # noqa: E402
from engine.persistence import tables as t  # noqa: E402
from engine.persistence.savings_store import StoredSavings  # noqa: E402
from engine.services.savings_reports import ReportQuery, export_savings, savings_chart, savings_report  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench"
BATCH = 5000
FIRST_DAY = datetime(2025, 1, 2, 1, 0, tzinfo=UTC)


def wipe_postgres(url: str) -> None:
    from engine.persistence.database import make_engine

    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def draw_savings(rng: random.Random, bundle: Bundle, number: str) -> tuple[CaseSavings, float, float]:
    """A closed case's figures around the bundle's real baselines, shaped like the simulation's."""
    base = compute_baseline(bundle)
    items = len(bundle.items)
    trips = rng.choices((0, 1, 2, 3, 4), (15, 25, 45, 12, 3))[0]
    steps = items + 2 + rng.choices((0, 2, 4), (85, 12, 3))[0]
    elapsed = rng.randint(0, max(1, int(base.time_days * 0.6)))
    paused = rng.choice((0, 0, 0, 1, 2)) if elapsed > 2 else 0
    materials = rng.randint(max(1, base.materials // 5), max(2, base.materials // 2))
    fields = rng.randint(max(1, base.fields // 5), max(2, base.fields // 2))
    asked = max(fields, 1) + rng.randint(0, 20)
    savings = CaseSavings(
        bundle.code, number, rng.choice(("window", "window", "online")), rng.choice(("window", "mail", "online")),
        trips=Figure(base.trips, trips), steps=Figure(base.steps, steps),
        time_days=Figure(base.time_days, elapsed - paused), materials=Figure(base.materials, materials),
        fields=Figure(base.fields, fields), fees=Figure(0, 0), fields_prefilled_share=(asked - fields) / asked,
        baseline_sources=base.sources)
    return savings, elapsed, paused


def load_cases(engine: OneThingEngine, count: int, seed: int) -> float:
    """Insert ``count`` closed cases and their savings; answers the seconds it took."""
    rng = random.Random(seed)
    started = time.perf_counter()
    with engine.db.begin() as conn:
        flows = {r.bundle_code: r.id for r in conn.execute(select(t.flow_versions.c.bundle_code, t.flow_versions.c.id))}
        bundles = [bundle_from_dict(r.definition) for r in conn.execute(select(t.bundles.c.definition))]
    first_id = 1
    for offset in range(0, count, BATCH):
        cases, stored = [], []
        for n in range(offset, min(offset + BATCH, count)):
            bundle = rng.choice(bundles)
            closed = FIRST_DAY + timedelta(minutes=rng.randint(0, 540 * 24 * 60))
            accepted = closed - timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600))
            number = f"{bundle.number_prefix}-{closed:%Y%m%d}-B{n:07d}"
            case_id = first_id + n
            cases.append({"id": case_id, "number": number, "bundle_code": bundle.code,
                          "flow_version_id": flows[bundle.code], "status": "closed", "applicant": {},
                          "channel": "window", "accepted_at": accepted, "accepted_by": "bench",
                          "closed_at": closed, "version": 1})
            savings, elapsed, paused = draw_savings(rng, bundle, number)
            departments = tuple(sorted({i.department for i in bundle.items}))
            stored.append(StoredSavings(case_id, accepted, closed, savings, elapsed, paused, departments))
        with engine.ctx.uow(True) as uow:
            uow.connection.execute(insert(t.cases), cases)
            uow.savings.add(*stored)
            uow.commit()
    with engine.db.begin() as conn:
        conn.execute(text("ANALYZE"))
        if engine.db.dialect.name == "postgresql":  # ids were given explicitly: move the sequence on
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
    return time.perf_counter() - started


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    call()  # warm caches (bundle definitions, statement compilation)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def run(url: str, cases: int, repeat: int, seed: int) -> dict[str, tuple[float, float]]:
    engine = build_engine(Settings(database_url=url, password_strength="fast", tick_seconds=0))  # noqa: S106
    try:
        loaded = load_cases(engine, cases, seed)
        print(f"  {engine.db.dialect.name}: {cases} closed cases loaded in {loaded:.1f} s", file=sys.stderr)
        ctx = engine.ctx
        span = ReportQuery(day_from=date(2025, 7, 1), day_to=date(2025, 12, 31))
        queries: dict[str, Callable[[], Any]] = {
            "report, all bundles": lambda: savings_report(ctx, ReportQuery()),
            "report, bundle=restaurant": lambda: savings_report(ctx, ReportQuery(bundle="restaurant")),
            "report, half a year": lambda: savings_report(ctx, span),
            "report, department=scjg": lambda: savings_report(ctx, ReportQuery(department="scjg")),
            "summary CSV": lambda: export_savings(ctx, ReportQuery(), "csv"),
            "chart time_distribution.svg": lambda: savings_chart(ctx, "time_distribution", ReportQuery()),
        }
        found = {name: measure(call, repeat) for name, call in queries.items()}
        found["per-case CSV (all rows, once)"] = measure(lambda: export_savings(ctx, ReportQuery(), "csv", "cases"), 1)
        count = savings_report(ctx, ReportQuery()).summary.count
        assert count == cases, (count, cases)
        return found
    finally:
        engine.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()

    results: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{Path(tmp) / 'savings-bench.sqlite3'}", args.cases, args.repeat, args.seed)
    if not args.no_pg:
        wipe_postgres(args.pg_url)
        results["postgresql"] = run(args.pg_url, args.cases, args.repeat, args.seed)

    backends = list(results)
    print(f"savings report over {args.cases} closed cases: best / median of {args.repeat} runs, ms")
    print(f"{'query':34}" + "".join(f"{b:>22}" for b in backends))
    for name in results["sqlite"]:
        cells = "".join(f"{results[b][name][0]:>11.0f} / {results[b][name][1]:>7.0f}" for b in backends)
        print(f"{name:34}{cells}")


if __name__ == "__main__":
    main()
