"""Each person sees and does exactly their job: department inboxes, another department's task,
a head's reassignment, and who sees an applicant's personal data."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.approvals import approval
from tests.conftest import ADMIN, APPLICANT, CLERK, HEADERS, PERSONAS, REVIEWERS, SUPERVISOR


def test_a_market_reviewer_gets_404_on_a_fire_task_and_nothing_changes(client: Any) -> None:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    before = client.get(f"/api/cases/{case['number']}").json
    for attempt in (complete(client, fire, approval(fire), REVIEWERS["scjg"]),
                    client.post(f"/api/tasks/{fire['id']}/claim", headers=REVIEWERS["scjg"]),
                    client.get(f"/api/tasks/{fire['id']}", headers=REVIEWERS["scjg"])):
        assert attempt.status_code == 404 and attempt.json["code"] == "not_found"  # as if it did not exist
    after = client.get(f"/api/cases/{case['number']}").json
    assert after["timeline"] == before["timeline"] and after["tasks"] == before["tasks"]
    assert client.get(f"/api/tasks/{fire['id']}").json["state"] == "ready"


def test_inboxes_hold_only_the_own_departments_tasks(client: Any) -> None:
    first = start(client)
    start(client)
    scjg = client.get("/api/tasks", headers=REVIEWERS["scjg"]).json
    assert scjg["total"] == 2 and {t["department"] for t in scjg["items"]} == {"scjg"}  # licences; permits wait
    assert client.get("/api/tasks", headers=CLERK).json["total"] == 0  # nothing waits at the window yet
    assert client.get("/api/tasks", headers=SUPERVISOR).json["total"] == 4  # each case: licence, health cert.
    # The first case's licence approved: its food permit, sign and fire inspection open, each in its own inbox.
    approve_licence(client, first["number"])
    for department, total in (("scjg", 2), ("cg", 1), ("xf", 1), ("wj", 2)):
        inbox = client.get("/api/tasks", headers=REVIEWERS[department]).json
        assert inbox["total"] == total and {t["department"] for t in inbox["items"]} == {department}
    assert client.get("/api/tasks", headers=CLERK).json["total"] == 0
    assert client.get("/api/tasks", headers=SUPERVISOR).json["total"] == 6
    refused = client.get("/api/tasks?department=xf", headers=REVIEWERS["scjg"])
    assert refused.status_code == 403 and "xf" in refused.json["message_zh"]


def test_a_head_reassigns_within_the_department_only(client: Any) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")
    head = HEADERS["scjg.head"]
    assigned = client.post(f"/api/tasks/{licence['id']}/assign", json={"assignee": PERSONAS["scjg"][0]}, headers=head)
    assert assigned.status_code == 200 and assigned.json["assignee"] == "li.scjg"
    assert assigned.json["state"] == "claimed"
    # Not to someone of another department, and not by a plain reviewer.
    wrong = client.post(f"/api/tasks/{licence['id']}/assign", json={"assignee": PERSONAS["xf"][0]}, headers=head)
    assert wrong.status_code == 422 and "assignee" in wrong.json["errors"]
    assert client.post(f"/api/tasks/{licence['id']}/assign", json={"assignee": "li.scjg"},
                       headers=REVIEWERS["scjg"]).status_code == 403
    health = open_task(client, case["number"], "cy.jkz")  # another department's task (卫健): not there for them
    assert client.post(f"/api/tasks/{health['id']}/assign", json={"assignee": PERSONAS["wj"][0]},
                       headers=head).status_code == 404
    timeline = client.get(f"/api/cases/{case['number']}").json["timeline"]
    event = next(e for e in timeline if e["type"] == "TaskAssigned")
    assert event["who"]["user"] == "qian.scjg" and event["who"]["role"] == "head"
    assert event["data"]["to"] == "li.scjg"


def test_lists_mask_and_only_the_deciding_roles_see_full_identifiers(client: Any) -> None:
    case = start(client)
    for who in (CLERK, REVIEWERS["xf"], SUPERVISOR):
        listed = client.get("/api/cases", headers=who).json["items"][0]
        assert listed["applicant_id_number"] == "1101**********002X"
        assert APPLICANT["id_number"] not in str(listed)
    for who in (CLERK, REVIEWERS["xf"], HEADERS["scjg.head"]):
        detail = client.get(f"/api/cases/{case['number']}", headers=who).json
        assert detail["personal_data"] == "full" and detail["applicant"]["id_number"] == APPLICANT["id_number"]
    supervised = client.get(f"/api/cases/{case['number']}", headers=SUPERVISOR).json
    assert supervised["personal_data"] == "masked"
    assert supervised["applicant"]["id_number"] == "1101**********002X"
    assert supervised["applicant"]["phone"] == "138****8000"
    assert APPLICANT["phone"] not in str(supervised)
    assert client.get(f"/api/cases/{case['number']}", headers=ADMIN).status_code == 403


def test_create_admin_command(engine: OneThingEngine, db_url: str, monkeypatch: Any, capsys: Any) -> None:
    from api.cli import main
    from engine.services.sessions import LogIn, log_in

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ONETHING_ADMIN_PASSWORD", "short")
    assert main(["create-admin", "root.admin"]) == 1
    assert "密码" in capsys.readouterr().err
    monkeypatch.setenv("ONETHING_ADMIN_PASSWORD", "a-long-admin-password-1")
    assert main(["create-admin", "root.admin", "--name", "根管理员"]) == 0
    issued = log_in(LogIn("root.admin", "a-long-admin-password-1", "127.0.0.1"), engine.ctx)
    assert issued.principal.roles == {"admin"} and issued.principal.department == "office"
