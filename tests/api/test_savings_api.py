"""Savings (四减一优) over HTTP: a restaurant case driven by hand through the API, its figures
against a count made by hand; the report with its filters, the CSV and XLSX exports and the charts."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.bootstrap import OneThingEngine
from engine.domain.records import HolderRecord
from tests.api.test_case_journey import complete, open_task
from tests.approvals import approval
from tests.conftest import APPLICANT, CLERK, REVIEWERS, FakeClock, case_body

SHANGHAI = ZoneInfo("Asia/Shanghai")
SVG = "{http://www.w3.org/2000/svg}"
OTHER_APPLICANT = {"name": "李四", "id_number": "410702198506120311", "phone": "13900139000",
                   "entity_name": "李四小吃", "address": "河南省新乡市红旗区人民路 2 号"}


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime:
    """A moment of autumn 2026 in Shanghai: Fri 9-25 is 中秋节, 10-01 to 10-07 国庆节."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def approve(client: Any, number: str, item: str, department: str) -> None:
    ok(complete(client, open_task(client, number, item), approval(item), REVIEWERS[department]))


def hand_case(client: Any, engine: OneThingEngine, clock: FakeClock) -> str:
    """The case counted by hand in ``test_a_restaurant_case_saves_what_a_hand_count_says``."""
    with engine.ctx.uow(True) as uow:  # the person registry knows the applicant (人口库)
        uow.holders.put(HolderRecord("person", APPLICANT["id_number"], APPLICANT["name"], {
            "id_number": APPLICANT["id_number"], "phone": APPLICANT["phone"], "gender": "女"}, at(1, 9)))
        uow.commit()
    body = case_body(client)
    for key in ("name", "id_number", "phone", "gender"):  # pre-filled: the window need not send them
        body["form"].pop(key)
    body["materials"].update(premises_proof="commitment", food_safety_rules="tolerated")

    clock.now = at(24, 9, 30)  # Thursday: intake at the window
    number: str = ok(client.post("/api/cases", json=body, headers=CLERK), 201)["number"]
    clock.now = at(24, 11, 30)
    approve(client, number, "cy.yyzz", "scjg")
    clock.now = at(24, 14)
    ok(complete(client, open_task(client, number, "cy.xf"),
                {"decision": "correct", "materials": ["fire_safety_commitment"], "reason": "承诺书未签字"},
                REVIEWERS["xf"]))
    clock.now = at(28, 10)  # Monday, after 中秋: the tolerated food-safety rules are brought, in time
    ok(client.post(f"/api/cases/{number}/materials", json={"supplied": ["food_safety_rules"]}, headers=CLERK))
    clock.now = at(29, 9)  # Tuesday: the staff medical check (检验) pauses 卫健's clock
    jkz = open_task(client, number, "cy.jkz")
    ok(client.post(f"/api/tasks/{jkz['id']}/pause", json={"procedure": "inspection", "reason": "从业人员健康体检"},
                   headers=REVIEWERS["wj"]))
    clock.now = at(29, 10)  # the signed commitment is brought
    ok(complete(client, open_task(client, number, "cy.xf", kind="correction"),
                {"supplied": ["fire_safety_commitment"]}, CLERK))
    clock.now = at(29, 15)
    approve(client, number, "cy.xf", "xf")
    approve(client, number, "cy.zp", "cg")
    approve(client, number, "cy.spjy", "scjg")
    clock.now = at(30, 16)  # Wednesday: the last decision, results ready
    approve(client, number, "cy.jkz", "wj")
    clock.now = at(8, 10, month=10)  # Thursday after 国庆: collected at the window
    ok(client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK))
    return number


