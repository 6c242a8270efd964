"""Messages an administrator can act on (issue 21, item 20): every problem in one round, SpiffWorkflow's words
complete and in Chinese, JUEL conditions named as such, nameless lanes said to be nameless, answers bounded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.domain.flow_problems import MAX_PROBLEMS, FlowReport, FlowRule
from engine.workflow.flow_check import check_flow
from engine.workflow.flow_juel import safe_equivalent
from tests.unit.flow_samples import BUNDLE, DEPARTMENTS, between_intake_and_split, flow

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "miwg"
# Three English words in a row, once quoted names and ids are taken out, is English prose.
ENGLISH = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}")
QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def check(text: str, bundle: dict[str, object] | None = BUNDLE) -> FlowReport:
    return check_flow(text.encode(), bundle, DEPARTMENTS)


def rules(report: FlowReport) -> set[str]:
    return {p.rule for p in report.errors}


def test_a_missing_process_comes_with_every_other_problem_in_one_round() -> None:
    text = flow(('<bpmn:lane id="lane_cg" name="cg">', '<bpmn:lane id="lane_cg" name="城管">'),
                (' default="f_done_a"', ""))
    report = check(text, {**BUNDLE, "process_id": "elsewhere"})
    assert {FlowRule.PROCESS_NOT_FOUND, FlowRule.UNKNOWN_DEPARTMENT, FlowRule.SPIFF_REJECTED} <= rules(report)
    missing = next(p for p in report.errors if p.rule == FlowRule.PROCESS_NOT_FOUND)
    assert "'demo'" in missing.message_zh and "'elsewhere'" in missing.message_zh  # rename demo to elsewhere


def test_a_process_that_is_not_executable_gets_spiffworkflows_verdict_in_the_same_round() -> None:
    text = flow(('isExecutable="true"', 'isExecutable="false"'), (' default="f_done_a"', ""))
    assert {FlowRule.PROCESS_NOT_EXECUTABLE, FlowRule.SPIFF_REJECTED} <= rules(check(text))


def test_spiffworkflows_messages_are_complete_and_in_chinese() -> None:
    text = between_intake_and_split(
        '<bpmn:task id="x" name="分流"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
        "<bpmn:outgoing>f_other</bpmn:outgoing></bpmn:task>", "x").replace(
        '<bpmn:sequenceFlow id="f_next"', '<bpmn:sequenceFlow id="f_other" sourceRef="x" targetRef="pickup" />\n'
        '    <bpmn:sequenceFlow id="f_next"')
    problem = next(p for p in check(text).errors if p.rule == FlowRule.SPIFF_REJECTED)
    assert problem.element_id == "x"
    assert "of type bpmn:task" in problem.message_en and not problem.message_en.rstrip().endswith("type.")
    assert "网关" in problem.message_zh and not ENGLISH.search(QUOTED.sub("", problem.message_zh)), problem


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the conformance corpus is not checked out")
def test_no_message_zh_of_the_corpus_is_english_prose() -> None:
    """The check's own sentences and SpiffWorkflow's translated ones; what the file itself holds (names, ids,
    expressions) is quoted, and the safe evaluator's syntax errors are its own (engine.workflow.safe_eval)."""
    english = []
    for path in sorted(CORPUS.rglob("*.bpmn")):
        for problem in check_flow(path.read_bytes(), BUNDLE, DEPARTMENTS).problems:
            if problem.rule in (FlowRule.CONDITION_REFUSED, FlowRule.SCRIPT_REFUSED):
                continue
            text = QUOTED.sub("", problem.message_zh)
            for word in ("SpiffWorkflow", "isExecutable", "timeDate", "timeDuration", "timeCycle", "message_en"):
                text = text.replace(word, "")
            if ENGLISH.search(text):
                english.append((path.name, problem.rule, problem.message_zh))
    assert english == []


@pytest.mark.parametrize(("condition", "equivalent"), [
    ("${approved}", "approved"),
    ("${amount > 1000 && !urgent}", "amount > 1000 and not urgent"),
    ("#{decision eq 'approve' || decision == null}", "decision == 'approve' or decision == None"),
    ("${execution.getVariable('approved')}", None),
])
def test_a_juel_condition_is_named_and_its_equivalent_given(condition: str, equivalent: str | None) -> None:
    assert safe_equivalent(condition) == equivalent
    text = flow(("results['a']['decision'] == 'correct'", condition.replace("&", "&amp;")))
    problem = next(p for p in check(text).errors if p.element_id == "f_correct_a")
    assert problem.rule == FlowRule.CONDITION_REFUSED
    assert "JUEL" in problem.message_zh and "安全表达式语言" in problem.message_zh
    if equivalent is not None:
        assert f"{equivalent!r}" in problem.message_zh and f"{equivalent!r}" in problem.message_en
    assert "invalid syntax" not in problem.message_zh


def test_a_feel_condition_is_named_too() -> None:
    text = flow(("results['a']['decision'] == 'correct'", '= decision = "correct"'))
    problem = next(p for p in check(text).errors if p.element_id == "f_correct_a")
    assert "FEEL" in problem.message_zh and "invalid syntax" not in problem.message_zh


def test_a_lane_without_a_name_is_said_to_have_none() -> None:
    problem = next(p for p in check(flow(('<bpmn:lane id="lane_cg" name="cg">', '<bpmn:lane id="lane_cg">'))).errors
                   if p.element_id == "lane_cg")
    assert problem.rule == FlowRule.UNKNOWN_DEPARTMENT and "没有名称" in problem.message_zh
    assert "None" not in problem.message_zh and "None" not in problem.message_en


def test_a_huge_name_is_not_echoed_in_every_message() -> None:
    huge = "n" * 600_000
    text = flow(('<bpmn:userTask id="pickup" name="统一出件">', f'<bpmn:userTask id="pickup" name="{huge}">'),
                ('<bpmn:lane id="lane_cg" name="cg">', f'<bpmn:lane id="lane_cg" name="{huge}">'),
                ('sourceRef="pickup" targetRef="end"', 'sourceRef="approve_b" targetRef="end"'))
    report = check(text)
    assert {FlowRule.DEAD_END, FlowRule.UNKNOWN_DEPARTMENT} <= rules(report)
    answer = json.dumps(report.to_dict(), ensure_ascii=False)
    assert len(answer.encode()) < 20_000, len(answer.encode())
    assert any("…" in p.message_zh for p in report.problems)


def test_a_huge_id_and_countless_problems_are_bounded_too() -> None:
    huge = "x" * 300_000
    tasks = "".join(f'<bpmn:task id="{huge}{i}"/>' for i in range(3))
    text = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
            f'<bpmn:process id="{huge}" isExecutable="true">{tasks}'
            + "".join(f'<bpmn:task id="t{i}"/>' for i in range(1000)) + "</bpmn:process></bpmn:definitions>")
    report = check(text, None)
    assert len(report.problems) == MAX_PROBLEMS + 1 and report.problems[-1].rule == FlowRule.TOO_MANY_PROBLEMS
    assert all(len(p.element_id or "") <= 201 for p in report.problems)
    assert len(json.dumps(report.to_dict(), ensure_ascii=False).encode()) < 1_000_000
