"""check_flow: every rule broken by a small hand-made flow, hostile XML refused, shipped flows clean."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.domain.flow_problems import MAX_PROBLEMS, FlowProblem, FlowReport, FlowRule
from engine.workflow import flow_check, flow_graph, flow_support, flow_xml
from engine.workflow.flow_check import check_flow
from engine.workflow.specs import parse_flow
from tests.unit.flow_samples import (
    BUNDLE,
    CONDITION,
    DEPARTMENTS,
    FLOW,
    between_intake_and_split,
    flow,
    line_of,
    properties,
)

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
DEFINITIONS = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
               'targetNamespace="https://onething.example/t">')


def check(text: str | bytes, bundle: dict[str, Any] | None = BUNDLE, **options: Any) -> FlowReport:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return check_flow(data, bundle, DEPARTMENTS, **options)


def found(report: FlowReport, rule: FlowRule, element_id: str | None = None) -> list[FlowProblem]:
    """The problems of ``rule`` (on ``element_id`` when given); asserts there is at least one, and that each
    speaks both languages."""
    hits = [p for p in report.problems if p.rule == rule.value and (element_id is None or p.element_id == element_id)]
    assert hits, f"expected {rule.value} on {element_id}: {json.dumps(report.to_dict(), ensure_ascii=False)}"
    for problem in hits:
        assert CHINESE.search(problem.message_zh), problem
        assert re.search("[a-z]{3}", problem.message_en), problem
    return hits


def refused(report: FlowReport, rule: FlowRule, element_id: str | None = None) -> FlowProblem:
    assert not report.ok
    problem = found(report, rule, element_id)[0]
    assert problem.severity == "error"
    return problem


def warned(report: FlowReport, rule: FlowRule, element_id: str | None = None) -> FlowProblem:
    problem = found(report, rule, element_id)[0]
    assert problem.severity == "warning"
    return problem


def shipped(code: str) -> tuple[bytes, dict[str, Any]]:
    bundle: dict[str, Any] = json.loads((BPMN / code / "bundle.json").read_text(encoding="utf-8"))
    return (BPMN / code / "flow.bpmn").read_bytes(), bundle


def all_departments() -> set[str]:
    return {code for name in BUNDLES for code in shipped(name)[1]["departments"]}


# --- the good cases ---------------------------------------------------------------------------------------


def test_the_sample_flow_passes_without_a_single_problem() -> None:
    report = check(FLOW)
    assert report.ok and report.problems == [], report.to_dict()
    assert (report.process_id, report.process_name) == ("demo", "演示一件事")
    parse_flow(FLOW.encode(), "demo")  # and deployment agrees


@pytest.mark.parametrize("code", BUNDLES)
def test_every_shipped_flow_passes_against_its_bundle(code: str) -> None:
    xml, bundle = shipped(code)
    report = check_flow(xml, bundle, all_departments())
    assert report.errors == [], json.dumps(report.to_dict(), ensure_ascii=False, indent=1)
    assert report.process_id == bundle["process_id"]


def test_without_a_bundle_the_item_checks_are_skipped() -> None:
    assert check(flow(('<spiff:property name="item" value="a" />', '<spiff:property name="item" value="zz" />')),
                 bundle=None).ok


def test_the_report_is_json_with_errors_first() -> None:
    report = check(between_intake_and_split(
        '<bpmn:task id="noop"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing></bpmn:task>',
        "noop").replace('value="pickup"', 'value="pick"'))
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["ok"] is False and data["error_count"] == len(report.errors) >= 1
    assert data["warning_count"] == len(report.warnings) >= 1
    severities = [p["severity"] for p in data["problems"]]
    assert severities == sorted(severities)  # "error" < "warning"
    assert set(data["problems"][0]) == {"element_id", "rule", "severity", "message_zh", "message_en", "line"}


# --- hostile and broken files ----------------------------------------------------------------------------

BILLION_LAUGHS = HEADER + """<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
""" + DEFINITIONS + '<bpmn:process id="p" name="&lol9;" isExecutable="true"/></bpmn:definitions>'

EXTERNAL_ENTITY = HEADER + '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + DEFINITIONS + \
    '<bpmn:process id="p" name="&xxe;" isExecutable="true"/></bpmn:definitions>'


def test_billion_laughs_is_refused_at_once() -> None:
    started = time.monotonic()
    report = check(BILLION_LAUGHS)
    assert time.monotonic() - started < 2
    problem = refused(report, FlowRule.DOCTYPE)
    assert problem.line == 2 and report.process_id is None and len(report.problems) == 1


@pytest.mark.parametrize("xml", [
    EXTERNAL_ENTITY,
    HEADER + '<!DOCTYPE d SYSTEM "http://example.invalid/evil.dtd">\n' + DEFINITIONS + "</bpmn:definitions>",
    HEADER + '<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://example.invalid/x">%remote;]>\n' + DEFINITIONS
    + "</bpmn:definitions>",
], ids=["file", "external-dtd", "parameter-entity"])
def test_external_entities_are_refused_and_never_read(xml: str) -> None:
    report = check(xml)
    refused(report, FlowRule.DOCTYPE)
    assert "root:" not in json.dumps(report.to_dict())


def test_the_parser_itself_would_not_expand_entities_either() -> None:
    # Belt and braces: even past the <!DOCTYPE check, the lxml parser keeps entities unexpanded.
    for xml in (EXTERNAL_ENTITY, BILLION_LAUGHS):
        try:
            root = etree.fromstring(xml.encode(), parser=flow_xml._hardened_parser())
        except etree.XMLSyntaxError:
            continue  # refusing outright is fine too
        text = etree.tostring(root)
        assert b"root:" not in text and len(text) < 10_000


def test_an_oversize_file_is_refused() -> None:
    padding = "<!-- " + "x" * 2_000_000 + " -->\n"
    big = FLOW.replace("<bpmn:process", padding + "<bpmn:process", 1)
    refused(check(big), FlowRule.TOO_LARGE)
    refused(check(FLOW, max_bytes=1000), FlowRule.TOO_LARGE)
    assert check(FLOW, max_bytes=len(FLOW.encode())).ok


@pytest.mark.parametrize(("data", "line"), [
    (FLOW.encode("gbk"), line_of(FLOW, "演示一件事")),
    (FLOW.encode("utf-16"), 1),
    (bytes(range(256)) * 4, 2),  # the first invalid byte, 0x80, comes after a newline (0x0a)
], ids=["gbk", "utf-16", "garbage"])
def test_bytes_that_are_not_utf8_are_refused_with_the_line(data: bytes, line: int) -> None:
    assert refused(check(data), FlowRule.ENCODING).line == line


def test_a_byte_order_mark_is_fine_and_a_wrong_declaration_only_warned() -> None:
    assert check(b"\xef\xbb\xbf" + FLOW.encode()).problems == []
    report = check(FLOW.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'))
    assert report.ok and warned(report, FlowRule.ENCODING_DECLARATION).line == 1


@pytest.mark.parametrize(("text", "rule"), [
    ("", FlowRule.EMPTY),
    ("  \n\t ", FlowRule.EMPTY),
    ("this is not XML at all", FlowRule.NOT_XML),
    (FLOW[: FLOW.index("<bpmn:userTask id=\"pickup\"")], FlowRule.NOT_XML),
    ('<definitions xmlns="http://example.com/not-bpmn"/>', FlowRule.NOT_BPMN),
    (HEADER + '<svg xmlns="http://www.w3.org/2000/svg"/>', FlowRule.NOT_BPMN),
    ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100501/MODEL"/>', FlowRule.NOT_BPMN),
])
def test_what_is_not_bpmn_xml_is_refused(text: str, rule: FlowRule) -> None:
    report = check(text)
    refused(report, rule)
    assert report.process_id is None


def test_a_syntax_error_gives_its_line() -> None:
    broken = FLOW.replace('<bpmn:endEvent id="end" name="办结">', '<bpmn:endEvent id="end" name="办结"', 1)
    assert refused(check(broken), FlowRule.NOT_XML).line == line_of(FLOW, '<bpmn:endEvent id="end"') + 1


@pytest.mark.parametrize("value", [None, 12345, ["<x/>"], object()])
def test_anything_that_is_not_bytes_gets_a_report(value: Any) -> None:
    refused(check_flow(value, BUNDLE, DEPARTMENTS), FlowRule.NOT_XML)


def test_text_is_read_as_utf8() -> None:
    assert check_flow(FLOW, BUNDLE, DEPARTMENTS).ok  # type: ignore[arg-type]


def test_any_prefix_of_a_shipped_flow_gets_a_report_and_never_an_exception() -> None:
    xml, bundle = shipped("restaurant")
    for cut in range(0, len(xml), max(1, len(xml) // 40)):
        report = check_flow(xml[:cut], bundle, all_departments())
        assert isinstance(report, FlowReport) and not report.ok


def test_deep_nesting_is_refused_by_the_parser() -> None:
    deep = HEADER + DEFINITIONS + "<bpmn:documentation>" * 400 + "</bpmn:documentation>" * 400 + \
        "</bpmn:definitions>"
    refused(check(deep), FlowRule.NOT_XML)


def test_a_huge_chain_is_checked_quickly_and_the_report_stays_short() -> None:
    tasks = "".join(f'<bpmn:task id="t{i}"/><bpmn:sequenceFlow id="f{i}" sourceRef="{"s" if i == 0 else f"t{i - 1}"}" '
                    f'targetRef="t{i}"/>' for i in range(6000))
    xml = HEADER + DEFINITIONS + '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>' + tasks + \
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="fe" sourceRef="t5999" targetRef="e"/></bpmn:process>' \
        "</bpmn:definitions>"
    started = time.monotonic()
    report = check(xml, bundle=None)
    assert time.monotonic() - started < 10
    assert len(report.problems) == MAX_PROBLEMS + 1
    assert report.problems[-1].rule == FlowRule.TOO_MANY_PROBLEMS
    refused(report, FlowRule.SPIFF_REJECTED)  # SpiffWorkflow's recursive parser gives up; we do not crash


# --- which process runs ------------------------------------------------------------------------------------

SECOND_PROCESS = ('<bpmn:process id="other" isExecutable="true"><bpmn:startEvent id="o_start"><bpmn:outgoing>o_f'
                  '</bpmn:outgoing></bpmn:startEvent><bpmn:endEvent id="o_end"><bpmn:incoming>o_f</bpmn:incoming>'
                  '</bpmn:endEvent><bpmn:sequenceFlow id="o_f" sourceRef="o_start" targetRef="o_end"/></bpmn:process>')


def test_a_process_that_is_not_executable_is_refused_but_still_checked() -> None:
    report = check(flow(('isExecutable="true"', 'isExecutable="false"')))
    assert refused(report, FlowRule.PROCESS_NOT_EXECUTABLE, "demo").line == line_of(FLOW, '<bpmn:process')
    assert report.process_id == "demo" and len(report.errors) == 1


def test_without_an_executable_process_there_is_nothing_to_run() -> None:
    text = flow(('isExecutable="true"', 'isExecutable="false"'),
                ("</bpmn:definitions>", SECOND_PROCESS.replace('"true"', '"false"') + "</bpmn:definitions>"))
    report = check(text, bundle=None)
    refused(report, FlowRule.NO_PROCESS)
    assert report.process_id is None
    refused(check(HEADER + DEFINITIONS + "</bpmn:definitions>", bundle=None), FlowRule.NO_PROCESS)


def test_several_executable_processes_need_the_bundle_to_say_which() -> None:
    text = flow(("</bpmn:definitions>", SECOND_PROCESS + "</bpmn:definitions>"))
    refused(check(text, bundle=None), FlowRule.SEVERAL_PROCESSES)
    report = check(text)
    assert report.ok and report.process_id == "demo"


def test_the_process_the_bundle_names_must_exist() -> None:
    refused(check(FLOW, bundle={**BUNDLE, "process_id": "elsewhere"}), FlowRule.PROCESS_NOT_FOUND)


def test_ids_must_be_unique() -> None:
    text = flow(('<bpmn:endEvent id="end"', '<bpmn:endEvent id="intake"'))
    assert refused(check(text), FlowRule.DUPLICATE_ID, "intake").line == line_of(FLOW, '<bpmn:endEvent')


# --- SpiffWorkflow's verdict -------------------------------------------------------------------------------


def test_what_spiffworkflow_refuses_is_reported_with_its_element_and_line() -> None:
    text = flow((' default="f_done_a"', ""))  # two ways out, one without condition, no default
    problem = refused(check(text), FlowRule.SPIFF_REJECTED, "f_done_a")
    assert problem.line == line_of(text, 'id="f_done_a"')


def test_anything_spiffworkflow_raises_becomes_unparseable(monkeypatch: pytest.MonkeyPatch) -> None:
    class Exploding:
        def add_bpmn_xml(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom at 0xdeadbeef")

    monkeypatch.setattr(flow_support, "FlowParser", Exploding)
    problem = refused(check(FLOW), FlowRule.UNPARSEABLE)
    assert "RuntimeError" in problem.message_en and "0xdeadbeef" not in problem.message_en


def test_a_failure_of_the_checks_themselves_still_answers_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> FlowReport:
        raise KeyError("bug")

    monkeypatch.setattr(flow_check, "lint_flow", broken)
    refused(check(FLOW), FlowRule.UNPARSEABLE)


# --- the one-thing conventions -----------------------------------------------------------------------------

INTAKE_KIND = '<spiff:property name="kind" value="intake" />'
PICKUP_KIND = '<spiff:property name="kind" value="pickup" />'


def test_the_intake_task_is_required() -> None:
    report = check(flow((INTAKE_KIND, "")))
    refused(report, FlowRule.INTAKE_MISSING)
    warned(report, FlowRule.NO_KIND, "intake")


def test_the_pickup_task_is_required() -> None:
    refused(check(flow((PICKUP_KIND, ""))), FlowRule.PICKUP_MISSING)


@pytest.mark.parametrize(("kind", "rule"), [("intake", FlowRule.INTAKE_SEVERAL), ("pickup", FlowRule.PICKUP_SEVERAL)])
def test_there_is_only_one_intake_and_one_pickup(kind: str, rule: FlowRule) -> None:
    text = between_intake_and_split(
        f'<bpmn:userTask id="again">{properties(kind)}<bpmn:incoming>f_intake</bpmn:incoming>'
        "<bpmn:outgoing>f_next</bpmn:outgoing></bpmn:userTask>", "again")
    report = check(text)
    refused(report, rule, "again")
    refused(report, rule, kind)


def test_intake_and_pickup_belong_to_the_window_lane() -> None:
    text = flow(("        <bpmn:flowNodeRef>intake</bpmn:flowNodeRef>\n", ""),
                ("<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>",
                 "<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef><bpmn:flowNodeRef>intake</bpmn:flowNodeRef>"))
    assert refused(check(text), FlowRule.WINDOW_LANE, "intake").line == line_of(text, '<bpmn:userTask id="intake"')


def test_lanes_are_named_by_known_department_codes() -> None:
    report = check(flow(('name="cg"', 'name="公安局"')))
    assert refused(report, FlowRule.UNKNOWN_DEPARTMENT, "lane_cg").line == line_of(FLOW, 'name="cg"')
    refused(report, FlowRule.APPROVAL_LANE, "approve_b")
    refused(check(flow((' name="cg"', ""))), FlowRule.UNKNOWN_DEPARTMENT, "lane_cg")


def test_a_user_task_outside_every_lane_is_warned() -> None:
    report = check(flow(("<bpmn:flowNodeRef>correct_a</bpmn:flowNodeRef>", "")))
    assert report.ok
    warned(report, FlowRule.NO_LANE, "correct_a")


def test_task_kinds_are_known_ones() -> None:
    text = flow(('value="approval" /><spiff:property name="item" value="b"',
                 'value="review" /><spiff:property name="item" value="b"'))
    refused(check(text), FlowRule.UNKNOWN_KIND, "approve_b")


def test_a_kind_on_anything_but_a_user_task_is_ignored_and_said_so() -> None:
    text = flow(('<bpmn:endEvent id="end" name="办结">', f'<bpmn:endEvent id="end" name="办结">{properties("pickup")}'))
    warned(check(text), FlowRule.KIND_IGNORED, "end")


def test_every_item_needs_an_approval_task() -> None:
    bundle = {**BUNDLE, "items": [*BUNDLE["items"], {"code": "c", "department": "scjg"}]}
    problem = refused(check(FLOW, bundle=bundle), FlowRule.APPROVAL_MISSING)
    assert "c" in problem.message_en and "scjg" in problem.message_zh


def test_an_approval_sits_in_its_departments_lane() -> None:
    bundle = {**BUNDLE, "items": [{"code": "a", "department": "scjg"}, {"code": "b", "department": "scjg"}]}
    assert refused(check(FLOW, bundle=bundle), FlowRule.APPROVAL_LANE, "approve_b").line == \
        line_of(FLOW, '<bpmn:userTask id="approve_b"')


def test_lane_messages_name_departments_as_the_bundle_does() -> None:
    bundle = {**BUNDLE, "departments": {"scjg": "市场监督管理局", "cg": "城市管理局"},
              "items": [{"code": "a", "department": "scjg"}, {"code": "b", "department": "scjg"}]}
    problem = refused(check(FLOW, bundle=bundle), FlowRule.APPROVAL_LANE, "approve_b")
    assert "“市场监督管理局”（scjg）的泳道" in problem.message_zh
    assert "实际在“城市管理局”（cg）泳道" in problem.message_zh
    assert "'cg' lane" in problem.message_en  # the English message keeps the codes
    text = flow(("        <bpmn:flowNodeRef>intake</bpmn:flowNodeRef>\n", ""),
                ("<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef>",
                 "<bpmn:flowNodeRef>approve_b</bpmn:flowNodeRef><bpmn:flowNodeRef>intake</bpmn:flowNodeRef>"))
    assert "须位于“综合窗口”（window）泳道" in refused(check(text), FlowRule.WINDOW_LANE, "intake").message_zh


def test_a_second_approval_of_the_same_item_is_warned() -> None:
    text = between_intake_and_split(
        f'<bpmn:userTask id="approve_a2">{properties("approval", "a")}<bpmn:incoming>f_intake</bpmn:incoming>'
        "<bpmn:outgoing>f_next</bpmn:outgoing></bpmn:userTask>", "approve_a2", lane="scjg")
    report = check(text)
    assert report.ok
    warned(report, FlowRule.APPROVAL_SEVERAL, "approve_a2")


def test_approvals_and_corrections_name_an_item_of_the_bundle() -> None:
    missing = check(flow(('<spiff:property name="item" value="b" />', "")))
    refused(missing, FlowRule.ITEM_MISSING, "approve_b")
    refused(missing, FlowRule.APPROVAL_MISSING)
    unknown = check(flow(('<spiff:property name="item" value="b" />', '<spiff:property name="item" value="zz" />')))
    refused(unknown, FlowRule.UNKNOWN_ITEM, "approve_b")


@pytest.mark.parametrize("bundle", [
    {"process_id": "demo"}, {"process_id": "demo", "items": "nope"}, {"process_id": "demo", "items": [{"code": 1}]},
    {"process_id": "demo", "items": [None]},
])
def test_a_malformed_bundle_is_reported_not_raised(bundle: dict[str, Any]) -> None:
    refused(check(FLOW, bundle=bundle), FlowRule.BUNDLE_INVALID)


# --- the shape of the graph --------------------------------------------------------------------------------


def test_an_outgoing_reference_without_its_sequence_flow_is_refused() -> None:
    text = flow(('<bpmn:sequenceFlow id="f_done_b" sourceRef="approve_b" targetRef="join" />', ""))
    report = check(text)
    assert refused(report, FlowRule.MISSING_FLOW, "approve_b").line == line_of(text, '<bpmn:userTask id="approve_b"')
    refused(report, FlowRule.MISSING_FLOW, "join")
    refused(report, FlowRule.DEAD_END, "approve_b")


def test_a_reference_to_a_flow_that_connects_something_else_is_refused() -> None:
    report = check(flow(("<bpmn:outgoing>f_done_b</bpmn:outgoing>", "<bpmn:outgoing>f_join</bpmn:outgoing>")))
    refused(report, FlowRule.FLOW_MISMATCH, "approve_b")
    warned(report, FlowRule.UNDECLARED_FLOW, "f_done_b")


def test_a_sequence_flow_must_join_existing_elements() -> None:
    text = flow(('sourceRef="pickup" targetRef="end"', 'sourceRef="pickup" targetRef="nowhere"'))
    assert refused(check(text), FlowRule.DANGLING_FLOW, "f_pickup").line == line_of(text, 'id="f_pickup"')


def test_a_process_needs_a_start_event() -> None:
    text = flow(('<bpmn:startEvent id="start" name="申请人到综合窗口">', '<bpmn:intermediateThrowEvent id="start">'),
                ("</bpmn:startEvent>", "</bpmn:intermediateThrowEvent>"))
    refused(check(text), FlowRule.NO_START, "demo")


def test_only_end_events_may_have_no_way_out() -> None:
    text = flow(('<bpmn:sequenceFlow id="f_pickup" sourceRef="pickup" targetRef="end" />', ""),
                ("<bpmn:outgoing>f_pickup</bpmn:outgoing>", ""), ("<bpmn:incoming>f_pickup</bpmn:incoming>", ""))
    report = check(text)
    refused(report, FlowRule.DEAD_END, "pickup")
    warned(report, FlowRule.UNREACHABLE, "end")


UNJOINED = (('targetRef="join" />\n    <bpmn:sequenceFlow id="f_join"', 'targetRef="end_b" />\n    '
             '<bpmn:endEvent id="end_b"><bpmn:incoming>f_done_b</bpmn:incoming></bpmn:endEvent>\n    '
             '<bpmn:sequenceFlow id="f_join"'),
            ("<bpmn:incoming>f_done_b</bpmn:incoming>\n      <bpmn:outgoing>f_join", "<bpmn:outgoing>f_join"))


def test_parallel_branches_that_end_apart_are_warned() -> None:
    """SpiffWorkflow runs them (the case ends with the last branch; tests/workflow/test_foreign_flows.py), but
    the results may be handed over before the other branch is done."""
    text = flow(*UNJOINED)
    report = check(text)
    assert report.ok, report.to_dict()
    assert warned(report, FlowRule.PARALLEL_UNJOINED, "split").line == line_of(text, 'parallelGateway id="split"')


def test_a_parallel_branch_that_can_never_end_is_refused() -> None:
    text = flow(*UNJOINED, ('<bpmn:sequenceFlow id="f_done_b" sourceRef="approve_b" targetRef="end_b" />',
                            '<bpmn:sequenceFlow id="f_done_b" sourceRef="approve_b" targetRef="approve_b" />'))
    assert refused(check(text), FlowRule.PARALLEL_UNJOINED, "split").line == line_of(text, 'parallelGateway id="split"')


def test_the_parallel_check_gives_up_with_a_warning_past_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow_graph, "PARALLEL_STEP_BUDGET", 2)
    warned(check(FLOW), FlowRule.PARALLEL_UNCHECKED, "split")


def test_a_condition_where_it_is_ignored_is_warned() -> None:
    text = flow(('<bpmn:sequenceFlow id="f_split_b" sourceRef="split" targetRef="approve_b" />',
                 '<bpmn:sequenceFlow id="f_split_b" sourceRef="split" targetRef="approve_b">'
                 "<bpmn:conditionExpression>True</bpmn:conditionExpression></bpmn:sequenceFlow>"))
    warned(check(text), FlowRule.CONDITION_IGNORED, "f_split_b")


# --- conditions, scripts and timers ------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [
    "__import__('os').system('id')",
    "results.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "[x for x in range(10)] if open('/etc/passwd') else 1",
    'results["a"][',
])
def test_a_condition_the_safe_evaluator_refuses_is_refused(condition: str) -> None:
    text = flow((CONDITION, condition.replace("&", "&amp;").replace("<", "&lt;")))
    problem = refused(check(text), FlowRule.CONDITION_REFUSED, "f_correct_a")
    assert problem.line == line_of(text, "<bpmn:conditionExpression>")


def test_functions_the_engine_adds_are_allowed_in_conditions() -> None:
    text = flow((CONDITION, "is_small(results)"))
    refused(check(text), FlowRule.CONDITION_REFUSED, "f_correct_a")
    assert check(text, functions={"is_small"}).ok


def script_task(script: str) -> str:
    return between_intake_and_split(
        f'<bpmn:scriptTask id="calc"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
        f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>", "calc")


def test_a_safe_script_passes() -> None:
    assert check(script_task("fee = len(results) * 2\nif fee &gt; 3:\n    fee = 3")).problems == []


@pytest.mark.parametrize("script", ["import os", "__import__('os').system('rm -rf /')", "x = ().__class__",
                                    "while True:\n    pass", "def f():\n    return 1"])
def test_a_script_the_safe_evaluator_refuses_is_refused(script: str) -> None:
    refused(check(script_task(script)), FlowRule.SCRIPT_REFUSED, "calc")


def test_a_refused_script_line_points_into_the_script() -> None:
    text = script_task("fee = 1\nok = True\nimport os")
    assert refused(check(text), FlowRule.SCRIPT_REFUSED, "calc").line == line_of(text, "<bpmn:script>") + 2


def test_a_script_task_without_a_script_is_refused() -> None:
    refused(check(script_task("")), FlowRule.SCRIPT_REFUSED, "calc")


def test_pre_and_post_scripts_are_checked_too() -> None:
    closing = 'value="b" />\n      </spiff:properties>'
    text = flow((closing, closing + "<spiff:preScript>data = open('/etc/passwd')</spiff:preScript>"))
    refused(check(text), FlowRule.SCRIPT_REFUSED, "approve_b")


def timer(kind: str, expression: str) -> str:
    """FLOW with a non-interrupting timer on item b's approval; ``expression`` is raw XML content."""
    body = expression if kind == "" else f"<bpmn:{kind}>{expression}</bpmn:{kind}>"
    return flow(
        ('<bpmn:parallelGateway id="join"',
         '<bpmn:boundaryEvent id="remind" attachedToRef="approve_b" cancelActivity="false">'
         f"<bpmn:outgoing>f_remind</bpmn:outgoing><bpmn:timerEventDefinition>{body}</bpmn:timerEventDefinition>"
         '</bpmn:boundaryEvent>\n    <bpmn:endEvent id="reminded"><bpmn:incoming>f_remind</bpmn:incoming>'
         '</bpmn:endEvent>\n    <bpmn:sequenceFlow id="f_remind" sourceRef="remind" targetRef="reminded" />\n    '
         '<bpmn:parallelGateway id="join"'))


