"""The materials of a case as files (一套材料 scanned at the window, 高拍仪): the window uploads them
(at intake, for a correction, as a tolerated material supplied later), each upload a new version;
the departments read those of their items' materials, every read logged.

A file is checked by its content before anything is stored (``engine.documents.inspection``), its
bytes go to the file store under their SHA-256 before the case's transaction (a store that is slow
must not hold the case's lock; bytes stored by a transaction that then fails stay unreferenced and
harmless, as content-addressed bytes are), and the transaction writes the metadata and appends the
digests to the case's hash chain (``MaterialFilesAdded``), which ``audit-verify`` checks the store
against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.documents.inspection import inspect_upload
from engine.documents.pages import render_page
from engine.domain.access import Permission, Principal, Role
from engine.domain.catalogue import bundle_from_dict
from engine.domain.documents import (
    MATERIAL_FILES_ADDED,
    FileMissing,
    FileStore,
    Inspected,
    MaterialFile,
    MediaType,
    Refusal,
    UploadRefused,
    UploadStage,
)
from engine.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
    case_not_found,
)
from engine.domain.model import Actor, CaseStatus
from engine.domain.records import CaseItemRecord, CaseRecord
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import MaterialStatus

PAGE_WIDTHS = (160, 800, 1200, 1600)
"""The widths a page is rendered at: a thumbnail and three zoom steps (one cached image each)."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class UploadMaterialFiles:
    case_ref: str
    material_key: str
    files: tuple[Upload, ...]
    actor: Actor


@dataclass(frozen=True)
class CaseFiles:
    """The files of a case's materials as one viewer may see them."""

    case: CaseRecord
    files: list[MaterialFile]
    readable: frozenset[str]
    """The materials whose files the viewer may open (a department: those its items need)."""


def file_store(ctx: ServiceContext) -> FileStore:
    if ctx.files is None:
        raise Conflict("no file store is configured", "未配置材料文件存储")
    return ctx.files


def _refused(err: UploadRefused, filename: str) -> InvalidInput:
    message, message_zh = f"{filename}: {err.message}", f"{filename}：{err.message_zh}"
    errors = {"files": [message_zh]}
    if err.refusal is Refusal.TOO_LARGE:
        return TooLarge(message, message_zh, errors)
    if err.refusal is Refusal.UNSUPPORTED:
        return UnsupportedMediaType(message, message_zh, errors)
    return InvalidInput(message, message_zh, errors)


def inspect_uploads(ctx: ServiceContext, files: Sequence[Upload]) -> list[Inspected]:
    """Each file checked by its content against the upload limits, before anything is stored."""
    limits = ctx.upload_limits
    if not files:
        raise InvalidInput("no file was sent", "请选择要上传的文件", {"files": ["至少上传一个文件"]})
    if len(files) > limits.max_files_per_upload:
        raise InvalidInput(f"at most {limits.max_files_per_upload} files per upload",
                           f"一次最多上传 {limits.max_files_per_upload} 个文件", {"files": ["文件过多"]})
    found = []
    for upload in files:
        try:
            found.append(inspect_upload(upload.data, limits))
        except UploadRefused as err:
            raise _refused(err, upload.filename or "文件") from err
    return found


def _stage(case: CaseRecord, items: Sequence[CaseItemRecord], key: str) -> UploadStage:
    if case.materials.get(key) == MaterialStatus.TOLERATED:
        return UploadStage.SUPPLEMENT
    if any(key in (item.materials_requested or []) for item in items):
        return UploadStage.CORRECTION
    return UploadStage.INTAKE


def _accepting(case: CaseRecord, material_key: str) -> None:
    """Refuse files for a finished case, or for a material its checklist does not have."""
    if CaseStatus(case.status).is_finished:
        raise Conflict(f"case {case.number} is {case.status}: no more files",
                       f"办件 {case.number} 已办结或终止，不能再上传材料")
    if material_key not in case.materials:
        raise NotFound(f"case {case.number} has no material {material_key!r}",
                       f"办件 {case.number} 的材料清单中没有 {material_key}")


