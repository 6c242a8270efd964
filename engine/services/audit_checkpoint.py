"""Signed checkpoints of the chain heads, kept outside the database.

The audit key makes every keyed event unforgeable, but two things it cannot protect: events
written before the key existed (unkeyed SHA-256), and a rewrite of a whole chain as unkeyed events
by someone who can write to the database. A checkpoint lists every chain's head (last seq and
hash) at one moment, signed with the audit key; kept where the database's writers cannot reach
(another host, write-once storage), it seals everything up to that moment: verifying against it
finds any sealed event changed, any sealed chain cut short or removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from engine.domain.audit import sign, signature_matches
from engine.domain.errors import InvalidInput
from engine.services.audit import AUDIT_CHAIN, ChainReport, Sealed, verify_audit_chains
from engine.services.context import ServiceContext

FORMAT = "onething-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    taken_at: str
    heads: Sealed


def _payload(taken_at: str, heads: Sealed) -> bytes:
    body = {"format": FORMAT, "taken_at": taken_at, "chains": {k: list(v) for k, v in sorted(heads.items())}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def take_checkpoint(ctx: ServiceContext) -> tuple[ChainReport, bytes | None]:
    """Verify the log, then (only when it verifies) the signed checkpoint of every chain's head.
    Heads are read in one snapshot, after the verification: events appended in between are sealed
    too, which is right, since they were written with the key."""
    report = verify_audit_chains(ctx)
    if not report.ok:
        return report, None
    with ctx.uow(False, snapshot=True) as uow:
        heads: Sealed = {f"case:{case_id}": head for case_id, head in uow.reads.case_heads().items()
                         if head[0] > 0}
        audit = uow.audit.stored_head()
        key = uow.audit_key
    if audit[0] > 0:
        heads[AUDIT_CHAIN] = audit
    taken_at = ctx.clock().isoformat(timespec="seconds")
    payload = _payload(taken_at, heads)
    document = {**json.loads(payload), "signature": sign(key, payload)}
    return report, (json.dumps(document, ensure_ascii=False, indent=0) + "\n").encode()


def read_checkpoint(ctx: ServiceContext, data: bytes) -> Checkpoint:
    """The checkpoint in ``data``, when its signature verifies under the audit key."""
    try:
        document = json.loads(data)
        if document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        heads: Sealed = {str(k): (int(v[0]), str(v[1])) for k, v in document["chains"].items()}
        taken_at, signature = str(document["taken_at"]), str(document["signature"])
        datetime.fromisoformat(taken_at)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
        raise InvalidInput(f"not an audit checkpoint: {err}", f"不是审计检查点文件：{err}") from None
    with ctx.uow(False) as uow:
        key = uow.audit_key
    if not signature_matches(key, _payload(taken_at, heads), signature):
        raise InvalidInput("the checkpoint's signature does not verify: it was changed, or signed with another "
                           "ONETHING_AUDIT_KEY", "检查点签名校验失败：文件被改动，或签名所用的审计密钥不同")
    return Checkpoint(taken_at, heads)
