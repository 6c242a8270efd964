"""The embedded registries: records kept in the engine's own database (imported by administrators
from CSV or XLSX files, ``registry_import``), answered in one statement per intake."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from engine.domain.registries import Ask, LookupOutcome
from engine.services.unit_of_work import UnitOfWork


class EmbeddedRegistries:
    name = "embedded"

    def __init__(self, uow: Callable[..., UnitOfWork]) -> None:
        self._uow = uow

    def lookup(self, asks: Sequence[Ask]) -> list[LookupOutcome]:
        if not asks:
            return []
        started = time.perf_counter()
        with self._uow(False) as uow:
            found = uow.registries.find([(a.kind, a.subject) for a in asks])
        each = (time.perf_counter() - started) * 1000 / len(asks)
        return [LookupOutcome(a.kind, a.subject, self.name, found.get((a.kind, a.subject), []), None, each)
                for a in asks]
