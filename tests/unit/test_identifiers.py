from __future__ import annotations

import pytest

from forms.identifiers import (
    credit_code_check_char,
    is_credit_code,
    is_phone,
    is_resident_id,
    mask_id,
    mask_phone,
    resident_id_check_digit,
)
from forms.subjects import SUBJECTS, SubjectKind, validate_applicant


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", "440524188001010014"])
def test_valid_resident_ids(value: str) -> None:
    assert is_resident_id(value)


@pytest.mark.parametrize("value", ["110105194912310021", "11010519491331002X", "1101051949123100", "",
                                   "11010519491231002Y"])
def test_invalid_resident_ids(value: str) -> None:
    assert not is_resident_id(value)


def test_check_digit_by_hand() -> None:
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 % 11 = 2 -> 'X'
    assert resident_id_check_digit("11010519491231002") == "X"


def test_credit_codes() -> None:
    assert is_credit_code("91350100M000100Y43")
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert not is_credit_code("91350100M000100Y44")
    assert not is_credit_code("91350100M000100I43")  # I is not in the GB 32100 alphabet


def test_phones_and_masks() -> None:
    assert is_phone("13800138000") and is_phone("0373-1234567")
    assert not is_phone("12800138000") and not is_phone("138001380")
    assert mask_id("410102199001011234") == "4101**********1234"
    assert mask_phone("13800138000") == "138****8000"


def test_applicant_block_messages_are_chinese() -> None:
    enterprise = SUBJECTS[SubjectKind.ENTERPRISE]
    errors = validate_applicant({"name": "", "id_number": "123", "phone": "1", "credit_code": "X"}, enterprise)
    assert set(errors) == {"name", "id_number", "phone", "credit_code", "entity_name"}
    assert errors["name"] == ["必填"]
    person = SUBJECTS[SubjectKind.PERSON]
    assert validate_applicant({"name": "陈", "id_number": "11010519491231002X", "phone": "13800138000"}, person) == {}


def test_the_applicant_block_follows_the_subject() -> None:
    """A person needs no enterprise; an enterprise being founded has a declared name and no credit
    code yet; a parent says whose parent they are; an existing enterprise needs its credit code."""
    founder = {"name": "陈", "id_number": "11010519491231002X", "phone": "13800138000"}
    new = SUBJECTS[SubjectKind.NEW_ENTERPRISE]
    assert validate_applicant(founder, new) == {"entity_name": ["必填"]}
    assert validate_applicant({**founder, "entity_name": "陈记面馆"}, new) == {}
    refused = validate_applicant({**founder, "entity_name": "陈记面馆", "credit_code": "91350100M000100Y43"}, new)
    assert "营业执照" in refused["credit_code"][0]
    family = SUBJECTS[SubjectKind.FAMILY_EVENT]
    assert validate_applicant(founder, family) == {"relation": ["必填"]}
    assert validate_applicant({**founder, "relation": "母亲"}, family) == {}
    assert family.form_values({**founder, "relation": "母亲"})["mother_id_number"] == "11010519491231002X"
    assert "father_name" not in family.form_values({**founder, "relation": "母亲"})
    assert "entity_name" in validate_applicant({**founder, "entity_name": "某公司"}, SUBJECTS[SubjectKind.PERSON])


def test_log_lines_are_masked() -> None:
    from api.logs import mask_personal_data

    line = '127.0.0.1 - "GET /api/bundles/restaurant/form?applicant=11010519491231002X HTTP/1.1" 200 13800138000'
    masked = mask_personal_data(line)
    assert "11010519491231002X" not in masked and "1101**********002X" in masked
    assert "13800138000" not in masked and "138****8000" in masked
    assert mask_personal_data("91350100M000100Y43 and case CY-20260924-00001") == (
        "9135**********0Y43 and case CY-20260924-00001")
