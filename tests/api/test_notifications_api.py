"""What the applicant was told, on the case: each message by channel with its delivery state;
recipients masked for whoever may not see the applicant's data; a catalogue template edited by an
administrator applies to what is still waiting, and a template naming an unknown placeholder is refused."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.api.test_case_journey import start
from tests.conftest import ADMIN, CLERK, SUPERVISOR
from tests.senders import RecordingSender


def test_the_case_shows_what_was_sent_and_an_edited_template_applies(client: Any, engine: OneThingEngine) -> None:
    kept = RecordingSender()
    engine.ctx.senders[Channel.SMS] = kept
    case = start(client)
    number, phone = case["number"], case["applicant"]["phone"]
    listed = client.get(f"/api/cases/{number}/notifications", headers=CLERK).json["notifications"]
    assert [(n["kind"], n["channel"], n["state"], n["recipient"]) for n in listed] == [
        ("accepted", "sms", "pending", phone), ("accepted", "inapp", "pending", phone)]
    masked = client.get(f"/api/cases/{number}/notifications", headers=SUPERVISOR).json["notifications"]
    assert masked[0]["recipient"] != phone and masked[0]["recipient"].endswith(phone[-4:])

    template = {"label": "受理通知", "text": "【政务服务】{bundle}已受理，编号{number}。", "subject": "已受理",
                "sms_template": "SMS_100"}
    edited = client.put("/api/catalogue/notifications/accepted", json={"definition": template}, headers=ADMIN)
    assert edited.status_code == 200, edited.json
    tick(engine.ctx)
    assert [m.text for m in kept.sent] == [f"【政务服务】开办餐饮店一件事已受理，编号{number}。"]
    listed = client.get(f"/api/cases/{number}/notifications", headers=CLERK).json["notifications"]
    assert {n["state_label"] for n in listed} == {"已送达"} and all(n["sent_at"] for n in listed)

    typo = client.put("/api/catalogue/notifications/accepted",
                      json={"definition": {**template, "text": "{numbr}已受理"}}, headers=ADMIN)
    assert typo.status_code == 422 and "numbr" in str(typo.json["errors"])
    unknown = client.put("/api/catalogue/notifications/weather", json={"definition": template}, headers=ADMIN)
    assert unknown.status_code == 422
