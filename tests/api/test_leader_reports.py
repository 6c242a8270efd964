"""The leaders' figures over HTTP (issue 28): cases accepted, closed on time, still open past their
due day; ratings (满意率 counts 基本满意 and better); complaints and how long they took; per bundle,
service point and department, by month and week; the XLSX workbook, the monthly PDF and the chart."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from engine.domain.clocks import SHANGHAI
from tests.approvals import approve_every_item, reviewer_headers
from tests.conftest import CLERK, SUPERVISOR, FakeClock, case_body

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def _close(client: Any, number: str, rating: int | None = None, comment: str = "") -> None:
    approve_every_item(client, number, client.get("/api/bundles/newborn/guide", headers=CLERK).json["items"])
    body: dict[str, Any] = {"recipient_name": "陈小明"}
    if rating is not None:
        body |= {"rating": rating, "rating_comment": comment}
    assert client.post(f"/api/cases/{number}/pickup", json=body, headers=CLERK).status_code == 200


def test_the_leaders_see_completion_timeliness_satisfaction_and_complaints(client: Any, clock: FakeClock) -> None:
    clock.now = MONDAY
    first = client.post("/api/cases", json=case_body(client, "newborn"), headers=CLERK).json["number"]
    second = client.post("/api/cases", json=case_body(client, "newborn"), headers=CLERK).json["number"]
    assert client.post("/api/cases", json=case_body(client, "restaurant"), headers=CLERK).status_code == 201
    _close(client, first, 5)
    _close(client, second, 2, "等了很久")  # 差评: a rectification, not a complaint
    complaint = client.post("/api/work-orders", headers=SUPERVISOR, json={
        "kind": "hotline", "title": "咨询无人接听", "description": "来电反映", "name": "李先生", "phone": "13712345678",
        "external_number": "12345-1", "department": "scjg"}).json["number"]
    clock.advance(days=2)
    scjg = reviewer_headers(client, "scjg")
    client.post(f"/api/work-orders/{complaint}/reply", headers=scjg, json={"reply": "已回电说明。"})
    client.post(f"/api/work-orders/{complaint}/callback", headers=SUPERVISOR, json={"callback": "满意"})
    clock.now = datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI)  # the restaurant case is long past its due day

    answer = client.get("/api/reports/leaders?from=2026-11-01&to=2026-12-31", headers=SUPERVISOR)
    assert answer.status_code == 200, answer.json
    report = answer.json
    overall = report["overall"]
    assert (overall["accepted"], overall["closed"], overall["on_time"], overall["overdue"]) == (3, 2, 2, 1)
    assert overall["completion_rate"] == round(2 / 3, 4) and overall["on_time_rate"] == 1
    assert (overall["ratings"], overall["satisfied"], overall["satisfaction_rate"]) == (2, 1, 0.5)
    assert (overall["complaints"], overall["complaints_closed"]) == (1, 1)
    assert overall["median_resolution_days"] == 2
    bundles = {row["code"]: row for row in report["groups"]["bundle"]}
    assert bundles["newborn"]["closed"] == 2 and bundles["restaurant"]["overdue"] == 1
    assert bundles["newborn"]["name"] == "新生儿出生一件事"
    points = {row["code"]: row for row in report["groups"]["point"]}
    assert points["xx_city"]["accepted"] == 3 and points["xx_city"]["name"] == "新乡市政务服务中心"
    departments = {row["code"]: row for row in report["groups"]["department"]}
    assert departments["scjg"]["complaints"] == 1 and departments["yb"]["accepted"] == 2  # newborn's only
    assert departments["wj"]["accepted"] == 3  # both bundles have a health commission item
    assert [m["month"] for m in report["months"]] == ["2026-11", "2026-12"]
    assert report["months"][0]["accepted"] == 3 and report["months"][1]["accepted"] == 0
    # Sunday 1 November ends ISO week 44; the cases came on Monday, in week 45; 28–31 December is week 53.
    assert [w["week"] for w in report["weeks"]][:2] == ["2026-W44", "2026-W45"] and len(report["weeks"]) == 10
    assert report["weeks"][-1]["week"] == "2026-W53" and report["weeks"][1]["accepted"] == 3
    assert (bundles["restaurant"]["accepted"], bundles["restaurant"]["closed"]) == (1, 0)

    book = load_workbook(io.BytesIO(client.get("/api/reports/leaders.xlsx?from=2026-11-01&to=2026-12-31",
                                               headers=SUPERVISOR).data))
    assert book.sheetnames == ["总体", "按一件事", "按服务点", "按部门", "按周", "按月"]
    assert [c.value for c in book["总体"][2]][:4] == ["全部", "3", "2", "66.7%"]
    pdf = client.get("/api/reports/leaders.pdf?from=2026-11-01&to=2026-11-30", headers=SUPERVISOR)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    chart = client.get("/api/reports/leaders/chart.svg?from=2026-11-01&to=2026-12-31&size=month",
                       headers=SUPERVISOR)
    assert chart.status_code == 200 and "受理" in chart.get_data(as_text=True)
    backwards = client.get("/api/reports/leaders?from=2026-12-31&to=2026-11-01", headers=SUPERVISOR)
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    assert client.get("/api/reports/leaders?from=2025-01-01&to=2026-12-31", headers=SUPERVISOR).status_code == 422
    assert client.get("/api/reports/leaders", headers=CLERK).status_code == 403
