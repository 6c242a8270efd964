"""An administrator creates a bundle on the workbench from items the catalogue holds (开办面包店: the
business licence, the food permit and the health certificates of 开办餐饮店), opens its generated flow
in the modeler, deploys it; the window accepts a case of it, the departments decide, the window hands
the results over."""

from __future__ import annotations

from typing import Any

from engine.services.catalogue import get_bundle_catalogue
from tests.approvals import number_of
from tests.browser.conftest import LiveServer
from tests.browser.test_restaurant_journey import fill_unified_form
from tests.conftest import APPLICANT

CHOSEN = ("cy.yyzz", "cy.spjy", "cy.jkz")


def test_admin_creates_a_bundle_from_catalogue_items_deploys_it_and_a_case_runs(desks: Any,
                                                                                 live_server: LiveServer) -> None:
    admin = desks("admin")
    page = admin.open("/app/admin/flows", shot="flows")
    form = page.locator("#create")
    form.locator("input[name=items]").first.wait_for()

    # Nothing chosen, no name: told what is missing, nothing made.
    page.click("#create button[type=submit]")
    page.wait_for_selector("#flash .notice.error")
    assert page.inner_text('[data-error-for="name"]') and page.inner_text('[data-error-for="items"]')
    assert page.locator('section[data-bundle="bakery"]').count() == 0

    page.fill("#create-name", "开办面包店一件事")
    page.fill("#create-code", "bakery")
    page.fill("#create-prefix", "MB")
    for code in CHOSEN:
        form.locator(f'input[name=items][value="{code}"]').check()
    admin.shot("create-filled")
    page.click("#create button[type=submit]")
    page.wait_for_selector("#flash .notice.ok")
    assert "已新建“开办面包店一件事”" in page.inner_text("#flash") and "尚未部署" in page.inner_text("#flash")
    section = page.locator('section[data-bundle="bakery"]')
    assert "新办件使用第 — 版" in section.inner_text() and "新建时生成" in section.inner_text()
    assert "营业执照" in section.inner_text() and "健康证明" in section.inner_text()
    admin.shot("created")

    # The generated flow opens in the modeler: an approval per item in its department's lane.
    section.locator("a", has_text="在建模器中编辑").click()
    page.wait_for_url("**/app/admin/flows/bakery/modeler")
    page.wait_for_selector('#canvas [data-element-id="approve_spjy"]')
    assert page.locator('#canvas [data-element-id="lane_wj"]').count() == 1
    admin.shot("modeler")

    page = admin.open("/app/admin/flows")
    page.locator('section[data-bundle="bakery"] button', has_text="部署此版本").click()
    page.wait_for_selector("#flash >> text=已部署第 1 版")
    assert live_server.call("GET", "/api/flows/bakery/versions", login="admin")["deployed_version"] == 1

    # The window accepts a case of the new bundle.
    clerk = desks("clerk")
    page = clerk.open("/app/window")
    page.click('#bundles a[data-bundle="bakery"]')
    page.wait_for_selector("#form-groups .field")
    clerk.settle()
    for key in ("name", "id_number", "phone", "entity_name", "address"):
        if page.locator(f'[name="applicant.{key}"]').count():
            page.fill(f'[name="applicant.{key}"]', APPLICANT[key])
    fill_unified_form(clerk, live_server, "bakery")
    page.click("#all-submitted")
    page.click("#accept")
    page.wait_for_url("**/receipt")
    clerk.settle()
    number = page.inner_text("#receipt-number")
    assert number.startswith("MB-")
    clerk.shot("receipt")

    # The departments decide (the licence first: the food permit waits for it, 联动).
    items = {i["code"]: i for i in get_bundle_catalogue(live_server.engine.ctx, "bakery").definition["items"]}
    for _ in range(3):
        tasks = live_server.call("GET", f"/api/tasks?case={number}", login="supervisor")["items"]
        for task in (t for t in tasks if t["kind"] == "approval" and t["state"] != "completed"):
            given = number_of(items[task["item"]].get("grants"), task["item"])
            live_server.call("POST", f"/api/tasks/{task['id']}/complete", login=f"{task['department']}.reviewer",
                             body={"decision": "approve", **({"licence_number": given} if given else {})})

    page = clerk.open(f"/app/cases/{number}")
    page.click("#case-actions a:has-text('统一出件')")
    page.wait_for_url("**/pickup")
    clerk.settle()
    assert "准予许可（3）" in page.inner_text("#pickup-results")
    page.check('#rating input[value="5"]')
    page.click("#hand-over")
    page.wait_for_selector("#flash >> text=出件完成")
    assert live_server.call("GET", f"/api/cases/{number}", login="supervisor")["status"] == "closed"
    clerk.shot("picked-up")
