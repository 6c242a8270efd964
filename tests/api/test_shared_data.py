"""Shared data through the API: a first-time applicant whom the registries know gets, in every
bundle, the fields the registries hold pre-filled and the materials they replace waived; every
lookup is audited; a source that does not answer leaves the fields to the window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.registries import KINDS, Ask, LookupOutcome
from engine.services.catalogue import get_bundle_catalogue
from engine.services.demo_registries import DemoRegistries, demo_registries, load_demo_registries
from engine.services.shared_data import asks_for, subject_fields
from forms.samples import sample_values
from forms.unified import prefill_paths
from tests.approvals import approve_every_item
from tests.conftest import ADMIN, CLERK, SUPERVISOR, FakeClock

BUNDLES = ("restaurant", "company_start", "company_change", "company_closure", "newborn", "hiring", "retirement",
           "utility_connect", "resale_transfer", "construction_permit")


def demo(engine: OneThingEngine, clock: FakeClock) -> DemoRegistries:
    today = clock().date()
    load_demo_registries(engine.ctx, today)
    return demo_registries(today)


def records_about(data: DemoRegistries, kind: str, subject: str) -> list[dict[str, Any]]:
    registry = KINDS[kind]
    return [row for row in data.rows[kind] if subject in registry.subjects_of(row)]


def applicant_in(data: DemoRegistries, subject_kind: str) -> tuple[dict[str, str], str, str | None]:
    """An applicant block for a bundle about ``subject_kind``, the ref looked up, and the agent."""
    if subject_kind == "family_event":
        birth = data.rows["birth"][0]
        mother = next(p for p in data.people if p.id_number == birth["mother_id_number"])
        return ({"name": mother.name, "id_number": mother.id_number, "phone": mother.phone,
                 "address": mother.address, "relation": "母亲"}, mother.id_number, None)
    if subject_kind == "enterprise":
        enterprise = data.rows["enterprise"][0]
        person = next(p for p in data.people if p.id_number == enterprise["legal_representative_id"])
        return ({"name": person.name, "id_number": person.id_number, "phone": person.phone, "address": person.address,
                 "entity_name": enterprise["name"], "credit_code": enterprise["credit_code"]},
                enterprise["credit_code"], person.id_number)
    # A person who owns one property and is insured: the person bundles use both.
    owners = {row["owners"] for row in data.rows["property"]}
    insured = {row["id_number"] for row in data.rows["social_insurance"]}
    person = next(p for p in data.people if p.id_number in owners and p.id_number in insured)
    block = {"name": person.name, "id_number": person.id_number, "phone": person.phone, "address": person.address}
    if subject_kind == "new_enterprise":
        block["entity_name"] = person.entity_name
    return block, person.id_number, None


def expected_prefill(form: Any, data: DemoRegistries,
                     subjects: dict[tuple[str, str | None], str]) -> dict[str, Any]:
    """What the registries should fill, worked out from the demo rows: per field, its first path (of
    those that apply in this form) whose registry holds a value about its subject — the applicant, or
    the person a form field names (a first-time applicant has no licence or earlier case)."""
    expected = {}
    for field in form.fields:
        for path in prefill_paths(form, field):
            base, _, about = path.partition("@")
            kind, _, attribute = base.partition(".")
            subject = subjects.get((kind, about or None))
            if kind not in KINDS or subject is None:
                continue
            found = records_about(data, kind, subject)
            if KINDS[kind].newest_by and found:
                found = [max(found, key=lambda r: r[KINDS[kind].newest_by])]
            if len(found) == 1 and found[0].get(attribute) not in (None, ""):
                expected[field.key] = found[0][attribute]
                break
    return expected


def waived_expected(catalogue: Any) -> set[str]:
    return {e.key for e in catalogue.checklist().entries if e.registry}


def others(data: DemoRegistries, catalogue: Any, applicant_ref: str) -> dict[str, str]:
    """Whom the form's fields naming someone else name: the applicant as the seller of their own
    property, another resident as the employee or the buyer."""
    strangers = iter(p.id_number for p in reversed(data.people) if p.id_number != applicant_ref)
    return {key: applicant_ref if key.startswith("seller") else next(strangers)
            for key in sorted(subject_fields(catalogue))}


def test_a_first_time_applicant_gets_what_the_registries_hold_in_every_bundle(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    data = demo(engine, clock)
    filled_total = 0
    for code in BUNDLES:
        catalogue = get_bundle_catalogue(engine.ctx, code)
        applicant, ref, agent = applicant_in(data, str(catalogue.subject.kind))
        about = others(data, catalogue, ref)
        asks = asks_for(catalogue, ref, agent, about)
        subjects = {(ask.kind, ask.about): ask.subject for ask in asks}
        query = f"applicant={ref}" + (f"&agent={agent}" if agent else "") + f"&draft=d-{code}" + "".join(
            f"&about={key}:{value}" for key, value in about.items())
        answer = client.get(f"/api/bundles/{code}/form?{query}", headers=CLERK)
        assert answer.status_code == 200, answer.json
        spec = answer.json
        expected = expected_prefill(catalogue.form(), data, subjects)
        from_registry = {k: p["value"] for k, p in spec["prefilled"].items() if p["origin"] == "registry"}
        assert from_registry == expected, code
        assert all(spec["prefilled"][k]["label"] == KINDS[spec["prefilled"][k]["source"].split(".")[0]].name
                   for k in from_registry)
        filled_total += len(from_registry)
        coverage = client.get(f"/api/bundles/{code}/guide", headers=CLERK).json["shared_data"]
        assert set(from_registry) <= set(coverage["fields_by_registry"]), code  # the guide says what can be
        assert waived_expected(catalogue) == set(coverage["materials_by_registry"]), code
        held = {kind for (kind, named), subject in subjects.items() if named is None and (
            len(records_about(data, kind, subject)) == 1
            or (KINDS[kind].newest_by and records_about(data, kind, subject)))}
        waived = {m["key"] for m in spec["materials"] if m["waived_by_record"]}
        assert waived == {e.key for e in catalogue.checklist().entries if e.registry in held}, code
        assert spec["sources_unavailable"] == []
        print(code, len(from_registry), len(spec["prefilled"]), spec["fields_unified"], sorted(waived))

        # The window sends only what shared data did not fill, and no paper for what a record replaces.
        values = {**sample_values(catalogue.form(), catalogue.subject.form_values(applicant)), **about}
        body = {"bundle": code, "applicant": applicant, "draft": f"d-{code}", "authorization": "signed",
                "form": {k: v for k, v in values.items() if k not in spec["prefilled"]},
                "materials": {e.key: "submitted" for e in catalogue.checklist().entries if e.key not in waived}}
        started = client.post("/api/cases", json=body, headers=CLERK)
        assert started.status_code == 201, (code, started.json)
        shared = client.get(f"/api/cases/{started.json['id']}/shared-data", headers=CLERK).json
        assert {k for k, f in shared["fields"].items() if f["origin"] == "registry"} == set(expected), code
        assert all(not f["corrected"] for f in shared["fields"].values())
        assert waived <= set(shared["materials"])  # by a record, or by an e-licence an earlier case issued
        assert {k for k, m in shared["materials"].items() if m["origin"] == "registry"} <= waived
        assert shared["authorization"]["method"] == "signed"
        asked = [(kind, subject) for (kind, _), subject in subjects.items()]
        assert sorted((e["kind"], e["subject"]) for e in shared["lookups"]) == sorted(asked * 2)  # form, intake
        # Through to pickup: a material a record replaced counts as not submitted in the savings.
        number = started.json["number"]
        approve_every_item(client, number, [{"code": i.code, "requires": list(i.requires)}
                                            for i in catalogue.bundle.items])
        handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": applicant["name"]},
                             headers=CLERK)
        assert handed.status_code == 200, (code, handed.json)
        # (An e-licence an earlier case of this walk issued takes precedence over the record.)
        assert {handed.json["materials"][k] for k in waived} <= {"shared", "elicence"}, code
        assert {k for k, v in handed.json["materials"].items() if v == "shared"} <= waived
    assert filled_total >= 50


def test_a_clerks_correction_is_kept_beside_the_registrys_value(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    data = demo(engine, clock)
    catalogue = get_bundle_catalogue(engine.ctx, "retirement")
    applicant, ref, _ = applicant_in(data, "person")
    values = sample_values(catalogue.form(), catalogue.subject.form_values(applicant))
    insured = records_about(data, "social_insurance", ref)[0]
    body = {"bundle": "retirement", "applicant": applicant, "form": {**values, "work_start_date": "1999-03-01"},
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries}}
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    shared = client.get(f"/api/cases/{started.json['number']}/shared-data", headers=CLERK).json
    work_start = shared["fields"]["work_start_date"]
    assert work_start["corrected"] is True and work_start["source_value"] == insured["work_start_date"]
    assert work_start["label"] == "社会保险"
    assert "work_start_date" not in started.json["prefilled"]
    masked = client.get(f"/api/cases/{started.json['number']}/shared-data", headers=SUPERVISOR).json
    assert masked["fields"]["work_start_date"]["source_value"] == "***"
    number = started.json["number"]
    for ref in (number, str(started.json["id"])):
        audit = client.get(f"/api/data-lookups?case={ref}", headers=SUPERVISOR).json["lookups"]
        assert {e["kind"] for e in audit} == {"person", "social_insurance"}
        assert {e["case_number"] for e in audit} == {number} and {e["case"] for e in audit} == {started.json["id"]}
    assert client.get("/api/data-lookups?case=CY-20990101-00001", headers=SUPERVISOR).json["lookups"] == []


class DownSource:
    """A platform that answers nothing: every ask unavailable."""

    name = "http"

    def lookup(self, asks: Sequence[Ask]) -> list[LookupOutcome]:
        return [LookupOutcome(a.kind, a.subject, self.name, [], "timeout after 0.8 s", 800.0) for a in asks]


def test_a_source_down_leaves_the_fields_to_the_window_and_the_case_says_so(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    data = demo(engine, clock)
    engine.ctx.registries = DownSource()
    catalogue = get_bundle_catalogue(engine.ctx, "newborn")
    applicant, ref, _ = applicant_in(data, "family_event")
    spec = client.get(f"/api/bundles/newborn/form?applicant={ref}", headers=CLERK).json
    assert not any(p["origin"] == "registry" for p in spec["prefilled"].values())
    assert {u["kind"] for u in spec["sources_unavailable"]} == {"person", "marriage", "birth"}
    values = sample_values(catalogue.form(), catalogue.subject.form_values(applicant))
    body = {"bundle": "newborn", "applicant": applicant, "form": values,
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries}}
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    shared = client.get(f"/api/cases/{started.json['id']}/shared-data", headers=CLERK).json
    assert {u["kind"] for u in shared["sources_unavailable"]} == {"person", "marriage", "birth"}
    assert {e["outcome"] for e in shared["lookups"]} == {"unavailable"}
    assert all(e["error"] == "timeout after 0.8 s" for e in shared["lookups"])


def test_every_lookup_is_in_the_audit_and_the_supervisor_reads_it_masked(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    data = demo(engine, clock)
    clerk = client.get("/api/auth/me", headers=CLERK).json["login"]
    made: list[tuple[str, str, str]] = []  # (kind, subject, user) of every lookup the scenario makes
    for code in ("newborn", "retirement", "company_change"):
        catalogue = get_bundle_catalogue(engine.ctx, code)
        _, ref, agent = applicant_in(data, str(catalogue.subject.kind))
        query = f"applicant={ref}" + (f"&agent={agent}" if agent else "")
        assert client.get(f"/api/bundles/{code}/form?{query}", headers=CLERK).status_code == 200
        made += [(a.kind, a.subject, clerk) for a in asks_for(catalogue, ref, agent)]
    client.get("/api/bundles/restaurant/form", headers=CLERK)  # no applicant: no lookup
    listed = client.get("/api/data-lookups?limit=500", headers=SUPERVISOR)
    assert listed.status_code == 200, listed.json
    rows = listed.json["lookups"]
    assert len(rows) == len(made)
    assert sorted((r["kind"], r["user"]) for r in rows) == sorted((k, u) for k, _, u in made)
    assert all("*" in r["subject"] for r in rows)  # the supervisor sees them masked
    assert all(r["purpose"].startswith("受理预填：") for r in rows)
    assert all((r["outcome"] == "found") == (r["records"] >= 1 and r["values_returned"] >= 1)
               and r["outcome"] in ("found", "none") for r in rows)
    assert sum(r["outcome"] == "found" for r in rows) >= len(rows) - 1  # an enterprise's property: none
    for kind, subject, _ in made:  # each lookup can be found by whom it was about
        found = client.get(f"/api/data-lookups?subject={subject}&kind={kind}", headers=SUPERVISOR).json["lookups"]
        assert len(found) == sum(1 for k, s, _ in made if (k, s) == (kind, subject))
    assert client.get("/api/data-lookups", headers=CLERK).status_code == 403

    engine.settings.lookup_alert_per_day = len(made) - 1
    volume = client.get(f"/api/data-lookups/volume?day={clock().date().isoformat()}", headers=SUPERVISOR).json
    assert volume["users"] == [{"user": clerk, "lookups": len(made), "subjects": len({s for _, s, _ in made}),
                                "last_at": volume["users"][0]["last_at"], "unusual": True}]


def test_with_two_properties_the_window_picks_one_and_the_form_and_case_follow_it(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    data = demo(engine, clock)
    applicant, ref, _ = applicant_in(data, "person")
    owned = records_about(data, "property", ref)[0]
    second = {**owned, "unit_number": owned["unit_number"][:-4] + "9999", "cert_number": owned["cert_number"] + "-2",
              "location": "河南省新乡市牧野区建设路99号2单元301室", "building_area": "88.5"}
    header = ",".join(c.label for c in KINDS["property"].columns)
    row = ",".join(str(second.get(c.key, "")) for c in KINDS["property"].columns)
    loaded = client.post("/api/registries/property/imports", data=f"{header}\n{row}\n".encode(),
                         content_type="text/csv", headers=ADMIN)
    assert loaded.status_code == 201 and loaded.json["rows_accepted"] == 1, loaded.json

    spec = client.get(f"/api/bundles/utility_connect/form?applicant={ref}", headers=CLERK).json
    assert "connect_address" not in spec["prefilled"]  # two compete: the form does not guess
    [choice] = spec["records_to_choose"]
    assert choice["scope"] == "property" and choice["picked"] is None
    assert {(r["ref"], r["label"]) for r in choice["records"]} == {
        (owned["unit_number"], owned["location"]), (second["unit_number"], second["location"])}
    picked = client.get(f"/api/bundles/utility_connect/form?applicant={ref}&choose=property:{second['unit_number']}",
                        headers=CLERK).json
    assert picked["prefilled"]["connect_address"]["value"] == second["location"]
    assert picked["prefilled"]["connect_address"]["ref"] == second["unit_number"]
    assert picked["records_to_choose"][0]["picked"] == second["unit_number"]

    for query, field in ((f"choose=property:{'4' * 19}", "choose.property"),
                         (f"choose=marriage:{second['unit_number']}", "choose.marriage"),
                         ("choose=property", "choose")):
        refused = client.get(f"/api/bundles/utility_connect/form?applicant={ref}&{query}", headers=CLERK)
        assert refused.status_code == 422 and field in refused.json["errors"], (query, refused.json)

    catalogue = get_bundle_catalogue(engine.ctx, "utility_connect")
    values = sample_values(catalogue.form(), catalogue.subject.form_values(applicant))
    values.pop("connect_address", None)
    body = {"bundle": "utility_connect", "applicant": applicant, "form": values,
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries},
            "choose": {"property": second["unit_number"]}}
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    shared = client.get(f"/api/cases/{started.json['number']}/shared-data", headers=CLERK).json
    assert shared["fields"]["connect_address"]["source_value"] == second["location"]
    wrong = client.post("/api/cases", json={**body, "choose": {"property": "X" * 20}}, headers=CLERK)
    assert wrong.status_code == 422 and "choose.property" in wrong.json["errors"]
