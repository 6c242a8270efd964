"""Savings summaries from totals instead of rows: what a database answers with GROUP BY (sums,
counts and, per figure, how many cases had each actual value) is enough to build the same
:class:`SavingsSummary` that :func:`summarize` builds from every case, so that a report over many
thousands of closed cases never loads them. Plain Python: no I/O."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from engine.domain.savings import FIGURES, FOUR_FIGURES, CaseSavings
from engine.domain.savings_summary import (
    ALL_BUNDLES,
    TIME_BUCKETS,
    BucketCount,
    FigureSummary,
    SavingsSummary,
    TimeBucket,
)

HALF_PREFILLED = 0.5
"""A case counts toward "over 50% of form fields pre-filled" at this share or more."""


@dataclass(frozen=True)
class FigureTotals:
    """One figure over a set of cases."""

    baseline_sum: float = 0.0
    actual_sum: float = 0.0
    reduction_sum: float = 0.0
    reductions: int = 0
    """Cases with a reduction (a baseline above 0)."""
    actuals: Mapping[float, int] = field(default_factory=dict)
    """Actual value -> number of cases with it: the distribution percentiles are read from. Kept for
    the measured figures (FOUR_FIGURES); fees, which no case carries amounts of yet, have none."""

    def __add__(self, other: FigureTotals) -> FigureTotals:
        return FigureTotals(self.baseline_sum + other.baseline_sum, self.actual_sum + other.actual_sum,
                            self.reduction_sum + other.reduction_sum, self.reductions + other.reductions,
                            dict(Counter(self.actuals) + Counter(other.actuals)))


@dataclass(frozen=True)
class ScopeTotals:
    """Every figure over the cases of one scope (a bundle code, or :data:`ALL_BUNDLES`)."""

    scope: str
    count: int
    figures: Mapping[str, FigureTotals]
    share_sum: float = 0.0
    shares: int = 0
    """Cases with a pre-filled share (a form that asked anything)."""
    half_prefilled: int = 0
    """Cases where at least half of the asked fields were pre-filled."""
    prefillable_sum: float = 0.0
    prefillable_cases: int = 0
    """Cases that say how many fields a data source could fill (measured since that was counted)."""
    of_prefillable_sum: float = 0.0
    of_prefillable_shares: int = 0
    """Cases with a share of the fillable fields pre-filled (a source could fill at least one)."""
    shared_sum: float = 0.0
    shared_cases: int = 0
    """Cases that say how many materials a registry record replaced (measured since that was counted)."""
    elicence_sum: float = 0.0
    elicence_cases: int = 0
    """Cases that say how many materials an e-licence replaced."""

    def __post_init__(self) -> None:
        missing = set(FIGURES) - set(self.figures)
        if missing:
            raise ValueError(f"totals lack the figures {sorted(missing)}")

    def merged(self, other: ScopeTotals, scope: str = ALL_BUNDLES) -> ScopeTotals:
        # Every member but the scope and the figures is a sum or a count: they add up.
        added = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)
                 if f.name not in ("scope", "figures")}
        return ScopeTotals(scope=scope, figures={name: self.figures[name] + other.figures[name] for name in FIGURES},
                           **added)


def empty_totals(scope: str = ALL_BUNDLES) -> ScopeTotals:
    return ScopeTotals(scope, 0, {name: FigureTotals() for name in FIGURES})


def overall(totals: Iterable[ScopeTotals]) -> ScopeTotals:
    """All scopes together."""
    result = empty_totals()
    for scope in totals:
        result = result.merged(scope)
    return result


def totals_of(rows: Iterable[CaseSavings], scope: str = ALL_BUNDLES) -> ScopeTotals:
    """The totals of some cases, as the database would answer them (for tests and small sets)."""
    cases = list(rows)
    figures = {}
    for name in FIGURES:
        values = [case.figure(name) for case in cases]
        reductions = [v.reduction for v in values if v.reduction is not None]
        actuals = dict(Counter(v.actual for v in values)) if name in FOUR_FIGURES else {}
        figures[name] = FigureTotals(math.fsum(v.baseline for v in values), math.fsum(v.actual for v in values),
                                     math.fsum(reductions), len(reductions), actuals)
    shares = [c.fields_prefilled_share for c in cases if c.fields_prefilled_share is not None]
    prefillable = [c.fields_prefillable for c in cases if c.fields_prefillable is not None]
    of_prefillable = [c.fields_prefilled_of_prefillable for c in cases if c.fields_prefilled_of_prefillable is not None]
    shared = [c.materials_shared for c in cases if c.materials_shared is not None]
    elicence = [c.materials_elicence for c in cases if c.materials_elicence is not None]
    return ScopeTotals(scope, len(cases), figures, math.fsum(shares), len(shares),
                       sum(1 for s in shares if s >= HALF_PREFILLED), math.fsum(prefillable), len(prefillable),
                       math.fsum(of_prefillable), len(of_prefillable), sum(shared), len(shared), sum(elicence),
                       len(elicence))


def percentile_of_counts(counts: Mapping[float, int], q: float) -> float | None:
    """The q-th percentile of the values ``counts`` holds (value -> how many times), interpolating
    linearly between the closest ranks exactly as :func:`savings_summary.percentile` does over the
    values themselves."""
    if not 0 <= q <= 100:
        raise ValueError("a percentile lies between 0 and 100")
    ordered = sorted((v, n) for v, n in counts.items() if n > 0)
    total = sum(n for _, n in ordered)
    if total == 0:
        return None
    rank = (total - 1) * q / 100
    low = math.floor(rank)
    low_value, high_value = _value_at(ordered, low), _value_at(ordered, min(low + 1, total - 1))
    return low_value + (high_value - low_value) * (rank - low)


def _value_at(ordered: Sequence[tuple[float, int]], index: int) -> float:
    """The value at 0-based ``index`` of the sorted values the counts stand for."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def histogram_of_counts(counts: Mapping[float, int],
                        buckets: Sequence[TimeBucket] = TIME_BUCKETS) -> tuple[BucketCount, ...]:
    """Like :func:`savings_summary.time_histogram`, from value counts."""
    placed = [0] * len(buckets)
    for value, count in counts.items():
        for n, bucket in enumerate(buckets):
            if bucket.up_to is None or value <= bucket.up_to:
                placed[n] += count
                break
    return tuple(BucketCount(b.label, b.up_to, c) for b, c in zip(buckets, placed, strict=True))