def online_case(client: Any, clock: FakeClock) -> str:
    """Applied online by someone the registry does not know, decided the same day, results mailed."""
    clock.now = at(9, 9, month=10)
    number: str = ok(client.post("/api/cases", json={**case_body(client, applicant=OTHER_APPLICANT),
                                                      "channel": "online"}, headers=CLERK), 201)["number"]
    clock.now = at(9, 11, month=10)
    for item, department in (("cy.yyzz", "scjg"), ("cy.spjy", "scjg"), ("cy.zp", "cg"), ("cy.xf", "xf"),
                             ("cy.jkz", "wj")):
        approve(client, number, item, department)
    clock.now = at(9, 15, month=10)
    ok(client.post(f"/api/cases/{number}/pickup", json={"delivery": "mail", "tracking_number": "SF1234567890"},
                   headers=CLERK))
    return number


def test_a_restaurant_case_saves_what_a_hand_count_says(client: Any, engine: OneThingEngine,
                                                         clock: FakeClock) -> None:
    number = hand_case(client, engine, clock)
    savings = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    figures = savings["figures"]
    # Trips: intake Thu 9-24 + materials Mon 9-28 + correction Tue 9-29 + pickup Thu 10-08; alone 2 × 5 items.
    assert figures["trips"] == {"baseline": 10, "actual": 4, "saved": 6, "reduction": 0.6, "label": "跑动次数"}
    # Steps: intake, 市场监管 ×2, 城管, 消防 ×2 (before and after the correction), 卫健, the correction at
    # the window, pickup = 9 completed tasks; alone 4 × 5.
    assert figures["steps"] == {"baseline": 20, "actual": 9, "saved": 11, "reduction": 0.55, "label": "办理环节"}
    # Time: working days after Thu 9-24 up to results ready on Wed 9-30 are Mon 28, Tue 29, Wed 30 = 3 (中秋
    # and the weekend do not count), less Wed 30 paused by the medical check (paused Tue 29, decided Wed 30) = 2;
    # the days waiting for pickup do not count either. Alone: promised 1 + 7 + 5 + 10 + 5.
    assert figures["time_days"]["baseline"] == 28 and figures["time_days"]["actual"] == 2
    assert figures["time_days"]["reduction"] == 0.9286  # 1 − 2/28
    assert savings["time"] == {"elapsed_days": 3, "paused_days": 1}
    # Materials: 10 on the checklist (the business licence is issued inside the case), premises proof
    # replaced by a commitment: 9 submitted (the tolerated food-safety rules included); alone each
    # item's materials and the licence the three after it need: 3 + (5 + 1) + (4 + 1) + (6 + 1) + 2.
    assert figures["materials"]["baseline"] == 23 and figures["materials"]["actual"] == 9
    assert figures["materials"]["reduction"] == 0.6087  # 1 − 9/23
    # Fields: 29 on the unified form (the credit code is issued, not asked), name, ID number, phone
    # and gender from the registry: 25 typed; alone each item's fields, 7 + 14 + 11 + 12 + 7.
    assert figures["fields"] == {"baseline": 51, "actual": 25, "saved": 26, "reduction": 0.5098,
                                 "label": "填写字段（项）"}
    assert savings["fields_prefilled_share"] == 0.1379  # 4/29
    # Of the 8 fields a data source could fill (the person registry's 4, and 4 from an enterprise's
    # business licence, which this applicant does not hold yet), 4 were pre-filled.
    assert (savings["fields_prefillable"], savings["fields_prefilled_of_prefillable"]) == (8, 0.5)
    assert {f["key"]: f["prefilled"] for f in savings["prefill_fields"]} == {
        "entity_name": False, "entity_type": False, "business_scope": False, "premises_address": False,
        "name": True, "id_number": True, "phone": True, "gender": True}
    assert {"key": "id_number", "label": "身份证件号码", "prefilled": True} in savings["prefill_fields"]
    assert figures["fees"] == {"baseline": 0, "actual": 0, "saved": 0, "reduction": None, "label": "费用（元）"}
    assert (savings["case_number"], savings["bundle_code"], savings["channel"], savings["result_delivery"]) == (
        number, "restaurant", "window", "window")
    assert savings["closed_at"] == "2026-10-08T02:00:00+00:00"
    assert set(savings["baseline_sources"].values()) == {"items"}
    assert {"figure": "time_days", "before": 48, "after": 13, "unit": "wd", "reduction": 0.7292,
            "place": "四川"} in savings["published"]
    assert ok(client.get(f"/api/cases/{number}/savings", headers=REVIEWERS["cg"]))["figures"] == figures


