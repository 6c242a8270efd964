"""Prepared statements on PostgreSQL (engine/persistence/prepared.py): a statement the process has
sent before goes as EXECUTE of its prepared form, with the same results, row counts and errors; one
the server cannot prepare goes as text without harming its transaction; a rollback keeps what was
prepared, a new connection prepares afresh."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from engine.persistence import batch, prepared
from engine.persistence import tables as t
from engine.persistence.database import make_engine
from engine.persistence.migrate import upgrade
from engine.persistence.prepared import STATEMENTS
from tests.integration.test_lost_connections import kill_other_connections

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"  # SQLite has no prepared statements to keep


@pytest.fixture
def pg(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine of one connection, in a process that has sent none of its statements before."""
    monkeypatch.setattr(STATEMENTS, "_known", {})
    monkeypatch.setattr(STATEMENTS, "_by_name", {})
    upgrade(db_url)
    engine = make_engine(db_url, pool_size=1)
    yield engine
    engine.dispose()


def sent_statements(engine: Engine) -> list[str]:
    sent: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    return sent


def prepared_here(conn: Any) -> set[str]:
    rows = conn.exec_driver_sql("SELECT name FROM pg_prepared_statements").all()
    return {r[0] for r in rows}


_COUNT = select(t.case_events.c.seq).where(t.case_events.c.case_id == bindparam("case"))


def test_a_repeated_statement_is_executed_prepared_with_the_same_results(pg: Engine) -> None:
    sent = sent_statements(pg)
    with pg.connect() as conn:
        answers = [conn.execute(_COUNT, {"case": n}).all() for n in range(prepared.THRESHOLD + 2)]
        names = prepared_here(conn)
    assert answers == [[] for _ in answers]
    assert [s.startswith("EXECUTE onething_") for s in sent[:-1]] == \
        [False] * (prepared.THRESHOLD - 1) + [True] * 3
    name = sent[-2].split("(")[0].removeprefix("EXECUTE ")
    assert name in names
    assert "FROM case_events" in STATEMENTS.expand(sent[-2])


def test_an_executed_update_reports_its_own_row_count(pg: Engine) -> None:
    counters = t.case_number_counters
    bump = update(counters).where(counters.c.prefix == "P", counters.c.last_value == bindparam("_v")) \
        .values(last_value=bindparam("_v") + 1)
    with pg.begin() as conn:
        conn.execute(insert(counters).values(prefix="P", day="20261202", last_value=1))
        counts = [conn.execute(bump, {"_v": v}).rowcount for v in (1, 1, 2, 7)]
    assert counts == [1, 0, 1, 0]


def test_a_statement_the_server_cannot_prepare_goes_as_text_and_its_transaction_goes_on(pg: Engine) -> None:
    odd = text("SELECT :x IS NULL AS empty")  # no type the server could give the parameter
    sent = sent_statements(pg)
    with pg.begin() as conn:
        conn.execute(insert(t.case_number_counters).values(prefix="P", day="20261202", last_value=1))
        answers = [conn.execute(odd, {"x": v}).scalar_one() for v in (None, 1, None, "a")]
    assert answers == [True, False, True, False]
    assert not any(s.startswith("EXECUTE") for s in sent if "IS NULL" in STATEMENTS.expand(s))
    with pg.connect() as conn:  # the write before the refusal was committed
        counters = t.case_number_counters
        assert conn.execute(select(counters.c.last_value).where(counters.c.prefix == "P")).scalar_one() == 1


def test_what_was_prepared_outlives_a_rollback_and_errors_stay_the_statements_own(pg: Engine) -> None:
    row = {"prefix": "Q", "day": "20261202", "last_value": 1}
    put = insert(t.case_number_counters)
    with pg.connect() as conn:
        for day in ("20261201", "20261130"):
            conn.execute(put, {**row, "day": day})
        conn.rollback()
        conn.execute(put, row)
        with pytest.raises(IntegrityError):
            conn.execute(put, row)  # the key taken: the prepared statement fails as the text would
        conn.rollback()
        conn.execute(put, row)
        conn.commit()
        assert len([n for n in prepared_here(conn) if n.startswith("onething_")]) >= 1
    with pg.connect() as conn:
        counters = t.case_number_counters
        days = conn.execute(select(counters.c.day).where(counters.c.prefix == "Q")).all()
    assert days == [("20261202",)]


