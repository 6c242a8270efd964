"""Whom each bundle is about, at the screens: in every shipped bundle a first-time applicant (an ID
card nobody holds data for; founding an enterprise, a declared name; an existing enterprise, its
credit code; a parent, the relation to the child) is accepted through the intake page and leaves
with the results from the pickup page, the approvals in between given through the JSON API. The
applicant block follows the subject; the guide says what the case issues and hands on itself; the
task page asks for a licence number exactly where the item grants a licence and shows what the
item received inside the case; a refused prerequisite shows its items as no longer handled."""

from __future__ import annotations

import urllib.error
from pathlib import Path
from typing import Any

import pytest

from engine.services.catalogue import get_bundle_catalogue
from forms.samples import sample_value
from tests.approvals import approval, credit_code, resident_id
from tests.browser.conftest import Desk, LiveServer
from tests.conftest import applicant_for, application

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))


def first_time_applicant(subject: str, serial: int) -> dict[str, str]:
    person = {"name": "林新", "id_number": resident_id(serial), "phone": "13900139000",
              "address": "河南省新乡市红旗区新中大道 8 号"}
    extra = {"person": {}, "family_event": {"relation": "父亲"},
             "enterprise": {"entity_name": "新乡林新商贸有限公司", "credit_code": credit_code(serial)},
             "new_enterprise": {"entity_name": "林新面馆"}}[subject]
    return {**person, **extra}


def call(server: LiveServer, method: str, path: str, body: Any = None, login: str = "supervisor") -> Any:
    """The JSON API as ``login``; a refusal fails the test with the API's answer."""
    try:
        return server.call(method, path, body, login=login)
    except urllib.error.HTTPError as err:
        pytest.fail(f"{method} {path} as {login}: {err.code} {err.read().decode()}")


def fill_applicant(page: Any, subject: dict[str, Any], applicant: dict[str, str]) -> None:
    for field in subject["applicant_fields"]:
        control = page.locator(f'#applicant-fields [name="applicant.{field["key"]}"]')
        if field["key"] not in applicant:
            continue
        if field["type"] == "enum":
            control.select_option(applicant[field["key"]])
        else:
            control.fill(applicant[field["key"]])


def fill_required_fields(desk: Desk, code: str, applicant: dict[str, str]) -> None:
    """Types valid sample values into the form's required fields; those the applicant block
    answers must already hold the applicant's values (copied by the page, a parent's into the
    mother's or father's fields)."""
    page = desk.page
    catalogue = get_bundle_catalogue(desk.server.engine.ctx, code)
    known = {k: v for k, v in catalogue.subject.form_values(applicant).items() if catalogue.form().get(k)}
    for field in catalogue.form().fields:
        box = page.locator(f'#form-groups .field[data-key="{field.key}"]')
        if field.key in known:
            assert box.locator("input, select, textarea").first.input_value() == known[field.key], field.key
            continue
        if not field.required:
            continue
        value = sample_value(field)
        if field.type == "multi_enum":
            for option in value:
                box.locator(f'input[value="{option}"]').check()
        elif field.type in ("enum", "boolean"):
            box.locator("select").select_option(str(value).lower() if field.type == "boolean" else str(value))
        else:
            box.locator("input, textarea").first.fill(str(value))


def approve_everything(server: LiveServer, number: str, guide: dict[str, Any], serial: int) -> None:
    """Every department approves its items as they open (through the API: the task page has its own
    test), with the number of the licence an item grants."""
    items = {i["code"]: i for i in guide["items"]}
    decided: list[str] = []
    for _ in range(len(items) + 1):
        for task in call(server, "GET", f"/api/tasks?case={number}&state=open&per_page=200")["items"]:
            if task["kind"] == "inspection":  # 现场核查 first, where the item has one
                call(server, "POST", f"/api/tasks/{task['id']}/complete", {"result": "passed"},
                     login=f"{task['department']}.reviewer")
        waiting = [t for t in call(server, "GET", f"/api/tasks?case={number}&state=open&per_page=200")["items"]
                   if t["kind"] == "approval"]
        if not waiting:
            break
        for task in waiting:
            item = items[task["item"]]
            body = approval(item["code"], serial=500 + serial)
            call(server, "POST", f"/api/tasks/{task['id']}/complete", body, login=f"{task['department']}.reviewer")
            decided.append(item["code"])
    assert sorted(decided) == sorted(items)


