"""办件查询 and 部门待办 at the desk (issue 22, search): filter, sort, save the conditions as a 常用查询,
open the page afresh, apply the saved filter, delete it. The conditions live in the address, so the
page opened again at that address shows the same list; every list is the server's order."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.browser.conftest import LiveServer
from tests.conftest import applicant_for, application


def start_case(server: LiveServer, code: str) -> str:
    body = {"bundle": code, "applicant": applicant_for(server.engine, code), **application(server.engine, code)}
    return str(server.call("POST", "/api/cases", body, login="clerk")["number"])


def listed(page: Any, container: str) -> list[str]:
    """The case numbers of the rows shown, in order, once the list has been drawn."""
    page.wait_for_function(f"""() => {{ const t = document.querySelector('{container}').textContent;
        return !t.includes('正在') && t.trim() !== ''; }}""")
    return [str(n) for n in page.eval_on_selector_all(f"{container} tbody tr td:first-child a:first-child",
                                                         "links => links.map(a => a.textContent)")]


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def save_filter(page: Any, name: str) -> None:
    page.fill("#saved-filter-name", name)
    page.click("#saved-filter-save")
    page.wait_for_selector(f"#saved-filter-list a:text-is('{name}')")


def test_the_case_list_filters_sorts_and_keeps_a_saved_filter(desks: Any, live_server: LiveServer) -> None:
    first, second = start_case(live_server, "restaurant"), start_case(live_server, "restaurant")
    company = start_case(live_server, "company_start")

    clerk = desks("clerk")
    page = clerk.open("/app/cases")
    assert listed(page, "#case-list")[:3] == [company, second, first]  # newest first
    page.select_option("#bundle", "restaurant")
    page.select_option("#sort", "number")
    page.select_option("#order", "asc")
    page.click("#case-filter button[type=submit]")
    page.wait_for_function("() => location.search.includes('sort=number')")
    by_number = listed(page, "#case-list")  # this module's other tests may have added restaurant cases
    assert by_number == sorted(by_number) and company not in by_number
    assert by_number.index(first) + 1 == by_number.index(second)
    assert query_of(page) == {"bundle": ["restaurant"], "sort": ["number"], "order": ["asc"]}
    clerk.shot("filtered")

    # The address alone reopens the list; then the conditions are saved under a name.
    page = clerk.open(page.url.removeprefix(live_server.url))
    assert page.input_value("#sort") == "number" and page.input_value("#bundle") == "restaurant"
    assert listed(page, "#case-list") == by_number
    save_filter(page, "餐饮按编号")
    assert "已保存常用查询“餐饮按编号”" in page.inner_text("#flash")
    title = page.get_attribute("#saved-filter-list a:text-is('餐饮按编号')", "title")
    assert title == "一件事：开办餐饮店一件事；排序：办件编号；顺序：升序", title
    clerk.shot("saved")

    # The same name again: said beside the name, nothing added.
    page.fill("#saved-filter-name", "餐饮按编号")
    page.click("#saved-filter-save")
    page.wait_for_selector("[data-error-for='name']:has-text('名称已被使用')")
    assert "已有名为“餐饮按编号”的常用查询" in page.inner_text("#flash")
    assert page.locator("#saved-filter-list li").count() == 1

    # Opened afresh, the page shows everything; the saved filter applies its conditions.
    page = clerk.open("/app/cases")
    assert listed(page, "#case-list")[:3] == [company, second, first]
    page.click("#saved-filter-list a:text-is('餐饮按编号')")
    page.wait_for_function("() => location.search.includes('sort=number')")
    clerk.settle()
    assert listed(page, "#case-list") == by_number
    assert (page.input_value("#bundle"), page.input_value("#sort"), page.input_value("#order")) == (
        "restaurant", "number", "asc")
    clerk.shot("applied")

    page.click("#saved-filter-list button[aria-label='删除常用查询“餐饮按编号”']")
    page.wait_for_selector("#saved-filter-list li:text-is('尚未保存常用查询')")
    assert live_server.call("GET", "/api/saved-filters?page=cases", login="clerk") == []
    clerk.shot("deleted")


def test_the_inbox_filters_sorts_and_keeps_a_saved_filter(desks: Any, live_server: LiveServer) -> None:
    first, second = start_case(live_server, "restaurant"), start_case(live_server, "restaurant")
    company = start_case(live_server, "company_start")
    tasks = live_server.call("GET", f"/api/tasks?case={second}", login="scjg.reviewer")["items"]
    licence = next(t for t in tasks if t["item"] == "cy.yyzz")
    live_server.call("POST", f"/api/tasks/{licence['id']}/claim", login="scjg.reviewer")

    reviewer = desks("scjg.reviewer")
    page = reviewer.open("/app/inbox")
    shown = listed(page, "#inbox")
    assert {first, second, company} <= set(shown)
    page.select_option("#bundle", "restaurant")  # a choice applies at once
    page.wait_for_function("() => location.search.includes('bundle=restaurant')")
    page.select_option("#sort", "case")
    page.wait_for_function("() => location.search.includes('sort=case')")
    page.select_option("#order", "desc")
    page.wait_for_function("() => location.search.includes('order=desc')")
    reviewer.settle()
    restaurant = listed(page, "#inbox")
    assert company not in restaurant and restaurant == sorted(restaurant, reverse=True)
    assert restaurant.index(second) < restaurant.index(first)
    page.select_option("#claim", "mine")
    page.wait_for_function("() => location.search.includes('claim=mine')")
    reviewer.settle()
    assert listed(page, "#inbox") == [second]
    reviewer.shot("filtered")
    save_filter(page, "我认领的餐饮")

    page = reviewer.open("/app/inbox")
    assert company in listed(page, "#inbox")
    page.click("#saved-filter-list a:text-is('我认领的餐饮')")
    page.wait_for_function("() => location.search.includes('claim=mine')")
    reviewer.settle()
    assert listed(page, "#inbox") == [second]
    assert (page.input_value("#claim"), page.input_value("#bundle"), page.input_value("#order")) == (
        "mine", "restaurant", "desc")
    reviewer.shot("applied")

    page.click("#saved-filter-list button[aria-label='删除常用查询“我认领的餐饮”']")
    page.wait_for_selector("#saved-filter-list li:text-is('尚未保存常用查询')")
    assert live_server.call("GET", "/api/saved-filters?page=inbox", login="scjg.reviewer") == []
    reviewer.shot("deleted")


def test_the_department_filter_is_the_window_and_supervisors_own(desks: Any, live_server: LiveServer) -> None:
    restaurant = start_case(live_server, "restaurant")
    company = start_case(live_server, "company_start")  # 市场监管 only
    supervisor = desks("supervisor")
    page = supervisor.open("/app/cases")
    assert page.is_visible("#department")
    page.select_option("#department", label="卫生健康委")
    page.click("#case-filter button[type=submit]")
    page.wait_for_function("() => location.search.includes('department=wj')")
    shown = listed(page, "#case-list")  # the server keeps the module's earlier cases too
    assert shown[0] == restaurant and company not in shown
    page.select_option("#department", label="市场监督管理局")
    page.click("#case-filter button[type=submit]")
    page.wait_for_function("() => location.search.includes('department=scjg')")
    assert listed(page, "#case-list")[:2] == [company, restaurant]
    supervisor.shot("by-department")

    # A department's list is its own already: no department to pick, and one in the address is not asked for.
    reviewer = desks("xf.reviewer")
    page = reviewer.open("/app/cases?department=scjg")
    shown = listed(page, "#case-list")
    assert shown[0] == restaurant and company not in shown
    assert not page.is_visible("#department")
    assert "department" not in page.evaluate("() => location.search")
