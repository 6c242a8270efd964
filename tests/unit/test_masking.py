"""The masking rules recognise personal data by what it is, as a whole value or inside free text,
and leave alone what only looks like it."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from engine.domain.savings import CaseSavings, Figure
from engine.domain.savings_export import cases_csv, savings_workbook, summaries_csv
from engine.domain.savings_summary import summarize, summarize_by_bundle
from forms.masking import LOGGED, PRESENTED


@pytest.mark.parametrize(("text", "masked"), [
    ("11010519491231002X", "1101**********002X"),
    ("身份证号11010519491231002x，见附件", "身份证号1101**********002x，见附件"),
    ("13800138000", "138****8000"),
    ("请回电+86 138 0013 8000", "请回电+86 138 **** 8000"),
    ("138-0013-8000", "138-****-8000"),
    ("0371-63512345", "0371-****2345"),
    ("（0371）63512345", "（0371）****2345"),
    ("010 62345678-123", "010 ****5678-123"),
    ("卡号 4111 1111 1111 1111 已冻结", "卡号 **** **** **** 1111 已冻结"),
    ("6217000010012345677", "***************5677"),
    ("联系 zhang.san@example.com 即可", "联系 z***@example.com 即可"),
])
def test_personal_data_is_masked_whole_or_embedded(text: str, masked: str) -> None:
    assert PRESENTED.text(text) == masked


@pytest.mark.parametrize("text", [
    "CY-20260924-00001",  # a case number
    "JY14101020000001",  # a food permit's number
    "SCJG-2026-0001",
    "110105194912310021",  # 18 digits, wrong check digit: no ID number
    "4111111111111112",  # fails the Luhn check: no bank card
    "2026-09-24T10:00:00+08:00",
    "第 3 项，12 个工作日",
    "91350100M000100Y43",  # an organisation's credit code is public (see forms/masking.py)
])
def test_what_only_looks_like_personal_data_stays(text: str) -> None:
    assert PRESENTED.text(text) == text


def test_logs_mask_credit_codes_too() -> None:
    assert LOGGED.text("企业 91350100M000100Y43") == "企业 9135**********0Y43"


def test_values_are_masked_at_any_depth_and_keep_their_shape() -> None:
    value = {"phone": "0371-63512345", "count": 3, "ok": True, "none": None,
             "people": [{"id": "11010519491231002X"}, "13800138000"]}
    assert PRESENTED.value(value) == {"phone": "0371-****2345", "count": 3, "ok": True, "none": None,
                                      "people": [{"id": "1101**********002X"}, "138****8000"]}


def _case(number: str) -> CaseSavings:
    return CaseSavings("restaurant", number, "window", "mail", trips=Figure(10, 3), steps=Figure(17, 7),
                       time_days=Figure(48, 6.5), materials=Figure(35, 6), fields=Figure(100, 26),
                       fees=Figure(0, 0), fields_prefilled_share=0.2)


def test_the_savings_exports_mask_personal_data_in_their_text() -> None:
    """A bundle's name is an administrator's free text: a phone number written into it does not
    reach the supervisors' downloads."""
    names = {"restaurant": "开办餐饮店一件事（咨询 0371-63512345 或 13800138000）"}
    cases = [_case("CY-20260924-00001")]
    for data in (cases_csv(cases, names), summaries_csv(list(summarize_by_bundle(cases).values()), names)):
        text = data.decode("utf-8-sig")
        assert "开办餐饮店一件事（咨询 0371-****2345 或 138****8000）" in text
        assert "63512345" not in text and "13800138000" not in text
        assert len(list(csv.reader(io.StringIO(text)))) == 2
    book = savings_workbook(cases, [summarize(cases)], names)
    with zipfile.ZipFile(io.BytesIO(book)) as xlsx:
        strings = xlsx.read("xl/sharedStrings.xml").decode("utf-8")
    assert "0371-****2345" in strings and "63512345" not in strings and "13800138000" not in strings
