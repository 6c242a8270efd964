"""Saved filters (常用查询): each person keeps named conditions for the case list and the inbox, sees and
deletes only their own (another's answers 404, as a missing one), names of 1-40 characters unique per
page, at most 20 per page; every refusal in Chinese and nothing stored by it."""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import ADMIN, CLERK, REVIEWERS, SUPERVISOR

REVIEWER = REVIEWERS["scjg"]


def save(client: Any, headers: dict[str, str], name: str, page: str = "cases", **query: str) -> Any:
    return client.post("/api/saved-filters", json={"page": page, "name": name, "query": query}, headers=headers)


def names(client: Any, headers: dict[str, str], page: str = "cases") -> list[str]:
    answer = client.get("/api/saved-filters", query_string={"page": page}, headers=headers)
    assert answer.status_code == 200, answer.json
    return [f["name"] for f in answer.json]


def test_each_person_saves_lists_and_deletes_their_own_filters_per_page(client: Any) -> None:
    saved = save(client, CLERK, " 审批中的餐饮 ", status="in_review", bundle="restaurant", sort="number", order="asc")
    assert saved.status_code == 201, saved.json
    assert {k: saved.json[k] for k in ("page", "name", "query")} == {
        "page": "cases", "name": "审批中的餐饮",
        "query": {"status": "in_review", "bundle": "restaurant", "sort": "number", "order": "asc"}}
    assert save(client, CLERK, "按编号", sort="number").status_code == 201
    assert save(client, REVIEWER, "我认领的", page="inbox", claim="mine", sort="due").status_code == 201
    assert save(client, REVIEWER, "审批中的餐饮", status="in_review").status_code == 201  # another person's name
    assert names(client, CLERK) == ["审批中的餐饮", "按编号"]  # in the order saved
    assert names(client, CLERK, "inbox") == []
    assert names(client, REVIEWER, "inbox") == ["我认领的"]
    assert names(client, REVIEWER) == ["审批中的餐饮"]
    assert names(client, SUPERVISOR) == []

    # Someone else's filter is as missing as one that never existed; the owner's goes.
    for headers in (REVIEWER, SUPERVISOR):
        refused = client.delete(f"/api/saved-filters/{saved.json['id']}", headers=headers)
        assert refused.status_code == 404, refused.json
        assert refused.json["message_zh"] == "没有这个常用查询"
    assert client.delete(f"/api/saved-filters/{saved.json['id']}", headers=CLERK).status_code == 204
    assert names(client, CLERK) == ["按编号"]
    assert client.delete(f"/api/saved-filters/{saved.json['id']}", headers=CLERK).status_code == 404
    assert client.delete("/api/saved-filters/99999999999", headers=CLERK).status_code == 404


def test_a_name_used_already_on_the_page_is_a_conflict(client: Any) -> None:
    assert save(client, CLERK, "本周").status_code == 201
    again = save(client, CLERK, "本周", status="closed")
    assert again.status_code == 409, again.json
    assert set(again.json) == {"code", "message", "message_zh", "errors"}
    assert "已有名为“本周”的常用查询" in again.json["message_zh"]
    assert save(client, CLERK, "本周", page="inbox").status_code == 201  # the inbox's names are apart
    assert client.get("/api/saved-filters?page=cases", headers=CLERK).json[0]["query"] == {}


def test_at_most_twenty_filters_per_page(client: Any) -> None:
    for n in range(20):
        assert save(client, REVIEWER, f"条件{n + 1}", q=str(n)).status_code == 201
    refused = save(client, REVIEWER, "第二十一个")
    assert refused.status_code == 409, refused.json
    assert refused.json["message_zh"] == "办件查询最多保存 20 个常用查询，请先删除不用的"
    assert len(names(client, REVIEWER)) == 20
    assert save(client, REVIEWER, "第二十一个", page="inbox").status_code == 201


def test_bad_filters_answer_422_in_chinese_and_store_nothing(client: Any) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"page": "cases", "name": ""}, "name", "名称长度须为 1 至 40 个字符"),
        ({"page": "cases", "name": "   "}, "name", "请填写名称"),
        ({"page": "cases", "name": "长" * 41}, "name", "名称长度须为 1 至 40 个字符"),
        ({"page": "cases"}, "name", "请填写名称"),
        ({"page": "tasks", "name": "x"}, "page", "页面只能是"),
        ({"name": "x"}, "page", "请指明页面"),
        ({"page": "cases", "name": "x", "query": {"claim": "mine"}}, "query", "办件查询没有这些查询条件：claim"),
        ({"page": "inbox", "name": "x", "query": {"q": "陈"}}, "query", "部门待办没有这些查询条件：q"),
        ({"page": "cases", "name": "x", "query": {"q": "陈" * 101}}, "query", "不能超过 100 个字符"),
        ({"page": "cases", "name": "x", "query": ["status"]}, "query", "查询条件须为"),
        ({"page": "cases", "name": "x", "query": {"status": 3}}, "query", ""),
    ]
    for body, field, words in cases:
        answer = client.post("/api/saved-filters", json=body, headers=CLERK)
        assert answer.status_code == 422, (body, answer.json)
        assert set(answer.json) == {"code", "message", "message_zh", "errors"}
        assert field in answer.json["errors"], (body, answer.json)
        assert words in str(answer.json["errors"][field]), (body, answer.json)
    for query in ({}, {"page": "all"}):
        answer = client.get("/api/saved-filters", query_string=query, headers=CLERK)
        assert answer.status_code == 422 and "page" in answer.json["errors"], answer.json
    assert names(client, CLERK) == [] and names(client, CLERK, "inbox") == []


def test_only_case_readers_keep_filters(client: Any) -> None:
    refused = save(client, ADMIN, "全部")
    assert refused.status_code == 403, refused.json
    assert client.get("/api/saved-filters?page=cases", headers=ADMIN).status_code == 403


def test_saves_at_the_same_time_never_pass_the_limit(client: Any) -> None:
    """The owner's row is locked while a save counts, so parallel saves cannot all see room for one more."""
    for n in range(18):
        assert save(client, REVIEWER, f"条件{n + 1}").status_code == 201
    racers = 6
    start = threading.Barrier(racers)
    statuses: list[int] = []

    def race(n: int) -> None:
        own_client = client.application.test_client()
        start.wait()
        statuses.append(save(own_client, REVIEWER, f"并发{n}").status_code)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 201] + [409] * (racers - 2)
    assert len(names(client, REVIEWER)) == 20
