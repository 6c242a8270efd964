"""The deferred-write batch's literals (engine/persistence/literals.py): statements cut at their
bind markers, and values written as PostgreSQL reads them back. No database: what PostgreSQL makes
of them is tests/integration/test_literals_on_postgres.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest

from engine.persistence.literals import Template, literal, quote


class Status(StrEnum):
    OPEN = "open"


def refuse(value: Any) -> str:
    raise AssertionError(f"no fallback expected for {value!r}")


def test_a_template_writes_each_value_where_its_marker_was_and_unescapes_percent_signs() -> None:
    template = Template("UPDATE t SET a=%(a)s, b=%(b_1)s WHERE c LIKE 'x%%' AND d=%(a)s")
    assert template.names == ("a", "b_1", "a")
    sql = template.render({"a": 5, "b_1": "it's"}, refuse)
    assert sql == "UPDATE t SET a=5, b='it''s' WHERE c LIKE 'x%' AND d=5"


def test_a_template_without_markers_is_its_text() -> None:
    assert Template("SELECT 1 %% 2").render({}, refuse) == "SELECT 1 % 2"


def test_a_missing_value_is_an_error_not_an_empty_literal() -> None:
    with pytest.raises(KeyError):
        Template("SELECT %(a)s").render({}, refuse)


@pytest.mark.parametrize(("value", "sql"), [
    (None, "NULL"),
    (True, "true"),
    (False, "false"),
    (42, "42"),
    (-7, "-7"),
    (1.5, "1.5"),
    (float("nan"), "'NaN'::float"),
    (float("-inf"), "'-Infinity'::float"),
    (Decimal("12.50"), "12.50"),
    (date(2026, 12, 2), "'2026-12-02'::date"),
    (datetime(2026, 12, 2, 3, 0, 1, 5, tzinfo=UTC), "'2026-12-02T03:00:01.000005+00:00'::timestamptz"),
    (datetime(2026, 12, 2, 3, 0), "'2026-12-02T03:00:00'::timestamp"),
    (time(9, 30), "'09:30:00'::time"),
    (Status.OPEN, "'open'"),
    ("开办餐饮店", "'开办餐饮店'"),
    ("O'Brien", "'O''Brien'"),
    ("C:\\path\\'x'", "E'C:\\\\path\\\\''x'''"),
])
def test_values_are_written_as_postgresql_literals(value: Any, sql: str) -> None:
    assert literal(value, refuse) == sql


def test_other_types_go_to_the_fallback() -> None:
    class Point:
        pass

    point = Point()
    assert literal(point, lambda v: "FALLBACK" if v is point else "?") == "FALLBACK"
    assert literal(b"\x00\x01", lambda v: "BYTES") == "BYTES"


def test_a_quote_cannot_end_the_literal_early() -> None:
    attack = "x'); DROP TABLE cases; --"
    written = quote(attack)
    assert written == "'x''); DROP TABLE cases; --'"
    assert written[1:-1].replace("''", "") .count("'") == 0


def test_a_nul_character_is_refused_as_the_driver_refuses_it() -> None:
    with pytest.raises(ValueError, match="NUL"):
        quote("a\x00b")
