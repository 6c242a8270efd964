"""The official notices of a case (issue 25) filled from the case, its events and the bundle's
guide: 受理回执, 一次性告知书, 补正告知书, 容缺受理承诺书, 不予许可决定书 and 统一出件清单. Each is a
``Notice`` (plain data, ``engine.domain.notices``) made into a PDF by ``engine.documents.notice_pdf``.

A notice exists only when the case holds what it tells: a correction notice while an item waits
for a correction, a refusal once an item is refused, a handover list once results are handed over;
asking for one that does not apply is a conflict, not an empty page."""

from __future__ import annotations

from datetime import datetime

from engine.documents.notice_pdf import NoticeFontMissing, find_cjk_font, render_notice
from engine.domain.access import Permission, Principal
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Conflict
from engine.domain.model import ItemStatus
from engine.domain.notices import NOTICE_TITLES, Notice, NoticeKind, NoticeSection, NoticeTable
from engine.services.applicant_cases import own_case
from engine.services.case_detail import CaseDetail, own_case_detail, read_case_detail
from engine.services.cases import find_case
from engine.services.catalogue import get_bundle_catalogue
from engine.services.catalogue_cache import BundleCatalogue
from engine.services.context import ServiceContext
from forms.checklist import MaterialStatus

MATERIAL_STATES: dict[str, str] = {MaterialStatus.SUBMITTED: "已提交", MaterialStatus.ELICENCE: "电子证照免提交",
                   MaterialStatus.SHARED: "共享数据核验免提交", MaterialStatus.COMMITMENT: "告知承诺",
                   MaterialStatus.TOLERATED: "容缺后补"}
REMEDIES = ("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
            "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")
DELIVERIES = {"window": "窗口领取", "mail": "邮寄送达", "online": "电子证照"}


