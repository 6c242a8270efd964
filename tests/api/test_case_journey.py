"""开办餐饮店 from intake to pickup over HTTP: approvals, one rejection, one correction round."""

from __future__ import annotations

from typing import Any

from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS, SHIPPED_BUNDLES, case_body


def start(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/cases", json={**case_body(client), **extra},
                           headers=CLERK)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def open_task(client: Any, case_number: str, item: str | None = None, kind: str = "approval") -> dict[str, Any]:
    tasks = client.get(f"/api/tasks?case={case_number}").json["items"]
    return next(t for t in tasks if t["kind"] == kind and (item is None or t["item"] == item))


def complete(client: Any, task: dict[str, Any], body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(f"/api/tasks/{task['id']}/complete", json=body, headers=headers)


def approve_licence(client: Any, case_number: str) -> dict[str, Any]:
    """市场监管 approves a restaurant case's business licence (with its number): the food permit, the
    outdoor sign and the fire inspection, which wait for it, open. Answers the completion."""
    done = complete(client, open_task(client, case_number, "cy.yyzz"), approval("cy.yyzz"), REVIEWERS["scjg"])
    assert done.status_code == 200, done.json
    return done.json  # type: ignore[no-any-return]


def test_restaurant_case_from_intake_to_pickup(client: Any, clock: Any) -> None:
    case = start(client)
    number = case["number"]
    assert number.startswith("CY-20260924-")
    assert case["status"] == "in_review"
    assert case["receipt"]["case_number"] == number
    assert {i["code"] for i in case["receipt"]["items"]} == {"cy.yyzz", "cy.spjy", "cy.zp", "cy.xf", "cy.jkz"}
    # At acceptance only the business licence (scjg) and the health certificate (wj) are open: the
    # food permit, the outdoor sign and the fire inspection wait for the licence.
    assert sorted(t["department"] for t in case["open_tasks"]) == ["scjg", "wj"]

    # 市场监管 claims and approves the business licence; the three open in parallel, then the food permit.
    clock.advance(hours=2)
    licence = open_task(client, number, "cy.yyzz")
    claimed = client.post(f"/api/tasks/{licence['id']}/claim", headers=REVIEWERS["scjg"])
    assert claimed.status_code == 200 and claimed.json["assignee"] == "li.scjg"
    assert complete(client, licence, {"decision": "approve", "licence_number": "92410700MA0012345H"},
                    REVIEWERS["scjg"]).status_code == 200
    opened = client.get(f"/api/cases/{number}").json["open_tasks"]
    assert sorted((t["department"], t["item"]) for t in opened) == [
        ("cg", "cy.zp"), ("scjg", "cy.spjy"), ("wj", "cy.jkz"), ("xf", "cy.xf")]
    clock.advance(hours=1)
    assert complete(client, open_task(client, number, "cy.spjy"), approval("cy.spjy"),
                    REVIEWERS["scjg"]).status_code == 200

    # 城管 refuses the outdoor sign with a written reason.
    refused = complete(client, open_task(client, number, "cy.zp"),
                       {"decision": "reject", "reason": "招牌设置位置位于禁设区域"}, REVIEWERS["cg"])
    assert refused.status_code == 200 and refused.json["decision"] == "reject"

    # 消防 asks for a correction; the window records it; 消防 then approves.
    clock.advance(hours=1)
    asked = complete(client, open_task(client, number, "cy.xf"),
                     {"decision": "correct", "materials": ["消防安全告知承诺书"], "reason": "承诺书未签字"},
                     REVIEWERS["xf"])
    assert asked.status_code == 200
    detail = client.get(f"/api/cases/{number}").json
    xf = next(i for i in detail["items"] if i["code"] == "cy.xf")
    assert xf["status"] == "correction_requested" and xf["materials_requested"] == ["fire_safety_commitment"]
    supply = open_task(client, number, "cy.xf", kind="correction")
    assert supply["department"] == "window"
    clock.advance(days=1)
    assert complete(client, supply, {"supplied": ["消防安全告知承诺书"]}, CLERK).status_code == 200
    again = open_task(client, number, "cy.xf")
    assert again["id"] != asked.json["id"]
    assert complete(client, again, approval(again), REVIEWERS["xf"]).status_code == 200

    # Not ready yet: 卫健 has not decided.
    early = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert early.status_code == 409 and "cy.jkz" in early.json["message"]
    assert complete(client, open_task(client, number, "cy.jkz"), approval("cy.jkz"),
                    REVIEWERS["wj"]).status_code == 200

    detail = client.get(f"/api/cases/{number}").json
    assert detail["status"] == "awaiting_pickup"
    assert [t["kind"] for t in detail["open_tasks"]] == ["pickup"]

    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    final = handed.json
    assert final["status"] == "closed" and final["closed_at"] is not None
    assert {i["code"] for i in final["results"]["granted"]} == {"cy.yyzz", "cy.spjy", "cy.xf", "cy.jkz"}
    assert [(i["code"], i["reason"]) for i in final["results"]["refused"]] == [("cy.zp", "招牌设置位置位于禁设区域")]
    assert final["open_tasks"] == []

    # The timeline shows every step, with who and when.
    timeline = final["timeline"]
    types = [e["type"] for e in timeline]
    for expected in ("CaseAccepted", "TaskClaimed", "ItemApproved", "OutputsLinked", "ItemRejected",
                     "CorrectionRequested", "CorrectionSupplied", "ResultsReady", "ResultsHandedOver", "CaseClosed"):
        assert expected in types, expected
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    # Opened: 5 approvals, 1 correction, 1 re-review, 1 pickup.
    assert types.count("ItemApproved") == 4 and types.count("TaskOpened") == 8
    # The business licence handed on inside the case to the three items that use it.
    linked = [e for e in timeline if e["type"] == "OutputsLinked"]
    assert len(linked) == 3 and "92410700MA0012345H" in str([e["data"] for e in linked])
    rejected = next(e for e in timeline if e["type"] == "ItemRejected")
    assert rejected["who"] == {"user": "zhang.cg", "name": "张城管", "department": "cg", "role": "reviewer",
                               "address": "127.0.0.1"}
    supplied = next(e for e in timeline if e["type"] == "CorrectionSupplied")
    assert supplied["who"]["user"] == "wang.window" and supplied["at"].startswith("2026-09-25")
    assert all(e["at"] for e in timeline)


def test_case_list_masks_the_id_number(client: Any) -> None:
    start(client)
    listed = client.get("/api/cases").json
    assert listed["total"] == 1
    assert listed["items"][0]["applicant_id_number"] == "1101**********002X"


def test_bundles_and_health(client: Any) -> None:
    bundles = client.get("/api/bundles").json
    assert len(bundles) == SHIPPED_BUNDLES and "restaurant" in [b["code"] for b in bundles]
    assert all(b["deployed_version"] == 1 and b["versions"][0]["current"] is True for b in bundles)
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "deployed_bundles": SHIPPED_BUNDLES}
    spec = client.get("/api/openapi.json").json
    assert "/api/cases/{ref}/pickup" in spec["paths"] and "/api/tasks/{task_id}/complete" in spec["paths"]


