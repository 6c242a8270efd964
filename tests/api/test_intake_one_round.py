"""Intake feedback (issue 22, item 7) on the API: an applicant block with errors is answered with
the unified form's and the checklist's errors in the same 422, so that a client shows them all at
once instead of one part per try; nothing is created."""

from __future__ import annotations

from typing import Any

from tests.api.test_bad_input import assert_error
from tests.conftest import APPLICANT, CLERK, case_body


def test_applicant_form_and_checklist_errors_come_in_one_answer(client: Any) -> None:
    body = case_body(client)
    key_material = next(iter(body["materials"]))
    bad = {**body, "applicant": {**body["applicant"], "id_number": "110105194912310021", "phone": "12345"},
           "form": {**body["form"], "entity_type": "不存在的类型"},
           "materials": {k: v for k, v in body["materials"].items() if k != key_material}}
    error = assert_error(client.post("/api/cases", json=bad, headers=CLERK), 422, "invalid_input")
    assert "校验位" in error["errors"]["applicant.id_number"][0]
    assert "applicant.phone" in error["errors"]
    assert "form.entity_type" in error["errors"]
    assert f"materials.{key_material}" in error["errors"]
    assert error["message_zh"].startswith("申请人信息不完整或有误") and "申请表或材料清单" in error["message_zh"]
    assert client.get("/api/cases").json["total"] == 0


def test_an_applicant_error_alone_says_only_that(client: Any) -> None:
    body = {**case_body(client), "applicant": {**APPLICANT, "phone": "12345"}}
    error = assert_error(client.post("/api/cases", json=body, headers=CLERK), 422, "invalid_input")
    assert set(error["errors"]) == {"applicant.phone"}
    assert error["message_zh"] == "申请人信息不完整或有误"
    assert client.get("/api/cases").json["total"] == 0
