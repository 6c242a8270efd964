"""Savings over many cases (四减一优 per bundle and overall): means of the baselines, the actual
figures and the reductions, percentiles and a histogram of the time to result, and the comparison
with the averages a city report published (seed 003). Plain Python: no I/O."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.domain.savings import FIGURES, CaseSavings, rounded, rounded_share

SavingsRow = CaseSavings | Mapping[str, Any]
"""A case's savings, or its ``to_dict()`` as stored."""

ALL_BUNDLES = "all"
"""The scope of a summary over every bundle."""


@dataclass(frozen=True)
class Target:
    figure: str
    """A figure name (its mean reduction is compared) or ``fields_prefilled`` (the pre-filled share)."""
    value: float
    label: str


PUBLISHED_TARGETS: tuple[Target, ...] = (
    Target("trips", 0.83, "减跑动"),
    Target("steps", 0.82, "减环节"),
    Target("time_days", 0.85, "减时间"),
    Target("materials", 0.76, "减材料"),
    Target("fields_prefilled", 0.50, "表单免填写"),
)
"""Seed 003 (新乡): "平均减跑动83%、减环节82%、减时间85%、减材料76%，50%以上表单信息免填写"."""

TARGETS_SOURCE = "新乡市优化营商环境报告：平均减跑动83%、减环节82%、减时间85%、减材料76%，50%以上表单信息免填写"


@dataclass(frozen=True)
class TimeBucket:
    label: str
    up_to: float | None
    """Inclusive upper bound in working days; None for the last, open bucket."""


TIME_BUCKETS: tuple[TimeBucket, ...] = (
    TimeBucket("当日", 0),
    TimeBucket("1 个工作日", 1),
    TimeBucket("2–3 个工作日", 3),
    TimeBucket("4–5 个工作日", 5),
    TimeBucket("6–10 个工作日", 10),
    TimeBucket("11–20 个工作日", 20),
    TimeBucket("20 个工作日以上", None),
)
"""Time to result, in working days after the day of acceptance (0: results ready the same day)."""


@dataclass(frozen=True)
class BucketCount:
    label: str
    up_to: float | None
    count: int


@dataclass(frozen=True)
class FigureSummary:
    figure: str
    mean_baseline: float | None
    mean_actual: float | None
    mean_reduction: float | None
    """The mean of the cases' reductions (cases without a baseline left out): the city reports'
    "平均减跑动 83%"."""
    pooled_reduction: float | None
    """1 − Σ actual / Σ baseline: big cases weigh more."""
    p50_actual: float | None
    p90_actual: float | None


@dataclass(frozen=True)
class TargetCheck:
    figure: str
    label: str
    target: float
    achieved: float | None
    met: bool | None


