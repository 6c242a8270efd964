"""Shared data in the workbench (issue 24): an administrator loads a registry from a CSV file and
reads the refused rows; the window's intake fills the form from that registry; the supervisor reads
the lookup the intake made (subject masked) and the day's volume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from forms.identifiers import resident_id_check_digit
from tests.approvals import credit_code
from tests.browser.conftest import LiveServer

FIRST17 = "41070219900101002"
PERSON = FIRST17 + resident_id_check_digit(FIRST17)
CSV = f"公民身份号码,姓名,性别,联系电话,居住地址\n{PERSON},李芳,女,13800138000,河南省新乡市红旗区平原路1号\n" \
      "410702199001010028,王伟,男,,河南省新乡市\n"


def load_registry(admin: Any, path: Path, kind: str, content: str, rows: int) -> Any:
    """The administrator loads ``content`` into the ``kind`` registry from the registries page."""
    page = admin.open("/app/admin/registries")
    page.wait_for_selector("#registries table")
    path.write_text(content, encoding="utf-8")
    page.select_option("#kind", kind)
    page.set_input_files("#file", str(path))
    page.click("#upload button[type=submit]")
    page.wait_for_selector(f"#flash .notice:has-text('已导入 {rows} 行')")
    admin.settle()
    return page


def test_admin_loads_a_registry_the_window_reads_and_the_supervisor_audits(
        desks: Any, live_server: LiveServer, tmp_path: Path) -> None:
    admin = desks("admin")
    page = load_registry(admin, tmp_path / "renkou.csv", "person", CSV, 1)
    assert "人口库" in page.inner_text("#registries")
    report = page.inner_text("#report")
    assert "不合格 1 行" in report and "公民身份号码" in report and "校验" in report, report
    assert "renkou.csv" in page.inner_text("#imports")
    admin.shot("imported")

    clerk = desks("clerk")
    page = clerk.open("/app/window/new/retirement")
    page.fill("[name='applicant.id_number']", PERSON)
    page.click("#lookup")
    page.wait_for_selector("#flash .notice:has-text('已按')")
    badge = page.locator('#form-groups .field[data-key="name"] .badge.prefill')
    assert badge.inner_text() == "已预填 · 人口库"

    # A hiring: the employee's ID number typed into the form fills the employee's fields.
    page = clerk.open("/app/window/new/hiring")
    page.fill("[name='applicant.credit_code']", credit_code(7))
    page.fill('#form-groups .field[data-key="employee_id_number"] input', PERSON)
    page.click("#lookup")
    page.wait_for_selector("#flash .notice:has-text('已按')")
    assert page.input_value('#form-groups .field[data-key="employee_name"] input') == "李芳"
    employee = page.locator('#form-groups .field[data-key="employee_name"] .badge.prefill')
    assert employee.inner_text() == "已预填 · 人口库"
    assert page.input_value('#form-groups .field[data-key="employee_id_number"] input') == PERSON  # kept as typed
    clerk.shot("hiring")

    supervisor = desks("supervisor")
    page = supervisor.open("/app/supervision/lookups")
    page.wait_for_selector("#lookups table")
    rows = page.inner_text("#lookups")
    assert "人口库" in rows and PERSON not in rows and PERSON[:4] in rows, rows
    assert "受理预填：退休一件事" in rows and "受理前" in rows
    assert "查到" in rows
    assert "查询次数" in page.inner_text("#volume")
    supervisor.shot("lookups")


PROPERTIES = ("不动产单元号,不动产权证书号,权利人证件号码（多个以;分隔）,权利人,坐落,建筑面积（㎡）,用途\n"
              f"410702001001GB00001F00010001,豫(2020)新乡市不动产权第0000001号,{PERSON},李芳,新乡市红旗区平原路1号,96,住宅\n"
              f"410702001001GB00001F00010002,豫(2021)新乡市不动产权第0000002号,{PERSON},李芳,新乡市牧野区建设路9号,88,住宅\n")


def test_with_two_properties_the_window_picks_the_one_the_connection_is_for(
        desks: Any, live_server: LiveServer, tmp_path: Path) -> None:
    load_registry(desks("admin"), tmp_path / "budongchan.csv", "property", PROPERTIES, 2)

    clerk = desks("clerk")
    page = clerk.open("/app/window/new/utility_connect")
    page.fill("[name='applicant.id_number']", PERSON)
    page.click("#lookup")
    page.wait_for_selector("#record-choices select")
    assert "2 条记录" in page.inner_text("#record-choices")
    address = '#form-groups .field[data-key="connect_address"] input'
    assert page.input_value(address) == ""  # two compete: nothing guessed
    page.select_option("#record-choices select", "410702001001GB00001F00010002")
    expect(page.locator(address)).to_have_value("新乡市牧野区建设路9号")
    assert page.input_value("#record-choices select") == "410702001001GB00001F00010002"
    clerk.shot("property-picked")
