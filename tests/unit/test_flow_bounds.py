"""Flows that upload fine and then hurt (issue 21, items 13, 14, 15 and 16): what the upload check refuses, and
what the run-time guards do with a flow that reached the engine without that check (a version uploaded
before it). Each run-time test bounds its own wait, so a regression fails instead of hanging."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from engine.workflow.case_workflow import CaseWorkflow, WorkflowError
from engine.workflow.dry_run import DryRun, dry_run
from engine.workflow.flow_bounds import MAX_BRANCHES, MAX_LOOP_ROUNDS
from engine.workflow.flow_check import check_flow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import parse_flow
from engine.workflow.step_errors import StepFailed, StepFailure

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
<bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>"""
TAIL = "</bpmn:process></bpmn:definitions>"


def chain(*elements: str) -> bytes:
    """A process start -> each element (an XML fragment whose first id="..." is its id) -> end."""
    ids = [element.split('id="', 1)[1].split('"', 1)[0] for element in elements]
    stops = ["s", *ids, "e"]
    flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(itertools.pairwise(stops)))
    return (HEAD + "".join(elements) + flows + TAIL).encode()


def script(task_id: str, source: str, inner: str = "") -> str:
    return f'<bpmn:scriptTask id="{task_id}" name="计算">{inner}<bpmn:script>{source}</bpmn:script></bpmn:scriptTask>'


def timer(kind: str, value: str) -> str:
    return (f'<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition id="td">'
            f"<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")


def errors(xml: bytes, rule: str) -> list[dict[str, Any]]:
    report = check_flow(xml, None, {"window"}, functions={"working_days"}).to_dict()
    return [p for p in report["problems"] if p["rule"] == rule and p["severity"] == "error"]


def within(seconds: float, run: Callable[[], Any]) -> Any:
    """``run()``'s answer, or a test failure if it takes longer than ``seconds`` (the thread is left behind)."""
    answer: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            answer.append(run())
        except BaseException as err:  # handed to the test thread below
            failure.append(err)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if failure:
        raise failure[0]
    return answer[0]


def run_dry(xml: bytes, seconds: float = 30) -> DryRun:
    flow = parse_flow(xml, "p")  # straight to the engine: no upload check
    return within(seconds, lambda: dry_run(flow, SafeScriptEngine({"working_days": lambda n: "2026-01-01"})))


# --- item 13: endless loops --------------------------------------------------------------------------------

ENDLESS = script("spin", "n = 1", '<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>'
                 "</bpmn:standardLoopCharacteristics>")


def test_an_automatic_loop_without_a_maximum_is_refused_at_upload() -> None:
    (problem,) = errors(chain(ENDLESS), "loop-unbounded")
    assert problem["element_id"] == "spin" and "loopMaximum" in problem["message_en"]
    assert "上限" in problem["message_zh"]
    too_many = ENDLESS.replace("<bpmn:standardLoopCharacteristics>",
                               f'<bpmn:standardLoopCharacteristics loopMaximum="{MAX_LOOP_ROUNDS + 1}">')
    assert len(errors(chain(too_many), "loop-unbounded")) == 1
    capped = ENDLESS.replace("<bpmn:standardLoopCharacteristics>",
                             f'<bpmn:standardLoopCharacteristics loopMaximum="{MAX_LOOP_ROUNDS}">')
    assert errors(chain(capped), "loop-unbounded") == []
    waiting = '<bpmn:userTask id="ask" name="问"><bpmn:standardLoopCharacteristics/></bpmn:userTask>'
    assert errors(chain(waiting), "loop-unbounded") == []  # each round waits for a person


def test_an_endless_loop_that_reached_the_engine_fails_its_step_after_the_cap() -> None:
    started = time.monotonic()
    run = run_dry(chain(ENDLESS))
    assert not run.finished and run.stopped == "failed" and run.failed_step == "spin"
    assert run.error is not None and f"{MAX_LOOP_ROUNDS} rounds" in run.error
    assert run.error_zh is not None and "循环" in run.error_zh
    assert time.monotonic() - started < 10
    with pytest.raises(StepFailed) as err:
        within(30, lambda: CaseWorkflow.start(parse_flow(chain(ENDLESS), "p"), SafeScriptEngine()))
    assert err.value.failure == StepFailure.LOOP and err.value.element_id == "spin"


def test_a_loop_within_its_maximum_runs_to_the_end() -> None:
    counted = script("count", "n = n + 1 if n else 1",
                     '<bpmn:standardLoopCharacteristics loopMaximum="100"><bpmn:loopCondition>True'
                     "</bpmn:loopCondition></bpmn:standardLoopCharacteristics>")
    assert run_dry(chain(script("zero", "n = 0"), counted)).finished


