"""The file store in an S3-compatible object store (AWS S3, MinIO, a provincial cloud's OSS with an
S3 endpoint): each file is one object whose key is ``prefix`` followed by the file's SHA-256.

Objects are written once. An upload sends the SHA-256 as ``ChecksumSHA256``, so the object store
itself refuses bytes that were damaged on the way, and records the checksum with the object. A digest
is checked against ``SHA256`` before any key is built from it.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, FlexibleChecksumError

from engine.domain.documents import FileAltered, FileMissing
from engine.storage.filesystem import valid_digest

_CHUNK = 1024 * 1024
_ABSENT = frozenset({"404", "NoSuchKey", "NotFound"})


def _absent(error: ClientError) -> bool:
    """Whether the object store answered that there is no such object (a HEAD answers a bare 404)."""
    return str(error.response.get("Error", {}).get("Code", "")) in _ABSENT


class S3Store:
    """Files by SHA-256 as objects ``prefix + digest`` in ``bucket``. ``client`` replaces the boto3
    client built from the other arguments (tests pass one they also use directly).

    ``get`` of an object whose bytes no longer match the checksum kept with it raises ``FileAltered``
    (botocore finds it while reading; ``check`` answers ``altered``)."""

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str = "us-east-1",
                 access_key: str | None = None, secret_key: str | None = None, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.region = region
        if client is None:
            client = boto3.client(
                "s3", endpoint_url=endpoint_url, region_name=region,
                aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2, read_timeout=10))
        self.client = client

    def key(self, digest: str) -> str:
        """The object key of ``digest``; ``ValueError`` for anything that is not a digest."""
        return self.prefix + valid_digest(digest)

    def put(self, data: bytes) -> str:
        hashed = hashlib.sha256(data)
        digest = hashed.hexdigest()
        key = self.key(digest)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return digest
        except ClientError as error:
            if not _absent(error):
                raise
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType="application/octet-stream",
            # Naming the algorithm makes the store keep the checksum with the object, not only check it.
            ChecksumAlgorithm="SHA256", ChecksumSHA256=base64.b64encode(hashed.digest()).decode("ascii"))
        return digest

    def get(self, digest: str) -> bytes:
        body = self._open(digest)
        try:
            return bytes(body.read())
        except FlexibleChecksumError as err:  # the library's error stays behind the port
            raise FileAltered(f"the object {digest} fails its checksum") from err
        finally:
            body.close()

    def check(self, digest: str) -> str:
        try:
            body = self._open(digest)
        except FileMissing:
            return "missing"
        hasher = hashlib.sha256()
        try:
            for chunk in body.iter_chunks(_CHUNK):
                hasher.update(chunk)
        except FlexibleChecksumError:
            # botocore checks the body against the checksum the store kept at upload, and stops first.
            return "altered"
        finally:
            body.close()
        return "ok" if hasher.hexdigest() == digest else "altered"

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist (development and tests; in production the bucket,
        its encryption and its lifecycle are provisioned by the operators)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as error:
            if not _absent(error):
                raise
        arguments: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.client.create_bucket(**arguments)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                raise

    def _open(self, digest: str) -> Any:
        """The streaming body of the object of ``digest``; ``FileMissing`` when there is none."""
        key = self.key(digest)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as error:
            if _absent(error):
                raise FileMissing(digest) from None
            raise
