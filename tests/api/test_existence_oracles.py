"""A case or task outside the caller's scope answers exactly as one that does not exist: 404 with the
same body, so no answer tells an outsider which case numbers or task ids exist. What a role may not do
at all is still 403 (api/access.py)."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import open_task, start
from tests.approvals import approval
from tests.conftest import ADMIN, CLERK, HEADERS, REVIEWERS, case_body

XF = REVIEWERS["xf"]


def missing_like(ref: str) -> str:
    """A reference of the same shape that names nothing: the last character changed."""
    return ref[:-1] + ("0" if ref[-1] != "0" else "1")


def same_answer(hidden: Any, missing: Any, hidden_ref: str, missing_ref: str) -> None:
    assert (hidden.status_code, missing.status_code) == (404, 404), (hidden.json, missing.json)
    assert hidden.json == {"code": "not_found", "message": hidden.json["message"],
                           "message_zh": hidden.json["message_zh"], "errors": {}}
    # The same body but for the reference the caller sent back to them.
    as_text = str(hidden.json).replace(repr(hidden_ref)[1:-1], repr(missing_ref)[1:-1])
    assert as_text == str(missing.json)


def test_a_case_of_other_departments_answers_as_a_missing_one(client: Any) -> None:
    newborn = client.post("/api/cases", json=case_body(client, "newborn"), headers=CLERK).json
    assert client.get(f"/api/cases/{newborn['number']}", headers=CLERK).status_code == 200  # it exists
    for ref in (newborn["number"], str(newborn["id"])):
        other = missing_like(ref)
        for path in ("/api/cases/{}", "/api/cases/{}/savings", "/api/tasks?case={}"):
            same_answer(client.get(path.format(ref), headers=XF), client.get(path.format(other), headers=XF),
                        ref, other)


def test_a_task_of_another_department_answers_as_a_missing_one(client: Any) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")  # 市场监管's
    before = client.get(f"/api/cases/{case['number']}").json
    task_id, other = licence["id"], missing_like(licence["id"])
    for method, path, body, headers in (
            ("GET", "/api/tasks/{}", None, XF),
            ("POST", "/api/tasks/{}/claim", None, XF),
            ("POST", "/api/tasks/{}/complete", approval(licence), XF),
            ("POST", "/api/tasks/{}/complete", approval(licence), CLERK),
            ("POST", "/api/tasks/{}/pause", {"procedure": "expert_review", "reason": "组织专家评审"}, XF),
            ("POST", "/api/tasks/{}/resume", None, XF),
    ):
        same_answer(client.open(path.format(task_id), method=method, json=body, headers=headers),
                    client.open(path.format(other), method=method, json=body, headers=headers), task_id, other)
    health = open_task(client, case["number"], "cy.jkz")  # 卫健's, seen by 市场监管's head
    for path, body in (("/api/tasks/{}/assign", {"assignee": "li.scjg"}),
                       ("/api/tasks/{}/extend", {"days": 2, "reason": "情况复杂"})):
        same_answer(client.post(path.format(health["id"]), json=body, headers=HEADERS["scjg.head"]),
                    client.post(path.format(missing_like(health["id"])), json=body, headers=HEADERS["scjg.head"]),
                    health["id"], missing_like(health["id"]))
    after = client.get(f"/api/cases/{case['number']}").json
    assert after["timeline"] == before["timeline"] and after["tasks"] == before["tasks"]


def test_a_case_the_viewer_sees_lists_its_tasks_even_when_none_is_theirs(client: Any) -> None:
    case = start(client)  # 城管 has an item, but its task opens only once the licence is approved
    inbox = client.get(f"/api/tasks?case={case['number']}", headers=REVIEWERS["cg"])
    assert inbox.status_code == 200 and inbox.json["total"] == 0


def test_what_a_role_may_not_do_at_all_stays_403(client: Any) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")
    assert client.get(f"/api/cases/{case['number']}", headers=ADMIN).status_code == 403
    refused = client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 2, "reason": "情况复杂"},
                          headers=XF)  # a reviewer extends nothing, in any department
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert client.get("/api/tasks?department=scjg", headers=XF).status_code == 403  # departments are public
