"""Engine benchmark: complete 开办餐饮店 cases (intake, five approvals, pickup) through the HTTP API,
beside the same flow in bare SpiffWorkflow with a serialize/deserialize round trip per task.

    python bench/engine_bench.py [--cases 300] [--pg-url postgresql://postgres@127.0.0.1:5432/bench]
                                 [--server-workers 2xCPU] [--server granian|gunicorn] [--worker-class sync]
                                 [--clients 16] [--round-cases 2] [--pgbouncer]

Runs:
  floor       bare SpiffWorkflow in memory, its own serializer (spec included) after every task
  sqlite      the engine through the Flask test client on a SQLite file (one thread); the floor and
              this run alternate, `--round-cases` at a time, so that both meet the same machine (a
              shared virtual machine's speed here swings twofold within seconds)
  pg-client   the engine through the Flask test client on PostgreSQL (one thread), if --pg-url
  pg-http     a real server on loopback (granian, or gunicorn with --server gunicorn), `--clients`
              concurrent client processes, if --pg-url: after one untimed case per client, whole
              cases one after another, then as many cases again in three phases that all clients
              pass together (every intake, then every approval, then every pickup), each timed on
              its own; `BENCH_SERVER_ARGS` (or `BENCH_GUNICORN_ARGS`) adds server options ("--threads=2")
  ... via pgbouncer  with --pgbouncer, pg-client and pg-http again, through PgBouncer in transaction
              mode (bench/pgbouncer.py) in front of the same server, prepared statements off
Prints cases/s, task completions/s (the five approvals and the pickup; in a phase, that phase's
own), p50/p95 request latency, peak memory (max RSS of the process that ran the engine), and
engine cost per case / floor cost; for pg-http also the CPU milliseconds per case of the server's
processes, PostgreSQL's, the bench's own clients, PgBouncer's (via pgbouncer) and the whole machine
(Linux /proc), since all of them share the same cores here.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from http_driver import HttpDriver
from http_server import server_command, wait_until_healthy
from pgbouncer import running_pgbouncer
from proc_stats import cpu_seconds, cpu_snapshot, max_rss_mb, server_rss_mb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The restaurant is an enterprise being founded: its declared name, no credit code (the business
# licence the case issues gives it one).
APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000", "entity_name": "小明面馆"}
DEPARTMENTS = ("scjg", "cg", "xf", "wj")
AFTER_LICENCE = ("cg", "xf")
"""The departments whose items (the sign, the fire inspection) open with the food permit once the
business licence is approved: the licence's reviewer (市场监管) is not shown their tasks."""


def log_in_demo_users(client: Any) -> dict[str, dict[str, str]]:
    """Bearer headers of the demo clerk and each department's demo reviewer (one login each)."""
    from engine.services.accounts import DEMO_PASSWORD

    headers = {}
    for who, login in [("window", "clerk"), *((d, f"{d}.reviewer") for d in DEPARTMENTS)]:
        answer = client.post("/api/auth/login", {"login": login, "password": DEMO_PASSWORD}, {})
        headers[who] = {"Authorization": f"Bearer {answer['token']}"}
    return headers


def summarize(name: str, cases: int, seconds: float, latencies: list[float], rss_mb: float) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "run": name, "cases": cases, "seconds": seconds,
        "cases_per_s": cases / seconds, "completions_per_s": cases * 6 / seconds,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0,
        "ms_per_case": seconds / cases * 1000, "peak_rss_mb": rss_mb,
    }


