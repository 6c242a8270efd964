"""Other people's BPMN: every file of the BPMN MIWG conformance corpus gets a report, quickly, never an exception.

The corpus (``../shared/conformance/miwg``, beside the repository) holds the MIWG reference models and their
Camunda Modeler exports: what an administrator might upload. None of them is a one-thing flow, so each report
must carry at least one error saying what keeps the file from running here.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from engine.domain.flow_problems import FlowReport, FlowRule
from engine.workflow.flow_check import check_flow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "conformance" / "miwg"
FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []
EXPECTED_FILES = 64  # 21 reference models and 43 Camunda Modeler exports and round trips
SECONDS = 5
RULES = {rule.value for rule in FlowRule}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def shipped_bundles() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "bpmn").glob("*/bundle.json"))]


DEPARTMENTS = frozenset(code for bundle in shipped_bundles() for code in bundle["departments"])
RESTAURANT = next(b for b in shipped_bundles() if b["code"] == "restaurant")


def test_the_whole_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the conformance corpus is not checked out at {CORPUS}")
    assert len(FILES) >= EXPECTED_FILES, FILES


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_gets_an_explanatory_report_in_seconds(name: str) -> None:
    xml = (CORPUS / name).read_bytes()
    for bundle in (None, RESTAURANT):
        started = time.monotonic()
        report = check_flow(xml, bundle, DEPARTMENTS)
        assert time.monotonic() - started < SECONDS
        assert isinstance(report, FlowReport)
        assert not report.ok and report.errors, "a file that is not ours must say why"
        json.dumps(report.to_dict(), ensure_ascii=False)
        for problem in report.problems:
            assert problem.rule in RULES
            assert CHINESE.search(problem.message_zh) and problem.message_en.strip(), problem
            assert problem.line is None or problem.line >= 1, problem
            if problem.element_id is not None:  # it points at something the administrator can find
                assert problem.element_id.encode("utf-8") in xml, problem
