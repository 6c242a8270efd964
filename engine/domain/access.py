"""Who may do what: roles, the permissions they grant, and how far a user's view reaches.

The API checks an endpoint's permission in one place (``api/access.py``); the use cases check the
resource rules here (a reviewer works only in their own department's lanes).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from engine.domain.errors import Forbidden
from engine.domain.model import OFFICE, WINDOW, Actor


class Role(StrEnum):
    CLERK = "clerk"
    """Window clerk (综合窗口人员): starts cases, records materials, hands over results."""
    REVIEWER = "reviewer"
    """Department reviewer (部门审批人员): completes the department's tasks."""
    HEAD = "head"
    """Department head (部门负责人): a reviewer who also reassigns tasks and approves extensions."""
    SUPERVISOR = "supervisor"
    """Supervisor (效能监督): sees warnings and every case, read-only, personal data masked."""
    ADMIN = "admin"
    """Administrator (系统管理员): flows, catalogue, users, calendar; no case data."""
    AGENT = "agent"
    """帮办代办员: at a service point, prepares and submits applications for applicants who authorized
    it (授权委托书); sees the cases they prepared, nobody else's."""
    MONITOR = "monitor"
    """特邀监督员: an outside supervisor who reads the figures and the cases with personal data masked,
    and files observations as work orders."""
    APPLICANT = "applicant"
    """An applicant (申请人) signed in by their mobile number: their own cases and messages only.
    Made by signing in, never by an administrator."""


ROLE_NAMES_ZH = {
    Role.CLERK: "综合窗口人员", Role.REVIEWER: "部门审批人员", Role.HEAD: "部门负责人",
    Role.SUPERVISOR: "效能监督人员", Role.ADMIN: "系统管理员", Role.AGENT: "帮办代办员", Role.MONITOR: "特邀监督员",
    Role.APPLICANT: "申请人",
}
STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR, Role.ADMIN, Role.AGENT, Role.MONITOR)
"""The roles an administrator may give: an applicant's account comes from signing in."""
APPLICANTS = "public"
"""The department an applicant's account is kept under (none of the centre's)."""


class Permission(StrEnum):
    CASE_START = "case.start"
    CASE_PICKUP = "case.pickup"
    CASE_MATERIALS = "case.materials"
    """Record materials the applicant supplies after acceptance (容缺补交)."""
    CASE_READ = "case.read"
    TASK_READ = "task.read"
    TASK_WORK = "task.work"
    TASK_ASSIGN = "task.assign"
    CATALOGUE_READ = "catalogue.read"
    USER_MANAGE = "user.manage"
    CATALOGUE_MANAGE = "catalogue.manage"
    AUDIT_VERIFY = "audit.verify"
    CALENDAR_MANAGE = "calendar.manage"
    """Declare holidays and working days over the package's calendar; confirm a year's calendar."""
    FLOW_MANAGE = "flow.manage"
    """Upload, check, compare, dry-run and deploy BPMN flow versions; move running cases onto one."""
    SUPERVISE = "supervise"
    """The warning queue (红黄牌): a supervisor sees every department's, a head their own."""
    REPORT_READ = "report.read"
    """Savings reports (四减一优) over many cases, their exports and charts: figures, no personal data."""
    SELF = "self"
    """One's own account: who am I, my tokens, log out."""
    REGISTRY_MANAGE = "registry.manage"
    """Load the embedded registries from files and see what each holds (counts, imports)."""
    LOOKUP_AUDIT = "lookup.audit"
    """The audit of shared-data lookups (数据调用留痕): who looked up whom, for what."""
    WORK_ORDERS = "work_orders"
    """Work orders (工单) as the role allows: the window and supervisors raise them, supervisors assign and
    close them, departments respond and reply, outside supervisors file observations."""
    APPLY = "apply"
    """An applicant's own cases, their progress and the messages about them (网上办事)."""


_READ_CASES = {Permission.CASE_READ, Permission.TASK_READ, Permission.CATALOGUE_READ, Permission.SELF}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_READ_CASES | {Permission.CASE_START, Permission.CASE_PICKUP, Permission.CASE_MATERIALS,
                                         Permission.TASK_WORK, Permission.WORK_ORDERS}),
    Role.REVIEWER: frozenset(_READ_CASES | {Permission.TASK_WORK, Permission.WORK_ORDERS}),
    Role.HEAD: frozenset(_READ_CASES | {Permission.TASK_WORK, Permission.TASK_ASSIGN, Permission.SUPERVISE,
                                        Permission.WORK_ORDERS}),
    Role.SUPERVISOR: frozenset(_READ_CASES | {Permission.AUDIT_VERIFY, Permission.SUPERVISE,
                                              Permission.REPORT_READ, Permission.LOOKUP_AUDIT,
                                              Permission.WORK_ORDERS}),
    Role.ADMIN: frozenset({Permission.CATALOGUE_READ, Permission.CATALOGUE_MANAGE,
                           Permission.USER_MANAGE, Permission.AUDIT_VERIFY, Permission.CALENDAR_MANAGE,
                           Permission.FLOW_MANAGE, Permission.REPORT_READ, Permission.REGISTRY_MANAGE,
                           Permission.SELF}),
    Role.AGENT: frozenset({Permission.CASE_START, Permission.CASE_READ, Permission.CATALOGUE_READ,
                           Permission.CASE_MATERIALS, Permission.SELF}),
    Role.MONITOR: frozenset({Permission.CASE_READ, Permission.CATALOGUE_READ, Permission.REPORT_READ,
                             Permission.WORK_ORDERS, Permission.SELF}),
    Role.APPLICANT: frozenset({Permission.APPLY, Permission.SELF}),
}

