"""What the load scenario needs from the database its servers use, prepared once so that the locust
process imports nothing of the engine: the data file (per bundle an application whose applicant each
intake replaces; per item its department, whether a site inspection comes first, the format of the
licence it issues and the intake materials a correction may name), and the staff: a login for every
window clerk and reviewer the scenario's largest step puts at a desk, each their own, as in a real
hall (two people sharing a login could both "claim" one task: the claim race would not show).

    python bench/load/scenario_data.py --database-url URL [--users 200] > scenario.json

The first clerk and each department's first reviewer are the demo users (``clerk``,
``scjg.reviewer`` …); the others are made here as ``load.clerk.2``, ``load.scjg.reviewer.2`` …
with the demo password.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

INTAKE_WEIGHTS = {"restaurant": 3, "retirement": 2, "newborn": 2, "food_production": 1}
"""The bundles the window accepts and how often: four subjects (a new enterprise, a person, a family
event, an existing enterprise), ten departments, and one flow with a site inspection (食品生产许可's
production site)."""
USER_WEIGHTS = {"WindowClerk": 3, "Reviewer": 12, "EnquiryDesk": 1, "Supervisor": 1, "Leader": 1}
"""The locustfile's user classes and their weights (kept here, where the staffing is counted)."""
SAMPLE_APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000",
                    "address": "河南省新乡市红旗区平原路 1 号", "entity_name": "小明面馆",
                    "credit_code": "91350100M000100Y43", "relation": "母亲"}


def scenario_data(engine: Any, bundles: tuple[str, ...] = tuple(INTAKE_WEIGHTS)) -> dict[str, Any]:
    """The data file (see the module's docstring)."""
    from engine.services.catalogue import get_bundle_catalogue
    from forms.samples import sample_values

    found: dict[str, Any] = {"bundles": {}, "items": {}}
    for code in bundles:
        catalogue = get_bundle_catalogue(engine.ctx, code, deployed=True)
        subject = catalogue.subject
        applicant = {k: v for k, v in SAMPLE_APPLICANT.items() if k in subject.keys}
        checklist = [e.key for e in catalogue.checklist().entries]
        found["bundles"][code] = {
            "weight": INTAKE_WEIGHTS.get(code, 1), "subject": str(subject.kind), "applicant_keys": list(subject.keys),
            "form": sample_values(catalogue.form(), subject.form_values(applicant)),
            "materials": {key: "submitted" for key in checklist},
        }
        for item in catalogue.definition["items"]:
            grants = item.get("grants")
            found["items"][item["code"]] = {
                "bundle": code, "department": item["department"], "inspection": bool(item.get("inspection")),
                "licence_format": (catalogue.licences.get(grants) or {}).get("number_format", "free")
                if grants else None,
                "materials": [m["key"] for m in item.get("materials", []) if m["key"] in checklist],
            }
    return found


class Desks:
    """Which department each new reviewer works in: the one with the fewest reviewers for the work it
    has (its items in the weighted bundles, a site inspection counting once more), so that the first
    reviewers cover every department and later ones go where the work is."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.volume: dict[str, float] = {}
        for item in data["items"].values():
            weight = data["bundles"][item["bundle"]]["weight"] * (2 if item["inspection"] else 1)
            self.volume[item["department"]] = self.volume.get(item["department"], 0) + weight
        self.staffed = dict.fromkeys(self.volume, 0)

    def next(self) -> tuple[str, str]:
        """The next reviewer's department and login."""
        department = min(self.volume, key=lambda d: (self.staffed[d] / self.volume[d], -self.volume[d], d))
        self.staffed[department] += 1
        return department, reviewer_login(department, self.staffed[department])


def reviewer_login(department: str, n: int) -> str:
    base = f"{department.replace('@', '.')}.reviewer"
    return base if n == 1 else f"load.{base}.{n}"


def clerk_login(n: int) -> str:
    return "clerk" if n == 1 else f"load.clerk.{n}"


@dataclass(frozen=True)
class Staff:
    login: str
    department: str
    role: str


def staffing(data: dict[str, Any], users: int) -> list[Staff]:
    """The clerks and reviewers ``users`` simulated people include (locust shares them out by the
    classes' weights; two more of each for its rounding)."""
    total = sum(USER_WEIGHTS.values())
    clerks = math.ceil(users * USER_WEIGHTS["WindowClerk"] / total) + 2
    reviewers = math.ceil(users * USER_WEIGHTS["Reviewer"] / total) + 2
    desks = Desks(data)
    found = [Staff(clerk_login(n), "window", "clerk") for n in range(1, clerks + 1)]
    for _ in range(reviewers):
        department, login = desks.next()
        found.append(Staff(login, department, "reviewer"))
    return found


def hire_staff(engine: Any, staff: list[Staff]) -> int:
    """Create the logins of ``staff`` that do not exist yet (the demo password); answers how many."""
    from engine.domain.model import SYSTEM
    from engine.services.accounts import DEMO_PASSWORD, CreateUser, create_user, list_users

    existing = {u.login for u in list_users(engine.ctx)}
    made = 0
    for person in staff:
        if person.login not in existing:
            create_user(CreateUser(person.login, f"压测{person.role} {person.login}", person.department,
                                   [person.role], DEMO_PASSWORD, SYSTEM, demo=True), engine.ctx)
            made += 1
    return made


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from engine.bootstrap import Settings, build_engine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=200, help="the largest step's users, to hire staff for")
    args = parser.parse_args()
    engine = build_engine(Settings(database_url=args.database_url, deploy_shipped=False, tick_seconds=0,
                                   password_strength="fast"))  # noqa: S106 - a hasher profile
    try:
        data = scenario_data(engine)
        hire_staff(engine, staffing(data, args.users))
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    finally:
        engine.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
