"""Saved filters in the ``saved_filters`` table, always within one owner's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, delete, func, insert, select

from engine.domain.saved_filters import SavedFilter
from engine.persistence import tables as t

_c = t.saved_filters.c


def _record(row: Row[tuple[object, ...]]) -> SavedFilter:
    m = row._mapping
    return SavedFilter(int(m["id"]), int(m["user_id"]), str(m["page"]), str(m["name"]), dict(m["query"]),
                       m["created_at"])


def filters_of(conn: Connection, user_id: int, page: str) -> list[SavedFilter]:
    """The owner's filters for a page, in the order they were saved."""
    rows = conn.execute(select(t.saved_filters).where(_c.user_id == user_id, _c.page == page)
                        .order_by(_c.created_at, _c.id))
    return [_record(r) for r in rows]


def lock_owner(conn: Connection, user_id: int) -> None:
    """Holds the owner's user row until the transaction ends, so that two saves at once count each
    other (SQLite's writers queue already; this is for PostgreSQL)."""
    conn.execute(select(t.users.c.id).where(t.users.c.id == user_id).with_for_update())


def count_of(conn: Connection, user_id: int, page: str) -> int:
    return int(conn.execute(select(func.count()).select_from(t.saved_filters)
                            .where(_c.user_id == user_id, _c.page == page)).scalar_one())


def is_named(conn: Connection, user_id: int, page: str, name: str) -> bool:
    return conn.execute(select(_c.id).where(_c.user_id == user_id, _c.page == page, _c.name == name)).first() \
        is not None


def add(conn: Connection, user_id: int, page: str, name: str, query: dict[str, str],
        now: datetime) -> SavedFilter:
    row = conn.execute(insert(t.saved_filters).values(user_id=user_id, page=page, name=name, query=query,
                                                      created_at=now).returning(t.saved_filters)).one()
    return _record(row)


def remove_own(conn: Connection, user_id: int, filter_id: int) -> bool:
    """Deletes the filter if it is the owner's; whether it was."""
    return conn.execute(delete(t.saved_filters).where(_c.id == filter_id, _c.user_id == user_id)).rowcount == 1
