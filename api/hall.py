"""The service points and the hall's queue (叫号) over HTTP: the points for anyone; a ticket from a
point's machine (no login); the window's queue and its call; the hall's display, fed by server-sent
events; the waiting times for supervisors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import client_address, current_actor
from api.cases import ctx
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import InvalidInput
from engine.domain.hall import Booking, Ticket, TicketKind
from engine.domain.service_points import LEVEL_NAMES, WEEKDAYS, ServicePoint
from engine.services.context import ServiceContext
from engine.services.hall import (
    call_next,
    calls_since,
    find_point,
    is_open,
    queue_of,
    service_points,
    take_ticket,
    waiting_times,
)

blp = Blueprint("hall", __name__, url_prefix="/api/hall",
                description="服务大厅：服务点、取号、窗口叫号、大厅叫号屏（服务器推送）、等候时长")

STREAM_SECONDS = 55.0
"""How long one display connection stays open; the browser's EventSource then reconnects."""
POLL_SECONDS = 0.25


class TicketSchema(Schema):
    bundle = fields.String(validate=validate.Length(max=64), load_default=None, allow_none=True,
                           metadata={"description": "办理的一件事（可不选）"})
    booking = fields.String(validate=validate.Length(max=16), load_default=None, allow_none=True,
                            metadata={"description": "预约号：凭预约取号，优先叫号"})


class CallSchema(Schema):
    window = fields.Integer(required=True, strict=True, metadata={"description": "窗口号"})


class SinceSchema(Schema):
    since = fields.DateTime(load_default=None, metadata={"description": "只要此刻之后的叫号"})


class DaySchema(Schema):
    day = fields.Date(load_default=None, metadata={"description": "日期（默认今天）"})


def point_view(p: ServicePoint, now: datetime) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "level": p.level, "level_name": LEVEL_NAMES.get(p.level, p.level),
            "parent": p.parent, "address": p.address, "windows": p.windows, "area": p.area,
            "departments": list(p.departments),
            "bundles": None if p.bundles is None else list(p.bundles),
            "hours": {d: None if (span := p.hours.get(d)) is None else [f"{span[0]:%H:%M}", f"{span[1]:%H:%M}"]
                      for d in WEEKDAYS},
            "open_now": is_open(ctx(), p, now)}


def ticket_view(t: Ticket, booking: Booking | None = None) -> dict[str, Any]:
    found = {"id": t.id, "number": t.number, "kind": str(t.kind), "bundle": t.bundle_code, "state": str(t.state),
             "taken_at": t.taken_at.isoformat(), "window": t.window,
             "called_at": t.called_at.isoformat() if t.called_at else None}
    if booking is not None:  # the window's view: who booked, to start the intake from
        found["booking"] = {"id": booking.id, "code": booking.code, "name": booking.name, "phone": booking.phone}
    return found


@blp.route("/points")
class ServicePoints(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The service points: level, parent, address, opening hours, windows, the bundles accepted"""
        now = ctx().clock()
        return {"points": [point_view(p, now) for p in service_points(ctx()).values()]}


@blp.route("/<string:point>/tickets")
class Tickets(MethodView):
    @blp.arguments(TicketSchema())
    @blp.response(201)
    def post(self, body: dict[str, Any], point: str) -> dict[str, Any]:
        """Take a ticket at the point's machine (while the hall is open)"""
        taken = take_ticket(ctx(), point, body["bundle"], body["booking"] or None, client_address())
        return {**ticket_view(taken.ticket), "ahead": taken.ahead}


@blp.route("/<string:point>/queue")
class PointQueue(MethodView):
    @blp.response(200)
    def get(self, point: str) -> dict[str, Any]:
        """The point's queue today: who waits, in the order they will be called, and today's calls"""
        found = queue_of(ctx(), point)
        return {"point": found.point.code, "waiting": [ticket_view(t, found.bookings.get(t.id)) for t in found.waiting],
                "called": [ticket_view(t, found.bookings.get(t.id)) for t in found.called[:50]]}


@blp.route("/<string:point>/call")
class CallNext(MethodView):
    @blp.arguments(CallSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], point: str) -> dict[str, Any]:
        """The window calls the next ticket (bookings first); the ticket it called before is served"""
        called = call_next(ctx(), point, body["window"], current_actor())
        booking = (queue_of(ctx(), point).bookings.get(called.id)
                   if called is not None and called.kind == TicketKind.BOOKED else None)
        return {"called": None if called is None else ticket_view(called, booking)}


@blp.route("/<string:point>/calls")
class Calls(MethodView):
    @blp.arguments(SinceSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any], point: str) -> dict[str, Any]:
        """The calls the hall's display shows, newest first (after ``since``, else the last ten minutes)"""
        since = args["since"] or ctx().clock() - timedelta(minutes=10)
        if since.tzinfo is None:
            raise InvalidInput("since needs a time zone", "since 须带时区", {"since": ["如 2026-12-05T09:00:00+08:00"]})
        found = find_point(ctx(), point)
        return {"calls": [ticket_view(t) for t in calls_since(ctx(), found.code, since)]}


def _events(context: ServiceContext, point: str, since: datetime) -> Iterator[str]:
    """Each new call as an event (its id the call's time, for a reconnecting display), a comment now
    and then to keep the connection alive; ends after ``STREAM_SECONDS``."""
    yield "retry: 500\n\n"
    ends, quiet = time.monotonic() + STREAM_SECONDS, time.monotonic()
    while time.monotonic() < ends:
        calls = calls_since(context, point, since)
        for t in reversed(calls):
            assert t.called_at is not None
            since = max(since, t.called_at)
            yield f"id: {t.called_at.isoformat()}\nevent: call\ndata: {json.dumps(ticket_view(t))}\n\n"
            quiet = time.monotonic()
        if time.monotonic() - quiet > 15:
            yield ": still here\n\n"
            quiet = time.monotonic()
        time.sleep(POLL_SECONDS)


@blp.route("/<string:point>/events")
class CallEvents(MethodView):
    @blp.response(200, content_type="text/event-stream")
    def get(self, point: str) -> Response:
        """The hall's display feed: server-sent events, one ``call`` per ticket called"""
        context = ctx()
        find_point(context, point)  # an unknown point is refused before the stream starts
        last = request.headers.get("Last-Event-ID", "")
        try:
            since = datetime.fromisoformat(last) if last else context.clock()
        except ValueError:
            since = context.clock()
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        response = Response(_events(context, point, since), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Accel-Buffering"] = "no"
        return response


@blp.route("/<string:point>/waiting")
class WaitingTimes(MethodView):
    @blp.arguments(DaySchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any], point: str) -> dict[str, Any]:
        """How long applicants waited at the point that day, from ticket to call (median, 95th percentile), and
        from the call to the case's acceptance"""
        day = args["day"] or ctx().clock().astimezone(SHANGHAI).date()
        found = waiting_times(ctx(), point, day.strftime("%Y%m%d"))
        return {"point": point, "day": day.isoformat(), "tickets": found.tickets, "called": found.called,
                "p50_minutes": found.p50_minutes, "p95_minutes": found.p95_minutes, "accepted": found.accepted,
                "to_acceptance_p50_minutes": found.to_acceptance_p50_minutes}
