"""What the inbox marks: the running cases whose comments (会商意见) ask a department to read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from engine.domain.comments import COMMENT_ADDED
from engine.domain.model import CaseStatus
from engine.persistence import tables as t


@dataclass(frozen=True)
class Mentions:
    case_number: str
    count: int
    last_at: datetime


def mentions_in_running_cases(conn: Connection, department: str) -> list[Mentions]:
    """Per running case (not closed or terminated), how many of its comments name ``department``,
    newest first. The comments are few beside a case's other events; the mention is read from
    each comment's data here, the same on SQLite and PostgreSQL (JSON, not JSONB operators)."""
    running = [s.value for s in CaseStatus if not s.is_finished]
    rows = conn.execute(
        select(t.cases.c.number, t.case_events.c.data, t.case_events.c.occurred_at)
        .join(t.cases, t.cases.c.id == t.case_events.c.case_id)
        .where(t.case_events.c.type == COMMENT_ADDED, t.cases.c.status.in_(running))
        .order_by(t.case_events.c.case_id, t.case_events.c.seq))
    found: dict[str, tuple[int, datetime]] = {}
    for number, data, occurred_at in rows:
        if department in (data.get("mention") or ()):
            found[number] = (found.get(number, (0, occurred_at))[0] + 1, occurred_at)
    marks = [Mentions(number, count, last) for number, (count, last) in found.items()]
    return sorted(marks, key=lambda m: m.last_at, reverse=True)
