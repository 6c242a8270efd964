"""What a reviewer sends to approve an item in the tests: approving an item that issues a licence
needs that licence's number, written as its type's ``number_format`` (bpmn/catalogue/licences.json)
asks — a business licence's number is a unified social credit code."""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from engine.domain.decisions import Approve
from forms.identifiers import credit_code_check_char, resident_id_check_digit
from tests.conftest import ADMIN, bearer

BPMN = Path(__file__).resolve().parents[1] / "bpmn"
_SERIAL = itertools.count(1)


@cache
def _grants() -> dict[str, str | None]:
    """Item code -> the licence type it issues (None: none), over every shipped bundle."""
    found: dict[str, str | None] = {}
    for path in BPMN.glob("*/bundle.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            found[str(item["code"])] = item.get("grants")
    return found


@cache
def _formats() -> dict[str, str | None]:
    licences = json.loads((BPMN / "catalogue" / "licences.json").read_text(encoding="utf-8"))
    return {key: definition.get("number_format") for key, definition in licences.items()}


def credit_code(serial: int) -> str:
    """A valid unified social credit code (GB 32100), one per serial."""
    first17 = f"91410700MA{serial % 10**7:07d}"
    return first17 + credit_code_check_char(first17)


def resident_id(serial: int) -> str:
    """A valid resident ID number (GB 11643) nobody holds data for, one per serial."""
    first17 = f"41070219900101{serial % 1000:03d}"
    return first17 + resident_id_check_digit(first17)


def reviewer_headers(client: Any, department: str) -> dict[str, str]:
    """Bearer headers of a reviewer of ``department``, made on first use."""
    login = f"r.{department.replace('@', '.')}"
    if client.get(f"/api/users/{login}", headers=ADMIN).status_code == 404:
        made = client.post("/api/users", headers=ADMIN, json={
            "login": login, "name": f"{department} 审批员", "department": department, "roles": ["reviewer"],
            "password": "reviewer-pass-1"})
        assert made.status_code == 201, made.json
    return bearer(client.post("/api/auth/login", json={"login": login, "password": "reviewer-pass-1"}).json["token"])


def licence_number(item_code: str, serial: int | None = None) -> str | None:
    """A well-formed number of the licence the item issues (a fresh one unless ``serial`` is
    given), or None when it issues none."""
    return number_of(_grants().get(item_code), item_code, serial)


def number_of(licence: str | None, item_code: str = "x", serial: int | None = None) -> str | None:
    """A well-formed number of a licence of this type (None: the item grants none)."""
    if licence is None:
        return None
    serial = next(_SERIAL) if serial is None else serial
    number_format = _formats().get(licence)
    if number_format == "credit_code":
        return credit_code(serial)
    if number_format == "^JY[0-9]{14}$":
        return f"JY1{serial % 10**13:013d}"
    assert number_format is None, f"tests/approvals.py writes no number of format {number_format!r} yet"
    return f"{item_code.upper()}-2026-{serial:04d}"


def approval(task: dict[str, Any] | str | None, serial: int | None = None, **extra: Any) -> dict[str, Any]:
    """The body that approves ``task`` (an API task, or an item code): with the number of the
    licence the item issues, if it issues one (of ``serial``, else a fresh one)."""
    item = task.get("item") if isinstance(task, dict) else task
    number = licence_number(str(item), serial) if item else None
    return {"decision": "approve", **({"licence_number": number} if number else {}), **extra}


def approved(item_code: str | None, serial: int | None = None) -> Approve:
    """The typed decision that approves an item (a use case's ``CompleteTask``): with the number
    of the licence it issues, if it issues one (of ``serial``, else a fresh one)."""
    return Approve((licence_number(item_code, serial) if item_code else None) or "")


def approval_of(engine: OneThingEngine, task_id: str) -> Approve:
    """The decision that approves the task with this id, its item read from the task projection."""
    with engine.db.connect() as conn:
        item = conn.execute(text("SELECT item_code FROM tasks WHERE id = :t"), {"t": task_id}).scalar()
    return approved(item)


def pass_inspections(client: Any, number: str) -> list[str]:
    """Each department records its open site inspections (现场核查) of case ``number`` as passed;
    answers the items inspected."""
    inspected = []
    for task in client.get(f"/api/tasks?case={number}&state=open").json["items"]:
        if task["kind"] == "inspection":
            done = client.post(f"/api/tasks/{task['id']}/complete",
                               json={"result": "passed", "findings": "现场与申报一致"},
                               headers=reviewer_headers(client, task["department"]))
            assert done.status_code == 200, done.json
            inspected.append(task["item"])
    return inspected


def approve_every_item(client: Any, number: str, items: list[dict[str, Any]]) -> list[str]:
    """Each department approves its items of case ``number`` as they open (prerequisites first, which
    is checked); answers the item codes in the order they were decided."""
    reviewers: dict[str, dict[str, str]] = {}
    decided: list[str] = []
    for _ in range(len(items) + 1):
        pass_inspections(client, number)
        waiting = [t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["kind"] == "approval"]
        if not waiting:
            break
        for task in waiting:
            item = next(i for i in items if i["code"] == task["item"])
            assert all(r in decided for r in item.get("requires", [])), f"{item['code']} opened too early"
            headers = reviewers.setdefault(task["department"], reviewer_headers(client, task["department"]))
            done = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task), headers=headers)
            assert done.status_code == 200, done.json
            decided.append(task["item"])
    return decided
