"""What completing each kind of task means: the typed answers a reviewer or the window gives
(``Approve``, ``Reject``, ``RequestCorrection``, ``SupplyCorrection``, ``HandOver``) and the rules
each must satisfy on its own. The rules that need the case (its items, their correction rounds, the
tasks it waits on) are applied by the ``Case`` aggregate (``engine.domain.case``).

The API builds these commands from a request its schema validated; nothing here reads a payload dict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from engine.domain.errors import InvalidInput
from engine.domain.inspections import RecordInspection
from engine.domain.model import Actor, Delivery
from forms.identifiers import is_credit_code

MAX_CORRECTION_ROUNDS = 3
"""补正 is to be notified once and completely (行政许可法 art. 32); three rounds is the hard stop,
which also keeps SpiffWorkflow's task tree far from its depth limit."""


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CORRECT = "correct"


@dataclass(frozen=True)
class Approve:
    """准予. ``licence_number``: the number of the licence the item issues (required then), or of
    the approval document (批准文书) of an item that issues none (optional)."""

    licence_number: str = ""
    comment: str = ""
    decision: ClassVar[Decision] = Decision.APPROVE


@dataclass(frozen=True)
class Reject:
    """不予许可, with the written reason the applicant is given (required)."""

    reason: str = ""
    decision: ClassVar[Decision] = Decision.REJECT


@dataclass(frozen=True)
class RequestCorrection:
    """补正: every material to supply, at once (by key or by name), and why."""

    materials: tuple[str, ...] = ()
    reason: str = ""
    notes: Mapping[str, str] | None = None
    """Per material (by key or name) what is wrong with it (a floor plan without dimensions)."""
    decision: ClassVar[Decision] = Decision.CORRECT


ItemDecision = Approve | Reject | RequestCorrection
"""A department's decision on its item."""


@dataclass(frozen=True)
class SupplyCorrection:
    """The window records the materials the applicant supplied for a correction (by key or name)."""

    supplied: tuple[str, ...] = ()
    comment: str = ""
    online: bool = False
    """Supplied by the applicant online (files uploaded to the case), not brought to the window."""


@dataclass(frozen=True)
class HandOver:
    """统一出件: how the results go to the applicant, to whom at the window, and the applicant's
    好差评 if given (a poor one with its reason)."""

    delivery: Delivery = Delivery.WINDOW
    recipient_name: str = ""
    rating: int | None = None
    rating_comment: str = ""
    tracking_number: str = ""
    """Mail: the courier's tracking number, which the applicant is sent."""
    point: str | None = None
    """The service point that handed the results over (or mailed them)."""


TaskAnswer = Approve | Reject | RequestCorrection | SupplyCorrection | HandOver | RecordInspection
"""What completing a task says; which one a task takes follows from its kind."""