# --- item 14: timers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kind", "value"),
    [("timeDuration", '"P8000Y"'), ("timeDuration", '"P99999999999D"'), ("timeDuration", '"P2000000Y"'),
     ("timeDuration", '"P99999999Y"'), ("timeDuration", '"P11Y"'), ("timeDuration", f'"P{"9" * 5000}D"'),
     ("timeCycle", '"R3/P99999999Y"'), ("timeDate", "working_days(3650)"), ("timeDate", "working_days(367)"),
     ("timeDuration", "working_days(3)")],
)
def test_timers_beyond_the_run_time_bounds_are_refused_at_upload(kind: str, value: str) -> None:
    started = time.monotonic()
    (problem,) = within(10, lambda: errors(chain(timer(kind, value)), "timer-expression"))
    assert problem["element_id"] == "wait" and problem["message_zh"] and problem["message_en"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("kind", "value"), [("timeDuration", '"P10Y"'), ("timeDuration", '"PT2H"'),
                                             ("timeDate", "working_days(366)"), ("timeDate", "working_days(0)"),
                                             ("timeCycle", '"R3/PT1H"'), ("timeDate", '"2026-10-01T09:00:00+08:00"')])
def test_timers_within_the_bounds_are_accepted(kind: str, value: str) -> None:
    assert errors(chain(timer(kind, value)), "timer-expression") == []


@pytest.mark.parametrize("value", ['"P8000Y"', '"P99999999999D"', '"P2000000Y"', '"P99999999Y"'])
def test_a_timer_beyond_the_bounds_fails_its_step_at_run_time_at_once(value: str) -> None:
    """No OverflowError (a 500 before), no month-by-month walk for minutes: a clear failure of the timer."""
    started = time.monotonic()
    with pytest.raises(StepFailed) as err:
        within(10, lambda: CaseWorkflow.start(parse_flow(chain(timer("timeDuration", value)), "p"),
                                              SafeScriptEngine()))
    assert err.value.failure == StepFailure.TIMER and err.value.element_id == "wait"
    assert "10 years" in err.value.message and "10 年" in err.value.message_zh
    assert time.monotonic() - started < 5
    run = run_dry(chain(timer("timeDuration", value)), 10)
    assert run.stopped == "failed" and run.failed_step == "wait"


# --- item 15: data the workflow state cannot hold ------------------------------------------------------------

def test_a_script_result_that_cannot_be_stored_fails_the_dry_run_not_the_first_real_case() -> None:
    run = run_dry(chain(script("keyed", "z = {(1, 2): 3}")))
    assert not run.finished and run.stopped == "failed" and run.failed_step == "keyed"
    assert run.error is not None and "dict keys must be text" in run.error
    with pytest.raises(StepFailed) as err:
        CaseWorkflow.start(parse_flow(chain(script("keyed", "z = {(1, 2): 3}")), "p"), SafeScriptEngine())
    assert err.value.failure == StepFailure.UNSTORABLE
    assert isinstance(err.value, WorkflowError)  # what every caller already handles


def test_the_dry_run_goes_on_from_the_saved_state_as_a_real_case_does() -> None:
    """A tuple comes back from the stored state as a list: the flow must decide the same either way."""
    xml = chain(script("pair", "t = (1, 2)"), '<bpmn:userTask id="look" name="看"/>',
                script("check", "same = t == [1, 2]\nok = 1 if same else 1 / 0"))
    assert run_dry(xml).finished


# --- item 16: many parallel branches ------------------------------------------------------------------------

def fork(count: int) -> bytes:
    tasks = "".join(script(f"t{i}", f"x{i} = 1") for i in range(count))
    flows = "".join(f'<bpmn:sequenceFlow id="a{i}" sourceRef="fork" targetRef="t{i}"/>'
                    f'<bpmn:sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="join"/>' for i in range(count))
    return (HEAD + '<bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>'
            '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="e"/>' + tasks + flows + TAIL).encode()


def test_absurd_branch_counts_are_refused_at_upload() -> None:
    refused = {p["element_id"] for p in errors(fork(MAX_BRANCHES + 1), "too-many-branches")}
    assert refused == {"fork", "join"}
    assert errors(fork(MAX_BRANCHES), "too-many-branches") == []


def test_the_dry_run_has_a_total_time_limit() -> None:
    flow = parse_flow(fork(800), "p")  # SpiffWorkflow's own work grows with the square of the branches: seconds
    started = time.monotonic()
    run = within(30, lambda: dry_run(flow, SafeScriptEngine(), max_seconds=0.2))
    assert not run.finished and run.stopped == "too-long"
    assert run.error is not None and "0.2 seconds" in run.error and run.error_zh is not None
    assert time.monotonic() - started < 5
