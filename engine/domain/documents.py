"""Documents (issue 25): the files of a case's materials as the engine sees them, and the port of
the store that keeps their bytes.

A file is kept by its content: its SHA-256 (64 lower-case hex digits) is its only name in the
store, so the same scan uploaded twice is stored once and nothing a request sends ever becomes a
path. The database keeps metadata only (``MaterialFile``); each upload is a new version of its
material, never an overwrite, and its files' digests go into the case's hash-chained events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

MATERIAL_FILES_ADDED = "MaterialFilesAdded"
"""The case event of an upload: the material, its version, and each file's SHA-256, size and type."""

SHA256 = re.compile(r"^[0-9a-f]{64}$")
"""What a file's name in the store looks like; anything else is refused before the store is asked."""


class MediaType(StrEnum):
    """The kinds of file a material may be: decided by the file's content, never by its name."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"

    @property
    def is_image(self) -> bool:
        return self is not MediaType.PDF


class UploadStage(StrEnum):
    """When the file came: with the application, for a correction (补正), or as a tolerated
    material supplied after acceptance (容缺补交)."""

    INTAKE = "intake"
    CORRECTION = "correction"
    SUPPLEMENT = "supplement"


@dataclass(frozen=True)
class UploadLimits:
    """Configurable limits on what the window may upload."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_case_bytes: int = 200 * 1024 * 1024
    max_files_per_upload: int = 30
    max_pages: int = 300
    """Pages of one PDF."""
    max_pixels: int = 60_000_000
    """Pixels of one image (width × height): above it an image is refused as a decompression bomb."""


@dataclass(frozen=True)
class Inspected:
    """What a file's content says it is."""

    media_type: MediaType
    pages: int
    """Pages of a PDF; 1 for an image."""
    width: int = 0
    """Pixels of an image; 0 for a PDF."""
    height: int = 0


class Refusal(StrEnum):
    """Why a file was refused, as the API answers it: too big (413), of a type not accepted (415),
    or not a sound file of its type (422)."""

    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"


class UploadRefused(Exception):
    """A file that may not be stored: not what it claims, too big, empty, of a type not accepted,
    a decompression bomb, a PDF with scripts. Carries the reason in English and in Chinese."""

    def __init__(self, message: str, message_zh: str, refusal: Refusal = Refusal.INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.refusal = refusal


class FileMissing(Exception):
    """The store holds no file by that digest."""


class FileAltered(FileMissing):
    """The store's bytes under that digest are not the file any more (they fail the checksum kept
    with them): as good as missing to whoever reads them."""


class FileStore(Protocol):
    """Where the bytes of the files are kept, by SHA-256. Implementations: the local filesystem
    (``engine.storage.filesystem``) and an S3-compatible object store (``engine.storage.s3``)."""

    name: str
    """``filesystem`` or ``s3``: shown to administrators."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (once: storing the same bytes again changes nothing) and answer its SHA-256."""
        ...

    def get(self, digest: str) -> bytes:
        """The bytes stored under ``digest``; ``FileMissing`` when there are none (``FileAltered`` when
        the store can tell they are not the file any more). A digest that is
        not 64 lower-case hex digits raises ``ValueError`` before anything is read."""
        ...

    def check(self, digest: str) -> str:
        """``ok`` when the bytes under ``digest`` hash to it, ``missing`` when there are none,
        ``altered`` when they hash to something else."""
        ...


@dataclass(frozen=True)
class MaterialFile:
    """One file of one version of a material of a case."""

    id: int
    case_id: int
    material_key: str
    version: int
    """1 for the first upload of this material in this case, then 2, 3 …"""
    part: int
    """Its place among the files of that version, from 1 (several photographed pages)."""
    sha256: str
    media_type: MediaType
    size: int
    pages: int
    filename: str
    """The name the file had on the uploader's machine: shown, never used to find anything."""
    stage: UploadStage
    uploaded_by: str
    uploaded_at: datetime


def chained_digests(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """The SHA-256 of each file a case event put in the chain (none for other events)."""
    files = data.get("files") if event_type == MATERIAL_FILES_ADDED else None
    if not isinstance(files, list):
        return []
    return [str(f["sha256"]) for f in files if isinstance(f, dict) and "sha256" in f]
