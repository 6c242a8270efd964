"""The fake database: committed tables of records, and the copy a unit of work changes.

Records are stored pickled and every read unpickles a fresh copy, as rows come from a database: a
service that changes a record it read without saving it changes nothing stored (pickling is the
cheapest deep copy: ``copy.deepcopy`` of the bundle definitions dominated the tests' time). A unit
of work copies the committed tables when it begins (stored values are never changed in place, so
copying each table's dict is enough) and puts its copy back on commit; leaving without commit drops
the copy. ``table`` gives the raw dict, for membership and for immutable values (counters, tuples).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any


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
        self.table(name)[key] = pickle.dumps(record)

    def get(self, name: str, key: Any) -> Any:
        found = self.table(name).get(key)
        return None if found is None else pickle.loads(found)  # noqa: S301 - what put() pickled, in this process

    def all(self, name: str) -> list[Any]:
        return [pickle.loads(record) for record in self.table(name).values()]  # noqa: S301 - as get()

    def items(self, name: str) -> list[tuple[Any, Any]]:
        return [(key, pickle.loads(record)) for key, record in self.table(name).items()]  # noqa: S301 - as get()

    def delete(self, name: str, key: Any) -> bool:
        return self.table(name).pop(key, None) is not None


class FakeDatabase:
    """What every unit of work of one fake context reads and commits to."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.commits = 0
        """How many write transactions committed (tests assert a refused change committed nothing)."""

    def committed_record(self, name: str, key: Any) -> Any:
        return self.committed.get(name, key)
