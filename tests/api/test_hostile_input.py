"""Input no database can hold, or no id can be, is refused in the error shape and changes nothing:
a NUL character or a lone surrogate anywhere in a request (api/text_guard.py), a case id beyond
every integer the databases hold or written in non-ASCII digits. And a sweep of every route of the
OpenAPI document with hostile path values and bodies: never a 5xx, always the error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.test_bad_input import assert_error
from tests.api.test_case_journey import open_task, start
from tests.conftest import ADMIN, APPLICANT, CLERK, REVIEWERS, case_body


def post_raw(client: Any, path: str, raw: str, headers: dict[str, str]) -> Any:
    """A JSON body as written (escapes included), not as a client library would re-encode it."""
    return client.post(path, data=raw.encode("ascii"), content_type="application/json", headers=headers)


def with_name(client: Any, escaped_name: str) -> str:
    """A complete application whose applicant name is ``escaped_name``, as raw JSON."""
    return json.dumps(case_body(client)).replace(json.dumps(APPLICANT["name"]), f'"{escaped_name}"', 1)


@pytest.mark.parametrize("name", ["a\\u0000b", "\\ud800", "x\\udfff", "\\ude00\\ud83d"])
def test_a_nul_or_a_lone_surrogate_in_a_body_is_refused_and_no_case_is_started(client: Any, name: str) -> None:
    error = assert_error(post_raw(client, "/api/cases", with_name(client, name), CLERK), 422, "invalid_input")
    assert "_body" in error["errors"]
    assert client.get("/api/cases").json["total"] == 0


def test_a_surrogate_pair_and_an_escaped_backslash_before_u0000_are_ordinary_text(client: Any) -> None:
    paired = post_raw(client, "/api/cases", with_name(client, "\\ud83d\\ude00 \\u9648"), CLERK)
    assert paired.status_code == 201, paired.json
    assert paired.json["applicant"]["name"] == "😀 陈"
    slashed = post_raw(client, "/api/cases", with_name(client, "a\\\\u0000b"), CLERK)
    assert slashed.status_code == 201, slashed.json
    assert slashed.json["applicant"]["name"] == "a\\u0000b"


def test_a_nul_in_the_path_or_the_query_is_refused(client: Any) -> None:
    case = start(client)
    assert "_path" in assert_error(client.get(f"/api/cases/{case['number']}%00"), 422)["errors"]
    assert "_query" in assert_error(client.get("/api/tasks?department=cg%00"), 422)["errors"]
    assert "_query" in assert_error(client.get(f"/api/tasks?case={case['number']}%00"), 422)["errors"]


def test_a_completion_with_a_lone_surrogate_changes_nothing(client: Any) -> None:
    case = start(client)
    task = open_task(client, case["number"], "cy.jkz")  # open from acceptance on
    refused = post_raw(client, f"/api/tasks/{task['id']}/complete",
                       '{"decision": "approve", "comment": "\\ud800"}', REVIEWERS["wj"])
    assert_error(refused, 422)
    assert client.get(f"/api/tasks/{task['id']}").json["state"] == "ready"
    assert [e["type"] for e in client.get(f"/api/cases/{case['id']}").json["timeline"]].count("ItemApproved") == 0


@pytest.mark.parametrize("ref", ["99999999999999999999999", "9223372036854775808", "2147483648", "2147483647",
                                 "²", "١٢٣"])
def test_a_case_id_no_integer_column_holds_is_no_case(client: Any, ref: str) -> None:
    start(client)
    assert_error(client.get(f"/api/cases/{ref}"), 404, "not_found")
    assert_error(client.post(f"/api/cases/{ref}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK), 404)
    assert_error(client.get(f"/api/tasks?case={ref}"), 404, "not_found")


def test_numbers_past_every_stored_id_find_nothing_or_are_refused(client: Any) -> None:
    """Ids, versions and sequence numbers are 32-bit columns: a number past them, in a path or a
    field, would overflow the statement (PostgreSQL) instead of finding nothing."""
    past = 2**31
    for method, url in [("GET", f"/api/flows/restaurant/versions/{past}/xml"),
                        ("POST", f"/api/flows/restaurant/versions/{past}/deploy"),
                        ("POST", f"/api/flows/restaurant/versions/{past}/dry-run"),
                        ("POST", f"/api/supervision/warnings/{past}/acknowledge")]:
        assert_error(client.open(url, method=method, json={}, headers=ADMIN), 404)
    assert_error(client.post("/api/flows/restaurant/migration", json={"to": past, "cases": []}, headers=ADMIN), 422)
    assert_error(client.get(f"/api/flows/restaurant/diff?to={past}", headers=ADMIN), 422)
    assert_error(client.get(f"/api/flows/restaurant/migration?to={past}", headers=ADMIN), 422)
    assert_error(client.get(f"/api/audit/events?after={past}", headers=ADMIN), 422)
    assert client.get(f"/api/flows/restaurant/versions/{past - 1}/xml", headers=ADMIN).status_code == 404


PATH_VALUES = ["0", "-1", "99999999999999999999999", "abc", "%00", "中文", "²", "restaurant"]
BODIES: list[tuple[bytes, str]] = [
    (b"{bad json", "application/json"), (b"null", "application/json"), (b"[]", "application/json"),
    (b'"text"', "application/json"), (b'{"\\ud800": 1}', "application/json"), (b"<x/>", "application/xml"),
]


def test_no_route_answers_hostile_input_with_a_server_error(client: Any) -> None:
    case = start(client)
    values = [str(case["id"]), case["number"], case["open_tasks"][0]["id"], *PATH_VALUES]
    spec = client.get("/api/openapi.json").json
    sent = 0
    for path, operations in spec["paths"].items():
        for method in {"get", "post", "put", "patch", "delete"} & set(operations):
            for value in values:
                url = "/".join(value if part.startswith("{") else part for part in path.split("/"))
                for who in (ADMIN, CLERK):
                    if method == "get":
                        answers = [client.get(url, headers=who), client.get(url + "?page=-1&per_page=x", headers=who)]
                    else:
                        answers = [client.open(url, method=method.upper(), data=data, content_type=kind, headers=who)
                                   for data, kind in BODIES]
                    for answer in answers:
                        sent += 1
                        assert answer.status_code < 500, (method, url, answer.get_data(as_text=True)[:300])
                        if answer.status_code >= 400:
                            assert {"code", "message", "message_zh", "errors"} <= set(answer.json), (method, url)
    assert sent > 2000  # every route was reached, with each value


@pytest.mark.parametrize("key", ["\x00", "a\x00b", "tab\there", "x" * 201, " "])
def test_an_idempotency_key_with_a_control_character_or_out_of_length_is_refused(client: Any, key: str) -> None:
    error = assert_error(client.post("/api/cases", json=case_body(client), headers={**CLERK, "Idempotency-Key": key}),
                         400)
    assert "Idempotency-Key" in error["message"]
    assert client.get("/api/cases").json["total"] == 0
