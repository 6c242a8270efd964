"""A demo set of the registries, for ``make run`` and the simulation: clearly fictitious residents and
enterprises of 新乡 (seeded random names, valid ID numbers and credit codes), their properties,
social insurance, marriages and the births of the last weeks, so that a first-time applicant at the
demo window finds their data. Loaded into a kind only while it is empty: what an administrator
imported is never overwritten."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from engine.domain.registries import KINDS
from engine.services.context import ServiceContext
from engine.services.registry_import import ImportReport, check_rows
from engine.services.simulation_people import Applicant, new_applicant
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

SEED = 20261205
SOURCE = "demo"
"""Where the demo records say they came from: never mistaken for an import."""
_HOSPITALS = ("新乡市中心医院", "新乡医学院第一附属医院", "新乡市妇幼保健院", "红旗区人民医院")
_EMPLOYERS = ("新乡市宏达机械有限公司", "河南卫辉纺织有限公司", "新乡市城市管理局", "平原商贸有限公司")


@dataclass
class DemoRegistries:
    people: list[Applicant]
    rows: dict[str, list[dict[str, Any]]]


def demo_registries(today: date, persons: int = 400, seed: int = SEED) -> DemoRegistries:
    """The demo records, the same for the same ``today`` and ``seed``; births fall in the 60 days
    before ``today`` so that the newborn bundle finds them."""
    rng = random.Random(seed)
    people: list[Applicant] = []
    seen: set[str] = set()
    while len(people) < persons:  # one ID number is one person: two drawn alike, the second is dropped
        person = new_applicant(rng)
        if person.id_number not in seen:
            seen.add(person.id_number)
            people.append(person)
    rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for n, p in enumerate(people):
        born = date.fromisoformat(p.birth_date)
        rows["person"].append({
            "id_number": p.id_number, "name": p.name, "gender": p.gender, "birth_date": p.birth_date,
            "ethnicity": "汉族" if rng.random() < 0.95 else "回族", "phone": p.phone, "address": p.address,
            "household_type": "城镇户籍" if rng.random() < 0.7 else "农村户籍",
            "household_address": p.address if rng.random() < 0.8 else p.address.replace("号", "号院"),
            "householder_name": p.name})
        if n % 3 == 0:
            rows["enterprise"].append({
                "credit_code": p.credit_code, "name": p.entity_name, "entity_type": rng.choice(
                    ("个体工商户", "有限责任公司", "个人独资企业")),
                "legal_representative": p.name, "legal_representative_id": p.id_number, "address": p.address,
                "business_scope": "餐饮服务；食品销售" if "面" in p.entity_name or "餐" in p.entity_name
                else "日用百货、五金交电销售", "registered_capital": float(rng.choice((10, 50, 100, 300))),
                "established_on": (today - timedelta(days=rng.randint(200, 3000))).isoformat(), "status": "存续"})
        if n % 2 == 0:
            rows["property"].append({
                "unit_number": f"{p.id_number[:6]}{n:06d}GB{n % 97:05d}F{n:08d}"[:28],
                "cert_number": f"豫（{2010 + n % 14}）新乡市不动产权第{n:07d}号", "owners": p.id_number,
                "name": p.name,
                "location": p.address.replace("号", f"号{n % 30 + 1}栋{n % 6 + 1}单元{n % 20 + 101}室"),
                "building_area": round(rng.uniform(45, 160), 2), "use": "住宅", "co_ownership": "单独所有",
                "mortgaged": rng.random() < 0.2})
        if today.year - born.year >= 20 and rng.random() < 0.85:
            start = date(born.year + 20, rng.randint(1, 12), 1)
            rows["social_insurance"].append({
                "id_number": p.id_number, "name": p.name, "work_start_date": start.isoformat(),
                "insured_since": start.isoformat(), "pension_months": min(12 * (today.year - start.year), 600),
                "medical_contribution_years": min(today.year - start.year, 45),
                "employer_name": rng.choice(_EMPLOYERS),
                "insurance_types": "养老、医疗、失业、工伤", "status": "正常参保"})
    _families(rng, people, rows, today)
    return DemoRegistries(people, rows)


def _families(rng: random.Random, people: list[Applicant], rows: dict[str, list[dict[str, Any]]],
              today: date) -> None:
    """Marry some men and women of an age, and give half of the younger couples a baby lately."""
    men = [p for p in people if p.gender == "男" and 1975 <= int(p.birth_date[:4]) <= 2001]
    women = [p for p in people if p.gender == "女" and 1975 <= int(p.birth_date[:4]) <= 2001]
    for n, (husband, wife) in enumerate(zip(men, women, strict=False)):
        if n % 3 == 2:
            continue  # not everyone is married
        registered = today - timedelta(days=rng.randint(400, 4000))
        rows["marriage"].append({
            "cert_number": f"J410702-{registered.year}-{n:06d}", "husband_name": husband.name,
            "husband_id_number": husband.id_number, "wife_name": wife.name, "wife_id_number": wife.id_number,
            "registered_on": registered.isoformat(), "office": "新乡市红旗区民政局婚姻登记处"})
        if n % 2 == 0:
            born = today - timedelta(days=rng.randint(1, 60))
            rows["birth"].append({
                "cert_number": f"R41{n:08d}",
                "child_name": husband.name[0] + rng.choice(("子涵", "欣怡", "浩然", "宇轩")),
                "child_gender": rng.choice(("男", "女")), "child_birth_date": born.isoformat(),
                "child_birth_time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                "birth_institution": rng.choice(_HOSPITALS), "birth_weight_g": rng.randint(2500, 4200),
                "birth_length_cm": float(rng.randint(46, 54)), "gestational_weeks": rng.randint(37, 41),
                "mother_name": wife.name, "mother_id_number": wife.id_number, "father_name": husband.name,
                "father_id_number": husband.id_number})


def load_demo_registries(ctx: ServiceContext, today: date, demo: DemoRegistries | None = None) -> dict[str, int]:
    """Load the demo set (``demo``, else the one of ``today``) into every registry kind that holds
    nothing yet; answers how many records each kind received."""
    demo = demo or demo_registries(today)

    def work(uow: UnitOfWork) -> dict[str, int]:
        now = ctx.clock()
        held = {c.kind for c in uow.registries.counts() if c.records}
        loaded = {}
        for code, kind in KINDS.items():
            if code in held:
                continue
            columns = [c.key for c in kind.columns]
            table = [columns] + [[row.get(key, "") for key in columns] for row in demo.rows[code]]
            report = ImportReport(code, "demo", "", "merge")
            records = check_rows(kind, table, report, SOURCE)
            assert report.rows_rejected == 0, report.rejected[:3]  # the generator makes valid rows
            for record in records:
                record.updated_at = now
            uow.registries.put(records)
            loaded[code] = len(records)
        return loaded

    return in_transaction(ctx, work)