def run_floor(cases: int) -> dict[str, Any]:
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(ROOT / "bpmn" / "restaurant" / "flow.bpmn"))
    spec, subs = parser.get_spec("restaurant"), parser.get_subprocess_specs("restaurant")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    latencies = []
    started = time.perf_counter()
    for _ in range(cases):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        state = serializer.serialize_json(wf)
        while True:
            t0 = time.perf_counter()
            wf = serializer.deserialize_json(state)
            ready = [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            if not ready:
                break
            task = ready[0]
            item = task.task_spec.extensions.get("properties", {}).get("item")
            if item:
                task.data.setdefault("results", {})[item] = {"decision": "approve"}
            task.run()
            wf.refresh_timers()
            wf.do_engine_steps()
            state = serializer.serialize_json(wf)
            latencies.append(time.perf_counter() - t0)
    return {**summarize("floor", cases, time.perf_counter() - started, latencies, max_rss_mb()),
            "latencies": latencies}


def case_body(engine: Any) -> dict[str, Any]:
    """A complete application: the unified form with valid sample values (the applicant's own data
    where the form asks for it), every material handed over."""
    from engine.services.catalogue import get_bundle_catalogue
    from forms.samples import sample_values

    catalogue = get_bundle_catalogue(engine.ctx, "restaurant")
    form = sample_values(catalogue.form(), catalogue.subject.form_values(APPLICANT))
    return {"bundle": "restaurant", "applicant": APPLICANT, "form": form,
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries}}