@pytest.mark.parametrize("code", BUNDLES)
def test_a_first_time_applicant_is_served_in_every_bundle(desks: Any, live_server: LiveServer, code: str) -> None:
    serial = BUNDLES.index(code) + 1
    guide = call(live_server, "GET", f"/api/bundles/{code}/guide")
    subject = guide["subject"]
    applicant = first_time_applicant(subject["kind"], serial)
    clerk = desks("clerk")
    page = clerk.open(f"/app/window/new/{code}")
    page.wait_for_selector("#form-groups .field")
    assert subject["label"] in page.inner_text("#subject-note")

    fill_applicant(page, subject, applicant)
    page.click("#lookup")  # by the credit code for an existing enterprise, else by the ID number
    ref = applicant["credit_code" if subject["kind"] == "enterprise" else "id_number"]
    page.wait_for_selector(f"#flash .notice.info >> text=已按 {ref} 查询共享数据：预填 0 项")
    fill_required_fields(clerk, code, applicant)

    issued = {m["key"]: m["name"] for item in guide["items"] for m in item["issues"]}
    for key, name in issued.items():  # what the case issues is told, never asked for
        assert page.locator(f'#materials tr[data-material="{key}"]').count() == 0
        assert "无需提交" in page.inner_text(f'#guide-issued li[data-material="{key}"]')
        assert name in page.inner_text("#guide-issued")
    page.click("#all-submitted")
    rows = page.locator("#materials tr[data-material]").count()
    assert rows == page.locator("#materials input[value=submitted]:checked").count() > 0
    clerk.shot("intake")
    page.click("#accept")
    page.wait_for_url("**/receipt")
    clerk.settle()
    number = page.inner_text("#receipt-number")
    if issued:
        assert all(name in page.inner_text("#receipt-issued") for name in issued.values())
    clerk.shot("receipt")

    approve_everything(live_server, number, guide, serial)

    page = clerk.open(f"/app/cases/{number}/pickup")
    count = page.inner_text("#pickup-count")
    assert f"准予许可 {len(guide['items'])} 项" in count and "不予许可 0 项" in count and "不再办理 0 项" in count
    page.click("#hand-over")
    page.wait_for_selector("#flash >> text=出件完成")
    clerk.shot("picked-up")
    assert call(live_server, "GET", f"/api/cases/{number}", login="clerk")["status"] == "closed"


def test_the_applicant_block_follows_the_subject(desks: Any, live_server: LiveServer) -> None:
    clerk = desks("clerk")
    page = clerk.open("/app/window/new/newborn")
    page.wait_for_selector("#form-groups .field")
    block = page.inner_text("#applicant-fields")
    assert "经营" not in block and "父" in block
    relation = page.locator('#applicant-fields select[name="applicant.relation"]')
    assert relation.locator("option").all_inner_texts() == ["请选择", "母亲", "父亲", "其他监护人"]
    # A parent who applies is that parent in the form: typed once, moved when the relation changes.
    relation.select_option("母亲")
    page.fill('[name="applicant.name"]', "林新")
    page.fill('[name="applicant.id_number"]', resident_id(90))
    page.click("#subject-note")  # leaves the field: the change is copied
    mother = page.locator('#form-groups .field[data-key="mother_name"]')
    assert mother.locator("input").input_value() == "林新" and "同申请人信息" in mother.inner_text()
    relation.select_option("父亲")
    assert page.locator('#form-groups .field[data-key="father_name"] input').input_value() == "林新"
    assert mother.locator("input").input_value() == "" and "同申请人信息" not in mother.inner_text()
    clerk.shot("newborn-applicant")

    page = clerk.open("/app/window/new/restaurant")
    page.wait_for_selector("#form-groups .field")
    assert page.locator('#applicant-fields [name="applicant.credit_code"]').count() == 0
    assert "申报的企业名称" in page.inner_text("#applicant-fields")
    assert "统一社会信用代码由本件核发的证照赋予" in page.inner_text("#subject-note")
    licence = page.inner_text('#guide-issued li[data-material="business_licence"]')
    assert licence.startswith("营业执照：由本件“营业执照") and "联动取得，无需提交" in licence
    clerk.shot("restaurant-applicant")

    page = clerk.open("/app/window/new/company_closure")
    page.wait_for_selector("#form-groups .field")
    assert page.locator('#applicant-fields input[name="applicant.credit_code"]').count() == 1
    page.fill('[name="applicant.id_number"]', resident_id(91))
    page.click("#lookup")  # an existing enterprise is looked up by its credit code
    page.wait_for_selector('[data-error-for="applicant.credit_code"]:has-text("统一社会信用代码")')
    clerk.shot("enterprise-lookup-refused")


