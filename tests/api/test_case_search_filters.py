"""办件查询 beyond the free query: the department filter (the window and supervisors any department,
a department only its own), sorting by a whitelist of columns in either direction, and paging."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import text

from tests.api.test_case_journey import start
from tests.api.test_case_search import start_hiring
from tests.conftest import CLERK, HEADERS, REVIEWERS, SUPERVISOR


def listed(client: Any, headers: dict[str, str], **query: Any) -> list[str]:
    answer = client.get("/api/cases", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.json
    return [c["number"] for c in answer.json["items"]]


def three_cases(client: Any, clock: Any) -> tuple[str, str, str]:
    """A restaurant case on 2026-09-24, another on the 25th, a hiring case on the 26th."""
    first = start(client)["number"]
    clock.advance(days=1)
    second = start(client)["number"]
    clock.advance(days=1)
    hiring = start_hiring(client)["number"]
    return first, second, hiring


def test_a_department_filter_finds_the_cases_with_an_item_of_it(client: Any) -> None:
    restaurant = start(client)["number"]
    hiring = start_hiring(client)["number"]
    assert listed(client, CLERK, department="scjg") == [restaurant]
    assert listed(client, CLERK, department="rs") == [hiring]
    assert listed(client, SUPERVISOR, department="yb") == [hiring]
    assert listed(client, SUPERVISOR, department="nobody") == []
    assert listed(client, REVIEWERS["scjg"], department="scjg") == [restaurant]
    assert listed(client, HEADERS["scjg.head"], department="scjg", q="陈小明") == [restaurant]


def test_a_department_may_not_ask_for_another_departments_cases(client: Any) -> None:
    start_hiring(client)
    refused = client.get("/api/cases", query_string={"department": "rs"}, headers=REVIEWERS["scjg"])
    assert refused.status_code == 403, refused.json
    assert set(refused.json) == {"code", "message", "message_zh", "errors"}
    assert refused.json["message_zh"] == "您只能查询本部门的办件"


def test_sorts_by_each_whitelisted_column_both_ways(client: Any, clock: Any) -> None:
    first, second, hiring = three_cases(client, clock)
    assert listed(client, CLERK) == [hiring, second, first]  # newest first by default
    assert listed(client, CLERK, sort="accepted_at", order="asc") == [first, second, hiring]
    assert listed(client, CLERK, sort="number", order="asc") == sorted([first, second, hiring])
    assert listed(client, CLERK, sort="number", order="desc") == sorted([first, second, hiring], reverse=True)
    # Then by acceptance, the same way: each order is the exact reverse of the other.
    assert listed(client, CLERK, sort="bundle", order="asc") == [hiring, first, second]
    assert listed(client, CLERK, sort="bundle", order="desc") == [second, first, hiring]
    assert listed(client, CLERK, sort="status", order="asc") == [first, second, hiring]
    assert listed(client, CLERK, sort="status", order="desc") == [hiring, second, first]
    due = {n: client.get(f"/api/cases/{n}", headers=CLERK).json["clock"]["due_on"] for n in (first, second, hiring)}
    accepted = {first: 0, second: 1, hiring: 2}
    assert listed(client, CLERK, sort="due", order="asc") == sorted(due, key=lambda n: (due[n], accepted[n]))
    assert listed(client, CLERK, sort="due", order="desc") == sorted(
        due, key=lambda n: (due[n], accepted[n]), reverse=True)


def test_pages_keep_their_shape_and_the_order(client: Any, clock: Any) -> None:
    first, second, hiring = three_cases(client, clock)
    answer = client.get("/api/cases", query_string={"sort": "number", "order": "asc", "per_page": 1, "page": 2},
                        headers=CLERK)
    assert answer.status_code == 200, answer.json
    assert set(answer.json) == {"items", "total", "total_exact", "page", "per_page", "next"}
    assert ([c["number"] for c in answer.json["items"]], answer.json["total"], answer.json["page"]) == (
        [sorted([first, second, hiring])[1]], 3, 2)
    assert answer.json["total_exact"] is True and answer.json["next"]
    assert listed(client, CLERK, status="in_review", bundle="restaurant", sort="accepted_at", order="asc") == [
        first, second]


def test_an_unknown_sort_or_order_answers_422_in_chinese(client: Any) -> None:
    start(client)
    for query, field, words in (({"sort": "applicant"}, "sort", "排序字段只能是"),
                                ({"sort": "accepted_at; DROP TABLE cases"}, "sort", "排序字段只能是"),
                                ({"order": "up"}, "order", "排序方向只能是"),
                                ({"department": "x" * 33}, "department", "部门代码")):
        answer = client.get("/api/cases", query_string=query, headers=CLERK)
        assert answer.status_code == 422, (query, answer.json)
        assert set(answer.json) == {"code", "message", "message_zh", "errors"}
        assert any(words in m for m in answer.json["errors"][field]), answer.json
    assert client.get("/api/cases", headers=CLERK).json["total"] == 1


def walked(client: Any, **query: Any) -> list[str]:
    """Every page by its ``next`` mark, one case a page, as a client goes deep."""
    found: list[str] = []
    after = None
    for _ in range(10):
        answer = client.get("/api/cases", query_string={**query, "per_page": 1, **({"after": after} if after else {})},
                            headers=CLERK)
        assert answer.status_code == 200, answer.json
        found += [c["number"] for c in answer.json["items"]]
        after = answer.json["next"]
        if after is None:
            return found
    raise AssertionError(f"no last page: {found}")


def test_the_next_mark_walks_every_order_as_the_numbered_pages_do(client: Any, clock: Any, engine: Any) -> None:
    first, second, hiring = three_cases(client, clock)
    with engine.db.begin() as conn:  # a case without a due day sorts last going up, first going down
        conn.execute(text("UPDATE cases SET due_on = NULL WHERE number = :n"), {"n": second})
    for sort in ("accepted_at", "number", "bundle", "status", "due"):
        for order in ("asc", "desc"):
            expected = listed(client, CLERK, sort=sort, order=order)
            assert walked(client, sort=sort, order=order) == expected, (sort, order)
    assert walked(client, sort="due", order="asc")[-1] == second
    assert walked(client, sort="due", order="desc")[0] == second
    assert walked(client, status="in_review", bundle="restaurant", order="asc") == [first, second]
    assert hiring in walked(client)


def test_a_bad_or_foreign_mark_and_a_page_past_the_count_answer_422_in_chinese(client: Any, clock: Any) -> None:
    three_cases(client, clock)
    mark = client.get("/api/cases", query_string={"per_page": 1}, headers=CLERK).json["next"]
    for query, words in (({"after": "not-a-mark"}, "翻页标记无效"), ({"after": "W10"}, "翻页标记"),
                         ({"after": mark, "sort": "number"}, "翻页标记与当前排序不符"),
                         ({"after": mark, "order": "asc"}, "翻页标记与当前排序不符"),
                         ({"page": 201}, "按页码只能翻到前 10000 条"),
                         ({"page": 51, "per_page": 200}, "按页码只能翻到前 10000 条")):
        answer = client.get("/api/cases", query_string=query, headers=CLERK)
        assert answer.status_code == 422, (query, answer.json)
        field = "page" if "page" in query else "after"
        assert any(words in m for m in answer.json["errors"][field]), (query, answer.json)
    forged = base64.urlsafe_b64encode(json.dumps(["accepted_at", "desc", "2026-09-24T00:00:00", 1]).encode()).decode()
    answer = client.get("/api/cases", query_string={"after": forged}, headers=CLERK)  # a moment without its zone
    assert answer.status_code == 422 and "翻页标记无效" in answer.json["errors"]["after"][0], answer.json
    assert client.get("/api/cases", query_string={"page": 200}, headers=CLERK).status_code == 200
