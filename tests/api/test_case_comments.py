"""部门会商: comments between the departments of a case over HTTP. Who reads and who writes (the
window, the case's departments; a supervisor reads only; another department does not learn the
case exists), what a comment may say, replies and mentions, the inbox's marks, a closed case
(readable, no new comment), and the case's event chain still verifying with comments in it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_case_journey import complete, open_task, start
from tests.api.test_existence_oracles import missing_like, same_answer
from tests.approvals import approval
from tests.conftest import ADMIN, CLERK, HEADERS, REVIEWERS, SUPERVISOR, case_body

SCJG, XF, CG = REVIEWERS["scjg"], REVIEWERS["xf"], REVIEWERS["cg"]
HEAD = HEADERS["scjg.head"]
PHONE = "13812345678"


def comments(client: Any, number: str, headers: dict[str, str]) -> Any:
    return client.get(f"/api/cases/{number}/comments", headers=headers)


def write(client: Any, number: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/api/cases/{number}/comments", json=body, headers=headers)


def written(client: Any, number: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = write(client, number, headers, **body)
    assert answer.status_code == 201, answer.json
    return answer.json  # type: ignore[no-any-return]


def test_a_reviewer_writes_mentions_another_department_which_replies(client: Any) -> None:
    number = start(client)["number"]
    first = written(client, number, SCJG, text="  店面选址是否在消防禁设区域？请消防协助确认。 ", mention="xf")
    assert first["text"] == "店面选址是否在消防禁设区域？请消防协助确认。"  # trimmed
    assert first["author"] == {"user": "li.scjg", "name": "李市监", "department": "scjg",
                               "department_name": "市场监督管理局", "role": "reviewer"}
    assert first["mention"] == [{"code": "xf", "name": "消防救援机构"}] and first["reply_to"] is None

    reply = written(client, number, XF, text="不在禁设区域，可以办理。", reply_to=first["id"])
    assert reply["reply_to"] == first["id"] and reply["author"]["department_name"] == "消防救援机构"

    listed = comments(client, number, CLERK)
    assert listed.status_code == 200
    assert [(c["id"], c["text"], c["reply_to"]) for c in listed.json["items"]] == [
        (first["id"], first["text"], None), (reply["id"], reply["text"], first["id"])]
    assert listed.json["may_write"] is True
    assert [d["code"] for d in listed.json["departments"]] == ["window", "cg", "scjg", "wj", "xf"]

    # The case's timeline shows them as events, with who wrote them.
    timeline = client.get(f"/api/cases/{number}", headers=CLERK).json["timeline"]
    added = [e for e in timeline if e["type"] == "CommentAdded"]
    assert [(e["seq"], e["who"]["user"], e["data"]["author_name"]) for e in added] == [
        (first["id"], "li.scjg", "李市监"), (reply["id"], "zhao.xf", "赵消防")]


@pytest.mark.parametrize("who", ["clerk", "scjg", "scjg.head", "cg", "xf", "wj"])
def test_the_window_and_each_department_of_the_case_reads_and_writes(client: Any, who: str) -> None:
    number = start(client)["number"]
    mine = written(client, number, HEADERS[who], text=f"{who} 的会商意见")
    listed = comments(client, number, HEADERS[who])
    assert listed.status_code == 200 and listed.json["may_write"] is True
    assert [c["id"] for c in listed.json["items"]] == [mine["id"]]


def test_a_supervisor_reads_masked_and_may_not_write(client: Any) -> None:
    number = start(client)["number"]
    written(client, number, SCJG, text=f"申请人联系电话 {PHONE}，已电话核实")
    read = comments(client, number, SUPERVISOR)
    assert read.status_code == 200 and read.json["may_write"] is False
    [comment] = read.json["items"]
    assert PHONE not in comment["text"] and "138****5678" in comment["text"]
    assert PHONE in comments(client, number, SCJG).json["items"][0]["text"]  # the department handles the case
    # The timeline's copy too.
    [event] = [e for e in client.get(f"/api/cases/{number}", headers=SUPERVISOR).json["timeline"]
               if e["type"] == "CommentAdded"]
    assert PHONE not in event["data"]["text"] and "138****5678" in event["data"]["text"]
    refused = write(client, number, SUPERVISOR, text="监督意见")
    assert refused.status_code == 403 and refused.json["message_zh"]
    assert len(comments(client, number, SCJG).json["items"]) == 1


def test_another_department_and_the_administrator_do_not_get_the_case(client: Any) -> None:
    hiring = client.post("/api/cases", json=case_body(client, "hiring"), headers=CLERK)
    assert hiring.status_code == 201, hiring.json
    number = hiring.json["number"]
    written(client, number, CLERK, text="窗口提示：材料齐全")
    for outsider in (SCJG, XF, HEAD):  # 市场监管 and 消防 have no item in a hiring case
        assert comments(client, number, outsider).status_code == 404
        missing = write(client, number, outsider, text="看看")
        assert missing.status_code == 404 and missing.json["message_zh"] == f"没有办件 {number}"
    assert comments(client, "CY-20260924-9999", SCJG).status_code == 404
    assert comments(client, number, ADMIN).status_code == 403
    assert write(client, number, ADMIN, text="管理员").status_code == 403
    assert len(comments(client, number, CLERK).json["items"]) == 1


def test_another_departments_case_answers_as_a_missing_one(client: Any) -> None:
    """No answer tells an outsider that the case exists: the same 404 body as for a case that does not."""
    hiring = client.post("/api/cases", json=case_body(client, "hiring"), headers=CLERK).json
    for ref in (hiring["number"], str(hiring["id"])):
        other = missing_like(ref)
        path = "/api/cases/{}/comments"
        same_answer(client.get(path.format(ref), headers=XF), client.get(path.format(other), headers=XF), ref, other)
        same_answer(client.post(path.format(ref), json={"text": "看看"}, headers=XF),
                    client.post(path.format(other), json={"text": "看看"}, headers=XF), ref, other)


@pytest.mark.parametrize(("body", "field", "zh"), [
    ({"text": "   "}, "text", "会商意见不能为空"),
    ({"text": "字" * 1001}, "text", "不能超过 1000 个字符"),
    ({}, "text", None),
    ({"text": 12}, "text", None),
    ({"text": "好", "mention": "gaj"}, "mention", "提请会商的部门须为本办件涉及的部门"),
    ({"text": "好", "mention": ["xf", 3]}, "mention", "部门代码"),
    ({"text": "好", "mention": {"xf": 1}}, "mention", "部门代码"),
    ({"text": "好", "reply_to": 99999}, "reply_to", "要回复的会商意见（99999）在本办件中不存在"),
    ({"text": "好", "reply_to": "1"}, "reply_to", None),
    ({"text": "好", "reply_to": 1}, "reply_to", "不存在"),  # seq 1 is the acceptance, no comment
])
def test_bad_input_is_refused_in_chinese(client: Any, body: dict[str, Any], field: str, zh: str | None) -> None:
    number = start(client)["number"]
    answer = client.post(f"/api/cases/{number}/comments", json=body, headers=SCJG)
    assert answer.status_code == 422, answer.json
    assert field in str(answer.json["errors"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json["message_zh"])
    if zh is not None:
        assert zh in answer.json["message_zh"]
    assert comments(client, number, SCJG).json["items"] == []


def test_exactly_1000_characters_after_trimming_are_kept(client: Any) -> None:
    number = start(client)["number"]
    assert len(written(client, number, SCJG, text=f"  {'字' * 1000}\n")["text"]) == 1000


def test_several_mentions_count_once_each_and_mark_the_inboxes(client: Any) -> None:
    number = start(client)["number"]
    other = start(client)["number"]
    written(client, number, SCJG, text="请消防和城管一并看看", mention=["xf", "cg", "xf"])
    first = comments(client, number, XF).json["items"][0]
    assert [m["code"] for m in first["mention"]] == ["xf", "cg"]
    written(client, number, CG, text="城管意见：可以", reply_to=first["id"], mention="scjg")
    written(client, other, SCJG, text="请消防看看", mention="xf")
    written(client, number, CLERK, text="窗口已告知申请人", mention=["window"])

    def marks(headers: dict[str, str]) -> dict[str, int]:
        answer = client.get("/api/comments/mentions", headers=headers)
        assert answer.status_code == 200
        return {m["case_number"]: m["count"] for m in answer.json["items"]}

    assert marks(XF) == {number: 1, other: 1}
    assert marks(CG) == {number: 1}
    assert marks(SCJG) == marks(HEAD) == {number: 1}
    assert marks(CLERK) == {number: 1}
    assert marks(REVIEWERS["wj"]) == {} and marks(SUPERVISOR) == {}
    assert client.get("/api/comments/mentions", headers=ADMIN).status_code == 403


def closed_case(client: Any) -> str:
    """A restaurant case closed at the window: the business licence refused (so the items that need
    it are not decided), the health certificate approved, the results handed over."""
    number = start(client)["number"]
    assert complete(client, open_task(client, number, "cy.yyzz"), {"decision": "reject", "reason": "名称不合规"},
                    SCJG).status_code == 200
    assert complete(client, open_task(client, number, "cy.jkz"), approval("cy.jkz"),
                    REVIEWERS["wj"]).status_code == 200
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200 and handed.json["status"] == "closed", handed.json
    return number


def test_a_closed_case_is_read_but_takes_no_more_comments(client: Any) -> None:
    number = closed_case(client)
    written_before = comments(client, number, SCJG).json["items"]
    refused = write(client, number, SCJG, text="补充一句")
    assert refused.status_code == 409
    assert refused.json["message_zh"] == f"办件 {number} 已办结或终止，不能再发表会商意见"
    read = comments(client, number, CLERK)
    assert read.status_code == 200 and read.json["may_write"] is False and read.json["status"] == "closed"
    assert read.json["items"] == written_before == []


def test_a_closed_case_keeps_its_comments_and_drops_out_of_the_inbox_marks(client: Any) -> None:
    number = start(client)["number"]
    first = written(client, number, REVIEWERS["wj"], text="健康证明已核", mention="scjg")
    assert client.get("/api/comments/mentions", headers=SCJG).json["items"][0]["case_number"] == number
    assert complete(client, open_task(client, number, "cy.yyzz"), {"decision": "reject", "reason": "名称不合规"},
                    SCJG).status_code == 200
    assert complete(client, open_task(client, number, "cy.jkz"), approval("cy.jkz"),
                    REVIEWERS["wj"]).status_code == 200
    assert client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"},
                       headers=CLERK).status_code == 200
    assert [c["id"] for c in comments(client, number, SCJG).json["items"]] == [first["id"]]
    assert client.get("/api/comments/mentions", headers=SCJG).json["items"] == []
    assert write(client, number, SCJG, text="补充", reply_to=first["id"]).status_code == 409


def test_an_idempotency_key_writes_once(client: Any) -> None:
    number = start(client)["number"]
    headers = {**SCJG, "Idempotency-Key": "comment-1"}
    once = write(client, number, headers, text="只记一次")
    again = write(client, number, headers, text="只记一次")
    assert once.status_code == again.status_code == 201 and once.json == again.json
    assert len(comments(client, number, SCJG).json["items"]) == 1
    assert write(client, number, headers, text="另一句").status_code == 422  # the key with another body


def test_the_event_chain_verifies_with_comments_in_it(client: Any) -> None:
    number = start(client)["number"]
    first = written(client, number, SCJG, text="请消防确认", mention="xf")
    written(client, number, XF, text="已确认", reply_to=first["id"])
    assert complete(client, open_task(client, number, "cy.yyzz"), approval("cy.yyzz"), SCJG).status_code == 200
    written(client, number, CLERK, text="窗口收到")
    report = client.get("/api/audit/verify", headers=SUPERVISOR)
    assert report.status_code == 200 and report.json["ok"] is True and report.json["broken"] is None
    timeline = client.get(f"/api/cases/{number}", headers=CLERK).json["timeline"]
    assert [e["seq"] for e in timeline] == list(range(1, len(timeline) + 1))
    assert sum(e["type"] == "CommentAdded" for e in timeline) == 3
