"""Count what the upload check says about other tools' BPMN files: accepted, refused, and refused by which rule.

    .venv/bin/python tools/conformance_report.py                       # ../shared/conformance, as restaurant
    .venv/bin/python tools/conformance_report.py DIR --bundle hiring --json

Every ``*.bpmn`` file under DIR is "renamed so that every check runs": the process the engine would run
(the only executable one, or the one no call activity calls; else the file's first process) gets the id the
bundle names as its ``process_id``, and the references to it (a participant's ``processRef``, a call
activity's ``calledElement``) follow. Without that, a foreign file only ever says ``process-not-found``.
Nothing else is changed: a descriptive model stays non-executable, and says so.

Each renamed file goes through ``engine.workflow.flow_check.check_flow`` in this process, with the shipped
bundle's definition and every shipped department, as an upload through the API would. The report counts
accepted and refused files, for every rule how many refused files it refuses (errors) and how many files it
only warns about, and the checks' own failures (a ``check_flow`` that logged an exception, or one that
escaped it: each would have been a server error without the guard). Exit status 1 when there was any.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.domain.flow_problems import FlowProblem, FlowRule  # noqa: E402
from engine.workflow.flow_check import check_flow  # noqa: E402
from engine.workflow.flow_lint import choose_process  # noqa: E402
from engine.workflow.flow_model import build_model  # noqa: E402
from engine.workflow.flow_xml import read_flow_xml  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "conformance"
_REFERENCES = ("processRef", "calledElement")
CONVENTIONS = frozenset(rule.value for rule in (
    FlowRule.INTAKE_MISSING, FlowRule.INTAKE_SEVERAL, FlowRule.PICKUP_MISSING, FlowRule.PICKUP_SEVERAL,
    FlowRule.WINDOW_LANE, FlowRule.UNKNOWN_DEPARTMENT, FlowRule.UNKNOWN_KIND, FlowRule.APPROVAL_MISSING,
    FlowRule.APPROVAL_LANE, FlowRule.ITEM_MISSING, FlowRule.UNKNOWN_ITEM))
"""The one-thing conventions: what a foreign model cannot know, as opposed to what keeps it from running."""
SENDING = frozenset({"sendTask", "endEvent/message", "intermediateThrowEvent/message", "boundaryEvent/message"})
"""What sends a message or waits for one that never comes on an activity that goes on regardless."""


@dataclass
class Tally:
    files: int = 0
    accepted: int = 0
    refused: int = 0
    check_failures: list[str] = field(default_factory=list)
    refusing: Counter[str] = field(default_factory=Counter)
    """Rule → refused files in which it is an error."""
    warning_only: Counter[str] = field(default_factory=Counter)
    """Rule → files in which it is (only) a warning."""
    sole_reason: Counter[str] = field(default_factory=Counter)
    """Rule → refused files in which it is the only rule that is an error."""
    unsupported: Counter[str] = field(default_factory=Counter)
    """What ``unsupported-element`` refuses (the element's type and event definitions) → files."""
    sending: int = 0
    """Files refused for what only sends or never fires (see ``SENDING``), for a join at the end event or for
    a loop through untyped tasks: what SpiffWorkflow runs (issue 21, item 18)."""
    conventions_only: int = 0
    """Refused files whose every error is a one-thing convention: SpiffWorkflow and the engine would run them."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "accepted": self.accepted, "refused": self.refused,
            "refused_by_conventions_only": self.conventions_only,
            "refused_for_sending_unjoined_or_untyped_loop": self.sending,
            "check_failures": len(self.check_failures), "failed_files": self.check_failures,
            "refused_by_rule": dict(self.refusing.most_common()),
            "sole_reason": dict(self.sole_reason.most_common()),
            "warned_by_rule": dict(self.warning_only.most_common()),
            "unsupported_elements": dict(self.unsupported.most_common()),
        }


class _FailureCounter(logging.Handler):
    """Counts the exceptions ``check_flow`` catches and logs: the guard's work, i.e. bugs in the checks."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def renamed(xml: bytes, process_id: str) -> bytes:
    """``xml`` with the process that would run renamed to ``process_id``; unchanged when it cannot be read as
    BPMN (the check then says why) or has no process."""
    reading = read_flow_xml(xml)
    if reading.root is None:
        return xml
    root = reading.root
    model = build_model(root)
    chosen, _ = choose_process(model, None)
    target = chosen or (model.processes[0] if model.processes else None)
    if target is None or target.id == process_id:
        return xml
    old = target.id
    target.element.set("id", process_id)
    for element in root.iter():
        for attribute in _REFERENCES:
            if element.get(attribute) == old:
                element.set(attribute, process_id)
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))


