"""The leaders' figures as tables (the API, the XLSX workbook, the monthly PDF) and as a trend chart."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import xlsxwriter

from engine.domain.leader_figures import Figures
from engine.domain.savings_charts import Svg

HEADER = ("受理", "办结", "办结率", "按时办结", "超期", "按时办结率", "评价", "满意率", "诉求", "已办结诉求",
          "诉求办结中位天数", "督办")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def figure_cells(f: Figures) -> tuple[str, ...]:
    days = f.median_resolution_days
    return (str(f.accepted), str(f.closed), _share(f.completion_rate), str(f.on_time), str(f.overdue),
            _share(f.on_time_rate), str(f.ratings), _share(f.satisfaction_rate), str(f.complaints),
            str(f.complaints_closed), "—" if days is None else f"{days:.1f}", str(f.escalated))


def table(first: str, rows: Sequence[tuple[str, Figures]]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    return (first, *HEADER), [(name, *figure_cells(f)) for name, f in rows]


def workbook(sheets: Sequence[tuple[str, str, Sequence[tuple[str, Figures]]]], title: str,
             created: datetime | None = None) -> bytes:
    """One sheet per (sheet name, first column's heading, rows); text written as text, never as a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": title, **({"created": created} if created else {})})
    bold = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#E8EEF4", "border": 1})
    for name, first, rows in sheets:
        sheet = book.add_worksheet(name)
        header, body = table(first, rows)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, len(header) - 1, 11)
        for col, title_cell in enumerate(header):
            sheet.write_string(0, col, title_cell, bold)
        for row_number, row in enumerate(body, start=1):
            for col, cell in enumerate(row):
                sheet.write_string(row_number, col, cell)
    book.close()
    return buffer.getvalue()


def trend_chart(title: str, points: Sequence[tuple[str, Figures]]) -> str:
    """Cases accepted and closed per week or month (bars), and the satisfaction rate (the dots, right axis)."""
    width, height, left, bottom, top = 720, 320, 56, 260, 48
    svg = Svg(width, height, title)
    svg.text(width / 2, 24, title, 15, "middle")
    most = max([1, *(max(f.accepted, f.closed) for _, f in points)])
    step = (width - left - 24) / max(1, len(points))
    svg.line(left, bottom, width - 16, bottom, "#333")
    for n, (label, f) in enumerate(points):
        x = left + n * step
        for shift, value, colour in ((0.15, f.accepted, "#4C78A8"), (0.5, f.closed, "#59A14F")):
            bar = (bottom - top) * value / most
            svg.rect(x + step * shift, bottom - bar, step * 0.3, bar, colour)
        if f.satisfaction_rate is not None:
            y = bottom - (bottom - top) * f.satisfaction_rate
            svg.rect(x + step * 0.45, y - 3, 6, 6, "#E15759")
        svg.text(x + step / 2, bottom + 16, label, 10, "middle")
    svg.text(left - 6, top + 4, str(most), 10, "end")
    svg.legend(left, height - 18, [("#4C78A8", "受理"), ("#59A14F", "办结"), ("#E15759", "满意率（0–100%）")])
    return svg.render()
