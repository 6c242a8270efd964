"""办件查询 in the workbench (issue 22, item 4): the box finds cases by name, reports an unknown number
and an empty date range as "未找到符合条件的办件", and a refused query as a Chinese message; the list
never stays at "正在加载…"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application

EMPTY = "未找到符合条件的办件"


def _search(page: Any, q: str = "", start: str = "", end: str = "") -> str:
    page.fill("#q", q)
    page.fill("#from", start)
    page.fill("#to", end)
    page.click("#case-filter button[type=submit]")
    page.wait_for_function("""() => { const t = document.querySelector('#case-list').textContent;
        return !t.includes('正在') && t.trim() !== ''; }""")
    return str(page.inner_text("#case-list"))


def test_the_search_box_finds_by_name_and_says_when_nothing_matches(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    number = live_server.call("POST", "/api/cases", body, login="clerk")["number"]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()

    clerk = desks("clerk")
    page = clerk.open("/app/cases")
    found = _search(page, "陈小明")
    assert number in found and "共 1 件" in found
    assert page.locator(f'#case-list a[href="/app/cases/{number}"]').count() == 1
    clerk.shot("by-name")

    assert _search(page, "CY-19990101-99999").strip() == EMPTY  # an unknown number: said so, no dead page
    clerk.shot("unknown-number")
    assert number in _search(page, "", today, today)  # acceptance today
    assert _search(page, "", "2020-01-01", "2020-01-31").strip() == EMPTY
    clerk.shot("empty-range")
    _search(page, "", "2020-02-01", "2020-01-01")  # the range backwards: a Chinese message at the field
    assert "结束日期不能早于开始日期" in page.inner_text('[data-error-for="to"]')
    assert "正在加载" not in page.inner_text("#case-list")

    supervisor = desks("supervisor")
    page = supervisor.open("/app/cases")
    refused = _search(page, "陈小明")  # masked data: supervisors search by number or date only
    assert "只能按办件编号或受理日期查询" in refused
    assert "只能按办件编号或受理日期查询" in page.inner_text("#flash")
    assert number in _search(page, number[:11])
    supervisor.shot("supervisor")
