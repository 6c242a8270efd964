"""Every order of the case list and its department filter are read from an index, with no sort of
the table, on both databases: the plan is asked for (PostgreSQL with sorting priced out, so that a
plan with a Sort node means no index can give the order; SQLite's query plan), not timed. Fails
without migration 0021's indexes (the default order, the due day, a department's list)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from engine.bootstrap import OneThingEngine
from engine.persistence import tables as t
from engine.persistence.case_search import SORTS, CaseCriteria, _conditions, _order

FULL_SORT = re.compile(r"(^|-> +)Sort +\(", re.MULTILINE)
CRITERIA = {"all": CaseCriteria(), "status": CaseCriteria(status="in_review"),
            "bundle": CaseCriteria(bundle_code="restaurant"), "department": CaseCriteria(department="scjg")}


def plan(engine: OneThingEngine, criteria: CaseCriteria, sort: str, descending: bool) -> str:
    query = (select(t.cases).where(*_conditions(criteria)).order_by(*_order(sort, descending)).limit(50))
    sql = str(query.compile(engine.db, compile_kwargs={"literal_binds": True}))
    with engine.db.connect() as conn:
        if engine.db.dialect.name == "postgresql":
            conn.execute(text("SET enable_sort = off"))
            conn.execute(text("SET enable_seqscan = off"))
            return "\n".join(str(r[0]) for r in conn.execute(text(f"EXPLAIN {sql}")))
        return "\n".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_each_order_is_an_index_read(engine: OneThingEngine, sort: str, descending: bool) -> None:
    for name, criteria in CRITERIA.items():
        if name != "all" and sort != "accepted_at":
            continue  # the filters are checked with the default order
        found = plan(engine, criteria, sort, descending)
        # An Incremental Sort over an index's presorted key only orders the ties; a Sort node sorts it all.
        assert not FULL_SORT.search(found) and "TEMP B-TREE" not in found, (name, sort, descending, found)