def _day(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y年%m月%d日")


def _materials(cat: BundleCatalogue, detail: CaseDetail) -> NoticeTable:
    names = {e.key: e.name for e in cat.checklist().entries}
    return NoticeTable(("材料", "情况"), tuple((names.get(key, key), MATERIAL_STATES.get(state, state))
                                          for key, state in detail.case.materials.items()))


def _items(detail: CaseDetail) -> NoticeTable:
    bundle = detail.bundle
    return NoticeTable(("事项", "办理部门", "承诺时限"), tuple(
        (item.name, bundle.department_name(item.department),
         f"{item.promised_days} 个工作日" if item.promised_days is not None else "即办")
        for item in bundle.items if any(i.item_code == item.code for i in detail.items)))


def _receipt(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    case = detail.case
    return (
        NoticeSection("受理情况", (
            f"您申请的{detail.bundle.name}已于{_day(case.accepted_at)}受理，办件编号 {case.number}。",
            f"承诺办结日期：{case.due_on.strftime('%Y年%m月%d日') if case.due_on else '见各事项'}。"
            "请凭本回执或扫描右上角二维码查询办理进度。")),
        NoticeSection("办理事项", table=_items(detail)),
        NoticeSection("收取材料", table=_materials(cat, detail)),
    )


def _one_time(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    bundle = cat.bundle
    entries = cat.checklist().entries
    return (
        NoticeSection("告知内容", (f"办理{bundle.name}需要以下全部材料，本告知书一次性告知，"
                                   "材料齐全即可受理，不再要求提交本告知书以外的材料。",)),
        NoticeSection("办理事项与时限", table=NoticeTable(("事项", "办理部门", "法定时限", "承诺时限", "收费"), tuple(
            (i.name, bundle.department_name(i.department),
             f"{i.statutory_days} 个工作日" if i.statutory_days else "—",
             f"{i.promised_days} 个工作日" if i.promised_days is not None else "即办", i.fee or "不收费")
            for i in bundle.items))),
        NoticeSection("所需材料", table=NoticeTable(("材料", "要求"), tuple(
            (e.name, "主要材料" if e.is_key else "次要材料（可容缺后补）") for e in entries))),
        NoticeSection("表单", (f"填写一张统一申请表，共 {len(cat.form().fields)} 项；共享数据已有的信息无需填写。",)),
    )


def _correction(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    waiting = [i for i in detail.items if i.status == ItemStatus.CORRECTION_REQUESTED]
    if not waiting:
        raise Conflict(f"case {detail.case.number} waits for no correction",
                       "本办件当前没有待补正的事项，无需出具补正告知书")
    names = {e.key: e.name for e in cat.checklist().entries}
    requests = {e.data.get("item"): e for e in detail.events if e.type == "CorrectionRequested"}
    requested_at = max((e.occurred_at for e in requests.values()), default=None)
    rows = []
    for item in waiting:
        spec = detail.bundle.item(item.item_code)
        asked = requests.get(item.item_code)
        notes = dict((asked.data.get("notes") or {}) if asked else {})
        for key in item.materials_requested:
            rows.append((spec.name if spec else item.item_code, detail.bundle.department_name(item.department),
                         names.get(key, key), str(notes.get(key) or (asked.data.get("reason") if asked else "") or "")))
    return (
        NoticeSection("补正内容", (f"经审查，您于{_day(detail.case.accepted_at)}申请的{detail.bundle.name}"
                                   f"需补正以下材料（{_day(requested_at)}提出）。本告知书一次性告知全部补正内容，"
                                   "请补齐后到综合窗口或在网上提交，办理时限自补正材料提交之日起继续计算。",)),
        NoticeSection("需补正的材料", table=NoticeTable(("事项", "提出部门", "材料", "补正要求"), tuple(rows))),
    )


def _tolerance(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    names = {e.key: e.name for e in cat.checklist().entries}
    tolerated = [k for k, v in detail.case.materials.items() if v == MaterialStatus.TOLERATED]
    if not tolerated:
        raise Conflict(f"case {detail.case.number} tolerated no material", "本办件没有容缺受理的材料，无需签署承诺书")
    due = _day(detail.case.materials_due)
    return (
        NoticeSection("承诺事项", (f"本人申请{detail.bundle.name}，以下次要材料暂缺，窗口予以容缺受理。本人承诺于"
                                   f"{due}前补齐；逾期未补齐的，本办件终止办理，由此产生的后果由本人承担。",)),
        NoticeSection("容缺材料", table=NoticeTable(("材料", "补交期限"), tuple((names.get(k, k), due)
                                                                         for k in tolerated))),
    )


def _refusal(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    refused = [i for i in detail.items if i.status == ItemStatus.REJECTED]
    if not refused:
        raise Conflict(f"case {detail.case.number} has no refused item", "本办件没有不予许可的事项")
    sections = []
    for item in refused:
        spec = detail.bundle.item(item.item_code)
        heading = f"{spec.name if spec else item.item_code}（{detail.bundle.department_name(item.department)}）"
        sections.append(NoticeSection(heading, (
            f"经审查，您的申请不符合法定条件、标准，决定不予许可。理由：{item.reason or '—'}",
            f"决定日期：{_day(item.decided_at)}。")))
    return (*sections, NoticeSection("救济途径", (REMEDIES,)))


def _handover(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    handed = next((e for e in reversed(detail.events) if e.type == "ResultsHandedOver"), None)
    if handed is None:
        raise Conflict(f"case {detail.case.number}'s results are not handed over yet", "本办件尚未统一出件")
    rows = tuple((spec.name if (spec := detail.bundle.item(i.item_code)) else i.item_code,
                  detail.bundle.department_name(i.department),
                  {ItemStatus.APPROVED: "准予许可", ItemStatus.REJECTED: "不予许可",
                   ItemStatus.NOT_APPLICABLE: "无需办理"}.get(ItemStatus(i.status), i.status), i.licence_number or "—")
                 for i in detail.items)
    delivery = DELIVERIES.get(str(handed.data.get("delivery")), str(handed.data.get("delivery")))
    return (
        NoticeSection("出件情况", (f"{_day(handed.occurred_at)}统一出件，方式：{delivery}。",)),
        NoticeSection("办理结果", table=NoticeTable(("事项", "部门", "结果", "证照编号"), rows)),
    )


def _elicences(cat: BundleCatalogue, detail: CaseDetail) -> tuple[NoticeSection, ...]:
    handed = next((e for e in reversed(detail.events) if e.type == "ResultsHandedOver"), None)
    granted = [(spec, i) for i in detail.items if i.status == ItemStatus.APPROVED and i.licence_number
               for spec in [detail.bundle.item(i.item_code)] if spec is not None and spec.grants]
    if handed is None or not granted:
        raise Conflict(f"case {detail.case.number} has issued no e-licence",
                       "本办件尚未出件，或没有颁发证照的事项")
    applicant = detail.case.applicant
    holder = str(applicant.get("entity_name") or detail.case.form.get("entity_name") or applicant.get("name") or "")
    return tuple(NoticeSection(str(cat.licences.get(str(spec.grants), {}).get("name", spec.grants)), (
        f"证照编号：{item.licence_number}",
        f"持证主体：{holder}",
        f"发证机关：{detail.bundle.department_name(item.department)}",
        f"发证日期：{_day(item.decided_at)}",
        f"事项：{spec.name}（办件编号 {detail.case.number}）",
        "本电子证照与纸质证照具有同等法律效力，可扫描右上角二维码核验办件。",
    )) for spec, item in granted)


BUILDERS = {NoticeKind.RECEIPT: _receipt, NoticeKind.ONE_TIME: _one_time, NoticeKind.CORRECTION: _correction,
            NoticeKind.TOLERANCE: _tolerance, NoticeKind.REFUSAL: _refusal, NoticeKind.HANDOVER: _handover,
            NoticeKind.ELICENCES: _elicences}
SIGNATURES = {NoticeKind.RECEIPT: ("经办人",), NoticeKind.TOLERANCE: ("申请人（签字）",),
              NoticeKind.CORRECTION: ("经办人", "申请人（签收）"), NoticeKind.HANDOVER: ("领取人（签字）", "经办人")}


def case_notice(ctx: ServiceContext, ref: str, kind: NoticeKind, viewer: Principal) -> Notice:
    """The notice of ``kind`` for the case, as ``viewer`` may see the case (404 otherwise); for an
    applicant, a case of their own."""
    with ctx.uow(False) as uow:
        if viewer.can(Permission.APPLY):
            detail = own_case_detail(uow, own_case(uow, viewer.login, ref))
        else:
            detail = read_case_detail(uow, find_case(uow, ref), viewer, ref)
    cat = get_bundle_catalogue(ctx, detail.case.bundle_code)
    sections = BUILDERS[kind](cat, detail)
    config = ctx.notices
    return Notice(kind, config.centre, detail.case.number, f"{config.public_url}/status/{detail.case.number}",
                  ctx.clock(), str(detail.case.applicant.get("name") or detail.case.applicant.get("entity_name") or ""),
                  detail.bundle.name, sections, SIGNATURES.get(kind, ()))


def case_notice_pdf(ctx: ServiceContext, ref: str, kind: NoticeKind, viewer: Principal) -> tuple[Notice, bytes]:
    notice = case_notice(ctx, ref, kind, viewer)
    try:
        return notice, render_notice(notice, find_cjk_font(ctx.notices.font or None))
    except NoticeFontMissing as err:
        raise Conflict(str(err), f"无法生成{NOTICE_TITLES[kind]}：服务器缺少可用的中文字体（{err}）") from err
