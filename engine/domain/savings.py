"""Savings per case (四减一优): the bundle's items done separately (the baseline) against what one
closed case actually cost the applicant, for trips, steps, time, materials and form fields.

The definitions are DOMAIN.md's ("What is measured: savings per case"): baselines sum the items'
figures, actual figures count what the case recorded; "Reduction = 1 − actual / baseline. How each
baseline is counted is explicit configuration": that configuration is :class:`CountingRules`, whose
fields quote the definition each one implements. Both sides of a figure are counted alike, so that
"a negative saving must come from what happened, not from a rule" (DOMAIN.md). Fees are not in
DOMAIN.md's table; they are carried so a report can show that bundling charged nothing extra. Plain
Python: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.domain.model import Bundle, Delivery, Item, TaskKind
from engine.domain.savings_published import published_baseline
from engine.domain.savings_rules import (
    DEFAULT_RULES,
    Channel,
    CountingRules,
    MaterialUse,
    TimeBaseline,
    TimeLimit,
    TripKind,
)

FIGURES = ("trips", "steps", "time_days", "materials", "fields", "fees")
"""Every figure of a :class:`CaseSavings`, in report order."""

FOUR_FIGURES = ("trips", "steps", "time_days", "materials", "fields")
"""The figures DOMAIN.md measures (四减 plus 表单); fees are reported but have no target."""

FIGURE_LABELS: Mapping[str, str] = {
    "trips": "跑动次数",
    "steps": "办理环节",
    "time_days": "办理时间（工作日）",
    "materials": "申请材料（份）",
    "fields": "填写字段（项）",
    "fees": "费用（元）",
}

FREE_FEE_MARKERS = ("不收费", "免费")
"""An item's fee text containing one of these charges nothing (首次申领免费 included)."""




@dataclass(frozen=True)
class CaseFacts:
    """What the engine knows about one closed case, already reduced to plain values."""

    bundle_code: str
    case_number: str = ""
    channel: Channel = Channel.WINDOW
    result_delivery: Delivery = Delivery.WINDOW
    """How the results were handed over; ``Delivery.ONLINE`` means as e-licences."""
    trips: tuple[TripKind, ...] = ()
    """The applicant's visits the window recorded, one entry per visit."""
    steps: tuple[TaskKind, ...] = ()
    """The human tasks the case completed, one entry per task."""
    working_days_elapsed: float = 0
    """Working days from acceptance to results ready (the day of acceptance not counted)."""
    paused_working_days: float = 0
    """Working days of that span spent in special procedures that pause the clock."""
    materials: Mapping[str, MaterialUse] = field(default_factory=dict)
    """Each distinct checklist material (by canonical key) and what became of it."""
    fields_asked: tuple[str, ...] = ()
    """The unified form's fields this applicant was shown."""
    fields_prefilled: tuple[str, ...] = ()
    """Those of them that shared data or e-licences filled in (表单免填写)."""
    fields_prefillable: tuple[str, ...] | None = None
    """Those of them a data source could fill (the catalogue's field has a ``prefill`` mapping), by
    the catalogue of the day the case closed; None when not known."""
    fees_paid: float = 0
    """Fees the applicant paid, in yuan."""
    fees_alone: float | None = None
    """What the items would have cost done separately, in yuan, when the window knows it. The catalogue
    gives fees as local-rate texts, not amounts, and bundling changes no fee, so None means "the same
    as paid"."""

    def __post_init__(self) -> None:
        # Values read back from storage arrive as plain strings: hold them as the enums.
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "result_delivery", Delivery(self.result_delivery))
        object.__setattr__(self, "trips", tuple(TripKind(t) for t in self.trips))
        object.__setattr__(self, "steps", tuple(TaskKind(t) for t in self.steps))
        object.__setattr__(self, "materials", {str(k): MaterialUse(v) for k, v in self.materials.items()})
        object.__setattr__(self, "fields_asked", tuple(self.fields_asked))
        object.__setattr__(self, "fields_prefilled", tuple(self.fields_prefilled))
        if self.fields_prefillable is not None:
            object.__setattr__(self, "fields_prefillable", tuple(self.fields_prefillable))
        if self.working_days_elapsed < 0 or self.paused_working_days < 0:
            raise ValueError("working days must not be negative")
        if self.paused_working_days > self.working_days_elapsed:
            raise ValueError("the clock cannot pause longer than the case took")
        if self.fees_paid < 0 or (self.fees_alone is not None and self.fees_alone < 0):
            raise ValueError("fees must not be negative")


