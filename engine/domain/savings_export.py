"""Savings tables for download: one row per case and one row per summary (a bundle, or all), as
CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese headers) or as an XLSX workbook.
Everything is built in memory and returned as bytes; xlsxwriter runs with ``in_memory`` so it writes
no temporary files either. The tables hold figures, no personal data; their text cells (names an
administrator may edit, such as a bundle's) go through the answers' masking all the same, since
the exports are read by supervisors and administrators, who handle no case."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import xlsxwriter

from engine.domain.savings import FIGURE_LABELS, FIGURES, rounded, rounded_share
from engine.domain.savings_summary import ALL_BUNDLES, SavingsRow, SavingsSummary, as_case_savings
from forms.masking import PRESENTED

Cell = str | int | float | None
Table = tuple[list[str], list[list[Cell]]]

CHANNEL_LABELS = {"window": "窗口受理", "online": "网上申请"}
DELIVERY_LABELS = {"window": "窗口领取", "mail": "邮寄送达", "online": "电子证照"}
ALL_BUNDLES_LABEL = "全部一件事"
SHARE_SUFFIX = "比例"
"""Columns whose header ends so hold shares (0.83), shown as percentages in the workbook."""
PREFILLABLE = "可由数据源预填的字段（项）"
PREFILLED_OF_PREFILLABLE = f"可预填字段中已预填的{SHARE_SUFFIX}"
SHARED_MATERIALS = "由共享数据替代的材料（份）"
ELICENCE_MATERIALS = "由电子证照替代的材料（份）"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _masked(body: list[list[Cell]]) -> list[list[Cell]]:
    return [[PRESENTED.text(cell) if isinstance(cell, str) else cell for cell in line] for line in body]


def _num(value: float | None) -> Cell:
    return None if value is None else rounded(value)


def case_table(rows: Iterable[SavingsRow], bundle_names: Mapping[str, str] | None = None) -> Table:
    """Per case: baseline, actual and reduction of every figure."""
    names = bundle_names or {}
    header = ["办件编号", "一件事", "受理渠道", "出件方式"]
    for figure in FIGURES:
        label = FIGURE_LABELS[figure]
        header += [f"{label}·单独办理", f"{label}·一件事办理", f"{label}·减少{SHARE_SUFFIX}"]
    header += [f"表单免填写{SHARE_SUFFIX}", PREFILLABLE, PREFILLED_OF_PREFILLABLE, SHARED_MATERIALS, ELICENCE_MATERIALS]
    body: list[list[Cell]] = []
    for row in rows:
        case = as_case_savings(row)
        line: list[Cell] = [case.case_number, names.get(case.bundle_code, case.bundle_code),
                            CHANNEL_LABELS.get(case.channel, case.channel),
                            DELIVERY_LABELS.get(case.result_delivery, case.result_delivery)]
        for figure in FIGURES:
            value = case.figure(figure)
            line += [_num(value.baseline), _num(value.actual), rounded_share(value.reduction)]
        line += [rounded_share(case.fields_prefilled_share), case.fields_prefillable,
                 rounded_share(case.fields_prefilled_of_prefillable), case.materials_shared, case.materials_elicence]
        body.append(line)
    return header, _masked(body)


def summary_table(summaries: Iterable[SavingsSummary], bundle_names: Mapping[str, str] | None = None) -> Table:
    """Per summary: case count, means of every figure, time percentiles and the pre-filled shares."""
    names = bundle_names or {}
    header = ["范围", "办件数"]
    for figure in FIGURES:
        label = FIGURE_LABELS[figure]
        header += [f"{label}·平均单独办理", f"{label}·平均一件事办理", f"{label}·平均减少{SHARE_SUFFIX}"]
    header += ["办理时间中位数（工作日）", "办理时间 P90（工作日）", f"表单免填写平均{SHARE_SUFFIX}",
               f"免填写过半的办件{SHARE_SUFFIX}", f"平均{PREFILLABLE}",
               f"可预填字段中已预填的平均{SHARE_SUFFIX}", f"平均{SHARED_MATERIALS}", f"平均{ELICENCE_MATERIALS}"]
    body: list[list[Cell]] = []
    for summary in summaries:
        scope = ALL_BUNDLES_LABEL if summary.scope == ALL_BUNDLES else names.get(summary.scope, summary.scope)
        line: list[Cell] = [scope, summary.count]
        for figure in FIGURES:
            value = summary.figure(figure)
            line += [_num(value.mean_baseline), _num(value.mean_actual), rounded_share(value.mean_reduction)]
        time = summary.figure("time_days")
        line += [_num(time.p50_actual), _num(time.p90_actual), rounded_share(summary.mean_prefilled_share),
                 rounded_share(summary.half_prefilled_share), _num(summary.mean_fields_prefillable),
                 rounded_share(summary.mean_prefilled_of_prefillable), _num(summary.mean_materials_shared),
                 _num(summary.mean_materials_elicence)]
        body.append(line)
    return header, _masked(body)


def _csv_text(value: Cell) -> Cell:
    """Text a spreadsheet would take for a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def table_csv(table: Table) -> bytes:
    """CSV in UTF-8 with a byte-order mark, CRLF line ends."""
    header, body = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in header])
    writer.writerows([_csv_text(cell) for cell in line] for line in body)
    return buffer.getvalue().encode("utf-8-sig")


def cases_csv(rows: Iterable[SavingsRow], bundle_names: Mapping[str, str] | None = None) -> bytes:
    return table_csv(case_table(rows, bundle_names))


def summaries_csv(summaries: Iterable[SavingsSummary], bundle_names: Mapping[str, str] | None = None) -> bytes:
    return table_csv(summary_table(summaries, bundle_names))


def savings_workbook(rows: Iterable[SavingsRow], summaries: Sequence[SavingsSummary],
                     bundle_names: Mapping[str, str] | None = None, created: datetime | None = None) -> bytes:
    """An XLSX workbook with two sheets, 汇总 (the summaries) and 办件明细 (the cases). Text is
    written as text, never as a formula. ``created`` fixes the document's creation time (xlsxwriter
    otherwise takes the current time), which makes the bytes reproducible."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    properties: dict[str, object] = {"title": "一件事减跑动、减环节、减时间、减材料统计"}
    if created is not None:
        properties["created"] = created
    workbook.set_properties(properties)
    formats = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4",
                                       "border": 1}),
        "share": workbook.add_format({"num_format": "0.0%"}),
    }
    _write_sheet(workbook, "汇总", summary_table(summaries, bundle_names), formats)
    _write_sheet(workbook, "办件明细", case_table(rows, bundle_names), formats)
    workbook.close()
    return buffer.getvalue()


def _write_sheet(workbook: xlsxwriter.Workbook, name: str, table: Table, formats: Mapping[str, object]) -> None:
    header, body = table
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 1)
    sheet.set_row(0, 48)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(header) - 1, 14)
    shares = {n for n, title in enumerate(header) if title.endswith(SHARE_SUFFIX)}
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, formats["header"])
    for r, line in enumerate(body, start=1):
        for col, value in enumerate(line):
            if value is None:
                sheet.write_blank(r, col, None)
            elif isinstance(value, str):
                sheet.write_string(r, col, value)
            elif col in shares:
                sheet.write_number(r, col, value, formats["share"])
            else:
                sheet.write_number(r, col, value)
