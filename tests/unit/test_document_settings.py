"""The documents' settings from the environment: which store, its limits, what the notices print;
a store or limit that cannot work is refused when the engine is built, not at the first upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.document_settings import MB, DocumentSettings
from engine.storage.filesystem import FilesystemStore
from engine.storage.s3 import S3Store


def test_the_filesystem_store_is_the_default_and_the_s3_store_is_configured_by_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built = DocumentSettings.from_env(tmp_path / "files").build_store()
    assert isinstance(built, FilesystemStore) and built.root == tmp_path / "files"
    for name, value in {"ONETHING_FILE_STORE": "s3", "ONETHING_S3_BUCKET": "scans", "ONETHING_S3_PREFIX": "cy/",
                        "ONETHING_S3_ENDPOINT": "http://127.0.0.1:9000", "ONETHING_S3_ACCESS_KEY": "k",
                        "ONETHING_S3_SECRET_KEY": "s", "ONETHING_UPLOAD_MAX_FILE_MB": "5",
                        "ONETHING_UPLOAD_MAX_CASE_MB": "50", "ONETHING_PUBLIC_URL": "https://zwfw.example.gov.cn/",
                        "ONETHING_CENTRE_NAME": "新乡市政务服务中心"}.items():
        monkeypatch.setenv(name, value)
    settings = DocumentSettings.from_env(tmp_path / "files")
    store = settings.build_store()
    assert isinstance(store, S3Store) and (store.bucket, store.prefix) == ("scans", "cy/")
    assert (settings.limits().max_file_bytes, settings.limits().max_case_bytes) == (5 * MB, 50 * MB)
    notices = settings.notice_config()
    assert (notices.centre, notices.public_url) == ("新乡市政务服务中心", "https://zwfw.example.gov.cn")


@pytest.mark.parametrize("changes", [{"store": "ftp"}, {"store": "s3"}, {"max_file_mb": 0},
                                     {"max_file_mb": 30, "max_case_mb": 20}])
def test_a_store_or_limit_that_cannot_work_is_refused(tmp_path: Path, changes: dict[str, object]) -> None:
    settings = DocumentSettings(tmp_path, **changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ONETHING_"):
        settings.build_store()
        settings.limits()
