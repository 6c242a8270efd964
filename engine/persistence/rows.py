"""Rows and records: the record of a row, a record's column values, the repositories' base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Connection, Row

R = TypeVar("R")


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}
# (record class, row's column names) -> (field, column position) for each field the row has
_PICKS: dict[tuple[type[Any], tuple[str, ...]], tuple[tuple[str, int], ...]] = {}


def record_of(cls: type[R], row: Row[Any]) -> R:
    """The record of a row: the row's columns that are fields of ``cls`` (read on every query)."""
    keys = row._fields
    picks = _PICKS.get((cls, keys))
    if picks is None:
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
        picks = _PICKS[(cls, keys)] = tuple((name, keys.index(name)) for name in names if name in keys)
    return cls(**{name: row[i] for name, i in picks})


def values_of(record: Any) -> dict[str, Any]:
    """The record's fields as column values. Shallow, unlike ``dataclasses.asdict``, whose deep
    copy of every JSON column cost more than the statement that writes it; records hold only
    plain values and JSON-ready containers, and are written before anyone changes them again."""
    cls = type(record)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return {name: getattr(record, name) for name in names}


def rows_as(cls: type[R], rows: Sequence[Row[Any]]) -> list[R]:
    return [record_of(cls, r) for r in rows]


class _Repository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
