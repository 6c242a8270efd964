"""The file store on the local filesystem: each file is kept under its SHA-256, in two levels of
directories named by the digest's first hex digits so that no directory grows too large.

Nothing a request sends becomes a path: a digest is checked against ``SHA256`` before a path is
built from it, so ``../`` or an absolute name never reaches the filesystem. A file is written to a
temporary file beside its final place, synced, and renamed into place, so a reader sees either the
whole file or none; two uploads of the same bytes at once both rename identical content, which is
harmless. Stored files are made read-only: they are never changed, only added.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from engine.domain.documents import SHA256, FileMissing

_CHUNK = 1024 * 1024


def valid_digest(digest: str) -> str:
    """``digest`` when it is 64 lower-case hex digits; ``ValueError`` otherwise."""
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise ValueError(f"not a SHA-256 digest: {digest!r:.80}")
    return digest


class FilesystemStore:
    """Files by SHA-256 under ``root`` (created on the first ``put``): ``root/ab/cd/abcd…``."""

    name = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        """Where the file of ``digest`` is (or would be) kept; ``ValueError`` for anything that is not
        a digest."""
        valid_digest(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        # The temporary file lives in the target's directory so that the rename stays on one
        # filesystem and is atomic.
        with tempfile.NamedTemporaryFile(delete=False, dir=target.parent, prefix=f".{digest[:8]}-",
                                         suffix=".tmp") as temporary:
            try:
                temporary.write(data)
                temporary.flush()
                os.fsync(temporary.fileno())
                os.chmod(temporary.name, 0o444)
            except BaseException:
                temporary.close()
                os.unlink(temporary.name)
                raise
        try:
            os.replace(temporary.name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary.name)
            raise
        _sync_directory(target.parent)
        return digest

    def get(self, digest: str) -> bytes:
        target = self.path(digest)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            raise FileMissing(digest) from None

    def check(self, digest: str) -> str:
        target = self.path(digest)
        hasher = hashlib.sha256()
        try:
            with target.open("rb") as stored:
                while chunk := stored.read(_CHUNK):
                    hasher.update(chunk)
        except FileNotFoundError:
            return "missing"
        return "ok" if hasher.hexdigest() == digest else "altered"


def _sync_directory(directory: Path) -> None:
    """Make the rename durable: a directory's entries are only on disk once the directory is synced.
    Platforms that cannot open a directory (Windows) skip it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
