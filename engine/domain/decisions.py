"""What completing each kind of task means: the rules a decision must satisfy, the data it
writes into the workflow, and the event it leaves in the case log.

Each department writes under its own key, ``results[item_code]``: SpiffWorkflow merges branch data
at the parallel join in finishing order, so a shared key would let the last branch win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.domain.errors import InvalidInput
from engine.domain.model import Actor, Delivery, ItemStatus
from forms.identifiers import is_credit_code

MAX_CORRECTION_ROUNDS = 3
"""补正 is to be notified once and completely (行政许可法 art. 32); three rounds is the hard stop,
which also keeps SpiffWorkflow's task tree far from its depth limit."""


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CORRECT = "correct"


@dataclass(frozen=True)
class Completion:
    """The validated outcome of completing one task."""

    data_update: dict[str, Any]
    event_type: str
    event_data: dict[str, Any]
    item_status: ItemStatus | None = None
    decision: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def _texts(payload: Mapping[str, Any], key: str) -> list[str]:
    value = payload.get(key) or []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


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


def decide_approval(
    item_code: str,
    payload: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    corrections_so_far: int,
    known_materials: Mapping[str, str] | None = None,
    grants: LicenceGrant | None = None,
) -> Completion:
    """A department's decision on its item: approve, reject (不予许可) or request correction (补正).
    With ``known_materials`` (the item's materials, key -> name), a correction names materials of
    the item, by key or by name, and is recorded by key. ``grants``: the licence the item issues,
    None when it issues none; approving such an item needs the licence's number
    (``licence_number_problem``)."""
    raw = payload.get("decision")
    try:
        decision = Decision(str(raw))
    except ValueError:
        raise InvalidInput(
            f"decision must be one of approve, reject, correct (got {raw!r})",
            "审批结论必须是 approve（准予）、reject（不予许可）或 correct（补正）之一",
            {"decision": ["必须是 approve、reject、correct 之一"]},
        ) from None
    reason = _text(payload, "reason")
    materials = _texts(payload, "materials")
    record: dict[str, Any] = {
        "decision": decision.value,
        "decided_by": actor.user,
        "decided_at": now.isoformat(),
    }
    if decision is Decision.REJECT:
        if not reason:
            raise InvalidInput(
                "a rejection needs a written reason",
                "不予许可必须说明理由",
                {"reason": ["不予许可必须填写理由"]},
            )
        record["reason"] = reason
        return Completion({"results": {item_code: record}}, "ItemRejected",
                          {"item": item_code, "reason": reason}, ItemStatus.REJECTED, decision.value)
    if decision is Decision.CORRECT:
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
        record["materials"] = materials
        if reason:
            record["reason"] = reason
        return Completion({"results": {item_code: record}}, "CorrectionRequested",
                          {"item": item_code, "materials": materials, "reason": reason},
                          ItemStatus.CORRECTION_REQUESTED, decision.value)
    licence = _text(payload, "licence_number")
    if grants is not None and grants.number_format == CREDIT_CODE_FORMAT:
        licence = licence.upper()  # a credit code's letters are capitals (GB 32100)
    problem = licence_number_problem(licence, grants)
    if problem is not None:
        issued = f" (it issues {grants.type})" if grants is not None else ""
        raise InvalidInput(f"approving {item_code} needs a well-formed licence number{issued}",
                           problem, {"licence_number": [problem]})
    if licence:
        record["licence_number"] = licence
    comment = _text(payload, "comment")
    if comment:
        record["comment"] = comment
    return Completion({"results": {item_code: record}}, "ItemApproved",
                      {"item": item_code, "licence_number": licence or None},
                      ItemStatus.APPROVED, decision.value)


def supply_correction(
    item_code: str, requested: list[str], payload: Mapping[str, Any], actor: Actor, now: datetime,
    known_materials: Mapping[str, str] | None = None,
) -> Completion:
    """The window records what the applicant supplied; the item goes back to its department.
    With ``known_materials`` (key -> name) the supplied materials are named by key or name."""
    supplied = _texts(payload, "supplied")
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
    data = {"item": item_code, "supplied": supplied, "comment": _text(payload, "comment") or None}
    update = {"corrections": {item_code: {"supplied": supplied, "recorded_by": actor.user,
                                          "recorded_at": now.isoformat()}}}
    return Completion(update, "CorrectionSupplied", data, ItemStatus.IN_REVIEW, None)


def hand_over(payload: Mapping[str, Any], actor: Actor, now: datetime) -> Completion:
    """统一出件: every granted result and every written refusal are handed over together."""
    raw = payload.get("delivery") or Delivery.WINDOW.value
    try:
        delivery = Delivery(raw)
    except ValueError:
        raise InvalidInput(
            f"delivery must be one of window, mail, online (got {raw!r})",
            "出件方式必须是 window（窗口领取）、mail（邮寄）或 online（电子证照）之一",
            {"delivery": ["必须是 window、mail、online 之一"]},
        ) from None
    recipient = _text(payload, "recipient_name")
    if delivery is Delivery.WINDOW and not recipient:
        raise InvalidInput(
            "name the person who collects the results at the window",
            "窗口领取须登记领取人姓名",
            {"recipient_name": ["窗口领取须填写领取人"]},
        )
    pickup = {"delivery": delivery.value, "recipient_name": recipient or None,
              "handed_over_by": actor.user, "handed_over_at": now.isoformat(), **_rating(payload)}
    return Completion({"pickup": pickup}, "ResultsHandedOver", dict(pickup), None, None)


RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
"""政务服务“好差评”: five levels; the applicant may decline to rate."""


def _rating(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The applicant's 好差评 at pickup, if given. A poor rating (不满意 or worse) needs what went
    wrong, because every 差评 must be followed up (差评整改)."""
    raw = payload.get("rating")
    if raw is None:
        return {}
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in RATINGS:
        raise InvalidInput("rating must be a whole number from 1 to 5", "评价须为 1 至 5 的整数",
                           {"rating": ["5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"]})
    comment = _text(payload, "rating_comment")
    if raw <= 2 and not comment:
        raise InvalidInput("a poor rating needs the applicant's reason", "差评须记录申请人的具体意见，以便整改",
                           {"rating_comment": ["差评须填写意见"]})
    return {"rating": raw, "rating_label": RATINGS[raw], "rating_comment": comment or None}
