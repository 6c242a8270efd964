"""A head at the task page of a task a reviewer has claimed: a failed try leaves its error, the
extension then succeeds over the reviewer's claim, the error is gone and the clock (its tooltip
too) shows the new limit; a reassignment names both people in the timeline; the head, now the
claimant, releases the task (放弃认领) and it can be claimed again."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application


def clock_title(page: Any) -> str:
    return str(page.get_attribute("#task-summary .clock", "title"))


def visible_errors(page: Any) -> list[str]:
    """Error texts a person sees: the error notice and the field errors."""
    return [str(t) for t in page.eval_on_selector_all(
        "#flash .notice.error, [data-error-for]",
        "nodes => nodes.filter((n) => n.offsetParent !== null && n.textContent.trim()).map((n) => n.textContent)")]


def test_head_extends_a_claimed_task_and_the_page_shows_the_new_limit(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    case = live_server.call("POST", "/api/cases", body, login="clerk")
    task = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
    live_server.call("POST", f"/api/tasks/{task['id']}/claim", login="scjg.reviewer")
    limit = task["clock"]["limit_days"]

    head = desks("scjg.head")
    page = head.open(f"/app/tasks/{task['id']}")
    page.wait_for_selector("#task-summary .clock")
    assert f"时限 {limit} 个工作日" in clock_title(page)
    assert page.is_visible("#head-section")

    # A try that fails: a reason is required.
    page.fill("#extend-days", "5")
    page.click("#extend button[type=submit]")
    page.wait_for_selector("#flash .notice.error")
    assert visible_errors(page)

    page.fill("#extend-reason", "需现场核查")
    page.click("#extend button[type=submit]")
    page.wait_for_selector("#flash .notice.ok:has-text('已延长')")
    head.settle()
    assert visible_errors(page) == []
    assert "已由" not in page.inner_text("#flash")
    assert f"时限 {limit + 5} 个工作日" in clock_title(page)
    # The claim stays the reviewer's, shown by name.
    assert page.inner_text("#task-summary").count("市场监督管理局审批员（演示）") == 1
    head.shot("extended")

    page.fill("#assignee", "scjg.head")
    page.click("#assign button[type=submit]")
    page.wait_for_selector("#flash .notice.ok:has-text('已改派给')")
    head.settle()
    assert visible_errors(page) == []
    timeline = page.inner_text("#case-timeline")
    # From whom to whom, by the people's names (the demo users': "<department>审批员（演示）").
    assigned = r"改派任务 \S+负责人（演示）（[^）]+）：[^\n]*由 \S+审批员（演示） 改派给 \S+负责人（演示）"
    assert re.search(assigned, timeline), timeline

    page.click("#unclaim")
    page.wait_for_selector("#claim")
    head.settle()
    assert visible_errors(page) == []
    assert "放弃认领" in page.inner_text("#case-timeline")
    assert live_server.call("GET", f"/api/tasks/{task['id']}", login="scjg.head")["state"] == "ready"
    head.shot("released")
