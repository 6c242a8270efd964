"""Time reading and writing a stored case workflow: the restaurant case of
tests/fixtures/workflow_states/ (after intake and three approvals), loaded and dumped again.

    .venv/bin/python -m tools.time_workflow_state [--number 200] [--repeat 7] [--state FILE]

Prints the best of ``repeat`` rounds per operation, in microseconds of this process's CPU time per
call (CPU time, and the best round, being the least disturbed by the rest of the machine).
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import parse_flow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "bpmn" / "restaurant" / "flow.bpmn"
STATES = ROOT / "tests" / "fixtures" / "workflow_states"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200, help="calls per round")
    parser.add_argument("--repeat", type=int, default=7, help="rounds")
    parser.add_argument("--state", type=Path, default=None, help="a stored state (default: the newest fixture)")
    args = parser.parse_args(argv)
    path = args.state or max(STATES.glob("restaurant_v*.json"), key=lambda p: int(p.stem.rsplit("_v", 1)[1]))
    flow = parse_flow(FLOW.read_bytes(), "restaurant")
    engine = SafeScriptEngine()
    state = CaseWorkflow.load(flow, path.read_text(encoding="utf-8"), engine).dump()  # in this release's format
    wf = CaseWorkflow.load(flow, state, engine)
    rounds = {
        "load": lambda: CaseWorkflow.load(flow, state, engine),
        "dump": wf.dump,
        "load+dump": lambda: CaseWorkflow.load(flow, state, engine).dump(),
    }
    sys.stdout.write(f"{path.name}: {len(state)} characters, {args.number} calls x {args.repeat} rounds\n")
    for name, call in rounds.items():
        best = min(timeit.repeat(call, number=args.number, repeat=args.repeat, timer=time.process_time)) / args.number
        sys.stdout.write(f"{name:>10}: {best * 1e6:8.1f} us\n")


if __name__ == "__main__":
    main()
