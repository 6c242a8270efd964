"""Administrators load the embedded registries from CSV or XLSX files (``onething registry import KIND
FILE``, ``POST /api/registries/<kind>/imports``).

The first row names the columns, by key (``id_number``) or by label (公民身份号码); each further row
is a record, checked as the unified form checks a field (ID check digits, dates, options). A row that
fails is refused with its line and every reason; the others are written. ``merge`` adds and replaces
records by their key; ``replace`` also removes the records the file no longer holds (the file is the
whole registry). The file's SHA-256, who loaded it and what was refused are kept (``registry_imports``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.model import Actor
from engine.domain.registries import KINDS, RegistryKind, RegistryRecord
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.unified import validate_form

MODES = ("merge", "replace")
MAX_ROWS = 200_000
REPORTED = 1000
"""Refused rows kept in the report, beyond which only their count is."""
_XLSX_MAGIC = b"PK\x03\x04"
_TRUE, _FALSE = {"是", "true", "1", "y", "yes", "有"}, {"否", "false", "0", "n", "no", "无"}


@dataclass(frozen=True)
class ImportRegistry:
    kind: str
    filename: str
    content: bytes
    actor: Actor
    mode: str = "merge"


@dataclass
class ImportReport:
    kind: str
    filename: str
    sha256: str
    mode: str
    rows_total: int = 0
    rows_accepted: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rows_rejected: int = 0
    id: int = 0


def import_registry(cmd: ImportRegistry, ctx: ServiceContext) -> ImportReport:
    """Check every row, then write the accepted ones in one transaction, with the report."""
    kind = KINDS.get(cmd.kind)
    if kind is None:
        raise NotFound(f"no registry {cmd.kind!r}", f"没有共享数据类别 {cmd.kind}")
    if cmd.mode not in MODES:
        raise InvalidInput("mode must be merge or replace", "导入方式应为 merge（增补）或 replace（整体替换）",
                           {"mode": ["应为 merge 或 replace"]})
    rows = read_rows(cmd.content)
    report = ImportReport(kind.code, cmd.filename[:200], hashlib.sha256(cmd.content).hexdigest(), cmd.mode)
    records = check_rows(kind, rows, report, source="import")
    if cmd.mode == "replace" and not records:
        raise InvalidInput("a replacing import needs at least one valid row: it would empty the registry",
                           "整体替换须至少有一行有效记录，否则将清空该类共享数据", {"file": ["没有有效记录"]})

    def work(uow: UnitOfWork) -> ImportReport:
        now = ctx.clock()
        for record in records:
            record.updated_at = now
        report.created, report.updated = uow.registries.put(records)
        if cmd.mode == "replace":
            report.removed = uow.registries.remove(kind.code, {r.ref for r in records})
        report.id = uow.registries.log_import({
            "kind": kind.code, "filename": report.filename, "sha256": report.sha256, "mode": cmd.mode,
            "imported_by": cmd.actor.user, "imported_at": now, "rows_total": report.rows_total,
            "rows_accepted": report.rows_accepted, "rows_rejected": report.rows_rejected,
            "created": report.created, "updated": report.updated, "removed": report.removed,
            "rejected": report.rejected})
        record_audit(uow, "RegistryImported", cmd.actor, kind.code, {
            "import": report.id, "sha256": report.sha256, "mode": cmd.mode, "accepted": report.rows_accepted,
            "rejected": report.rows_rejected, "created": report.created, "updated": report.updated,
            "removed": report.removed}, now)
        return report

    return in_transaction(ctx, work)


def read_rows(content: bytes) -> list[list[Any]]:
    """The file's rows: an XLSX workbook's first sheet, else CSV in UTF-8 (with or without BOM) or GB18030."""
    if not content.strip():
        raise InvalidInput("the file is empty", "文件为空", {"file": ["文件为空"]})
    if content.startswith(_XLSX_MAGIC):
        return _xlsx_rows(content)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("the file is neither UTF-8 nor GB18030 text, nor an XLSX workbook",
                           "文件既不是 UTF-8/GB18030 编码的 CSV，也不是 XLSX 工作簿",
                           {"file": ["无法识别的文件"]})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # imported when an XLSX file comes: most imports are CSV

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged or foreign zip
        raise InvalidInput(f"the XLSX workbook cannot be read: {type(err).__name__}",
                           "XLSX 工作簿无法读取，请另存为 .xlsx 或 CSV 后重试",
                           {"file": ["无法读取的工作簿"]}) from None
    sheet = workbook.worksheets[0]
    rows = [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return [row for row in rows if any(str(cell).strip() for cell in row)]


def check_rows(kind: RegistryKind, rows: list[list[Any]], report: ImportReport,
               source: str) -> list[RegistryRecord]:
    """The records of the valid rows; the others go into ``report`` with their line and reasons."""
    if not rows:
        raise InvalidInput("the file has no header row", "文件没有表头行", {"file": ["缺少表头"]})
    columns = _header(kind, rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file", f"每个文件最多 {MAX_ROWS} 行，请分批导入",
                           {"file": [f"超过 {MAX_ROWS} 行"]})
    form = kind.form()
    seen: dict[str, int] = {}
    records: list[RegistryRecord] = []
    for line, row in enumerate(rows[1:], start=2):
        report.rows_total += 1
        values, errors = _values(kind, columns, row)
        errors.update(validate_form(form, values))
        ref = str(values.get(kind.key) or "").strip().upper()
        if ref and ref in seen and not errors:
            errors[kind.key] = [f"与第 {seen[ref]} 行重复"]
        if errors:
            report.rows_rejected += 1
            if len(report.rejected) < REPORTED:
                report.rejected.append({"line": line, "key": ref, "errors": errors})
            continue
        seen[ref] = line
        values[kind.key] = ref
        name = str(values.get(kind.name_column) or ref)
        records.append(RegistryRecord(kind.code, ref, name, values, source, datetime.min, kind.subjects_of(values)))
    report.rows_accepted = len(records)
    return records


def _header(kind: RegistryKind, header: list[Any]) -> list[str | None]:
    by_label = {c.label: c.key for c in kind.columns}
    columns: list[str | None] = []
    unknown = []
    for cell in header:
        name = str(cell).strip()
        key = name if kind.column(name) is not None else by_label.get(name)
        if key is None and name:
            unknown.append(name)
        columns.append(key)
    missing = [c.label for c in kind.columns if c.required and c.key not in columns]
    doubled = sorted({k for k in columns if k is not None and columns.count(k) > 1})
    problems = [f"{label}：{'、'.join(names)}" for label, names in (
        ("未知的列", unknown), ("缺少必填列", missing), ("重复的列", doubled)) if names]
    if problems:
        raise InvalidInput(f"the header row does not match the registry {kind.code}: {'; '.join(problems)}",
                           f"表头与{kind.name}的格式不符：{'；'.join(problems)}", {"header": problems})
    return columns


def _values(kind: RegistryKind, columns: list[str | None],
            row: list[Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A row's cells as typed values (text for the form's checks to judge), and conversion errors."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, cell in zip(columns, row, strict=False):
        column = kind.column(key) if key is not None else None
        if column is None or cell is None or str(cell).strip() == "":
            continue
        try:
            values[key] = _typed(column.type, cell)  # type: ignore[index]
        except ValueError as err:
            errors[column.key] = [str(err)]
    return values, errors


def _typed(kind: str, cell: Any) -> Any:
    if kind == "date":
        if isinstance(cell, datetime | date):
            return (cell.date() if isinstance(cell, datetime) else cell).isoformat()
        return str(cell).strip().replace("/", "-").replace(".", "-")
    if kind in ("integer", "number"):
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return int(cell) if kind == "integer" and float(cell).is_integer() else cell
        text = str(cell).strip().replace(",", "")
        try:
            return int(text) if kind == "integer" else float(text)
        except ValueError:
            raise ValueError("应为整数" if kind == "integer" else "应为数字") from None
    if kind == "boolean":
        if isinstance(cell, bool):
            return cell
        text = str(cell).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError("应为“是”或“否”")
    if kind in ("id_number", "credit_code"):
        return str(cell).strip().upper()
    return str(cell).strip()
