"""``onething audit-verify`` and ``onething audit-checkpoint``: what they print, and their exit codes
(0 verified, 1 a broken link or a disagreement, 2 an unreadable checkpoint)."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.domain.errors import DomainError
from engine.services.audit import ChainReport, Sealed, verify_audit_chains
from engine.services.audit_checkpoint import read_checkpoint, take_checkpoint
from engine.services.context import ServiceContext


def verify(ctx: ServiceContext, checkpoint_path: str | None, incremental: bool = False) -> int:
    if incremental and checkpoint_path is not None:
        print("onething: a checkpoint is checked by the full verification; leave out --incremental", file=sys.stderr)
        return 2
    sealed: Sealed | None = None
    if checkpoint_path is not None:
        try:
            checkpoint = read_checkpoint(ctx, Path(checkpoint_path).read_bytes())
        except (OSError, DomainError) as err:
            print(f"onething: {getattr(err, 'message_zh', None) or err}", file=sys.stderr)
            return 2
        sealed = checkpoint.heads
        print(f"checkpoint of {checkpoint.taken_at}: {len(sealed)} chain heads, signature OK")
    report = verify_audit_chains(ctx, sealed, incremental)
    _print(report, sealed is not None)
    return 0 if report.ok else 1


def checkpoint(ctx: ServiceContext, out: str) -> int:
    report, document = take_checkpoint(ctx)
    _print(report, False)
    if document is None:
        print("no checkpoint written: the log does not verify", file=sys.stderr)
        return 1
    if out == "-":
        sys.stdout.write(document.decode())
    else:
        Path(out).write_bytes(document)
        print(f"checkpoint written to {out}")
    return 0


def _print(report: ChainReport, with_checkpoint: bool) -> None:
    if report.broken is None:
        print(f"audit chain OK: {report.chains} chains, {report.events} events verified"
              + (f", {report.unkeyed} unkeyed (written before ONETHING_AUDIT_KEY)" if report.unkeyed else "")
              + (f", {report.checkpoint_chains} chain heads as the checkpoint sealed them" if with_checkpoint else "")
              + (f"; {report.skipped} case chains unchanged since the last sound verification, not read"
                 if report.skipped else ""))
    else:
        b = report.broken
        print(f"audit chain BROKEN in {b.chain} at event {b.seq} (row id {b.event_id}): {b.problem}")
        print(f"verified before the break: {report.events} events in {report.chains} chains")
    if report.files_checked or report.files_missing or report.files_altered:
        print(f"material files: {report.files_checked} match their digests in the store"
              f", {len(report.files_missing)} missing, {len(report.files_altered)} altered")
        for number, digest in report.files_missing:
            print(f"  MISSING from the store: case {number}, file {digest}")
        for number, digest in report.files_altered:
            print(f"  ALTERED in the store: case {number}, file {digest} (its bytes hash to something else)")
    if report.disagreeing:
        print(f"case rows that disagree with their events: {report.disagreeing}")
        for found in report.disagreements:
            print(f"  {found.describe()}")