@dataclass(frozen=True)
class Uploaded:
    case_number: str
    files: list[MaterialFile]


def _own(case: CaseRecord, cmd: UploadMaterialFiles) -> CaseRecord:
    """An agent adds files to the cases they prepared only; to them another case does not exist."""
    if cmd.actor.role == Role.AGENT and case.agent != cmd.actor.user:
        raise case_not_found(cmd.case_ref)
    return case


def upload_material_files(cmd: UploadMaterialFiles, ctx: ServiceContext) -> Uploaded:
    """A new version of the material in the case: its files checked, stored, listed and chained. The
    case is looked at first, so that nothing is stored for a case that would refuse the files."""
    with ctx.uow(False) as uow:
        _accepting(_own(find_case(uow, cmd.case_ref), cmd), cmd.material_key)
    inspected = inspect_uploads(ctx, cmd.files)
    store = file_store(ctx)
    digests = [store.put(upload.data) for upload in cmd.files]
    size = sum(len(upload.data) for upload in cmd.files)

    def work(uow: UnitOfWork) -> Uploaded:
        now = ctx.clock()
        case = find_case(uow, cmd.case_ref, lock=True)
        _accepting(case, cmd.material_key)
        held = uow.material_files.case_bytes(case.id)
        limit = ctx.upload_limits.max_case_bytes
        if held + size > limit:
            raise TooLarge(f"the case's files would weigh {held + size} bytes; at most {limit}",
                           f"本办件材料文件合计将达 {(held + size) / 1048576:.1f} MB，"
                           f"超过上限 {limit / 1048576:.0f} MB",
                           {"files": ["超过单个办件的文件总量上限"]})
        stage = _stage(case, uow.items.for_case(case.id), cmd.material_key)
        parts = [FilePart(digest, found.media_type, len(upload.data), found.pages, upload.filename or f"第{part}页")
                 for part, (upload, found, digest) in enumerate(zip(cmd.files, inspected, digests, strict=True), 1)]
        added = add_material_version(uow, case, cmd.material_key, parts, stage, cmd.actor, now)
        uow.cases.save(case)
        return Uploaded(case.number, added)

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class FilePart:
    """One stored file of a new version of a material."""

    sha256: str
    media_type: MediaType
    size: int
    pages: int
    filename: str


def add_material_version(uow: UnitOfWork, case: CaseRecord, material_key: str, parts: Sequence[FilePart],
                         stage: UploadStage, actor: Actor, now: datetime) -> list[MaterialFile]:
    """The files as the material's next version of the case, listed and appended to its hash chain;
    the caller saves the case."""
    version = uow.material_files.last_version(case.id, material_key) + 1
    added = uow.material_files.add([
        MaterialFile(0, case.id, material_key, version, number, p.sha256, p.media_type, p.size, p.pages,
                     p.filename[:200], stage, actor.user, now) for number, p in enumerate(parts, 1)])
    record_event(uow, case, MATERIAL_FILES_ADDED, actor, now, {
        "material": material_key, "version": version, "stage": str(stage),
        "files": [{"sha256": f.sha256, "size": f.size, "media_type": str(f.media_type), "pages": f.pages}
                  for f in added]})
    return added


def _readable(viewer: Principal, bundle_items: dict[str, tuple[str, ...]], items: Sequence[CaseItemRecord],
              departments: set[str], agent: str | None = None) -> frozenset[str]:
    """The materials whose files ``viewer`` may open: every one for the window and for the agent who
    prepared the case; for a department, those its items in the case need; none for whoever may not
    see the applicant's data."""
    if not viewer.sees_personal_data(departments, agent):
        return frozenset()
    if Role.CLERK in viewer.roles or (Role.AGENT in viewer.roles and agent == viewer.login):
        return frozenset(key for keys in bundle_items.values() for key in keys)
    return frozenset(key for item in items if item.department == viewer.department
                     for key in bundle_items.get(item.item_code, ()))


