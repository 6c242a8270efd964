"""What the engine bench reads of its processes and of the machine (Linux /proc and getrusage):
peak memory and CPU seconds, per process group and for the whole machine."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_rss_mb(pid: int) -> float:
    total = 0.0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [str(pid), *children]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds the live processes ``pids`` have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores together have been busy since boot (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int, client_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far of the server (master and workers), PostgreSQL's processes, the bench's
    clients, and the whole machine."""
    def pids_of(*args: str) -> list[int]:
        found = subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout.split()
        return [int(p) for p in found]

    return {"server": cpu_seconds([server_pid, *pids_of("-P", str(server_pid))]),
            "postgres": cpu_seconds(pids_of("-x", "postgres")),
            "clients": cpu_seconds(client_pids), "machine": machine_busy_seconds()}