@dataclass(frozen=True)
class SavingsSummary:
    scope: str
    """A bundle code, or :data:`ALL_BUNDLES`."""
    count: int
    figures: tuple[FigureSummary, ...]
    mean_prefilled_share: float | None
    """Mean over the cases of the pre-filled fields' share of the form's fields."""
    half_prefilled_share: float | None
    """Share of the cases where at least half of the asked fields were pre-filled."""
    time_histogram: tuple[BucketCount, ...]
    mean_fields_prefillable: float | None = None
    """Mean number of the form's fields a data source could fill (cases measured before this was
    counted left out)."""
    mean_prefilled_of_prefillable: float | None = None
    """Mean over the cases of the pre-filled fields' share of those a data source could fill."""
    mean_materials_shared: float | None = None
    """Mean number of materials a registry record replaced (cases measured before this was counted
    left out)."""
    mean_materials_elicence: float | None = None
    """Mean number of materials an e-licence replaced (as above)."""

    def figure(self, name: str) -> FigureSummary:
        for summary in self.figures:
            if summary.figure == name:
                return summary
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON types only: means to 2 decimals, reductions and shares to 4."""
        return {
            "scope": self.scope,
            "count": self.count,
            "figures": {f.figure: {
                "mean_baseline": _num(f.mean_baseline), "mean_actual": _num(f.mean_actual),
                "mean_reduction": rounded_share(f.mean_reduction),
                "pooled_reduction": rounded_share(f.pooled_reduction),
                "p50_actual": _num(f.p50_actual), "p90_actual": _num(f.p90_actual),
            } for f in self.figures},
            "mean_prefilled_share": rounded_share(self.mean_prefilled_share),
            "half_prefilled_share": rounded_share(self.half_prefilled_share),
            "mean_fields_prefillable": _num(self.mean_fields_prefillable),
            "mean_prefilled_of_prefillable": rounded_share(self.mean_prefilled_of_prefillable),
            "mean_materials_shared": _num(self.mean_materials_shared),
            "mean_materials_elicence": _num(self.mean_materials_elicence),
            "time_histogram": [{"label": b.label, "up_to": b.up_to, "count": b.count} for b in self.time_histogram],
        }


def _num(value: float | None) -> int | float | None:
    return None if value is None else rounded(value)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0 ≤ q ≤ 100), interpolating linearly between the closest ranks (as
    numpy's default does); None for no values."""
    if not 0 <= q <= 100:
        raise ValueError("a percentile lies between 0 and 100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def as_case_savings(row: SavingsRow) -> CaseSavings:
    return row if isinstance(row, CaseSavings) else CaseSavings.from_dict(row)


def _figure_summary(name: str, cases: Sequence[CaseSavings]) -> FigureSummary:
    figures = [case.figure(name) for case in cases]
    baselines = [f.baseline for f in figures]
    actuals = [f.actual for f in figures]
    reductions = [f.reduction for f in figures if f.reduction is not None]
    total = math.fsum(baselines)
    return FigureSummary(
        figure=name,
        mean_baseline=_mean(baselines),
        mean_actual=_mean(actuals),
        mean_reduction=_mean(reductions),
        pooled_reduction=1 - math.fsum(actuals) / total if total > 0 else None,
        p50_actual=percentile(actuals, 50),
        p90_actual=percentile(actuals, 90),
    )


def time_histogram(days: Iterable[float], buckets: Sequence[TimeBucket] = TIME_BUCKETS) -> tuple[BucketCount, ...]:
    """Each value in the first bucket whose bound it does not exceed; values past every bound are
    left out, so give the last bucket no bound."""
    counts = [0] * len(buckets)
    for value in days:
        for n, bucket in enumerate(buckets):
            if bucket.up_to is None or value <= bucket.up_to:
                counts[n] += 1
                break
    return tuple(BucketCount(b.label, b.up_to, c) for b, c in zip(buckets, counts, strict=True))


def summarize(rows: Iterable[SavingsRow], scope: str = ALL_BUNDLES,
              buckets: Sequence[TimeBucket] = TIME_BUCKETS) -> SavingsSummary:
    cases = [as_case_savings(row) for row in rows]
    shares = [c.fields_prefilled_share for c in cases if c.fields_prefilled_share is not None]
    return SavingsSummary(
        scope=scope,
        count=len(cases),
        figures=tuple(_figure_summary(name, cases) for name in FIGURES),
        mean_prefilled_share=_mean(shares),
        half_prefilled_share=_mean([1.0 if s >= 0.5 else 0.0 for s in shares]),
        time_histogram=time_histogram((c.time_days.actual for c in cases), buckets),
        mean_fields_prefillable=_mean([c.fields_prefillable for c in cases if c.fields_prefillable is not None]),
        mean_prefilled_of_prefillable=_mean([c.fields_prefilled_of_prefillable for c in cases
                                             if c.fields_prefilled_of_prefillable is not None]),
        mean_materials_shared=_mean([c.materials_shared for c in cases if c.materials_shared is not None]),
        mean_materials_elicence=_mean([c.materials_elicence for c in cases if c.materials_elicence is not None]),
    )


def summarize_by_bundle(rows: Iterable[SavingsRow],
                        buckets: Sequence[TimeBucket] = TIME_BUCKETS) -> dict[str, SavingsSummary]:
    """One summary per bundle code, in code order."""
    grouped: dict[str, list[CaseSavings]] = defaultdict(list)
    for row in rows:
        case = as_case_savings(row)
        grouped[case.bundle_code].append(case)
    return {code: summarize(grouped[code], code, buckets) for code in sorted(grouped)}


def compare_with_targets(summary: SavingsSummary,
                         targets: Sequence[Target] = PUBLISHED_TARGETS) -> tuple[TargetCheck, ...]:
    """Mean reductions (and the mean pre-filled share) against the published averages; a target is
    met when reached or exceeded ("以上")."""
    checks = []
    for target in targets:
        if target.figure == "fields_prefilled":
            achieved = summary.mean_prefilled_share
        else:
            achieved = summary.figure(target.figure).mean_reduction
        met = None if achieved is None else achieved >= target.value - 1e-9
        checks.append(TargetCheck(target.figure, target.label, target.value, achieved, met))
    return tuple(checks)
