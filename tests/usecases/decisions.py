"""Taking a case through its approvals on the fake: each department's reviewer approves as tasks
open (with ``tests.approvals``, so that the answers follow the typed commands)."""

from __future__ import annotations

from engine.domain.model import Actor
from engine.domain.records import CaseRecord
from engine.services.tasks import CompleteTask, complete_task
from tests.approvals import approved
from tests.fakes.context import FakeContext
from tests.usecases.applications import CG, SCJG, WJ, XF, open_tasks

REVIEWERS = {"scjg": SCJG, "wj": WJ, "cg": CG, "xf": XF}


def approve_all(fake: FakeContext, case: CaseRecord, reviewers: dict[str, Actor] | None = None) -> list[str]:
    """Approve every approval as it opens; answers the item codes in the order approved."""
    reviewers = reviewers or REVIEWERS
    done = []
    while approvals := sorted((t for t in open_tasks(fake, case).values() if t.kind == "approval"),
                              key=lambda t: t.item_code or ""):
        task = approvals[0]
        complete_task(CompleteTask(task.id, approved(task.item_code), reviewers[task.department]), fake.ctx)
        done.append(str(task.item_code))
    return done
