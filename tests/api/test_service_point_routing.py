"""Cases across a city's service points (issue 27): a city centre, two districts (counties) each with
their own units of the departments (红旗区卫生健康委, 牧野区卫生健康委, …) and three township points.
A 新生儿出生 case accepted at a township goes to its county's units, comes back to the township for
pickup, and the other county's reviewers (and the city's) never see it; supervisors filter by point
and level; a township does not accept what it does not handle; results go where the applicant asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.clocks import SHANGHAI
from tests.api.point_staff import staff_at
from tests.approvals import approve_every_item, reviewer_headers
from tests.conftest import ADMIN, CLERK, REVIEWERS, SUPERVISOR, FakeClock, case_body


def _layout(client: Any) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in client.get("/api/hall/points").json["points"]}


def test_a_township_case_goes_to_its_countys_units_and_back_and_the_other_county_never_sees_it(client: Any) -> None:
    points = _layout(client)
    assert [c for c, p in points.items() if p["level"] == "county"] == ["hongqi", "muye"]
    assert sorted(c for c, p in points.items() if p["level"] == "township") == ["hongmen", "wangcun", "xiaodian"]
    assert points["hongmen"]["parent"] == "hongqi" and points["wangcun"]["parent"] == "muye"
    assert "wj" in points["hongqi"]["departments"] and "wj" in points["muye"]["departments"]

    township = staff_at(client, "li.hongmen", "window", ["clerk"], "hongmen")
    started = client.post("/api/cases", json=case_body(client, "newborn"), headers=township)
    assert started.status_code == 201, started.json
    case = started.json
    number = case["number"]
    assert case["accepted_point"] == "hongmen" and case["handover_point"] == "hongmen"
    units = {i["code"]: i["department"] for i in case["items"]}
    assert units and all(d.endswith("@hongqi") for d in units.values()), units
    names = {d["code"]: d["name"] for d in case["departments"]}
    assert names["wj@hongqi"] == "红旗区卫生健康委" and names["ga@hongqi"] == "红旗区公安局"
    assert all(i["department_name"].startswith("红旗区") for i in case["receipt"]["items"])
    opened = client.get(f"/api/tasks?case={number}", headers=SUPERVISOR).json["items"]
    assert opened and {t["department"] for t in opened} <= set(units.values())

    # The other county's health commission and the city's own see nothing of it.
    other = reviewer_headers(client, "wj@muye")
    for outsider in (other, REVIEWERS["wj"]):
        assert client.get(f"/api/cases/{number}", headers=outsider).status_code == 404
        assert client.get(f"/api/tasks?case={number}", headers=outsider).status_code == 404
        assert client.get("/api/tasks", headers=outsider).json["items"] == []
        assert client.get(f"/api/cases?q={number}", headers=outsider).json["total"] == 0
        assert client.get(f"/api/cases/{number}/diagram", headers=outsider).status_code == 404
    mine = reviewer_headers(client, "wj@hongqi")
    inbox = client.get("/api/tasks", headers=mine).json["items"]
    assert {t["case_number"] for t in inbox} == {number}
    lanes = {lane["department"]: lane["department_name"]
             for lane in client.get(f"/api/cases/{number}/diagram", headers=mine).json["lanes"]}
    assert lanes["wj"] == "红旗区卫生健康委"

    guide = client.get("/api/bundles/newborn/guide", headers=CLERK).json
    approve_every_item(client, number, guide["items"])
    ready = client.get(f"/api/cases/{number}", headers=township).json
    assert ready["status"] == "awaiting_pickup"

    # Back to the township: its window lists the pickup; the city's window may not hand it over.
    listed = client.get("/api/tasks?department=window&service_point=hongmen", headers=township).json["items"]
    assert [t["kind"] for t in listed if t["case_number"] == number] == ["pickup"]
    elsewhere = client.get("/api/tasks?department=window&service_point=wangcun", headers=township).json["items"]
    assert not [t for t in elsewhere if t["case_number"] == number]
    refused = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "王芳"}, headers=CLERK)
    assert refused.status_code == 409 and "洪门镇便民服务中心" in refused.json["message_zh"]
    done = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "王芳"}, headers=township)
    assert done.status_code == 200, done.json
    handed = next(e for e in done.json["timeline"] if e["type"] == "ResultsHandedOver")
    assert handed["data"]["point"] == "hongmen"

    # Supervisors filter by point (a county holds its townships) and by level.
    def found(query: str) -> set[str]:
        return {c["number"] for c in client.get(f"/api/cases?{query}", headers=SUPERVISOR).json["items"]}

    assert number in found("service_point=hongmen") and number in found("service_point=hongqi")
    assert number in found("level=township") and number not in found("level=county")
    assert number not in found("service_point=muye") and number not in found("service_point=wangcun")
    bad = client.get("/api/cases?service_point=nowhere", headers=SUPERVISOR)
    assert bad.status_code == 422 and "service_point" in bad.json["errors"]


def test_a_township_refuses_what_it_does_not_accept_and_results_can_be_collected_elsewhere(client: Any) -> None:
    township = staff_at(client, "zhao.wangcun", "window", ["clerk"], "wangcun")
    refused = client.post("/api/cases", json=case_body(client, "restaurant"), headers=township)
    assert refused.status_code == 409 and "王村镇便民服务中心不受理" in refused.json["message_zh"]
    nowhere = client.post("/api/cases", json={**case_body(client, "newborn"), "handover_point": "nowhere"},
                          headers=township)
    assert nowhere.status_code == 422 and "handover_point" in nowhere.json["errors"]
    at_home = client.post("/api/cases", json={**case_body(client, "newborn"), "handover_point": "muye",
                                              "place": "home"}, headers=township)
    assert at_home.status_code == 201, at_home.json
    case = at_home.json
    assert case["accepted_point"] == "wangcun" and case["handover_point"] == "muye"
    assert case["intake_place"] == "home"
    assert {i["department"] for i in case["items"]} <= {f"{d}@muye" for d in ("wj", "ga", "yb", "rs", "sw")}

    # A clerk belongs to a point the administrator names; reviewers' place is their unit's.
    bad_point = client.post("/api/users", headers=ADMIN, json={
        "login": "x.clerk", "name": "某", "department": "window", "roles": ["clerk"], "password": "test-password-1",
        "service_point": "nowhere"})
    assert bad_point.status_code == 422 and "service_point" in bad_point.json["errors"]
    reviewer_point = client.post("/api/users", headers=ADMIN, json={
        "login": "y.reviewer", "name": "某", "department": "wj@muye", "roles": ["reviewer"],
        "password": "test-password-1", "service_point": "muye"})
    assert reviewer_point.status_code == 422 and "service_point" in reviewer_point.json["errors"]
    unit = client.post("/api/users", headers=ADMIN, json={
        "login": "z.reviewer", "name": "某", "department": "wj@nowhere", "roles": ["reviewer"],
        "password": "test-password-1"})
    assert unit.status_code == 422 and "department" in unit.json["errors"]


def test_the_report_by_service_point_counts_cases_trips_waits_and_agents(
        client: Any, anonymous: Any, clock: FakeClock) -> None:
    clock.now = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)  # a Thursday morning: the halls are open
    township = staff_at(client, "li.hongmen", "window", ["clerk"], "hongmen")
    ticket = anonymous.post("/api/hall/hongmen/tickets", json={"bundle": "newborn"}).json
    clock.advance(minutes=6)
    assert client.post("/api/hall/xx_city/call", json={"window": 1}, headers=township).status_code == 403
    called = client.post("/api/hall/hongmen/call", json={"window": 1}, headers=township).json["called"]
    assert called["id"] == ticket["id"]
    clock.advance(minutes=3)
    started = client.post("/api/cases", json={**case_body(client, "newborn"), "ticket": ticket["id"]},
                          headers=township)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    again = client.post("/api/cases", json={**case_body(client, "newborn"), "ticket": ticket["id"]},
                        headers=township)
    assert again.status_code == 422 and "ticket" in again.json["errors"]  # one case per ticket

    # 帮办代办: an agent at the district's hall applies for someone who signed a letter of authorization.
    agent = staff_at(client, "agent.hongqi", "window", ["agent"], "hongqi", name="帮办员小周")
    unauthorized = client.post("/api/cases", json=case_body(client, "newborn"), headers=agent)
    assert unauthorized.status_code == 422 and "mandate" in unauthorized.json["errors"]
    assert client.post("/api/cases", json={**case_body(client, "newborn"), "mandate": "letter"},
                       headers=CLERK).status_code == 422  # a clerk's own intake names no mandate
    prepared = client.post("/api/cases", json={**case_body(client, "newborn"), "mandate": "letter"}, headers=agent)
    assert prepared.status_code == 201, prepared.json
    assert prepared.json["agent"] == "agent.hongqi" and prepared.json["agent_name"] == "帮办员小周"
    accepted = next(e for e in prepared.json["timeline"] if e["type"] == "CaseAccepted")
    assert accepted["data"]["agent"] == {"agent": "agent.hongqi", "mandate": "letter", "label": "授权委托书"}
    assert client.get(f"/api/cases/{number}", headers=agent).status_code == 404  # not theirs
    assert [c["number"] for c in client.get("/api/cases", headers=agent).json["items"]] == [prepared.json["number"]]
    assert client.get("/api/tasks", headers=agent).status_code == 403

    approve_every_item(client, number, client.get("/api/bundles/newborn/guide", headers=CLERK).json["items"])
    assert client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "王芳"},
                       headers=township).status_code == 200

    report = client.get("/api/reports/service-points?from=2026-09-24&to=2026-09-24", headers=SUPERVISOR)
    assert report.status_code == 200, report.json
    rows = {r["code"]: r for r in report.json["points"]}
    assert [r["code"] for r in report.json["points"]] == ["xx_city", "hongqi", "hongmen", "xiaodian", "muye",
                                                          "wangcun"]
    assert [rows[c]["depth"] for c in ("xx_city", "hongqi", "hongmen")] == [0, 1, 2]
    hongmen = rows["hongmen"]
    assert (hongmen["accepted"], hongmen["closed"], hongmen["tickets"], hongmen["called"]) == (1, 1, 1, 1)
    assert hongmen["wait_p50_minutes"] == 6 and hongmen["wait_p95_minutes"] == 6
    assert hongmen["to_acceptance_p50_minutes"] == 3
    assert hongmen["trips_actual"] < hongmen["trips_baseline"]
    assert (rows["hongqi"]["accepted"], rows["hongqi"]["by_agents"], rows["hongqi"]["closed"]) == (1, 1, 0)
    assert report.json["agents"] == [{"agent": "agent.hongqi", "name": "帮办员小周", "point": "hongqi", "cases": 1}]
    assert client.get("/api/reports/service-points", headers=CLERK).status_code == 403
    backwards = client.get("/api/reports/service-points?from=2026-09-25&to=2026-09-24", headers=SUPERVISOR)
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    assert client.get("/api/reports/service-points?bundle=nothing", headers=SUPERVISOR).status_code == 404