def start(server: LiveServer, code: str) -> dict[str, Any]:
    body = {"bundle": code, "applicant": applicant_for(server.engine, code), **application(server.engine, code)}
    case: dict[str, Any] = call(server, "POST", "/api/cases", body, login="clerk")
    return case


def open_task(server: LiveServer, number: str, item: str) -> str:
    tasks = call(server, "GET", f"/api/tasks?case={number}&state=open")["items"]
    return str(next(t["id"] for t in tasks if t["item"] == item))


def test_the_task_page_asks_for_a_licence_number_where_one_is_granted(desks: Any, live_server: LiveServer) -> None:
    number = start(live_server, "restaurant")["number"]
    scjg = desks("scjg.reviewer")
    page = scjg.open(f"/app/tasks/{open_task(live_server, number, 'cy.yyzz')}")
    page.check('input[name=decision][value="approve"]')
    assert page.locator("#licence-field").is_visible()
    assert "营业执照编号*" in page.inner_text("#licence-field label")
    assert "统一社会信用代码" in page.inner_text("#licence-hint")
    page.click("#submit-decision")
    page.wait_for_selector('[data-error-for="licence_number"]:has-text("必填")')
    page.fill("#licence-number", "92410702MA00000010")  # a wrong check character: the API refuses it
    page.click("#submit-decision")
    page.wait_for_selector('#flash .notice.error >> text=统一社会信用代码')
    assert page.inner_text('[data-error-for="licence_number"]') != ""
    scjg.shot("business-licence-refused")
    code = credit_code(200)
    page.fill("#licence-number", code)
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")

    page = scjg.open(f"/app/tasks/{open_task(live_server, number, 'cy.spjy')}")
    linked = page.inner_text("#item-linked")
    assert "营业执照" in linked and code in linked
    assert "联动取得材料" in page.inner_text("#case-timeline")
    scjg.shot("food-permit-linked")

    newborn = start(live_server, "newborn")["number"]
    wj = desks("wj.reviewer")
    page = wj.open(f"/app/tasks/{open_task(live_server, newborn, 'xs.syd')}")  # 生育登记 grants nothing
    page.check('input[name=decision][value="approve"]')
    assert page.locator("#licence-field").is_hidden()
    wj.shot("no-licence")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")


def test_a_refused_licence_ends_the_items_that_need_it(desks: Any, live_server: LiveServer) -> None:
    number = start(live_server, "restaurant")["number"]
    call(live_server, "POST", f"/api/tasks/{open_task(live_server, number, 'cy.yyzz')}/complete",
         {"decision": "reject", "reason": "名称与已登记企业重名"}, login="scjg.reviewer")
    call(live_server, "POST", f"/api/tasks/{open_task(live_server, number, 'cy.jkz')}/complete",
         {"decision": "approve", "licence_number": "JKZ-2026-0100"}, login="wj.reviewer")
    detail = call(live_server, "GET", f"/api/cases/{number}", login="clerk")
    ended = {i["name"] for i in detail["results"]["not_applicable"]}
    assert len(ended) == 3

    clerk = desks("clerk")
    page = clerk.open(f"/app/cases/{number}")
    items = page.inner_text("#case-items")
    assert items.count("不再办理（前置事项未获准予）") == 3 and "本事项不再办理" in items
    assert "不再办理（3）" in page.inner_text("#case-results-body")
    timeline = page.inner_text("#case-timeline")
    assert timeline.count("不再办理（前置事项未获准予）") == 3 and "名称与已登记企业重名" in timeline
    clerk.shot("case-not-applicable")

    page = clerk.open(f"/app/cases/{number}/receipt")
    assert all(name in page.inner_text("#receipt-not-applicable") for name in ended)
    clerk.shot("receipt-not-applicable")

    page = clerk.open(f"/app/cases/{number}/pickup")
    assert "准予许可 1 项、不予许可 1 项、不再办理 3 项" in page.inner_text("#pickup-count")
    assert all(name in page.inner_text("#pickup-results") for name in ended)
    page.click("#hand-over")
    page.wait_for_selector("#flash >> text=出件完成")
    assert "不再办理 3 项" in page.inner_text("#flash")
    clerk.shot("picked-up")
    assert call(live_server, "GET", f"/api/cases/{number}", login="clerk")["status"] == "closed"
