"""Every shipped bundle runs through its flow over HTTP: intake at the window, each department's
approvals in parallel (a required item after its prerequisite), then unified pickup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.approvals import approve_every_item
from tests.conftest import APPLICANT, CLERK, case_body

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))


def test_twenty_bundles_and_more_are_shipped() -> None:
    assert len(BUNDLES) >= 20


@pytest.mark.parametrize("code", BUNDLES)
def test_a_case_of_each_bundle_goes_from_intake_to_pickup(client: Any, code: str) -> None:
    definition = json.loads((BPMN / code / "bundle.json").read_text(encoding="utf-8"))
    started = client.post("/api/cases", json=case_body(client, code), headers=CLERK)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    assert number.startswith(definition["number_prefix"] + "-")
    decided = approve_every_item(client, number, definition["items"])
    assert sorted(decided) == sorted(i["code"] for i in definition["items"])
    detail = client.get(f"/api/cases/{number}").json
    assert detail["status"] == "awaiting_pickup"
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert handed.json["status"] == "closed"
    assert {i["code"] for i in handed.json["results"]["granted"]} == {i["code"] for i in definition["items"]}
