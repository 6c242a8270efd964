"""The registries the government already holds (人口库, 法人库, 不动产, 社保, 婚姻, 出生), as the engine
sees them: each kind of record, its columns and which of them say whom the record is about.

A record is found by a subject: a resident ID number or a unified social credit code (an owner, a
spouse, a parent). Its attributes pre-fill form fields (``fields.json``: ``"prefill": "birth.child_name"``)
and may replace a material (``materials.json``: ``"registry": "marriage"``). The columns are form
field definitions, so that an imported row is checked exactly as the window's form would check it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from forms.unified import FieldDef, UnifiedForm

_SEPARATOR = ";"
"""Between the subjects of a list column (the owners of a property)."""


@dataclass(frozen=True)
class RegistryKind:
    code: str
    name: str
    """The registry as the window names it (人口库)."""
    record_name: str
    """What one record is (户籍人口信息)."""
    key: str
    """The column that identifies a record of this kind."""
    columns: tuple[FieldDef, ...]
    subjects: tuple[str, ...]
    """The columns naming whom the record is about: the record is found by any of their values."""
    subject_lists: tuple[str, ...] = ()
    """Subject columns holding several values, separated by ``;``."""
    name_column: str = "name"
    """The column that names the record for people (a person's name, a certificate's child)."""
    newest_by: str | None = None
    """Where several records are about one subject, the date column that tells the current one (a
    parent's latest birth); without it several records are ambiguous (two properties)."""
    choice_column: str | None = None
    """The column that tells records apart when the window picks one of several (a property's
    location); the name column where None."""

    def form(self) -> UnifiedForm:
        """The columns as a form, to validate a row with the unified form's own rules."""
        return UnifiedForm(self.columns, {c.key: () for c in self.columns}, 0)

    def column(self, key: str) -> FieldDef | None:
        return next((c for c in self.columns if c.key == key), None)

    def subjects_of(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        """Whom a row is about, normalised (upper case), without repeats, in column order."""
        found: list[str] = []
        for key in self.subjects:
            value = values.get(key)
            parts = str(value).split(_SEPARATOR) if key in self.subject_lists and value else [value]
            for part in parts:
                ref = str(part or "").strip().upper()
                if ref and ref not in found:
                    found.append(ref)
        return tuple(found)


@dataclass
class RegistryRecord:
    """One record of a registry."""

    kind: str
    ref: str
    name: str
    attributes: dict[str, Any]
    source: str
    """Where it came from: ``import``, ``demo``, or the platform that answered."""
    updated_at: datetime
    subjects: tuple[str, ...] = ()
    """Whom it is about (registry_subjects): the values of the kind's subject columns."""
    id: int = 0


@dataclass(frozen=True)
class RegistryCounts:
    kind: str
    records: int
    last_import_at: datetime | None = None


def _f(key: str, label: str, kind: str = "string", required: bool = False, **more: Any) -> FieldDef:
    options = tuple(more.pop("options", ()))
    return FieldDef(key, label, kind, "登记信息", required, options=options, **more)


_GENDER = ("男", "女")
_ENTITY_TYPES = ("个体工商户", "有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "农民专业合作社", "其他")

KINDS: dict[str, RegistryKind] = {k.code: k for k in (
    RegistryKind("person", "人口库", "户籍人口信息", "id_number", (
        _f("id_number", "公民身份号码", "id_number", True),
        _f("name", "姓名", required=True, max_length=50),
        _f("gender", "性别", "enum", options=_GENDER),
        _f("birth_date", "出生日期", "date"),
        _f("ethnicity", "民族", max_length=20),
        _f("phone", "联系电话", "phone"),
        _f("address", "居住地址", max_length=200),
        _f("household_type", "户籍性质", "enum", options=("城镇户籍", "农村户籍")),
        _f("household_address", "户籍地址", max_length=200),
        _f("householder_name", "户主姓名", max_length=50),
    ), ("id_number",)),
    RegistryKind("enterprise", "法人库", "市场主体登记信息", "credit_code", (
        _f("credit_code", "统一社会信用代码", "credit_code", True),
        _f("name", "名称", required=True, max_length=100),
        _f("entity_type", "主体类型", "enum", options=_ENTITY_TYPES),
        _f("legal_representative", "法定代表人（经营者/负责人）", max_length=50),
        _f("legal_representative_id", "法定代表人身份证件号码", "id_number"),
        _f("address", "住所（经营场所）", max_length=200),
        _f("business_scope", "经营范围", "text"),
        _f("registered_capital", "注册资本（万元）", "number", min=0, max=100000000),
        _f("established_on", "成立日期", "date"),
        _f("phone", "联系电话", "phone"),
        _f("status", "登记状态", "enum", options=("存续", "在业", "注销", "吊销", "迁出")),
    ), ("credit_code", "legal_representative_id")),
    RegistryKind("property", "不动产登记", "不动产登记信息", "unit_number", (
        _f("unit_number", "不动产单元号", required=True, max_length=40),
        _f("cert_number", "不动产权证书号", required=True, max_length=60),
        _f("owners", "权利人证件号码（多个以;分隔）", required=True, max_length=400),
        _f("name", "权利人", required=True, max_length=200),
        _f("location", "坐落", required=True, max_length=200),
        _f("building_area", "建筑面积（㎡）", "number", min=0, max=10000000),
        _f("use", "用途", max_length=40),
        _f("co_ownership", "共有情况", max_length=100),
        _f("mortgaged", "是否抵押", "boolean"),
    ), ("owners",), subject_lists=("owners",), choice_column="location"),
    RegistryKind("social_insurance", "社会保险", "参保信息", "id_number", (
        _f("id_number", "公民身份号码", "id_number", True),
        _f("name", "姓名", required=True, max_length=50),
        _f("work_start_date", "参加工作时间", "date"),
        _f("insured_since", "首次参保日期", "date"),
        _f("pension_months", "养老保险累计缴费月数", "integer", min=0, max=1000),
        _f("medical_contribution_years", "职工医保累计缴费年限", "integer", min=0, max=80),
        _f("employer_name", "参保单位", max_length=100),
        _f("employer_credit_code", "参保单位统一社会信用代码", "credit_code"),
        _f("insurance_types", "参保险种", max_length=100),
        _f("status", "参保状态", "enum", options=("正常参保", "暂停缴费", "终止参保", "待遇领取")),
    ), ("id_number",)),
    RegistryKind("marriage", "婚姻登记", "结婚登记信息", "cert_number", (
        _f("cert_number", "结婚证字号", required=True, max_length=40),
        _f("husband_name", "男方姓名", required=True, max_length=50),
        _f("husband_id_number", "男方身份证件号码", "id_number", True),
        _f("wife_name", "女方姓名", required=True, max_length=50),
        _f("wife_id_number", "女方身份证件号码", "id_number", True),
        _f("registered_on", "登记日期", "date", True),
        _f("office", "登记机关", max_length=100),
    ), ("husband_id_number", "wife_id_number"), name_column="cert_number", newest_by="registered_on"),
    RegistryKind("birth", "出生医学证明", "出生医学证明信息", "cert_number", (
        _f("cert_number", "出生医学证明编号", required=True, max_length=20),
        _f("child_name", "新生儿姓名", max_length=50),
        _f("child_gender", "新生儿性别", "enum", True, options=_GENDER),
        _f("child_birth_date", "出生日期", "date", True),
        _f("child_birth_time", "出生时刻（时:分）", max_length=5),
        _f("birth_institution", "助产机构", required=True, max_length=100),
        _f("birth_weight_g", "出生体重（克）", "integer", min=300, max=8000),
        _f("birth_length_cm", "出生身长（厘米）", "number", min=20, max=70),
        _f("gestational_weeks", "出生孕周", "integer", min=20, max=45),
        _f("mother_name", "母亲姓名", required=True, max_length=50),
        _f("mother_id_number", "母亲身份证件号码", "id_number"),
        _f("father_name", "父亲姓名", max_length=50),
        _f("father_id_number", "父亲身份证件号码", "id_number"),
    ), ("mother_id_number", "father_id_number"), name_column="child_name", newest_by="child_birth_date"),
)}
"""Every registry kind, by code."""


def registry_kind(code: str) -> RegistryKind | None:
    return KINDS.get(code)


@dataclass
class LookupOutcome:
    """What one lookup found, as the audit keeps it: counts, never the personal data."""

    kind: str
    subject: str
    source: str
    records: list[RegistryRecord] = field(default_factory=list)
    unavailable: str | None = None
    """Why the source gave no answer (timeout, error, malformed answer); None when it answered."""
    milliseconds: float = 0.0

    @property
    def outcome(self) -> str:
        if self.unavailable is not None:
            return "unavailable"
        return "found" if self.records else "none"


@dataclass(frozen=True)
class Ask:
    """One lookup: the records of ``kind`` about ``subject``, for these attributes, for a purpose."""

    kind: str
    subject: str
    attributes: tuple[str, ...]
    purpose: str = ""
    about: str | None = None
    """The form field naming the subject (an employee's ID number); None: the applicant."""


class RegistrySource(Protocol):
    """The port every source of shared data implements: the embedded registries
    (``engine.services.registry_sources``), a provincial platform over HTTP (``engine.sources``)."""

    name: str
    """What the audit names the source by (``embedded``, ``http``)."""

    def lookup(self, asks: Sequence[Ask]) -> list[LookupOutcome]:
        """One outcome per ask, in order. A source that cannot answer an ask says so in its outcome
        (``unavailable``) instead of raising: the window then types what it would have filled."""
        ...
