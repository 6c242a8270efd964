"""Administrators edit flows over HTTP: a new version of 开办餐饮店 is uploaded, compared, dry-run and
deployed while running cases stay on theirs; hostile and unsafe files are refused with their problems;
running cases move to a compatible version and finish on it; everything lands in the event log."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.approvals import approval
from tests.conftest import ADMIN, CLERK, REVIEWERS, case_body

ROOT = Path(__file__).resolve().parents[2]
RESTAURANT_XML = (ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_text(encoding="utf-8")
PICKUP_TAG = '<bpmn:userTask id="pickup" name="统一出件">'
SIGN_TAG = '<bpmn:userTask id="approve_zp" name="户外招牌设施设置审批">'
SIGN_CONDITION = "results[&quot;cy.zp&quot;][&quot;decision&quot;] == &quot;correct&quot;"
XML = {"Content-Type": "application/xml"}


def changed(old: str, new: str) -> str:
    assert RESTAURANT_XML.count(old) == 1, old
    return RESTAURANT_XML.replace(old, new)


RENAMED_PICKUP = changed(PICKUP_TAG, '<bpmn:userTask id="pickup" name="统一出件（含一次告知回访）">')
RENAMED_SIGN = changed(SIGN_TAG, '<bpmn:userTask id="approve_zp" name="户外招牌设置审批（新）">')
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
DEFINITIONS = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
               'targetNamespace="https://onething.example/t">')
LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS = (HEAD + f'<!DOCTYPE lolz [<!ENTITY lol0 "lol">{LAUGHS}]>\n' + DEFINITIONS
                  + '<bpmn:process id="restaurant" name="&lol9;" isExecutable="true"/></bpmn:definitions>')
EXTERNAL_ENTITY = (HEAD + '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + DEFINITIONS
                   + '<bpmn:process id="restaurant" name="&xxe;" isExecutable="true"/></bpmn:definitions>')


def upload(client: Any, xml: str, headers: dict[str, str] = ADMIN, bundle: str = "restaurant") -> Any:
    return client.post(f"/api/flows?bundle={bundle}", data=xml.encode("utf-8"), headers={**headers, **XML})


def uploaded(client: Any, xml: str) -> int:
    answer = upload(client, xml)
    assert answer.status_code == 201, answer.json
    return int(answer.json["version"]["version"])


def start(client: Any) -> str:
    answer = client.post("/api/cases", json=case_body(client), headers=CLERK)
    assert answer.status_code == 201, answer.json
    return str(answer.json["number"])


def flow_version_of(client: Any, number: str) -> int:
    engine = client.application.extensions["onething"]
    with engine.db.connect() as conn:
        return int(conn.execute(text(
            "SELECT v.version FROM cases c JOIN flow_versions v ON v.id = c.flow_version_id WHERE c.number = :n"),
            {"n": number}).scalar_one())


def open_tasks(client: Any, number: str) -> list[dict[str, Any]]:
    return list(client.get(f"/api/cases/{number}").json["open_tasks"])


def approve(client: Any, number: str, item: str) -> None:
    task = next(t for t in open_tasks(client, number) if t["item"] == item and t["kind"] == "approval")
    answer = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task),
                         headers=REVIEWERS[task["department"]])
    assert answer.status_code == 200, answer.json


def finish(client: Any, number: str) -> str:
    """Approve everything still open, hand the results over; answers the pickup task's title."""
    while approvals := [t for t in open_tasks(client, number) if t["kind"] == "approval"]:
        approve(client, number, approvals[0]["item"])
    pickup = next(t for t in open_tasks(client, number) if t["kind"] == "pickup")
    answer = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert answer.status_code == 200 and answer.json["status"] == "closed", answer.json
    return str(pickup["title"])


def audit(client: Any, event_type: str) -> list[dict[str, Any]]:
    return [e for e in client.get("/api/audit/events?limit=500", headers=ADMIN).json if e["type"] == event_type]


