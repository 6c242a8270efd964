"""Every file of the BPMN MIWG conformance corpus uploaded through the API gets a clear answer: an accepted
version, or a 4xx with the structured problems; never a server error, never a hang.

The corpus (``../shared/conformance/miwg``, beside the repository) holds models drawn by other tools: what an
administrator might upload as a flow of 开办餐饮店.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from engine.domain.flow_problems import FlowRule
from tests.conftest import ADMIN

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "conformance" / "miwg"
FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []
EXPECTED_FILES = 64
SECONDS = 10
RULES = {rule.value for rule in FlowRule}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_whole_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the conformance corpus is not checked out at {CORPUS}")
    assert len(FILES) >= EXPECTED_FILES, FILES


@pytest.mark.parametrize("name", FILES)
def test_every_corpus_file_gets_a_version_or_its_problems(client: Any, name: str) -> None:
    xml = (CORPUS / name).read_bytes()
    started = time.monotonic()
    answer = client.post("/api/flows?bundle=restaurant", data=xml,
                         headers={**ADMIN, "Content-Type": "application/xml"})
    assert time.monotonic() - started < SECONDS
    assert answer.status_code in (200, 201, 413, 422), (answer.status_code, answer.json)
    body = answer.json
    versions = client.get("/api/flows/restaurant/versions", headers=ADMIN).json["versions"]
    if answer.status_code in (200, 201):
        assert body["report"]["ok"] is True and body["version"]["version"] in [v["version"] for v in versions]
        return
    assert {"code", "message", "message_zh", "errors"} <= set(body)
    assert len(versions) == 1, "a refused file is not stored"
    if answer.status_code == 413:
        return
    assert body["code"] == "flow_refused" and body["errors"]
    problems = body["problems"]
    assert any(p["severity"] == "error" for p in problems)
    for problem in problems:
        assert problem["rule"] in RULES and problem["severity"] in ("error", "warning")
        assert CHINESE.search(problem["message_zh"]) and problem["message_en"].strip(), problem
        if problem["element_id"] is not None:  # it points at something the administrator can find
            assert problem["element_id"].encode("utf-8") in xml, problem
