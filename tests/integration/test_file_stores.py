"""The file stores (engine/storage): the local filesystem and an S3-compatible object store (moto's
server on loopback, over HTTP), held to the same contract: a file is kept once under its SHA-256,
``check`` tells a file intact, missing or altered, and a name that is not a digest is refused before
the store is asked anything."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends

from engine.domain.documents import FileAltered, FileMissing, FileStore
from engine.storage.filesystem import FilesystemStore
from engine.storage.s3 import S3Store
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, s3_endpoint  # noqa: F401 - the session's S3 server

SCAN = b"%PDF-1.7 a scan of a household register " + os.urandom(4096)
INVALID = ["../../etc/passwd", hashlib.sha256(b"x").hexdigest().upper(), "a" * 63, "a" * 65, "", "0" * 63 + "/"]


@dataclass
class Harness:
    """A store and what a test needs to look behind it."""

    store: FileStore
    keys: Callable[[], list[str]]
    """The names of the objects (files) the store holds."""
    overwrite: Callable[[str, bytes], None]
    """Put other bytes under a digest behind the store's back."""
    plant: Callable[[str, bytes], None]
    """Put bytes where an unchecked name would lead."""
    watching: Callable[[], Any]
    """A context manager yielding the list of accesses to the store made inside it."""


def filesystem_harness(root: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    store = FilesystemStore(root / "files")

    def keys() -> list[str]:
        return sorted(p.name for p in store.root.rglob("*") if p.is_file()) if store.root.exists() else []

    def overwrite(digest: str, data: bytes) -> None:
        path = store.path(digest)
        path.chmod(0o644)
        path.write_bytes(data)

    def plant(name: str, data: bytes) -> None:
        path = store.root / name[:2] / name[2:4] / name
        if name and path.resolve().is_relative_to(root):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    @contextmanager
    def watching() -> Iterator[list[str]]:
        seen: list[str] = []
        for module, function in ((os, "stat"), (os, "lstat"), (os, "open"), (io, "open")):
            original = getattr(module, function)

            def spy(*args: Any, _original: Any = original, _name: str = function, **kwargs: Any) -> Any:
                seen.append(f"{_name} {args[0]}")
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, function, spy)
        try:
            yield seen
        finally:
            monkeypatch.undo()

    return Harness(store, keys, overwrite, plant, watching)


def s3_harness(endpoint: str) -> Harness:
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    store = S3Store(f"files-{uuid.uuid4().hex[:12]}", prefix="scans/", client=client)
    store.ensure_bucket()
    store.ensure_bucket()  # a second time finds it

    def keys() -> list[str]:
        listed = client.list_objects_v2(Bucket=store.bucket).get("Contents", [])
        return sorted(str(item["Key"]).removeprefix(store.prefix) for item in listed)

    def overwrite(digest: str, data: bytes) -> None:
        client.put_object(Bucket=store.bucket, Key=store.key(digest), Body=data)

    def plant(name: str, data: bytes) -> None:
        if name:
            client.put_object(Bucket=store.bucket, Key=store.prefix + name, Body=data)

    @contextmanager
    def watching() -> Iterator[list[str]]:
        seen: list[str] = []

        def record(model: Any, **_: Any) -> None:
            seen.append(model.name)

        client.meta.events.register("before-call.s3", record)
        try:
            yield seen
        finally:
            client.meta.events.unregister("before-call.s3", record)

    return Harness(store, keys, overwrite, plant, watching)


@pytest.fixture(params=["filesystem", "s3"])
def harness(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    if request.param == "filesystem":
        return filesystem_harness(tmp_path, monkeypatch)
    return s3_harness(request.getfixturevalue("s3_endpoint"))


@pytest.fixture
def store(harness: Harness) -> FileStore:
    return harness.store


def test_a_file_comes_back_as_it_went_in_under_its_sha256(store: FileStore) -> None:
    digest = store.put(SCAN)
    assert digest == hashlib.sha256(SCAN).hexdigest()
    assert store.get(digest) == SCAN
    assert store.put(b"\x00") == hashlib.sha256(b"\x00").hexdigest() and store.get(hashlib.sha256(b"\x00").hexdigest())


def test_the_same_bytes_are_stored_once(harness: Harness) -> None:
    first = harness.store.put(SCAN)
    with harness.watching() as seen:
        assert harness.store.put(SCAN) == first
    assert harness.keys() == [first]
    assert "PutObject" not in seen and not any(access.startswith("open") for access in seen)


def test_concurrent_uploads_of_the_same_bytes_leave_one_whole_file(harness: Harness) -> None:
    data = os.urandom(512 * 1024)
    with ThreadPoolExecutor(8) as pool:
        digests = set(pool.map(lambda _: harness.store.put(data), range(16)))
    assert digests == {hashlib.sha256(data).hexdigest()}
    assert harness.keys() == sorted(digests)  # no temporary file left behind
    assert harness.store.check(digests.pop()) == "ok"


def test_check_tells_intact_missing_and_altered(harness: Harness) -> None:
    digest = harness.store.put(SCAN)
    assert harness.store.check(digest) == "ok"
    assert harness.store.check(hashlib.sha256(b"never stored").hexdigest()) == "missing"
    harness.overwrite(digest, SCAN[:-1] + b"!")
    assert harness.store.check(digest) == "altered"


def test_a_file_not_stored_is_missing(store: FileStore) -> None:
    absent = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(FileMissing):
        store.get(absent)


@pytest.mark.parametrize("name", INVALID)
def test_a_name_that_is_not_a_digest_is_refused_before_the_store_is_asked(harness: Harness, name: str) -> None:
    harness.plant(name, b"planted")
    with harness.watching() as seen:
        for operation in (harness.store.get, harness.store.check):
            with pytest.raises(ValueError, match="not a SHA-256 digest"):
                operation(name)
    assert seen == []


def test_the_filesystem_store_keeps_files_read_only_under_two_levels(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "not-yet")
    assert not store.root.exists()
    with pytest.raises(FileMissing):
        store.get("0" * 64)
    assert not store.root.exists()  # created by the first put only
    digest = store.put(SCAN)
    path = tmp_path / "not-yet" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == SCAN and path.stat().st_mode & 0o777 == 0o444
    inode = path.stat().st_ino
    store.put(SCAN)
    assert path.stat().st_ino == inode


def test_the_object_store_is_told_the_checksum(s3_endpoint: str) -> None:  # noqa: F811 - the fixture
    store = S3Store(f"files-{uuid.uuid4().hex[:12]}", endpoint_url=s3_endpoint, region=REGION,
                    access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    store.ensure_bucket()
    digest = store.put(SCAN)
    head = store.client.head_object(Bucket=store.bucket, Key=digest, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(digest)).decode()
    assert head["ContentType"] == "application/octet-stream"
    assert store.get(digest) == SCAN and store.check(digest) == "ok"


def test_bytes_changed_inside_the_object_store_are_caught_by_its_checksum(s3_endpoint: str) -> None:  # noqa: F811
    store = S3Store(f"files-{uuid.uuid4().hex[:12]}", endpoint_url=s3_endpoint, region=REGION,
                    access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    store.ensure_bucket()
    digest = store.put(SCAN)
    # Behind the S3 interface (moto's server runs in this process): the bytes rot, the checksum stays.
    s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[store.bucket].keys[digest].value = SCAN[:-1] + b"!"
    assert store.check(digest) == "altered"
    with pytest.raises(FileAltered):  # not botocore's own error: the port's
        store.get(digest)
