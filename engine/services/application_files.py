"""The scans of an online application (网上申请): the applicant uploads each material's files while the
application can change (a new upload replaces that material's files), the applicant and the window's
预审 read them, and on acceptance they become the case's first version of each material, chained
like any upload at the window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.domain.access import Permission, Principal, applicant_phone
from engine.domain.applicant_channel import ApplicationFile
from engine.domain.documents import FileMissing
from engine.domain.errors import Conflict, Forbidden, NotFound, TooLarge
from engine.domain.notifications import ApplicationStatus, OnlineApplication
from engine.services.catalogue import get_bundle_catalogue
from engine.services.context import ServiceContext
from engine.services.documents import Upload, file_store, inspect_uploads
from engine.services.online_applications import EDITABLE, own_application
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ApplicationFileContent:
    file: ApplicationFile
    data: bytes


def _editable(found: OnlineApplication) -> None:
    if found.status not in EDITABLE:
        raise Conflict(f"application {found.id} is {found.status}: its files cannot change",
                       "该申请已提交预审或已受理，材料文件不能再更改")


def upload_application_files(ctx: ServiceContext, principal: Principal, application_id: int, material_key: str,
                             files: Sequence[Upload]) -> list[ApplicationFile]:
    """The material's files replaced by ``files``, each checked by its content and stored first."""
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        found = own_application(uow, application_id, phone)
    _editable(found)
    keys = {e.key for e in get_bundle_catalogue(ctx, found.bundle_code).checklist().entries}
    if material_key not in keys:
        raise NotFound(f"the checklist has no material {material_key!r}", f"材料清单中没有 {material_key}")
    inspected = inspect_uploads(ctx, files)
    store = file_store(ctx)
    digests = [store.put(upload.data) for upload in files]

    def work(uow: UnitOfWork) -> list[ApplicationFile]:
        now = ctx.clock()
        again = own_application(uow, application_id, phone, lock=True)
        _editable(again)
        kept = sum(f.size for f in uow.application_files.of_application(application_id)
                   if f.material_key != material_key)
        size = kept + sum(len(u.data) for u in files)
        limit = ctx.upload_limits.max_case_bytes
        if size > limit:
            raise TooLarge(f"the application's files would weigh {size} bytes; at most {limit}",
                           f"本申请材料文件合计将达 {size / 1048576:.1f} MB，超过上限 {limit / 1048576:.0f} MB",
                           {"files": ["超过单个申请的文件总量上限"]})
        stored = uow.application_files.replace(application_id, material_key, [
            ApplicationFile(application_id, material_key, part, digest, found.media_type, len(upload.data), found.pages,
                            (upload.filename or f"第{part}页")[:200], now)
            for part, (upload, found, digest) in enumerate(zip(files, inspected, digests, strict=True), 1)])
        again.updated_at = now
        uow.applications.save(again)
        return stored

    return in_transaction(ctx, work)


def _readable_application(uow: UnitOfWork, viewer: Principal, application_id: int) -> OnlineApplication:
    """The applicant reads their own; the window reads any application once submitted (预审)."""
    if viewer.can(Permission.APPLY):
        return own_application(uow, application_id, viewer.login)
    if not viewer.can(Permission.CASE_START):
        raise Forbidden("reading an application's files is for its applicant and the window",
                        "仅申请人本人和综合窗口可以查看网上申请的材料")
    found = uow.applications.get(application_id)
    if found is None or found.status == ApplicationStatus.DRAFT:
        raise NotFound(f"no application {application_id}", f"没有编号为 {application_id} 的网上申请")
    return found


def application_files(ctx: ServiceContext, viewer: Principal, application_id: int) -> list[ApplicationFile]:
    with ctx.uow(False) as uow:
        _readable_application(uow, viewer, application_id)
        return uow.application_files.of_application(application_id)


def read_application_file(ctx: ServiceContext, viewer: Principal, application_id: int,
                          file_id: int) -> ApplicationFileContent:
    with ctx.uow(False) as uow:
        _readable_application(uow, viewer, application_id)
        file = next((f for f in uow.application_files.of_application(application_id) if f.id == file_id), None)
    if file is None:
        raise NotFound(f"application {application_id} has no file {file_id}", "该申请没有这个文件")
    try:
        return ApplicationFileContent(file, file_store(ctx).get(file.sha256))
    except FileMissing as err:
        raise Conflict(f"file {file_id} is missing from the store", "该文件在存储中缺失，请联系系统管理员") from err