def test_the_answer_to_a_change_is_the_case_as_a_fresh_read_shows_it(client: Any) -> None:
    """Intake and pickup answer the case as read inside their own transaction: it must be what a
    GET right after shows, the change's own events in the timeline included."""
    started = start(client)
    assert started == client.get(f"/api/cases/{started['id']}", headers=CLERK).json
    assert started["timeline"][-1]["type"] in ("TaskOpened", "CaseInReview")
    assert any(e["type"] == "CaseAccepted" for e in started["timeline"])
    for _ in range(6):
        task = next((t for t in client.get(f"/api/tasks?case={started['number']}").json["items"]
                     if t["kind"] == "approval"), None)
        if task is None:
            break
        assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    handed = client.post(f"/api/cases/{started['id']}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert handed.json["status"] == "closed"
    assert handed.json["timeline"][-1]["type"] == "CaseClosed"
    assert handed.json == client.get(f"/api/cases/{started['id']}", headers=CLERK).json


def test_lists_count_every_match_on_every_page(client: Any) -> None:
    for _ in range(3):
        approve_licence(client, start(client)["number"])  # then four approvals are open in each case
    pages = [client.get(f"/api/tasks?per_page=5&page={n}").json for n in (1, 3, 4)]
    assert [(len(p["items"]), p["total"]) for p in pages] == [(5, 12), (2, 12), (0, 12)]
    whole = client.get("/api/tasks?per_page=50").json
    assert (len(whole["items"]), whole["total"]) == (12, 12)
    cases = [client.get(f"/api/cases?per_page=2&page={n}").json for n in (1, 2, 3)]
    assert [(len(p["items"]), p["total"]) for p in cases] == [(2, 3), (1, 3), (0, 3)]


def test_a_completion_answers_the_tasks_it_opened_that_the_reviewer_may_see(client: Any) -> None:
    case = start(client)
    number = case["number"]
    licence = open_task(client, number, "cy.yyzz")
    key = {"Idempotency-Key": "licence-approval-1"}
    approved = approval(licence)
    done = complete(client, licence, approved, {**REVIEWERS["scjg"], **key})
    assert done.status_code == 200
    opened = done.json["opened_tasks"]  # the sign (cg) and the fire inspection (xf) opened too: not scjg's
    assert [(t["item"], t["department"], t["state"]) for t in opened] == [("cy.spjy", "scjg", "ready")]
    assert opened[0]["id"] == open_task(client, number, "cy.spjy")["id"]  # the inbox's own task
    assert opened[0]["clock"]["limit_days"] > 0

    sign = complete(client, open_task(client, number, "cy.zp"), approval("cy.zp"), REVIEWERS["cg"])
    assert sign.status_code == 200 and sign.json["opened_tasks"] == []  # nothing waited on the sign

    replayed = complete(client, licence, approved, {**REVIEWERS["scjg"], **key})
    assert replayed.status_code == 200 and replayed.json["opened_tasks"] == []  # as documented
    assert replayed.json["id"] == licence["id"] and replayed.json["state"] == "completed"


def test_a_completion_keeps_the_tasks_it_opened_for_another_department_out_of_the_answer(client: Any) -> None:
    number = start(client)["number"]
    licence = approve_licence(client, number)  # it opened the fire inspection (xf) and the sign (cg) as well
    assert [t["item"] for t in licence["opened_tasks"]] == ["cy.spjy"]
    assert {"cy.xf", "cy.zp"} <= {t["item"] for t in client.get(f"/api/tasks?case={number}").json["items"]}
    asked = complete(client, open_task(client, number, "cy.xf"),
                     {"decision": "correct", "materials": ["消防安全告知承诺书"], "reason": "承诺书未签字"},
                     REVIEWERS["xf"])
    assert asked.status_code == 200 and asked.json["opened_tasks"] == []
    # It did open one: the window's record of the supplied materials.
    assert open_task(client, number, kind="correction")["department"] == "window"