class Applicants:
    """A new applicant for every case, as at a real window (one applicant for all would gather the
    e-licences of every case it closed, and make each intake read more of them): ``first`` keeps the
    bench's processes apart. Each gets a valid ID number; the restaurant has no credit code yet (its
    business licence's number will be one)."""

    def __init__(self, body: dict[str, Any], first: int = 0) -> None:
        self.body, self.next = body, first

    def __call__(self) -> dict[str, Any]:
        from forms.identifiers import resident_id_check_digit

        n, self.next = self.next, self.next + 1
        born = date(1960, 1, 1) + timedelta(days=n // 999 % 15000)
        person = f"110105{born:%Y%m%d}{n % 999 + 1:03d}"
        person += resident_id_check_digit(person)
        form = {**self.body["form"], "id_number": person, "food_safety_manager_id_number": person}
        return {**self.body, "applicant": {**self.body["applicant"], "id_number": person}, "form": form}


def start_case(client: Any, users: dict[str, dict[str, str]], latencies: list[float],
               applicants: Applicants) -> dict[str, Any]:
    """The window accepts a case of the next applicant; answers the case as the API shows it."""
    body = applicants()
    t0 = time.perf_counter()
    case = client.post("/api/cases", body, users["window"])
    latencies.append(time.perf_counter() - t0)
    return case  # type: ignore[no-any-return]


def licence_number(case: dict[str, Any], item: str) -> str:
    """What the department writes on the licence its item issues (each restaurant item issues one,
    bpmn/catalogue/licences.json): the business licence's number is the credit code it gives the
    new enterprise (one per case), the food permit's JY and 14 digits."""
    from forms.identifiers import credit_code_check_char

    if item == "cy.yyzz":
        first17 = f"92350100M{case['id'] % 10**8:08d}"
        return first17 + credit_code_check_char(first17)
    if item == "cy.spjy":
        return f"JY1{case['id'] % 10**13:013d}"
    return f"{item.upper()}-{case['id']:08d}"


def approve_all(client: Any, users: dict[str, dict[str, str]], case: dict[str, Any], latencies: list[float]) -> None:
    """Each department approves its item. The food permit, the sign and the fire inspection open only
    once the business licence is approved: the food permit's reviewer (the licence's department)
    takes it from that completion's answer (``opened_tasks``), the sign's and the fire inspection's
    reviewers from their inboxes (timed like every request)."""
    waiting, approved = list(case["open_tasks"]), 0
    while waiting:
        task = waiting.pop(0)
        body = {"decision": "approve", "licence_number": licence_number(case, task["item"])}
        t0 = time.perf_counter()
        done = client.post(f"/api/tasks/{task['id']}/complete", body, users[task["department"]])
        latencies.append(time.perf_counter() - t0)
        approved += 1
        waiting += done["opened_tasks"]
        if task["item"] == "cy.yyzz":
            for department in AFTER_LICENCE:
                t0 = time.perf_counter()
                inbox = client.get(f"/api/tasks?case={case['number']}", users[department])
                latencies.append(time.perf_counter() - t0)
                waiting += [t for t in inbox["items"] if t["state"] == "ready"]
    assert approved == 5, approved


def pick_up(client: Any, users: dict[str, dict[str, str]], case: dict[str, Any], latencies: list[float]) -> None:
    t0 = time.perf_counter()
    done = client.post(f"/api/cases/{case['id']}/pickup", {"recipient_name": "陈小明"}, users["window"])
    latencies.append(time.perf_counter() - t0)
    assert done["status"] == "closed", done


def drive_client(client: Any, users: dict[str, dict[str, str]], cases: int, latencies: list[float],
                 applicants: Applicants) -> None:
    """One case after another through an object with post/get like Flask's test client, as the
    logged-in ``users`` (see ``log_in_demo_users``)."""
    for _ in range(cases):
        case = start_case(client, users, latencies, applicants)
        approve_all(client, users, case, latencies)
        pick_up(client, users, case, latencies)


class TestClientDriver:
    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.json
        return response.json  # type: ignore[no-any-return]

    def get(self, path: str, headers: dict[str, str]) -> dict[str, Any]:
        response = self.client.get(path, headers=headers)
        assert response.status_code == 200, response.json
        return response.json  # type: ignore[no-any-return]


class TestClientRun:
    """The engine through the Flask test client, one thread, driven ``cases`` at a time."""

    def __init__(self, name: str, url: str, prepared: bool = True) -> None:
        from api import create_app
        from engine.bootstrap import Settings, build_engine

        self.name = name
        self.engine = build_engine(Settings(database_url=url, demo_users=True, prepared_statements=prepared))
        self.driver = TestClientDriver(create_app({"ENGINE": self.engine}))
        self.users, self.applicants = log_in_demo_users(self.driver), Applicants(case_body(self.engine))
        drive_client(self.driver, self.users, 3, [], self.applicants)  # warm up
        self.cases, self.seconds = 0, 0.0
        self.latencies: list[float] = []

    def drive(self, cases: int) -> float:
        """Drive ``cases`` more; answers the seconds they took."""
        started = time.perf_counter()
        drive_client(self.driver, self.users, cases, self.latencies, self.applicants)
        seconds = time.perf_counter() - started
        self.cases, self.seconds = self.cases + cases, self.seconds + seconds
        return seconds

    def summary(self) -> dict[str, Any]:
        self.engine.db.dispose()
        return summarize(self.name, self.cases, self.seconds, self.latencies, max_rss_mb())


def run_test_client(name: str, url: str, cases: int, prepared: bool = True) -> dict[str, Any]:
    run = TestClientRun(name, url, prepared)
    run.drive(cases)
    return run.summary()


def run_interleaved(url: str, cases: int, rounds: int) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """The floor and the engine on SQLite in alternating rounds, so that both meet the same
    machine: on a shared virtual machine, speed swings twofold within seconds. Answers both
    summaries and each round's ratio."""
    per_round = max(1, cases // rounds)
    floor_alone = run_floor(per_round)  # first, in a fresh process: the floor's own peak memory
    engine = TestClientRun("sqlite (test client)", url)
    floor_seconds, floor_latencies, ratios = 0.0, list[float](), list[float]()
    for _ in range(rounds):
        floor = run_floor(per_round)
        floor_seconds += floor["seconds"]
        floor_latencies += floor["latencies"]
        ratios.append(engine.drive(per_round) / floor["seconds"])
    floor_total = summarize("floor", per_round * rounds, floor_seconds, floor_latencies, floor_alone["peak_rss_mb"])
    return floor_total, engine.summary(), ratios


def _http_client(port: int, cases: int, queue: Any, body: dict[str, Any], phases: Any, number: int,
                 users: dict[str, dict[str, str]], per_person: bool = False) -> None:
    """With the parent's logins (``users``: all clients logging in at once look like guessing to the
    login limits) and after one untimed case (every server worker has then run the flow once), whole
    cases one after another; then as many again in three phases all clients pass together (``phases``,
    a barrier shared with the parent): every intake, approval, pickup. Answers each part's latencies."""
    latencies: list[float] = []
    phased: list[list[float]] = [[], [], []]
    try:
        driver = HttpDriver(port, per_person)
        applicants = Applicants(body, number * 1_000_000)
        drive_client(driver, users, 1, [], applicants)  # warm-up, untimed
        phases.wait()
        drive_client(driver, users, cases, latencies, applicants)
        phases.wait()
        started = [start_case(driver, users, phased[0], applicants) for _ in range(cases)]
        phases.wait()
        for case in started:
            approve_all(driver, users, case, phased[1])
        phases.wait()
        for case in started:
            pick_up(driver, users, case, phased[2])
        phases.wait()
    except BaseException as err:  # tell the parent at once instead of letting it wait for the timeout
        queue.put(f"client failed: {err!r}")
        phases.abort()
        raise
    queue.put((latencies, phased))


def run_http(url: str, cases: int, workers: int, clients: int, worker_class: str = "sync",
             server_name: str = "granian", port: int = 18765, per_person: bool = False,
             prepared: bool = True, route: str = "", pooler_pid: int = 0) -> list[dict[str, Any]]:
    """Whole cases through a server (see ``server_command``), then as many again in phases (see
    ``_http_client``): answers the whole-case summary, then one per phase (intakes, approvals, pickups), whose
    ms/case is the phase's wall time per case and whose completions/s counts that phase's own."""
    env = {**os.environ, "DATABASE_URL": url, "ONETHING_DEMO_USERS": "1",
           "ONETHING_PREPARED_STATEMENTS": "1" if prepared else "0"}
    subprocess.run([sys.executable, "-m", "api.cli", "deploy"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen(server_command(server_name, port, workers, worker_class), env=env, cwd=ROOT)
    try:
        wait_until_healthy(server, port)
        mp = multiprocessing.get_context("spawn")
        queue, phases = mp.Queue(), mp.Barrier(clients + 1)
        per_client = max(1, cases // clients)
        from engine.bootstrap import Settings, build_engine

        local = build_engine(Settings(database_url=url, deploy_shipped=False, prepared_statements=prepared))
        body = case_body(local)
        local.db.dispose()
        users = log_in_demo_users(HttpDriver(port))
        procs = [mp.Process(target=_http_client, args=(port, per_client, queue, body, phases, n, users, per_person))
                 for n in range(clients)]
        for p in procs:
            p.start()
        client_pids = [p.pid for p in procs if p.pid is not None]
        marks: list[float] = []

        def cpu_snapshot_now() -> dict[str, float]:  # with PgBouncer's own CPU when one is in the path
            taken = cpu_snapshot(server.pid, client_pids)
            return {**taken, "pgbouncer": cpu_seconds([pooler_pid])} if pooler_pid else taken

        try:
            # The clients log in (argon2 is slow on purpose) and warm up before the clock starts.
            phases.wait(timeout=600)
            cpu = [cpu_snapshot_now()]
            started = time.perf_counter()
            for _ in range(4):  # whole cases done; intakes, approvals, pickups done
                phases.wait(timeout=600)
                marks.append(time.perf_counter())
                cpu.append(cpu_snapshot_now())
        except threading.BrokenBarrierError:
            pass  # a client failed: its message is in the queue
        answers = [queue.get(timeout=600) for _ in procs]
        failed = [a for a in answers if isinstance(a, str)]
        if failed:
            raise RuntimeError("; ".join(failed))
        for p in procs:
            p.join()
        rss = server_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    kind = f"{worker_class} " if server_name == "gunicorn" else "granian "
    name = f"pg-http{route} ({workers} {kind}workers, {clients} clients{', per person' if per_person else ''})"
    n = per_client * clients
    whole = summarize(name, n, marks[0] - started, [lat for a in answers for lat in a[0]], rss)
    parts = [[lat for a in answers for lat in a[1][i]] for i in range(3)]
    phased = [
        {**summarize("  intakes only", n, marks[1] - marks[0], parts[0], rss), "completions_per_s": None},
        {**summarize("  approvals only", n, marks[2] - marks[1], parts[1], rss),
         "completions_per_s": n * 5 / (marks[2] - marks[1])},
        {**summarize("  pickups only", n, marks[3] - marks[2], parts[2], rss),
         "completions_per_s": n / (marks[3] - marks[2])},
    ]
    for part, before, after in zip([whole, *phased], cpu, cpu[1:], strict=False):
        part["cpu_ms_per_case"] = {k: (after[k] - before[k]) * 1000 / n for k in after}
    return [whole, *phased]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL"))
    # Commits wait for the WAL flush: more workers than cores keep both cores busy (3-4 measured best
    # on 2 cores, against 2 and 5).
    parser.add_argument("--server-workers", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class: sync, or gthread for keep-alive")
    parser.add_argument("--server", choices=("granian", "gunicorn"), default="granian",
                        help="the HTTP server of the PostgreSQL run (granian: keep-alive, HTTP in Rust)")
    # Each request waits for PostgreSQL (its commit for the WAL flush): 8 clients left about a fifth of
    # the two cores idle in whole cases; 16 keep them busy (16-32 measured alike, within the noise).
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--connection-per-person", action="store_true",
                        help="each client's clerk and reviewers on connections of their own, as at real desks: "
                             "a case's requests then mostly reach a server worker without its workflow cached")
    parser.add_argument("--round-cases", type=int, default=2,
                        help="the floor and the SQLite engine alternate, this many cases at a time")
    parser.add_argument("--pgbouncer", action="store_true",
                        help="run the PostgreSQL rows again through PgBouncer (transaction mode, unprepared)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        rounds = max(1, args.cases // args.round_cases)
        floor, sqlite, ratios = run_interleaved(f"sqlite:///{tmp}/bench.sqlite3", args.cases, rounds)
    results = [floor, sqlite]
    if args.pg_url:
        sys.path.insert(0, str(ROOT / "tests"))
        from tests.conftest import reset_postgres

        routes = [("", args.pg_url, True, 0)]
        with contextlib.ExitStack() as stack:
            if args.pgbouncer:
                bouncer = stack.enter_context(running_pgbouncer(args.pg_url))
                routes.append((" via pgbouncer", bouncer.url(args.pg_url), False, bouncer.pid))
            for route, url, prepared, pooler_pid in routes:
                reset_postgres(args.pg_url)
                results.append(run_test_client(f"pg{route} (test client)", url, args.cases, prepared))
                reset_postgres(args.pg_url)
                results += run_http(url, args.cases * 2, args.server_workers, args.clients, args.worker_class,
                                    args.server, per_person=args.connection_per_person, prepared=prepared,
                                    route=route, pooler_pid=pooler_pid)

    floor = results[0]["ms_per_case"]
    print(f"\n{'run':52} {'cases':>6} {'cases/s':>8} {'compl/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'ms/case':>8} {'peak MB':>8} {'ratio':>6}")
    for r in results:
        completions = "-" if r["completions_per_s"] is None else f"{r['completions_per_s']:.1f}"
        print(f"{r['run']:52} {r['cases']:>6} {r['cases_per_s']:>8.1f} {completions:>8} "
              f"{r['p50_ms']:>7.2f} {r['p95_ms']:>7.2f} {r['ms_per_case']:>8.2f} {r['peak_rss_mb']:>8.1f} "
              + (f"{r['ms_per_case'] / floor:>6.2f}" if not r["run"].startswith(" ") else ""))
    cpu_rows = [r for r in results if "cpu_ms_per_case" in r]
    if cpu_rows:
        print(f"\nCPU ms per case (user+system){'':24} {'server':>8} {'postgres':>9} {'clients':>8} {'machine':>8} "
              f"{'pgbouncer':>9}")
        for r in cpu_rows:
            c = r["cpu_ms_per_case"]
            print(f"{r['run']:52} {c['server']:>8.2f} {c['postgres']:>9.2f} {c['clients']:>8.2f} {c['machine']:>8.2f}"
                  + (f" {c['pgbouncer']:>9.2f}" if "pgbouncer" in c else ""))
    quartiles = statistics.quantiles(ratios, n=4)
    print(f"\nSQLite ratio in {len(ratios)} paired rounds (the floor, then the engine, {args.round_cases} "
          f"cases each): median {quartiles[1]:.2f}, quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f}, "
          f"best {min(ratios):.2f}, worst {max(ratios):.2f}")
    print("ratio = engine ms per case / floor ms per case (the floor: bare SpiffWorkflow, serializer "
          "round trip per task). For pg-http, ms/case is wall time over concurrent clients.")


if __name__ == "__main__":
    main()