def test_a_special_procedure_stops_the_case_only_while_every_open_approval_is_paused(
        client: Any, clock: FakeClock) -> None:
    """The reproduced defect: the health certificate's medical check paused its approval for the
    whole case, the other departments worked on for 6 working days, and the case was reported as
    having taken 0."""
    clock.now = at(7, 9)  # Monday
    number: str = ok(client.post("/api/cases", json=case_body(client), headers=CLERK), 201)["number"]
    clock.now = at(7, 10)
    jkz = open_task(client, number, "cy.jkz")
    ok(client.post(f"/api/tasks/{jkz['id']}/pause", json={"procedure": "inspection", "reason": "从业人员健康体检"},
                   headers=REVIEWERS["wj"]))
    clock.now = at(8, 10)
    approve(client, number, "cy.yyzz", "scjg")
    clock.now = at(9, 10)
    approve(client, number, "cy.zp", "cg")
    approve(client, number, "cy.xf", "xf")
    clock.now = at(15, 10)  # Tuesday of the next week: the food permit, the last but the health certificate
    approve(client, number, "cy.spjy", "scjg")
    clock.now = at(18, 16)  # Friday: the medical check is done, the certificate granted
    approve(client, number, "cy.jkz", "wj")
    clock.now = at(21, 10)
    ok(client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK))
    savings = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    # Working days after Mon 7 to Fri 18: 9. The health certificate's approval was paused on all of
    # them (Tue 8 to Fri 18), but the food permit was worked on through Tue 15: only Wed 16, Thu 17
    # and Fri 18, when the paused certificate was the only open approval, stop the case.
    assert savings["time"] == {"elapsed_days": 9, "paused_days": 3}
    assert savings["figures"]["time_days"]["actual"] == 6


def test_savings_are_for_closed_cases_that_the_viewer_may_see(client: Any) -> None:
    newborn = ok(client.post("/api/cases", json=case_body(client, "newborn"), headers=CLERK), 201)["number"]
    answer = client.get(f"/api/cases/{newborn}/savings", headers=CLERK)
    assert answer.status_code == 409 and "尚未办结" in answer.json["message_zh"]
    assert client.get(f"/api/cases/{newborn}/savings", headers=REVIEWERS["xf"]).status_code == 404  # not theirs
    assert client.get("/api/cases/XX-1/savings", headers=CLERK).status_code == 404


@pytest.fixture
def two_cases(client: Any, engine: OneThingEngine, clock: FakeClock) -> tuple[str, str]:
    return hand_case(client, engine, clock), online_case(client, clock)


