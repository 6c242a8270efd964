"""PgBouncer in transaction mode in front of a PostgreSQL server, started as a child process on a
free loopback port: the tests that run through a pooler (tests/pgbouncer.py) and the engine bench
(``--pgbouncer``) both start it from here.

Debian's PgBouncer (1.18) hands a server connection to a client for one transaction only, and
cannot carry protocol-level prepared statements from one server connection to the next (1.21 can,
with ``max_prepared_statements``): the engine behind it runs with prepared statements off
(``Settings(prepared_statements=False)``, ONETHING_PREPARED_STATEMENTS=0).

Clients log in as the user of the direct URL; PgBouncer trusts them (``auth_type = trust``) and logs
in to the server as that user, with the URL's password if it has one. Every database of the server
is reachable through it under its own name. The same user may read the admin console (the database
``pgbouncer``: SHOW POOLS, SHOW STATS, SHOW SERVERS ...).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

PGBOUNCER = "/usr/sbin/pgbouncer"
# Server connections per database and user. The concurrency tests hold up to about 25 client
# connections at once (8 threads, 4 processes of 2-4); clients beyond the pool wait for a
# transaction to end, which is what a pooler is for. PostgreSQL's own limit (100 here) is shared
# with whatever else runs on the machine, so the pool stays well below it.
POOL_SIZE = 20
MAX_CLIENTS = 500
SERVER_IDLE_SECONDS = 10
STARTUP_SECONDS = 10.0


@dataclass(frozen=True)
class PgBouncer:
    """A running PgBouncer: where it listens, and for whom."""

    port: int
    user: str
    log: Path
    pid: int

    def url(self, direct_url: str) -> str:
        """``direct_url`` (any driver, any database of the server) routed through this PgBouncer."""
        return make_url(direct_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def show(self, what: str) -> list[dict[str, Any]]:
        """An admin console listing (``SHOW <what>``: POOLS, STATS, SERVERS, CLIENTS ...) as rows by
        column name."""
        if not what.replace("_", "").isalpha():
            raise ValueError(f"not an admin console listing: {what!r}")
        return self.console(f"SHOW {what}")

    def console(self, command: str) -> list[dict[str, Any]]:
        """Run one admin console command (SHOW ..., KILL db, RESUME db ...); answers its rows by
        column name. The console speaks the simple query protocol only, which psycopg uses for a
        statement without parameters."""
        import psycopg

        with psycopg.connect(f"postgresql://{self.user}@127.0.0.1:{self.port}/pgbouncer", autocommit=True) as conn:
            cursor = conn.execute(command.encode())
            if cursor.description is None:  # a command without rows: KILL, RESUME, PAUSE ...
                return []
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(port: int, server_host: str, server_port: int, user: str, pool_size: int, directory: Path) -> str:
    lines = [
        "[databases]",
        # A fallback entry: every database name a client asks for is the server's database of that name.
        f"* = host={server_host} port={server_port}",
        "",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        f"listen_port = {port}",
        "unix_socket_dir =",  # TCP only: no socket file to collide with another instance's
        "pool_mode = transaction",
        "auth_type = trust",
        f"auth_file = {directory / 'userlist.txt'}",
        f"admin_users = {user}",
        f"stats_users = {user}",
        f"default_pool_size = {pool_size}",
        f"max_client_conn = {MAX_CLIENTS}",
        # Server connections idle this long are closed: the tests' pools do not hold the server's
        # connection slots through the rest of a session (PgBouncer's default: 600 s).
        f"server_idle_timeout = {SERVER_IDLE_SECONDS}",
        # libpq-based drivers may send these start-up parameters, which PgBouncer would otherwise refuse.
        "ignore_startup_parameters = extra_float_digits,options",
        "log_connections = 0",
        "log_disconnections = 0",
    ]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; started as root (CI), it drops to this user after start-up.
        lines.append("user = postgres")
    return "\n".join(lines) + "\n"


def _wait_until_accepting(process: subprocess.Popen[bytes], bouncer: PgBouncer) -> None:
    import psycopg

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {bouncer.log.read_text()[-2000:]}")
        try:
            bouncer.show("VERSION")
            return
        except psycopg.OperationalError:  # not listening yet
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not accept connections within {STARTUP_SECONDS:.0f} s: "
                       f"{bouncer.log.read_text()[-2000:]}")


@contextmanager
def running_pgbouncer(direct_url: str, pool_size: int = POOL_SIZE) -> Iterator[PgBouncer]:
    """PgBouncer in transaction mode in front of the server ``direct_url`` names, for as long as
    the block runs; stopped (SIGTERM, then SIGKILL) when it ends."""
    if not Path(PGBOUNCER).exists():
        raise RuntimeError(f"{PGBOUNCER} is missing: apt-get install pgbouncer")
    server = make_url(direct_url)
    user = server.username or "postgres"
    with tempfile.TemporaryDirectory(prefix="pgbouncer-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # readable by the user it drops to when started as root
        (directory / "userlist.txt").write_text(f'"{user}" "{server.password or ""}"\n')
        log = directory / "pgbouncer.log"
        port = _free_port()
        ini = directory / "pgbouncer.ini"
        ini.write_text(_config(port, server.host or "127.0.0.1", server.port or 5432, user, pool_size, directory))
        with log.open("wb") as output:
            process = subprocess.Popen([PGBOUNCER, str(ini)], stdout=output, stderr=subprocess.STDOUT)
            bouncer = PgBouncer(port, user, log, process.pid)
            try:
                _wait_until_accepting(process, bouncer)
                yield bouncer
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
