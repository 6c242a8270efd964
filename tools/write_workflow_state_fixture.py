"""Write a stored workflow state of the running release to tests/fixtures/workflow_states/.

The state is what the engine keeps in ``workflow_states.state`` for a 开办餐饮店 case after the
window's intake and three approvals (the health certificate, the business licence, the fire
inspection), with the data the services pass. The file is named by the stored format it was
written in (``restaurant_v<N>.json``), so that a release that changes the format keeps the older
file and tests/unit/test_workflow_format.py reads it through the migration steps.

    .venv/bin/python -m tools.write_workflow_state_fixture
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.domain import jsoncodec
from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import parse_flow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "bpmn" / "restaurant" / "flow.bpmn"
OUT = ROOT / "tests" / "fixtures" / "workflow_states"
APPROVED = ("cy.jkz", "cy.yyzz", "cy.xf")
LICENCES = {"cy.yyzz": "91330106MA2KXXXX1Y"}


def stored_format_of(state: str) -> int:
    try:
        from engine.workflow.stored_format import format_of
    except ImportError:  # the release before format numbers: its states are format 1
        return 1
    return format_of(jsoncodec.loads(state))


def write_state() -> Path:
    flow = parse_flow(FLOW.read_bytes(), "restaurant")
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    intake = next(t for t in wf.waiting_tasks() if t.kind == "intake")
    wf.complete(intake.id, {
        "applicant": {"name": "陈小明", "id_number": "110101199003074514", "phone": "13800138000",
                      "business_name": "杭州小明面馆有限公司", "address": "杭州市西湖区文三路 100 号"},
        "case_number": "CY-20261205-0001",
        "accepted": {"by": "window1", "at": "2026-12-05T01:00:00+00:00", "channel": "window"},
    })
    for item in APPROVED:
        wf = CaseWorkflow.load(flow, wf.dump(), SafeScriptEngine())
        task = next(t for t in wf.waiting_tasks() if t.item == item)
        record: dict[str, str] = {"decision": "approve", "comment": "材料齐全，同意"}
        if item in LICENCES:
            record["licence_number"] = LICENCES[item]
        wf.complete(task.id, {"results": {item: record}})
    state = wf.dump()
    out = OUT / f"restaurant_v{stored_format_of(state)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(state + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    sys.stdout.write(f"{write_state()}\n")
