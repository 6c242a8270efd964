"""Materials as files over HTTP: the window uploads scans (a multi-page PDF, photographed pages),
each upload a new version; the fire reviewer reads the floor plan page by page and asks for a
correction on it; the corrected scan is a second version beside the first; a department reads only
the files of materials its items need, a supervisor none; every read is logged; bad files are
refused with nothing stored; audit-verify finds a stored file altered or deleted."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from api import audit_command
from engine.bootstrap import OneThingEngine
from engine.services.audit import verify_audit_chains
from engine.storage.filesystem import FilesystemStore
from engine.storage.s3 import S3Store
from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.conftest import CLERK, REVIEWERS, SUPERVISOR
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, s3_endpoint  # noqa: F401 - the session's S3 server
from tests.scans import pdf, photo

XF, CG = REVIEWERS["xf"], REVIEWERS["cg"]


def upload(client: Any, number: str, key: str, *files: tuple[str, bytes]) -> Any:
    data = {"file": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/api/cases/{number}/materials/{key}/files", data=data, headers=CLERK,
                       content_type="multipart/form-data")


def files_of(client: Any, number: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get(f"/api/cases/{number}/files", headers=headers)
    assert answer.status_code == 200, answer.json
    return {m["material"]: m for m in answer.json["materials"]}


@dataclass
class Store:
    """The engine's file store in a test, and a look behind it."""

    digests: Callable[[], list[str]]
    """The SHA-256 of every file the store holds."""
    alter: Callable[[str], None]
    remove: Callable[[str], None]


def _filesystem(engine: OneThingEngine, root: Path) -> Store:
    store = FilesystemStore(root)
    engine.ctx.files = store

    def alter(digest: str) -> None:
        store.path(digest).chmod(0o644)
        store.path(digest).write_bytes(store.path(digest).read_bytes() + b"%changed")

    return Store(lambda: sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else [],
                 alter, lambda digest: store.path(digest).unlink())


def _s3(engine: OneThingEngine, endpoint: str) -> Store:
    store = S3Store(f"files-{uuid.uuid4().hex[:12]}", "scans/", endpoint, REGION, ACCESS_KEY, SECRET_KEY)
    store.ensure_bucket()
    engine.ctx.files = store

    def digests() -> list[str]:
        listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix).get("Contents", [])
        return sorted(o["Key"].removeprefix(store.prefix) for o in listed)

    def alter(digest: str) -> None:
        changed = store.get(digest) + b"%changed"
        store.client.put_object(Bucket=store.bucket, Key=store.key(digest), Body=changed)

    return Store(digests, alter, lambda digest: store.client.delete_object(Bucket=store.bucket, Key=store.key(digest)))


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest, engine: OneThingEngine, tmp_path: Path) -> Iterator[Store]:
    """Every test here runs on both stores: the local filesystem and an S3-compatible server."""
    if request.param == "filesystem":
        yield _filesystem(engine, tmp_path / "files")
    else:
        yield _s3(engine, request.getfixturevalue("s3_endpoint"))


def test_scans_are_uploaded_read_page_by_page_corrected_and_kept_in_versions(
        client: Any, engine: OneThingEngine, store: Store) -> None:
    case = start(client)
    number = case["number"]
    plan = pdf(3, "floor plan")
    first = upload(client, number, "premises_layout", ("平面图.pdf", plan))
    assert first.status_code == 201, first.json
    assert (first.json["version"], first.json["stage"]) == (1, "intake")
    assert [(f["media_type"], f["pages"]) for f in first.json["files"]] == [("application/pdf", 3)]
    ids = upload(client, number, "applicant_id", ("正面.jpg", photo()), ("反面.png", photo(fmt="PNG")))
    assert [f["media_type"] for f in ids.json["files"]] == ["image/jpeg", "image/png"]

    approve_licence(client, number)  # the fire inspection waits for the business licence
    listed = files_of(client, number, XF)
    assert listed["premises_layout"]["readable"] and listed["premises_layout"]["name"].startswith("经营场所平面图")
    plan_file = listed["premises_layout"]["versions"][0]["files"][0]
    page = client.get(f"/api/cases/{number}/files/{plan_file['id']}/pages/2?width=800", headers=XF)
    assert page.status_code == 200 and page.mimetype == "image/png"
    assert Image.open(io.BytesIO(page.data)).size[0] == 800
    whole = client.get(f"/api/cases/{number}/files/{plan_file['id']}", headers=XF)
    assert whole.data == plan and whole.mimetype == "application/pdf"
    assert "default-src 'none'" in whole.headers["Content-Security-Policy"]  # nothing in it runs
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/api/cases/{number}/files/{plan_file['id']}/pages/4", headers=XF).status_code == 404
    assert client.get(f"/api/cases/{number}/files/{plan_file['id']}/pages/1?width=999", headers=XF).status_code == 422

    fire = open_task(client, number, "cy.xf")
    asked = complete(client, fire, {"decision": "correct", "materials": ["premises_layout"],
                                    "notes": {"premises_layout": "未标注疏散通道和安全出口"}}, XF)
    assert asked.status_code == 200, asked.json
    second = upload(client, number, "premises_layout", ("平面图-补正.pdf", pdf(4, "floor plan corrected")))
    assert (second.json["version"], second.json["stage"]) == (2, "correction")
    versions = files_of(client, number, XF)["premises_layout"]["versions"]
    assert [(v["version"], v["stage"], v["files"][0]["pages"]) for v in versions] == [
        (2, "correction", 4), (1, "intake", 3)]
    timeline = client.get(f"/api/cases/{number}", headers=CLERK).json["timeline"]
    uploads = [e["data"] for e in timeline if e["type"] == "MaterialFilesAdded"]
    assert [(u["material"], u["version"]) for u in uploads] == [
        ("premises_layout", 1), ("applicant_id", 1), ("premises_layout", 2)]
    corrected = next(e for e in timeline if e["type"] == "CorrectionRequested")
    assert corrected["data"]["notes"] == {"premises_layout": "未标注疏散通道和安全出口"}

    logged = client.get(f"/api/cases/{number}/file-reads", headers=SUPERVISOR).json["reads"]
    assert [(r["user"], r["what"], r["material"], r["version"]) for r in logged][-2:] == [
        ("zhao.xf", "file", "premises_layout", 1), ("zhao.xf", "page", "premises_layout", 1)]
    assert all(r["department"] == "xf" for r in logged)
    assert client.get(f"/api/cases/{number}/file-reads", headers=XF).status_code == 403
    assert hashlib.sha256(plan).hexdigest() in store.digests()


