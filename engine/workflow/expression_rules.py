"""The rules of the safe expression evaluator: limits, allow-lists and static validation.

SpiffWorkflow's default script engine hands flow-supplied source to eval/exec; the safe evaluator instead only
ever gives the source to ``ast.parse``. This module holds what it may do: the size and budget limits, the
allow-listed functions (DEFAULT_FUNCTIONS), methods and operators, and the validator that refuses, with a
position, every construct not on the allow-list. Parsed and validated trees are cached by ``_checked_tree``,
which ``expression_interpreter`` runs. Only the standard library is used.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, cast

from engine.workflow.expression_errors import (
    EvaluationBudgetExceeded,
    ExpressionEvaluationError,
    UnsafeExpressionError,
)

MAX_SOURCE_LENGTH = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 100  # keeps the recursive validator and interpreter far below Python's recursion limit
MAX_SEQUENCE_LENGTH = 100_000
MAX_ITERATIONS = 100_000  # comprehension steps per run
MAX_OPERATIONS = 1_000_000  # node evaluations per run: bounds CPU time whatever the loop shape
MAX_ALLOCATION = 1_000_000  # items + characters a run may build: bounds memory across many steps
MAX_COST = 2_000_000  # items + characters a run's built-in calls and operators walk: bounds time spent in C
MAX_SECONDS = 5.0  # wall-clock limit of one run: the second guard, above what the budgets above allow
MAX_INT = 10**100


def _check_length(length: int) -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise EvaluationBudgetExceeded(
            f"result would be too long ({length} items, limit {MAX_SEQUENCE_LENGTH})",
            f"结果过长（{length} 项，上限 {MAX_SEQUENCE_LENGTH}）",
        )


def _check_number(value: Any) -> Any:
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise EvaluationBudgetExceeded("integer result is larger than 10**100", "整数结果超过 10**100")
    if isinstance(value, complex):  # e.g. (-8) ** 0.5; task data must stay JSON-serialisable
        raise ExpressionEvaluationError("complex numbers are not supported", "不支持复数")
    return value


# --- allow-listed functions and methods -------------------------------------------------------------------


def _safe_range(*args: Any) -> list[int]:
    span = range(*args)
    try:
        length = len(span)
    except OverflowError:  # the length does not even fit in a C ssize_t
        length = MAX_SEQUENCE_LENGTH + 1
    _check_length(length)
    return list(span)  # a list, not a range object: results may be stored in JSON task data


def _safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    # Numbers only: summing lists or strings is quadratic and could assemble huge values.
    items = list(values)
    if not all(isinstance(value, (int, float)) for value in [start, *items]):
        raise ExpressionEvaluationError("sum() only adds numbers", "sum() 只能对数字求和")
    return sum(items, start)


DEFAULT_FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType({
    "len": len, "min": min, "max": max, "sum": _safe_sum, "abs": abs, "round": round, "int": int,
    "float": float, "str": str, "bool": bool, "any": any, "all": all, "sorted": sorted, "list": list,
    "dict": dict, "range": _safe_range,
})


def _str_join(separator: str, items: Iterable[Any]) -> str:
    parts = list(items)
    if all(isinstance(part, str) for part in parts):  # otherwise str.join raises a clear TypeError
        _check_length(sum(len(part) for part in parts) + len(separator) * max(len(parts) - 1, 0))
    return separator.join(parts)


def _str_replace(text: str, old: Any, new: Any, count: Any = -1) -> str:
    if isinstance(old, str) and isinstance(new, str) and isinstance(count, int) and len(new) > len(old):
        hits = text.count(old)  # like replace(), an empty `old` matches len(text) + 1 times
        hits = hits if count < 0 else min(hits, count)
        _check_length(len(text) + hits * (len(new) - len(old)))
    return text.replace(old, new, count)


# Unbound methods looked up by receiver type: user code never reaches getattr(), and the views returned by
# keys()/values()/items() become lists so that results stay JSON-friendly.
_METHODS: Mapping[type[Any], Mapping[str, Callable[..., Any]]] = {
    dict: {"get": dict.get, "keys": lambda d: list(d), "values": lambda d: list(d.values()),
           "items": lambda d: list(d.items())},
    str: {"lower": str.lower, "upper": str.upper, "strip": str.strip, "startswith": str.startswith,
          "endswith": str.endswith, "split": str.split, "join": _str_join, "replace": _str_replace},
    list: {"count": list.count, "index": list.index},
}
_METHOD_NAMES = frozenset(name for methods in _METHODS.values() for name in methods)

_BIN_OPS: Mapping[type[ast.AST], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_UNARY_OPS: Mapping[type[ast.AST], Callable[[Any], Any]] = {
    ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos,
}
_COMPARE_OPS: Mapping[type[ast.AST], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_CONVERSIONS: Mapping[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}

# --- static validation ------------------------------------------------------------------------------------

_EXPRESSION_NODES: frozenset[type[ast.AST]] = frozenset({
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.BoolOp, ast.And, ast.Or, ast.BinOp,
    ast.UnaryOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.List, ast.Tuple, ast.Dict,
    ast.JoinedStr, ast.FormattedValue, ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.Call, *_BIN_OPS, *_UNARY_OPS, *_COMPARE_OPS,
})
_SCRIPT_NODES = _EXPRESSION_NODES | {ast.Module, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.If, ast.Expr,
                                     ast.Pass}

_CONSTRUCT_NAMES: Mapping[type[ast.AST], tuple[str, str]] = {
    ast.Import: ("import statement", "import 语句"), ast.ImportFrom: ("import statement", "import 语句"),
    ast.For: ("'for' loop", "for 循环"), ast.While: ("'while' loop", "while 循环"),
    ast.FunctionDef: ("function definition", "函数定义"), ast.Lambda: ("lambda expression", "lambda 表达式"),
    ast.ClassDef: ("class definition", "类定义"),
    ast.NamedExpr: ("assignment expression (:=)", "赋值表达式（:=）"),
    ast.Set: ("set literal", "集合字面量"), ast.SetComp: ("set comprehension", "集合推导式"),
    ast.Starred: ("star unpacking (*)", "星号解包（*）"), ast.Try: ("'try' statement", "try 语句"),
    ast.With: ("'with' statement", "with 语句"), ast.Raise: ("'raise' statement", "raise 语句"),
    ast.Delete: ("'del' statement", "del 语句"), ast.Return: ("'return' statement", "return 语句"),
    ast.Global: ("'global' statement", "global 语句"),
    ast.Nonlocal: ("'nonlocal' statement", "nonlocal 语句"),
    ast.Yield: ("'yield'", "yield"), ast.Await: ("'await'", "await"),
    **{op: (f"operator '{sym}'", f"运算符 {sym}") for op, sym in (
        (ast.BitOr, "|"), (ast.BitAnd, "&"), (ast.BitXor, "^"), (ast.LShift, "<<"), (ast.RShift, ">>"),
        (ast.Invert, "~"), (ast.MatMult, "@"))},
}


class _Validator(ast.NodeVisitor):
    """Refuses, with a position, the first node that is not allow-listed. Never evaluates anything."""

    def __init__(self, allowed: frozenset[type[ast.AST]], functions: frozenset[str]) -> None:
        self._allowed = allowed
        self._functions = functions
        self._positions: list[ast.AST] = []  # innermost located node: operators and contexts have no position

    def visit(self, node: ast.AST) -> None:
        located = hasattr(node, "lineno")
        if located:
            self._positions.append(node)
        super().visit(node)
        if located:
            self._positions.pop()

    def _refuse(self, message: str, message_zh: str, node: ast.AST | None = None) -> UnsafeExpressionError:
        where = node if node is not None else (self._positions[-1] if self._positions else None)
        return UnsafeExpressionError(message, message_zh, getattr(where, "lineno", None),
                                     getattr(where, "col_offset", None))

    def _check_identifier(self, name: str, node: ast.AST | None = None) -> None:
        if name.startswith("_"):  # dunders are the doorway to the object model (__class__, __globals__...)
            raise self._refuse(f"name '{name}' is not allowed: names starting with '_' are reserved",
                               f"不允许使用名称 {name}：以下划线开头的名称被保留", node)

    def generic_visit(self, node: ast.AST) -> None:
        if type(node) not in self._allowed:
            name = type(node).__name__
            en, zh = _CONSTRUCT_NAMES.get(type(node), (f"syntax element '{name}'", f"语法元素 {name}"))
            raise self._refuse(f"{en} is not allowed", f"不允许使用{zh}")
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self._check_identifier(node.id)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, (str, int, float, type(None))):  # bytes, complex, Ellipsis
            kind = type(node.value).__name__
            raise self._refuse(f"constants of type {kind} are not allowed", f"不允许使用 {kind} 类型的常量")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # Reached only when the attribute is not the callee of an allow-listed method call.
        self._check_identifier(node.attr)
        methods = ", ".join(sorted(_METHOD_NAMES))
        raise self._refuse(f"attribute '.{node.attr}' is not allowed; only these methods may be called: "
                           f"{methods}", f"不允许访问属性 .{node.attr}；只允许调用以下方法：{methods}")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self._check_identifier(func.id)
            if func.id not in self._functions:
                raise self._refuse(f"function '{func.id}' is not in the allow-list",
                                   f"函数 {func.id} 不在允许列表中")
        elif isinstance(func, ast.Attribute):
            self._check_identifier(func.attr)
            if func.attr not in _METHOD_NAMES:
                raise self._refuse(f"method '{func.attr}' is not in the allow-list",
                                   f"方法 {func.attr} 不在允许列表中")
            self.visit(func.value)
        else:
            self.visit(func)  # gives the precise reason for e.g. (lambda: 1)()
            raise self._refuse("only allow-listed functions and methods may be called",
                               "只能调用允许列表中的函数和方法")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise self._refuse("argument unpacking (* and **) is not allowed", "不允许使用参数解包（*、**）")
        for arg in node.args:
            self.visit(arg)
        for keyword in node.keywords:
            self._check_identifier(cast(str, keyword.arg), keyword)
            self.visit(keyword.value)

    def visit_Dict(self, node: ast.Dict) -> None:
        if any(key is None for key in node.keys):
            raise self._refuse("dict unpacking (**) is not allowed", "不允许使用字典解包（**）")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        def check_target(target: ast.expr) -> None:
            if isinstance(target, (ast.Tuple, ast.List)):
                for element in target.elts:
                    check_target(element)
            elif isinstance(target, ast.Name):
                self._check_identifier(target.id, target)
            else:
                raise self._refuse("comprehension variables must be plain names", "推导式变量必须是简单名称",
                                   target)

        if node.is_async:
            raise self._refuse("async comprehensions are not allowed", "不允许使用异步推导式", node.target)
        check_target(node.target)
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(part, ast.Constant) for part in parts):
                raise self._refuse("format specifications must be constant", "格式说明必须是常量")
            # A width such as {x:>999999999} would allocate a huge string before any limit could apply.
            if re.search(r"\d{4,}", "".join(str(cast(ast.Constant, part).value) for part in parts)):
                raise self._refuse("format width or precision is too large", "格式宽度或精度过大")
        self.visit(node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is None:
            raise self._refuse("an annotation without a value is not allowed", "不允许只有注解而没有值的声明")
        self.generic_visit(node)


def _measure(tree: ast.AST) -> tuple[int, int]:
    """Node count and depth, computed iteratively so that absurd nesting cannot crash the check itself."""
    count, deepest = 0, 0
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        count, deepest = count + 1, max(deepest, depth)
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return count, deepest


@functools.lru_cache(maxsize=1024)
def _checked_tree(source: str, mode: Literal["eval", "exec"], extra_functions: frozenset[str]) -> ast.AST:
    """Parse and validate once per (source, mode, extra function names); the tree is never mutated."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise UnsafeExpressionError(
            f"source is too long ({len(source)} characters, limit {MAX_SOURCE_LENGTH})",
            f"源码过长（{len(source)} 个字符，上限 {MAX_SOURCE_LENGTH}）",
        )
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        col = exc.offset - 1 if exc.offset else None
        raise UnsafeExpressionError(f"syntax error: {exc.msg}", f"语法错误：{exc.msg}", exc.lineno,
                                    col) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, nesting beyond the parser's stack
        raise UnsafeExpressionError(f"source cannot be parsed: {exc}", f"源码无法解析：{exc}") from None
    count, depth = _measure(tree)
    if count > MAX_NODES:
        raise UnsafeExpressionError(f"source is too complex ({count} syntax nodes, limit {MAX_NODES})",
                                    f"源码过于复杂（{count} 个语法节点，上限 {MAX_NODES}）")
    if depth > MAX_DEPTH:
        raise UnsafeExpressionError(f"source is nested too deeply (limit {MAX_DEPTH} levels)",
                                    f"源码嵌套过深（上限 {MAX_DEPTH} 层）")
    allowed = _SCRIPT_NODES if mode == "exec" else _EXPRESSION_NODES
    _Validator(allowed, frozenset(DEFAULT_FUNCTIONS) | extra_functions).visit(tree)
    return tree


# --- public API -------------------------------------------------------------------------------------------


def validate_expression(source: str, extra_functions: Iterable[str] = ()) -> None:
    """Raise UnsafeExpressionError unless `source` is an allowed expression. Evaluates nothing."""
    _checked_tree(source.strip(), "eval", frozenset(extra_functions))


def validate_script(source: str, extra_functions: Iterable[str] = ()) -> None:
    """Raise UnsafeExpressionError unless `source` is an allowed script. Runs nothing."""
    _checked_tree(source, "exec", frozenset(extra_functions))