def _case_files(uow: UnitOfWork, ref: str, viewer: Principal) -> tuple[CaseFiles, list[CaseItemRecord]]:
    case = find_case(uow, ref)
    items = uow.items.for_case(case.id)
    departments = {i.department for i in items}
    if not viewer.sees_case(departments, case.agent):
        raise case_not_found(ref)
    row = uow.flows.bundle(case.bundle_code)
    assert row is not None
    bundle = bundle_from_dict(row.definition)
    needs = {item.code: tuple(m.key for m in item.materials) for item in bundle.items}
    readable = _readable(viewer, needs, items, departments, case.agent)
    return CaseFiles(case, uow.material_files.for_case(case.id), readable), items


def list_case_files(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseFiles:
    with ctx.uow(False) as uow:
        found, _ = _case_files(uow, ref, viewer)
        return found


@dataclass(frozen=True)
class FileContent:
    file: MaterialFile
    data: bytes
    media_type: str


def read_case_file(ctx: ServiceContext, ref: str, file_id: int, viewer: Principal, actor: Actor,
                   page: int | None = None, width: int | None = None) -> FileContent:
    """The file's bytes (``page`` None) or one page of it rendered as PNG at ``width``; the read is
    logged in the same transaction that finds the file, so no read goes unrecorded."""
    if not viewer.can(Permission.CASE_READ):
        raise Forbidden("reading case files needs case.read", "无权查看办件材料")
    if width is not None and width not in PAGE_WIDTHS:
        raise InvalidInput(f"width must be one of {PAGE_WIDTHS}", f"页面宽度只能是 {PAGE_WIDTHS} 之一",
                           {"width": [f"可选：{'、'.join(map(str, PAGE_WIDTHS))}"]})

    def work(uow: UnitOfWork) -> MaterialFile:
        found, _ = _case_files(uow, ref, viewer)
        file = uow.material_files.get(found.case.id, file_id)
        if file is None:
            raise NotFound(f"case {found.case.number} has no file {file_id}",
                           f"办件 {found.case.number} 没有该文件")
        if file.material_key not in found.readable:
            raise Forbidden(f"{viewer.login} may not read the files of material {file.material_key!r}",
                            "您所在部门办理的事项不需要该材料，无权查看其文件")
        if page is not None and not 1 <= page <= file.pages:
            raise NotFound(f"file {file_id} has {file.pages} pages", f"该文件共 {file.pages} 页，没有第 {page} 页")
        uow.material_files.log_read(file, actor.user, actor.department, "file" if page is None else "page",
                                    ctx.clock())
        return file

    file = in_transaction(ctx, work)

    def fetch() -> bytes:
        try:
            return file_store(ctx).get(file.sha256)
        except FileMissing as err:
            raise Conflict(f"file {file_id} is missing from the store", "该文件在存储中缺失，请联系系统管理员") from err

    if page is None:
        return FileContent(file, fetch(), str(file.media_type))
    shown = width or PAGE_WIDTHS[1]
    # A page rendered lately is answered without reading the file from the store again.
    return FileContent(file, ctx.pages.get(file.sha256, page, shown,
                                           lambda: render_page(fetch(), file.media_type, page, shown)), "image/png")


def list_file_reads(ctx: ServiceContext, ref: str, viewer: Principal, limit: int = 200) -> tuple[CaseRecord,
                                                                                               list[dict[str, Any]]]:
    """Who read which of the case's files and when, newest first (for supervision: 调阅留痕)."""
    with ctx.uow(False) as uow:
        found, _ = _case_files(uow, ref, viewer)
        files = {f.id: f for f in found.files}
        reads = uow.material_files.reads(found.case.id, limit)
    return found.case, [{**r, "material": files[r["file_id"]].material_key, "version": files[r["file_id"]].version}
                        for r in reads if r["file_id"] in files]
