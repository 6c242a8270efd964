"""The port every source of shared data implements (see ``shared_data``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.domain.registries import LookupOutcome


@dataclass(frozen=True)
class Ask:
    """One lookup: the records of ``kind`` about ``subject``, for these attributes."""

    kind: str
    subject: str
    attributes: tuple[str, ...]


class RegistrySource(Protocol):
    name: str
    """What the audit names the source by (``embedded``, ``http``)."""

    def lookup(self, asks: Sequence[Ask]) -> list[LookupOutcome]:
        """One outcome per ask, in order. A source that cannot answer an ask says so in its outcome
        (``unavailable``) instead of raising: the window then types what it would have filled."""
        ...
