"""The inbox sorted and filtered by the database: by arrival, due day, the case's acceptance, bundle
or case number, either way; by bundle, claim (mine / unclaimed), pause and colour; within the
departments the viewer may see; a sort or filter outside the whitelist is a 422 in Chinese."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from engine.services.timers import tick
from tests.api.test_case_journey import approve_licence, open_task, start
from tests.conftest import CLERK, HEADERS, REVIEWERS, SUPERVISOR, case_body

REVIEWER = REVIEWERS["scjg"]


def inbox(client: Any, headers: dict[str, str] = REVIEWER, **query: Any) -> list[tuple[str, str]]:
    """(case number, item) of each task listed, in the order answered."""
    answer = client.get("/api/tasks", query_string=query, headers=headers)
    assert answer.status_code == 200, answer.json
    return [(t["case_number"], t["item"]) for t in answer.json["items"]]


def scjg_inbox(client: Any, clock: Any) -> dict[str, tuple[str, str]]:
    """市场监管's open tasks, by name: a restaurant licence (accepted 09-24), a company start (09-25, due the
    same day), a second restaurant licence (09-26), and the first case's food permit, which opens last
    (when its licence is approved on 09-28) but belongs to the earliest accepted case."""
    first = start(client)["number"]
    clock.advance(days=1)
    company = client.post("/api/cases", json=case_body(client, "company_start"), headers=CLERK)
    assert company.status_code == 201, company.json
    clock.advance(days=1)
    second = start(client)["number"]
    clock.advance(days=2)
    approve_licence(client, first)
    return {"permit": (first, "cy.spjy"), "company": (company.json["number"], "qk.sldj"),
            "licence": (second, "cy.yyzz")}


def test_sorts_by_arrival_due_day_acceptance_bundle_and_case_number(client: Any, clock: Any) -> None:
    tasks = scjg_inbox(client, clock)
    permit, company, licence = tasks["permit"], tasks["company"], tasks["licence"]
    assert inbox(client) == [company, licence, permit]  # oldest arrival first, as before
    assert inbox(client, sort="arrived", order="desc") == [permit, licence, company]
    assert inbox(client, sort="accepted") == [permit, company, licence]
    assert inbox(client, sort="accepted", order="desc") == [licence, company, permit]
    assert inbox(client, sort="bundle") == [company, licence, permit]  # company_start < restaurant
    assert inbox(client, sort="case") == sorted([permit, company, licence])
    assert inbox(client, sort="case", order="desc") == sorted([permit, company, licence], reverse=True)
    due = {t["item"] + t["case_number"]: t["clock"]["due_on"]
           for t in client.get("/api/tasks", headers=REVIEWER).json["items"]}
    by_due = sorted([company, licence, permit], key=lambda t: due[t[1] + t[0]])
    assert due[company[1] + company[0]] < due[licence[1] + licence[0]]
    assert inbox(client, sort="due") == by_due
    assert inbox(client, sort="due", order="desc") == by_due[::-1]


def test_filters_by_bundle_claim_pause_and_colour(client: Any, clock: Any, engine: OneThingEngine) -> None:
    tasks = scjg_inbox(client, clock)
    permit, company, licence = tasks["permit"], tasks["company"], tasks["licence"]
    assert inbox(client, bundle="restaurant") == [licence, permit]
    assert inbox(client, bundle="company_start") == [company]
    licence_id = open_task(client, licence[0], "cy.yyzz")["id"]
    assert client.post(f"/api/tasks/{licence_id}/claim", headers=REVIEWER).status_code == 200
    assert inbox(client, claim="mine") == [licence]
    assert inbox(client, claim="unclaimed") == [company, permit]
    assert inbox(client, claim="mine", headers=HEADERS["scjg.head"]) == []  # the head's own claims: none
    assert inbox(client, claim="all") == [company, licence, permit]
    paused = client.post(f"/api/tasks/{licence_id}/pause", json={"procedure": "inspection", "reason": "样品送检"},
                         headers=REVIEWER)
    assert paused.status_code == 200, paused.json
    assert inbox(client, paused="true") == [licence]
    assert inbox(client, paused="false") == [company, permit]
    tick(engine.ctx)  # the ticker stores each clock's colour, which the filter reads
    assert inbox(client, colour="red") == [company]  # due on 09-25, now 09-28
    assert inbox(client, colour="red", claim="mine") == []


def test_a_supervisor_filters_every_departments_tasks_by_bundle(client: Any) -> None:
    case = start(client)["number"]
    assert sorted(inbox(client, SUPERVISOR, bundle="restaurant", sort="case")) == [(case, "cy.jkz"), (case, "cy.yyzz")]
    assert inbox(client, REVIEWERS["wj"], bundle="restaurant") == [(case, "cy.jkz")]
    assert inbox(client, REVIEWERS["xf"], bundle="restaurant") == []


def test_an_unknown_sort_or_filter_answers_422_in_chinese(client: Any) -> None:
    start(client)
    for query, field, words in (({"sort": "title"}, "sort", "排序字段只能是"),
                                ({"order": "random"}, "order", "排序方向"),
                                ({"claim": "theirs"}, "claim", "认领情况只能是"),
                                ({"paused": "maybe"}, "paused", "是否暂停计时"),
                                ({"bundle": "b" * 65}, "bundle", "一件事代码")):
        answer = client.get("/api/tasks", query_string=query, headers=REVIEWER)
        assert answer.status_code == 422, (query, answer.json)
        assert set(answer.json) == {"code", "message", "message_zh", "errors"}
        assert any(words in m for m in answer.json["errors"][field]), answer.json
