"""Where a hall's day stops being fast (issue 30): locust's step load (bench/load/locustfile.py) against
two server groups on one PostgreSQL database, until the p95 of a department's decision passes 200 ms;
prints each step and the knee.

    python bench/load/knee.py [--steps 20,40,60,80,100,120,160,200] [--hold 60] [--workers 1]
                              [--database-url URL | --server postgresql://postgres@127.0.0.1:5432/ --name load30]
                              [--replica-url URL | --own-replica] [--hosts http://h1,http://h2]

By default it drops and creates the database ``--name`` on ``--server``, migrates it, deploys the
shipped bundles and seeds the demo users (``build_engine``); with ``--database-url`` it uses that
database as it is (a million cases ``onething generate`` made, say), migrating and deploying what is
missing. Either way it writes the scenario's data file and hires the staff the largest step needs
(bench/load/scenario_data.py). Then it starts ``--groups`` granian groups of ``--workers`` workers
each on free ports (``ONETHING_TICK_SECONDS=0``; ``ONETHING_REPLICA_URL`` when ``--replica-url`` is
given; ``--own-replica`` first makes a primary and its streaming replica for the run, as the replica's
tests do) unless ``--hosts`` names servers already running, and runs locust headless in one process
with every simulated person given the next group in turn (``LOAD_HOSTS``). The servers' and
locust's logs stay in a temporary directory, named on failure (and kept with ``--keep-logs``).

Load and servers share this machine's cores: the table says how busy the machine was in each step
and locust's own CPU, so that a knee the load generator caused is not taken for the server's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.http_server import server_command, wait_until_healthy  # noqa: E402
from bench.load.scenario_data import hire_staff, scenario_data, staffing  # noqa: E402

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
COMPLETE = "POST /api/tasks/[id]/complete"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default="20,40,60,80,100,120,160,200", help="users per step")
    parser.add_argument("--hold", type=float, default=60, help="seconds each step lasts")
    parser.add_argument("--settle", type=float, default=10, help="seconds at a step's start left out of its figures")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--knee-ms", type=float, default=200, help="the decision's p95 that ends the run")
    parser.add_argument("--groups", type=int, default=2, help="server groups (granian processes) to start")
    parser.add_argument("--workers", type=int, default=1, help="granian workers per group")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/",
                        help="PostgreSQL server on which --name is dropped and created")
    parser.add_argument("--name", default="load30", help="the fresh database's name")
    parser.add_argument("--database-url", help="use this database as it is instead of a fresh one")
    parser.add_argument("--replica-url", help="passed to the servers as ONETHING_REPLICA_URL")
    parser.add_argument("--hosts", help="comma-separated base URLs of servers already running (none started)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the log directory after a sound run")
    parser.add_argument("--own-replica", action="store_true",
                        help="make a PostgreSQL primary and its streaming replica on free ports for the run "
                             "(tests/pg_replica.py; root, Debian's server packages), dropped at the end")
    args = parser.parse_args()
    if args.hosts and not args.database_url:
        parser.error("--hosts needs --database-url: the database those servers use")
    if args.own_replica and (args.database_url or args.replica_url or args.hosts):
        parser.error("--own-replica makes the database and its replica: no --database-url, --replica-url or --hosts")
    if args.own_replica:
        from tests.pg_replica import running_replica_pair

        with running_replica_pair() as pair:
            args.server, args.replica_url = pair.primary_url(""), pair.replica_url(args.name)
            print(f"primary {pair.primary_url(args.name)} streaming to {args.replica_url}")
            return run(args)
    return run(args)


def run(args: argparse.Namespace) -> int:
    steps = [int(s) for s in args.steps.split(",")]

    logs = Path(tempfile.mkdtemp(prefix="load30-"))
    cpus = os.cpu_count()
    print(f"{cpus} CPUs on this machine, shared by the servers, PostgreSQL and locust (one process)")
    url = args.database_url or fresh_database(args.server, args.name)
    print(f"database {url.rsplit('/', 1)[-1]}: {prepare(url, max(steps), logs / 'scenario.json')}")
    results = logs / "steps.jsonl"
    try:
        with ExitStack() as stack:
            hosts = args.hosts.split(",") if args.hosts else [
                stack.enter_context(server_group(n, url, args.workers, args.replica_url, logs))
                for n in range(args.groups)]
            print(f"servers: {', '.join(hosts)} ({args.workers} granian worker(s) each"
                  f"{', replica ' + args.replica_url if args.replica_url else ''})")
            env = {**os.environ, "LOAD_SCENARIO": str(logs / "scenario.json"), "LOAD_HOSTS": ",".join(hosts),
                   "LOAD_STEPS": args.steps, "LOAD_HOLD_SECONDS": str(args.hold),
                   "LOAD_SETTLE_SECONDS": str(args.settle), "LOAD_SPAWN_RATE": str(args.spawn_rate),
                   "LOAD_KNEE_MS": str(args.knee_ms), "LOAD_RESULTS": str(results)}
            code = run_locust(env, hosts[0], logs, len(steps) * args.hold + 120, results)
        rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()] \
            if results.exists() else []
        print_table(rows, args.knee_ms, cpus)
        if code not in (0, 1) or not rows:  # locust exits 1 when any request failed: the table shows them
            raise RuntimeError(f"locust exited with {code}")
    except BaseException as err:
        print(f"\nfailed: {err!r}; logs in {logs}: {', '.join(sorted(p.name for p in logs.iterdir()))}",
              file=sys.stderr)
        raise
    if args.keep_logs:
        print(f"logs in {logs}")
    else:
        shutil.rmtree(logs, ignore_errors=True)
    return 0


def fresh_database(server: str, name: str) -> str:
    """Drop and create database ``name`` on ``server``; answers its URL."""
    import psycopg

    with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rstrip("/") + "/" + name


def prepare(url: str, users: int, scenario: Path) -> str:
    """Migrate, deploy the shipped bundles, seed the demo users, write the scenario's data file and
    hire its staff; answers what it found."""
    from sqlalchemy import text

    from engine.bootstrap import Settings, build_engine

    # The staff's passwords are hashed cheaply: their logins fall in a step's settling seconds anyway.
    engine = build_engine(Settings(database_url=url, demo_users=True, tick_seconds=0,
                                   password_strength="fast"))  # noqa: S106 - a hasher profile
    try:
        data = scenario_data(engine)
        hired = hire_staff(engine, staffing(data, users))
        scenario.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with engine.db.connect() as conn:
            cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    finally:
        engine.db.dispose()
    return f"{cases} cases, {hired} staff logins made, bundles {', '.join(data['bundles'])}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_group(n: int, url: str, workers: int, replica_url: str | None, logs: Path) -> Iterator[str]:
    """A granian group serving the app on a free port (README's production command); answers its
    base URL, and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ONETHING_DEMO_USERS": "1", "ONETHING_TICK_SECONDS": "0"}
    if replica_url:
        env["ONETHING_REPLICA_URL"] = replica_url
    log = (logs / f"server-{n + 1}.log").open("wb")
    server = subprocess.Popen(server_command("granian", port, workers, "sync"), env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(server, port, seconds=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_locust(env: dict[str, str], host: str, logs: Path, seconds: float, results: Path) -> int:
    """locust headless in this machine's one process, its shape class driving the steps; prints each
    step's line as it lands in ``results``. Answers locust's exit code."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
               "--only-summary", "--loglevel", "WARNING", "--csv", str(logs / "locust")]
    with (logs / "locust.log").open("wb") as log:
        locust = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        printed, deadline = 0, time.monotonic() + seconds
        try:
            while locust.poll() is None:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"locust ran past {seconds:.0f} s")
                printed = print_new_steps(results, printed)
                time.sleep(1)
        finally:
            if locust.poll() is None:
                locust.terminate()
                locust.wait(timeout=30)
        print_new_steps(results, printed)
    return locust.returncode


def print_new_steps(results: Path, printed: int) -> int:
    if not results.exists():
        return printed
    lines = results.read_text(encoding="utf-8").splitlines()
    for line in lines[printed:]:
        step = json.loads(line)
        print(f"  step {step['step']}: {step['users']} users, {step['requests_per_s']:.1f} req/s, "
              f"{step['completions_per_s']:.2f} decisions/s, p95 decision {step['p95_complete_ms']} ms, "
              f"{step['failures']} failures", flush=True)
    return len(lines)


def print_table(rows: list[dict[str, Any]], knee_ms: float, cpus: int | None) -> None:
    if not rows:
        print("no step was measured")
        return
    print(f"\n{'step':>4} {'users':>5} {'req/s':>7} {'decis/s':>7} {'p50 dec':>7} {'p95 dec':>7} {'fail':>5} "
          f"{'machine':>7} {'locust':>6}   (ms; machine: share of {cpus} CPUs busy; locust: its CPU %)")
    for r in rows:
        print(f"{r['step']:>4} {r['users']:>5} {r['requests_per_s']:>7.1f} {r['completions_per_s']:>7.2f} "
              f"{_ms(r['p50_complete_ms']):>7} {_ms(r['p95_complete_ms']):>7} {r['failures']:>5} "
              f"{r['machine_cpu']:>7.0%} {_ms(r['locust_cpu_percent']):>6}")
    names = sorted({name for r in rows for name in r["groups"]}, key=lambda n: (n != COMPLETE, n))
    print(f"\n{'request (p50/p95 ms, per s)':<48}" + "".join(f"{'step ' + str(r['step']):>18}" for r in rows))
    for name in names:
        cells = []
        for r in rows:
            g = r["groups"].get(name)
            if g is None:
                cells.append("-")
            elif name.endswith("taken first"):  # a count of lost claim races: no time of its own
                cells.append(f"{g['per_s']:5.2f}")
            else:
                cells.append(f"{g['p50']:.0f}/{g['p95']:.0f} {g['per_s']:5.2f}")
        print(f"{name:<48}" + "".join(f"{c:>18}" for c in cells))
    failed = {k: v for r in rows[-1:] for k, v in r["errors_so_far"].items()}
    for error, count in sorted(failed.items(), key=lambda e: -e[1])[:10]:
        print(f"failure x{count}: {error[:240]}")
    under = [r for r in rows if r["p95_complete_ms"] is not None and r["p95_complete_ms"] <= knee_ms]
    over = next((r for r in rows if r["p95_complete_ms"] is not None and r["p95_complete_ms"] > knee_ms), None)
    print()
    if under:
        last = under[-1] if over is None else max((r for r in under if r["step"] < over["step"]),
                                                   key=lambda r: r["step"], default=under[-1])
        print(f"knee: ~{last['users']} users, {last['completions_per_s']:.1f} completions/s, "
              f"p95 completion {last['p95_complete_ms']} ms"
              + (f" (first over {knee_ms:.0f} ms: {over['users']} users, {over['completions_per_s']:.1f} "
                 f"completions/s, p95 {over['p95_complete_ms']} ms)" if over else
                 f" (not passed {knee_ms:.0f} ms up to {rows[-1]['users']} users: the knee lies beyond)"))
    elif over is not None:
        print(f"knee: below {over['users']} users (the first step's p95 completion was {over['p95_complete_ms']} ms)")
    print(f"({cpus} CPUs shared by the servers, PostgreSQL and locust (and whatever else runs here): "
          "the knee is this machine's, not a server's alone)")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


if __name__ == "__main__":
    sys.exit(main())
