"""``onething generate``'s writing: the copies planned in one process (which template, id, number and
week each takes, so that no two collide), then written by one or more processes, each with its own
database connection, a batch of copies per COPY round (``case_copies``). Only the copies of the last
``RECENT_WEEKS`` may be of running cases: older ones are of finished cases, as in a live database."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Engine, create_engine, text

from engine.domain.clocks import SHANGHAI
from engine.persistence.case_copies import (
    CASE_TABLES,
    Copy,
    CopyWriter,
    Template,
    next_serials,
    read_templates,
    reserve_case_ids,
    save_serials,
)

FINISHED = ("closed", "terminated")
RECENT_WEEKS = 2

People = Callable[[random.Random], Mapping[str, str]]


@dataclass(frozen=True)
class Generated:
    cases: int
    rows: int
    seconds: float
    case_bytes: int
    """Bytes the case tables take on disk (with their indexes and TOAST) after the run."""
    total_cases: int


@dataclass(frozen=True)
class Planned:
    template: int
    case_id: int
    number: str
    weeks: int


@dataclass
class _Job:
    """What every writer needs; a forked worker inherits it."""

    templates: list[Template]
    url: str
    key: bytes
    people: People
    seed: int
    engine: Engine | None = None


_JOB: _Job | None = None


def case_table_bytes(conn: Connection) -> int:
    return sum(int(conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": name}).scalar_one())
               for name in CASE_TABLES)


def plan_copies(templates: list[Template], count: int, first_id: int, serials: Mapping[tuple[str, str], int],
                weeks_back: int, rng: random.Random) -> tuple[list[Planned], dict[tuple[str, str], int]]:
    """Which template, case id, number and week each copy takes; and the last number of each prefix
    and day the copies use. Ids and numbers follow the copies' acceptance times, and the batches are
    written in that order, so that the tables hold their rows in the order a database that grew day by
    day would: a month's cases on neighbouring pages, not spread over the whole heap."""
    finished = [n for n, t in enumerate(templates) if t.rows["cases"][0]["status"] in FINISHED]
    everyone = list(range(len(templates)))
    drawn: list[tuple[int, int]] = []
    for n in range(count):
        weeks = rng.randint(0, weeks_back)
        pool = everyone if weeks <= RECENT_WEEKS or not finished else finished
        drawn.append((pool[n % len(pool)], weeks))
    accepted = {pick: templates[pick[0]].accepted_at - timedelta(weeks=pick[1]) for pick in set(drawn)}
    drawn.sort(key=lambda pick: (accepted[pick], pick[0]))
    used: dict[tuple[str, str], int] = {}
    planned: list[Planned] = []
    for n, (index, weeks) in enumerate(drawn):
        template = templates[index]
        day = accepted[(index, weeks)].astimezone(SHANGHAI).strftime("%Y%m%d")
        serial = max(serials.get((template.prefix, day), 1), used.get((template.prefix, day), 0) + 1)
        used[(template.prefix, day)] = serial
        planned.append(Planned(index, first_id + n, f"{template.prefix}-{day}-{serial:05d}", weeks))
    return planned, used


def _write(chunk: tuple[int, list[Planned]]) -> int:
    """Write one batch of planned copies (in whichever process runs it); answers the rows written."""
    job = _JOB
    assert job is not None
    if job.engine is None:  # a process's own connections, never its parent's
        job.engine = create_engine(job.url, pool_size=1)
    rng = random.Random(job.seed * 1_000_003 + chunk[0])
    writer = CopyWriter(job.key)
    for planned in chunk[1]:
        writer.add(job.templates[planned.template],
                   Copy(planned.case_id, planned.number, job.people(rng), timedelta(weeks=-planned.weeks)))
    return writer.flush(job.engine)


def generate(engine: Engine, key: bytes, count: int, people: People, weeks_back: int, seed: int,
             batch: int = 2000, progress: Callable[[int, int], None] | None = None, workers: int = 1,
             templates_limit: int = 440) -> Generated:
    """``count`` copies of the database's cases, spread over ``weeks_back`` weeks before their
    templates' days (whole weeks: weekdays stay weekdays); ``people(rng)`` makes each copy's
    applicant (name, id_number, phone, address, entity_name, credit_code); ``workers`` processes write;
    the database's first ``templates_limit`` cases are the templates (a second run copies the same)."""
    global _JOB
    started = time.monotonic()
    with engine.connect() as conn:
        templates = read_templates(conn, templates_limit)
    if not templates:
        raise ValueError("the database holds no case to copy: run `onething simulate` on it first")
    with engine.begin() as conn:
        first = reserve_case_ids(conn, count)
        serials = next_serials(conn)
    planned, used = plan_copies(templates, count, first, serials, weeks_back, random.Random(seed))
    chunks = [(n, planned[start:start + batch]) for n, start in enumerate(range(0, count, batch))]
    _JOB = _Job(templates, engine.url.render_as_string(hide_password=False), key, people, seed)
    rows = done = 0
    try:
        if workers <= 1:
            _JOB.engine = engine
            for chunk in chunks:
                rows += _write(chunk)
                done += len(chunk[1])
                if progress is not None:
                    progress(done, count)
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for chunk, written in zip(chunks, pool.imap(_write, chunks), strict=True):
                    rows += written
                    done += len(chunk[1])
                    if progress is not None:
                        progress(done, count)
    finally:
        _JOB = None
    with engine.begin() as conn:
        save_serials(conn, used)
    # The planner's statistics, and the visibility map a database that lived through those years would
    # have (autovacuum's work): without it an index-only scan reads the rows too, and is not chosen.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE) {', '.join(CASE_TABLES)}"))
    with engine.begin() as conn:
        total = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        size = case_table_bytes(conn)
    return Generated(count, rows, time.monotonic() - started, size, total)
