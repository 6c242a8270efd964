"""PostgreSQL literals for the deferred-write batch (see batch.py): the values a statement's bind
processors produced, written into its SQL the way psycopg2's ``mogrify`` writes them, for the
types the engine's tables bind. psycopg2 adapts each value through an adapter object and answers
in about 70 µs per statement in the engine's writes; these few cases in Python take a tenth of
that. Any other type goes to the driver's own adaptation (``fallback``).

A string literal doubles its quotes; one holding a backslash is written ``E'...'`` with its
backslashes doubled too, which reads the same whatever ``standard_conforming_strings`` says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

# SQLAlchemy's psycopg2 dialect writes a bind as %(name)s and a literal percent sign as %%.
_MARKER = re.compile(r"%\(([^)]*)\)s|%%")


class Template:
    """A compiled statement's SQL cut at its bind markers: ``texts[i]`` comes before the value
    named ``names[i]``, and ``texts[-1]`` ends the statement."""

    __slots__ = ("names", "texts")

    def __init__(self, sql: str) -> None:
        texts: list[str] = []
        names: list[str] = []
        pending, start = [], 0
        for marker in _MARKER.finditer(sql):
            pending.append(sql[start:marker.start()])
            start = marker.end()
            if marker.group(1) is None:
                pending.append("%")
            else:
                texts.append("".join(pending))
                names.append(marker.group(1))
                pending = []
        pending.append(sql[start:])
        texts.append("".join(pending))
        self.texts, self.names = tuple(texts), tuple(names)

    def render(self, params: Mapping[str, Any], fallback: Callable[[Any], str]) -> str:
        """The statement with ``params`` written in; a name missing from them is a KeyError."""
        texts = self.texts
        out = [texts[0]]
        for i, name in enumerate(self.names, 1):
            value = params[name]
            writer = _WRITERS.get(type(value))
            out.append(writer(value) if writer is not None else literal(value, fallback))
            out.append(texts[i])
        return "".join(out)


def literal(value: Any, fallback: Callable[[Any], str]) -> str:
    writer = _WRITERS.get(type(value))
    if writer is not None:
        return writer(value)
    if isinstance(value, str):  # a StrEnum member: its text, as the driver writes it
        return quote(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    return fallback(value)


def _timestamp(value: datetime) -> str:
    return f"'{value.isoformat()}'::{'timestamp' if value.tzinfo is None else 'timestamptz'}"


def _float(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return "'NaN'::float" if math.isnan(value) else f"'{'-' if value < 0 else ''}Infinity'::float"


def _time(value: time) -> str:
    return f"'{value.isoformat()}'::{'time' if value.tzinfo is None else 'timetz'}"


def quote(text: str) -> str:
    if "\x00" in text:
        # As psycopg2 says: PostgreSQL text cannot hold the character.
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    if "\\" in text:
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + text.replace("'", "''") + "'"


_WRITERS: dict[type, Callable[[Any], str]] = {
    str: quote,
    type(None): lambda _: "NULL",
    bool: lambda v: "true" if v else "false",
    int: str,
    float: _float,
    datetime: _timestamp,
    date: lambda v: f"'{v.isoformat()}'::date",
    time: _time,
}
