"""Savings exports: CSV that Excel opens with Chinese intact (UTF-8 with BOM) and an XLSX workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

from engine.domain.savings import CaseSavings, Figure
from engine.domain.savings_export import cases_csv, savings_workbook, summaries_csv
from engine.domain.savings_summary import summarize, summarize_by_bundle

NAMES = {"restaurant": "开办餐饮店一件事", "newborn": "新生儿出生一件事"}


def _case(bundle: str, number: str, trips: float, share: float | None) -> CaseSavings:
    return CaseSavings(bundle, number, "window", "mail", trips=Figure(10, trips), steps=Figure(17, 7),
                       time_days=Figure(48, 6.5), materials=Figure(35, 6), fields=Figure(100, 26),
                       fees=Figure(0, 0), fields_prefilled_share=share)


CASES = [_case("restaurant", "CY-20260924-00001", 3, 0.2), _case("restaurant", "=HYPERLINK(1)", 1, None),
         _case("newborn", "XS-20260924-00001", 2, 0.5)]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_cases_csv_has_a_bom_and_one_row_per_case() -> None:
    rows = read_csv(cases_csv(CASES, NAMES))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["办件编号", "一件事", "受理渠道", "出件方式", "跑动次数·单独办理", "跑动次数·一件事办理",
                          "跑动次数·减少比例"]
    assert header[-5:] == ["表单免填写比例", "可由数据源预填的字段（项）", "可预填字段中已预填的比例",
                           "由共享数据替代的材料（份）", "由电子证照替代的材料（份）"]
    assert len(body) == 3
    first = dict(zip(header, body[0], strict=True))
    assert first["办件编号"] == "CY-20260924-00001"
    assert first["一件事"] == "开办餐饮店一件事" and first["出件方式"] == "邮寄送达"
    assert (first["跑动次数·单独办理"], first["跑动次数·一件事办理"], first["跑动次数·减少比例"]) == ("10", "3", "0.7")
    assert first["办理时间（工作日）·一件事办理"] == "6.5"
    assert first["费用（元）·减少比例"] == ""  # no baseline, no reduction
    assert first["表单免填写比例"] == "0.2"
    assert (first["可由数据源预填的字段（项）"], first["可预填字段中已预填的比例"]) == ("", "")  # not measured
    assert body[1][0] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet


def test_summary_csv_has_the_overall_row_and_one_per_bundle() -> None:
    summaries = [summarize(CASES), *summarize_by_bundle(CASES).values()]
    rows = read_csv(summaries_csv(summaries, NAMES))
    assert [r[0] for r in rows] == ["范围", "全部一件事", "新生儿出生一件事", "开办餐饮店一件事"]
    assert [r[1] for r in rows[1:]] == ["3", "1", "2"]
    header = rows[0]
    overall = dict(zip(header, rows[1], strict=True))
    assert overall["跑动次数·平均一件事办理"] == "2"  # (3 + 1 + 2) / 3
    assert overall["跑动次数·平均减少比例"] == "0.8"
    assert overall["表单免填写平均比例"] == "0.35"  # (0.2 + 0.5) / 2, the case without a form left out


def test_the_workbook_is_an_xlsx_with_both_sheets() -> None:
    summaries = [summarize(CASES), *summarize_by_bundle(CASES).values()]
    created = datetime(2026, 9, 24, 9, 0)
    data = savings_workbook(CASES, summaries, NAMES, created=created)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = set(book.namelist())
        assert {"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                "xl/sharedStrings.xml", "[Content_Types].xml"} <= names
        workbook = book.read("xl/workbook.xml").decode("utf-8")
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        cases_sheet = book.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert 'name="汇总"' in workbook and 'name="办件明细"' in workbook
    for text in ("办件编号", "开办餐饮店一件事", "全部一件事", "CY-20260924-00001", "跑动次数·减少比例"):
        assert text in strings
    assert "=HYPERLINK(1)" in strings and "<f>" not in cases_sheet  # text, not a formula
    assert data == savings_workbook(CASES, summaries, NAMES, created=created)