def test_the_report_means_counts_and_distributions(client: Any, two_cases: tuple[str, str]) -> None:
    report = ok(client.get("/api/reports/savings"))
    assert report["count"] == 2 and [b["code"] for b in report["bundles"]] == ["restaurant"]
    overall = report["overall"]
    trips = overall["figures"]["trips"]
    # Trips 4 and 0 (online, mailed) of 10: reductions 0.6 and 1.
    assert (trips["mean_baseline"], trips["mean_actual"], trips["mean_reduction"]) == (10, 2, 0.8)
    assert trips["pooled_reduction"] == 0.8  # 1 − 4/20
    # Steps 9 and 7 (intake, five approvals, pickup) of 20.
    assert overall["figures"]["steps"]["mean_actual"] == 8 and overall["figures"]["steps"]["mean_reduction"] == 0.6
    # Time 2 and 0 working days of 28: (0.928571 + 1) / 2.
    assert overall["figures"]["time_days"]["mean_reduction"] == 0.9643
    assert overall["figures"]["time_days"]["p50_actual"] == 1
    # Materials 9 and 10 (everything handed over) of 23; fields 25 and 29 of 51.
    assert overall["figures"]["materials"]["mean_actual"] == 9.5
    assert overall["figures"]["fields"]["mean_reduction"] == 0.4706  # (0.5098 + 0.4314) / 2
    assert overall["mean_prefilled_share"] == 0.069  # (4/29 + 0) / 2
    assert overall["half_prefilled_share"] == 0
    # Pre-filled of the 8 fields a source could fill: 4 and 0 (the online applicant is unknown).
    assert (overall["mean_fields_prefillable"], overall["mean_prefilled_of_prefillable"]) == (8, 0.25)
    assert [(b["label"], b["count"]) for b in overall["time_histogram"] if b["count"]] == [
        ("当日", 1), ("2–3 个工作日", 1)]
    assert overall["distributions"]["trips"] == [{"value": 0, "count": 1}, {"value": 4, "count": 1}]
    targets = {t["figure"]: t for t in overall["targets"]}
    assert targets["trips"] == {"figure": "trips", "label": "减跑动", "target": 0.83, "achieved": 0.8, "met": False}
    assert targets["time_days"]["met"] is True
    assert report["bundles"][0]["figures"] == overall["figures"] and report["bundles"][0]["published"]
    assert "新乡" in report["targets_source"]


@pytest.mark.parametrize(("query", "trips"), [
    # The hand case closed on 10-08 (trips 4 of 10), the online one on 10-09 (0 of 10), both in Shanghai.
    ("bundle=restaurant", [0.6, 1]), ("bundle=newborn", []), ("to=2026-10-08", [0.6]), ("to=2026-10-07", []),
    ("from=2026-10-09", [1]), ("from=2026-10-08&to=2026-10-09", [0.6, 1]), ("from=2026-10-10", []),
    ("department=xf", [0.6, 1]), ("department=gs", []), ("bundle=restaurant&department=wj&from=2026-10-08", [0.6, 1]),
])
def test_report_filters(client: Any, two_cases: tuple[str, str], query: str, trips: list[float]) -> None:
    report = ok(client.get(f"/api/reports/savings?{query}"))
    assert report["count"] == len(trips) == sum(b["count"] for b in report["bundles"])
    assert report["overall"]["figures"]["trips"]["mean_reduction"] == (sum(trips) / len(trips) if trips else None)


@pytest.mark.parametrize(("query", "status", "field"), [
    ("from=2026-13-01", 422, "from"), ("to=yesterday", 422, "to"), ("from=2026-10-02&to=2026-10-01", 422, "from"),
    ("department=nope", 422, "department"), ("bundle=nope", 404, None),
])
def test_bad_report_queries_are_refused_in_chinese(client: Any, query: str, status: int, field: str | None) -> None:
    for path in ("/api/reports/savings", "/api/reports/savings.csv", "/api/reports/savings/charts/targets.svg"):
        answer = client.get(f"{path}?{query}")
        assert answer.status_code == status, (path, answer.json)
        assert set(answer.json) >= {"code", "message", "message_zh", "errors"}
        assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json["message_zh"])
        if field:  # the field's own messages name the other date in Chinese, not by its parameter
            assert field in answer.json["errors"]
            assert not re.search(r"\b(from|to)\b", json.dumps(list(answer.json["errors"].values()), ensure_ascii=False))


