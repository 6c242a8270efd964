"""A bundle's published before/after figures: "before" and "after" always from one entry (one
source), and a published baseline only from an entry that has both (DOMAIN.md)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.domain.model import Bundle, Item
from engine.domain.savings import compute_baseline
from engine.domain.savings_published import published_baseline, published_figures
from engine.domain.savings_rules import CountingRules

ITEMS = (Item("a", "甲", "scjg", 10, 5, steps_alone=4), Item("b", "乙", "scjg", 20, 8, steps_alone=4))
EVERY_FIGURE = CountingRules(published_baselines=frozenset({"trips", "steps", "time_days", "materials", "fields"}))


def bundle(*published: dict[str, Any]) -> Bundle:
    return Bundle("b", "某一件事", "B", ITEMS, {"scjg": "市场监管"}, published=published)


def test_a_before_without_its_own_after_is_no_baseline() -> None:
    """The defect: the first entry with a "before" was taken, although its source published no
    "after"; the report then set it against another source's "after"."""
    b = bundle({"figure": "time", "before": 60, "unit": "wd", "place": "甲地"},  # no after
               {"figure": "time", "before": None, "after": 3, "unit": "wd", "place": "乙地"},
               {"figure": "time", "before": 30, "after": 6, "unit": "wd", "place": "丙地"})
    baseline = compute_baseline(b, EVERY_FIGURE)
    assert baseline.time_days == 30 and baseline.sources["time_days"] == "published: 丙地"
    entry = published_baseline(b, "time_days")
    assert entry is not None and (entry.before, entry.after, entry.place) == (30, 6, "丙地")


def test_without_a_paired_entry_the_baseline_is_the_items_sum() -> None:
    b = bundle({"figure": "steps", "before": 17, "place": "甲地"},  # before only
               {"figure": "steps", "after": 2, "place": "乙地"},  # after only
               {"figure": "time", "before": 72, "after": 3, "unit": "h", "place": "丙地"},  # hours
               {"figure": "trips", "reduction": 0.8, "place": "丁地"})  # a reduction only
    baseline = compute_baseline(b, EVERY_FIGURE)
    assert (baseline.steps, baseline.time_days, baseline.trips) == (8, 13, 4)
    assert set(baseline.sources.values()) == {"items"}


def test_each_entry_shows_its_own_before_after_and_reduction() -> None:
    b = bundle({"figure": "form_fields", "before": 100, "after": 58, "reduction": 0.5, "place": "甲地"},
               {"figure": "materials", "reduction": 0.5143, "place": "乙地"},
               {"figure": "licence_count", "before": 3, "after": 1, "place": "丙地"})  # not one of ours
    shown = published_figures(b)
    assert [(p.figure, p.before, p.after, p.place) for p in shown] == [
        ("fields", 100, 58, "甲地"), ("materials", None, None, "乙地")]
    # The reduction of an entry with both figures is theirs, not a number published beside them.
    assert shown[0].reduction == pytest.approx(0.42) and shown[1].reduction == pytest.approx(0.5143)
    assert shown[0].paired and not shown[1].paired
