"""Where a case is served (issue 27): the service point that accepts it (the clerk's), the point its
results are handed over at (异地代收: another the applicant chose), the units its departments' work
goes to (a township's case to its county's departments) and where the intake took place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from engine.domain.errors import Conflict, InvalidInput
from engine.domain.model import Actor, Bundle
from engine.domain.records import CaseRecord
from engine.domain.service_points import (
    LEVELS,
    ServicePoint,
    route,
    service_point_of,
    top_point,
    under,
    unit_names,
)
from engine.services.unit_of_work import UnitOfWork

PLACES = {"hall": "大厅受理", "home": "上门办理"}
"""Where an intake took place: at a service point's hall, or at the applicant's home (上门办理)."""


MANDATES = {"letter": "授权委托书", "online": "申请人在线授权"}
"""How an applicant authorized the hall's agent (帮办代办) to apply for them."""
LETTER = "agent_authorisation"
"""The material a letter of authorization (授权委托书) is kept as in the case, with its scans."""


def with_letter(materials: dict[str, str], mandate: dict[str, str] | None) -> dict[str, str]:
    """The case's materials with the agent's letter of authorization submitted, when the agent holds
    one: it is never tolerated nor promised (an agent acts only once authorized)."""
    if mandate is None or mandate["mandate"] != "letter":
        return materials
    if materials.get(LETTER, "submitted") != "submitted":
        raise InvalidInput("an agent's letter of authorization is submitted, not tolerated nor promised",
                           "帮办代办须当场提交授权委托书，不能容缺或承诺", {f"materials.{LETTER}": ["须为已提交"]})
    return {**materials, LETTER: "submitted"}


def mandate_of(actor: Actor, mandate: str | None) -> dict[str, str] | None:
    """The agent and how the applicant authorized them, for an intake an agent makes; None for a clerk's.
    An agent without a mandate, or a clerk naming one, is refused."""
    if actor.role != "agent":
        if mandate is not None:
            raise InvalidInput("only a hall agent applies under a mandate", "只有帮办代办员代为申请时登记授权方式",
                               {"mandate": ["窗口受理无需填写"]})
        return None
    if mandate not in MANDATES:
        raise InvalidInput(f"an agent applies under a mandate: one of {', '.join(MANDATES)}",
                           "帮办代办须登记申请人的授权方式（授权委托书或申请人在线授权）",
                           {"mandate": [f"应为 {'、'.join(MANDATES)} 之一"]})
    return {"agent": actor.user, "mandate": mandate, "label": MANDATES[mandate]}


@dataclass(frozen=True)
class Placement:
    accepted: str | None
    handover: str | None
    routing: dict[str, str] = field(default_factory=dict)
    place: str = "hall"


def point_of_actor(points: Mapping[str, ServicePoint], actor: Actor) -> str | None:
    """The point a window clerk or agent works at: their own, else the city's centre."""
    return actor.point if actor.point in points else top_point(points)


def place_case(points: Mapping[str, ServicePoint], bundle: Bundle, actor: Actor, handover: str | None,
               place: str) -> Placement:
    """Where a case the ``actor`` accepts is served; refused when the clerk's point does not accept the
    bundle, the handover point is unknown or the place is not one of ``PLACES``."""
    if place not in PLACES:
        raise InvalidInput(f"place must be one of {', '.join(PLACES)}", "受理地点无效",
                           {"place": [f"应为 {'、'.join(PLACES)} 之一"]})
    accepted = point_of_actor(points, actor)
    if accepted is None:  # a deployment without service points: one centre, every department its own
        return Placement(None, None, {}, place)
    if not points[accepted].accepts(bundle.code):
        raise Conflict(f"service point {accepted} does not accept {bundle.code}",
                       f"{points[accepted].name}不受理{bundle.name}，请引导申请人到上级服务中心办理")
    if handover is not None and handover not in points:
        raise InvalidInput(f"no service point {handover!r}", "领取地点不是已有的服务点",
                           {"handover_point": [f"没有编码为 {handover} 的服务点"]})
    departments = {item.department for item in bundle.items}
    return Placement(accepted, handover or accepted, route(points, accepted, departments), place)


def ensure_handover_here(points: Mapping[str, ServicePoint], handover: str | None, actor: Actor) -> str | None:
    """The point handing the results over: the case's handover point, and only there. Answers it."""
    here = point_of_actor(points, actor)
    if handover is not None and here != handover and handover in points:
        raise Conflict(f"the results are handed over at {handover}, not at {here}",
                       f"本件约定在{points[handover].name}领取，请到该服务点出件")
    return here


def points_of(uow: UnitOfWork) -> dict[str, ServicePoint]:
    return {code: service_point_of(code, d) for code, d in uow.catalogue.entries("service_point").items()}


def with_unit_names(uow: UnitOfWork, bundle: Bundle, case: CaseRecord) -> Bundle:
    """The bundle naming the units the case was routed to (红旗区卫生健康委); as it is for a case
    at the city's level."""
    if not case.routing:
        return bundle
    return replace(bundle, departments={**bundle.departments, **unit_names(points_of(uow), bundle.departments)})


def points_within(points: Mapping[str, ServicePoint], point: str | None, level: str | None) -> frozenset[str] | None:
    """The points a filter by service point (with those below it) and level keeps; None: no filter.
    An unknown point or level is refused."""
    if point is None and level is None:
        return None
    if point is not None and point not in points:
        raise InvalidInput(f"no service point {point!r}", "没有该服务点",
                           {"service_point": [f"没有编码为 {point} 的服务点"]})
    if level is not None and level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", "层级无效",
                           {"level": [f"应为 {'、'.join(LEVELS)} 之一"]})
    kept = under(points, point) if point is not None else set(points)
    return frozenset(code for code in kept if level is None or points[code].level == level)