def _texts(values: Sequence[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


def no_decision() -> InvalidInput:
    """An approval answered without approve, reject or correct."""
    return InvalidInput(
        "decision must be one of approve, reject, correct (got None)",
        "审批结论必须是 approve（准予）、reject（不予许可）或 correct（补正）之一",
        {"decision": ["必须是 approve、reject、correct 之一"]},
    )


def rejection_reason(command: Reject) -> str:
    reason = command.reason.strip()
    if not reason:
        raise InvalidInput(
            "a rejection needs a written reason",
            "不予许可必须说明理由",
            {"reason": ["不予许可必须填写理由"]},
        )
    return reason


def correction_materials(command: RequestCorrection, corrections_so_far: int,
                         known_materials: Mapping[str, str] | None) -> list[str]:
    """The materials a correction asks for, by key when ``known_materials`` (the item's materials,
    key -> name) is given; refused when it names none, or the item had its last round already."""
    materials = _texts(command.materials)
    if not materials:
        raise InvalidInput(
            "a correction request must name the materials to supply, all at once",
            "补正通知须一次性列明需补正的全部材料",
            {"materials": ["请列出需补正的材料"]},
        )
    if corrections_so_far >= MAX_CORRECTION_ROUNDS:
        raise InvalidInput(
            f"this item already had {corrections_so_far} correction rounds; approve or reject it",
            f"该事项已补正 {corrections_so_far} 次，不能再次补正，请作出准予或不予许可的决定",
            {"decision": ["补正次数已达上限"]},
        )
    if known_materials is not None:
        materials = resolve_materials(materials, known_materials, "materials")
    return materials


NOTE_MAX = 500


def correction_notes(command: RequestCorrection, materials: Sequence[str],
                     known_materials: Mapping[str, str] | None) -> dict[str, str]:
    """What is wrong with each material the correction asks for, by key; a note about a material the
    correction does not ask for, or a note too long, is refused."""
    notes: dict[str, str] = {}
    for named, text in (command.notes or {}).items():
        [key] = resolve_materials([named], known_materials, "notes") if known_materials is not None else [named]
        if key not in materials:
            raise InvalidInput(f"a note about {named!r}, which the correction does not ask for",
                               f"补正说明针对的材料“{named}”不在需补正的材料中", {"notes": [f"{named} 未列入补正材料"]})
        if len(text.strip()) > NOTE_MAX:
            raise InvalidInput(f"a note longer than {NOTE_MAX} characters", f"补正说明不能超过 {NOTE_MAX} 字",
                               {"notes": [f"{named}：说明过长"]})
        if text.strip():
            notes[key] = text.strip()
    return notes


CREDIT_CODE_FORMAT = "credit_code"
"""The ``number_format`` of a licence whose number is the holder's unified social credit code
(GB 32100): the business licence (营业执照), since 三证合一 the enterprise's one identifier."""
LICENCE_NUMBER_MAX = 64


@dataclass(frozen=True)
class LicenceGrant:
    """The e-licence type an item issues when it is approved (the item's ``grants`` in the
    catalogue), with how its number is written: ``number_format`` is ``CREDIT_CODE_FORMAT``, a
    regular expression the whole number must match, or None (any number)."""

    type: str
    name: str
    number_format: str | None = None

    @classmethod
    def of(cls, licence_type: str, definition: Mapping[str, Any]) -> LicenceGrant:
        number_format = definition.get("number_format")
        return cls(licence_type, str(definition.get("name") or licence_type),
                   number_format if isinstance(number_format, str) else None)


def approved_licence_number(item_code: str, command: Approve, grant: LicenceGrant | None) -> str:
    """The licence (or approval document) number an approval carries, as stored: trimmed, a
    credit code in capitals; refused as ``licence_number_problem`` says."""
    licence = command.licence_number.strip()
    if grant is not None and grant.number_format == CREDIT_CODE_FORMAT:
        licence = licence.upper()  # a credit code's letters are capitals (GB 32100)
    problem = licence_number_problem(licence, grant)
    if problem is not None:
        issued = f" (it issues {grant.type})" if grant is not None else ""
        raise InvalidInput(f"approving {item_code} needs a well-formed licence number{issued}",
                           problem, {"licence_number": [problem]})
    return licence


def number_format_problem(number_format: Any) -> str | None:
    """What is wrong with a licence type's ``number_format`` (Chinese), or None: it is absent,
    ``credit_code``, or a regular expression Python compiles."""
    if number_format is None or number_format == CREDIT_CODE_FORMAT:
        return None
    if not isinstance(number_format, str) or not number_format.strip() or len(number_format) > 200:
        return "须为 credit_code（统一社会信用代码）或不超过 200 个字符的正则表达式"
    try:
        re.compile(number_format)
    except re.error as err:
        return f"不是有效的正则表达式：{err}"
    return None


def licence_number_problem(number: str, grant: LicenceGrant | None) -> str | None:
    """What is wrong with the licence (or approval document) number a reviewer gave (Chinese), or
    None. An item that issues a licence needs its number, written as the licence type's format
    says; any number is 1 to 64 printable characters. An item that issues none may carry the
    number of its approval document (批准文书) as a reference: it is checked the same way but never
    written to the e-licence store."""
    if not number:
        return None if grant is None else f"准予即核发“{grant.name}”，须填写证照编号"
    if len(number) > LICENCE_NUMBER_MAX or not number.isprintable():
        return f"证照编号须为 1 至 {LICENCE_NUMBER_MAX} 个可打印字符，不能含换行、制表等控制字符"
    if grant is None or grant.number_format is None:
        return None
    if grant.number_format == CREDIT_CODE_FORMAT:
        if is_credit_code(number):
            return None
        return f"“{grant.name}”的编号即统一社会信用代码（GB 32100）：须为 18 位，且校验位正确"
    try:
        if re.fullmatch(grant.number_format, number):
            return None
    except re.error:
        return f"电子证照目录中“{grant.name}”的编号规则无效，请联系管理员修正"
    return f"证照编号不符合“{grant.name}”的编号规则（{grant.number_format}）"


def resolve_materials(named: list[str], known: Mapping[str, str], field_name: str) -> list[str]:
    """The item's material keys that ``named`` designates, each by its key or by its name
    (``known``: key -> name, the item's materials in the catalogue), in order, once each."""
    by_name = {name: key for key, name in known.items()}
    keys: list[str] = []
    unknown: list[str] = []
    for entry in named:
        key = entry if entry in known else by_name.get(entry)
        if key is None:
            unknown.append(entry)
        elif key not in keys:
            keys.append(key)
    if unknown:
        choices = "、".join(known.values())  # by name: the person reads materials, not their keys
        raise InvalidInput(
            f"not materials of this item: {', '.join(unknown)}; choose among {', '.join(known)}",
            f"以下不是本事项的申请材料：{'、'.join(unknown)}",
            {field_name: [f"可选材料：{choices}"]},
        )
    return keys




def supplied_materials(command: SupplyCorrection, requested: list[str],
                       known_materials: Mapping[str, str] | None) -> list[str]:
    """What the applicant supplied for a correction, by key when ``known_materials`` (key -> name)
    is given: it must cover every material the correction asked for."""
    supplied = _texts(command.supplied)
    if not supplied:
        raise InvalidInput(
            "list the materials the applicant supplied",
            "请登记申请人补正提交的材料",
            {"supplied": ["请列出已补正的材料"]},
        )
    if known_materials is not None:
        supplied = resolve_materials(supplied, known_materials, "supplied")
    missing = [m for m in requested if m not in supplied]
    if missing:
        # Named as the catalogue names them; a key only for a material it no longer knows.
        names = [(known_materials or {}).get(m, m) for m in missing]
        raise InvalidInput(
            f"the correction asked for {', '.join(missing)}, which were not supplied",
            f"补正通知要求的材料尚未提交：{'、'.join(names)}",
            {"supplied": [f"缺少：{name}" for name in names]},
        )
    return supplied


RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
"""政务服务“好差评”: five levels; the applicant may decline to rate."""


def pickup_record(command: HandOver, actor: Actor, now: datetime) -> dict[str, Any]:
    """统一出件: every granted result and every written refusal are handed over together; at the
    window, to a person named."""
    recipient = command.recipient_name.strip()
    if command.delivery is Delivery.WINDOW and not recipient:
        raise InvalidInput(
            "name the person who collects the results at the window",
            "窗口领取须登记领取人姓名",
            {"recipient_name": ["窗口领取须填写领取人"]},
        )
    tracking = command.tracking_number.strip()
    if command.delivery is Delivery.MAIL and not 4 <= len(tracking) <= 40:
        raise InvalidInput(
            "mail needs the courier's tracking number",
            "邮寄送达须登记快递单号",
            {"tracking_number": ["邮寄须填写快递单号（4 至 40 位）"]},
        )
    return {"delivery": command.delivery.value, "recipient_name": recipient or None,
            "tracking_number": tracking if command.delivery is Delivery.MAIL else None,
            "handed_over_by": actor.user, "handed_over_at": now.isoformat(), "point": command.point,
            **_rating(command)}


def _rating(command: HandOver) -> dict[str, Any]:
    """The applicant's 好差评 at pickup, if given. A poor rating (不满意 or worse) needs what went
    wrong, because every 差评 must be followed up (差评整改)."""
    rating = command.rating
    if rating is None:
        return {}
    if isinstance(rating, bool) or rating not in RATINGS:  # JSON true is an integer to marshmallow
        raise InvalidInput("rating must be a whole number from 1 to 5", "评价须为 1 至 5 的整数",
                           {"rating": ["5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"]})
    comment = command.rating_comment.strip()
    if rating <= 2 and not comment:
        raise InvalidInput("a poor rating needs the applicant's reason", "差评须记录申请人的具体意见，以便整改",
                           {"rating_comment": ["差评须填写意见"]})
    return {"rating": rating, "rating_label": RATINGS[rating], "rating_comment": comment or None}
