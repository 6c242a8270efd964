"""The applicant's own channel over HTTP: a one-time code by SMS (through the outbox, not kept once
sent), limited per number; wrong codes count and a code dies after five; the first sign-in makes an
applicant's account, which reads its own cases and messages and nothing else — not another's case by
guessing its number, not the staff's endpoints."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.conftest import ADMIN, APPLICANT, CLERK, FakeClock, case_body
from tests.senders import RecordingSender

PHONE = APPLICANT["phone"]
OTHER = "13912345678"


def sign_in(client: Any, texts: RecordingSender, phone: str) -> dict[str, str]:
    assert client.post("/api/applicant/login-code", json={"phone": phone}).status_code == 202
    answer = client.post("/api/applicant/login", json={"phone": phone, "code": texts.code_for(phone)})
    assert answer.status_code == 200, answer.json
    client.delete_cookie("onething_session")  # the tests speak with bearer tokens
    return {"Authorization": f"Bearer {answer.json['token']}"}


def test_a_code_by_sms_signs_the_applicant_in_and_is_not_kept(client: Any, engine: OneThingEngine,
                                                              clock: FakeClock) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    sent = client.post("/api/applicant/login-code", json={"phone": PHONE})
    assert sent.status_code == 202 and sent.json["expires_in_minutes"] == 5
    code = texts.code_for(PHONE)
    assert "登录验证码" in texts.sent[-1].text
    with engine.ctx.uow(False) as uow:
        [message] = uow.outbox.by_key_prefix(f"login:{PHONE}:")
    assert message.state == "sent" and message.params == {}  # the code is not kept once on its way
    again = client.post("/api/applicant/login-code", json={"phone": PHONE})
    assert again.status_code == 429 and int(again.headers["Retry-After"]) <= 61
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post("/api/applicant/login", json={"phone": PHONE, "code": wrong}).status_code == 401
    dead = client.post("/api/applicant/login", json={"phone": PHONE, "code": code})
    assert dead.status_code == 401 and "验证码" in dead.json["message_zh"]  # five wrong tries killed it
    clock.advance(seconds=61)
    headers = sign_in(client, texts, PHONE)
    me = client.get("/api/auth/me", headers=headers).json
    assert me["roles"] == ["applicant"] and me["login"] == PHONE
    assert client.post("/api/applicant/login", json={"phone": PHONE, "code": texts.code_for(PHONE)}).status_code == 401
    assert client.post("/api/applicant/login-code", json={"phone": "12345"}).status_code == 422
    for n in range(3):  # two codes sent so far this hour: three more make five
        clock.advance(seconds=61)
        assert client.post("/api/applicant/login-code", json={"phone": PHONE}).status_code == 202, n
    clock.advance(seconds=61)
    assert client.post("/api/applicant/login-code", json={"phone": PHONE}).status_code == 429  # a sixth in the hour


def test_an_applicant_reads_their_own_cases_and_messages_and_nothing_else(client: Any,
                                                                          engine: OneThingEngine) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    mine = client.post("/api/cases", json=case_body(client), headers=CLERK).json
    theirs_body = case_body(client)
    theirs_body["applicant"] = {**theirs_body["applicant"], "phone": OTHER}
    theirs = client.post("/api/cases", json=theirs_body, headers=CLERK).json
    tick(engine.ctx)
    headers = sign_in(client, texts, PHONE)
    listed = client.get("/api/applicant/cases", headers=headers).json["cases"]
    assert [c["number"] for c in listed] == [mine["number"]] and listed[0]["state"] == "审批中"
    detail = client.get(f"/api/applicant/cases/{mine['number']}", headers=headers).json
    assert detail["bundle"] == "开办餐饮店一件事" and {d["name"] for d in detail["departments"]} >= {"消防救援机构"}
    assert detail["to_do"] == [] and detail["refusals"] == []
    assert client.get(f"/api/applicant/cases/{theirs['number']}", headers=headers).status_code == 404
    messages = client.get("/api/applicant/messages", headers=headers).json["messages"]
    assert [m["kind"] for m in messages] == ["accepted"] and mine["number"] in messages[0]["text"]
    for path in ("/api/cases", f"/api/cases/{mine['number']}", f"/api/cases/{mine['number']}/files",
                 f"/api/cases/{theirs['number']}/notifications", "/api/tasks", "/api/bundles/restaurant/form"):
        assert client.get(path, headers=headers).status_code == 403, path
    other = sign_in(client, texts, OTHER)
    assert [c["number"] for c in client.get("/api/applicant/cases", headers=other).json["cases"]] == [
        theirs["number"]]
    assert client.get(f"/api/applicant/cases/{mine['number']}", headers=other).status_code == 404
    made = client.post("/api/users", json={"login": "someone", "name": "某人", "department": "window",
                                           "roles": ["applicant"], "password": "a-long-password-1"}, headers=ADMIN)
    assert made.status_code == 422  # an applicant's account comes from signing in only
    staff = [u["login"] for u in client.get("/api/users", headers=ADMIN).json]
    assert PHONE not in staff and OTHER not in staff  # the staff list is the staff's
    assert {u["login"] for u in client.get("/api/users?department=public", headers=ADMIN).json} == {PHONE, OTHER}
