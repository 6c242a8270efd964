"""The unified form (一表申请): the de-duplicated union of the items' form fields, validated on the
server with Chinese field messages and pre-filled from the registries and e-licences (表单免填写)."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms.identifiers import credit_code_check_char, is_credit_code, is_phone, is_resident_id, resident_id_check_digit

FIELD_TYPES = frozenset({"string", "text", "integer", "number", "date", "boolean", "enum", "multi_enum",
                         "id_number", "credit_code", "phone"})
PREFILL_ROOTS = {"person": 2, "enterprise": 2, "property": 2, "social_insurance": 2, "marriage": 2, "birth": 2,
                 "licence": 3}  # root -> number of dotted parts
DEFAULT_GROUP = "其他"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_SCHEMAS: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "id_number": {"type": "string", "minLength": 18, "maxLength": 18},
    "credit_code": {"type": "string", "minLength": 18, "maxLength": 18},
}
_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]*")
_PHONE_MESSAGE = "联系电话无效：应为 11 位手机号或带区号的固定电话"


@dataclass(frozen=True)
class FieldDef:
    """One entry of fields.json."""

    key: str
    label: str
    type: str
    group: str = DEFAULT_GROUP
    required: bool = True
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    options: tuple[str, ...] = ()
    prefill: tuple[str, ...] = ()
    """Where shared data can fill it (``person.name``, ``licence.business_licence.entity_name``), the
    first that holds a value winning."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def field_def(key: str, data: Mapping[str, Any]) -> FieldDef:
    """Build and check one fields.json entry; a malformed entry raises ValueError naming the key."""

    def bad(why: str) -> ValueError:
        return ValueError(f"field {key!r}: {why}")

    kind, label, group = data.get("type"), data.get("label"), data.get("group", DEFAULT_GROUP)
    if kind not in FIELD_TYPES:
        raise bad(f"unknown type {kind!r} (expected one of {', '.join(sorted(FIELD_TYPES))})")
    if not isinstance(label, str) or not isinstance(group, str) or not label.strip() or not group.strip():
        raise bad("label and group must be non-empty strings")
    required = data.get("required", True)
    if not isinstance(required, bool):
        raise bad("required must be true or false")
    max_length, low, high = data.get("max_length"), data.get("min"), data.get("max")
    if max_length is not None and (kind not in ("string", "text") or not isinstance(max_length, int)
                                   or isinstance(max_length, bool) or max_length < 1):
        raise bad("max_length must be a positive integer, on string and text fields only")
    for bound in (low, high):
        if bound is not None and (kind not in ("integer", "number") or not _is_number(bound)
                                  or (kind == "integer" and not isinstance(bound, int))):
            raise bad("min and max must be numbers (integers for an integer field), on number fields only")
    if low is not None and high is not None and low > high:
        raise bad("min is greater than max")
    options = data.get("options")
    if kind in ("enum", "multi_enum"):
        if not isinstance(options, list) or not options or not all(isinstance(o, str) and o for o in options):
            raise bad("options must be a non-empty list of strings")
        if len(set(options)) != len(options):
            raise bad("options are repeated")
    elif options is not None:
        raise bad("options apply to enum and multi_enum fields only")
    source = data.get("prefill")
    paths = (source,) if isinstance(source, str) else tuple(source) if isinstance(source, list) else ()
    if source is not None and (not paths or not all(_valid_prefill(p) for p in paths)):
        roots = ", ".join(f"{root}.<attr>" for root, parts in PREFILL_ROOTS.items() if parts == 2)
        raise bad(f"prefill {source!r} must be one path or a list of paths: {roots} or licence.<type>.<attr>, "
                  "a registry's path optionally followed by @<field> (the form field naming whom it is about)")
    return FieldDef(key, label, kind, group, required, max_length, low, high, tuple(options or ()), paths)


def _valid_prefill(source: object) -> bool:
    if not isinstance(source, str):
        return False
    path, at, subject = source.partition("@")
    parts = path.split(".")
    if at and (parts[0] == "licence" or not _FIELD_KEY.fullmatch(subject)):
        return False
    return PREFILL_ROOTS.get(parts[0]) == len(parts) and all(parts)


def prefill_subject(path: str) -> str | None:
    """The form field naming whom a prefill path is about (``person.name@employee_id_number``), if any."""
    return path.partition("@")[2] or None


def record_prefix(path: str) -> str:
    """What a path reads: the record's prefix (``person``, ``licence.business_licence``, and for a path
    about someone a form field names, ``person@employee_id_number``)."""
    base, _, subject = path.partition("@")
    prefix = base.rpartition(".")[0]
    return f"{prefix}@{subject}" if subject else prefix


def item_baseline(item: Mapping[str, Any], override: str, counted: int) -> int:
    """An item's count when applied for alone: its override (e.g. "fields_alone") if given, else counted."""
    value = item.get(override)
    if value is None:
        return counted
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"item {item.get('code')!r}: {override} must be a non-negative integer")
    return value


