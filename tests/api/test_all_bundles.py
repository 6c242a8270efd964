"""Every shipped bundle runs through its flow over HTTP: intake at the window, each department's
approvals in parallel (a required item after its prerequisite), then unified pickup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.approvals import approval, reviewer_headers
from tests.conftest import APPLICANT, CLERK, case_body

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))


def test_ten_bundles_are_shipped() -> None:
    assert len(BUNDLES) == 10


@pytest.mark.parametrize("code", BUNDLES)
def test_a_case_of_each_bundle_goes_from_intake_to_pickup(client: Any, code: str) -> None:
    definition = json.loads((BPMN / code / "bundle.json").read_text(encoding="utf-8"))
    started = client.post("/api/cases", json=case_body(client, code), headers=CLERK)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    assert number.startswith(definition["number_prefix"] + "-")
    reviewers: dict[str, dict[str, str]] = {}
    decided: list[str] = []
    for _ in range(len(definition["items"]) + 1):
        waiting = [t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["kind"] == "approval"]
        if not waiting:
            break
        for task in waiting:
            item = next(i for i in definition["items"] if i["code"] == task["item"])
            assert all(r in decided for r in item.get("requires", [])), f"{item['code']} opened too early"
            headers = reviewers.setdefault(task["department"], reviewer_headers(client, task["department"]))
            done = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task), headers=headers)
            assert done.status_code == 200, done.json
            decided.append(task["item"])
    assert sorted(decided) == sorted(i["code"] for i in definition["items"])
    detail = client.get(f"/api/cases/{number}").json
    assert detail["status"] == "awaiting_pickup"
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert handed.json["status"] == "closed"
    assert {i["code"] for i in handed.json["results"]["granted"]} == {i["code"] for i in definition["items"]}
