"""No raw keys or English in what the API says to people (issue 22, item 5): people by their names
beside their logins, departments and materials by their names, flow elements by their kinds in
Chinese, the catalogue's errors saying where and what, the request-shape errors in Chinese with
``message_zh`` naming the fields, the login's empty fields asked for, the exports' Chinese file
names. ``message`` stays English for machines."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sqlalchemy import event

from engine.domain.flow_problems import FlowRule
from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.api.test_catalogue_admin import definition
from tests.conftest import ADMIN, CLERK, HEADERS, REVIEWERS
from tests.unit.flow_samples import flow
from tests.unit.test_flow_check import check, found

HEAD = HEADERS["scjg.head"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z_]{3,}")


def test_an_intake_answer_names_its_clerk_without_reading_the_users(client: Any, engine: Any) -> None:
    """The clerk who accepts a case is the only person in it, and the signed-in clerk's own name is
    known: the answer reads no names (the pickup's answer, naming the reviewers too, does)."""
    read: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if re.search(r"SELECT users\.login, users\.name\s+FROM users", statement):  # UserRepository.names
            read.append(statement)

    event.listen(engine.db, "before_cursor_execute", count)
    try:
        case = start(client)
    finally:
        event.remove(engine.db, "before_cursor_execute", count)
    assert case["receipt"]["accepted_by_name"] == "王窗口" and case["people"] == {"wang.window": "王窗口"}
    assert read == []


def test_the_case_names_the_people_who_accepted_acted_and_hold_its_tasks(client: Any) -> None:
    case = start(client)
    task = open_task(client, case["number"], "cy.yyzz")
    assert client.post(f"/api/tasks/{task['id']}/claim", headers=REVIEWERS["scjg"]).status_code == 200
    detail = client.get(f"/api/cases/{case['number']}").json
    assert detail["receipt"]["accepted_by"] == "wang.window"  # the login stays, as its own field
    assert detail["receipt"]["accepted_by_name"] == "王窗口"
    assert detail["people"]["wang.window"] == "王窗口" and detail["people"]["li.scjg"] == "李市监"
    accepted = next(e for e in detail["timeline"] if e["type"] == "CaseAccepted")
    assert (accepted["who"]["user"], accepted["who"]["name"]) == ("wang.window", "王窗口")
    claimed = next(e for e in detail["timeline"] if e["type"] == "TaskClaimed")
    assert claimed["who"]["name"] == "李市监"
    held = next(t for t in detail["open_tasks"] if t["id"] == task["id"])
    assert (held["assignee"], held["assignee_name"]) == ("li.scjg", "李市监")
    inbox = client.get("/api/tasks?department=scjg", headers=HEAD).json["items"]
    assert next(t for t in inbox if t["id"] == task["id"])["assignee_name"] == "李市监"
    assert client.get(f"/api/tasks/{task['id']}", headers=HEAD).json["assignee_name"] == "李市监"
    moved = client.post(f"/api/tasks/{task['id']}/assign", json={"assignee": "qian.scjg"}, headers=HEAD)
    assert moved.json["assignee_name"] == "钱科长", moved.json


def test_an_unknown_department_lists_the_departments_by_name(client: Any) -> None:
    answer = client.get("/api/reports/savings?department=nowhere")
    assert answer.status_code == 422
    [choices] = answer.json["errors"]["department"]
    assert "市场监督管理局" in choices or "市场监管" in choices, choices
    for code in ("scjg", "cg", "xf", "wj"):
        assert code not in choices, choices


def test_flow_check_messages_name_element_kinds_in_chinese() -> None:
    text = flow(("</bpmn:process>", '<bpmn:task id="orphan" /><bpmn:task id="named_orphan" name="孤立环节" />'
                                    "</bpmn:process>"))
    report = check(text)
    unnamed = found(report, FlowRule.UNREACHABLE, "orphan")[0].message_zh
    named = found(report, FlowRule.UNREACHABLE, "named_orphan")[0].message_zh
    assert "（task）" not in unnamed and "task" not in unnamed, unnamed
    assert "任务" in unnamed and "孤立环节" in named and "task" not in named, (unnamed, named)


def test_a_catalogue_edit_that_breaks_a_bundle_says_which_bundle_and_item_in_chinese(client: Any) -> None:
    answer = client.put("/api/catalogue/materials/sign_design", json={"definition": {"name": " "}}, headers=ADMIN)
    assert answer.status_code == 422, answer.json
    errors = answer.json["errors"]
    assert errors["definition"] == ["材料 sign_design 的名称不能为空"], errors
    broken = {k: v for k, v in errors.items() if k.startswith("bundles.")}
    assert "bundles.restaurant.items" in broken, errors  # the keys stay the machine paths
    for messages in broken.values():
        for message in messages:
            assert message.startswith("一件事“"), message
            assert "must" not in message and "materials.json" not in message, message
    assert any("开办餐饮店" in m or "餐饮" in m for m in broken["bundles.restaurant.items"]), broken

    field = client.put("/api/catalogue/fields/seats", json={"definition": {"label": "座位数", "type": "colour"}},
                       headers=ADMIN)
    assert field.json["errors"]["definition"] == ["字段 seats 的类型不认识，请在“类型”中选择一种"], field.json


def test_a_bundle_definition_error_says_which_item_in_words(client: Any) -> None:
    body = definition(client)
    body["items"][1]["statutory_days"] = "ten"
    name = body["items"][1]["name"]
    answer = client.put("/api/bundles/restaurant/definition", json={"definition": body}, headers=ADMIN)
    assert answer.status_code == 422
    [message] = answer.json["errors"]["items[1].statutory_days"]
    assert message.startswith(f"事项“{name}”的法定时限："), answer.json


def test_request_shape_errors_are_in_chinese_and_message_zh_names_the_fields(client: Any) -> None:
    answer = client.post("/api/cases", json={"applicant": {"name": "陈小明"}, "colour": 1}, headers=CLERK)
    assert answer.status_code == 422
    body = answer.json
    assert body["message"] == "the request has invalid or missing fields"  # English stays, for machines
    assert body["errors"]["bundle"] == ["此项必填"], body
    assert body["errors"]["colour"] == ["不认识的字段"], body
    assert body["message_zh"].startswith("请求内容有误：") and "一件事：此项必填" in body["message_zh"], body
    for leaf in _leaves(body["errors"]):
        assert CHINESE.search(leaf), leaf

    paged = client.get("/api/tasks?page=abc")
    assert paged.json["errors"]["page"] == ["须为整数"] and "页码：须为整数" in paged.json["message_zh"], paged.json


def test_an_empty_login_is_asked_for_by_name(anonymous: Any) -> None:
    answer = anonymous.post("/api/auth/login", json={"login": "", "password": ""})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"login": ["请输入登录名"], "password": ["请输入密码"]}, answer.json
    assert "请输入登录名" in answer.json["message_zh"]


