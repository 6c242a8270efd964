"""``onething registry import KIND FILE``: load a registry from a CSV or XLSX file, as the API's
import does, and print the report (refused rows with their line and reasons)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.bootstrap import OneThingEngine
from engine.domain.errors import DomainError
from engine.domain.model import SYSTEM
from engine.domain.registries import KINDS
from engine.services.registry_import import MODES, ImportRegistry, import_registry

SHOWN = 20
"""Refused rows printed; the whole list is kept with the import (GET /api/registries/<kind>/imports)."""


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    registry = sub.add_parser("registry", help="the embedded registries (共享数据): load one from a file")
    actions = registry.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="load a CSV (UTF-8 or GB18030) or XLSX file into a registry; the "
                                             "first row names the columns (keys or Chinese labels)")
    load.add_argument("kind", choices=sorted(KINDS))
    load.add_argument("file", type=Path)
    load.add_argument("--mode", choices=MODES, default="merge",
                      help="merge: add and update records by key; replace: the file is the whole registry")


def run(engine: OneThingEngine, args: argparse.Namespace) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as err:
        print(f"onething: cannot read {args.file}: {err.strerror}", file=sys.stderr)
        return 2
    try:
        report = import_registry(ImportRegistry(args.kind, args.file.name, content, SYSTEM, args.mode), engine.ctx)
    except DomainError as err:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in err.field_errors.items())
        print(f"onething: {err.message_zh}{'（' + details + '）' if details else ''}", file=sys.stderr)
        return 1
    print(f"{KINDS[args.kind].name} ({args.kind}): {report.rows_total} rows, {report.rows_accepted} accepted "
          f"({report.created} new, {report.updated} updated, {report.removed} removed), "
          f"{report.rows_rejected} refused; import #{report.id}, sha256 {report.sha256}")
    for row in report.rejected[:SHOWN]:
        reasons = "; ".join(f"{column}: {' '.join(messages)}" for column, messages in row["errors"].items())
        print(f"  line {row['line']} {row['key'] or '(no key)'}: {reasons}")
    if report.rows_rejected > SHOWN:
        print(f"  … {report.rows_rejected - SHOWN} more refused (GET /api/registries/{args.kind}/imports)")
    return 0 if report.rows_rejected == 0 else 3
