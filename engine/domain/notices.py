"""The official notices a service centre hands the applicant (issue 25), as plain data: what each
says, already in Chinese and laid out as headed sections of paragraphs and tables. The PDF is made
from this by ``engine.documents.notice_pdf``; the services fill it from a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class NoticeKind(StrEnum):
    RECEIPT = "receipt"
    """受理回执: the case was accepted, its number, what was received, when results are due."""
    ONE_TIME = "one_time"
    """一次性告知书: everything the bundle needs, from its guide, told once."""
    CORRECTION = "correction"
    """补正告知书: what to correct, for which department, by when."""
    TOLERANCE = "tolerance"
    """容缺受理承诺书: the tolerated materials and their due day, for the applicant to sign."""
    REFUSAL = "refusal"
    """不予许可决定书: the refusal with its reason and the applicant's remedies."""
    HANDOVER = "handover"
    """统一出件清单: the results handed over."""
    ELICENCES = "elicences"
    """电子证照: the licences the case granted, as issued to the applicant's account."""


NOTICE_TITLES: dict[NoticeKind, str] = {
    NoticeKind.RECEIPT: "受理回执",
    NoticeKind.ONE_TIME: "一次性告知书",
    NoticeKind.CORRECTION: "补正告知书",
    NoticeKind.TOLERANCE: "容缺受理承诺书",
    NoticeKind.REFUSAL: "不予许可决定书",
    NoticeKind.HANDOVER: "统一出件清单",
    NoticeKind.ELICENCES: "电子证照",
}


@dataclass(frozen=True)
class NoticeTable:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class NoticeSection:
    heading: str
    paragraphs: tuple[str, ...] = ()
    table: NoticeTable | None = None


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    centre: str
    """The issuing service centre (政务服务中心)."""
    case_number: str
    status_url: str
    """Where the case's status can be read: the QR code leads there."""
    issued_at: datetime
    """Timezone-aware; printed as Beijing time."""
    applicant: str
    bundle: str
    sections: tuple[NoticeSection, ...]
    signatures: tuple[str, ...] = field(default=())
    """Lines to sign at the foot (申请人（签字）, 经办人)."""

    @property
    def title(self) -> str:
        return NOTICE_TITLES[self.kind]


@dataclass(frozen=True)
class NoticeConfig:
    """What every notice of a centre prints: its name, where its QR codes lead, the font it embeds."""

    centre: str = "市政务服务中心"
    public_url: str = "http://127.0.0.1:5000"
    font: str = ""
    """A TrueType font with Chinese glyphs; empty: the first Debian CJK font found."""
