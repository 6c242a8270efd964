"""Savings (四减一优) of closed cases and the departments each involved, for the savings reports."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table

from engine.persistence.tables.types import UtcDateTime, metadata

# Savings of each closed case (四减一优), written in the transaction that closes it, so that reports
# read figures and never recompute them from events. One baseline, actual and reduction column per
# figure (engine.domain.savings.FIGURES); the reduction is null without a baseline.
case_savings = Table(
    "case_savings", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True, autoincrement=False),
    Column("case_number", String(40), nullable=False),
    Column("bundle_code", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("result_delivery", String(16), nullable=False),
    Column("accepted_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=False, index=True),
    # The point that accepted the case, copied as it closes: a report for a point reads no case row.
    Column("accepted_point", String(32), nullable=True),
    Column("trips_baseline", Integer, nullable=False),
    Column("trips_actual", Integer, nullable=False),
    Column("trips_reduction", Float, nullable=True),
    Column("steps_baseline", Integer, nullable=False),
    Column("steps_actual", Integer, nullable=False),
    Column("steps_reduction", Float, nullable=True),
    Column("time_days_baseline", Float, nullable=False),
    Column("time_days_actual", Float, nullable=False),
    Column("time_days_reduction", Float, nullable=True),
    # The actual time is the working days elapsed to results ready minus those paused.
    Column("time_elapsed_days", Float, nullable=False),
    Column("time_paused_days", Float, nullable=False),
    Column("materials_baseline", Integer, nullable=False),
    Column("materials_actual", Integer, nullable=False),
    Column("materials_reduction", Float, nullable=True),
    Column("fields_baseline", Integer, nullable=False),
    Column("fields_actual", Integer, nullable=False),
    Column("fields_reduction", Float, nullable=True),
    Column("fields_prefilled_share", Float, nullable=True),
    # Pre-fill measured per field: how many fields a data source could fill, the share of those
    # pre-filled, and per field whether it was (null for cases measured before, migration 0017).
    Column("fields_prefillable", Integer, nullable=True),
    Column("fields_prefilled_of_prefillable", Float, nullable=True),
    Column("prefill_fields", JSON, nullable=True),
    # Materials replaced by a registry record (共享核验) and by an e-licence (null before 0025).
    Column("materials_shared", Integer, nullable=True),
    Column("materials_elicence", Integer, nullable=True),
    Column("fees_baseline", Float, nullable=False),
    Column("fees_actual", Float, nullable=False),
    Column("fees_reduction", Float, nullable=True),
    Column("baseline_sources", JSON, nullable=False),
    Index(None, "bundle_code", "closed_at"),
    Index(None, "accepted_point", "closed_at"),
    # The report counts the cases per bundle and actual value of each figure (its distribution and
    # percentiles); these indexes answer that without reading the table, also within a date range.
    *(Index(None, "bundle_code", f"{figure}_actual", "closed_at")
      for figure in ("trips", "steps", "time_days", "materials", "fields")),
)

# The departments with an item in a closed case, for the savings report's department filter: with the
# case's closing time, so that a department's cases closed in a few days are one range of an index,
# not a probe of every case closed in them.
case_savings_departments = Table(
    "case_savings_departments", metadata,
    Column("department", String(32), primary_key=True),
    Column("case_id", Integer, ForeignKey("case_savings.case_id"), primary_key=True, autoincrement=False),
    Column("closed_at", UtcDateTime, nullable=False),
    Index(None, "department", "closed_at", "case_id"),
)
