"""An e-licence is about a subject (the person or enterprise it certifies) and held by the applicant
who received it. Reuse — a material waived (免提交), a field pre-filled — matches the subject: a
parent's second newborn case never reuses the first child's licences; an employee's social-security
card, which the employer applied for, serves the employee's own later cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from engine.domain.records import CaseRecord
from engine.persistence.migrate import alembic_config
from engine.services.elicences import LicenceSubject, licence_subject
from forms.identifiers import resident_id_check_digit
from tests.api.test_licence_numbers import approve_all
from tests.conftest import CLERK, case_body


def id_number(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


EMPLOYEE = id_number("41070219950305001")


def through_pickup(client: Any, body: dict[str, Any], numbers: dict[str, str] | None = None) -> dict[str, Any]:
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    approve_all(client, started.json["number"], numbers)
    handed = client.post(f"/api/cases/{started.json['number']}/pickup", json={"recipient_name": "陈小明"},
                         headers=CLERK)
    assert handed.status_code == 200, handed.json
    return started.json  # type: ignore[no-any-return]


def licences_of(client: Any, ref: str) -> dict[str, dict[str, Any]]:
    held = client.get(f"/api/applicants/{ref}", headers=CLERK)
    assert held.status_code == 200, held.json
    return {lic["type"]: lic for lic in held.json["licences"]}


def test_a_second_childs_case_never_reuses_the_first_childs_licences(client: Any) -> None:
    first = case_body(client, "newborn")
    first["form"]["child_name"] = "陈大宝"
    parent = first["applicant"]["id_number"]
    case = through_pickup(client, first)

    held = licences_of(client, parent)
    birth = held["birth_certificate"]
    assert (birth["holder_ref"], birth["subject_kind"], birth["subject_ref"], birth["subject_name"]) == (
        parent, "person", f"{case['number']}/child", "陈大宝")
    assert birth["about_applicant"] is False
    assert held["household_register"]["subject_name"] == "陈大宝"

    form = client.get(f"/api/bundles/newborn/form?applicant={parent}", headers=CLERK).json
    assert form["licences_held"] == [], "the parent holds the first child's licences; none is about the parent"
    household = next(m for m in form["materials"] if m["key"] == "household_register")
    assert household["waived_by_elicence"] is False

    second = case_body(client, "newborn")
    second["form"]["child_name"] = "陈二宝"
    second["materials"]["household_register"] = "elicence"  # the first child's household page: not the parents'
    refused = client.post("/api/cases", json=second, headers=CLERK)
    assert refused.status_code == 422, refused.json
    assert "materials.household_register" in refused.json["errors"]


def test_an_employees_card_is_about_the_employee_and_held_by_the_employer(client: Any) -> None:
    body = case_body(client, "hiring")
    body["form"].update(employee_id_number=EMPLOYEE, employee_name="李新工")
    enterprise = body["applicant"]["credit_code"]
    through_pickup(client, body)

    card = licences_of(client, EMPLOYEE)["social_security_card"]
    assert (card["holder_kind"], card["holder_ref"]) == ("enterprise", enterprise)
    assert (card["subject_kind"], card["subject_ref"], card["subject_name"]) == ("person", EMPLOYEE, "李新工")
    assert card["about_applicant"] is True
    assert licences_of(client, enterprise)["social_security_card"]["about_applicant"] is False
    clerk = licences_of(client, body["applicant"]["id_number"])  # who applied for the enterprise
    assert not any(lic["about_applicant"] for lic in clerk.values()), "nothing is about the clerk who applied"

    retiring = client.get(f"/api/bundles/retirement/form?applicant={EMPLOYEE}", headers=CLERK).json
    assert "social_security_card" in retiring["licences_held"]
    payout = next(m for m in retiring["materials"] if m["key"] == "payout_account")
    assert payout["waived_by_elicence"] is True


def test_a_persons_and_an_enterprises_own_licences_are_still_reused(client: Any) -> None:
    person = case_body(client, "retirement")
    through_pickup(client, person)
    ref = person["applicant"]["id_number"]
    approval = licences_of(client, ref)["retirement_approval"]
    assert approval["subject_ref"] == ref and approval["about_applicant"] is True
    assert "retirement_approval" in client.get(f"/api/bundles/retirement/form?applicant={ref}",
                                               headers=CLERK).json["licences_held"]

    change = case_body(client, "company_change")
    code = change["applicant"]["credit_code"]
    through_pickup(client, change, {"bg.dj": code})  # the licence re-issued after the change: same code
    licence = licences_of(client, code)["business_licence"]
    assert (licence["subject_kind"], licence["subject_ref"], licence["holder_ref"]) == ("enterprise", code, code)
    assert licence["about_applicant"] is True


def test_a_new_enterprise_is_the_subject_of_what_its_case_issues(client: Any) -> None:
    body = case_body(client)
    founder = body["applicant"]["id_number"]
    case = through_pickup(client, body)
    engine = client.application.extensions["onething"]
    with engine.db.connect() as conn:
        rows = conn.execute(text("SELECT type, number, subject_kind, subject_ref, subject_name FROM elicences "
                                 "WHERE case_id = :c"), {"c": case["id"]}).all()
    licence = next(r for r in rows if r[0] == "business_licence")
    enterprises = [r for r in rows if r[0] in ("business_licence", "food_permit", "sign_permit",
                                               "fire_safety_inspection")]
    assert len(enterprises) == 4
    assert {(r[2], r[3], r[4]) for r in enterprises} == {("enterprise", licence[1], body["applicant"]["entity_name"])}
    assert licences_of(client, founder)["business_licence"]["about_applicant"] is True, \
        "the founder's registry entry links the enterprise"


CASE = CaseRecord(id=1, number="XS-20260924-00001", bundle_code="newborn", flow_version_id=1, status="closed",
                  applicant={}, channel="window", accepted_at=datetime(2026, 9, 24, tzinfo=UTC), accepted_by="clerk",
                  version=1)


def test_whom_a_licence_is_about_follows_the_bundle_and_the_item() -> None:
    parent = {"name": "陈小明", "id_number": "11010519491231002X", "child_name": "陈宝"}
    assert licence_subject(CASE, "person", None, parent, "") == LicenceSubject("person", parent["id_number"], "陈小明")
    assert licence_subject(CASE, "family_event", None, parent, "") == LicenceSubject(
        "person", "XS-20260924-00001/child", "陈宝")
    with_id = {**parent, "child_id_number": EMPLOYEE.lower()}
    assert licence_subject(CASE, "family_event", None, with_id, "").ref == EMPLOYEE
    assert licence_subject(CASE, "new_enterprise", None, {"entity_name": "小明面馆"}, "91350100M000100Y43") == \
        LicenceSubject("enterprise", "91350100M000100Y43", "小明面馆")
    assert licence_subject(CASE, "new_enterprise", None, {}, "").ref == "XS-20260924-00001/enterprise"
    hired = {"employee_id_number": EMPLOYEE, "employee_name": "李新工", "credit_code": "91350100M000100Y43"}
    assert licence_subject(CASE, "enterprise", "employee_id_number", hired, "91350100M000100Y43") == \
        LicenceSubject("person", EMPLOYEE, "李新工")


def test_licences_stored_before_subjects_are_about_their_holder(engine: OneThingEngine) -> None:
    config = alembic_config(engine.settings.database_url)
    command.downgrade(config, "0014")
    try:
        with engine.db.begin() as conn:
            conn.execute(text(
                "INSERT INTO elicences (type, number, holder_kind, holder_ref, holder_name, issuer, issued_at, "
                "attributes) VALUES ('resident_id', '11010519491231002X', 'person', '11010519491231002X', "
                "'陈小明', 'ga', :at, '{}')"), {"at": datetime(2026, 1, 5, tzinfo=UTC)})
    finally:
        command.upgrade(config, "head")
    with engine.db.connect() as conn:
        row = conn.execute(text("SELECT subject_kind, subject_ref, subject_name FROM elicences")).one()
    assert tuple(row) == ("person", "11010519491231002X", "陈小明")
