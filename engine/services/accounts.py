"""Use cases of administrators on user accounts, and the seeding of the first users."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.domain.access import APPLICANTS, ROLE_NAMES_ZH, STAFF_ROLES, Role, roles_conflict, roles_fit_department
from engine.domain.catalogue import bundle_from_dict
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.model import OFFICE, SYSTEM, WINDOW, Actor
from engine.domain.records import UserRecord
from engine.domain.service_points import UNIT_MARK, unit_names
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of
from engine.services.passwords import password_problem
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

LOGIN = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
DEMO_PASSWORD = "onething-demo-2026"  # noqa: S105 - published on purpose; production refuses demo users
"""The password of every demo user; production settings refuse to start while demo users exist."""


@dataclass(frozen=True)
class CreateUser:
    login: str
    name: str
    department: str
    roles: list[str]
    password: str
    actor: Actor
    demo: bool = False
    service_point: str | None = None
    """Where a window clerk or agent works (None: the city's centre)."""


@dataclass(frozen=True)
class UpdateUser:
    login: str
    changes: dict[str, Any]
    """Any of ``name``, ``department``, ``roles``, ``active``, ``password``, ``service_point``."""
    actor: Actor


@dataclass(frozen=True)
class DemoUser:
    login: str
    name: str
    department: str
    roles: list[str] = field(default_factory=list)
    service_point: str | None = None


def known_departments(uow: UnitOfWork) -> dict[str, str]:
    """Department codes a user may belong to: the window, the office, every bundle's departments and
    their units at the service points (``wj@hongqi``: 红旗区卫生健康委)."""
    found = {WINDOW: "综合窗口", OFFICE: "政务服务管理办公室"}
    for row in uow.flows.bundles():
        found.update({k: v for k, v in bundle_from_dict(row.definition).departments.items() if k not in found})
    found.update(unit_names(points_of(uow), {k: v for k, v in found.items() if k not in (WINDOW, OFFICE)}))
    return found


def _check(uow: UnitOfWork, name: str, department: str, roles: list[str],
           point: str | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if point is not None and department != WINDOW:
        errors["service_point"] = ["只有综合窗口人员和帮办代办员属于服务点；审批人员的所在地由其部门（分支机构）决定"]
    elif point is not None and point not in points_of(uow):
        errors["service_point"] = [f"没有编码为 {point} 的服务点"]
    if not name.strip() or len(name) > 100:
        errors["name"] = ["姓名须为 1 至 100 个字符"]
    if department not in known_departments(uow):
        errors["department"] = [f"未知部门：{department}"]
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if not roles or unknown:
        errors["roles"] = [f"角色须从 {'、'.join(r.value for r in STAFF_ROLES)} 中选择" + (
            f"；未知角色：{'、'.join(unknown)}" if unknown else "")]
    elif problem := (roles_conflict([Role(r) for r in roles])
                     or ("department" not in errors and roles_fit_department([Role(r) for r in roles], department))):
        errors["roles"] = [problem]
    return errors


def create_user(cmd: CreateUser, ctx: ServiceContext) -> UserRecord:
    errors: dict[str, list[str]] = {}
    if not LOGIN.match(cmd.login):
        errors["login"] = ["登录名须以小写字母开头，由 3 至 64 个小写字母、数字、点、下划线或连字符组成"]
    if problem := password_problem(cmd.password):
        errors["password"] = [problem]
    password_hash = ctx.passwords.hash(cmd.password) if not errors else ""

    def work(uow: UnitOfWork) -> UserRecord:
        all_errors = {**errors, **_check(uow, cmd.name, cmd.department, cmd.roles, cmd.service_point)}
        if all_errors:
            raise InvalidInput("the user's data is incomplete or invalid", "用户信息不完整或有误", all_errors)
        if uow.users.by_login(cmd.login) is not None:
            raise Conflict(f"a user {cmd.login!r} already exists", f"登录名 {cmd.login} 已被使用",
                           {"login": ["登录名已被使用"]})
        now = ctx.clock()
        user = UserRecord(id=0, login=cmd.login, name=cmd.name.strip(), department=cmd.department,
                          roles=sorted(set(cmd.roles)), password_hash=password_hash, active=True, demo=cmd.demo,
                          created_at=now, updated_at=now, service_point=cmd.service_point)
        user.id = uow.users.add(user)
        record_audit(uow, "UserCreated", cmd.actor, f"user:{user.login}", {
            "login": user.login, "name": user.name, "department": user.department, "roles": user.roles,
            "demo": user.demo, "service_point": user.service_point}, now)
        return user

    return in_transaction(ctx, work)


def update_user(cmd: UpdateUser, ctx: ServiceContext) -> UserRecord:
    changes = dict(cmd.changes)
    password = changes.pop("password", None)
    if password is not None and (problem := password_problem(password)):
        raise InvalidInput("the new password is too weak", "新密码不符合要求", {"password": [problem]})
    password_hash = ctx.passwords.hash(password) if password is not None else None

    def work(uow: UnitOfWork) -> UserRecord:
        user = uow.users.by_login(cmd.login)
        if user is None:
            raise NotFound(f"no user {cmd.login!r}", f"没有用户 {cmd.login}")
        now = ctx.clock()
        name = changes.get("name", user.name)
        department = changes.get("department", user.department)
        roles = sorted(set(changes.get("roles", user.roles)))
        point = changes.get("service_point", user.service_point) if department == WINDOW else None
        errors = _check(uow, name, department, roles, point)
        if errors:
            raise InvalidInput("the user's data is incomplete or invalid", "用户信息不完整或有误", errors)
        active = bool(changes.get("active", user.active))
        if user.login == cmd.actor.user and (not active or Role.ADMIN not in roles):
            raise Conflict("administrators cannot deactivate themselves or drop their own admin role",
                           "管理员不能停用自己的账号或取消自己的管理员角色")
        changed = {k: v for k, v in {"name": name, "department": department, "roles": roles,
                                     "active": active, "service_point": point}.items() if getattr(user, k) != v}
        user.name, user.department, user.roles, user.active = name.strip(), department, roles, active
        user.service_point = point
        if password_hash is not None:
            user.password_hash = password_hash
            changed["password"] = "changed"  # noqa: S105 - never the password itself
        user.updated_at = now
        uow.users.save(user)
        uow.after_commit(ctx.tokens.clear)  # whatever changed, no token is trusted on its old reading
        revoked = 0
        if password_hash is not None or not active or {"roles", "department", "service_point"} & set(changed):
            revoked = uow.tokens.revoke_all(user.id, now)  # what a login allowed changed: log in again
        record_audit(uow, "UserChanged", cmd.actor, f"user:{user.login}", {**changed, "tokens_revoked": revoked},
                     now)
        return user

    return in_transaction(ctx, work)


def revoke_user_tokens(login: str, actor: Actor, ctx: ServiceContext) -> int:
    def work(uow: UnitOfWork) -> int:
        user = uow.users.by_login(login)
        if user is None:
            raise NotFound(f"no user {login!r}", f"没有用户 {login}")
        now = ctx.clock()
        revoked = uow.tokens.revoke_all(user.id, now)
        uow.after_commit(ctx.tokens.clear)
        record_audit(uow, "UserTokensRevoked", actor, f"user:{login}", {"revoked": revoked}, now)
        return revoked

    return in_transaction(ctx, work)


def list_users(ctx: ServiceContext, department: str | None = None) -> list[UserRecord]:
    """The staff's accounts (of one department); applicants' accounts only when their department,
    ``public``, is asked for by name."""
    with ctx.uow(False) as uow:
        found = uow.users.all(department)
    return found if department == APPLICANTS else [u for u in found if Role.APPLICANT.value not in u.roles]


def get_user(ctx: ServiceContext, login: str) -> UserRecord:
    with ctx.uow(False) as uow:
        user = uow.users.by_login(login)
        if user is None:
            raise NotFound(f"no user {login!r}", f"没有用户 {login}")
        return user


def demo_users(ctx: ServiceContext) -> list[DemoUser]:
    """One user per role: the office's administrator and supervisor, a window clerk, and a reviewer
    and a head in every department of the deployed bundles."""
    with ctx.uow(False) as uow:
        departments, points = known_departments(uow), points_of(uow)
    users = [DemoUser("admin", "系统管理员（演示）", OFFICE, [Role.ADMIN]),
             DemoUser("supervisor", "效能监督（演示）", OFFICE, [Role.SUPERVISOR]),
             DemoUser("clerk", "窗口人员（演示）", WINDOW, [Role.CLERK]),
             DemoUser("agent", "帮办代办员（演示）", WINDOW, [Role.AGENT]),
             DemoUser("monitor", "特邀监督员（演示）", OFFICE, [Role.MONITOR])]
    for code, name in departments.items():
        if code in (WINDOW, OFFICE):
            continue
        login = code.replace(UNIT_MARK, ".")  # wj@hongqi: wj.hongqi.reviewer
        users.append(DemoUser(f"{login}.reviewer", f"{name}审批员（演示）", code, [Role.REVIEWER]))
        users.append(DemoUser(f"{login}.head", f"{name}负责人（演示）", code, [Role.HEAD]))
    for code, point in sorted(points.items()):
        if point.parent is not None:  # the centre's clerk is ``clerk``
            users.append(DemoUser(f"clerk.{code}", f"{point.area}窗口人员（演示）", WINDOW, [Role.CLERK], code))
    return users


def seed_demo_users(ctx: ServiceContext) -> list[DemoUser]:
    """Create the demo users that do not exist yet; returns all of them."""
    users = demo_users(ctx)
    with ctx.uow(False) as uow:
        existing = {u.login for u in uow.users.all()}
    for demo in users:
        if demo.login not in existing:
            create_user(CreateUser(demo.login, demo.name, demo.department, list(demo.roles), DEMO_PASSWORD, SYSTEM,
                                   demo=True, service_point=demo.service_point), ctx)
    return users


def role_names_zh(roles: list[str]) -> str:
    return "、".join(ROLE_NAMES_ZH.get(Role(r), r) for r in roles if r in Role.__members__.values())
