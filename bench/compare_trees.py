"""Two checkouts of the engine against each other on PostgreSQL over HTTP, alternated in one run, so
that both meet the same machine (a shared virtual machine's speed swings within minutes):

    python bench/compare_trees.py OLD_TREE NEW_TREE --pg-url postgresql://postgres@127.0.0.1:5432/bench
                                  [--rounds 3] [--cases 300] [--env-new ONETHING_PREPARED_STATEMENTS=0]

Each round runs every tree's own `bench/engine_bench.py` pg-http run (whole cases only: intake,
five approvals, pickup, `--clients` at once) on a freshly emptied database, old then new, then new
then old in the next round. Prints each run, then per tree the mean and the spread (max - min) of
task completions/s and of the machine's CPU milliseconds per case. A git worktree makes a tree:
`git worktree add /tmp/old <commit>`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

_RUN = """
import json, sys
sys.path.insert(0, {tree!r}); sys.path.insert(0, {bench!r})
import engine_bench
from tests.conftest import reset_postgres
reset_postgres({url!r})
whole = engine_bench.run_http({url!r}, {cases}, {workers}, {clients}, "sync", "granian")[0]
print("RESULT " + json.dumps({{"compl": whole["completions_per_s"], "cpu": whole["cpu_ms_per_case"]}}))
"""


def run_tree(tree: Path, url: str, cases: int, workers: int, clients: int, extra_env: dict[str, str]) -> dict[str, Any]:
    code = _RUN.format(tree=str(tree), bench=str(tree / "bench"), url=url, cases=cases, workers=workers,
                       clients=clients)
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env={**os.environ, **extra_env},
                          capture_output=True, text=True, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{tree}: the run failed\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return dict(json.loads(line.removeprefix("RESULT ")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--server-workers", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--env-old", action="append", default=[], help="NAME=value for the old tree's runs")
    parser.add_argument("--env-new", action="append", default=[], help="NAME=value for the new tree's runs")
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    envs = {"old": dict(e.split("=", 1) for e in args.env_old), "new": dict(e.split("=", 1) for e in args.env_new)}
    results: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    for n in range(args.rounds):
        for name in ("old", "new") if n % 2 == 0 else ("new", "old"):
            result = run_tree(trees[name], args.pg_url, args.cases, args.server_workers, args.clients, envs[name])
            results[name].append(result)
            print(f"round {n + 1} {name:3} {result['compl']:8.1f} compl/s  machine {result['cpu']['machine']:6.2f} "
                  f"CPU ms/case (server {result['cpu']['server']:.2f}, postgres {result['cpu']['postgres']:.2f})",
                  flush=True)
    print(f"\n{'tree':4} {'compl/s mean':>13} {'spread':>7} {'machine CPU ms/case':>20} {'spread':>7}  "
          f"{'server':>7} {'postgres':>8}")
    for name, runs in results.items():
        compl = [r["compl"] for r in runs]
        machine = [r["cpu"]["machine"] for r in runs]
        print(f"{name:4} {statistics.mean(compl):>13.1f} {max(compl) - min(compl):>7.1f} "
              f"{statistics.mean(machine):>20.2f} {max(machine) - min(machine):>7.2f}  "
              f"{statistics.mean(r['cpu']['server'] for r in runs):>7.2f} "
              f"{statistics.mean(r['cpu']['postgres'] for r in runs):>8.2f}  ({trees[name]})")


if __name__ == "__main__":
    main()