@dataclass(frozen=True)
class Baseline:
    """The bundle's items done separately, counted by the rules."""

    trips: int
    steps: int
    time_days: float
    materials: int
    fields: int
    sources: Mapping[str, str]
    """Per figure, ``items`` (the items' sum) or ``published: <place>`` (that one source's "before"):
    never a mix of the two."""
    items_without_limit: tuple[str, ...] = ()
    """Items with no figure of their time alone (no separate_days, no promised or statutory limit
    above 0): they count ``CountingRules.least_item_days``."""
    charged_items: tuple[str, ...] = ()
    """Items whose fee text does not say they are free."""


@dataclass(frozen=True)
class Figure:
    baseline: float
    actual: float

    @property
    def saved(self) -> float:
        return self.baseline - self.actual

    @property
    def reduction(self) -> float | None:
        """1 − actual / baseline; None without a baseline; negative when the case cost more."""
        return None if self.baseline <= 0 else 1 - self.actual / self.baseline


@dataclass(frozen=True)
class CaseSavings:
    bundle_code: str
    case_number: str
    channel: str
    result_delivery: str
    trips: Figure
    steps: Figure
    time_days: Figure
    materials: Figure
    fields: Figure
    fees: Figure
    fields_prefilled_share: float | None
    """Share of the asked fields that were pre-filled (the ">50% pre-filled" figure)."""
    baseline_sources: Mapping[str, str] = field(default_factory=dict)
    fields_prefillable: int | None = None
    """How many of the asked fields a data source could fill; None for a case measured before
    this was counted."""
    fields_prefilled_of_prefillable: float | None = None
    """Share of those that were pre-filled in this case; None when no source could fill any."""
    prefill_fields: Mapping[str, bool] | None = None
    """Each field a data source could fill, in form order: whether it was pre-filled in this case."""
    materials_shared: int | None = None
    """Materials a registry record replaced (共享核验, 免提交); None for a case measured before this
    was counted."""
    materials_elicence: int | None = None
    """Materials an e-licence replaced (免提交); None as above."""

    def figure(self, name: str) -> Figure:
        if name not in FIGURES:
            raise KeyError(name)
        value: Figure = getattr(self, name)
        return value

    def to_dict(self) -> dict[str, Any]:
        """JSON types only: counts as integers, days and yuan to 2 decimals, shares to 4."""
        return {
            "bundle_code": self.bundle_code,
            "case_number": self.case_number,
            "channel": self.channel,
            "result_delivery": self.result_delivery,
            "figures": {name: _figure_dict(self.figure(name)) for name in FIGURES},
            "fields_prefilled_share": rounded_share(self.fields_prefilled_share),
            "fields_prefillable": self.fields_prefillable,
            "fields_prefilled_of_prefillable": rounded_share(self.fields_prefilled_of_prefillable),
            "prefill_fields": None if self.prefill_fields is None else [
                {"key": key, "prefilled": filled} for key, filled in self.prefill_fields.items()],
            "materials_shared": self.materials_shared,
            "materials_elicence": self.materials_elicence,
            "baseline_sources": dict(self.baseline_sources),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseSavings:
        """The inverse of :meth:`to_dict` (up to its rounding), for rows read back from storage."""
        figures = data["figures"]
        share = data.get("fields_prefilled_share")
        made = {name: Figure(float(figures[name]["baseline"]), float(figures[name]["actual"])) for name in FIGURES}
        prefillable, of_prefillable = data.get("fields_prefillable"), data.get("fields_prefilled_of_prefillable")
        detail = data.get("prefill_fields")
        return cls(
            bundle_code=str(data["bundle_code"]), case_number=str(data.get("case_number", "")),
            channel=str(data.get("channel", Channel.WINDOW)),
            result_delivery=str(data.get("result_delivery", Delivery.WINDOW)),
            trips=made["trips"], steps=made["steps"], time_days=made["time_days"], materials=made["materials"],
            fields=made["fields"], fees=made["fees"],
            fields_prefilled_share=None if share is None else float(share),
            baseline_sources={str(k): str(v) for k, v in dict(data.get("baseline_sources", {})).items()},
            fields_prefillable=None if prefillable is None else int(prefillable),
            fields_prefilled_of_prefillable=None if of_prefillable is None else float(of_prefillable),
            prefill_fields=None if detail is None else {str(f["key"]): bool(f["prefilled"]) for f in detail},
            materials_shared=_count_or_none(data.get("materials_shared")),
            materials_elicence=_count_or_none(data.get("materials_elicence")),
        )


def _count_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def rounded(value: float, digits: int = 2) -> int | float:
    """A JSON number: an integer when it is whole, else rounded to ``digits`` decimals."""
    value = round(float(value), digits)
    return int(value) if value.is_integer() else value


def rounded_share(value: float | None) -> float | None:
    """A share or reduction for JSON: 4 decimals (0.8333), None kept."""
    return None if value is None else round(value, 4)


def _figure_dict(figure: Figure) -> dict[str, Any]:
    return {"baseline": rounded(figure.baseline), "actual": rounded(figure.actual), "saved": rounded(figure.saved),
            "reduction": rounded_share(figure.reduction)}


def _item_days(item: Item, rules: CountingRules) -> int | None:
    """The item's working days alone by ``rules.time_limit`` (see there): the first of its figures
    above 0, None without any. A limit of 0 is a promise to decide on the spot, not a time of
    separate handling: passed over."""
    if rules.time_limit is TimeLimit.PROMISED:
        order = (item.separate_days, item.promised_days, item.statutory_days)
    else:
        order = (item.statutory_days, item.separate_days, item.promised_days)
    return next((days for days in order if days), None)


def _chain_days(bundle: Bundle, days: Mapping[str, int]) -> int:
    """The longest path through ``requires``, each item weighing its limit."""
    longest: dict[str, int] = {}
    visiting: set[str] = set()

    def through(code: str) -> int:
        if code in longest:
            return longest[code]
        if code in visiting:
            raise ValueError(f"bundle {bundle.code}: the items' requirements form a cycle at {code}")
        visiting.add(code)
        item = bundle.item(code)
        before = [through(r) for r in item.requires if bundle.item(r) is not None] if item else []
        visiting.discard(code)
        longest[code] = days[code] + max(before, default=0)
        return longest[code]

    return max((through(i.code) for i in bundle.items), default=0)


def compute_baseline(bundle: Bundle, rules: CountingRules = DEFAULT_RULES) -> Baseline:
    limits = {i.code: _item_days(i, rules) for i in bundle.items}
    days = {code: max(limit or 0, rules.least_item_days) for code, limit in limits.items()}
    time_days = sum(days.values()) if rules.time_baseline is TimeBaseline.SUM else _chain_days(bundle, days)
    computed: dict[str, float] = {
        "trips": sum(i.trips_alone for i in bundle.items),
        "steps": sum(i.steps_alone for i in bundle.items),
        "time_days": time_days,
        # "duplicates counted": the per-item figure, which a published total may fix (FORMAT.md).
        "materials": sum(len(i.materials) + len(i.uses) if i.materials_alone is None else i.materials_alone
                         for i in bundle.items),
        "fields": sum(len(i.fields) if i.fields_alone is None else i.fields_alone for i in bundle.items),
    }
    sources = dict.fromkeys(computed, "items")
    for figure in sorted(rules.published_baselines):
        # One source's "before", and only where that source also published its "after": the
        # figure is then that source's, never a mix of its number and the items' sum.
        published = published_baseline(bundle, figure)
        if published is not None and published.before is not None:
            computed[figure] = published.before
            sources[figure] = published.baseline_source
    return Baseline(
        trips=int(computed["trips"]), steps=int(computed["steps"]), time_days=computed["time_days"],
        materials=int(computed["materials"]), fields=int(computed["fields"]), sources=sources,
        items_without_limit=tuple(code for code, limit in limits.items() if limit is None),
        charged_items=tuple(i.code for i in bundle.items
                            if i.fee is not None and not any(m in i.fee for m in FREE_FEE_MARKERS)),
    )


def count_trips(facts: CaseFacts, rules: CountingRules) -> int:
    trips = sum(1 for kind in facts.trips if kind in rules.counted_trip_kinds)
    if facts.channel is Channel.ONLINE:
        trips += rules.online_submission_trips
    if facts.result_delivery is Delivery.MAIL:
        trips += rules.mailed_result_trips
    elif facts.result_delivery is Delivery.ONLINE:
        trips += rules.elicence_result_trips
    return trips


def count_steps(facts: CaseFacts, rules: CountingRules) -> int:
    counted = [kind for kind in facts.steps if kind in rules.counted_step_kinds]
    approvals = sum(1 for kind in counted if kind is TaskKind.APPROVAL)
    if rules.approvals_as_one_step and approvals > 1:
        return len(counted) - approvals + 1
    return len(counted)


def count_materials(facts: CaseFacts, rules: CountingRules) -> int:
    counted = {MaterialUse.SUBMITTED}
    counted |= {MaterialUse.TOLERATED} if rules.count_tolerated_materials else set()
    counted |= {MaterialUse.ELICENCE} if rules.count_elicence_materials else set()
    counted |= {MaterialUse.SHARED} if rules.count_shared_materials else set()
    counted |= {MaterialUse.COMMITMENT} if rules.count_commitment_materials else set()
    return sum(1 for use in facts.materials.values() if use in counted)


def count_fields(facts: CaseFacts, rules: CountingRules) -> tuple[int, float | None]:
    """Fields to fill, and the share of the asked fields that were pre-filled."""
    asked = set(facts.fields_asked)
    prefilled = asked & set(facts.fields_prefilled)
    share = len(prefilled) / len(asked) if asked else None
    return (len(asked) if rules.count_prefilled_fields else len(asked - prefilled)), share


def prefill_by_field(facts: CaseFacts) -> dict[str, bool] | None:
    """Each asked field a data source could fill, in form order, and whether it was pre-filled; None
    when the facts do not say which fields a source could fill. A field that was pre-filled could
    be, whatever the catalogue says now."""
    if facts.fields_prefillable is None:
        return None
    prefilled = set(facts.fields_prefilled)
    could = set(facts.fields_prefillable) | prefilled
    return {key: key in prefilled for key in dict.fromkeys(facts.fields_asked) if key in could}


def case_time_days(facts: CaseFacts, rules: CountingRules) -> float:
    if rules.exclude_pauses:
        return facts.working_days_elapsed - facts.paused_working_days
    return facts.working_days_elapsed


def time_baseline_days(baseline: Baseline, facts: CaseFacts, rules: CountingRules) -> float:
    """The case's time baseline: the bundle's, plus the paused days when the case's time counts
    them (``CountingRules.exclude_pauses``), so that both sides count the special procedures or
    neither does."""
    return baseline.time_days + (0 if rules.exclude_pauses else facts.paused_working_days)


def compute_case_savings(bundle: Bundle, facts: CaseFacts, rules: CountingRules = DEFAULT_RULES) -> CaseSavings:
    """Baseline against actual for one closed case of ``bundle``."""
    if facts.bundle_code != bundle.code:
        raise ValueError(f"case of bundle {facts.bundle_code!r} measured against bundle {bundle.code!r}")
    baseline = compute_baseline(bundle, rules)
    fields, share = count_fields(facts, rules)
    by_field = prefill_by_field(facts)
    could = None if by_field is None else len(by_field)
    return CaseSavings(
        bundle_code=bundle.code,
        case_number=facts.case_number,
        channel=str(facts.channel),
        result_delivery=str(facts.result_delivery),
        trips=Figure(baseline.trips, count_trips(facts, rules)),
        steps=Figure(baseline.steps, count_steps(facts, rules)),
        time_days=Figure(time_baseline_days(baseline, facts, rules), case_time_days(facts, rules)),
        materials=Figure(baseline.materials, count_materials(facts, rules)),
        fields=Figure(baseline.fields, fields),
        fees=Figure(facts.fees_paid if facts.fees_alone is None else facts.fees_alone, facts.fees_paid),
        fields_prefilled_share=share,
        baseline_sources=baseline.sources,
        fields_prefillable=could,
        fields_prefilled_of_prefillable=None if not by_field else sum(by_field.values()) / len(by_field),
        prefill_fields=by_field,
        materials_shared=sum(1 for use in facts.materials.values() if use is MaterialUse.SHARED),
        materials_elicence=sum(1 for use in facts.materials.values() if use is MaterialUse.ELICENCE),
    )
