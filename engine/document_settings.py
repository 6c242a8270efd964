"""The composition root's settings for documents (issue 25): where the materials' files are stored,
how big they may be, how pages are cached, and what the notices print (the centre's name, the
address their QR code leads to, the font they embed)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.domain.documents import FileStore, UploadLimits
from engine.domain.notices import NoticeConfig
from engine.storage.filesystem import FilesystemStore

MB = 1024 * 1024


@dataclass
class DocumentSettings:
    files_dir: Path
    """The filesystem store's directory (ONETHING_FILES_DIR)."""
    store: str = "filesystem"
    """``filesystem`` or ``s3`` (ONETHING_FILE_STORE)."""
    s3_bucket: str = ""
    s3_endpoint: str = ""
    """An S3-compatible server's URL; empty: AWS's own endpoint for the region."""
    s3_prefix: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    max_file_mb: float = 20
    max_case_mb: float = 200
    page_cache_mb: float = 64
    pdf_font: str = ""
    """A TrueType font with Chinese glyphs for the notices; empty: the first Debian CJK font found."""
    centre_name: str = "市政务服务中心"
    public_url: str = "http://127.0.0.1:5000"
    """Where the centre's server is reached from outside: the notices' QR codes lead there."""

    @staticmethod
    def from_env(default_dir: Path) -> DocumentSettings:
        env = os.environ.get
        return DocumentSettings(
            files_dir=Path(env("ONETHING_FILES_DIR", str(default_dir))),
            store=env("ONETHING_FILE_STORE", "filesystem"),
            s3_bucket=env("ONETHING_S3_BUCKET", ""), s3_endpoint=env("ONETHING_S3_ENDPOINT", ""),
            s3_prefix=env("ONETHING_S3_PREFIX", ""), s3_region=env("ONETHING_S3_REGION", "us-east-1"),
            s3_access_key=env("ONETHING_S3_ACCESS_KEY", ""), s3_secret_key=env("ONETHING_S3_SECRET_KEY", ""),
            max_file_mb=float(env("ONETHING_UPLOAD_MAX_FILE_MB", "20")),
            max_case_mb=float(env("ONETHING_UPLOAD_MAX_CASE_MB", "200")),
            page_cache_mb=float(env("ONETHING_PAGE_CACHE_MB", "64")),
            pdf_font=env("ONETHING_PDF_FONT", ""),
            centre_name=env("ONETHING_CENTRE_NAME", "市政务服务中心"),
            public_url=env("ONETHING_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        )

    def limits(self) -> UploadLimits:
        if self.max_file_mb <= 0 or self.max_case_mb < self.max_file_mb:
            raise ValueError("ONETHING_UPLOAD_MAX_FILE_MB must be above 0 and at most ONETHING_UPLOAD_MAX_CASE_MB")
        return UploadLimits(max_file_bytes=int(self.max_file_mb * MB), max_case_bytes=int(self.max_case_mb * MB))

    def notice_config(self) -> NoticeConfig:
        return NoticeConfig(self.centre_name, self.public_url, self.pdf_font)

    def build_store(self) -> FileStore:
        if self.store == "filesystem":
            return FilesystemStore(self.files_dir)
        if self.store == "s3":
            if not self.s3_bucket:
                raise ValueError("ONETHING_FILE_STORE=s3 needs ONETHING_S3_BUCKET")
            from engine.storage.s3 import S3Store  # boto3 is loaded only where the S3 store is used

            return S3Store(self.s3_bucket, self.s3_prefix, self.s3_endpoint or None, self.s3_region,
                           self.s3_access_key or None, self.s3_secret_key or None)
        raise ValueError(f"ONETHING_FILE_STORE must be filesystem or s3, not {self.store!r}")