def _unsupported(xml: bytes, errors: list[FlowProblem]) -> set[str]:
    """``unsupported-element`` errors by the type of what they name: ``sendTask``, ``endEvent/message``..."""
    refused_ids = {p.element_id for p in errors if p.rule == FlowRule.UNSUPPORTED_ELEMENT}
    if not refused_ids:
        return set()
    root = read_flow_xml(xml).root
    model = build_model(root) if root is not None else None
    found = set()
    for element_id in refused_ids:
        node = None if model is None or element_id is None else model.nodes.get(element_id)
        if node is None:
            found.add("dataStore" if element_id is not None and model is not None
                      and element_id in dict(model.data_stores) else "(no element)")
            continue
        events = "+".join(e.removesuffix("EventDefinition") for e in node.events)
        found.add(f"{node.type}/{events}" if events else node.type)
    return found


def shipped_bundles() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bpmn").glob("*/bundle.json"))]


def tally(corpus: Path, bundle: Mapping[str, Any], departments: frozenset[str]) -> Tally:
    counter = _FailureCounter()
    guard = logging.getLogger("engine.workflow")
    level, propagate = guard.level, guard.propagate
    guard.addHandler(counter)
    guard.setLevel(logging.ERROR)
    guard.propagate = False  # the guard's tracebacks are counted, not printed
    result = Tally()
    try:
        for path in sorted(corpus.rglob("*.bpmn")):
            name = path.relative_to(corpus).as_posix()
            result.files += 1
            before = counter.count
            xml = renamed(path.read_bytes(), str(bundle["process_id"]))
            try:
                report = check_flow(xml, bundle, departments)
            except Exception as err:  # the contract is that it never raises; count it if it does
                result.check_failures.append(f"{name}: {type(err).__name__}")
                continue
            if counter.count != before:
                result.check_failures.append(f"{name}: logged by the check's guard")
            if report.ok:
                result.accepted += 1
            else:
                result.refused += 1
            errors = {p.rule for p in report.errors}
            result.refusing.update(errors)
            if len(errors) == 1:
                result.sole_reason.update(errors)
            result.warning_only.update({p.rule for p in report.warnings} - errors)
            if errors and errors <= CONVENTIONS:
                result.conventions_only += 1
            unsupported = _unsupported(xml, report.errors)
            result.unsupported.update(unsupported)
            if unsupported & SENDING or errors & {FlowRule.PARALLEL_UNJOINED.value, FlowRule.AUTOMATIC_LOOP.value}:
                result.sending += 1
    finally:
        guard.removeHandler(counter)
        guard.setLevel(level)
        guard.propagate = propagate
    return result


def render(result: Tally, corpus: Path, bundle_code: str) -> str:
    lines = [f"corpus: {corpus} ({result.files} files), checked as the flow of {bundle_code}, renamed so that "
             "every check runs",
             f"accepted: {result.accepted}", f"refused: {result.refused}",
             f"refused only by the one-thing conventions (intake, pickup, approvals, lanes): {result.conventions_only}",
             "refused for a message sent or a message boundary event, a join at the end event or a loop through "
             f"untyped tasks: {result.sending} ({100 * result.sending / max(result.files, 1):.1f}%)",
             f"check failures (would be server errors): {len(result.check_failures)}"]
    lines.extend(f"  {failure}" for failure in result.check_failures)
    sections = (("refused files per rule (the rule is an error in the file)", result.refusing),
                ("refused files with this rule as the only error", result.sole_reason),
                ("files warned by a rule (a warning only)", result.warning_only),
                ("unsupported-element, files by what it refuses", result.unsupported))
    for title, counts in sections:
        lines.append(f"{title}:")
        width = max((len(rule) for rule in counts), default=0)
        lines.extend(f"  {rule:<{width}}  {count:>4}  {100 * count / max(result.files, 1):5.1f}%"
                     for rule, count in counts.most_common())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--bundle", default="restaurant", help="the shipped bundle to check the files as")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    bundles = shipped_bundles()
    bundle = next((b for b in bundles if b["code"] == args.bundle), None)
    if bundle is None:
        parser.error(f"no shipped bundle {args.bundle!r}")
    departments = frozenset(code for b in bundles for code in b["departments"])
    result = tally(args.corpus, bundle, departments)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) if args.json
          else render(result, args.corpus, args.bundle))
    return 1 if result.check_failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
