"""The applicant's whole case online, over HTTP: scans uploaded to the application, the commitment
signed, returned once by 预审 and accepted; the scans pass to the case; a correction is asked by
SMS and handed in online; the results are taken as e-licences and downloaded; the applicant rates
the service. No trip is counted. Another applicant reaches none of it."""

from __future__ import annotations

import io
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.api.test_applicant_channel import OTHER, PHONE, sign_in
from tests.api.test_licence_numbers import approve_all, complete
from tests.conftest import CLERK, FakeClock, case_body
from tests.scans import pdf, photo
from tests.senders import RecordingSender


def send(client: Any, url: str, headers: dict[str, str], *files: tuple[str, bytes]) -> Any:
    data = {"file": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


def applied(client: Any) -> dict[str, Any]:
    body = case_body(client)
    materials = {**body["materials"], "fire_safety_commitment": "commitment", "food_safety_rules": "commitment"}
    return {"bundle": "restaurant", "applicant": body["applicant"], "form": body["form"], "materials": materials,
            "delivery": "online"}


def test_an_applicant_applies_corrects_collects_and_rates_online_with_no_trip(
        client: Any, engine: OneThingEngine, clock: FakeClock, tmp_path: Any) -> None:
    from engine.storage.filesystem import FilesystemStore
    engine.ctx.files = FilesystemStore(tmp_path / "files")
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me = sign_in(client, texts, PHONE)
    body = applied(client)
    draft = client.post("/api/applicant/applications", json=body, headers=me).json
    mine = f"/api/applicant/applications/{draft['id']}"
    layout = send(client, f"{mine}/materials/premises_layout/files", me, ("平面图.pdf", pdf(2)))
    assert layout.status_code == 201, layout.json
    assert [f["pages"] for f in layout.json["materials"]["premises_layout"]] == [2]
    assert send(client, f"{mine}/materials/no_such/files", me, ("x.jpg", photo())).status_code == 404

    unsigned = client.post(f"{mine}/submit", json={}, headers=me)
    assert unsigned.status_code == 422 and "signed_by" in unsigned.json["errors"]
    assert client.post(f"{mine}/submit", json={"signed_by": "别人"}, headers=me).status_code == 422
    name = body["applicant"]["name"]
    submitted = client.post(f"{mine}/submit", json={"signed_by": name}, headers=me).json
    assert submitted["commitment"]["materials"] == ["fire_safety_commitment", "food_safety_rules"]
    assert send(client, f"{mine}/materials/premises_layout/files", me, ("x.jpg", photo())).status_code == 409

    seen = client.get(f"/api/online-applications/{draft['id']}/files", headers=CLERK).json
    [scan] = seen["materials"]["premises_layout"]
    read = client.get(f"/api/online-applications/{draft['id']}/files/{scan['id']}", headers=CLERK)
    assert read.status_code == 200 and read.data.startswith(b"%PDF")
    client.post(f"/api/online-applications/{draft['id']}/return", json={"notice": "平面图须标明专间位置。"},
                headers=CLERK)
    assert send(client, f"{mine}/materials/premises_layout/files", me, ("平面图（改）.jpg", photo())).status_code == 201
    client.post(f"{mine}/submit", json={"signed_by": name}, headers=me)
    number = client.post(f"/api/online-applications/{draft['id']}/accept", headers=CLERK).json["case_number"]

    files = {m["material"]: m for m in client.get(f"/api/cases/{number}/files", headers=CLERK).json["materials"]}
    [version] = files["premises_layout"]["versions"]
    assert version["uploaded_by"] == PHONE and [f["filename"] for f in version["files"]] == ["平面图（改）.jpg"]
    timeline = client.get(f"/api/cases/{number}", headers=CLERK).json["timeline"]
    assert any(e["type"] == "CommitmentSigned" for e in timeline)

    # 城管 asks for a corrected sign design: the applicant hears by SMS and hands it in online.
    approve_all_but = _approve_licence_then_correct(client, number)
    tick(engine.ctx)
    assert any(m.sms_template == "ONETHING_CORRECTION" and m.recipient == PHONE for m in texts.sent)
    case = client.get(f"/api/applicant/cases/{number}", headers=me).json
    [todo] = case["to_do"]
    assert todo["item"] == approve_all_but and [m["key"] for m in todo["materials"]] == ["sign_design"]
    early = client.post(f"/api/applicant/cases/{number}/corrections/{todo['item']}", json={}, headers=me)
    assert early.status_code == 422  # nothing uploaded yet
    assert send(client, f"/api/applicant/cases/{number}/materials/premises_layout/files", me,
                ("x.jpg", photo())).status_code == 409  # not asked for
    assert send(client, f"/api/applicant/cases/{number}/materials/sign_design/files", me,
                ("招牌.jpg", photo())).status_code == 201
    handed = client.post(f"/api/applicant/cases/{number}/corrections/{todo['item']}", json={"comment": "已修改"},
                         headers=me)
    assert handed.status_code == 200 and handed.json["to_do"] == []

    approve_all(client, number)
    case = client.get(f"/api/applicant/cases/{number}", headers=me).json
    assert case["results_ready"] and case["delivery"]["delivery"] == "online"
    assert client.post(f"/api/applicant/cases/{number}/rating", json={"rating": 5}, headers=me).status_code == 409
    taken = client.post(f"/api/applicant/cases/{number}/elicences", headers=me)
    assert taken.status_code == 200, taken.json
    assert taken.json["status"] == "closed" and len(taken.json["licences"]) >= 3
    assert "elicences" in taken.json["notices"]
    document = client.get(f"/api/applicant/cases/{number}/notices/elicences.pdf", headers=me)
    assert document.status_code == 200 and document.data.startswith(b"%PDF")
    assert client.post(f"/api/applicant/cases/{number}/rating", json={"rating": 2}, headers=me).status_code == 422
    rated = client.post(f"/api/applicant/cases/{number}/rating", json={"rating": 5}, headers=me)
    assert rated.status_code == 201 and rated.json["label"] == "非常满意"
    assert client.post(f"/api/applicant/cases/{number}/rating", json={"rating": 4}, headers=me).status_code == 409

    savings = client.get(f"/api/cases/{number}/savings", headers=CLERK).json
    assert savings["figures"]["trips"]["actual"] == 0, savings

    other = sign_in(client, texts, OTHER)
    for url in (f"/api/applicant/cases/{number}", f"/api/applicant/cases/{number}/notices/elicences.pdf",
                f"{mine}/files", f"{mine}/files/{scan['id']}", f"/api/applicant/cases/{number}/delivery"):
        assert client.get(url, headers=other).status_code == 404, url
    for url in (f"/api/applicant/cases/{number}/elicences", f"/api/applicant/cases/{number}/supplements"):
        assert client.post(url, headers=other).status_code == 404, url
    assert send(client, f"/api/applicant/cases/{number}/materials/sign_design/files", other,
                ("x.jpg", photo())).status_code == 404


def _approve_licence_then_correct(client: Any, number: str) -> str:
    """市场监管 approves the business licence; 城管 asks for the sign design again. Answers the sign's item."""
    from tests.api.test_case_journey import approve_licence, open_task
    from tests.conftest import REVIEWERS

    approve_licence(client, number)
    sign = open_task(client, number, "cy.zp")
    asked = complete(client, sign, {"decision": "correct", "materials": ["sign_design"], "reason": "尺寸未标注"})
    assert asked.status_code == 200, asked.json
    assert REVIEWERS  # the reviewer headers come from tests.approvals
    return str(sign["item"])


def test_a_delivery_is_chosen_and_checked(client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me = sign_in(client, texts, PHONE)
    body = {**case_body(client), "applicant": {**case_body(client)["applicant"], "phone": PHONE}}
    number = client.post("/api/cases", json=body, headers=CLERK).json["number"]
    url = f"/api/applicant/cases/{number}/delivery"
    offered = client.get(url, headers=me).json
    assert offered["delivery"] is None and len(offered["slots"]) == 10
    assert client.put(url, json={"delivery": "mail", "address": "短"}, headers=me).status_code == 422
    assert client.put(url, json={"delivery": "pigeon"}, headers=me).status_code == 422
    mailed = client.put(url, json={"delivery": "mail", "address": "河南省新乡市红旗区人民路 1 号 张三 13800000000"},
                        headers=me)
    assert mailed.status_code == 200 and mailed.json["delivery"]["delivery"] == "mail"
    approve_all(client, number)
    wrong_slot = client.put(url, json={"delivery": "window", "slot": "1999-01-01 am"}, headers=me)
    assert wrong_slot.status_code == 422  # results ready: a slot must be one offered
    slot = offered["slots"][0]["slot"]
    assert client.put(url, json={"delivery": "window", "slot": slot}, headers=me).json["delivery"]["slot"] == slot
    client.put(url, json={"delivery": "mail", "address": "河南省新乡市红旗区人民路 1 号 张三 13800000000"}, headers=me)
    no_number = client.post(f"/api/cases/{number}/pickup", json={"delivery": "mail"}, headers=CLERK)
    assert no_number.status_code == 422 and "tracking_number" in no_number.json["errors"]
    sent = client.post(f"/api/cases/{number}/pickup", json={"delivery": "mail", "tracking_number": "SF1234567890"},
                       headers=CLERK)
    assert sent.status_code == 200, sent.json
    tick(engine.ctx)
    assert any(m.sms_template == "ONETHING_MAIL_SENT" and "SF1234567890" in m.text for m in texts.sent)
    case = client.get(f"/api/applicant/cases/{number}", headers=me).json
    assert case["handed_over"]["tracking_number"] == "SF1234567890"
    assert client.put(url, json={"delivery": "online"}, headers=me).status_code == 409  # handed over


def test_an_agent_applies_for_someone_who_then_follows_the_case_too(client: Any, engine: OneThingEngine) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    agent = sign_in(client, texts, OTHER)
    body = {**applied(client), "applicant": {**applied(client)["applicant"], "phone": PHONE}, "on_behalf": True}
    own = client.post("/api/applicant/applications", headers=agent,
                      json={**body, "applicant": {**body["applicant"], "phone": OTHER}})
    assert own.status_code == 422 and "applicant.phone" in own.json["errors"]  # not one's own number
    draft = client.post("/api/applicant/applications", json=body, headers=agent).json
    assert draft["on_behalf"] and draft["applicant"]["phone"] == PHONE
    client.post(f"/api/applicant/applications/{draft['id']}/submit",
                json={"signed_by": body["applicant"]["name"]}, headers=agent)
    number = client.post(f"/api/online-applications/{draft['id']}/accept", headers=CLERK).json["case_number"]
    principal = sign_in(client, texts, PHONE)
    for who in (principal, agent):
        assert [c["number"] for c in client.get("/api/applicant/cases", headers=who).json["cases"]] == [number]
        assert client.get(f"/api/applicant/cases/{number}", headers=who).status_code == 200
    assert client.get("/api/applicant/applications", headers=principal).json["applications"] == []  # the agent's
    stranger = sign_in(client, texts, "13600001111")
    assert client.get("/api/applicant/cases", headers=stranger).json["cases"] == []
    assert client.get(f"/api/applicant/cases/{number}", headers=stranger).status_code == 404
    tick(engine.ctx)
    assert any(m.recipient == PHONE and m.sms_template == "ONETHING_ACCEPTED" for m in texts.sent)