def test_missing_correction_materials_are_named_from_the_catalogue(client: Any) -> None:
    case = start(client)
    approve_licence(client, case["number"])
    fire = open_task(client, case["number"], "cy.xf")
    asked = complete(client, fire, {"decision": "correct", "materials": ["消防安全告知承诺书", "premises_proof"]},
                     REVIEWERS["xf"])
    assert asked.status_code == 200, asked.json
    supply = open_task(client, case["number"], "cy.xf", kind="correction")
    error = complete(client, supply, {"supplied": ["fire_safety_commitment"]}, CLERK).json
    assert "premises_proof" in error["message"]  # English, for machines
    assert "premises_proof" not in error["message_zh"] and "经营场所（住所）使用证明" in error["message_zh"], error
    assert not any(LATIN_WORD.search(m) for m in error["errors"]["supplied"]), error

    wrong = complete(client, fire, {"decision": "correct", "materials": ["平面图"]}, REVIEWERS["xf"]).json
    assert wrong and not any("fire_safety_commitment" in m for m in wrong["errors"].get("materials", [])), wrong


def test_exports_are_saved_under_chinese_names(client: Any) -> None:
    exports = (("/api/reports/savings.csv", "savings-summary.csv", "成效统计-汇总.csv"),
               ("/api/reports/savings.csv?rows=cases", "savings-cases.csv", "成效统计-办件明细.csv"),
               ("/api/reports/savings.xlsx", "savings.xlsx", "成效统计.xlsx"))
    for path, ascii_name, name in exports:
        disposition = client.get(path).headers["Content-Disposition"]
        assert disposition == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}", disposition
        disposition.encode("latin-1")  # a header must stay in ISO-8859-1


def _leaves(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [leaf for value in errors.values() for leaf in _leaves(value)]
    if isinstance(errors, list):
        return [leaf for value in errors for leaf in _leaves(value)]
    return [str(errors)]


def test_a_reassignment_to_someone_outside_the_department_names_no_department_code(client: Any) -> None:
    case = start(client)
    task = open_task(client, case["number"], "cy.yyzz")
    refused = client.post(f"/api/tasks/{task['id']}/assign", json={"assignee": "zhao.xf"}, headers=HEAD)
    assert refused.status_code == 422
    assert refused.json["message_zh"] == "zhao.xf 不是本部门在岗的审批人员或负责人", refused.json


def test_a_task_claimed_or_done_by_someone_else_names_them(client: Any) -> None:
    case = start(client)
    task = open_task(client, case["number"], "cy.yyzz")
    assert client.post(f"/api/tasks/{task['id']}/claim", headers=REVIEWERS["scjg"]).status_code == 200
    taken = client.post(f"/api/tasks/{task['id']}/claim", headers=HEAD)
    assert taken.status_code == 409 and "已由 李市监 认领" in taken.json["message_zh"], taken.json
    approve_licence(client, case["number"])
    again = complete(client, task, {"decision": "approve"}, REVIEWERS["scjg"])
    assert again.status_code == 409, again.json
    assert re.search(r"已由 李市监 于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 办结", again.json["message_zh"]), again.json
