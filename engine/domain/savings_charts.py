"""Server-side SVG charts of the savings (四减一优), as pure functions returning SVG text: before and
after per bundle, reductions against the published targets, and the distribution of the time to
result. Hand-written SVG: every text is escaped, numbers are formatted with fixed precision and
nothing depends on the clock or on randomness, so the same input gives the same bytes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from engine.domain.savings import FOUR_FIGURES, CaseSavings
from engine.domain.savings_summary import SavingsSummary, TargetCheck

FONT_FAMILY = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', "
               "'Microsoft YaHei', 'WenQuanYi Micro Hei', SimHei, sans-serif")
SHORT_LABELS = {"trips": "跑动", "steps": "环节", "time_days": "时间", "materials": "材料", "fields": "表单"}
UNITS = {"trips": "次", "steps": "个", "time_days": "工作日", "materials": "份", "fields": "项"}
BEFORE_COLOUR = "#9aa5b1"
AFTER_COLOUR = "#1f6fb2"
TARGET_COLOUR = "#c0392b"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"
WIDTH = 720

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_escape(value: str) -> str:
    """Escaped for element text and attribute values; characters XML 1.0 forbids are dropped."""
    return escape(_NOT_XML.sub("", value), {'"': "&quot;", "'": "&apos;"})


def _c(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


class Svg:
    def __init__(self, width: int, height: int, title: str) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [f"<title>{_text_escape(title)}</title>",
                                 f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']

    def rect(self, x: float, y: float, width: float, height: float, fill: str) -> None:
        self.parts.append(f'<rect x="{_c(x)}" y="{_c(y)}" width="{_c(max(width, 0))}" '
                          f'height="{_c(max(height, 0))}" fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1,
             dash: str | None = None) -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{_c(x1)}" y1="{_c(y1)}" x2="{_c(x2)}" y2="{_c(y2)}" stroke="{stroke}" '
                          f'stroke-width="{_c(width)}"{dashed}/>')

    def text(self, x: float, y: float, content: str, size: int = 12, anchor: str = "start",
             fill: str = TEXT_COLOUR, bold: bool = False) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(f'<text x="{_c(x)}" y="{_c(y)}" font-size="{size}" text-anchor="{anchor}" '
                          f'fill="{fill}"{weight}>{_text_escape(content)}</text>')

    def legend(self, x: float, y: float, entries: Sequence[tuple[str, str]]) -> None:
        for colour, label in entries:
            self.rect(x, y - 10, 12, 12, colour)
            self.text(x + 18, y, label, 12)
            x += 30 + 13 * len(label)

    def render(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" role="img" font-family="{FONT_FAMILY}">')
        return "\n".join([head, *self.parts, "</svg>"]) + "\n"


def _pairs(data: SavingsSummary | CaseSavings) -> list[tuple[str, float, float, float | None]]:
    """(figure, before, after, reduction) for the five measured figures."""
    pairs = []
    for name in FOUR_FIGURES:
        if isinstance(data, CaseSavings):
            figure = data.figure(name)
            pairs.append((name, figure.baseline, figure.actual, figure.reduction))
        else:
            summary = data.figure(name)
            pairs.append((name, summary.mean_baseline or 0.0, summary.mean_actual or 0.0, summary.mean_reduction))
    return pairs


def before_after_chart(bundle_name: str, data: SavingsSummary | CaseSavings) -> str:
    """Grouped bars per figure: the items done separately (基线) and the one-thing case (实际). A
    summary shows its means. Each group has its own scale (fields run to 100, trips to 10), so the
    values are written on the bars."""
    height, top, bottom = 380, 96, 300
    svg = Svg(WIDTH, height, f"{bundle_name}：办理前后对比")
    svg.text(WIDTH / 2, 30, f"{bundle_name}：办理前后对比", 18, "middle", bold=True)
    note = f"共 {data.count} 件办件的平均值" if isinstance(data, SavingsSummary) else f"办件 {data.case_number}"
    svg.text(WIDTH / 2, 52, f"{note}（各指标按自身数值缩放）", 12, "middle", MUTED_COLOUR)
    svg.legend(WIDTH / 2 - 120, 78, [(BEFORE_COLOUR, "单独办理"), (AFTER_COLOUR, "一件事办理")])
    group = (WIDTH - 60) / len(FOUR_FIGURES)
    svg.line(30, bottom, WIDTH - 30, bottom, MUTED_COLOUR)
    for n, (name, before, after, reduction) in enumerate(_pairs(data)):
        centre = 30 + group * (n + 0.5)
        scale = (bottom - top - 20) / max(before, after) if max(before, after) > 0 else 0.0
        for offset, value, colour in ((-24, before, BEFORE_COLOUR), (24, after, AFTER_COLOUR)):
            bar = value * scale
            svg.rect(centre + offset - 20, bottom - bar, 40, bar, colour)
            svg.text(centre + offset, bottom - bar - 6, _number(value), 12, "middle")
        svg.text(centre, bottom + 22, f"{SHORT_LABELS[name]}（{UNITS[name]}）", 13, "middle", bold=True)
        if reduction is None:
            change = "无基线"
        else:
            change = f"减少 {_percent(reduction)}" if reduction >= 0 else f"增加 {_percent(-reduction)}"
        svg.text(centre, bottom + 42, change, 12, "middle", AFTER_COLOUR if reduction is not None else MUTED_COLOUR)
    return svg.render()


def targets_chart(title: str, checks: Sequence[TargetCheck]) -> str:
    """A bar per figure for the reduction achieved (or the pre-filled share), with a marker at the
    published target; a negative reduction draws no bar but its value is written."""
    row, top, left, span = 46, 86, 120, 380
    height = top + row * len(checks) + 50
    svg = Svg(WIDTH, height, title)
    svg.text(WIDTH / 2, 30, title, 18, "middle", bold=True)
    svg.legend(left, 62, [(AFTER_COLOUR, "实际"), (TARGET_COLOUR, "公布目标")])
    axis = top + row * len(checks)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + span * tick
        svg.line(x, top - 8, x, axis, "#dddddd")
        svg.text(x, axis + 18, _percent(tick), 11, "middle", MUTED_COLOUR)
    for n, check in enumerate(checks):
        y = top + row * n
        svg.text(left - 12, y + 22, check.label, 13, "end", bold=True)
        if check.achieved is not None:
            svg.rect(left, y + 8, span * min(max(check.achieved, 0.0), 1.0), 22, AFTER_COLOUR)
        target_x = left + span * min(max(check.target, 0.0), 1.0)
        svg.line(target_x, y + 2, target_x, y + 36, TARGET_COLOUR, 3)
        if check.achieved is None:
            verdict = "无数据"
        else:
            met = "达标" if check.met else "未达标"
            verdict = f"{_percent(check.achieved)}（目标 {_percent(check.target)}，{met}）"
        svg.text(left + span + 14, y + 24, verdict, 12, "start", TEXT_COLOUR if check.met else TARGET_COLOUR)
    return svg.render()


def time_histogram_chart(title: str, summary: SavingsSummary) -> str:
    """How many cases took how long, from acceptance to results ready (working days, pauses excluded)."""
    height, top, bottom, left = 360, 80, 290, 50
    svg = Svg(WIDTH, height, title)
    svg.text(WIDTH / 2, 30, title, 18, "middle", bold=True)
    time = summary.figure("time_days")
    if time.p50_actual is None or time.p90_actual is None:
        note = "暂无办结办件"
    else:
        note = (f"共 {summary.count} 件；中位数 {_number(time.p50_actual)} 个工作日，"
                f"90% 的办件不超过 {_number(time.p90_actual)} 个工作日")
    svg.text(WIDTH / 2, 54, note, 12, "middle", MUTED_COLOUR)
    buckets = summary.time_histogram
    peak = max((b.count for b in buckets), default=0)
    scale = (bottom - top - 20) / peak if peak else 0.0
    width = (WIDTH - left - 20) / max(len(buckets), 1)
    svg.line(left, bottom, WIDTH - 20, bottom, MUTED_COLOUR)
    svg.line(left, top, left, bottom, MUTED_COLOUR)
    svg.text(left - 8, top + 4, str(peak), 11, "end", MUTED_COLOUR)
    svg.text(left - 8, bottom + 4, "0", 11, "end", MUTED_COLOUR)
    svg.text(left, top - 12, "办件数", 12, "middle", MUTED_COLOUR)
    for n, bucket in enumerate(buckets):
        x = left + width * n
        bar = bucket.count * scale
        svg.rect(x + 8, bottom - bar, width - 16, bar, AFTER_COLOUR)
        svg.text(x + width / 2, bottom - bar - 6, str(bucket.count), 12, "middle")
        svg.text(x + width / 2, bottom + 20, bucket.label, 11, "middle")
    svg.text(WIDTH / 2, bottom + 50, "受理至出件的工作日（不含中止计时的特殊环节）", 12, "middle", MUTED_COLOUR)
    return svg.render()
