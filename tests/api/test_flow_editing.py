"""The modeler's properties panel asks the server whether one condition or timer value would pass the upload
check, and which departments a lane may name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN

CHECK = "/api/flows/check-expression"


@pytest.mark.parametrize(("kind", "expression"), [
    ("condition", "results['cy.zp']['decision'] == 'correct'"),
    ("condition", "amount > 1000 and not urgent"),
    ("timeDate", "working_days(3)"),
    ("timeDuration", '"PT4H"'),
    ("timeCycle", '"R3/PT1H"'),
])
def test_what_the_upload_accepts_the_check_accepts(client: Any, kind: str, expression: str) -> None:
    answer = client.post(CHECK, json={"kind": kind, "expression": expression}, headers=ADMIN)
    assert answer.status_code == 200, answer.json
    assert answer.json["ok"] is True
    assert answer.json["error_zh"] is None


@pytest.mark.parametrize(("kind", "expression", "says"), [
    ("condition", "__import__('os').system('id')", "未通过安全检查"),
    ("condition", "results['a'] ==", "条件写法有误"),
    ("condition", "", "条件为空"),
    ("timeDuration", "working_days(3)", "只能用于 timeDate"),
    ("timeDuration", "PT4H", "须加引号"),
    ("timeDate", "working_days(999)", "0 至 366"),
])
def test_what_the_upload_refuses_is_refused_in_chinese(client: Any, kind: str, expression: str, says: str) -> None:
    answer = client.post(CHECK, json={"kind": kind, "expression": expression}, headers=ADMIN)
    assert answer.status_code == 200, answer.json
    assert answer.json["ok"] is False
    assert says in answer.json["error_zh"], answer.json
    assert "invalid syntax" not in answer.json["error_zh"]


def test_a_juel_condition_gets_its_safe_equivalent(client: Any) -> None:
    answer = client.post(CHECK, json={"kind": "condition", "expression": "${approved && !urgent}"}, headers=ADMIN).json
    assert answer["ok"] is False
    assert answer["suggestion"] == "approved and not urgent"
    assert "JUEL" in answer["error_zh"]


def test_an_unknown_kind_is_a_422_with_the_error_shape(client: Any) -> None:
    answer = client.post(CHECK, json={"kind": "script", "expression": "1"}, headers=ADMIN)
    assert answer.status_code == 422
    assert set(answer.json) == {"code", "message", "message_zh", "errors"}
    assert "kind" in str(answer.json["errors"])


def test_the_departments_a_lane_may_name_come_with_their_chinese_names(client: Any) -> None:
    items = client.get("/api/flows/departments", headers=ADMIN).json["items"]
    names = {d["code"]: d["name"] for d in items}
    assert items[0] == {"code": "window", "name": "综合窗口"}
    assert names["scjg"] == "市场监督管理局"
    assert names["xf"] == "消防救援机构"
    assert all(d["name"] and d["name"] != d["code"] for d in items), items
