"""The simulated applicants and what they bring to the window: seeded random residents of 新乡 with
valid ID numbers (GB 11643) and credit codes (GB 32100), the unified form as the window fills it
(fields shared data pre-fills are left to it), and the material checklist as the clerk declares it
(e-licences the applicant holds, written commitments, 容缺 for secondary materials)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.services.catalogue import PrefilledForm
from forms.checklist import MaterialStatus
from forms.identifiers import credit_code_check_char, resident_id_check_digit
from forms.samples import sample_values
from forms.subjects import Subject

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志军海燕晓东雪梅文博子涵浩然欣怡宇轩"
DISTRICTS = {"410702": "红旗区", "410703": "卫滨区", "410704": "凤泉区", "410711": "牧野区", "410721": "新乡县"}
ROADS = ("平原路", "人民路", "胜利路", "金穗大道", "新中大道", "宏力大道", "自由路", "劳动路", "和平路")
SHOPS = ("面馆", "小吃店", "餐厅", "烩面馆", "商贸有限公司", "科技有限公司", "建材经营部", "便利店")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

NEWCOMERS = 0.08
"""Share of new applicants the registries do not know (moved here lately): they type everything."""
STALE = 0.05
"""Share of applicants whose phone changed since the registry recorded it: the window corrects it."""
BAD_CREDIT = 0.02
"""Share of new applicants on the bad credit list (失信): no 容缺受理 for them."""
COMMITMENT = 0.3
"""Chance that a material a commitment may replace (告知承诺) is replaced by one."""
TOLERANCE_CASES = 0.15
"""Share of cases accepted with gaps (容缺受理) where the bundle allows it."""


@dataclass
class Applicant:
    name: str
    id_number: str
    phone: str
    gender: str
    address: str
    entity_name: str
    credit_code: str
    bad_credit: bool = False
    closed_cases: int = 0
    """Cases of this applicant already handed over: from the second one on, e-licences help."""

    @property
    def birth_date(self) -> str:
        return f"{self.id_number[6:10]}-{self.id_number[10:12]}-{self.id_number[12:14]}"

    def as_applicant(self, subject: Subject) -> dict[str, str]:
        """The applicant block of ``start_case`` for a bundle about ``subject``: a parent says whose
        parent they are, a founder declares the enterprise's name (it has no credit code yet), an
        existing enterprise gives its credit code."""
        everything = {"name": self.name, "id_number": self.id_number, "phone": self.phone, "address": self.address,
                      "entity_name": self.entity_name, "credit_code": self.credit_code,
                      "relation": "母亲" if self.gender == "女" else "父亲"}
        return {key: value for key, value in everything.items() if key in subject.keys}

    def known_values(self, subject: Subject) -> dict[str, Any]:
        """What the applicant writes where the form asks about them."""
        return {**subject.form_values(self.as_applicant(subject)), "gender": self.gender,
                "birth_date": self.birth_date}


def new_applicant(rng: random.Random) -> Applicant:
    district = rng.choice(sorted(DISTRICTS))
    born = date.fromordinal(rng.randint(date(1960, 1, 1).toordinal(), date(2003, 12, 31).toordinal()))
    first17 = f"{district}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    id_number = first17 + resident_id_check_digit(first17)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    code17 = rng.choice(("91", "92")) + district + "".join(rng.choice(CREDIT_CHARS) for _ in range(9))
    return Applicant(
        name=rng.choice(SURNAMES) + given, id_number=id_number,
        phone=rng.choice(("138", "139", "150", "186", "133", "157")) + f"{rng.randint(0, 99_999_999):08d}",
        gender="男" if int(id_number[16]) % 2 else "女",
        address=f"河南省新乡市{DISTRICTS[district]}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
        entity_name=f"{given}{rng.choice(SHOPS)}", credit_code=code17 + credit_code_check_char(code17),
        bad_credit=rng.random() < BAD_CREDIT,
    )


def form_values(prefilled: PrefilledForm, applicant: Applicant) -> dict[str, Any]:
    """The unified form as the window sends it: every field shared data did not fill, and the ones
    it filled with what the applicant says is no longer so (a changed phone number)."""
    known = applicant.known_values(prefilled.catalogue.subject)
    values = sample_values(prefilled.form, known)
    return {key: value for key, value in values.items()
            if key not in prefilled.prefilled or (key in known and known[key] != prefilled.prefilled[key].value)}


def declare_materials(prefilled: PrefilledForm, applicant: Applicant, tolerance_days: int | None,
                      rng: random.Random) -> dict[str, str]:
    """The checklist as the clerk declares it. 容缺 only where the bundle allows it, for an applicant
    without a bad credit record, and then for at least one secondary material."""
    held = prefilled.held.licence_types
    gaps = tolerance_days is not None and not applicant.bad_credit and rng.random() < TOLERANCE_CASES
    declared: dict[str, str] = {}
    for entry in prefilled.checklist.entries:
        if entry.elicence is not None and entry.elicence in held:
            declared[entry.key] = MaterialStatus.ELICENCE
        elif entry.commitment_allowed and rng.random() < COMMITMENT:
            declared[entry.key] = MaterialStatus.COMMITMENT
        elif gaps and not entry.is_key and rng.random() < 0.6:
            declared[entry.key] = MaterialStatus.TOLERATED
        else:
            declared[entry.key] = MaterialStatus.SUBMITTED
    if gaps and MaterialStatus.TOLERATED not in declared.values():
        secondary = [e.key for e in prefilled.checklist.entries
                     if not e.is_key and declared[e.key] == MaterialStatus.SUBMITTED]
        if secondary:
            declared[rng.choice(secondary)] = MaterialStatus.TOLERATED
    return {key: str(status) for key, status in declared.items()}