@pytest.mark.parametrize(("kind", "expression"), [
    ("timeDuration", '"PT2H"'), ("timeDuration", '"P3D"'), ("timeDuration", "'P1DT12H'"),
    ("timeDate", "working_days(5)"), ("timeDate", '"2026-10-01T09:00:00+08:00"'),
    ("timeDate", "working_days(0)"), ("timeCycle", '"R3/PT1H"'),
])
def test_valid_timers_pass(kind: str, expression: str) -> None:
    text = timer(kind, expression)
    assert check(text).problems == []
    parse_flow(text.encode(), "demo")


@pytest.mark.parametrize(("kind", "expression", "hint"), [
    ("timeDuration", "PT2H", "quoted"),
    ("timeDuration", '"2 hours"', "ISO 8601"),
    ("timeDuration", '"P"', "ISO 8601"),
    ("timeDuration", '"2026-10-01T09:00:00"', "ISO 8601"),
    ("timeDate", '"PT2H"', "ISO 8601"),
    ("timeCycle", '"PT1H"', "ISO 8601"),
    ("timeCycle", "working_days(2)", "cycle"),
    ("timeDate", "working_days(-1)", "whole number"),
    ("timeDate", 'working_days("5")', "whole number"),
    ("timeDate", "working_days(n)", "whole number"),
    ("timeDate", "working_days(True)", "whole number"),
    ("timeDuration", "working_days(5)", "only be used in a timeDate"),
    ("timeDate", "working_days(367)", "whole number"),
    ("timeDuration", "__import__('os')", "safe evaluator"),
    ("timeDuration", "days * 2", "only"),
    ("timeDuration", "", "empty"),
    ("", "", "no time"),
    ("", '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration><bpmn:timeDate>"2026-01-01"</bpmn:timeDate>', "more than one"),
])
def test_invalid_timers_are_refused(kind: str, expression: str, hint: str) -> None:
    problem = refused(check(timer(kind, expression)), FlowRule.TIMER_EXPRESSION, "remind")
    assert hint in problem.message_en


