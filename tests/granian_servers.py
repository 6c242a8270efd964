"""The production server for the tests: granian serving the WSGI app from two worker processes, as
README's production command does, started on a free port and stopped with SIGTERM; requests over
``http.client`` answered as (status, JSON or bytes, headers)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# README's production command, but for the address: a worker that dies is replaced at once, and one that
# does not stop within 30 s of being told to (one still loading the app, say) is killed.
GRANIAN = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1",
           "--respawn-failed-workers", "--workers-kill-timeout", "30"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def granian(env: dict[str, str], port: int, log: Path | None = None,
            start_seconds: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    """granian serving on ``port`` once it answers ``/healthz`` (within ``start_seconds``); its log (at
    level info) in ``log`` if given."""
    out = log.open("wb") if log else None
    server = subprocess.Popen([*GRANIAN, "--host", "127.0.0.1", "--port", str(port), "--log-level",
                               "info" if log else "warning", "--factory", "api:create_app"],
                              env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
            finally:
                probe.close()
        else:
            pytest.fail(f"granian did not start within {start_seconds:g} s")
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # leave no server behind, then say so
            for pid in living_children(server.pid):
                os.kill(pid, signal.SIGKILL)
            server.kill()
            server.wait()
            pytest.fail("granian did not stop within 60 s of SIGTERM")
        finally:
            if out:
                out.close()


def call(conn: http.client.HTTPConnection, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any, dict[str, str]]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn.request(method, path, data, {**(headers or {}), **({"Content-Type": "application/json"} if data else {})})
    response = conn.getresponse()
    payload = response.read()
    kind = response.getheader("Content-Type", "")
    headers_ = {k.lower(): v for k, v in response.getheaders()}  # granian sends them in lower case
    return response.status, json.loads(payload) if "json" in kind and payload else payload, headers_


def living_children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` and that have not exited (granian's workers), from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        state, parent = stat.rsplit(")", 1)[1].split()[:2]  # the name, in brackets, may hold spaces
        if int(parent) == pid and state not in ("Z", "X"):
            found.add(int(entry.name))
    return found


def sockets(pid: int, port: int, state: str) -> int:
    """How many sockets of ``port`` in TCP ``state`` (0A listening, 01 established) process ``pid`` holds."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{fields[9]}]")
    try:
        return sum(os.readlink(fd) in found for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return 0


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` listens on ``port`` (each granian worker opens its own socket, SO_REUSEPORT,
    once it has loaded the app)."""
    return sockets(pid, port, "0A") > 0
