"""The applicant block every bundle's form starts with, validated with Chinese field messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.identifiers import is_credit_code, is_phone, is_resident_id

REQUIRED = ("name", "id_number", "phone")


def validate_applicant(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors keyed by field name; empty when the block is valid."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in REQUIRED:
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            add(field, "必填")
    name = data.get("name")
    if isinstance(name, str) and len(name.strip()) > 50:
        add("name", "姓名不能超过 50 个字符")
    id_number = data.get("id_number")
    if isinstance(id_number, str) and id_number.strip() and not is_resident_id(id_number.strip()):
        add("id_number", "居民身份证号码无效（长度、出生日期或校验位不符）")
    phone = data.get("phone")
    if isinstance(phone, str) and phone.strip() and not is_phone(phone.strip()):
        add("phone", "联系电话无效：应为 11 位手机号或带区号的固定电话")
    code = data.get("credit_code")
    if isinstance(code, str) and code.strip() and not is_credit_code(code.strip()):
        add("credit_code", "统一社会信用代码无效（长度、字符或校验位不符）")
    return errors
