"""Whom a bundle is about (its subject) and the applicant block that follows from it.

A bundle is about a person (退休: the applicant), a family event (新生儿出生: a parent applies, the
child is the subject and the child's data are in the form), an existing enterprise (企业注销: its
credit code) or an enterprise being founded (开办餐饮店: no credit code yet — the business licence
the case issues gives it one; the applicant declares the name). The applicant block's labels,
required identifiers and validators follow the subject, and so do the form fields the case issues
itself (a new enterprise's credit code is an output, never an input)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from forms.identifiers import is_credit_code, is_phone, is_resident_id


class SubjectKind(StrEnum):
    PERSON = "person"
    FAMILY_EVENT = "family_event"
    ENTERPRISE = "enterprise"
    NEW_ENTERPRISE = "new_enterprise"


@dataclass(frozen=True)
class ApplicantField:
    key: str
    label: str
    type: str  # string, id_number, phone, credit_code or enum
    required: bool = True
    max_length: int = 50
    options: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"key": self.key, "label": self.label, "type": self.type, "required": self.required,
                                 "max_length": self.max_length}
        if self.options:
            found["options"] = list(self.options)
        return found


RELATIONS = ("母亲", "父亲", "其他监护人")
PARENT_FIELDS: Mapping[str, Mapping[str, str]] = {
    "母亲": {"name": "mother_name", "id_number": "mother_id_number"},
    "父亲": {"name": "father_name", "id_number": "father_id_number"},
}
"""A parent who applies is that parent in the form too: typed once (一表申请)."""

_PHONE = ApplicantField("phone", "联系电话", "phone", max_length=20)
_ID = "居民身份证号码"


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    label: str
    fields: tuple[ApplicantField, ...]
    issued_fields: tuple[str, ...] = ()
    """Form fields whose value the case itself issues (a new enterprise's credit code): not asked."""
    refused: Mapping[str, str] | None = None
    """Applicant keys that make no sense for this subject, with why (Chinese)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def lookup_key(self) -> str:
        """The applicant key shared data and e-licences are looked up by: an existing enterprise's
        credit code, else the person's ID number."""
        return "credit_code" if self.kind == SubjectKind.ENTERPRISE else "id_number"

    def lookup_refs(self, applicant: Mapping[str, Any]) -> tuple[str, str | None]:
        """Whom shared data is asked about: the applicant's ``lookup_key`` (normalised; empty when not
        given) and, for an enterprise, the ID number of the person acting for it (经办人)."""
        ref = str(applicant.get(self.lookup_key) or "").strip().upper()
        agent = str(applicant.get("id_number") or "") if self.lookup_key == "credit_code" else None
        return ref, agent

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": str(self.kind), "label": self.label,
                                 "applicant_fields": [f.as_dict() for f in self.fields],
                                 "issued_fields": list(self.issued_fields)}
        if "relation" in self.keys:
            found["relation_fields"] = {relation: dict(fields) for relation, fields in PARENT_FIELDS.items()}
        return found

    def form_values(self, applicant: Mapping[str, Any]) -> dict[str, Any]:
        """What the applicant block already says of the form's fields (the same key, or for a
        parent the mother's or father's fields), so that nothing is typed twice."""
        values = {k: v for k, v in applicant.items() if k != "relation"}
        for attribute, field in PARENT_FIELDS.get(str(applicant.get("relation", "")), {}).items():
            if applicant.get(attribute):
                values[field] = applicant[attribute]
        return values


SUBJECTS: Mapping[SubjectKind, Subject] = {
    SubjectKind.PERSON: Subject(SubjectKind.PERSON, "个人（本人办理）", (
        ApplicantField("name", "姓名", "string"),
        ApplicantField("id_number", _ID, "id_number"),
        _PHONE,
        ApplicantField("address", "联系地址", "string", required=False, max_length=200),
    )),
    SubjectKind.FAMILY_EVENT: Subject(SubjectKind.FAMILY_EVENT, "家庭事项（父母为子女办理）", (
        ApplicantField("relation", "申请人与子女的关系", "enum", options=RELATIONS, max_length=10),
        ApplicantField("name", "申请人（父/母）姓名", "string"),
        ApplicantField("id_number", f"申请人{_ID}", "id_number"),
        _PHONE,
        ApplicantField("address", "联系地址", "string", required=False, max_length=200),
    )),
    SubjectKind.ENTERPRISE: Subject(SubjectKind.ENTERPRISE, "已设立的企业", (
        ApplicantField("entity_name", "企业名称", "string", max_length=100),
        ApplicantField("credit_code", "统一社会信用代码", "credit_code", max_length=18),
        ApplicantField("name", "经办人（法定代表人或受托人）姓名", "string"),
        ApplicantField("id_number", f"经办人{_ID}", "id_number"),
        _PHONE,
        ApplicantField("address", "企业住所", "string", required=False, max_length=200),
    )),
    SubjectKind.NEW_ENTERPRISE: Subject(SubjectKind.NEW_ENTERPRISE, "设立中的企业（尚无营业执照）", (
        ApplicantField("entity_name", "申报的企业名称（字号）", "string", max_length=100),
        ApplicantField("name_reservation", "名称自主申报/预先核准文号（如有）", "string", required=False),
        ApplicantField("name", "投资人/经营者姓名", "string"),
        ApplicantField("id_number", f"投资人/经营者{_ID}", "id_number"),
        _PHONE,
        ApplicantField("address", "拟设经营场所（住所）地址", "string", required=False, max_length=200),
    ), issued_fields=("credit_code",), refused={
        "credit_code": "企业尚未设立：统一社会信用代码由本件核发的营业执照赋予，无需填写",
    }),
}


def subject_of(kind: object) -> Subject:
    """The subject of a bundle definition's ``subject`` value; ValueError for an unknown one."""
    try:
        return SUBJECTS[SubjectKind(str(kind))]
    except ValueError:
        raise ValueError(f"subject must be one of {', '.join(SubjectKind)}, not {kind!r}") from None


def validate_applicant(data: Mapping[str, Any], subject: Subject) -> dict[str, list[str]]:
    """Field errors keyed by applicant key, in Chinese; empty when the block is valid."""
    errors: dict[str, list[str]] = {}
    for key in data:
        if key in (subject.refused or {}):
            errors[str(key)] = [(subject.refused or {})[key]]
        elif key not in subject.keys:
            errors[str(key)] = [f"不是“{subject.label}”申请人信息的字段（可填：{'、'.join(subject.keys)}）"]
    for f in subject.fields:
        value = data.get(f.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if f.required:
                errors[f.key] = ["必填"]
            continue
        problem = _check(f, value)
        if problem:
            errors[f.key] = [problem]
    return errors


def _check(f: ApplicantField, value: object) -> str | None:
    if not isinstance(value, str):
        return "应为文本"
    text = value.strip()
    if len(text) > f.max_length:
        return f"{f.label}不能超过 {f.max_length} 个字符"
    if f.type == "id_number" and not is_resident_id(text.upper()):
        return "居民身份证号码无效（长度、出生日期或校验位不符）"
    if f.type == "phone" and not is_phone(text):
        return "联系电话无效：应为 11 位手机号或带区号的固定电话"
    if f.type == "credit_code" and not is_credit_code(text.upper()):
        return "统一社会信用代码无效（长度、字符或校验位不符）"
    if f.type == "enum" and text not in f.options:
        return f"应为以下之一：{'、'.join(f.options)}"
    return None
