"""The fake database: committed tables of records, and the copy a unit of work changes.

Records go in and come out as deep copies, as rows do from a database: a service that changes a
record it read without saving it changes nothing stored. A unit of work copies the committed
tables when it begins (the records themselves are never changed in place, so copying each table's
dict is enough) and puts its copy back on commit; leaving without commit drops the copy.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, TypeVar

R = TypeVar("R")


def copied(record: R) -> R:
    return copy.deepcopy(record)


@dataclass
class Tables:
    rows: dict[str, dict[Any, Any]] = field(default_factory=dict)
    """Table name -> key -> record."""
    ids: dict[str, int] = field(default_factory=dict)
    """The last id each table handed out (like a sequence, never rolled back in the database;
    here they are, which no test should depend on)."""

    def copy(self) -> Tables:
        return Tables({name: dict(table) for name, table in self.rows.items()}, dict(self.ids))

    def table(self, name: str) -> dict[Any, Any]:
        return self.rows.setdefault(name, {})

    def next_id(self, name: str) -> int:
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]

    def put(self, name: str, key: Any, record: Any) -> None:
        self.table(name)[key] = copied(record)

    def get(self, name: str, key: Any) -> Any:
        found = self.table(name).get(key)
        return None if found is None else copied(found)

    def all(self, name: str) -> list[Any]:
        return [copied(record) for record in self.table(name).values()]


class FakeDatabase:
    """What every unit of work of one fake context reads and commits to."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.commits = 0
        """How many write transactions committed (tests assert a refused change committed nothing)."""

    def committed_record(self, name: str, key: Any) -> Any:
        return self.committed.get(name, key)
