"""Flows that upload fine and then hurt, over HTTP (issue 21, items 12-16): what the upload refuses with its
problems (422, never a 500), and what the dry-run and a real case do with a flow whose trouble only shows
when it runs. Every answer comes within seconds."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.api.test_case_journey import open_task
from tests.api.test_flow_admin import SIGN_CONDITION, changed, refusal, start, upload, uploaded
from tests.approvals import approval
from tests.conftest import ADMIN, REVIEWERS

JKZ_TAG = '<bpmn:userTask id="approve_jkz" name="食品从业人员健康证明审批">'
# The condition: 99,990 steps each walking 99,999 items in C took 124 s in one dry-run.
BURNER = "len([max(a) for a in [[0]*99999] for i in range(99990)]) == 0"


def with_reminder(duration: str) -> str:
    """The restaurant flow with a reminder timer of ``duration`` on the health certificate's approval."""
    boundary = (f'<bpmn:boundaryEvent id="remind_jkz" name="催办" attachedToRef="approve_jkz" cancelActivity="false">'
                f'<bpmn:outgoing>f_remind</bpmn:outgoing><bpmn:timerEventDefinition id="t_remind">'
                f"<bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
                '<bpmn:endEvent id="reminded"><bpmn:incoming>f_remind</bpmn:incoming></bpmn:endEvent>'
                '<bpmn:sequenceFlow id="f_remind" sourceRef="remind_jkz" targetRef="reminded"/>')
    return changed(JKZ_TAG, boundary + JKZ_TAG)


def with_post_script(source: str) -> str:
    """The restaurant flow with ``source`` run when the health certificate's approval completes."""
    return changed(JKZ_TAG, JKZ_TAG.replace(">", "><bpmn:extensionElements><spiff:postScript>"
                                            f"{source}</spiff:postScript></bpmn:extensionElements>", 1))


def dry(client: Any, version: int) -> dict[str, Any]:
    started = time.monotonic()
    answer = client.post(f"/api/flows/restaurant/versions/{version}/dry-run", json={}, headers=ADMIN)
    assert answer.status_code == 200, answer.json
    assert time.monotonic() - started < 15
    return dict(answer.json)


@pytest.mark.parametrize("duration", ['"P8000Y"', '"P99999999999D"', '"P2000000Y"', '"P99999999Y"'])
def test_a_timer_beyond_ten_years_is_refused_at_upload(client: Any, duration: str) -> None:
    started = time.monotonic()
    problems = refusal(upload(client, with_reminder(duration)))
    (timer,) = [p for p in problems if p["rule"] == "timer-expression"]
    assert timer["element_id"] == "remind_jkz" and "10 years" in timer["message_en"] and "10 年" in timer["message_zh"]
    assert time.monotonic() - started < 10


def test_an_endless_script_loop_is_refused_at_upload(client: Any) -> None:
    spin = ('<bpmn:scriptTask id="spin" name="空转"><bpmn:standardLoopCharacteristics><bpmn:loopCondition>True'
            '</bpmn:loopCondition></bpmn:standardLoopCharacteristics><bpmn:script>n = 1</bpmn:script>'
            "</bpmn:scriptTask>")
    problems = refusal(upload(client, changed(JKZ_TAG, spin + JKZ_TAG)))
    assert any(p["rule"] == "loop-unbounded" and p["element_id"] == "spin" for p in problems)


def test_a_condition_that_burns_cpu_stops_at_its_budget_in_the_dry_run(client: Any) -> None:
    version = uploaded(client, changed(SIGN_CONDITION, BURNER))  # valid: it is the cost that hurts
    run = dry(client, version)
    assert run["finished"] is False and run["stopped"] == "failed"
    assert "walks too much data" in run["error"] and "计算遍历的数据过多" in run["error_zh"]


def test_a_script_result_that_cannot_be_stored_fails_the_dry_run_and_no_completion_answers_500(
        client: Any) -> None:
    version = uploaded(client, with_post_script("z = {(1, 2): 3}"))
    run = dry(client, version)
    assert run["stopped"] == "failed" and run["failed_step"] == "approve_jkz"
    assert "dict keys must be text" in run["error"] and "字典的键必须是文本" in run["error_zh"]
    assert client.post(f"/api/flows/restaurant/versions/{version}/deploy", headers=ADMIN).status_code == 200
    number = start(client)
    task = open_task(client, number, "cy.jkz")
    answer = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task), headers=REVIEWERS["wj"])
    assert answer.status_code in (200, 409), answer.json
    assert client.get(f"/api/cases/{number}").status_code == 200  # the case stays readable
