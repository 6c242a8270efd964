"""What PostgreSQL reads from the deferred-write batch's literals (engine/persistence/literals.py):
each value comes back as it went in, and as psycopg2's own ``mogrify`` would have sent it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.domain.model import TaskState
from engine.persistence.database import make_engine
from engine.persistence.literals import literal

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"  # the literals are PostgreSQL's: SQLite runs every write at once


@pytest.fixture
def pg(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


AWKWARD: list[Any] = [
    None, True, False, 0, -(2**40), 3.25, Decimal("-12.340"),
    date(2026, 10, 1), datetime(2026, 12, 2, 3, 4, 5, 678901, tzinfo=UTC),
    datetime(2026, 12, 2, 11, 4, 5, tzinfo=timezone(timedelta(hours=8))),
    "", "O'Brien", "back\\slash", "\\'", "''\\\\", "line\nbreak\ttab", "开办餐饮店一件事 — “引号”",
    "emoji 🍜", TaskState.CLAIMED, "$1 %s %(x)s %%", '{"json": "with \\"quotes\\" and \\\\"}',
]


@pytest.mark.parametrize("value", AWKWARD, ids=repr)
def test_a_literal_reads_back_as_its_value_and_as_the_driver_writes_it(pg: Engine, value: Any) -> None:
    with pg.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor: Any = raw.cursor()
        driver = cursor.mogrify("%s", (value,)).decode("utf-8")
        ours = literal(value, lambda v: pytest.fail(f"fallback for {v!r}"))
        cursor.execute(f"SELECT {ours}, {driver}, ({ours}) IS NOT DISTINCT FROM ({driver})")
        mine, theirs, same = cursor.fetchone()
        cursor.close()
    assert same is True
    assert mine == theirs == value


def test_standard_conforming_strings_off_reads_the_same(pg: Engine) -> None:
    with pg.connect() as conn:
        conn.execute(text("SET standard_conforming_strings = off"))
        for value in ("back\\slash", "O'Brien\\'", "plain"):
            got = conn.exec_driver_sql(f"SELECT {literal(value, str)}").scalar_one()
            assert got == value
        conn.rollback()


@pytest.mark.parametrize("value", [0.1, 1e-300, -2.5e300, 1 / 3], ids=repr)
def test_a_float_literal_keeps_every_digit_in_a_float_column(pg: Engine, value: float) -> None:
    with pg.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT ({literal(value, str)})::float8").scalar_one() == value
