"""The audit of shared data (数据调用留痕) and what shared data gave a case.

A lookup asks one source for the records of one kind about one subject, for a purpose. The audit
keeps who asked, for which case or draft, what was asked and how much came back: counts, never the
personal data itself.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

AUTHORIZATION_METHODS = {
    "window": "窗口告知并经申请人同意",
    "signed": "申请人签署授权书",
    "online": "申请人在线授权",
}
"""How the applicant authorized the lookups of their data (授权)."""


@dataclass
class LookupEntry:
    occurred_at: datetime
    user: str
    department: str
    purpose: str
    source: str
    """The adapter that answered (``embedded``, ``http``)."""
    kind: str
    subject: str
    attributes: list[str]
    """What was asked for: the attributes the bundle's fields and materials need of this kind."""
    outcome: str
    """``found``, ``none`` or ``unavailable``."""
    records: int
    values_returned: int
    milliseconds: int
    bundle_code: str | None = None
    draft: str | None = None
    case_id: int | None = None
    error: str | None = None
    id: int = 0


@dataclass(frozen=True)
class LookupFilter:
    user: str | None = None
    kind: str | None = None
    case_id: int | None = None
    draft: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 100


@dataclass(frozen=True)
class LookupVolume:
    user: str
    lookups: int
    subjects: int
    last_at: datetime | None


@dataclass
class CaseSharedData:
    case_id: int
    fields: dict[str, Any]
    """Per pre-filled field: its source (path, origin, label, ref), the source's value, and whether
    the window corrected it (then the value the case holds differs)."""
    materials: dict[str, Any]
    """Per material a registry record or an e-licence replaced: which one (origin, label, ref)."""
    unavailable: list[dict[str, str]] = field(default_factory=list)
    """The sources that gave no answer at intake: kind, source, why."""
    authorization: dict[str, Any] = field(default_factory=dict)
    """How the applicant authorized the lookups: method, recorded by whom and when."""


def unusual_volume(volumes: list[LookupVolume], threshold: int, factor: float = 5.0) -> set[str]:
    """The users whose lookups in the period look unusual: more than ``threshold``, or more than
    ``factor`` times the median of everyone who looked anything up (with at least 20 lookups, so
    that a quiet day flags nobody)."""
    if not volumes:
        return set()
    median = statistics.median(v.lookups for v in volumes)
    return {v.user for v in volumes
            if v.lookups > threshold or (len(volumes) > 2 and v.lookups >= 20 and v.lookups > factor * median)}
