"""The savings as a plain-text table for a terminal: per bundle and overall, each figure's mean
baseline → mean actual and mean reduction, the pre-filled share of the form's fields and of the
fields a data source could fill, the materials registry records and e-licences replaced, beside the
published targets (seed 003) and each bundle's published regional figures. Columns are aligned by
display width (a Chinese character takes two cells)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.domain.savings_export import ALL_BUNDLES_LABEL
from engine.domain.savings_summary import ALL_BUNDLES, PUBLISHED_TARGETS, TARGETS_SOURCE, SavingsSummary

COLUMNS = (("trips", "跑动（次）"), ("steps", "环节（个）"), ("time_days", "时间（工作日）"),
           ("materials", "材料（份）"), ("fields", "表单（项）"))
SHORT = {"trips": "跑动", "steps": "环节", "time_days": "时间", "materials": "材料", "fields": "表单"}
PublishedReduction = tuple[str, float, str]
"""(figure, reduction, place) of a published before/after figure."""


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _cell(summary: SavingsSummary, figure: str) -> str:
    values = summary.figure(figure)
    if values.mean_baseline is None or values.mean_actual is None:
        return "—"
    return f"{values.mean_baseline:.1f}→{values.mean_actual:.1f} {_percent(values.mean_reduction)}"


def _met(achieved: float | None, target: float) -> str:
    return "" if achieved is None else (" ✓" if achieved >= target - 1e-9 else " ✗")


def _row(summary: SavingsSummary, label: str) -> list[str]:
    targets = {t.figure: t.value for t in PUBLISHED_TARGETS}
    cells = [label, str(summary.count)]
    for figure, _ in COLUMNS:
        cell = _cell(summary, figure)
        if figure in targets:
            cell += _met(summary.figure(figure).mean_reduction, targets[figure])
        cells.append(cell)
    share = summary.mean_prefilled_share
    cells.append(_percent(share) + _met(share, targets["fields_prefilled"]))
    could = summary.mean_fields_prefillable
    cells.append(_percent(summary.mean_prefilled_of_prefillable) + ("" if could is None else f"（{could:.1f} 项）"))
    cells.append(_replaced(summary))
    return cells


def _replaced(summary: SavingsSummary) -> str:
    shared, elicence = summary.mean_materials_shared, summary.mean_materials_elicence
    if shared is None or elicence is None:
        return "—"
    return f"{shared:.1f} + {elicence:.1f}"


def _target_row() -> list[str]:
    targets = {t.figure: t.value for t in PUBLISHED_TARGETS}
    cells = ["公布目标（新乡）", ""]
    cells += [f"减 {_percent(targets[figure])}" if figure in targets else "" for figure, _ in COLUMNS]
    cells += [f"≥ {_percent(targets['fields_prefilled'])}", "", ""]
    return cells


def render_savings_table(summaries: Sequence[SavingsSummary], bundle_names: Mapping[str, str],
                         published: Mapping[str, Sequence[PublishedReduction]] | None = None) -> str:
    """``summaries``: one per bundle and, usually last, the overall one (scope ``all``)."""
    header = ["一件事", "办结", *(title for _, title in COLUMNS), "表单免填写", "可预填字段已预填", "材料免提交"]
    groups = [[_row(s, bundle_names.get(s.scope, s.scope)) for s in summaries if s.scope != ALL_BUNDLES],
              [_row(s, ALL_BUNDLES_LABEL) for s in summaries if s.scope == ALL_BUNDLES], [_target_row()]]
    rows = [header, *(row for group in groups for row in group)]
    widths = [max(display_width(row[n]) for row in rows) for n in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)).rstrip()

    lines = [line(header)]
    for group in groups:
        if group:
            lines += ["  ".join("-" * w for w in widths), *(line(row) for row in group)]
    lines += ["", "各格：单独办理的平均数→一件事办理的平均数，以及各办件减少比例的平均值；✓ 达到、✗ 未达到公布目标。",
              "表单免填写：预填字段占表单全部字段的比例；可预填字段已预填：预填字段占可由数据源预填字段的比例"
              "（括号内为平均每件可预填的字段数）。",
              "材料免提交：平均每件由共享数据（登记记录）替代的材料数 + 由电子证照替代的材料数。",
              f"公布目标：{TARGETS_SOURCE}。"]
    if published:
        lines += ["", "各一件事公布的地区数字（减少比例，供对照）："]
        for code, entries in published.items():
            if entries:
                shown = "、".join(f"{SHORT.get(f, f)} {_percent(r)}（{place}）" for f, r, place in entries)
                lines.append(f"  {bundle_names.get(code, code)}：{shown}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ChannelTrips:
    """Trips of the closed cases of one way in (受理渠道) and one way out (出件方式)."""

    channel: str
    delivery: str
    cases: int
    baseline: float
    """Their trips had each item been applied for alone, summed."""
    actual: float

    @property
    def mean_actual(self) -> float:
        return self.actual / self.cases if self.cases else 0.0

    @property
    def mean_baseline(self) -> float:
        return self.baseline / self.cases if self.cases else 0.0


CHANNEL_NAMES = {"window": "窗口受理", "online": "网上申请"}
DELIVERY_NAMES = {"window": "窗口领取", "mail": "邮寄送达", "online": "电子证照"}


def render_trips_by_channel(rows: Sequence[ChannelTrips]) -> str:
    """跑动次数 by how the case came in and how its results went out: cases, and the mean trips done
    alone → done as one thing."""
    header = ["受理渠道", "出件方式", "办结", "跑动（次）"]
    body = [[CHANNEL_NAMES.get(r.channel, r.channel), DELIVERY_NAMES.get(r.delivery, r.delivery), str(r.cases),
             f"{r.mean_baseline:.1f}→{r.mean_actual:.2f}"] for r in rows]
    return render_text_table(header, body, first_right=2)


def render_text_table(header: list[str], body: list[list[str]], first_right: int = 1) -> str:
    """Columns padded to their display width (CJK counts two); from column ``first_right`` on, right-aligned."""
    widths = [max(display_width(row[n]) for row in [header, *body]) for n in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(_pad(cell, widths[i], right=i >= first_right) for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in body)]) + "\n"
