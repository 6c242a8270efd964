"""Savings per case (四减一优, DOMAIN.md "What is measured"): a restaurant case counted by hand,
figure by figure; each counting rule changes the figure it governs; summaries over a small set."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine.domain.catalogue import bundle_from_dict
from engine.domain.model import Bundle, Delivery, Item, TaskKind
from engine.domain.savings import (
    CaseFacts,
    CaseSavings,
    Figure,
    compute_baseline,
    compute_case_savings,
)
from engine.domain.savings_published import PUBLISHED_FIGURE_NAMES
from engine.domain.savings_rules import Channel, CountingRules, MaterialUse, TimeBaseline, TimeLimit, TripKind
from engine.domain.savings_summary import (
    ALL_BUNDLES,
    PUBLISHED_TARGETS,
    compare_with_targets,
    percentile,
    summarize,
    summarize_by_bundle,
)

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def load_bundle(code: str) -> Bundle:
    return bundle_from_dict(json.loads((BPMN / code / "bundle.json").read_text(encoding="utf-8")))


RESTAURANT = load_bundle("restaurant")
# The unified form: the de-duplicated union of the five items' fields (input, not a figure under test).
FORM = tuple(dict.fromkeys(key for item in RESTAURANT.items for key in item.fields))
# The option: every figure whose bundle publishes a "before" number takes it as the baseline.
PUBLISHED = CountingRules(published_baselines=frozenset(PUBLISHED_FIGURE_NAMES))


def restaurant_case(**changes: object) -> CaseFacts:
    """A new restaurant applied for at the window by its owner in person: the food-safety rules were
    tolerated (容缺) and brought on a second visit; results collected at the window."""
    facts = CaseFacts(
        bundle_code="restaurant",
        case_number="CY-20260924-00001",
        channel=Channel.WINDOW,
        result_delivery=Delivery.WINDOW,
        trips=(TripKind.CONSULTATION, TripKind.INTAKE, TripKind.SUPPLY, TripKind.PICKUP),
        steps=(TaskKind.INTAKE, *[TaskKind.APPROVAL] * 5, TaskKind.PICKUP),
        working_days_elapsed=9,
        paused_working_days=3,  # the staff medical check (体检/检验) pauses the clock
        materials={
            "applicant_id": MaterialUse.ELICENCE,
            "premises_proof": MaterialUse.COMMITMENT,
            "business_licence": MaterialUse.ELICENCE,  # issued by cy.yyzz inside the case
            "premises_layout": MaterialUse.SUBMITTED,
            "food_safety_rules": MaterialUse.TOLERATED,
            "sign_design": MaterialUse.SUBMITTED,
            "sign_safety_commitment": MaterialUse.SUBMITTED,
            "fire_safety_commitment": MaterialUse.SUBMITTED,
            "fire_acceptance_proof": MaterialUse.ELICENCE,
            "staff_id_photo": MaterialUse.SUBMITTED,
        },
        fields_asked=FORM,
        fields_prefilled=("name", "id_number", "phone", "gender"),  # from the person registry
        fees_paid=60.0,  # the staff medical check
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_the_restaurant_baseline_sums_the_items_by_default() -> None:
    baseline = compute_baseline(RESTAURANT)
    assert baseline.trips == 10  # trips_alone 2 + 2 + 2 + 2 + 2
    assert baseline.steps == 20  # steps_alone 4 + 4 + 4 + 4 + 4
    assert baseline.time_days == 28  # promised 1 (yyzz) + 7 (spjy) + 5 (zp) + 10 (xf) + 5 (jkz)
    # Each item's materials, and alone the business licence the permits, sign and fire check use:
    # 3 + (5 + 1) + (4 + 1) + (6 + 1) + 2.
    assert baseline.materials == 23
    assert baseline.fields == 51  # each item's fields: 7 + 14 + 11 + 12 + 7
    assert set(baseline.sources.values()) == {"items"}
    assert baseline.charged_items == ("cy.jkz",)
    assert baseline.items_without_limit == ()


def test_the_published_baseline_option_takes_the_published_before_figures() -> None:
    baseline = compute_baseline(RESTAURANT, PUBLISHED)
    assert baseline.trips == 10  # 2 × 5 from the items: no published "before" for trips
    assert baseline.steps == 17  # 四川 published 17 (the items give 20)
    assert baseline.time_days == 48  # 四川 published 48 working days (the items give 28)
    assert (baseline.materials, baseline.fields) == (35, 100)  # 四川's 35 and 100 (the items give 23 and 51)
    assert baseline.sources == {"trips": "items", "steps": "published: 四川（2025）", "time_days": "published: 四川",
                                "materials": "published: 四川", "fields": "published: 四川"}


def test_time_baseline_variants() -> None:
    statutory = compute_baseline(RESTAURANT, CountingRules(time_limit=TimeLimit.STATUTORY))
    assert statutory.time_days == 48  # statutory 3 + 10 + 20 + 10, and cy.jkz has none: promised 5
    chain = compute_baseline(RESTAURANT, CountingRules(time_baseline=TimeBaseline.CHAIN))
    assert chain.time_days == 11  # longest chain: yyzz 1 + max(spjy 7, zp 5, xf 10), or jkz 5


def item(code: str, statutory: int | None, promised: int | None, separate: int | None = None) -> Item:
    return Item(code, code, "scjg", statutory, promised, separate_days=separate)


def bundle_of(*items: Item, published: tuple[dict[str, object], ...] = ()) -> Bundle:
    return Bundle("b", "某一件事", "B", items, {"scjg": "市场监管"}, published=published)


def test_an_on_the_spot_item_counts_its_separate_handling_not_its_promise_of_0() -> None:
    """The reproduced defect: 企业开办's items promise 0 working days (当场办结), so its baseline was
    1 working day and a case decided the next day showed a saving of −100%."""
    baseline = compute_baseline(load_bundle("company_start"))
    # 设立登记 promises 0: its statutory 3; seal, invoice, social insurance, medical insurance and
    # housing fund promise 0 and have no statutory limit: 1 each; the bank account promises 1.
    assert baseline.time_days == 3 + 5 * 1 + 1
    assert set(baseline.items_without_limit) == {"qk.yz", "qk.fp", "qk.sb", "qk.yb", "qk.gjj"}
    facts = CaseFacts("company_start", working_days_elapsed=1)
    assert compute_case_savings(load_bundle("company_start"), facts).time_days.reduction == pytest.approx(1 - 1 / 9)


@pytest.mark.parametrize(("rules", "expected"), [
    # separate_days, else the promise above 0, else the statutory limit above 0, else 1 working day.
    (CountingRules(), 4 + 2 + 3 + 1 + 1),
    # The statutory limit first, then separate_days, then the promise.
    (CountingRules(time_limit=TimeLimit.STATUTORY), 6 + 5 + 3 + 1 + 1),
    (CountingRules(least_item_days=2), 4 + 2 + 3 + 2 + 2),
    (CountingRules(least_item_days=0), 4 + 2 + 3 + 0 + 0),
])
def test_each_item_counts_its_time_alone(rules: CountingRules, expected: int) -> None:
    bundle = bundle_of(item("estimated", 6, 0, separate=4), item("promised", 5, 2), item("statutory", 3, 0),
                       item("on_the_spot", None, 0), item("none", None, None))
    baseline = compute_baseline(bundle, rules)
    assert baseline.time_days == expected
    assert baseline.items_without_limit == ("on_the_spot", "none")


def test_separate_days_is_read_from_the_catalogue() -> None:
    data = json.loads((BPMN / "company_start" / "bundle.json").read_text(encoding="utf-8"))
    data["items"][1]["separate_days"] = 5
    assert bundle_from_dict(data).items[1].separate_days == 5
    assert compute_baseline(bundle_from_dict(data)).time_days == 3 + 5 + 4 * 1 + 1


def test_a_published_time_in_hours_is_not_a_baseline() -> None:
    data = json.loads((BPMN / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    data["published"] = [{"figure": "time", "before": 72, "after": 3, "unit": "h", "place": "某地"}]
    assert compute_baseline(bundle_from_dict(data)).time_days == 28


def test_the_restaurant_case_matches_the_hand_count() -> None:
    savings = compute_case_savings(RESTAURANT, restaurant_case())
    assert savings.trips == Figure(10, 3)  # intake + supply + pickup; the consultation does not count
    assert savings.steps == Figure(20, 7)  # 4 × 5 against intake + 5 parallel approvals + pickup
    assert savings.time_days == Figure(28, 6)  # 1 + 7 + 5 + 10 + 5 against 9 working days − 3 paused
    assert savings.materials == Figure(23, 6)  # 5 submitted + 1 tolerated; 3 e-licences, 1 commitment not
    assert len(FORM) == 30
    assert savings.fields == Figure(51, 26)  # 30 asked − 4 pre-filled
    assert savings.fees == Figure(60, 60)  # bundling changes no fee
    assert savings.trips.reduction == pytest.approx(0.7)  # 1 − 3/10
    assert savings.steps.reduction == pytest.approx(0.65)  # 1 − 7/20
    assert savings.time_days.reduction == pytest.approx(0.785714, abs=1e-6)  # 1 − 6/28
    assert savings.materials.reduction == pytest.approx(0.739130, abs=1e-6)  # 1 − 6/23
    assert savings.fields.reduction == pytest.approx(0.490196, abs=1e-6)  # 1 − 26/51
    assert savings.fees.reduction == pytest.approx(0.0)
    assert savings.fields_prefilled_share == pytest.approx(0.133333, abs=1e-6)  # 4/30


@pytest.mark.parametrize(("rules", "figure", "expected"), [
    (PUBLISHED, "steps", Figure(17, 7)),  # 四川's published 17 replaces 4 × 5
    (PUBLISHED, "time_days", Figure(48, 6)),  # 四川's published 48 replaces 28
    # The 3 paused days count, on both sides: the items alone would go through the same procedure.
    (CountingRules(exclude_pauses=False), "time_days", Figure(31, 9)),
    (CountingRules(approvals_as_one_step=True), "steps", Figure(20, 3)),  # intake + review + pickup
    (CountingRules(counted_step_kinds=frozenset({TaskKind.APPROVAL})), "steps", Figure(20, 5)),
    (CountingRules(counted_trip_kinds=frozenset(TripKind)), "trips", Figure(10, 4)),
    (CountingRules(count_commitment_materials=True), "materials", Figure(23, 7)),
    (CountingRules(count_elicence_materials=True), "materials", Figure(23, 9)),
    (CountingRules(count_tolerated_materials=False), "materials", Figure(23, 5)),
    (CountingRules(count_prefilled_fields=True), "fields", Figure(51, 30)),
])
def test_each_counting_rule_changes_its_figure(rules: CountingRules, figure: str, expected: Figure) -> None:
    assert compute_case_savings(RESTAURANT, restaurant_case(), rules).figure(figure) == expected


def test_online_submission_and_mailed_results_are_no_trips_unless_configured() -> None:
    facts = restaurant_case(channel=Channel.ONLINE, result_delivery=Delivery.MAIL, trips=(TripKind.SUPPLY,))
    assert compute_case_savings(RESTAURANT, facts).trips == Figure(10, 1)
    rules = CountingRules(online_submission_trips=1, mailed_result_trips=1)
    assert compute_case_savings(RESTAURANT, facts, rules).trips == Figure(10, 3)
    elicence = restaurant_case(result_delivery=Delivery.ONLINE, trips=(TripKind.INTAKE,))
    assert compute_case_savings(RESTAURANT, elicence, CountingRules(elicence_result_trips=2)).trips == Figure(10, 3)


def test_facts_read_back_as_strings_become_enums() -> None:
    facts = CaseFacts(bundle_code="restaurant", channel="online", result_delivery="mail",  # type: ignore[arg-type]
                      trips=("supply",), steps=("intake", "approval"), materials={"x": "tolerated"})  # type: ignore[arg-type]
    assert facts.channel is Channel.ONLINE and facts.trips == (TripKind.SUPPLY,)
    assert facts.materials == {"x": MaterialUse.TOLERATED}


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="bundle"):
        compute_case_savings(RESTAURANT, restaurant_case(bundle_code="newborn"))
    with pytest.raises(ValueError, match="pause"):
        restaurant_case(paused_working_days=10)
    with pytest.raises(ValueError):
        CountingRules(published_baselines=frozenset({"fees"}))
    with pytest.raises(ValueError):
        restaurant_case(channel="fax")


def test_reduction_without_a_baseline_and_when_the_case_cost_more() -> None:
    assert Figure(0, 0).reduction is None
    assert Figure(2, 3).reduction == pytest.approx(-0.5)
    assert compute_case_savings(RESTAURANT, restaurant_case(fees_alone=100.0)).fees.reduction == pytest.approx(0.4)


def test_to_dict_is_json_and_reads_back() -> None:
    savings = compute_case_savings(RESTAURANT, restaurant_case())
    data = json.loads(json.dumps(savings.to_dict(), ensure_ascii=False))
    assert data["figures"]["trips"] == {"baseline": 10, "actual": 3, "saved": 7, "reduction": 0.7}
    assert data["figures"]["steps"]["reduction"] == 0.65  # 1 − 7/20
    assert data["figures"]["materials"]["reduction"] == 0.7391
    assert data["fields_prefilled_share"] == 0.1333
    assert (data["channel"], data["result_delivery"]) == ("window", "window")
    back = CaseSavings.from_dict(data)
    assert back.trips == savings.trips and back.time_days == savings.time_days and back.fees == savings.fees
    assert back.baseline_sources == savings.baseline_sources


def _row(bundle: str, trips: tuple[float, float], days: float, share: float | None) -> CaseSavings:
    same = Figure(10, 5)
    return CaseSavings(bundle, f"{bundle}-{trips[1]}-{days}", "window", "window", trips=Figure(*trips),
                       steps=same, time_days=Figure(20, days), materials=same, fields=same, fees=Figure(0, 0),
                       fields_prefilled_share=share)


SMALL_SET = [_row("a", (10, 1), 1, 0.6), _row("a", (10, 1), 2, 0.5), _row("a", (10, 2), 3, 0.2),
             _row("b", (4, 2), 4, None), _row("b", (4, 4), 10, 0.7)]


def test_summary_means_and_percentiles_on_a_hand_made_set() -> None:
    summary = summarize(SMALL_SET)
    assert (summary.scope, summary.count) == (ALL_BUNDLES, 5)
    trips = summary.figure("trips")
    assert trips.mean_baseline == pytest.approx(7.6)  # (10 + 10 + 10 + 4 + 4) / 5
    assert trips.mean_actual == pytest.approx(2.0)  # (1 + 1 + 2 + 2 + 4) / 5
    assert trips.mean_reduction == pytest.approx(0.62)  # (0.9 + 0.9 + 0.8 + 0.5 + 0) / 5
    assert trips.pooled_reduction == pytest.approx(0.736842, abs=1e-6)  # 1 − 10/38
    time = summary.figure("time_days")
    assert time.mean_actual == pytest.approx(4.0)  # (1 + 2 + 3 + 4 + 10) / 5
    assert time.p50_actual == pytest.approx(3.0)
    assert time.p90_actual == pytest.approx(7.6)  # rank 0.9 × 4 = 3.6: 4 + 0.6 × (10 − 4)
    assert summary.figure("fees").mean_reduction is None  # no baseline anywhere
    assert summary.mean_prefilled_share == pytest.approx(0.5)  # (0.6 + 0.5 + 0.2 + 0.7) / 4
    assert summary.half_prefilled_share == pytest.approx(0.75)  # 3 of 4 at 50 % or more
    assert [(b.label, b.count) for b in summary.time_histogram] == [
        ("当日", 0), ("1 个工作日", 1), ("2–3 个工作日", 2), ("4–5 个工作日", 1), ("6–10 个工作日", 1),
        ("11–20 个工作日", 0), ("20 个工作日以上", 0)]


def test_summary_per_bundle_and_from_stored_rows() -> None:
    per_bundle = summarize_by_bundle(SMALL_SET)
    assert list(per_bundle) == ["a", "b"]
    assert per_bundle["b"].count == 2
    assert per_bundle["b"].figure("trips").mean_reduction == pytest.approx(0.25)  # (0.5 + 0) / 2
    from_dicts = summarize([row.to_dict() for row in SMALL_SET])
    assert from_dicts.to_dict() == summarize(SMALL_SET).to_dict()
    assert json.loads(json.dumps(from_dicts.to_dict()))["figures"]["trips"]["mean_reduction"] == 0.62


def test_an_empty_summary_has_no_means() -> None:
    summary = summarize([])
    assert summary.count == 0 and summary.figure("trips").mean_reduction is None
    assert summary.mean_prefilled_share is None and sum(b.count for b in summary.time_histogram) == 0


def test_percentile_edges() -> None:
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([4, 1, 3, 2], 0) == 1 and percentile([4, 1, 3, 2], 100) == 4
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_published_targets_are_seed_003s() -> None:
    assert {t.figure: t.value for t in PUBLISHED_TARGETS} == {
        "trips": 0.83, "steps": 0.82, "time_days": 0.85, "materials": 0.76, "fields_prefilled": 0.50}


def test_targets_are_compared_with_the_mean_reductions() -> None:
    checks = {c.figure: c for c in compare_with_targets(summarize(SMALL_SET))}
    assert checks["trips"].achieved == pytest.approx(0.62) and checks["trips"].met is False
    assert checks["steps"].achieved == pytest.approx(0.5) and checks["steps"].met is False
    assert checks["fields_prefilled"].achieved == pytest.approx(0.5) and checks["fields_prefilled"].met is True
    assert all(c.met is None for c in compare_with_targets(summarize([])))


def test_a_material_a_registry_record_replaced_is_not_submitted_unless_configured() -> None:
    facts = restaurant_case()
    shared = replace(facts, materials={**facts.materials, "applicant_id": MaterialUse.SHARED})
    assert compute_case_savings(RESTAURANT, shared).materials == compute_case_savings(RESTAURANT, facts).materials
    counted = compute_case_savings(RESTAURANT, shared, CountingRules(count_shared_materials=True)).materials
    assert counted.actual == compute_case_savings(RESTAURANT, facts).materials.actual + 1
