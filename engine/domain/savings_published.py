"""A bundle's published before/after figures (``published`` in bpmn/<code>/bundle.json): regional
numbers, each entry one source's. Plain Python: no I/O.

DOMAIN.md: "A bundle's published before and after figures come from one source each; never set one
source's 'before' against another's 'after'." So "before" and "after" are only ever read from the
same entry, a reduction shown for an entry is that entry's own, and an entry may stand for a
figure's baseline (the ``published_baselines`` counting rule) only when it has both a "before" and
an "after", as numbers, in the figure's unit: a "before" whose source published no "after" could
only be set against somebody else's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.domain.model import Bundle

PUBLISHED_FIGURE_NAMES: Mapping[str, str] = {
    "trips": "trips", "steps": "steps", "time_days": "time", "materials": "materials", "fields": "form_fields",
}
"""Our figure name -> the ``figure`` name a bundle's ``published`` entries use (bpmn/catalogue/FORMAT.md)."""

WORKING_DAYS = "wd"
"""The unit of a published time figure comparable with ours (the default when an entry names none)."""


def _number(value: Any) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else float(value)


@dataclass(frozen=True)
class PublishedFigure:
    """One published entry, named as our figure."""

    figure: str
    before: float | None
    after: float | None
    unit: str | None
    """As the entry gives it (``wd`` working days, ``h`` hours; figures other than time give none)."""
    published_reduction: float | None
    """A reduction the source published on its own (without before and after figures)."""
    place: str
    source: str | None

    @property
    def paired(self) -> bool:
        """Both a "before" and an "after" from this source, in a unit our figure is counted in."""
        comparable = self.figure != "time_days" or (self.unit or WORKING_DAYS) == WORKING_DAYS
        return self.before is not None and self.after is not None and comparable

    @property
    def reduction(self) -> float | None:
        """1 − after / before of this entry; else the reduction the source published."""
        if self.before is not None and self.after is not None and self.before > 0:
            return round(1 - self.after / self.before, 4)
        return self.published_reduction

    @property
    def baseline_source(self) -> str:
        """How a baseline taken from this entry is named in ``baseline_sources``."""
        return f"published: {self.place}" if self.place else "published"


def published_figures(bundle: Bundle) -> tuple[PublishedFigure, ...]:
    """The bundle's published entries for our figures, in the bundle's order."""
    ours = {theirs: name for name, theirs in PUBLISHED_FIGURE_NAMES.items()}
    found = []
    for entry in bundle.published:
        figure = ours.get(str(entry.get("figure")))
        if figure is None:
            continue
        unit = entry.get("unit")
        found.append(PublishedFigure(
            figure=figure, before=_number(entry.get("before")), after=_number(entry.get("after")),
            unit=None if unit is None else str(unit), published_reduction=_number(entry.get("reduction")),
            place=str(entry.get("place") or ""), source=None if entry.get("source") is None else str(entry["source"])))
    return tuple(found)


def published_baseline(bundle: Bundle, figure: str) -> PublishedFigure | None:
    """The first entry for ``figure`` with its own "before" and "after" (time in working days)."""
    return next((p for p in published_figures(bundle) if p.figure == figure and p.paired), None)
