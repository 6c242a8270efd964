"""What the modeler's properties panel asks while an administrator edits a flow: is this condition or timer
value one the upload check accepts, and which departments may a lane name (with their Chinese names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.domain.model import WINDOW
from engine.services.context import ServiceContext
from engine.services.flow_admin import known_departments
from engine.workflow.expression_check import ExpressionVerdict, check_expression

WINDOW_NAME = "综合窗口"


@dataclass(frozen=True)
class CheckExpression:
    kind: str
    """``condition``, ``timeDate``, ``timeDuration`` or ``timeCycle`` (``expression_check.EXPRESSION_KINDS``)."""
    expression: str


@dataclass(frozen=True)
class Department:
    code: str
    """What a lane is named: the engine matches a lane to its department by this code."""
    name: str


def check_flow_expression(command: CheckExpression, ctx: ServiceContext) -> ExpressionVerdict:
    """The upload check's verdict on one expression, with the functions the engine's script engine allows."""
    return check_expression(command.kind, command.expression, tuple(ctx.script_engine.functions))


def list_departments(ctx: ServiceContext) -> list[Department]:
    """Every department a lane may name (those the upload check knows), the window first, then by code; each
    with the name the bundles' definitions give it (the code itself when none does)."""
    with ctx.uow(False) as uow:
        codes = known_departments(uow)
        names: dict[str, str] = {WINDOW: WINDOW_NAME}
        for row in uow.flows.bundles():
            given = row.definition.get("departments")
            if isinstance(given, Mapping):
                for code, name in given.items():
                    if isinstance(name, str) and name.strip():
                        names.setdefault(str(code), name)
    return [Department(code, names.get(code, code)) for code in sorted(codes, key=lambda c: (c != WINDOW, c))]
