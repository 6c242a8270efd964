"""What the administrators' screens needed of the API (issue 22): the version diff names its elements
(type, name, department lane, task kind, item) beside the ids; the account events read newest first
(``before``); lifting bad credit keeps the reason in the audit trail."""

from __future__ import annotations

from typing import Any

from tests.api.test_flow_admin import RESTAURANT_XML, SIGN_TAG, changed, upload
from tests.conftest import ADMIN, APPLICANT

REF = APPLICANT["id_number"]


def test_the_diff_answers_each_elements_name_kind_and_lane(client: Any) -> None:
    unnamed = changed(SIGN_TAG, '<bpmn:userTask id="approve_zp">')
    assert upload(client, unnamed).status_code == 201
    diff = client.get("/api/flows/restaurant/diff?from=1&to=2", headers=ADMIN).json
    assert [(c["element_id"], c["aspects"]) for c in diff["changed"]] == [("approve_zp", ["name"])]  # old fields kept
    assert diff["elements"]["approve_zp"] == {"type": "userTask", "name": None, "lane": "cg", "kind": "approval",
                                              "item": "cy.zp", "source": None, "target": None}


def test_a_flow_added_between_two_tasks_is_described_with_its_ends(client: Any) -> None:
    flow_start = RESTAURANT_XML.index("<bpmn:sequenceFlow ")
    flow_id = RESTAURANT_XML[flow_start:].split('id="', 1)[1].split('"', 1)[0]
    renamed = RESTAURANT_XML.replace(f'"{flow_id}"', '"f_renamed"').replace(f">{flow_id}<", ">f_renamed<")
    assert upload(client, renamed).status_code == 201
    diff = client.get("/api/flows/restaurant/diff?from=1&to=2", headers=ADMIN).json
    assert diff["added"] == ["f_renamed"] and diff["removed"] == [flow_id]
    added, removed = diff["elements"]["f_renamed"], diff["elements"][flow_id]
    assert added["type"] == removed["type"] == "sequenceFlow"
    assert (added["source"], added["target"]) == (removed["source"], removed["target"])
    assert diff["elements"][added["source"]]["type"] and diff["elements"][added["target"]]["type"]


def test_account_events_read_newest_first_before_a_sequence_number(client: Any) -> None:
    oldest_first = client.get("/api/audit/events?limit=1000", headers=ADMIN).json
    assert len(oldest_first) > 3
    seqs = [e["seq"] for e in oldest_first]
    newest = client.get("/api/audit/events?before=2147483647&limit=2", headers=ADMIN).json
    assert [e["seq"] for e in newest] == seqs[::-1][:2]
    older = client.get(f"/api/audit/events?before={newest[-1]['seq']}&limit=2", headers=ADMIN).json
    assert [e["seq"] for e in older] == seqs[::-1][2:4]
    for bad in ("0", "2147483648", "x"):
        answer = client.get(f"/api/audit/events?before={bad}", headers=ADMIN)
        assert answer.status_code == 422 and "before" in answer.json["errors"], answer.json


def test_lifting_bad_credit_keeps_the_reason_in_the_audit_trail(client: Any) -> None:
    path = f"/api/applicants/{REF}/credit"
    assert client.post(path, json={"reason": "虚假承诺", "source": "信用中国"}, headers=ADMIN).status_code == 201
    lifted = client.delete(f"{path}?reason=已整改并提交信用承诺书", headers=ADMIN)
    assert lifted.status_code == 200 and lifted.json == {"lifted": 1}
    assert client.post(path, json={"reason": "再次虚假承诺", "source": "信用中国"}, headers=ADMIN).status_code == 201
    assert client.delete(path, headers=ADMIN).json == {"lifted": 1}  # without a reason, as before
    events = [e for e in client.get("/api/audit/events?limit=1000", headers=ADMIN).json
              if e["type"] == "BadCreditLifted"]
    assert [e["data"].get("reason") for e in events] == ["已整改并提交信用承诺书", None]
    too_long = client.delete(f"{path}?reason={'长' * 501}", headers=ADMIN)
    assert too_long.status_code == 422 and "reason" in too_long.json["errors"]