def test_a_new_version_is_uploaded_diffed_dry_run_and_deployed_and_old_cases_stay_on_theirs(client: Any) -> None:
    old_case = start(client)

    first = upload(client, RENAMED_PICKUP)
    assert first.status_code == 201, first.json
    assert first.json["created"] is True and first.json["report"]["ok"] is True
    assert first.json["version"] | {"created_at": None} == first.json["version"] | {
        "version": 2, "source": "upload", "deployed_at": None, "current": False, "created_at": None}
    again = client.post("/api/flows", json={"bundle": "restaurant", "xml": RENAMED_PICKUP}, headers=ADMIN)
    assert again.status_code == 200 and again.json["created"] is False and again.json["version"]["version"] == 2

    versions = client.get("/api/flows/restaurant/versions", headers=CLERK).json
    assert [v["version"] for v in versions["versions"]] == [1, 2] and versions["deployed_version"] == 1
    stored = client.get("/api/flows/restaurant/versions/2/xml", headers=ADMIN)
    assert stored.status_code == 200 and stored.mimetype == "application/xml"
    assert stored.get_data(as_text=True) == RENAMED_PICKUP

    diff = client.get("/api/flows/restaurant/diff?from=1&to=2", headers=ADMIN).json
    assert diff["added"] == [] and diff["removed"] == []
    assert [(c["element_id"], c["aspects"]) for c in diff["changed"]] == [("pickup", ["name"])]
    assert client.get("/api/flows/restaurant/diff", headers=ADMIN).json == diff  # deployed -> latest

    run = client.post("/api/flows/restaurant/versions/2/dry-run", json={}, headers=ADMIN).json
    assert run["finished"] is True and run["stopped"] is None
    assert run["steps"][0]["kind"] == "intake" and run["steps"][-1]["title"] == "统一出件（含一次告知回访）"
    assert len(run["steps"]) == 7 and run["lanes"] == ["window", *run["lanes"][1:]]
    assert set(run["lanes"]) == {"window", "scjg", "cg", "xf", "wj"}
    detour = client.post("/api/flows/restaurant/versions/2/dry-run",
                         json={"decisions": {"cy.zp": "correct", "cy.xf": "reject"}}, headers=ADMIN).json
    assert detour["finished"] is True
    assert [s["decision"] for s in detour["steps"] if s["item"] == "cy.zp"] == ["correct", None, "approve"]
    assert [s["decision"] for s in detour["steps"] if s["item"] == "cy.xf"] == ["reject"]
    bad = client.post("/api/flows/restaurant/versions/2/dry-run", json={"decisions": {"cy.nope": "approve"}},
                      headers=ADMIN)
    assert bad.status_code == 422 and "decisions.cy.nope" in bad.json["errors"]
    assert client.post("/api/flows/restaurant/versions/9/dry-run", json={}, headers=ADMIN).status_code == 404
    assert flow_version_of(client, old_case) == 1  # a dry run stores nothing

    deployed = client.post("/api/flows/restaurant/versions/2/deploy", headers=ADMIN)
    assert deployed.status_code == 200, deployed.json
    assert deployed.json["previous"] == 1 and deployed.json["changed"] is True
    assert deployed.json["version"]["current"] is True and deployed.json["version"]["deployed_at"]
    assert client.post("/api/flows/restaurant/versions/2/deploy", headers=ADMIN).json["changed"] is False

    new_case = start(client)
    assert (flow_version_of(client, old_case), flow_version_of(client, new_case)) == (1, 2)
    assert finish(client, old_case) == "统一出件"
    assert finish(client, new_case) == "统一出件（含一次告知回访）"
    assert flow_version_of(client, old_case) == 1

    assert [e["data"]["version"] for e in audit(client, "FlowUploaded")] == [2]
    (event,) = audit(client, "FlowDeployed")
    assert event["actor_user"] == "sun.office" and event["subject"] == "bundle:restaurant"
    assert event["data"]["version"] == 2 and event["data"]["previous"] == 1 and event["occurred_at"]
    assert client.get("/api/audit/verify", headers=ADMIN).json["ok"] is True


