"""Work orders and their timelines (tables/work_order.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select, update

from engine.domain.model import Actor
from engine.domain.work_orders import WorkOrder, WorkOrderKind, WorkOrderState
from engine.persistence import tables as t
from engine.persistence.queries import Page, count_matches
from engine.persistence.rows import values_of

w = t.work_orders
e = t.work_order_events


@dataclass(frozen=True)
class WorkOrderCriteria:
    """What to match; every member that is set must hold."""

    states: tuple[str, ...] | None = None
    kind: str | None = None
    channel: str | None = None
    department: str | None = None
    phone: str | None = None
    case_number: str | None = None
    colour: str | None = None
    escalated: bool | None = None
    raised_from: datetime | None = None
    raised_before: datetime | None = None


@dataclass(frozen=True)
class WorkOrderEvent:
    type: str
    actor_user: str
    actor_department: str
    actor_role: str
    occurred_at: datetime
    data: dict[str, Any]


def _order(row: Any) -> WorkOrder:
    m = dict(row._mapping)
    m["kind"], m["state"] = WorkOrderKind(m["kind"]), WorkOrderState(m["state"])
    return WorkOrder(**m)


def _values(order: WorkOrder) -> dict[str, Any]:
    values = values_of(order)
    values.pop("id")
    values.pop("events")
    values["kind"], values["state"] = str(order.kind), str(order.state)
    return values


def _conditions(criteria: WorkOrderCriteria) -> list[ColumnElement[bool]]:
    c = w.c
    found: list[ColumnElement[bool]] = []
    if criteria.states is not None:
        found.append(c.state.in_(criteria.states))
    for column, value in ((c.kind, criteria.kind), (c.channel, criteria.channel), (c.department, criteria.department),
                          (c.phone, criteria.phone),
                          (c.case_number, criteria.case_number), (c.colour, criteria.colour)):
        if value is not None:
            found.append(column == value)
    if criteria.escalated is not None:
        found.append(c.escalated_at.is_not(None) if criteria.escalated else c.escalated_at.is_(None))
    if criteria.raised_from is not None:
        found.append(c.raised_at >= criteria.raised_from)
    if criteria.raised_before is not None:
        found.append(c.raised_at < criteria.raised_before)
    return found


class WorkOrderRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, order: WorkOrder) -> int:
        return int(self.conn.execute(insert(w).values(**_values(order)).returning(w.c.id)).scalar_one())

    def save(self, order: WorkOrder) -> None:
        self.conn.execute(update(w).where(w.c.id == order.id).values(**_values(order)))

    def get(self, number: str, lock: bool = False) -> WorkOrder | None:
        query = select(w).where(w.c.number == number)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _order(row) if row else None

    def search(self, criteria: WorkOrderCriteria, page: int = 1, per_page: int = 50) -> Page[WorkOrder]:
        """Newest first."""
        conditions = _conditions(criteria)
        rows = self.conn.execute(select(w).where(*conditions).order_by(w.c.raised_at.desc(), w.c.id.desc())
                                 .limit(per_page).offset((page - 1) * per_page)).all()
        items = [_order(r) for r in rows]
        total, exact = count_matches(self.conn, w, conditions, len(items),
                                     page == 1 and len(items) < per_page)
        return Page(items, total, page, per_page, exact)

    def open_orders(self, lock: bool = False) -> list[WorkOrder]:
        """Every order not closed, for the ticker's clocks."""
        query = select(w).where(w.c.state != str(WorkOrderState.CLOSED)).order_by(w.c.id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_order(r) for r in self.conn.execute(query)]

    def raised_between(self, since: datetime, before: datetime) -> list[WorkOrder]:
        """The orders raised in the period, for the leaders' figures."""
        return [_order(r) for r in self.conn.execute(
            select(w).where(w.c.raised_at >= since, w.c.raised_at < before).order_by(w.c.id))]

    def record(self, order_id: int, event: str, actor: Actor, at: datetime, data: dict[str, Any]) -> None:
        self.conn.execute(insert(e).values(order_id=order_id, type=event, actor_user=actor.user,
                                           actor_department=actor.department, actor_role=actor.role,
                                           occurred_at=at, data=data))

    def events(self, order_id: int) -> list[WorkOrderEvent]:
        rows = self.conn.execute(select(e.c.type, e.c.actor_user, e.c.actor_department, e.c.actor_role,
                                        e.c.occurred_at, e.c.data).where(e.c.order_id == order_id)
                                 .order_by(e.c.id))
        return [WorkOrderEvent(*row) for row in rows]