def test_csv_exports_have_a_bom_and_rows(client: Any, two_cases: tuple[str, str]) -> None:
    summary = client.get("/api/reports/savings.csv")
    assert summary.status_code == 200 and summary.mimetype == "text/csv"
    assert summary.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(summary.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["范围", "办件数"] and [r[:2] for r in rows[1:]] == [["开办餐饮店一件事", "2"],
                                                                         ["全部一件事", "2"]]
    assert rows[1][rows[0].index("跑动次数·平均减少比例")] == "0.8"
    assert rows[1][rows[0].index("可预填字段中已预填的平均比例")] == "0.25"
    cases = list(csv.reader(io.StringIO(client.get("/api/reports/savings.csv?rows=cases").data.decode("utf-8-sig"))))
    assert [r[0] for r in cases[1:]] == list(two_cases)
    assert cases[1][cases[0].index("跑动次数·一件事办理")] == "4"
    assert [r[cases[0].index("可由数据源预填的字段（项）")] for r in cases[1:]] == ["8", "8"]
    assert [r[cases[0].index("可预填字段中已预填的比例")] for r in cases[1:]] == ["0.5", "0.0"]
    assert client.get("/api/reports/savings.csv?rows=nope").status_code == 422


def test_xlsx_export_is_a_workbook_with_both_sheets(client: Any, two_cases: tuple[str, str]) -> None:
    answer = client.get("/api/reports/savings.xlsx?bundle=restaurant")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = zipfile.ZipFile(io.BytesIO(answer.data))
    workbook = book.read("xl/workbook.xml").decode("utf-8")
    assert "汇总" in workbook and "办件明细" in workbook
    assert two_cases[0] in book.read("xl/sharedStrings.xml").decode("utf-8")


@pytest.mark.parametrize("name", ["before_after", "targets", "time_distribution"])
def test_charts_are_svg(client: Any, two_cases: tuple[str, str], name: str) -> None:
    for query in ("", "?bundle=restaurant"):
        answer = client.get(f"/api/reports/savings/charts/{name}.svg{query}")
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
        root = ET.fromstring(answer.data)  # noqa: S314 (our own output)
        assert root.tag == f"{SVG}svg"
        title = root.find(f"{SVG}title")
        assert title is not None and title.text is not None
        assert title.text.startswith("开办餐饮店一件事" if query else "全部一件事")
    assert client.get("/api/reports/savings/charts/pie.svg").status_code == 404


def test_cases_closed_before_savings_were_measured_are_backfilled(client: Any, engine: OneThingEngine,
                                                                  clock: FakeClock) -> None:
    from sqlalchemy import text

    from engine.services.savings import backfill_savings

    number = hand_case(client, engine, clock)
    measured = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    with engine.db.begin() as conn:  # as a database from before migration 0009 would be
        conn.execute(text("DELETE FROM case_savings_departments"))
        conn.execute(text("DELETE FROM case_savings"))
    assert client.get(f"/api/cases/{number}/savings", headers=CLERK).status_code == 404
    assert backfill_savings(engine.ctx) == [number]
    assert backfill_savings(engine.ctx) == []
    again = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    assert again["figures"] == measured["figures"] and again["time"] == measured["time"]


def test_figures_stored_before_the_fillable_fields_were_counted_still_read(client: Any, engine: OneThingEngine,
                                                                           clock: FakeClock) -> None:
    from engine.persistence import tables

    number = hand_case(client, engine, clock)
    measured = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    with engine.db.begin() as conn:  # as a row written before the fillable fields were counted
        conn.execute(tables.case_savings.update().values(fields_prefillable=None, fields_prefilled_of_prefillable=None,
                                                         prefill_fields=None))
    old = ok(client.get(f"/api/cases/{number}/savings", headers=CLERK))
    assert (old["fields_prefillable"], old["fields_prefilled_of_prefillable"], old["prefill_fields"]) == (
        None, None, None)
    assert old["figures"] == measured["figures"] and old["fields_prefilled_share"] == 0.1379
    overall = ok(client.get("/api/reports/savings"))["overall"]
    assert (overall["mean_fields_prefillable"], overall["mean_prefilled_of_prefillable"]) == (None, None)
    assert overall["mean_prefilled_share"] == 0.1379
    cases = list(csv.reader(io.StringIO(client.get("/api/reports/savings.csv?rows=cases").data.decode("utf-8-sig"))))
    assert cases[1][cases[0].index("可预填字段中已预填的比例")] == ""