# Roles that handle an applicant's case and so see the applicant's full identifiers.
_PERSONAL_DATA_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD)
_DEPARTMENT_ROLES = (Role.REVIEWER, Role.HEAD)


@dataclass(frozen=True)
class Principal:
    """An authenticated user."""

    user_id: int
    login: str
    name: str
    department: str
    roles: frozenset[Role]
    service_point: str | None = None
    """Where a window clerk or agent works (None: the city's centre)."""

    def granting_role(self, permission: Permission) -> Role | None:
        """The first of the user's roles that grants ``permission`` (in the order of ``Role``)."""
        return next((role for role in Role if role in self.roles and permission in GRANTS[role]), None)

    def can(self, permission: Permission) -> bool:
        return self.granting_role(permission) is not None

    def actor(self, permission: Permission, address: str | None = None) -> Actor:
        role = self.granting_role(permission)
        return Actor(self.login, self.department, str(role or ""), address, self.service_point)

    @property
    def works_in_department(self) -> bool:
        return any(r in self.roles for r in _DEPARTMENT_ROLES) and self.department not in (WINDOW, OFFICE)

    def task_departments(self) -> frozenset[str] | None:
        """Whose tasks this user may see: ``None`` for all (supervisors)."""
        if Role.SUPERVISOR in self.roles or Role.MONITOR in self.roles:
            return None
        seen = set()
        if Role.CLERK in self.roles:
            seen.add(WINDOW)
        if self.works_in_department:
            seen.add(self.department)
        return frozenset(seen)

    def sees_case(self, case_departments: Collection[str], case_agent: str | None = None) -> bool:
        """Clerks and supervisors see every case; a department sees the cases it has an item in (its
        unit's: a county's reviewers their county's); an agent the cases they prepared."""
        if not self.can(Permission.CASE_READ):
            return False
        if Role.SUPERVISOR in self.roles or Role.CLERK in self.roles or Role.MONITOR in self.roles:
            return True
        if Role.AGENT in self.roles and case_agent == self.login:
            return True
        return self.works_in_department and self.department in case_departments

    def sees_personal_data(self, case_departments: Collection[str], case_agent: str | None = None) -> bool:
        """Full ID and phone numbers: for the window, the departments that decide the case, and the
        agent the applicant authorized."""
        if Role.CLERK in self.roles or (Role.AGENT in self.roles and case_agent == self.login):
            return True
        return (any(r in self.roles for r in _PERSONAL_DATA_ROLES) and self.works_in_department
                and self.department in case_departments)


def applicant_phone(principal: Principal) -> str:
    """The mobile number of the signed-in applicant (their login); anyone else is refused."""
    if not principal.can(Permission.APPLY):
        raise Forbidden("only an applicant applies online", "仅申请人可在网上申请")
    return principal.login


def ensure_task_visible(principal: Principal, department: str) -> None:
    seen = principal.task_departments()
    if seen is not None and department not in seen:
        raise Forbidden(
            f"tasks of department {department!r} are not yours to see",
            f"您无权查看部门 {department} 的任务",
        )


def roles_fit_department(roles: Collection[Role], department: str) -> str | None:
    """Why these roles do not fit a user of this department, or None when they do."""
    if Role.CLERK in roles and department != WINDOW:
        return "综合窗口人员必须属于综合窗口（window）"
    if Role.AGENT in roles and department != WINDOW:
        return "帮办代办员必须属于综合窗口（window）"
    if any(r in roles for r in _DEPARTMENT_ROLES) and department in (WINDOW, OFFICE):
        return "部门审批人员和部门负责人必须属于一个审批部门"
    return None


CASE_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR, Role.AGENT, Role.MONITOR)
"""Roles that see case data; an administrator sees none (separation of duties)."""


def roles_conflict(roles: Collection[Role]) -> str | None:
    """Why these roles must not be held together, or None. An administrator manages users and
    flows; holding a case role as well would let one person grant themselves access to cases and
    change the flows they decide in, so the two are kept to different people."""
    held = [r for r in CASE_ROLES if r in roles]
    if Role.APPLICANT in roles and len(set(roles)) > 1:
        return "申请人账号不能同时担任工作人员角色"
    if Role.ADMIN in roles and held:
        return (f"系统管理员不能同时担任办件角色（{'、'.join(ROLE_NAMES_ZH[r] for r in held)}）："
                "管理员不接触办件数据，请为办件工作另设账号（职责分离）")
    return None
