"""What is hidden stays hidden (issue 22, item 1), checked by COMPUTED visibility — what the person
sees after the style sheet is applied, not the ``hidden`` attribute: on the task page only the parts
of the decision picked; while a special procedure runs, only its end is offered; the calendar offers
its confirmation only for a year without official data; the login page has no "退出登录" when signed
out; the users page shows edit-mode controls only in edit mode."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application

# Shown only for the decision picked: licence number (approve), materials (correct), reason (reject, correct).
DECISION_PARTS = {"licence": "#licence-field", "materials": "#decide [data-when='correct']",
                  "reason": "#decide [data-when='reject correct']"}
SHOWN_FOR = {None: set(), "approve": {"licence"}, "reject": {"reason"}, "correct": {"materials", "reason"}}


def shown(page: Any, selector: str) -> bool:
    """Whether the person sees the element: Playwright's visibility (a box of some size, not
    ``visibility: hidden``) and no ``display: none`` on it or any ancestor, computed."""
    element = page.query_selector(selector)
    assert element is not None, f"{selector} is not on {page.url}"
    computed = element.evaluate(
        "(node) => { for (let n = node; n; n = n.parentElement) {"
        " if (getComputedStyle(n).display === 'none') return false; } return true; }")
    return bool(element.is_visible()) and bool(computed)


def restaurant_task(server: LiveServer, item: str = "cy.yyzz") -> dict[str, Any]:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(server.engine)}
    case = server.call("POST", "/api/cases", body, login="clerk")
    return dict(next(t for t in case["open_tasks"] if t["item"] == item))


def test_the_task_page_shows_only_the_parts_of_the_decision_picked(desks: Any, live_server: LiveServer) -> None:
    task = restaurant_task(live_server)
    reviewer = desks("scjg.reviewer")
    page = reviewer.open(f"/app/tasks/{task['id']}")
    page.wait_for_selector("#decide input[value=approve]")
    assert shown(page, "#decision-section")
    for decision, expected in SHOWN_FOR.items():
        if decision is not None:
            page.check(f"#decide input[name=decision][value={decision}]")
        seen = {part for part, selector in DECISION_PARTS.items() if shown(page, selector)}
        assert seen == expected, f"decision {decision}: shown {sorted(seen)}, expected {sorted(expected)}"
        reviewer.shot(f"decision-{decision or 'none'}")


def test_while_paused_only_the_end_of_the_procedure_is_offered(desks: Any, live_server: LiveServer) -> None:
    task = restaurant_task(live_server)
    reviewer = desks("scjg.reviewer")
    page = reviewer.open(f"/app/tasks/{task['id']}")
    page.wait_for_selector("#procedure-section")
    assert shown(page, "#pause button[type=submit]") and not shown(page, "#resume")

    page.select_option("#procedure", index=1)
    page.fill("#pause-reason", "现场检验")
    page.click("#pause button[type=submit]")
    page.wait_for_selector("#flash .notice.ok:has-text('特别程序')")
    reviewer.settle()
    assert live_server.call("GET", f"/api/tasks/{task['id']}", login="scjg.reviewer")["clock"]["paused"]
    assert shown(page, "#resume"), "特别程序结束 is not offered while paused"
    assert not shown(page, "#pause button[type=submit]"), "开始特别程序 is offered while paused"
    assert not shown(page, "#procedure")
    reviewer.shot("paused")

    # Opened afresh, the paused task offers the same.
    page = reviewer.open(f"/app/tasks/{task['id']}", shot="paused-reopened")
    page.wait_for_selector("#resume")
    assert shown(page, "#resume") and not shown(page, "#pause button[type=submit]")


def test_the_calendar_offers_confirmation_only_for_a_year_without_official_data(
        desks: Any, live_server: LiveServer) -> None:
    admin = desks("admin")
    page = admin.open("/app/admin/calendar")
    page.wait_for_selector("#year-status .badge")
    years = [str(v) for v in page.eval_on_selector_all("#year option", "options => options.map((o) => o.value)")]
    official_seen = unofficial_seen = False
    for year in years:
        page.select_option("#year", year)
        admin.settle()
        state = live_server.call("GET", f"/api/calendar/{year}", login="admin")
        page.wait_for_function("(y) => document.getElementById('year').value === y", arg=year)
        if state["official"]:
            official_seen = True
            assert not shown(page, "#confirm"), f"确认本年度工作日历 is offered for {year}, which has official data"
            admin.shot(f"official-{year}")
        elif state["needs_confirmation"]:
            unofficial_seen = True
            assert shown(page, "#confirm"), f"{year} has no official data and cannot be confirmed"
    assert official_seen and unofficial_seen, years


def test_the_login_page_has_no_sign_out_when_signed_out(desks: Any) -> None:
    visitor = desks(None)
    page = visitor.open("/app/login", shot="login")
    page.wait_for_selector("#login-form")
    assert not shown(page, "#logout"), "退出登录 is shown to a signed-out visitor"
    assert not shown(page, "#signed-in")
    for link in page.query_selector_all("#nav a"):
        assert not link.is_visible(), f"the navigation offers {link.inner_text()} when signed out"


def test_the_users_page_shows_each_mode_its_own_controls(desks: Any) -> None:
    admin = desks("admin")
    page = admin.open("/app/admin/users")
    page.wait_for_selector("#users table")
    # Create mode: no activation box, no way back to create mode.
    assert not shown(page, "#active-box") and not shown(page, "#new-user")
    assert page.inner_text("#save-user") == "创建用户" and page.is_enabled("#u-login")

    page.click("#users tr:has-text('clerk') button:has-text('编辑')")
    page.wait_for_selector("#user-form-title:has-text('编辑用户')")
    assert shown(page, "#active-box") and shown(page, "#new-user")
    assert page.inner_text("#save-user") == "保存修改", "the create button is offered in edit mode"
    assert not page.is_enabled("#u-login")
    admin.shot("edit-mode")

    page.click("#new-user")
    page.wait_for_selector("#user-form-title:has-text('新建用户')")
    assert not shown(page, "#active-box") and not shown(page, "#new-user")
    assert page.inner_text("#save-user") == "创建用户" and page.is_enabled("#u-login")
