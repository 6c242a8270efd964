"""Figures summed per Asia/Shanghai day for the reports and the supervision board (issue 30), so
that a report over three years reads a row per day and kind, not a row per case.

A day is summed once it is over (``day_rollups.seal_days``, run by the ticker): its rows never change
afterwards, because what they count is final when written — an approval's completion, a case's
acceptance, closing and rating, a closed case's savings. The days after the last sealed one are read
from the case tables themselves, so every figure is current. ``rollup_seals`` says, per roll-up, the
last day sealed."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, Integer, PrimaryKeyConstraint, String, Table

from engine.domain.savings import FIGURES
from engine.persistence.tables.types import metadata

rollup_seals = Table(
    "rollup_seals", metadata,
    Column("name", String(32), primary_key=True),
    Column("sealed_through", Date, nullable=True),
)

# The supervision board's on-time rate: approvals completed per day and department, and how many of
# them by the end of their due day.
approval_days = Table(
    "approval_days", metadata,
    Column("day", Date, nullable=False),
    Column("department", String(32), nullable=False),
    Column("completed", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    PrimaryKeyConstraint("day", "department"),
)

# The leaders' figures per day: for each bundle and accepting point (``department`` ''), and for each
# department (``bundle_code`` and ``point`` ''): cases accepted, closed and closed by their due day
# that day, and the ratings given that day and how many satisfied (a department's: those naming it).
case_days = Table(
    "case_days", metadata,
    Column("day", Date, nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("point", String(32), nullable=False),
    Column("department", String(32), nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Column("closed_on_time", Integer, nullable=False),
    Column("ratings", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    PrimaryKeyConstraint("day", "bundle_code", "point", "department"),
)

# The cases closed, by the day each was accepted and the day it closed: 办结率 of any stretch of days
# counts those accepted in it and closed by its end. Sealed by the closing day.
case_spans = Table(
    "case_spans", metadata,
    Column("accepted_day", Date, nullable=False),
    Column("closed_day", Date, nullable=False),
    Column("cases", Integer, nullable=False),
    PrimaryKeyConstraint("accepted_day", "closed_day"),
)

SAVINGS_SUMS = (
    "cases",
    *(f"{name}_{part}" for name in FIGURES for part in ("baseline", "actual", "reduction", "reductions")),
    "share_sum", "shares", "half_prefilled", "prefillable_sum", "prefillable_cases", "of_prefillable_sum",
    "of_prefillable_shares", "shared_sum", "shared_cases", "elicence_sum", "elicence_cases",
)
"""The sums and counts of ``savings_days``, in the order the savings report's totals are read."""

# Summed per month, not per day: a day's closed cases spread over too many bundles, points, channels and
# values for its rows to be fewer than the cases; a month's are. The savings report reads the months
# inside its period from here and the days at its ends from ``case_savings``.
# The savings report's sums and counts of the cases closed per month, bundle, channel and delivery: for
# each accepting point (``department`` ''), and for each department the cases had an item of (``point``
# ''); and how many of them had each actual value of each figure (the distributions), for all the
# cases (``department`` '') and per department.
savings_days = Table(
    "savings_days", metadata,
    Column("month", Date, nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("point", String(32), nullable=False),
    Column("department", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("result_delivery", String(16), nullable=False),
    *(Column(name, Float if name.endswith(("_sum", "_baseline", "_actual", "_reduction")) else Integer,
             nullable=False) for name in SAVINGS_SUMS),
    PrimaryKeyConstraint("month", "bundle_code", "point", "department", "channel", "result_delivery"),
)

savings_value_days = Table(
    "savings_value_days", metadata,
    Column("month", Date, nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("department", String(32), nullable=False),
    Column("figure", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("cases", Integer, nullable=False),
    PrimaryKeyConstraint("month", "bundle_code", "department", "figure", "value"),
)
