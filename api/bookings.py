"""预约 over HTTP: the open slots of a point for anyone; an applicant's own bookings (book, list,
cancel); the window's bookings for a caller and the day's list; a booking by id for the intake."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor, current_principal
from api.cases import ctx
from engine.domain.access import applicant_phone
from engine.domain.clocks import SHANGHAI
from engine.domain.hall import Booking
from engine.domain.model import Actor
from engine.services.bookings import (
    book,
    book_for_caller,
    booking_of,
    cancel_booking,
    day_bookings,
    my_bookings,
    open_slots,
)
from engine.services.hall import find_point, service_points

slots = Blueprint("hall_bookings", __name__, url_prefix="/api/hall",
                  description="预约：服务点可预约时段，窗口电话预约和当日预约")
mine = Blueprint("my_bookings", __name__, url_prefix="/api/applicant/bookings",
                 description="申请人的预约：预约、查看、取消")
staff = Blueprint("bookings", __name__, url_prefix="/api/bookings", description="预约（窗口）：按编号查看、取消")


class SlotArgsSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    day = fields.Date(required=True, metadata={"description": "日期 YYYY-MM-DD"})


class SlotSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    slot = fields.AwareDateTime(required=True, metadata={"description": "时段开始时刻（带时区），见可预约时段"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=50), metadata={"description": "申请人姓名"})


class BookSchema(SlotSchema):
    point = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CallerSchema(SlotSchema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "申请人手机号码"})


class DayArgsSchema(Schema):
    day = fields.Date(load_default=None, metadata={"description": "日期（默认今天）"})


def booking_view(b: Booking, names: dict[str, str] | None = None) -> dict[str, Any]:
    """``names``: the points' names, read once for a list."""
    name = names.get(b.point, b.point) if names is not None else find_point(ctx(), b.point).name
    return {"id": b.id, "code": b.code, "point": b.point, "point_name": name,
            "bundle": b.bundle_code, "name": b.name, "phone": b.phone, "state": str(b.state),
            "starts_at": b.starts_at.astimezone(SHANGHAI).isoformat(),
            "ends_at": b.ends_at.astimezone(SHANGHAI).isoformat(), "case_number": b.case_number}


def _names() -> dict[str, str]:
    return {code: p.name for code, p in service_points(ctx()).items()}


@slots.route("/<string:point>/slots")
class OpenSlots(MethodView):
    @slots.arguments(SlotArgsSchema(), location="query")
    @slots.response(200)
    def get(self, args: dict[str, Any], point: str) -> dict[str, Any]:
        """The day's half-hour slots still to come at the point, each with the bookings it may still take"""
        found = open_slots(ctx(), point, args["bundle"], args["day"])
        return {"slots": [{"starts_at": s.starts_at.isoformat(), "time": f"{s.starts_at.astimezone(SHANGHAI):%H:%M}",
                           "free": s.free} for s in found]}


@slots.route("/<string:point>/bookings")
class PointBookings(MethodView):
    @slots.arguments(DayArgsSchema(), location="query")
    @slots.response(200)
    def get(self, args: dict[str, Any], point: str) -> dict[str, Any]:
        """The point's bookings of the day, by slot"""
        day: date = args["day"] or ctx().clock().astimezone(SHANGHAI).date()
        names = _names()
        return {"bookings": [booking_view(b, names) for b in day_bookings(ctx(), point, day)]}

    @slots.arguments(CallerSchema())
    @slots.response(201)
    def post(self, body: dict[str, Any], point: str) -> dict[str, Any]:
        """Book a slot for an applicant who called (电话预约); they are told by SMS"""
        return booking_view(book_for_caller(ctx(), point, body["bundle"], body["slot"], body["phone"], body["name"],
                                            current_actor()))


@mine.route("")
class MyBookings(MethodView):
    @mine.response(200)
    def get(self) -> dict[str, Any]:
        """The applicant's bookings, newest first"""
        names = _names()
        return {"bookings": [booking_view(b, names) for b in my_bookings(ctx(), current_principal())]}

    @mine.arguments(BookSchema())
    @mine.response(201)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Book a slot at a service point for a bundle (three open bookings per number at most)"""
        principal = current_principal()
        phone = applicant_phone(principal)
        return booking_view(book(ctx(), body["point"], body["bundle"], body["slot"], phone, body["name"],
                                 Actor(phone, principal.department, "applicant")))


@mine.route("/<id:booking_id>")
class MyBooking(MethodView):
    @mine.response(200)
    def delete(self, booking_id: int) -> dict[str, Any]:
        """Cancel one's booking before its slot"""
        return booking_view(cancel_booking(ctx(), current_principal(), booking_id))


@staff.route("/<id:booking_id>")
class StaffBooking(MethodView):
    @staff.response(200)
    def get(self, booking_id: int) -> dict[str, Any]:
        """A booking, for the intake started from it"""
        return booking_view(booking_of(ctx(), booking_id))

    @staff.response(200)
    def delete(self, booking_id: int) -> dict[str, Any]:
        """Cancel a booking (the applicant called to cancel)"""
        return booking_view(cancel_booking(ctx(), current_principal(), booking_id))
