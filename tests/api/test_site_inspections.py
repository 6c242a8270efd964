"""Site inspections (现场核查) in 食品生产许可: a new permit's production site is inspected before the
decision, within the item's limit; a failed site cannot be approved, is put right (整改) and inspected
again; a renewal whose holder commits in writing that nothing changed skips the visit (新乡)."""

from __future__ import annotations

from typing import Any

from tests.api.test_clocks_api import shanghai
from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS, FakeClock, case_body

SCJG = REVIEWERS["scjg"]


def apply(client: Any, kind: str, commitment: str = "submitted") -> str:
    body = case_body(client, "food_production")
    body["form"]["food_permit_application_type"] = kind
    body["materials"]["production_unchanged_commitment"] = commitment
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    return str(started.json["number"])


def open_of(client: Any, number: str, kind: str) -> list[dict[str, Any]]:
    return [t for t in client.get(f"/api/tasks?case={number}&state=open").json["items"]
            if t["item"] == "sp.sc" and t["kind"] == kind]


def complete(client: Any, task: dict[str, Any], body: dict[str, Any], headers: dict[str, str] = SCJG) -> Any:
    return client.post(f"/api/tasks/{task['id']}/complete", json=body, headers=headers)


def item_of(client: Any, number: str) -> dict[str, Any]:
    return next(i for i in client.get(f"/api/cases/{number}").json["items"] if i["code"] == "sp.sc")


def test_a_new_site_is_inspected_within_the_limit_a_failed_one_is_put_right_and_inspected_again(
        client: Any, clock: FakeClock) -> None:
    number = apply(client, "新办")  # Thursday 2026-09-24
    assert open_of(client, number, "approval") == []
    [inspection] = open_of(client, number, "inspection")
    assert inspection["department"] == "scjg" and inspection["name"] == "inspect_sc"
    # The inspection counts toward the permit's 10 working days (国庆 off): due Thursday 10-15.
    assert inspection["clock"]["due_on"] == "2026-10-15" and inspection["clock"]["limit_days"] == 10
    assert item_of(client, number)["inspection_name"] == "现场核查"

    clock.now = shanghai("2026-10-08", 10)
    for bad, field in (({"findings": "好"}, "result"), ({"result": "maybe"}, "result"),
                       ({"result": "passed", "inspected_on": "2026-10-09"}, "inspected_on"),
                       ({"result": "passed", "inspected_on": "2026-09-20"}, "inspected_on"),
                       ({"result": "failed"}, "findings"), ({"result": "passed", "decision": "approve"}, "result")):
        refused = complete(client, inspection, bad)
        assert refused.status_code == 422 and field in refused.json["errors"], (bad, refused.json)
    [still] = open_of(client, number, "inspection")  # nothing was recorded
    assert still["id"] == inspection["id"] and item_of(client, number)["inspection"] is None
    assert complete(client, inspection, {"result": "failed"}, REVIEWERS["wj"]).status_code in (403, 404)

    failed = complete(client, inspection, {"result": "failed", "findings": "原料库与成品库未分区，与平面图不符"})
    assert failed.status_code == 200, failed.json
    assert failed.json["decision"] == "failed"
    [review] = open_of(client, number, "approval")
    # The decision keeps the inspection's due day: 4 of the 10 working days went to the visit.
    assert review["clock"]["due_on"] == "2026-10-15" and review["clock"]["limit_days"] == 6
    assert item_of(client, number)["inspection"]["result"] == "failed"
    refused = complete(client, review, approval(review))
    assert refused.status_code == 422 and "现场核查不合格" in refused.json["message_zh"]
    asked = complete(client, review, {"decision": "correct", "materials": ["production_layout_flow"],
                                      "reason": "请按核查意见整改生产场所并补正平面图"})
    assert asked.status_code == 200, asked.json

    clock.now = shanghai("2026-10-09", 10)
    tasks = client.get(f"/api/tasks?case={number}&state=open").json["items"]
    [supply] = [t for t in tasks if t["kind"] == "correction"]
    assert complete(client, supply, {"supplied": ["production_layout_flow"]}, CLERK).status_code == 200
    [again] = open_of(client, number, "inspection")  # after 整改 the site is visited again, a fresh clock
    assert again["id"] != inspection["id"] and again["clock"]["due_on"] == "2026-10-22"

    clock.now = shanghai("2026-10-12", 15)
    passed = complete(client, again, {"result": "passed", "inspected_on": "2026-10-12", "findings": "已分区，符合要求"})
    assert passed.status_code == 200, passed.json
    [review] = open_of(client, number, "approval")
    assert review["clock"]["due_on"] == "2026-10-22" and review["clock"]["limit_days"] == 8
    approved = complete(client, review, approval(review))
    assert approved.status_code == 200, approved.json
    item = item_of(client, number)
    assert item["status"] == "approved" and item["inspection"]["result"] == "passed"
    assert item["inspection"]["inspected_on"] == "2026-10-12" and item["inspection"]["by"]
    timeline = client.get(f"/api/cases/{number}").json["timeline"]
    inspected = [e["data"] for e in timeline if e["type"] == "SiteInspected"]
    assert [(e["result"], e["result_zh"], e["inspected_on"]) for e in inspected] == [
        ("failed", "不合格", "2026-10-08"), ("passed", "合格", "2026-10-12")]


def test_a_renewal_with_the_written_commitment_skips_the_visit(client: Any) -> None:
    number = apply(client, "延续")
    assert open_of(client, number, "inspection") == []
    [review] = open_of(client, number, "approval")
    assert review["clock"]["limit_days"] == 10
    timeline = client.get(f"/api/cases/{number}").json["timeline"]
    assert [e["data"]["item"] for e in timeline if e["type"] == "SiteInspectionWaived"] == ["sp.sc"]
    assert complete(client, review, approval(review)).status_code == 200
    assert item_of(client, number)["inspection"] is None


def test_a_renewal_without_the_commitment_or_a_change_is_inspected(client: Any) -> None:
    for kind, commitment in (("延续", "tolerated"), ("变更", "submitted")):
        number = apply(client, kind, commitment)
        assert len(open_of(client, number, "inspection")) == 1, (kind, commitment)
        assert open_of(client, number, "approval") == []
