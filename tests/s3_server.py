"""An S3-compatible object store for the tests: moto's server mode on loopback, one per session (under
pytest-xdist, one per worker). A test module imports the ``s3_endpoint`` fixture and talks to the
server over HTTP with the fake credentials below, as the engine talks to MinIO or S3 in production.

    from tests.s3_server import s3_endpoint  # noqa: F401
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"

__all__ = ["ACCESS_KEY", "REGION", "SECRET_KEY", "free_port", "s3_endpoint"]


def free_port() -> int:
    """A loopback port nothing listens on now (the operating system's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a running moto S3 server on loopback; its buckets live as long as the session, so
    each test uses a bucket of its own."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