# --- what the engine cannot run ---------------------------------------------------------------------------


@pytest.mark.parametrize(("element", "lane"), [
    ('<bpmn:serviceTask id="x"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
     "</bpmn:serviceTask>", "window"),
    ('<bpmn:manualTask id="x"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
     "</bpmn:manualTask>", "window"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next'
     "</bpmn:outgoing><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>", "window"),
    ('<bpmn:callActivity id="x" calledElement="elsewhere"><bpmn:incoming>f_intake</bpmn:incoming>'
     "<bpmn:outgoing>f_next</bpmn:outgoing></bpmn:callActivity>", "window"),
    ('<bpmn:businessRuleTask id="x"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
     "</bpmn:businessRuleTask>", "window"),
], ids=["service", "manual", "message", "call-elsewhere", "business-rule"])
def test_elements_the_engine_cannot_run_are_refused(element: str, lane: str) -> None:
    report = check(between_intake_and_split(element, "x", lane))
    refused(report, FlowRule.UNSUPPORTED_ELEMENT, "x")
    # Ours explains it; SpiffWorkflow's complaint about the same element is not repeated.
    assert not [p for p in report.problems if p.rule == FlowRule.SPIFF_REJECTED and p.element_id == "x"]


def test_a_call_activity_into_the_same_file_is_fine() -> None:
    text = between_intake_and_split(
        '<bpmn:callActivity id="x" calledElement="other"><bpmn:incoming>f_intake</bpmn:incoming>'
        "<bpmn:outgoing>f_next</bpmn:outgoing></bpmn:callActivity>", "x")
    text = text.replace("</bpmn:definitions>", SECOND_PROCESS.replace('"true"', '"false"') + "</bpmn:definitions>")
    report = check(text.replace('id="other" isExecutable="false"', 'id="other" isExecutable="true"'), bundle=None)
    assert report.ok and report.process_id == "demo", report.to_dict()


