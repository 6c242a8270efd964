"""What a task's completion says is checked once, by its shape (``CompleteTaskSchema``, then the
typed answer ``api.schemas.task_answer`` builds); what needs the case (the task's kind, its
materials) is checked by the ``Case`` aggregate, with the messages the clerk has always read."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.conftest import CLERK, REVIEWERS

CORRECTION = {"decision": "correct", "materials": ["消防安全告知承诺书"], "reason": "承诺书未签字"}


def fire_correction(client: Any) -> tuple[str, dict[str, Any]]:
    """A restaurant case whose fire inspection asked for a correction; answers its correction task."""
    number = start(client)["number"]
    approve_licence(client, number)
    assert complete(client, open_task(client, number, "cy.xf"), CORRECTION, REVIEWERS["xf"]).status_code == 200
    return number, open_task(client, number, "cy.xf", kind="correction")


def test_an_approval_without_a_decision_is_refused_by_the_kind_of_its_task(client: Any) -> None:
    number = start(client)["number"]
    refused = complete(client, open_task(client, number, "cy.yyzz"), {"comment": "看过了"}, REVIEWERS["scjg"])
    assert refused.status_code == 422
    assert refused.json["message_zh"] == "审批结论必须是 approve（准予）、reject（不予许可）或 correct（补正）之一"
    assert refused.json["errors"] == {"decision": ["必须是 approve、reject、correct 之一"]}


def test_a_correction_task_takes_the_supplied_materials_not_a_decision(client: Any) -> None:
    number, supply = fire_correction(client)
    refused = complete(client, supply, {"decision": "approve"}, CLERK)
    assert refused.status_code == 422 and refused.json["message_zh"] == "请登记申请人补正提交的材料"
    done = complete(client, supply, {"supplied": ["消防安全告知承诺书"]}, CLERK)
    assert done.status_code == 200, done.json
    assert open_task(client, number, "cy.xf")["kind"] == "approval"  # back to its department


def test_a_decision_and_supplied_materials_together_are_refused_by_their_shape(client: Any) -> None:
    _, supply = fire_correction(client)
    refused = complete(client, supply, {"decision": "approve", "supplied": ["消防安全告知承诺书"]}, CLERK)
    assert refused.status_code == 422
    assert "不能同时提交" in refused.json["errors"]["supplied"][0], refused.json
    assert complete(client, supply, {"supplied": ["消防安全告知承诺书"]}, CLERK).status_code == 200
