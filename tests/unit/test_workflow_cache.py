"""The cache of live workflows hands an entry out once, and only for the version it was stored at."""

from __future__ import annotations

from typing import Any, cast

from engine.workflow.cache import WorkflowCache
from engine.workflow.case_workflow import CaseWorkflow


def wf(name: str) -> CaseWorkflow:
    return cast(Any, name)  # the cache never looks inside what it keeps


def test_an_entry_is_taken_once_at_its_version() -> None:
    cache = WorkflowCache(4)
    cache.put(1, 3, wf("a"))
    assert cache.take(1, 3) == "a"
    assert cache.take(1, 3) is None  # taken: a failed request cannot hand back a half-changed object


def test_a_newer_version_in_the_database_makes_the_entry_useless() -> None:
    cache = WorkflowCache(4)
    cache.put(1, 3, wf("a"))
    assert cache.take(1, 4) is None
    assert cache.take(1, 3) is None  # and it is gone
    assert (cache.hits, cache.misses) == (0, 2)


def test_least_recently_stored_entries_are_evicted() -> None:
    cache = WorkflowCache(2)
    for case_id in (1, 2, 3):
        cache.put(case_id, 1, wf(str(case_id)))
    assert cache.take(1, 1) is None
    assert cache.take(2, 1) == "2" and cache.take(3, 1) == "3"


def test_size_zero_keeps_nothing() -> None:
    cache = WorkflowCache(0)
    cache.put(1, 1, wf("a"))
    assert cache.take(1, 1) is None