def test_a_department_reads_only_its_items_materials_and_a_supervisor_none(client: Any, store: Store) -> None:
    case = start(client)
    number = case["number"]
    upload(client, number, "premises_layout", ("平面图.pdf", pdf(1)))
    upload(client, number, "sign_design", ("招牌.png", photo(fmt="PNG")))
    approve_licence(client, number)
    for_cg = files_of(client, number, CG)
    assert for_cg["sign_design"]["readable"] and not for_cg["premises_layout"]["readable"]
    hidden = for_cg["premises_layout"]["versions"][0]["files"][0]
    assert "filename" not in hidden and "url" not in hidden
    answer = client.get(f"/api/cases/{number}/files/{hidden['id']}", headers=CG)
    assert answer.status_code == 403 and answer.json["message_zh"]
    for_supervisor = files_of(client, number, SUPERVISOR)
    assert not any(m["readable"] for m in for_supervisor.values())
    assert client.get(f"/api/cases/{number}/files/{hidden['id']}/pages/1", headers=SUPERVISOR).status_code == 403


def _scripted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hi');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "status", "words"), [
    ("scan.pdf", b"<html><script>alert(1)</script></html>", 415, "HTML"),
    ("scan.jpg", b"", 422, "空"),
    ("scan.pdf", _scripted_pdf(), 422, "脚本"),
    ("scan.jpg", photo()[:2000], 422, ""),
    ("scan.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 415, ""),
])
def test_bad_files_are_refused_and_nothing_is_stored(client: Any, store: Store, name: str,
                                                     content: bytes, status: int, words: str) -> None:
    number = start(client)["number"]
    before = store.digests()
    answer = upload(client, number, "premises_layout", ("good.pdf", pdf(1)), (name, content))
    assert answer.status_code == status, answer.json
    assert name in answer.json["message_zh"] and words in answer.json["message_zh"]
    assert store.digests() == before
    assert files_of(client, number, CLERK) == {}


def test_limits_wrong_materials_and_roles_are_refused(client: Any, engine: OneThingEngine, store: Store) -> None:
    number = start(client)["number"]
    engine.ctx.upload_limits = type(engine.ctx.upload_limits)(max_file_bytes=50_000, max_case_bytes=50_000)
    big = upload(client, number, "premises_layout", ("big.jpg", photo(3000, 4000, shade=120) + b"\0" * 60_000))
    assert big.status_code == 413, big.json
    for n in range(2):
        assert upload(client, number, "applicant_id", (f"{n}.pdf", pdf(40))).status_code == 201
    over = upload(client, number, "applicant_id", ("more.pdf", pdf(40)))
    assert over.status_code == 413 and "上限" in over.json["message_zh"]
    assert upload(client, number, "no_such_material", ("a.pdf", pdf(1))).status_code == 404
    refused = client.post(f"/api/cases/{number}/materials/premises_layout/files", headers=XF,
                          data={"file": [(io.BytesIO(pdf(1)), "a.pdf")]}, content_type="multipart/form-data")
    assert refused.status_code == 403
    raw = client.post(f"/api/cases/{number}/materials/premises_layout/files?filename=raw.pdf", data=pdf(2),
                      headers=CLERK, content_type="application/octet-stream")
    assert raw.status_code == 201 and raw.json["files"][0]["filename"] == "raw.pdf"


def test_audit_verify_finds_a_file_altered_or_deleted_in_the_store(client: Any, engine: OneThingEngine,
                                                                   store: Store, capsys: Any) -> None:
    number = start(client)["number"]
    plan, card = pdf(2), photo()
    upload(client, number, "premises_layout", ("平面图.pdf", plan))
    upload(client, number, "applicant_id", ("身份证.jpg", card))
    report = verify_audit_chains(engine.ctx)
    assert report.ok and report.files_checked == 2
    altered, removed = hashlib.sha256(plan).hexdigest(), hashlib.sha256(card).hexdigest()
    store.alter(altered)
    store.remove(removed)
    report = verify_audit_chains(engine.ctx)
    assert not report.ok and report.files_checked == 0
    assert report.files_altered == ((number, altered),) and report.files_missing == ((number, removed),)
    assert audit_command.verify(engine.ctx, None) == 1  # onething audit-verify
    printed = capsys.readouterr().out
    assert f"ALTERED in the store: case {number}, file {altered}" in printed
    assert f"MISSING from the store: case {number}, file {removed}" in printed
    answer = client.get("/api/audit/verify", headers=SUPERVISOR).json
    assert answer["ok"] is False and len(answer["files_missing"]) == 1
