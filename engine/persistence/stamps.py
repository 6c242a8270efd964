"""Staleness stamps of the reference data that processes cache (the catalogue, the working-day
calendar), all read in one statement: a transaction that opens a task needs both, and each read
is a round trip. A write transaction reads them with its bundle's row (``FlowRepository``)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from engine.persistence import tables as t

CATALOGUE = (
    select(func.count()).select_from(t.catalogue_entries).scalar_subquery(),
    select(func.max(t.catalogue_entries.c.updated_at)).scalar_subquery(),
)
CALENDAR = (
    select(func.count()).select_from(t.calendar_overrides).scalar_subquery(),
    select(func.max(t.calendar_overrides.c.created_at)).scalar_subquery(),
    select(func.count()).select_from(t.calendar_years).scalar_subquery(),
    select(func.max(t.calendar_years.c.confirmed_at)).scalar_subquery(),
)
STAMP_COLUMNS = (*CATALOGUE, *CALENDAR)
"""Columns that another query may add to read the stamps along (see ``ReferenceStamps.take``)."""
_BOTH = select(*STAMP_COLUMNS)


def stamp_of(values: tuple[object, ...]) -> str:
    return ":".join(str(v) for v in values)


class ReferenceStamps:
    """The stamps as one statement of this transaction read them, read on first use."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._read: tuple[str, str] | None = None

    def catalogue(self) -> str:
        return self._both()[0]

    def calendar(self) -> str:
        return self._both()[1]

    @property
    def read(self) -> bool:
        return self._read is not None

    def take(self, values: tuple[object, ...]) -> None:
        """The stamps as another statement of this transaction read them (``STAMP_COLUMNS``, in order)."""
        if self._read is None:
            self._read = stamp_of(values[:len(CATALOGUE)]), stamp_of(values[len(CATALOGUE):])

    def _both(self) -> tuple[str, str]:
        if self._read is None:
            self.take(tuple(self.conn.execute(_BOTH).one()))
        assert self._read is not None
        return self._read