def test_a_new_connection_prepares_afresh(pg: Engine) -> None:
    with pg.connect() as conn:
        for n in range(3):
            conn.execute(_COUNT, {"case": n})
        conn.invalidate()  # the pool's connection is closed: the next one has nothing prepared
    sent = sent_statements(pg)
    with pg.connect() as conn:
        assert not any(n.startswith("onething_") for n in prepared_here(conn))
        conn.execute(_COUNT, {"case": 1})
        assert sent[-1].startswith("EXECUTE onething_")
        assert any(n.startswith("onething_") for n in prepared_here(conn))


def test_a_connection_with_too_many_prepared_statements_forgets_them(pg: Engine,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepared, "PER_CONNECTION", 3)
    with pg.connect() as conn:
        for column in ("seq", "type", "hash", "actor_user", "prev_hash"):
            query = select(t.case_events.c[column]).where(t.case_events.c.case_id == bindparam("case"))
            for n in range(prepared.THRESHOLD):
                conn.execute(query, {"case": n})
        assert 1 <= len([n for n in prepared_here(conn) if n.startswith("onething_")]) <= 3


def test_a_connection_lost_at_a_deferred_writes_prepare_fails_as_sqlalchemy_reports_it(
        pg: Engine, db_url: str) -> None:
    """The deferred write is prepared on the driver's own cursor: a backend gone by then is
    reported as SQLAlchemy reports a lost connection (so that the request starts over on a fresh
    one, or answers 503), never as a raw driver error."""
    counters = t.case_number_counters
    put = insert(counters)
    with pg.begin() as conn:
        for n in range(prepared.THRESHOLD - 1):  # sent often enough to be prepared next time
            batch.defer(conn, put, {"prefix": "L", "day": f"2026120{n}", "last_value": 1})
    with pg.connect() as conn:
        conn.execute(select(counters.c.day).where(counters.c.prefix == "L")).all()  # on a live backend
        kill_other_connections(db_url)
        with pytest.raises(DBAPIError) as raised:
            batch.defer(conn, put, {"prefix": "L", "day": "20261209", "last_value": 1})
        assert raised.value.connection_invalidated
    with pg.connect() as conn:  # the pool hands out a live connection again
        days = conn.execute(select(counters.c.day).where(counters.c.prefix == "L")).scalars().all()
    assert len(days) == prepared.THRESHOLD - 1


def test_with_prepared_statements_off_everything_goes_as_text(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a pooler in transaction mode (ONETHING_PREPARED_STATEMENTS=0) nothing is prepared."""
    monkeypatch.setattr(STATEMENTS, "_known", {})
    upgrade(db_url)
    engine = make_engine(db_url, pool_size=1, prepared_statements=False)
    sent = sent_statements(engine)
    try:
        with engine.begin() as conn:
            for n in range(prepared.THRESHOLD + 2):
                conn.execute(_COUNT, {"case": n}).all()
                row = {"prefix": "T", "day": f"2026120{n}", "last_value": 1}
                batch.defer(conn, insert(t.case_number_counters), row)
            names = prepared_here(conn)
    finally:
        engine.dispose()
    assert not any(n.startswith("onething_") for n in names)
    assert not any("EXECUTE onething_" in s for s in sent)
    assert any("INSERT INTO case_number_counters" in s for s in sent)


def test_a_streamed_query_is_declared_as_text(pg: Engine) -> None:
    """psycopg2 declares a server-side cursor for streamed results (``yield_per``), and DECLARE
    cannot take an EXECUTE: such a statement stays as it is, however often it is sent."""
    counters = t.case_number_counters
    with pg.begin() as conn:
        conn.execute(insert(counters), [{"prefix": "S", "day": f"202612{d:02d}", "last_value": d} for d in range(1, 6)])
    streamed = (select(counters.c.last_value).where(counters.c.prefix == bindparam("prefix"))
                .order_by(counters.c.day).execution_options(yield_per=2))
    with pg.connect() as conn:
        for _ in range(prepared.THRESHOLD + 2):
            with conn.execute(streamed, {"prefix": "S"}) as result:
                assert [r[0] for r in result] == [1, 2, 3, 4, 5]