def _figure_summary(name: str, totals: FigureTotals, count: int) -> FigureSummary:
    return FigureSummary(
        figure=name,
        mean_baseline=totals.baseline_sum / count if count else None,
        mean_actual=totals.actual_sum / count if count else None,
        mean_reduction=totals.reduction_sum / totals.reductions if totals.reductions else None,
        pooled_reduction=1 - totals.actual_sum / totals.baseline_sum if totals.baseline_sum > 0 else None,
        p50_actual=percentile_of_counts(totals.actuals, 50),
        p90_actual=percentile_of_counts(totals.actuals, 90),
    )


def summary_of(totals: ScopeTotals, buckets: Sequence[TimeBucket] = TIME_BUCKETS) -> SavingsSummary:
    """The summary :func:`savings_summary.summarize` gives for the same cases (up to the rounding of
    the database's sums), except the percentiles of the fees, which have no distribution."""
    return SavingsSummary(
        scope=totals.scope,
        count=totals.count,
        figures=tuple(_figure_summary(name, totals.figures[name], totals.count) for name in FIGURES),
        mean_prefilled_share=totals.share_sum / totals.shares if totals.shares else None,
        half_prefilled_share=totals.half_prefilled / totals.shares if totals.shares else None,
        time_histogram=histogram_of_counts(totals.figures["time_days"].actuals, buckets),
        mean_fields_prefillable=totals.prefillable_sum / totals.prefillable_cases if totals.prefillable_cases else None,
        mean_prefilled_of_prefillable=(totals.of_prefillable_sum / totals.of_prefillable_shares
                                       if totals.of_prefillable_shares else None),
        mean_materials_shared=totals.shared_sum / totals.shared_cases if totals.shared_cases else None,
        mean_materials_elicence=totals.elicence_sum / totals.elicence_cases if totals.elicence_cases else None,
    )


def distribution(totals: ScopeTotals, name: str) -> list[tuple[float, int]]:
    """How many cases had each actual value of the figure, by value."""
    return sorted((v, n) for v, n in totals.figures[name].actuals.items() if n > 0)
