"""The HTTP server the engine bench's pg-http run starts, and the wait for it to answer."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time


def server_command(server: str, port: int, workers: int, worker_class: str) -> list[str]:
    """The command that serves the API on ``port``: granian (WSGI, one blocking thread per worker
    process, HTTP/1.1 keep-alive), as README's production command, or gunicorn (its worker class)."""
    extra = os.environ.get("BENCH_SERVER_ARGS", os.environ.get("BENCH_GUNICORN_ARGS", "")).split()
    if server == "granian":
        return [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(workers),
                "--blocking-threads", "1", "--respawn-failed-workers", "--workers-kill-timeout", "30",
                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *extra,
                "--factory", "api:create_app"]
    return [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", *extra, "api:create_app()"]


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, seconds: float = 30.0) -> None:
    """Wait for the server's /healthz to answer 200; fail at once if the server exits, and after
    ``seconds`` if it never answers (instead of letting the clients wait on it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before answering /healthz")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            finally:
                c.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not answer /healthz with 200 within {seconds:.0f} s")
