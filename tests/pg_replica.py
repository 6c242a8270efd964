"""A PostgreSQL 15 primary and a streaming replica of it, made for a test module with Debian's
cluster tools (``pg_createcluster``, ``pg_ctlcluster``, ``pg_dropcluster``) on free loopback ports,
their data in a temporary directory, dropped at the end. The machine's own cluster (5432, with the
benchmark's data) is left alone: the pair is small and empty but for what the tests write.

The primary streams WAL to the replica (``wal_level = replica``, a ``replication`` line trusted
from 127.0.0.1), which is a copy taken with ``pg_basebackup -R`` and runs as a hot standby: it
answers reads and refuses writes. Clusters are made as root and run as ``postgres``; a pair left
by a test run that was killed is dropped by the next one."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

VERSION = "15"
BIN = Path(f"/usr/lib/postgresql/{VERSION}/bin")
CONFIG = Path(f"/etc/postgresql/{VERSION}")
TOOLS = (Path("/usr/bin/pg_createcluster"), Path("/usr/bin/pg_ctlcluster"), Path("/usr/bin/pg_dropcluster"),
         BIN / "postgres", BIN / "pg_basebackup")
PREFIX = "onething_test"
_NAME = re.compile(rf"^{PREFIX}_(\d+)_(primary|replica)$")
STARTUP_SECONDS = 60.0
# Small and quick to start; nothing here needs to survive a crash of the machine.
SERVER_OPTIONS = ("wal_level=replica", "max_wal_senders=4", "shared_buffers=32MB", "max_connections=60",
                  "fsync=off", "full_page_writes=off", "hot_standby=on")
REPLICATION_HBA = "host replication all 127.0.0.1/32 trust"


def missing() -> str | None:
    """Why a pair cannot be made here (None: it can)."""
    absent = [str(p) for p in TOOLS if not p.exists()]
    if absent:
        return f"PostgreSQL {VERSION} server binaries or Debian's cluster tools are absent ({', '.join(absent)})"
    if os.geteuid() != 0:
        return "making PostgreSQL clusters with pg_createcluster needs root (they run as postgres)"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=STARTUP_SECONDS)
    if done.returncode != 0:
        output = done.stdout[-1500:] + done.stderr[-1500:]
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {output}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_leftovers() -> None:
    """Drop the pairs of test runs whose process is gone (killed before their teardown)."""
    if not CONFIG.is_dir():
        return
    for entry in sorted(CONFIG.iterdir(), key=lambda p: p.name, reverse=True):  # replicas before primaries
        found = _NAME.match(entry.name)
        if found and not _alive(int(found.group(1))):
            subprocess.run(["pg_dropcluster", "--stop", VERSION, entry.name], capture_output=True, check=False)


@dataclass(frozen=True)
class ReplicaPair:
    """A running primary and its streaming replica; each port's superuser is ``postgres``, trusted."""

    primary_port: int
    replica_port: int
    directory: Path

    @property
    def primary_name(self) -> str:
        return f"{PREFIX}_{os.getpid()}_primary"

    @property
    def replica_name(self) -> str:
        return f"{PREFIX}_{os.getpid()}_replica"

    def primary_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.primary_port}/{database}"

    def replica_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.replica_port}/{database}"

    def primary_sql(self, statement: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        return _sql(self.primary_url(database), statement)

    def replica_sql(self, statement: str, database: str = "postgres") -> list[tuple[Any, ...]]:
        return _sql(self.replica_url(database), statement)

    def pause_replay(self) -> None:
        """The replica goes on receiving WAL but applies none: what it answers stays as it is."""
        self.replica_sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.replica_sql("SELECT pg_wal_replay_resume()")

    def stop_replica(self) -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, self.replica_name, "stop", "-m", "fast")

    def start_replica(self) -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, self.replica_name, "start")
        self.wait_streaming()

    def wait_streaming(self) -> None:
        """Until the replica is in recovery and the primary streams to it."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                standby = self.replica_sql("SELECT pg_is_in_recovery()") == [(True,)]
                streaming = self.primary_sql(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == [(1,)]
                if standby and streaming:
                    return
            except psycopg.OperationalError:
                pass  # still starting
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica on port {self.replica_port} does not stream from the primary")
            time.sleep(0.1)


def _sql(url: str, statement: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(statement.encode())
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []


def _create_cluster(name: str, port: int, directory: Path) -> None:
    options = [arg for option in SERVER_OPTIONS for arg in ("-o", option)]
    _run("pg_createcluster", VERSION, name, "-d", str(directory / name), "-p", str(port),
         "-l", str(directory / f"{name}.log"), "--start-conf=manual", *options, "--", "--auth=trust", "--no-sync")


@contextmanager
def running_replica_pair() -> Iterator[ReplicaPair]:
    """Make, start and (at the end) drop a primary and its replica."""
    drop_leftovers()
    directory = Path(tempfile.mkdtemp(prefix="onething-replica-"))
    shutil.chown(directory, "postgres", "postgres")
    pair = ReplicaPair(_free_port(), _free_port(), directory)
    made: list[str] = []
    try:
        _create_cluster(pair.primary_name, pair.primary_port, directory)
        made.append(pair.primary_name)
        hba = CONFIG / pair.primary_name / "pg_hba.conf"
        if REPLICATION_HBA not in hba.read_text():
            with hba.open("a") as lines:
                lines.write(REPLICATION_HBA + "\n")
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, pair.primary_name, "start")
        _create_cluster(pair.replica_name, pair.replica_port, directory)
        made.append(pair.replica_name)
        data = directory / pair.replica_name
        shutil.rmtree(data)  # the cluster's own initdb is replaced by the primary's copy
        _run("runuser", "-u", "postgres", "--", str(BIN / "pg_basebackup"), "-h", "127.0.0.1",
             "-p", str(pair.primary_port), "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast",
             "--no-sync")
        _run("pg_ctlcluster", "--skip-systemctl-redirect", VERSION, pair.replica_name, "start")
        pair.wait_streaming()
        yield pair
    finally:
        for name in reversed(made):
            subprocess.run(["pg_dropcluster", "--stop", VERSION, name], capture_output=True, check=False)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_pair() -> Iterator[ReplicaPair]:
    """One pair per test module. Where the server binaries are absent the tests are skipped, but
    in CI (``CI`` set) that fails them: .ci/run installs what they need."""
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the read replica's tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with running_replica_pair() as pair:
        yield pair
