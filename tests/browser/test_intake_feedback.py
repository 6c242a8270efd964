"""Intake feedback at the window (issue 22, item 7): an empty acceptance shows every field's error
beside its field, the applicant block and the unified form in the same round, with a summary at
the top, and focuses the first invalid field; Enter in a field never accepts the case."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.browser.test_restaurant_journey import fill_unified_form
from tests.conftest import APPLICANT


def _case_posts(page: Any) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/api/cases") else None)
    return posts


def test_an_empty_acceptance_marks_every_field_in_one_round(desks: Any, live_server: LiveServer) -> None:
    clerk = desks("clerk")
    page = clerk.open("/app/window/new/restaurant")
    page.wait_for_selector('#form-groups .field[data-key="entity_type"] select')
    posts = _case_posts(page)

    page.click("#accept")
    page.wait_for_selector("#flash .error-summary li")
    clerk.settle()

    # The applicant block and the form's own fields and the checklist, all in this one round.
    for field in ("applicant.name", "applicant.id_number", "applicant.phone", "applicant.entity_name",
                  "form.entity_type", "materials.applicant_id"):
        assert page.inner_text(f'[data-error-for="{field}"]') != "", field
    assert page.locator('#form-groups .field[data-key="entity_type"] select.invalid').count() == 1
    assert page.locator("#applicant-fields input.invalid").count() >= 4
    # The summary lists them with their Chinese labels, each a link to its field.
    summary = page.locator("#flash .error-summary li")
    assert summary.count() == page.locator("#intake [data-error-for]:not(:empty)").count()
    flash = page.inner_text("#flash")
    assert "申请人信息不完整或有误" in flash and "申请表或材料清单不完整或有误" in flash
    assert "：必填" in flash and "{" not in flash
    # The first invalid field (the applicant block's first) has the focus and is on screen.
    first = page.locator("#applicant-fields .field input, #applicant-fields .field select").first
    first_name = first.get_attribute("name")
    assert page.evaluate("document.activeElement.name") == first_name
    box = first.bounding_box()
    assert box is not None and 0 <= box["y"] <= page.viewport_size["height"]
    assert posts == []  # nothing was sent: the checks ran in the page
    clerk.shot("intake-empty")

    # A link of the summary takes the clerk to its field.
    link = page.locator("#flash .error-summary a").last
    link.click()
    assert page.evaluate("document.activeElement.closest('[data-material]') !== null")


def test_enter_in_a_field_does_not_accept_the_case(desks: Any, live_server: LiveServer) -> None:
    clerk = desks("clerk")
    page = clerk.open("/app/window/new/restaurant")
    page.wait_for_selector('#form-groups .field[data-key="entity_type"] select')
    posts = _case_posts(page)
    for key in ("name", "id_number", "phone", "entity_name", "address"):
        page.fill(f'[name="applicant.{key}"]', APPLICANT[key])
    fill_unified_form(clerk, live_server)
    page.click("#all-submitted")
    before = len(live_server.call("GET", "/api/cases", login="clerk")["items"])

    page.press('[name="applicant.phone"]', "Enter")
    page.locator('#form-groups .field input:not([type]), #form-groups .field input[type="text"]').first.press("Enter")
    clerk.settle()
    page.wait_for_timeout(300)
    assert posts == []
    assert "/receipt" not in page.url
    assert len(live_server.call("GET", "/api/cases", login="clerk")["items"]) == before

    # The same page is complete: the accept button does accept it.
    page.click("#accept")
    page.wait_for_url("**/receipt")
    assert len(posts) == 1
    clerk.shot("intake-accepted-by-button")
