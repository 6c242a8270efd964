"""Administrators keep the working-day calendar: they declare a day a holiday or a working day
(over the package's data) and confirm a year the package has no official notice for. Every change
is audited, and the due days of running clocks are recomputed at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from engine.domain.calendar import OVERRIDE_KINDS
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.model import Actor
from engine.persistence.clock_store import OverrideRow
from engine.services.audit import record_audit
from engine.services.clocks import refresh_clocks
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"year must lie between {FIRST_YEAR} and {LAST_YEAR}", "年份超出范围",
                           {"year": [f"{FIRST_YEAR}–{LAST_YEAR}"]})
    return year


def calendar_of_year(ctx: ServiceContext, year: int) -> dict[str, Any]:
    """A year as the clocks count it: days off on weekdays, working weekends, the overrides, and
    whether the year rests on official data or an administrator's confirmation."""
    _year(year)
    with ctx.uow(False) as uow:
        calendar = ctx.calendars.get(uow)
        confirmed = uow.calendar.confirmed_years()
    day, last = date(year, 1, 1), date(year, 12, 31)
    days_off, working_weekends = [], []
    while day <= last:
        working = calendar.is_working_day(day)
        if day.weekday() < 5 and not working:
            days_off.append(day.isoformat())
        elif day.weekday() >= 5 and working:
            working_weekends.append(day.isoformat())
        day += timedelta(days=1)
    by = confirmed.get(year)
    return {
        "year": year, "official": year in calendar.official_years,
        "confirmed_by": by[0] if by else None, "confirmed_at": by[1].isoformat() if by else None,
        "needs_confirmation": not calendar.is_year_known(year),
        "weekday_days_off": days_off, "working_weekends": working_weekends,
        "working_days": calendar.working_days_between(date(year - 1, 12, 31), last),
        "overrides": [{"day": o.day.isoformat(), "kind": o.kind, "reason": o.reason}
                      for o in calendar.overrides if o.day.year == year],
    }


@dataclass(frozen=True)
class PutOverride:
    day: date
    kind: str
    reason: str
    actor: Actor


def put_override(cmd: PutOverride, ctx: ServiceContext) -> dict[str, Any]:
    if cmd.kind not in OVERRIDE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(sorted(OVERRIDE_KINDS))}",
                           "类型必须是 holiday（放假）或 workday（上班）", {"kind": ["holiday 或 workday"]})
    if not cmd.reason.strip():
        raise InvalidInput("a reason is required", "请写明调整的依据（如通知文号）", {"reason": ["必填"]})
    _year(cmd.day.year)

    def work(uow: UnitOfWork) -> None:
        now = ctx.clock()
        uow.calendar.put_override(OverrideRow(cmd.day, cmd.kind, cmd.reason.strip(), cmd.actor.user, now))
        record_audit(uow, "CalendarOverridden", cmd.actor, cmd.day.isoformat(),
                     {"kind": cmd.kind, "reason": cmd.reason.strip()}, now)

    in_transaction(ctx, work)
    moved = refresh_clocks(ctx)
    return {"day": cmd.day.isoformat(), "kind": cmd.kind, "reason": cmd.reason.strip(), "cases_updated": moved}


def delete_override(day: date, actor: Actor, ctx: ServiceContext) -> dict[str, Any]:
    def work(uow: UnitOfWork) -> None:
        if not uow.calendar.delete_override(day):
            raise NotFound(f"no override on {day.isoformat()}", f"{day.isoformat()} 没有人工调整")
        record_audit(uow, "CalendarOverrideRemoved", actor, day.isoformat(), {}, ctx.clock())

    in_transaction(ctx, work)
    return {"day": day.isoformat(), "cases_updated": refresh_clocks(ctx)}


def confirm_year(year: int, actor: Actor, ctx: ServiceContext) -> dict[str, Any]:
    """The administrator checked the year against the State Council's notice (after declaring any
    differences as overrides): its deadlines stop carrying the estimate warning. A year the package
    has the official notice for needs no confirmation and is refused (409), changing nothing."""
    _year(year)

    def work(uow: UnitOfWork) -> None:
        if year in ctx.calendars.get(uow).official_years:
            raise Conflict(f"{year} rests on official holiday data and needs no confirmation",
                           f"{year} 年已有国务院办公厅公布的官方节假日安排，无需确认")
        now = ctx.clock()
        uow.calendar.confirm_year(year, actor.user, now)
        record_audit(uow, "CalendarYearConfirmed", actor, str(year), {}, now)

    in_transaction(ctx, work)
    return calendar_of_year(ctx, year)
