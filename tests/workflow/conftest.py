"""Every workflow these tests write is also written by SpiffWorkflow's own task converter, and the
two must be the same (engine/workflow/task_converter.py answers SpiffWorkflow's dictionaries)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.domain import jsoncodec
from engine.workflow.case_workflow import CaseWorkflow
from tests.workflow.stock_dump import stock_dict


@pytest.fixture(autouse=True)
def dumps_match_spiffworkflows_own(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    ours = CaseWorkflow.dump
    compared = [0]

    def checked(self: CaseWorkflow) -> str:
        written = ours(self)
        assert jsoncodec.loads(written) == stock_dict(self), "the fast task converter strayed from SpiffWorkflow's"
        compared[0] += 1
        return written

    monkeypatch.setattr(CaseWorkflow, "dump", checked)
    yield compared
