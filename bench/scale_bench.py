"""Read paths at scale (issue 30): each path's latency through the API on a PostgreSQL database that
``onething generate`` filled, as the people who use them ask.

    python bench/scale_bench.py --database-url postgresql://postgres@127.0.0.1:5432/scale [--repeat 20]

Runs the app in process (Flask's test client: no HTTP, so the figures are the engine's and the
database's), signs in the demo users (seeded if missing), warms each path once, then times it
``--repeat`` times and prints p50/p95/max in milliseconds beside the issue's target, with the case
count. The paths: a department's inbox, a window's page, case search (number, name, ID, phone, date
range, status, bundle, service point), a reviewer's and a supervisor's case list and a deep page of
closed cases, the supervision board and the warning queue, the savings and leaders' reports (one
bundle and a quarter; everything), audit verification of one case's chain and, once a sound verification
recorded where the log stood (`onething audit-verify`, which reads every chain), the nightly incremental
run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from api import create_app  # noqa: E402
from engine.bootstrap import Settings, build_engine  # noqa: E402
from engine.domain.hall import percentile  # noqa: E402
from engine.services.accounts import DEMO_PASSWORD  # noqa: E402
from engine.services.case_search import page_mark  # noqa: E402

TARGETS = {"inbox": 50, "window": 50, "search": 50, "list": 50, "board": 100, "warnings": 100, "overdue": 100,
           "report-one": 1000, "report-all": 3000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = Settings.from_env()
    settings.database_url, settings.demo_users, settings.tick_seconds = args.database_url, True, 0
    settings.password_strength = "fast"  # noqa: S105 - the hashing cost of the demo users' passwords
    engine = build_engine(settings)
    client = create_app({"ENGINE": engine}).test_client()

    def headers(login: str) -> dict[str, str]:
        answer = client.post("/api/auth/login", json={"login": login, "password": DEMO_PASSWORD})
        if answer.status_code != 200:
            raise SystemExit(f"cannot sign in as {login}: {answer.json}")
        return {"Authorization": f"Bearer {answer.json['token']}"}

    reviewer, clerk, supervisor, admin = (headers(u) for u in ("scjg.reviewer", "clerk", "supervisor", "admin"))
    with engine.db.connect() as conn:
        cases = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        sample = conn.execute(text("SELECT number, applicant->>'name', applicant->>'id_number', applicant->>'phone', "
                                   "bundle_code, accepted_at FROM cases ORDER BY id DESC LIMIT 1")).one()
        oldest = conn.execute(text("SELECT min(accepted_at) FROM cases")).scalar_one()
        marked = conn.execute(text("SELECT count(*) FROM audit_marks")).scalar_one() > 0
        deep_row = conn.execute(text("SELECT accepted_at, id FROM cases WHERE status = 'closed' "
                                     "ORDER BY accepted_at DESC, id DESC OFFSET :n LIMIT 1"),
                                {"n": max(0, int(cases * 0.6))}).first()
    number, name, id_number, phone, bundle, accepted = sample
    day = accepted.date()
    quarter = f"from={day - timedelta(days=90)}&to={day}"
    years = f"from={oldest.date()}&to={day}"
    year = f"from={day - timedelta(days=365)}&to={day}"
    deep = page_mark("accepted_at", True, tuple(deep_row)) if deep_row else ""
    paths: list[tuple[str, str, str, dict[str, str]]] = [
        ("inbox", "部门收件箱", "/api/tasks?department=scjg&state=open", reviewer),
        ("inbox", "部门收件箱（按到期日）", "/api/tasks?department=scjg&state=open&sort=due", reviewer),
        ("window", "窗口页：本服务点的任务", "/api/tasks?service_point=xx_city&state=open", clerk),
        ("search", "办件编号", f"/api/cases/{number}", clerk),
        ("search", "按编号前缀查询", f"/api/cases?q={number[:12]}", clerk),
        ("search", "按姓名查询", f"/api/cases?q={name}", clerk),
        ("search", "按身份证号查询", f"/api/cases?q={id_number}", clerk),
        ("search", "按电话查询", f"/api/cases?q={phone}", clerk),
        ("search", "按受理日期范围", f"/api/cases?from={day - timedelta(days=7)}&to={day}", clerk),
        ("search", "按状态与一件事", f"/api/cases?status=in_review&bundle={bundle}", clerk),
        ("search", "按服务点", "/api/cases?service_point=hongqi", supervisor),
        ("list", "审批人员的办件列表", "/api/cases", reviewer),
        ("list", "全部办件", "/api/cases", supervisor),
        ("list", "已办结办件第 200 页", "/api/cases?status=closed&page=200", supervisor),
        ("list", f"已办结办件深页（第 {int(cases * 0.6):,} 件后）", f"/api/cases?status=closed&after={deep}",
         supervisor),
        ("list", "一件事的已办结办件", f"/api/cases?status=closed&bundle={bundle}", supervisor),
        ("board", "督查看板（各部门）", "/api/supervision/departments", supervisor),
        ("warnings", "预警队列", "/api/supervision/warnings", supervisor),
        ("overdue", "超期任务（督查）", "/api/tasks?colour=red&state=open", supervisor),
        ("report-one", "成效报告：一件事一季度", f"/api/reports/savings?bundle={bundle}&{quarter}", supervisor),
        ("report-one", "成效报告：一季度按部门", f"/api/reports/savings?department=scjg&{quarter}", supervisor),
        ("report-one", "成效报告：一季度按服务点", f"/api/reports/savings?service_point=hongqi&{quarter}", supervisor),
        ("report-all", "成效报告：全部三年", f"/api/reports/savings?{years}", supervisor),
        ("report-all", "成效报告：一部门三年", f"/api/reports/savings?department=scjg&{years}", supervisor),
        ("report-one", "领导看板：一季度", f"/api/reports/leaders?{quarter}", supervisor),
        ("report-all", "领导看板：一年（最长 400 天）", f"/api/reports/leaders?{year}", supervisor),
        ("audit", "审计核验：一件办件", f"/api/audit/verify?case={number}", admin),
    ]
    if marked:  # the nightly run after a sound one; the first run reads every chain (`onething audit-verify`)
        paths.append(("audit", "审计核验：增量（无增长）", "/api/audit/verify?incremental=true", admin))
    print(f"{cases} cases in {args.database_url.rsplit('/', 1)[-1]}; {args.repeat} runs each after one warm-up\n")
    print(f"{'path':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>8}")
    for kind, label, path, who in paths:
        timings = run(lambda path=path, who=who: client.get(path, headers=who), args.repeat)
        target = TARGETS.get(kind)
        p50, p95 = percentile(timings, 0.5) or 0.0, percentile(timings, 0.95) or 0.0
        print(f"{label:<24}{p50:>12.1f} {p95:>8.1f} "
              f"{max(timings):>8.1f} {('< ' + str(target)) if target else '':>8}")
    engine.db.dispose()
    return 0


def run(call: Callable[[], Any], repeat: int) -> list[float]:
    first = call()
    if first.status_code != 200:
        raise SystemExit(f"{first.request.path}: {first.status_code} {str(first.json)[:200]}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


if __name__ == "__main__":
    sys.exit(main())
