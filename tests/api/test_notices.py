"""The official notices of a real restaurant case as PDF over HTTP: each one's text carries the case
number, the applicant's name, the bundle and the dates it tells; its QR code decodes to the case's
status address; a notice that does not apply yet is refused; another department does not get it."""

from __future__ import annotations

import io
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from tests.api.test_applicants import tolerated_body
from tests.api.test_case_journey import complete, open_task
from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS

SCJG, XF, CG, WJ = REVIEWERS["scjg"], REVIEWERS["xf"], REVIEWERS["cg"], REVIEWERS["wj"]


def notice(client: Any, number: str, kind: str, headers: dict[str, str] = CLERK) -> Any:
    return client.get(f"/api/cases/{number}/notices/{kind}.pdf", headers=headers)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_of(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def read(client: Any, number: str, kind: str, headers: dict[str, str] = CLERK) -> str:
    answer = notice(client, number, kind, headers)
    assert answer.status_code == 200, answer.json
    assert answer.mimetype == "application/pdf" and number in answer.headers["Content-Disposition"]
    assert qr_of(answer.data) == [f"http://127.0.0.1:5000/status/{number}"]
    return text_of(answer.data)


def test_every_notice_of_a_real_case_names_the_case_the_applicant_and_the_dates(client: Any, clock: Any) -> None:
    body, secondary = tolerated_body(client)
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    case = started.json
    number, name = case["number"], case["applicant"]["name"]
    for kind in ("correction", "refusal", "handover"):  # nothing to tell yet
        refused = notice(client, number, kind)
        assert refused.status_code == 409 and refused.json["message_zh"], kind

    receipt = read(client, number, "receipt")
    assert all(word in receipt for word in ("受理回执", number, name, "开办餐饮店一件事", "2026年09月24日"))
    assert "消防救援" in receipt and "容缺后补" in receipt
    one_time = read(client, number, "one_time")
    assert "一次性告知书" in one_time and "经营场所平面图" in one_time and "所需材料" in one_time
    tolerance = read(client, number, "tolerance")
    due = case["materials_due"][:10].split("-")
    assert "容缺受理承诺书" in tolerance and f"{due[0]}年{due[1]}月" in tolerance and "申请人（签字）" in tolerance

    assert complete(client, open_task(client, number, "cy.yyzz"), approval("cy.yyzz"), SCJG).status_code == 200
    clock.advance(days=1)
    asked = complete(client, open_task(client, number, "cy.xf"), {
        "decision": "correct", "materials": ["premises_layout"], "reason": "平面图不清晰",
        "notes": {"premises_layout": "未标注疏散通道和安全出口"}}, XF)
    assert asked.status_code == 200, asked.json
    correction = read(client, number, "correction")
    assert all(word in correction for word in ("补正告知书", number, name, "消防救援", "未标注疏散通道和安全出口",
                                               "2026年09月25日"))
    assert complete(client, open_task(client, number, "cy.zp"),
                    {"decision": "reject", "reason": "招牌设置位置位于禁设区域"}, CG).status_code == 200
    refusal = read(client, number, "refusal")
    assert all(word in refusal for word in ("不予许可决定书", number, "招牌设置位置位于禁设区域", "行政复议",
                                            "六十日", "六个月", "行政诉讼"))
    assert notice(client, number, "weather").status_code == 404

    supply = open_task(client, number, "cy.xf", kind="correction")
    assert complete(client, supply, {"supplied": ["premises_layout"]}, CLERK).status_code == 200
    assert client.post(f"/api/cases/{number}/materials", json={"supplied": [secondary]},
                       headers=CLERK).status_code == 200
    for item, who in (("cy.xf", XF), ("cy.spjy", SCJG), ("cy.jkz", WJ)):
        task = open_task(client, number, item)
        assert complete(client, task, approval(task), who).status_code == 200, item
    clock.advance(days=1)
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    handover = read(client, number, "handover")
    assert all(word in handover for word in ("统一出件清单", number, name, "准予许可", "不予许可", "窗口领取",
                                             "2026年09月26日"))
    granted = next(i for i in handed.json["items"] if i["code"] == "cy.yyzz")
    assert granted["licence_number"] in handover


@pytest.mark.parametrize("who", ["scjg", "wj"])
def test_a_department_of_the_case_reads_its_notices(client: Any, who: str) -> None:
    started = client.post("/api/cases", json=tolerated_body(client)[0], headers=CLERK).json
    assert notice(client, started["number"], "receipt", REVIEWERS[who]).status_code == 200
