"""Where applicants are served (issue 27): the service points of a city — its centre, the county
(district) centres, the township and village points (就近办) — each with its address, its opening
hours by weekday (a Saturday morning, a Sunday, a late Friday), its windows and the bundles it
accepts. Kept in the catalogue (``bpmn/catalogue/service_points.json``), edited by administrators."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

LEVELS = ("city", "county", "township", "village")
"""From the top down; a point's parent is one level above it (the city centre has none)."""
LEVEL_NAMES = {"city": "市级", "county": "县（区）级", "township": "乡镇（街道）", "village": "村（社区）"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class ServicePoint:
    code: str
    name: str
    level: str
    parent: str | None
    address: str
    hours: Mapping[str, tuple[time, time] | None]
    windows: int
    bundles: tuple[str, ...] | None
    """The bundles accepted here; None: every one."""
    area: str = ""
    """The place's short name (红旗区, 洪门镇), put before the names of the departments' units there."""
    departments: tuple[str, ...] = ()
    """The departments with a unit at this point's level (a county's 卫生健康委, its police branch):
    the items of a case accepted here or below go to that unit; the others to the city's department."""

    def hours_on(self, day: date, working_day: bool = True) -> tuple[time, time] | None:
        """The hall's hours that day: its weekday's, none on a weekday that is not a working day (a
        public holiday closes it; the weekend openings are kept)."""
        if day.weekday() < 5 and not working_day:
            return None
        return self.hours.get(WEEKDAYS[day.weekday()])

    def open_at(self, moment: datetime, working_day: bool = True) -> bool:
        """Whether the hall is open at ``moment`` (in the point's local time)."""
        hours = self.hours_on(moment.date(), working_day)
        return hours is not None and hours[0] <= moment.time() < hours[1]

    def accepts(self, bundle_code: str) -> bool:
        return self.bundles is None or bundle_code in self.bundles


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def service_point_of(code: str, definition: Mapping[str, Any]) -> ServicePoint:
    """The point as stored; the definition is one ``service_point_problems`` found nothing wrong with."""
    hours = {day: None if span is None else (_clock(span[0]), _clock(span[1]))
             for day, span in dict(definition.get("hours") or {}).items()}
    bundles = definition.get("bundles", "all")
    return ServicePoint(code, str(definition["name"]), str(definition["level"]), definition.get("parent"),
                        str(definition.get("address") or ""), hours, int(definition.get("windows", 1)),
                        None if bundles == "all" else tuple(bundles), str(definition.get("area") or definition["name"]),
                        tuple(str(d) for d in definition.get("departments") or ()))


def service_point_problems(key: str, definition: Mapping[str, Any], points: Mapping[str, Mapping[str, Any]],
                           bundle_codes: set[str], department_codes: set[str]) -> dict[str, list[str]]:
    """What is wrong with a service point's definition, in Chinese, by member; ``points``: every point,
    this one included as it would be stored."""
    problems: dict[str, list[str]] = {}
    if not isinstance(definition.get("name"), str) or not definition["name"].strip():
        problems["name"] = ["必填"]
    level = definition.get("level")
    if level not in LEVELS:
        problems["level"] = [f"须为 {'、'.join(LEVELS)} 之一"]
    parent = definition.get("parent")
    if level == "city":
        if parent is not None:
            problems["parent"] = ["市级政务服务中心没有上级"]
    elif level in LEVELS:
        above = points.get(parent) if isinstance(parent, str) else None
        if above is None:
            problems["parent"] = ["须为已有服务点的编码"]
        elif above.get("level") != LEVELS[LEVELS.index(level) - 1]:
            problems["parent"] = [f"{LEVEL_NAMES[level]}服务点的上级须为{LEVEL_NAMES[LEVELS[LEVELS.index(level) - 1]]}"]
    windows = definition.get("windows", 1)
    if isinstance(windows, bool) or not isinstance(windows, int) or not 1 <= windows <= 200:
        problems["windows"] = ["窗口数须为 1 至 200 的整数"]
    bundles = definition.get("bundles", "all")
    if bundles != "all" and (not isinstance(bundles, list) or not bundles
                             or not all(isinstance(b, str) for b in bundles)):
        problems["bundles"] = ["须为 all 或一件事编码的列表"]
    elif bundles != "all" and set(bundles) - bundle_codes:
        problems["bundles"] = [f"没有一件事 {'、'.join(sorted(set(bundles) - bundle_codes))}"]
    if not isinstance(definition.get("area", ""), str):
        problems["area"] = ["须为文字（地名简称，如 红旗区）"]
    problems.update(_department_problems(definition.get("departments", []), level, department_codes))
    hours = definition.get("hours")
    if not isinstance(hours, dict) or set(hours) != set(WEEKDAYS):
        problems["hours"] = [f"须逐日给出 {'、'.join(WEEKDAYS)} 的办公时间（不办公为 null）"]
    else:
        for day, span in hours.items():
            if span is None:
                continue
            if (not isinstance(span, list) or len(span) != 2 or not all(isinstance(t, str) and _TIME.match(t)
                                                                        for t in span) or span[0] >= span[1]):
                problems.setdefault("hours", []).append(f"{day}：须为 [\"09:00\", \"17:00\"] 形式，开始早于结束")
    return problems


def _department_problems(departments: Any, level: Any, known: set[str]) -> dict[str, list[str]]:
    if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
        return {"departments": ["须为部门编码的列表"]}
    if departments and level in ("city", "village"):
        return {"departments": ["只有县（区）级和乡镇（街道）服务点设部门的分支机构；市级即各部门本身"]}
    unknown = sorted(set(departments) - known)
    if unknown:
        return {"departments": [f"没有部门 {'、'.join(unknown)}"]}
    return {}


def slots_of_day(point: ServicePoint, day: date, working_day: bool, minutes: int, zone: tzinfo) -> list[datetime]:
    """The starts of the day's slots at ``point``: its hours that day (``hours_on``) cut into ``minutes``."""
    hours = point.hours_on(day, working_day)
    if hours is None:
        return []
    found, at = [], datetime.combine(day, hours[0], zone)
    end = datetime.combine(day, hours[1], zone)
    while at + timedelta(minutes=minutes) <= end:
        found.append(at)
        at += timedelta(minutes=minutes)
    return found


UNIT_MARK = "@"
"""Between a department's code and its point's in a unit's code: ``wj@hongqi``, 红旗区卫生健康委."""


def unit_code(department: str, point: str) -> str:
    return f"{department}{UNIT_MARK}{point}"


def department_of_unit(code: str) -> str:
    """The department a unit belongs to (``wj@hongqi`` → ``wj``); a department's own code unchanged."""
    return code.split(UNIT_MARK, 1)[0]


def point_of_unit(code: str) -> str | None:
    """The point a unit sits at (``wj@hongqi`` → ``hongqi``); None for a department itself (the city's)."""
    return code.split(UNIT_MARK, 1)[1] if UNIT_MARK in code else None


def top_point(points: Mapping[str, ServicePoint]) -> str | None:
    """The point no other is above (the city's centre): where a clerk without a point serves."""
    return next((code for code, point in sorted(points.items()) if point.parent is None), None)


def points_up(points: Mapping[str, ServicePoint], code: str | None) -> list[ServicePoint]:
    """The point and those above it, nearest first."""
    found: list[ServicePoint] = []
    while code is not None and code in points and len(found) <= len(LEVELS):
        found.append(points[code])
        code = points[code].parent
    return found


def route(points: Mapping[str, ServicePoint], accepted_at: str | None, departments: Iterable[str]) -> dict[str, str]:
    """Where each department's work on a case accepted at ``accepted_at`` goes: the unit of the
    nearest point at or above it that has one; departments with none go to the city's department
    and are left out."""
    above = points_up(points, accepted_at)
    found = {}
    for department in departments:
        unit = next((p.code for p in above if department in p.departments), None)
        if unit is not None:
            found[department] = unit_code(department, unit)
    return found


def unit_names(points: Mapping[str, ServicePoint], department_names: Mapping[str, str]) -> dict[str, str]:
    """Every unit of these departments, named by its place: ``wj@hongqi`` → 红旗区卫生健康委."""
    return {unit_code(d, p.code): f"{p.area}{department_names[d]}"
            for p in points.values() for d in p.departments if d in department_names}


def under(points: Mapping[str, ServicePoint], code: str) -> set[str]:
    """The point and every point below it."""
    return {c for c in points if any(p.code == code for p in points_up(points, c))}
