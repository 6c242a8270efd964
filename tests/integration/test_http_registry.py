"""The HTTP adapter of a provincial data-sharing platform, against a real HTTP server on loopback that
answers from fixture data, slowly, with errors or with malformed bodies: a lookup either finds, finds
nothing, or is ``unavailable`` with the reason, and an intake answers within 2 s whatever the platform
does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from engine.bootstrap import OneThingEngine
from engine.domain.registries import Ask
from engine.services.catalogue import get_bundle_catalogue
from engine.services.registry_sources import EmbeddedRegistries
from engine.sources.http_registry import HttpRegistries, HttpRegistryConfig
from forms.samples import sample_values
from tests.conftest import CLERK
from tests.registry_platform import TOKEN, Platform, running_platform

MOTHER, FATHER = "410702199001010023", "410702198501010017"
PERSON = {"ref": MOTHER, "name": "李芳", "subjects": [MOTHER],
          "attributes": {"id_number": MOTHER, "name": "李芳", "phone": "13800138000",
                         "household_address": "新乡市红旗区", "householder_name": "李芳", "shoe_size": 38}}
MARRIAGE = {"ref": "J1", "name": "J1", "subjects": [FATHER, MOTHER],
            "attributes": {"cert_number": "J1", "husband_name": "王伟", "husband_id_number": FATHER,
                           "wife_name": "李芳", "wife_id_number": MOTHER, "registered_on": "2015-05-20"}}
BIRTH = {"ref": "R1", "name": "王欣怡", "subjects": [MOTHER, FATHER],
         "attributes": {"cert_number": "R1", "child_name": "王欣怡", "child_gender": "女",
                        "child_birth_date": "2026-09-01", "birth_institution": "新乡市妇幼保健院",
                        "mother_name": "李芳", "mother_id_number": MOTHER,
                        "father_name": "王伟", "father_id_number": FATHER, "birth_weight_g": 3300}}


@pytest.fixture
def platform() -> Iterator[Platform]:
    with running_platform({"person": [PERSON], "marriage": [MARRIAGE], "birth": [BIRTH]}) as running:
        yield running


def source(platform: Platform, **changes: Any) -> HttpRegistries:
    return HttpRegistries(replace(HttpRegistryConfig(platform.url, TOKEN), **changes))


def ask(kind: str, subject: str = MOTHER) -> Ask:
    return Ask(kind, subject, ("name",), "受理：新生儿出生一件事")


def test_records_come_back_with_the_kinds_columns_only(platform: Platform) -> None:
    person, birth, nothing = source(platform).lookup([ask("person"), ask("birth"), ask("marriage", "X")])
    assert (person.outcome, birth.outcome, nothing.outcome) == ("found", "found", "none")
    assert person.records[0].attributes["name"] == "李芳" and "shoe_size" not in person.records[0].attributes
    assert birth.records[0].subjects == (MOTHER, FATHER) and birth.records[0].name == "王欣怡"
    assert platform.bodies[0]["purpose"] == "受理：新生儿出生一件事" and platform.bodies[0]["request_id"]
    wrong_token = HttpRegistries(HttpRegistryConfig(platform.url, "nope")).lookup([ask("person")])[0]
    assert (wrong_token.outcome, wrong_token.unavailable) == ("unavailable", "HTTP 401")


def test_slow_failing_and_malformed_answers_make_the_lookup_unavailable_within_bounds(platform: Platform) -> None:
    platform.modes.update({"person": "slow", "marriage": "error", "birth": "malformed", "property": "not_json",
                           "social_insurance": "missing"})
    started = time.perf_counter()
    outcomes = source(platform).lookup([ask(k) for k in ("person", "marriage", "birth", "property",
                                                         "social_insurance")])
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, elapsed  # the asks run in parallel, each timed out and retried once at most
    assert [o.unavailable for o in outcomes] == ["timeout after 0.5 s", "HTTP 500", "malformed answer: no records list",
                                                 "malformed answer: not JSON", None]
    assert outcomes[-1].outcome == "none"  # 404: the platform holds nothing about the subject
    assert platform.hits["person"] == 2 and platform.hits["marriage"] == 1  # a timeout is tried again, a 500 not


def test_a_busy_platform_is_asked_again_and_answers_are_kept_a_while(platform: Platform) -> None:
    platform.modes["person"] = "flaky"
    registries = source(platform)
    assert registries.lookup([ask("person")])[0].outcome == "found"
    assert platform.hits["person"] == 2  # 503, then the answer
    assert registries.lookup([ask("person")])[0].outcome == "found"
    assert platform.hits["person"] == 2  # from the cache
    assert source(platform, cache_seconds=0.0001).lookup([ask("person")])[0].outcome == "found"
    assert platform.hits["person"] == 3


def test_the_breaker_stops_asking_a_failing_registry_and_tries_again_later(platform: Platform) -> None:
    platform.modes["marriage"] = "error"
    registries = source(platform, fail_max=2, reset_seconds=0.3)
    first = [registries.lookup([ask("marriage", f"S{n}")])[0].unavailable for n in range(3)]
    assert first[:1] == ["HTTP 500"] and first[2] is not None and first[2].startswith("circuit open")
    hits = platform.hits["marriage"]
    assert registries.lookup([ask("marriage", "S9")])[0].unavailable.startswith("circuit open")  # type: ignore[union-attr]
    assert platform.hits["marriage"] == hits  # not asked while open
    assert registries.lookup([ask("person")])[0].outcome == "found"  # another registry is unaffected
    time.sleep(0.35)
    platform.modes["marriage"] = "ok"
    assert registries.lookup([ask("marriage")])[0].outcome == "found"  # the trial ask closes it again


def test_an_intake_through_the_platform_fills_from_it_and_answers_in_time_when_it_fails(
        client: Any, engine: OneThingEngine, platform: Platform) -> None:
    engine.ctx.registries = HttpRegistries(HttpRegistryConfig(platform.url, TOKEN),
                                           fallback=EmbeddedRegistries(engine.ctx.uow))
    catalogue = get_bundle_catalogue(engine.ctx, "newborn")
    spec = client.get(f"/api/bundles/newborn/form?applicant={MOTHER}", headers=CLERK).json
    assert spec["prefilled"]["child_name"] == {"value": "王欣怡", "source": "birth.child_name", "origin": "registry",
                                               "label": "出生医学证明", "ref": "R1"}
    assert spec["prefilled"]["father_name"]["value"] == "王伟" and spec["sources_unavailable"] == []

    platform.modes.update({"birth": "slow", "marriage": "error"})
    applicant = {"name": "李芳", "id_number": "410702199001010031", "phone": "13800138000",
                 "address": "新乡市红旗区", "relation": "母亲"}
    body = {"bundle": "newborn", "applicant": applicant,
            "form": sample_values(catalogue.form(), catalogue.subject.form_values(applicant)),
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries}}
    started = time.perf_counter()
    answer = client.post("/api/cases", json=body, headers=CLERK)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 201, answer.json
    assert elapsed < 2.0, elapsed
    shared = client.get(f"/api/cases/{answer.json['id']}/shared-data", headers=CLERK).json
    assert {u["kind"]: u["reason"] for u in shared["sources_unavailable"]} == {
        "birth": "timeout after 0.5 s", "marriage": "HTTP 500"}
    assert {e["kind"]: (e["source"], e["outcome"]) for e in shared["lookups"]} == {
        "person": ("http", "none"), "birth": ("http", "unavailable"), "marriage": ("http", "unavailable")}