def refusal(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.json
    assert {"code", "message", "message_zh", "errors", "problems"} <= set(answer.json)
    assert answer.json["code"] == "flow_refused" and answer.json["errors"]
    return list(answer.json["problems"])


def test_hostile_and_unsafe_files_are_refused_with_their_problems(client: Any) -> None:
    for hostile in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        problems = refusal(upload(client, hostile))
        assert [p["rule"] for p in problems] == ["doctype"] and problems[0]["severity"] == "error"
        assert "root:" not in str(problems)
    unsafe = changed(SIGN_CONDITION, "__import__(&quot;os&quot;).system(&quot;id&quot;)")
    problems = refusal(client.post("/api/flows", json={"bundle": "restaurant", "xml": unsafe}, headers=ADMIN))
    hit = next(p for p in problems if p["rule"] == "condition-refused")
    assert hit["element_id"] == "f_correct_zp" and hit["message_zh"] and hit["message_en"]
    assert all(k in hit for k in ("severity", "line"))

    not_ours = refusal(upload(client, RESTAURANT_XML.replace('value="cy.jkz"', 'value="cy.nope"')))
    assert {"approval-missing", "unknown-item"} <= {p["rule"] for p in not_ours}
    assert refusal(upload(client, "not xml at all"))[0]["rule"] == "not-xml"
    versions = client.get("/api/flows/restaurant/versions", headers=ADMIN).json["versions"]
    assert [v["version"] for v in versions] == [1]  # nothing refused was stored
    assert audit(client, "FlowUploaded") == []


def test_a_version_that_no_longer_fits_the_bundle_is_not_deployed_nor_migrated_to(client: Any) -> None:
    version = uploaded(client, RENAMED_PICKUP)
    engine = client.application.extensions["onething"]
    with engine.ctx.uow(True) as uow:  # the definition moved on since the upload (the sign now with 消防)
        row = uow.flows.bundle("restaurant")
        row.definition = copy.deepcopy(row.definition)
        row.definition["items"][2]["department"] = "xf"
        uow.flows.save_bundle(row)
        uow.commit()
    problems = refusal(client.post(f"/api/flows/restaurant/versions/{version}/deploy", headers=ADMIN))
    assert any(p["rule"] == "approval-lane" and p["element_id"] == "approve_zp" for p in problems), problems
    refusal(client.post("/api/flows/restaurant/migration", json={"to": version}, headers=ADMIN))
    assert client.get("/api/flows/restaurant/versions").json["deployed_version"] == 1
    assert audit(client, "FlowDeployed") == []


def test_bad_requests_get_the_error_shape(client: Any) -> None:
    assert upload(client, RESTAURANT_XML, bundle="no_such_bundle").status_code == 404
    missing = client.post("/api/flows", data=RESTAURANT_XML.encode(), headers={**ADMIN, **XML})
    assert missing.status_code == 422 and "bundle" in missing.json["errors"]
    assert client.post("/api/flows", json={"bundle": "restaurant"}, headers=ADMIN).json["errors"] == {
        "xml": ["此项必填"]}  # marshmallow's message in Chinese (issue 22, item 5)
    broken = client.post("/api/flows", data=b"{nope", headers={**ADMIN, "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json["errors"] == {}
    plain = client.post("/api/flows?bundle=restaurant", data=b"x", headers={**ADMIN, "Content-Type": "text/plain"})
    assert plain.status_code == 415 and set(plain.json) == {"code", "message", "message_zh", "errors"}
    huge = client.post("/api/flows?bundle=restaurant", data=b" " * 2_000_001, headers={**ADMIN, **XML})
    assert huge.status_code == 413 and set(huge.json) == {"code", "message", "message_zh", "errors"}
    assert client.get("/api/flows/restaurant/versions/7/xml", headers=ADMIN).status_code == 404
    assert client.post("/api/flows/restaurant/versions/7/deploy", headers=ADMIN).status_code == 404
    assert client.get("/api/flows/nowhere/versions", headers=ADMIN).status_code == 404
    assert client.get("/api/flows/restaurant/diff?from=1&to=5", headers=ADMIN).status_code == 404


def test_only_administrators_edit_flows(client: Any) -> None:
    for headers in (CLERK, REVIEWERS["scjg"]):
        assert upload(client, RENAMED_PICKUP, headers).status_code == 403
        assert client.post("/api/flows/restaurant/versions/1/deploy", headers=headers).status_code == 403
        assert client.get("/api/flows/restaurant/migration", headers=headers).status_code == 403
    assert client.get("/api/flows/restaurant/versions/1/xml").status_code == 403  # the supervisor
    assert client.get("/api/flows/restaurant/versions").status_code == 200


def test_running_cases_move_to_a_compatible_version_and_finish_on_it(client: Any) -> None:
    # The sign's approval opens once the business licence is approved.
    waiting = start(client)
    approve(client, waiting, "cy.yyzz")  # the sign's approval is open, waiting: the pickup has not been reached
    ahead = start(client)
    approve(client, ahead, "cy.yyzz")
    approve(client, ahead, "cy.zp")  # the sign's approval is done: renaming it changes what this case did
    compatible, incompatible = uploaded(client, RENAMED_PICKUP), uploaded(client, RENAMED_SIGN)

    report = client.get(f"/api/flows/restaurant/migration?to={incompatible}", headers=ADMIN).json
    moves = {m["case"]: m for m in report["cases"]}
    assert report["to"] == incompatible and set(moves) == {waiting, ahead}
    assert moves[waiting]["can_move"] is False and moves[waiting]["blockers"] == ["approve_zp"]  # waiting in it
    assert moves[ahead]["blockers"] == ["approve_zp"] and "approve_zp" in moves[ahead]["reason_zh"]
    refused = client.post("/api/flows/restaurant/migration", json={"to": incompatible}, headers=ADMIN).json
    assert refused["moved"] == [] and {m["case"] for m in refused["refused"]} == {waiting, ahead}
    assert flow_version_of(client, waiting) == flow_version_of(client, ahead) == 1

    report = client.get(f"/api/flows/restaurant/migration?to={compatible}", headers=ADMIN).json
    assert all(m["can_move"] and m["from_version"] == 1 for m in report["cases"]), report
    unknown = client.post("/api/flows/restaurant/migration", json={"to": compatible, "cases": ["CY-nope"]},
                          headers=ADMIN)
    assert unknown.status_code == 422 and "cases" in unknown.json["errors"]
    moved = client.post("/api/flows/restaurant/migration", json={"to": compatible, "cases": [waiting]},
                        headers=ADMIN).json
    assert [m["case"] for m in moved["moved"]] == [waiting] and moved["refused"] == []
    assert (flow_version_of(client, waiting), flow_version_of(client, ahead)) == (compatible, 1)
    again = client.post("/api/flows/restaurant/migration", json={"to": compatible}, headers=ADMIN).json
    assert [m["case"] for m in again["moved"]] == [ahead]  # the one already moved is not moved twice

    timeline = client.get(f"/api/cases/{waiting}").json["timeline"]
    event = next(e for e in timeline if e["type"] == "CaseMigrated")
    assert event["data"]["from_version"] == 1 and event["data"]["to_version"] == compatible
    assert finish(client, waiting) == "统一出件（含一次告知回访）"
    assert finish(client, ahead) == "统一出件（含一次告知回访）"
    assert {e["subject"] for e in audit(client, "CaseMigrated")} == {f"case:{waiting}", f"case:{ahead}"}
    assert client.get("/api/audit/verify", headers=ADMIN).json["ok"] is True


def test_a_department_leaves_the_bundle_with_a_version_and_its_definition(client: Any) -> None:
    """As policies change, an item is dropped: the flow and the bundle definition go up together, and
    deploying the version applies both. Running cases keep their items; new cases have four."""
    import json

    from engine.workflow.flow_generator import render_flow

    definition = json.loads((ROOT / "bpmn" / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    definition["items"] = [i for i in definition["items"] if i["code"] != "cy.jkz"]
    xml = render_flow(definition)
    before = start(client)

    alone = upload(client, xml)  # without the definition the flow no longer fits the bundle
    assert alone.status_code == 422 and any(p["rule"] == "approval-missing" for p in alone.json["problems"])
    broken = client.post("/api/flows", json={"bundle": "restaurant", "xml": xml,
                                              "definition": {**definition, "code": "other"}}, headers=ADMIN)
    assert broken.status_code == 422 and "definition.code" in broken.json["errors"]
    answer = client.post("/api/flows", json={"bundle": "restaurant", "xml": xml, "definition": definition},
                         headers=ADMIN)
    assert answer.status_code == 201, answer.json
    assert answer.json["version"]["with_definition"] is True
    number = answer.json["version"]["version"]
    assert client.get("/api/bundles/restaurant/guide").json["items"][-1]["code"] == "cy.jkz"  # not yet
    deployed = client.post(f"/api/flows/restaurant/versions/{number}/deploy", headers=ADMIN)
    assert deployed.status_code == 200, deployed.json
    assert [i["code"] for i in client.get("/api/bundles/restaurant/guide").json["items"]] == [
        "cy.yyzz", "cy.spjy", "cy.zp", "cy.xf"]
    assert [e["data"]["with_version"] for e in audit(client, "BundleDefinitionChanged")] == [number]

    after = start(client)
    assert flow_version_of(client, after) == number
    assert {i["code"] for i in client.get(f"/api/cases/{after}").json["items"]} == {
        "cy.yyzz", "cy.spjy", "cy.zp", "cy.xf"}
    finish(client, after)
    finish(client, before)  # the running case still has 卫健 and finishes on its version
    assert "cy.jkz" in {i["code"] for i in client.get(f"/api/cases/{before}").json["items"]}


def test_a_utf8_file_that_declares_another_encoding_keeps_its_chinese_names(client: Any) -> None:
    """Some modellers write UTF-8 under an ISO-8859-1 declaration: the file is checked, parsed and
    stored as the UTF-8 it is, with the declaration corrected."""
    declared = changed(PICKUP_TAG, '<bpmn:userTask id="pickup" name="统一出件（新版）">').replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
    assert 'encoding="ISO-8859-1"' in declared
    answer = upload(client, declared)
    assert answer.status_code == 201, answer.json
    assert any(p["rule"] == "encoding-declaration" for p in answer.json["report"]["problems"])
    number = answer.json["version"]["version"]
    stored = client.get(f"/api/flows/restaurant/versions/{number}/xml", headers=ADMIN)
    assert "统一出件（新版）" in stored.get_data(as_text=True) and 'encoding="UTF-8"' in stored.get_data(as_text=True)
    run = client.post(f"/api/flows/restaurant/versions/{number}/dry-run", json={}, headers=ADMIN)
    assert run.status_code == 200, run.json
    assert any("统一出件（新版）" in str(step) for step in run.json["steps"])
