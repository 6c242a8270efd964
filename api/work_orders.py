"""Work orders (工单, issue 28) over HTTP: the staff's — raise (the window's complaints and 办不成事, a
hotline operator's 12345 tickets, an outside supervisor's observations), list, read, assign or
transfer, respond, reply, call back and close — and the applicant's own: raise a complaint online,
read it, confirm or dispute the reply."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor, current_principal
from api.cases import ctx
from api.list_args import PageArgsSchema
from engine.domain.work_orders import CHANNELS, KIND_NAMES, OUTCOMES, STATE_NAMES, WorkOrder
from engine.persistence.work_order_store import WorkOrderCriteria
from engine.services.work_order_actions import (
    OPEN_STATES,
    OrderView,
    assign_order,
    call_back,
    confirm_order,
    get_order,
    list_orders,
    reply_order,
    respond_order,
)
from engine.services.work_orders import RaiseOrder, raise_order
from forms.masking import PRESENTED

blp = Blueprint("work_orders", __name__, url_prefix="/api/work-orders",
                description="工单：投诉（有诉即办）、办不成事、12345 热线工单、差评整改、特邀监督员意见，"
                            "及其响应、答复、确认与督办")
mine = Blueprint("my_work_orders", __name__, url_prefix="/api/applicant/work-orders",
                 description="申请人的诉求：网上投诉、办不成事反映，查看答复并确认或提出异议")

_text = validate.Length(max=4000)


class RaiseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["complaint", "cannot_do", "hotline", "observation"]),
                         metadata={"description": "complaint 投诉 / cannot_do 办不成事 / hotline 12345 热线工单 / "
                                                  "observation 特邀监督员意见"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    name = fields.String(validate=validate.Length(max=100), load_default=None)
    phone = fields.String(validate=validate.Length(max=20), load_default=None)
    case_number = fields.String(validate=validate.Length(max=40), load_default=None)
    external_number = fields.String(validate=validate.Length(max=64), load_default=None,
                                    metadata={"description": "12345 工单编号（热线工单必填）"})
    category = fields.String(validate=validate.Length(max=64), load_default=None)
    department = fields.String(validate=validate.Length(max=32), load_default=None,
                               metadata={"description": "登记时即交办的承办部门（效能监督人员）"})


class ApplicantRaiseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["complaint", "cannot_do"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    case_number = fields.String(validate=validate.Length(max=40), load_default=None)


class ListArgs(PageArgsSchema):
    state = fields.String(validate=validate.OneOf(["open", *STATE_NAMES]), load_default=None)
    kind = fields.String(validate=validate.OneOf(list(KIND_NAMES)), load_default=None)
    department = fields.String(validate=validate.Length(max=32), load_default=None)
    colour = fields.String(validate=validate.OneOf(["green", "yellow", "red"]), load_default=None)
    escalated = fields.Boolean(load_default=None)
    case = fields.String(validate=validate.Length(max=40), load_default=None)


class AssignSchema(Schema):
    department = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class NoteSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ReplySchema(Schema):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class CallbackSchema(Schema):
    callback = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ConfirmSchema(Schema):
    satisfied = fields.Boolean(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


def order_view(order: WorkOrder, masked: bool = False) -> dict[str, Any]:
    hide = PRESENTED.value if masked else (lambda value: value)
    return {
        "number": order.number, "kind": str(order.kind), "kind_name": KIND_NAMES[order.kind],
        "channel": order.channel, "channel_name": CHANNELS.get(order.channel, order.channel),
        "title": order.title, "description": hide(order.description), "state": str(order.state),
        "state_name": STATE_NAMES[order.state], "raised_at": order.raised_at, "raised_by": order.raised_by,
        "name": None if masked else order.name, "phone": None if masked else order.phone,
        "case_number": order.case_number, "external_number": order.external_number, "category": order.category,
        "department": order.department, "point": order.point, "rating": order.rating,
        "clocks": {"response_due": order.response_due.isoformat(), "reply_due": order.reply_due.isoformat(),
                   "close_due": order.close_due.isoformat()},
        "colour": order.colour, "escalated_at": order.escalated_at, "responded_at": order.responded_at,
        "replied_at": order.replied_at, "reply": hide(order.reply), "closed_at": order.closed_at,
        "outcome": order.outcome, "outcome_name": OUTCOMES.get(order.outcome or ""),
    }


def detail_view(found: OrderView) -> dict[str, Any]:
    hide = PRESENTED.value if found.masked else (lambda value: value)
    return {**order_view(found.order, found.masked),
            "timeline": [{"type": e.type, "who": {"user": e.actor_user, "department": e.actor_department,
                                                  "role": e.actor_role},
                          "at": e.occurred_at, "data": hide(e.data)} for e in found.events]}


def _criteria(args: dict[str, Any]) -> WorkOrderCriteria:
    state = args.get("state")
    return WorkOrderCriteria(states=OPEN_STATES if state == "open" else (state,) if state else None,
                             kind=args.get("kind"), department=args.get("department"), colour=args.get("colour"),
                             escalated=args.get("escalated"), case_number=args.get("case"))


def _page(args: dict[str, Any]) -> dict[str, Any]:
    principal = current_principal()
    page = list_orders(ctx(), principal, _criteria(args), args["page"], args["per_page"])
    masked = "monitor" in principal.roles and "supervisor" not in principal.roles
    return {"items": [order_view(o, masked) for o in page.items], "total": page.total,
            "total_exact": page.total_exact, "page": page.page,
            "per_page": page.per_page}


@blp.route("")
class WorkOrders(MethodView):
    @blp.arguments(ListArgs(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The work orders one may see, newest first: by state (open: not closed), kind, department, card,
        escalation, case"""
        return _page(args)

    @blp.arguments(RaiseSchema())
    @blp.response(201)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Raise a work order: the window's complaint or 办不成事, a 12345 ticket, an outside supervisor's
        observation"""
        order = raise_order(ctx(), RaiseOrder(**body), current_principal(), current_actor())
        return detail_view(get_order(ctx(), order.number, current_principal()))


@blp.route("/<string:number>")
class WorkOrderOne(MethodView):
    @blp.response(200)
    def get(self, number: str) -> dict[str, Any]:
        """A work order with its timeline"""
        return detail_view(get_order(ctx(), number, current_principal()))


def _then(number: str) -> dict[str, Any]:
    return detail_view(get_order(ctx(), number, current_principal()))


@blp.route("/<string:number>/assign")
class AssignOrder(MethodView):
    @blp.arguments(AssignSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """分类交办 to a department, or 转办 with the reason"""
        assign_order(ctx(), number, body["department"], body["reason"], current_principal(), current_actor())
        return _then(number)


@blp.route("/<string:number>/respond")
class RespondOrder(MethodView):
    @blp.arguments(NoteSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """The department takes it up (响应)"""
        respond_order(ctx(), number, body["note"], current_principal(), current_actor())
        return _then(number)


@blp.route("/<string:number>/reply")
class ReplyOrder(MethodView):
    @blp.arguments(ReplySchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """The department's written reply (答复)"""
        reply_order(ctx(), number, body["reply"], current_principal(), current_actor())
        return _then(number)


