"""The form read in its groups (issue 22, item 6): the case and task pages list the case's form in
the unified form's groups and order, under the groups' headings, with the fields' Chinese labels."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application


def _shown(page: Any, box: str) -> list[list[Any]]:
    """(heading, [field labels]) of each group the page shows in ``box``, in the page's order."""
    return page.evaluate("""(box) => [...document.querySelectorAll(`${box} section.form-group`)].map((s) => [
        s.querySelector("h3").textContent,
        [...s.querySelectorAll("tbody tr")].map((tr) => tr.cells[0].textContent)])""", box)


def test_case_and_task_pages_list_the_form_in_its_groups(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    case = live_server.call("POST", "/api/cases", body, login="clerk")
    guide = live_server.call("GET", "/api/bundles/restaurant/guide", login="clerk")
    labels = {k: v["label"] for k, v in live_server.call("GET", "/api/catalogue/fields", login="clerk").items()}
    grouped = [[g["title"], [labels[k] for k in g["fields"] if k in case["form"]]] for g in guide["form"]["groups"]]
    expected = [[title, fields] for title, fields in grouped if fields]
    assert len(expected) > 1  # the restaurant's form has several groups
    flat = [label for _, fields in expected for label in fields]
    assert flat != [labels[k] for k in case["form"]]  # the form's order is not the answer's key order
    assert flat != sorted(flat)

    clerk = desks("clerk")
    page = clerk.open(f"/app/cases/{case['number']}")
    assert _shown(page, "#case-form") == expected
    assert "正在加载" not in page.inner_text("#case-form")
    clerk.shot("case-form-groups")

    # A department's task: its item's fields in the same order, and the whole form in its groups.
    task = next(t for t in case["open_tasks"] if t["department"] == "scjg")
    reviewer = desks("scjg.reviewer")
    page = reviewer.open(f"/app/tasks/{task['id']}")
    item = next(i for i in guide["items"] if i["code"] == task["item"])
    own = {labels[k] for k in item["fields"]}
    item_fields = [[title, [f for f in fields if f in own]] for title, fields in expected]
    assert _shown(page, "#item-form") == [[title, fields] for title, fields in item_fields if fields]
    assert _shown(page, "#full-form") == expected
    reviewer.shot("task-form-groups")
