"""Valid sample values for a unified form: what the simulation and the tests fill in where a real
applicant would type (the applicant's own data wins where the form asks for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.unified import FieldDef, UnifiedForm

SAMPLE_ID_NUMBER = "11010519491231002X"
SAMPLE_CREDIT_CODE = "91350100M000100Y43"
SAMPLE_PHONE = "13800138000"


def sample_value(field: FieldDef) -> Any:
    low = 1 if field.min is None else max(field.min, 1) if field.max is None or field.max >= 1 else field.min
    fixed: dict[str, Any] = {
        "text": "示例说明", "date": "2026-01-05", "boolean": False, "id_number": SAMPLE_ID_NUMBER,
        "credit_code": SAMPLE_CREDIT_CODE, "phone": SAMPLE_PHONE, "integer": int(low), "number": float(low),
        "enum": field.options[0] if field.options else None, "multi_enum": list(field.options[:1]),
    }
    if field.type in fixed:
        return fixed[field.type]
    text = f"示例{field.label}"
    return text[: field.max_length] if field.max_length else text


def sample_values(form: UnifiedForm, known: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A value for every field of ``form`` that passes ``validate_form``; ``known`` values win."""
    known = known or {}
    return {f.key: known[f.key] if f.key in known else sample_value(f) for f in form.fields}
