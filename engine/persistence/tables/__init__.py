"""Table definitions. The workflow blob lives apart from what is queried: status, open tasks,
departments and items are ordinary indexed columns kept in step in the same transaction.

The tables are split by noun into the modules of this package; every table, `metadata` and
`UtcDateTime` are re-exported here, so that `from engine.persistence import tables as t` and `t.cases`
read them all, and Alembic's env.py sees every table in `metadata` once this package is imported.
The modules are named in the singular (`case`, `task`) so that none shares a name with a table it
re-exports: `t.cases` is always the table, never a submodule."""

from __future__ import annotations

from engine.persistence.tables.account import auth_tokens, login_failure_counts, saved_filters, users
from engine.persistence.tables.audit import audit_events, audit_marks, audit_verified, chain_heads
from engine.persistence.tables.calendar import calendar_overrides, calendar_years
from engine.persistence.tables.case import case_events, case_items, case_number_counters, cases, workflow_states
from engine.persistence.tables.document import file_reads, material_files
from engine.persistence.tables.flow import bundles, catalogue_entries, flow_versions, shipped_data
from engine.persistence.tables.hall import agent_consents, hall_bookings, hall_tickets
from engine.persistence.tables.idempotency import idempotency_keys
from engine.persistence.tables.incident import incidents
from engine.persistence.tables.notification import (
    applicant_identities,
    application_files,
    case_agents,
    case_deliveries,
    login_codes,
    online_applications,
    outbox_messages,
)
from engine.persistence.tables.registry import (
    case_shared_data,
    credit_records,
    data_lookups,
    elicences,
    holders,
    registry_imports,
    registry_records,
    registry_subjects,
)
from engine.persistence.tables.rollup import (
    approval_days,
    case_days,
    case_spans,
    rollup_seals,
    savings_days,
    savings_value_days,
)
from engine.persistence.tables.savings import case_savings, case_savings_departments
from engine.persistence.tables.task import supervision_warnings, task_extensions, task_pauses, tasks
from engine.persistence.tables.types import UtcDateTime, metadata
from engine.persistence.tables.work_order import work_order_events, work_orders

__all__ = [
    "UtcDateTime",
    "agent_consents",
    "applicant_identities",
    "application_files",
    "approval_days",
    "audit_events",
    "audit_marks",
    "audit_verified",
    "auth_tokens",
    "bundles",
    "calendar_overrides",
    "calendar_years",
    "case_agents",
    "case_days",
    "case_deliveries",
    "case_events",
    "case_items",
    "case_number_counters",
    "case_savings",
    "case_savings_departments",
    "case_shared_data",
    "case_spans",
    "cases",
    "catalogue_entries",
    "chain_heads",
    "credit_records",
    "data_lookups",
    "elicences",
    "file_reads",
    "flow_versions",
    "hall_bookings",
    "hall_tickets",
    "holders",
    "idempotency_keys",
    "incidents",
    "login_codes",
    "login_failure_counts",
    "material_files",
    "metadata",
    "online_applications",
    "outbox_messages",
    "registry_imports",
    "registry_records",
    "registry_subjects",
    "rollup_seals",
    "saved_filters",
    "savings_days",
    "savings_value_days",
    "shipped_data",
    "supervision_warnings",
    "task_extensions",
    "task_pauses",
    "tasks",
    "users",
    "work_order_events",
    "work_orders",
    "workflow_states",
]