@blp.route("/<string:number>/callback")
class CallBackOrder(MethodView):
    @blp.arguments(CallbackSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """回访 and close a replied order"""
        call_back(ctx(), number, body["callback"], current_principal(), current_actor())
        return _then(number)


@mine.route("")
class MyWorkOrders(MethodView):
    @mine.arguments(ListArgs(), location="query")
    @mine.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The applicant's own complaints and 办不成事, newest first"""
        return _page(args)

    @mine.arguments(ApplicantRaiseSchema())
    @mine.response(201)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Complain online (有诉即办) or tell what could not get done (办不成事), about one's case if named"""
        order = raise_order(ctx(), RaiseOrder(**body), current_principal(), current_actor())
        return _then(order.number)


@mine.route("/<string:number>")
class MyWorkOrder(MethodView):
    @mine.response(200)
    def get(self, number: str) -> dict[str, Any]:
        """One's own work order with its timeline"""
        return _then(number)


@mine.route("/<string:number>/confirm")
class ConfirmOrder(MethodView):
    @mine.arguments(ConfirmSchema())
    @mine.response(200)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Confirm the reply (the order closes) or dispute it with the reason (it goes back to the department)"""
        confirm_order(ctx(), number, body["satisfied"], body["comment"], current_principal(), current_actor())
        return _then(number)
