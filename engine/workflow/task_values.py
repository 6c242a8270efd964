"""What a script may store in task data: values the workflow's stored state keeps exactly as they are.

Task data goes into the case's workflow state as JSON (``CaseWorkflow.dump``), and a completion reads it back
from there whenever its live workflow is not cached. A value JSON cannot hold would make every later save of
the case fail; a value JSON would change (an int key becomes text, NaN becomes null) would make the flow
behave differently after a reload than before. So the interpreter stores only: None, booleans, integers,
finite floats, text, lists, and dicts with text keys. Tuples are stored as lists, which is what a reload
gives back anyway. Anything else (dicts with other keys, non-finite floats, objects a function returned) is
refused with ``UnstorableValueError`` at the assignment, before the case's state is touched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from engine.workflow.expression_errors import UnstorableValueError

_SCALARS = (str, bool, int, type(None))


def storable(value: Any, where: str, spend: Callable[[int], None]) -> Any:
    """``value`` as task data stores it (tuples as lists, shared where nothing changed); raises
    ``UnstorableValueError`` naming ``where`` (the variable) when it cannot be stored. ``spend`` is told the
    size of every container walked, so that the check counts against the run's budget.

    Recursive: values nested deeper than Python's stack raise RecursionError, which the interpreter
    reports as too deeply nested."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refused(where, f"the number {value} is not finite", f"数值 {value} 不是有限数")
        return value
    if isinstance(value, (list, tuple)):
        spend(len(value))
        items = [storable(item, where, spend) for item in value]
        if isinstance(value, list) and all(new is old for new, old in zip(items, value, strict=True)):
            return value  # unchanged: keep the very list, so that aliases in the script stay aliases
        return items
    if isinstance(value, dict):
        spend(len(value))
        converted: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            if not isinstance(key, str):
                raise _refused(where, f"dict keys must be text, not {type(key).__name__} ({key!r:.40})",
                               f"字典的键必须是文本，不能是 {type(key).__name__}（{key!r:.40}）")
            converted[key] = storable(item, where, spend)
            changed = changed or converted[key] is not item
        return converted if changed else value
    kind = type(value).__name__
    raise _refused(where, f"a value of type {kind} cannot be stored", f"无法保存 {kind} 类型的值")


def _refused(where: str, reason: str, reason_zh: str) -> UnstorableValueError:
    return UnstorableValueError(f"'{where}' cannot be stored in the case's data: {reason}",
                                f"{where} 无法保存到办件数据中：{reason_zh}")
