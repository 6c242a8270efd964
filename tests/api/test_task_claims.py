"""Claims on a task: a head extends (and reassigns) a task a reviewer of the department has claimed,
without taking it over first; the reviewer who claimed a task may release it (放弃认领), and nobody
else may; a reassignment's event names whom it was taken from and given to."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import open_task, start
from tests.conftest import HEADERS, REVIEWERS

HEAD = HEADERS["scjg.head"]
REVIEWER = REVIEWERS["scjg"]


def claimed_licence(client: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new case and its business-licence task, claimed by the scjg reviewer."""
    case = start(client)
    task = open_task(client, case["number"], "cy.yyzz")
    claimed = client.post(f"/api/tasks/{task['id']}/claim", headers=REVIEWER)
    assert claimed.status_code == 200, claimed.json
    assert (claimed.json["state"], claimed.json["assignee"]) == ("claimed", "li.scjg")
    return case, task


def events(client: Any, number: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in client.get(f"/api/cases/{number}").json["timeline"] if e["type"] == kind]


def test_a_head_extends_a_task_a_reviewer_has_claimed(client: Any) -> None:
    case, task = claimed_licence(client)
    extended = client.post(f"/api/tasks/{task['id']}/extend", json={"days": 5, "reason": "需现场核查"}, headers=HEAD)
    assert extended.status_code == 200, extended.json
    # The claim stays the reviewer's; the limit grows by the days (1 promised + 5).
    assert (extended.json["state"], extended.json["assignee"]) == ("claimed", "li.scjg")
    assert extended.json["clock"]["limit_days"] == 6
    assert client.get(f"/api/tasks/{task['id']}", headers=REVIEWER).json["clock"]["limit_days"] == 6
    [event] = events(client, case["number"], "DeadlineExtended")
    assert (event["who"]["user"], event["data"]["days"]) == ("qian.scjg", 5)


def test_a_reviewer_still_cannot_work_a_task_another_has_claimed(client: Any) -> None:
    """The head's exception is the extension only: pausing stays with the claimant."""
    _, task = claimed_licence(client)
    other = client.post(f"/api/tasks/{task['id']}/pause", json={"procedure": "inspection", "reason": "样品送检"},
                        headers=HEAD)
    assert other.status_code == 409
    assert "李市监" in other.json["message_zh"]  # by name (issue 22, item 5)


def test_a_head_reassigns_a_claimed_task_and_the_event_names_both_people(client: Any) -> None:
    case, task = claimed_licence(client)
    moved = client.post(f"/api/tasks/{task['id']}/assign", json={"assignee": "qian.scjg"}, headers=HEAD)
    assert moved.status_code == 200, moved.json
    assert moved.json["assignee"] == "qian.scjg"
    [event] = events(client, case["number"], "TaskAssigned")
    assert {k: event["data"][k] for k in ("from", "to", "from_name", "to_name")} == \
        {"from": "li.scjg", "to": "qian.scjg", "from_name": "李市监", "to_name": "钱科长"}


def test_the_claimant_releases_a_task_to_the_inbox(client: Any) -> None:
    case, task = claimed_licence(client)
    released = client.post(f"/api/tasks/{task['id']}/unclaim", headers=REVIEWER)
    assert released.status_code == 200, released.json
    assert (released.json["state"], released.json["assignee"], released.json["claimed_at"]) == ("ready", None, None)
    inbox = client.get(f"/api/tasks?case={case['number']}&state=ready", headers=REVIEWER).json["items"]
    assert task["id"] in [t["id"] for t in inbox]
    [event] = events(client, case["number"], "TaskReleased")
    assert event["who"]["user"] == "li.scjg"
    # Anyone of the department may claim it again, the head among them.
    again = client.post(f"/api/tasks/{task['id']}/claim", headers=HEAD)
    assert (again.status_code, again.json["assignee"]) == (200, "qian.scjg")


def test_only_the_claimant_may_release_a_task(client: Any) -> None:
    case, task = claimed_licence(client)
    by_head = client.post(f"/api/tasks/{task['id']}/unclaim", headers=HEAD)
    assert by_head.status_code == 409
    assert set(by_head.json) >= {"code", "message", "message_zh"}
    assert client.get(f"/api/tasks/{task['id']}").json["assignee"] == "li.scjg"

    assert client.post(f"/api/tasks/{task['id']}/unclaim", headers=REVIEWER).status_code == 200
    twice = client.post(f"/api/tasks/{task['id']}/unclaim", headers=REVIEWER)
    assert twice.status_code == 409
    assert "未由您认领" in twice.json["message_zh"]
    assert len(events(client, case["number"], "TaskReleased")) == 1


def test_release_is_refused_to_other_departments_and_roles(client: Any) -> None:
    _, task = claimed_licence(client)
    assert client.post(f"/api/tasks/{task['id']}/unclaim", headers=REVIEWERS["cg"]).status_code == 404
    assert client.post(f"/api/tasks/{task['id']}/unclaim", headers=HEADERS["clerk"]).status_code == 404
    assert client.post(f"/api/tasks/{task['id']}/unclaim", headers=HEADERS["supervisor"]).status_code == 403
    assert client.post("/api/tasks/no-such-task/unclaim", headers=REVIEWER).status_code == 404
    assert client.get(f"/api/tasks/{task['id']}").json["assignee"] == "li.scjg"


def test_unclaim_is_in_the_openapi_document_with_its_errors(client: Any) -> None:
    spec = client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/tasks/{task_id}/unclaim"]["post"]
    assert {"200", "401", "403", "404", "409"} <= set(operation["responses"])