def test_a_data_store_is_refused() -> None:
    text = flow(("<bpmn:process ", '<bpmn:dataStore id="store" name="Archive" />\n  <bpmn:process '))
    refused(check(text), FlowRule.UNSUPPORTED_ELEMENT, "store")


def test_an_untyped_task_is_only_warned() -> None:
    report = check(between_intake_and_split(
        '<bpmn:task id="noop"><bpmn:incoming>f_intake</bpmn:incoming><bpmn:outgoing>f_next</bpmn:outgoing>'
        "</bpmn:task>", "noop"))
    assert report.ok
    warned(report, FlowRule.LIMITED_ELEMENT, "noop")


def test_a_loop_with_nothing_that_waits_is_refused() -> None:
    """A correction loop goes through a person; one made of gateways and scripts would spin forever."""
    spinning = (FLOW.replace('<bpmn:userTask id="correct_a" name="补正材料：事项甲">',
                             '<bpmn:scriptTask id="correct_a" name="自动补正">')
                .replace('<bpmn:outgoing>f_resume_a</bpmn:outgoing>\n    </bpmn:userTask>',
                         '<bpmn:outgoing>f_resume_a</bpmn:outgoing>\n      <bpmn:script>x = 1</bpmn:script>\n'
                         '    </bpmn:scriptTask>')
                .replace('sourceRef="correct_a" targetRef="approve_a"', 'sourceRef="correct_a" targetRef="decide_a"'))
    assert spinning != FLOW
    report = check_flow(spinning.encode(), BUNDLE, DEPARTMENTS)
    problem = found(report, FlowRule.AUTOMATIC_LOOP)[0]
    assert problem.severity == "error" and problem.element_id in ("decide_a", "correct_a")
    sample = check_flow(FLOW.encode(), BUNDLE, DEPARTMENTS)
    assert not [p for p in sample.problems if p.rule == FlowRule.AUTOMATIC_LOOP]


def test_a_wrong_declaration_is_corrected_only_for_utf8_bytes() -> None:
    from engine.workflow.flow_xml import declared_utf8

    text = '<?xml version="1.0" encoding="ISO-8859-1"?><a name="统一出件"/>'
    fixed = text.replace("ISO-8859-1", "UTF-8").encode()
    assert declared_utf8(text.encode()) == fixed
    assert declared_utf8(b"\xef\xbb\xbf" + text.encode()) == b"\xef\xbb\xbf" + fixed
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a name="café"/>'.encode("latin-1")
    assert declared_utf8(latin) == latin  # really Latin-1: left alone (the check refuses it)
    plain = b'<?xml version="1.0" encoding="utf-8"?><a/>'
    assert declared_utf8(plain) == plain and declared_utf8(b"<a/>") == b"<a/>"
