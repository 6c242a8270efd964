"""办件查询: a free query (case number prefix, applicant name, ID number or credit code, phone, date)
plus status, bundle and an acceptance date range, each kind only for those who may see its data."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import start
from tests.conftest import APPLICANT, CLERK, HEADERS, REVIEWERS, SUPERVISOR, applicant_for, case_body

OTHER_ID = "110105198001010016"


def numbers(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.json
    return {c["number"] for c in answer.json["items"]}


def start_hiring(client: Any) -> dict[str, Any]:
    """A case of a bundle that 市场监管 has no item in (招聘: 人社、医保、公积金)."""
    person = {"name": "周大伟", "id_number": OTHER_ID, "phone": "13900139000", "address": "北京市朝阳区"}
    applicant = applicant_for(client.application.extensions["onething"], "hiring", person)
    response = client.post("/api/cases", json=case_body(client, "hiring", applicant), headers=CLERK)
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def test_the_window_finds_a_case_by_name_part_id_number_phone_and_number_prefix(client: Any) -> None:
    mine = start(client)
    other = start_hiring(client)
    search = lambda q: numbers(client.get("/api/cases", query_string={"q": q}, headers=CLERK))  # noqa: E731
    assert search("陈小") == {mine["number"]}  # part of the name
    assert search("大伟") == {other["number"]}
    assert search("小明餐饮") == {other["number"]}  # part of an enterprise's name
    assert search(APPLICANT["id_number"].lower()) == {mine["number"]}  # the ID number, x in either case
    assert search("11010519491231002") == set()  # not a prefix search: identifiers match whole
    assert search(APPLICANT["phone"]) == {mine["number"]}
    assert search("13900139000") == {other["number"]}
    assert search(mine["number"]) == {mine["number"]}
    assert search(mine["number"][:2].lower()) == {mine["number"]}  # "cy": the prefix of a restaurant case
    assert search("YG-") == {other["number"]}
    assert search("CY-19990101-00001") == set()  # an unknown number: an empty list, not an error
    assert search("王五") == set()


def test_a_reviewer_does_not_find_another_departments_case(client: Any) -> None:
    restaurant = start(client)
    hiring = start_hiring(client)
    scjg = REVIEWERS["scjg"]
    for q in ("大伟", OTHER_ID, "13900139000", hiring["number"]):
        assert numbers(client.get("/api/cases", query_string={"q": q}, headers=scjg)) == set()
    assert numbers(client.get("/api/cases", query_string={"q": "陈小明"}, headers=scjg)) == {restaurant["number"]}
    assert numbers(client.get("/api/cases", query_string={"q": "陈小明"}, headers=HEADERS["scjg.head"])) == {
        restaurant["number"]}


def test_a_supervisor_searches_by_case_number_or_date_only(client: Any) -> None:
    case = start(client)
    assert numbers(client.get("/api/cases", query_string={"q": case["number"]}, headers=SUPERVISOR)) == {
        case["number"]}
    for q in (APPLICANT["id_number"], APPLICANT["phone"], "小明"):
        refused = client.get("/api/cases", query_string={"q": q}, headers=SUPERVISOR)
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
        assert "办件编号" in refused.json["message_zh"]


def test_a_credit_code_finds_the_enterprise_case(client: Any) -> None:
    response = client.post("/api/cases", json=case_body(client, "company_change"), headers=CLERK)
    assert response.status_code == 201, response.json
    assert numbers(client.get("/api/cases", query_string={"q": "91350100M000100Y43"}, headers=CLERK)) == {
        response.json["number"]}


def test_filters_by_acceptance_dates_status_and_bundle(client: Any, clock: Any) -> None:
    first = start(client)  # 2026-09-24 09:30 in Beijing
    clock.advance(days=2)
    second = start_hiring(client)  # 2026-09-26
    dates = lambda **q: numbers(client.get("/api/cases", query_string=q, headers=CLERK))  # noqa: E731
    assert dates(**{"from": "2026-09-24", "to": "2026-09-24"}) == {first["number"]}
    assert dates(**{"from": "2026-09-25"}) == {second["number"]}
    assert dates(to="2026-09-25") == {first["number"]}
    assert dates(q="2026-09-26") == {second["number"]}  # a date typed into the box: that day's cases
    assert dates(**{"from": "2026-09-01", "to": "2026-09-30", "bundle": "hiring"}) == {second["number"]}
    assert dates(**{"from": "2026-09-01", "status": "closed"}) == set()
    assert numbers(client.get("/api/cases", query_string={"q": "2026-09-24"}, headers=SUPERVISOR)) == {
        first["number"]}


def test_bad_dates_answer_422_in_chinese_and_change_nothing(client: Any) -> None:
    start(client)
    for query, field in (({"from": "2026-13-01"}, "from"), ({"to": "24/09/2026"}, "to"),
                         ({"from": "2026-09-30", "to": "2026-09-01"}, "to"), ({"from": "0001-01-01"}, "from"),
                         ({"to": "9999-12-31"}, "to")):
        answer = client.get("/api/cases", query_string=query, headers=CLERK)
        assert answer.status_code == 422, (query, answer.json)
        assert set(answer.json) >= {"code", "message", "message_zh", "errors"}
        assert field in answer.json["errors"], answer.json
        assert any("日期" in m for m in answer.json["errors"][field]), answer.json
    assert client.get("/api/cases", headers=CLERK).json["total"] == 1


def test_wildcards_in_a_name_are_matched_literally(client: Any) -> None:
    start(client)
    assert numbers(client.get("/api/cases", query_string={"q": "%"}, headers=CLERK)) == set()
    assert numbers(client.get("/api/cases", query_string={"q": "小_"}, headers=CLERK)) == set()
