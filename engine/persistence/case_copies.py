"""Copies of real cases, written in bulk with PostgreSQL's COPY, for the scale benchmarks: every row a
template case holds in the case tables is read once, then written again for each copy with a new case
id and number, new task ids, another applicant, its times moved by whole weeks (weekdays stay
weekdays), and its event chain hashed again under the audit key, so that the copies verify as real
cases do. JSON is copied as text with the substitutions made in it (the applicant's identifiers, the
task ids, the case number); dates inside JSON documents keep the template's.

PostgreSQL only (COPY); the rows go through the driver's COPY protocol, not the ORM."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, Engine, select, text

from engine.domain.audit import GENESIS, HashScheme, keyed_event_hash
from engine.persistence import tables as t

CASE_TABLES = ("cases", "workflow_states", "case_items", "tasks", "case_events", "task_pauses", "task_extensions",
               "supervision_warnings", "case_savings", "case_savings_departments", "case_shared_data",
               "case_deliveries", "case_agents")
"""What a case holds in the hot tables (its files, e-licences, lookups and messages are not copied)."""
_OWN_ID = frozenset({"case_events", "task_pauses", "task_extensions", "supervision_warnings"})
"""Tables whose rows get their id from the table's sequence."""


@dataclass
class Template:
    """One case's rows, by table, and the strings a copy replaces."""

    case_id: int
    number: str
    prefix: str
    accepted_at: datetime
    applicant: dict[str, str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Copy:
    """What a copy changes: its id and number, whom it is about, how far its times move."""

    case_id: int
    number: str
    applicant: Mapping[str, str]
    shift: timedelta


def read_templates(conn: Connection, limit: int) -> list[Template]:
    """The database's first ``limit`` cases (the simulated ones, before any copy) as templates, with
    their rows."""
    found: dict[int, Template] = {}
    for row in conn.execute(select(t.cases).order_by(t.cases.c.id).limit(limit)).mappings():
        values = dict(row)
        found[int(values["id"])] = Template(int(values["id"]), str(values["number"]),
                                            str(values["number"]).split("-")[0], values["accepted_at"],
                                            {k: str(v) for k, v in (values["applicant"] or {}).items()
                                             if isinstance(v, str) and len(v) >= 2},
                                            {"cases": [values]})
    for name in CASE_TABLES[1:]:
        table = t.metadata.tables[name]
        for row in conn.execute(select(table).where(table.c.case_id.in_(sorted(found)))).mappings():
            template = found.get(int(row["case_id"]))
            if template is not None:
                template.rows.setdefault(name, []).append(dict(row))
    for template in found.values():
        template.task_ids = [str(r["id"]) for r in template.rows.get("tasks", ())]
        template.rows.get("case_events", []).sort(key=lambda r: int(r["seq"]))
    return list(found.values())


def reserve_case_ids(conn: Connection, count: int) -> int:
    """The first of ``count`` case ids no other writer will take (the sequence moved past them)."""
    last = int(conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id'))")).scalar_one())
    conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), :v)"), {"v": last + count})
    return last + 1


def next_serials(conn: Connection) -> dict[tuple[str, str], int]:
    """The next case number of each bundle prefix and day the counters hold."""
    rows = conn.execute(select(t.case_number_counters.c.prefix, t.case_number_counters.c.day,
                               t.case_number_counters.c.last_value))
    return {(str(r[0]), str(r[1])): int(r[2]) + 1 for r in rows}


def save_serials(conn: Connection, used: Mapping[tuple[str, str], int]) -> None:
    """Move the counters past the numbers the copies took, so that new cases never repeat one."""
    for (prefix, day), last in used.items():
        conn.execute(text("INSERT INTO case_number_counters (prefix, day, last_value) VALUES (:p, :d, :v) "
                          "ON CONFLICT (prefix, day) DO UPDATE "
                          "SET last_value = GREATEST(case_number_counters.last_value, :v)"),
                     {"p": prefix, "d": day, "v": last})


class CopyWriter:
    """Rows of copies gathered table by table, then written with one COPY per table."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in CASE_TABLES}
        self.columns: dict[str, list[str]] = {}
        self._json = {name: {c.name for c in t.metadata.tables[name].columns if isinstance(c.type, JSON)}
                      for name in CASE_TABLES}

    def add(self, template: Template, copy: Copy) -> None:
        swap = {**{old: str(copy.applicant[k]) for k, old in template.applicant.items() if k in copy.applicant},
                **{old: str(uuid.uuid4()) for old in template.task_ids}, template.number: copy.number}
        pairs = sorted(swap.items(), key=lambda pair: -len(pair[0]))
        events = self._chain(template.rows.get("case_events", []), copy, pairs)
        head = (len(events), events[-1]["hash"]) if events else (0, GENESIS)
        for name in CASE_TABLES:
            for row in (events if name == "case_events" else template.rows.get(name, ())):
                values = row if name == "case_events" else self._moved(name, row, copy, pairs)
                if name == "cases":
                    values.update(id=copy.case_id, number=copy.number, event_seq=head[0], event_hash=head[1])
                self._put(name, values)

    def _moved(self, name: str, row: Mapping[str, Any], copy: Copy, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column, value in row.items():
            if column == "id" and name in _OWN_ID:
                continue
            if column == "case_id":
                value = copy.case_id
            elif column in self._json[name]:
                value = _swapped(json.dumps(value, ensure_ascii=False), pairs) if value is not None else None
            elif isinstance(value, datetime | date):
                value = value + copy.shift
            elif isinstance(value, str):
                value = _swapped(value, pairs)
            values[column] = value
        return values

    def _chain(self, events: Iterable[Mapping[str, Any]], copy: Copy,
               pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """The template's events for the copy, hashed again in order (HMAC under the audit key)."""
        chained: list[dict[str, Any]] = []
        prev = GENESIS
        for event in events:
            data = json.loads(_swapped(json.dumps(event["data"], ensure_ascii=False), pairs))
            values = {"case_id": copy.case_id, "seq": event["seq"], "type": event["type"],
                      "actor_user": event["actor_user"], "actor_department": event["actor_department"],
                      "actor_role": event["actor_role"], "actor_address": event["actor_address"],
                      "task_id": _swapped(event["task_id"], pairs) if event["task_id"] else None,
                      "data": data, "occurred_at": event["occurred_at"] + copy.shift}
            digest = keyed_event_hash(self.key, prev, values)
            chained.append({**values, "data": json.dumps(data, ensure_ascii=False), "prev_hash": prev,
                            "hash": digest, "hash_scheme": int(HashScheme.HMAC_SHA256)})
            prev = digest
        return chained

    def _put(self, name: str, values: dict[str, Any]) -> None:
        columns = self.columns.setdefault(name, list(values))
        self.rows[name].append(tuple(values.get(c) for c in columns))

    def flush(self, engine: Engine) -> int:
        """Write what was gathered, one COPY per table in one transaction; answers the rows written."""
        written = 0
        raw = engine.raw_connection()
        driver: Any = raw.driver_connection  # psycopg's own connection: its cursor speaks COPY
        try:
            with driver.cursor() as cursor:
                for name in CASE_TABLES:
                    rows = self.rows[name]
                    if not rows:
                        continue
                    columns = ", ".join(f'"{c}"' for c in self.columns[name])
                    with cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                    written += len(rows)
                    rows.clear()
            driver.commit()
        finally:
            raw.close()
        return written


def _swapped(value: str, pairs: Sequence[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old in value:
            value = value.replace(old, new)
    return value