@dataclass(frozen=True)
class UnifiedForm:
    """The union form: fields in display order, which items ask each field, and the baseline count."""

    fields: tuple[FieldDef, ...]
    asked_by: Mapping[str, tuple[str, ...]]
    fields_alone: int

    def get(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def groups(self) -> list[dict[str, Any]]:
        grouped: dict[str, list[str]] = {}
        for f in self.fields:
            grouped.setdefault(f.group, []).append(f.key)
        return [{"title": title, "fields": keys} for title, keys in grouped.items()]

    def json_schema(self) -> dict[str, Any]:
        """A JSON Schema (draft 2020-12) object for the form, with x- annotations for the UI."""
        properties: dict[str, Any] = {}
        for order, f in enumerate(self.fields, start=1):
            prop = {"title": f.label, **_type_schema(f), "x-type": f.type, "x-group": f.group, "x-order": order,
                    "x-asked-by": list(self.asked_by.get(f.key, ()))}
            if f.prefill:
                prop["x-prefill"] = list(f.prefill)
            properties[f.key] = prop
        return {
            "$schema": JSON_SCHEMA_DIALECT,
            "type": "object",
            "properties": properties,
            "required": [f.key for f in self.fields if f.required],
            "additionalProperties": False,
        }


def _type_schema(f: FieldDef) -> dict[str, Any]:
    if f.type in ("enum", "multi_enum"):
        choice = {"type": "string", "enum": list(f.options)}
        return choice if f.type == "enum" else {"type": "array", "items": choice, "uniqueItems": True}
    schema = dict(_SCHEMAS.get(f.type, {"type": "string"}))
    bounds = {"minimum": f.min, "maximum": f.max, "maxLength": f.max_length}
    schema.update({name: bound for name, bound in bounds.items() if bound is not None})
    return schema


def build_unified_form(items: Sequence[Mapping[str, Any]], field_defs: Mapping[str, Mapping[str, Any]],
                       issued: Collection[str] = ()) -> UnifiedForm:
    """The union of the items' forms, de-duplicated by canonical key; items are bundle.json item dicts.
    ``issued``: fields whose value the case itself issues (a new enterprise's credit code), left out
    of the form; each item's own count (the baseline) still includes them."""
    defs: dict[str, FieldDef] = {}
    asked: dict[str, list[str]] = {}
    by_group: dict[str, list[FieldDef]] = {}
    alone = 0
    for item in items:
        code = item.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError("an item has no code")
        keys = item.get("fields", [])
        if not isinstance(keys, list | tuple):
            raise ValueError(f"item {code!r}: fields must be a list of field keys")
        alone += item_baseline(item, "fields_alone", len(keys))
        for key in keys:
            if not isinstance(key, str) or key not in field_defs:
                raise ValueError(f"item {code!r} asks for field {key!r}, which fields.json does not define")
            if key in issued:
                continue
            if key not in defs:
                defs[key] = field_def(key, field_defs[key])
                by_group.setdefault(defs[key].group, []).append(defs[key])
                asked[key] = []
            if code not in asked[key]:
                asked[key].append(code)
    ordered = tuple(f for group in by_group.values() for f in group)
    return UnifiedForm(ordered, {key: tuple(codes) for key, codes in asked.items()}, alone)


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | dict) and not value


def validate_form(form: UnifiedForm, values: Mapping[str, object]) -> dict[str, list[str]]:
    """Field errors keyed by field key, in Chinese; an empty dict means the values are valid."""
    errors: dict[str, list[str]] = {}
    known = set(form.keys)
    for key in values:
        if key not in known:
            errors[str(key)] = ["不是本表单的字段"]
    for f in form.fields:
        value = values.get(f.key)
        if _is_empty(value):
            if f.required:
                errors[f.key] = ["必填"]
            continue
        problems = _check(f, value)
        if problems:
            errors[f.key] = problems
    return errors


def _check(f: FieldDef, value: object) -> list[str]:
    match f.type:
        case "string" | "text":
            if not isinstance(value, str):
                return ["应为文本"]
            if f.max_length is not None and len(value) > f.max_length:
                return [f"不能超过 {f.max_length} 个字符（当前 {len(value)} 个）"]
        case "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return ["应为整数"]
            return _check_range(f, value)
        case "number":
            if not isinstance(value, int | float) or not _is_number(value):
                return ["应为数字"]
            return _check_range(f, value)
        case "boolean":
            if not isinstance(value, bool):
                return ["应为“是”或“否”"]
        case "date":
            return _check_date(value)
        case "enum":
            if not isinstance(value, str) or value not in f.options:
                return [f"应为以下选项之一：{'、'.join(f.options)}"]
        case "multi_enum":
            return _check_choices(f, value)
        case "id_number":
            return _check_resident_id(value)
        case "credit_code":
            return _check_credit_code(value)
        case "phone":
            if not isinstance(value, str) or not is_phone(value.strip()):
                return [_PHONE_MESSAGE]
    return []


