"""Pre-filled fields measured per field (表单免填写): the share of the form's fields and the share of
the fields a data source could fill, with the detail of each fillable field."""

from __future__ import annotations

import json

import pytest

from engine.domain.model import Bundle, Item
from engine.domain.savings import CaseFacts, CaseSavings, compute_case_savings
from engine.domain.savings_export import case_table, summary_table
from engine.domain.savings_summary import summarize
from engine.domain.savings_table import render_savings_table

BUNDLE = Bundle("b", "某一件事", "B", (Item("a", "甲", "scjg", 10, 5, fields=("name", "id_number", "phone",
                                                                        "seats", "area")),), {"scjg": "市场监管"})
FORM = ("name", "id_number", "phone", "seats", "area")


def measured(prefilled: tuple[str, ...], prefillable: tuple[str, ...] | None) -> CaseSavings:
    facts = CaseFacts("b", "B-1", fields_asked=FORM, fields_prefilled=prefilled, fields_prefillable=prefillable)
    return compute_case_savings(BUNDLE, facts)


def test_the_share_of_the_fillable_fields_is_measured_per_field() -> None:
    savings = measured(("name",), ("name", "id_number", "phone"))
    assert savings.fields_prefilled_share == pytest.approx(1 / 5)  # of the form's 5 fields
    assert savings.fields_prefillable == 3
    assert savings.fields_prefilled_of_prefillable == pytest.approx(1 / 3)  # of the 3 a source could fill
    assert savings.prefill_fields == {"name": True, "id_number": False, "phone": False}  # in form order


def test_a_field_that_was_pre_filled_could_be_whatever_the_catalogue_says_now() -> None:
    savings = measured(("phone", "name"), ("name",))
    assert savings.prefill_fields == {"name": True, "phone": True}
    assert savings.fields_prefilled_of_prefillable == 1


def test_no_fillable_field_has_no_share_and_unknown_is_none() -> None:
    none_fillable = measured((), ())
    assert (none_fillable.fields_prefillable, none_fillable.fields_prefilled_of_prefillable) == (0, None)
    unknown = measured(("name",), None)
    assert (unknown.fields_prefillable, unknown.fields_prefilled_of_prefillable, unknown.prefill_fields) == (
        None, None, None)


def test_the_detail_goes_to_json_and_back_and_old_rows_read_as_none() -> None:
    savings = measured(("name",), ("name", "id_number", "phone"))
    data = json.loads(json.dumps(savings.to_dict(), ensure_ascii=False))
    assert (data["fields_prefillable"], data["fields_prefilled_of_prefillable"]) == (3, 0.3333)
    assert data["prefill_fields"] == [{"key": "name", "prefilled": True}, {"key": "id_number", "prefilled": False},
                                      {"key": "phone", "prefilled": False}]
    back = CaseSavings.from_dict(data)
    assert back.prefill_fields == savings.prefill_fields and back.fields_prefillable == 3
    for key in ("fields_prefillable", "fields_prefilled_of_prefillable", "prefill_fields"):
        del data[key]
    old = CaseSavings.from_dict(data)  # stored before the fillable fields were counted
    assert (old.fields_prefillable, old.fields_prefilled_of_prefillable, old.prefill_fields) == (None, None, None)


def test_reports_exports_and_the_table_show_both_shares() -> None:
    rows = [measured(("name",), ("name", "id_number", "phone")), measured(("name", "phone"), ("name", "phone")),
            measured(("name",), None)]
    summary = summarize(rows)
    assert summary.mean_prefilled_share == pytest.approx((1 / 5 + 2 / 5 + 1 / 5) / 3)
    assert summary.mean_fields_prefillable == pytest.approx(2.5)  # (3 + 2) / 2: the old row left out
    assert summary.mean_prefilled_of_prefillable == pytest.approx((1 / 3 + 1) / 2)
    assert summary.to_dict()["mean_prefilled_of_prefillable"] == 0.6667
    header, body = case_table(rows)
    assert [line[header.index("可预填字段中已预填的比例")] for line in body] == [0.3333, 1, None]
    assert [line[header.index("可由数据源预填的字段（项）")] for line in body] == [3, 2, None]
    header, body = summary_table([summary])
    assert body[0][header.index("可预填字段中已预填的平均比例")] == 0.6667
    table = render_savings_table([summary], {})
    assert "可预填字段已预填" in table and "67%（2.5 项）" in table


def test_materials_a_registry_record_or_an_e_licence_replaced_are_counted_apart() -> None:
    uses = {"licence": "elicence", "id_card": "shared", "household": "shared", "plan": "submitted",
            "promise": "commitment"}
    facts = CaseFacts("b", "B-2", materials=uses, fields_asked=FORM)
    savings = compute_case_savings(BUNDLE, facts)
    assert (savings.materials_shared, savings.materials_elicence) == (2, 1)
    assert savings.materials.actual == 1  # only the submitted one counts as a material handed in
    back = CaseSavings.from_dict(json.loads(json.dumps(savings.to_dict())))
    assert (back.materials_shared, back.materials_elicence) == (2, 1)
    old = savings.to_dict()
    del old["materials_shared"], old["materials_elicence"]
    assert CaseSavings.from_dict(old).materials_shared is None  # measured before this was counted
    summary = summarize([savings, CaseSavings.from_dict(old), measured((), None)])
    assert (summary.mean_materials_shared, summary.mean_materials_elicence) == (1.0, 0.5)
    table = render_savings_table([summary], {})
    assert "材料免提交" in table and "1.0 + 0.5" in table
