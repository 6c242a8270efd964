"""What the applicant's own channel adds to a case (issue 26): the scans attached to an online
application before any case exists, the commitment (告知承诺) signed online, and how the applicant
wants the results — an e-licence to their account, by mail to an address, or at the window in a
time slot they picked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.domain.calendar import WorkingCalendar
from engine.domain.documents import MediaType
from engine.domain.errors import InvalidInput
from engine.domain.model import Delivery

COMMITMENT_TEXT = ("本人已知晓办事指南告知的条件和要求，所作承诺真实有效；如承诺不实，愿意承担相应法律责任，"
                   "相关许可可依法撤销。")
"""What the applicant signs online for the materials replaced by a commitment (告知承诺制)."""

SLOT_DAYS = 5
"""How many working days ahead of today the window offers pickup slots."""

SLOT_HALVES = {"am": ("上午", time(9), time(12)), "pm": ("下午", time(13, 30), time(17))}
"""The half-days of a pickup slot, as a service centre's opening hours split them."""

ADDRESS_MAX = 200
TRACKING_MAX = 40


@dataclass(frozen=True)
class ApplicationFile:
    """One file of one material of an online application (its bytes in the file store by SHA-256).
    A new upload for a material replaces its files while the application can still change; on
    acceptance the files become the case's first version of that material."""

    application_id: int
    material_key: str
    part: int
    sha256: str
    media_type: MediaType
    size: int
    pages: int
    filename: str
    uploaded_at: datetime
    id: int = 0


@dataclass(frozen=True)
class Commitment:
    """告知承诺 signed online: who signed, when, for which materials, and the text they agreed to."""

    signed_by: str
    signed_at: datetime
    materials: tuple[str, ...]
    text: str = COMMITMENT_TEXT

    def as_dict(self) -> dict[str, Any]:
        return {"signed_by": self.signed_by, "signed_at": self.signed_at.isoformat(),
                "materials": list(self.materials), "text": self.text}


@dataclass
class DeliveryChoice:
    """How the applicant wants the case's results (统一出件), chosen online; the window follows it and
    records the mail's tracking number."""

    case_id: int
    delivery: Delivery
    chosen_by: str
    chosen_at: datetime
    address: str | None = None
    """Mail: where to, with the addressee and a telephone number, as one line."""
    slot: str | None = None
    """Window: ``YYYY-MM-DD am`` or ``YYYY-MM-DD pm``."""
    tracking_number: str | None = None
    """Mail: the courier's number, recorded by the window when it sends the results."""
    sent_at: datetime | None = None


def pickup_slots(today: date, calendar: WorkingCalendar, days: int = SLOT_DAYS) -> list[str]:
    """The slots the window offers: each half-day of the next ``days`` working days after today."""
    found: list[str] = []
    day = today
    while len(found) < days * len(SLOT_HALVES):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            found.extend(f"{day.isoformat()} {half}" for half in SLOT_HALVES)
    return found


def slot_label(slot: str) -> str:
    day, half = slot.split(" ", 1)
    name, start, end = SLOT_HALVES[half]
    return f"{day} {name} {start:%H:%M}–{end:%H:%M}"


def checked_choice(delivery: str, address: str, slot: str,
                   offered: list[str] | None) -> tuple[Delivery, str | None, str | None]:
    """The choice as the applicant sent it, checked: mail needs an address, a window pickup one of the
    slots ``offered`` (None: no slot is asked yet, the results being far off), an e-licence nothing more."""
    try:
        chosen = Delivery(delivery)
    except ValueError:
        raise InvalidInput(f"delivery must be one of {', '.join(d.value for d in Delivery)}",
                           "领取方式须为电子证照、邮寄或窗口领取之一",
                           {"delivery": ["应为 online（电子证照）、mail（邮寄）或 window（窗口领取）"]}) from None
    address, slot = address.strip(), slot.strip()
    if chosen is Delivery.MAIL and not 6 <= len(address) <= ADDRESS_MAX:
        raise InvalidInput("mail needs the address, the addressee and a telephone number",
                           "邮寄须填写收件地址、收件人和联系电话",
                           {"address": [f"请填写收件地址、收件人和电话（6 至 {ADDRESS_MAX} 字）"]})
    if chosen is Delivery.WINDOW and offered is not None and slot not in offered:
        raise InvalidInput(f"slot must be one of the offered slots: {', '.join(offered)}",
                           "请选择窗口提供的领取时段", {"slot": ["请从可选时段中选择"]})
    return (chosen, address if chosen is Delivery.MAIL else None,
            slot if chosen is Delivery.WINDOW and offered is not None else None)