def _check_range(f: FieldDef, value: float) -> list[str]:
    if f.min is not None and f.max is not None and not f.min <= value <= f.max:
        return [f"应在 {f.min} 至 {f.max} 之间"]
    if f.min is not None and value < f.min:
        return [f"不能小于 {f.min}"]
    if f.max is not None and value > f.max:
        return [f"不能大于 {f.max}"]
    return []


def _check_date(value: object) -> list[str]:
    if not isinstance(value, str) or not _DATE_SHAPE.fullmatch(value):
        return ["日期格式应为 YYYY-MM-DD"]
    try:
        date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return [f"日期无效：{value} 不存在"]
    return []


def _check_choices(f: FieldDef, value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(choice, str) for choice in value):
        return ["应为选项列表"]
    problems = []
    wrong = [choice for choice in value if choice not in f.options]
    if wrong:
        problems.append(f"不是可选项：{'、'.join(wrong)}（可选：{'、'.join(f.options)}）")
    if len(set(value)) != len(value):
        problems.append("选项不能重复")
    return problems


def _check_resident_id(value: object) -> list[str]:
    text = value.strip().upper() if isinstance(value, str) else ""
    if is_resident_id(text):
        return []
    if not _ID_SHAPE.fullmatch(text):
        return ["身份证号码应为 18 位：前 17 位为数字，最后一位为数字或 X"]
    if resident_id_check_digit(text[:17]) != text[17]:
        return ["身份证号码校验位不正确"]
    return ["身份证号码中的出生日期无效"]


def _check_credit_code(value: object) -> list[str]:
    text = value.strip().upper() if isinstance(value, str) else ""
    if is_credit_code(text):
        return []
    if len(text) != 18:
        return ["统一社会信用代码应为 18 位"]
    try:
        credit_code_check_char(text[:17])
    except ValueError:
        return ["统一社会信用代码含有不允许的字符（只用数字和除 I、O、Z、S、V 以外的大写字母）"]
    return ["统一社会信用代码校验位不正确"]


@dataclass(frozen=True)
class SharedRecord:
    """A record shared data holds about the applicant, as the form reads it."""

    prefix: str
    """What a field's prefill path names it by: ``person``, ``licence.business_licence``."""
    origin: str
    """``registry``, ``elicence`` or ``earlier_case``."""
    label: str
    """Where it came from, for the window (人口库, 电子证照：营业执照, 既往办件)."""
    ref: str
    """The record's own reference (a certificate number, a licence number, an ID number)."""
    attributes: Mapping[str, object]


@dataclass(frozen=True)
class Prefilled:
    """A value the form takes from shared data, and where it came from."""

    value: object
    source: str
    """The prefill path that gave it (``person.id_number``)."""
    origin: str = "registry"
    label: str = ""
    ref: str = ""


def prefill_paths(form: UnifiedForm, f: FieldDef) -> tuple[str, ...]:
    """The paths that may fill ``f`` in this form: where the form names whom the field is about (an
    employee's ID number), only the paths about that person; otherwise the paths about the applicant."""
    scoped = tuple(p for p in f.prefill if prefill_subject(p) in form.keys)
    return scoped or tuple(p for p in f.prefill if prefill_subject(p) is None)


def fillable_fields(form: UnifiedForm) -> tuple[list[str], list[str]]:
    """The fields a registry can fill (about the applicant or someone the form names), and those only
    an e-licence can: what the guide tells an applicant they need not type."""
    registry, licence = [], []
    for f in form.fields:
        roots = {p.split(".", 1)[0] for p in prefill_paths(form, f)}
        if roots - {"licence"}:
            registry.append(f.key)
        elif roots:
            licence.append(f.key)
    return registry, licence


def prefill(form: UnifiedForm, records: Sequence[SharedRecord]) -> dict[str, Prefilled]:
    """Values for the fields that shared data can fill. ``records`` come in order of trust: for each
    field, its paths in order (``prefill_paths``), the first record that holds a value for a path gives it."""
    by_prefix: dict[str, list[SharedRecord]] = {}
    for record in records:
        by_prefix.setdefault(record.prefix, []).append(record)
    filled: dict[str, Prefilled] = {}
    for f in form.fields:
        for path in prefill_paths(form, f):
            attribute = path.partition("@")[0].rpartition(".")[2]
            found = next((r for r in by_prefix.get(record_prefix(path), ())
                          if not _is_empty(r.attributes.get(attribute))), None)
            if found is not None:
                filled[f.key] = Prefilled(found.attributes[attribute], path, found.origin, found.label, found.ref)
                break
    return filled
