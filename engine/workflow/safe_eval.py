"""Safe evaluation of BPMN gateway conditions and script-task scripts.

SpiffWorkflow's default script engine hands flow-supplied source to eval/exec, so anyone who can upload a
flow could run ``__import__('os').system(...)``. Here the source is only ever given to ``ast.parse``: a
static validator refuses every construct that is not on an allow-list, and a small tree-walking interpreter
runs what is left, with limits on time and memory. Only the standard library is used.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import operator
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Literal, cast

MAX_SOURCE_LENGTH = 10_000
MAX_NODES = 2_000
MAX_DEPTH = 100  # keeps the recursive validator and interpreter far below Python's recursion limit
MAX_SEQUENCE_LENGTH = 100_000
MAX_ITERATIONS = 100_000  # comprehension steps per run
MAX_OPERATIONS = 1_000_000  # node evaluations per run: bounds CPU time whatever the loop shape
MAX_ALLOCATION = 1_000_000  # items + characters a run may build: bounds memory across many steps
MAX_INT = 10**100

Scope = dict[str, Any]  # comprehension variables visible to an expression


class _BilingualError(ValueError):
    def __init__(self, message: str, message_zh: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.lineno = lineno


class UnsafeExpressionError(_BilingualError):
    """The source uses something the evaluator refuses; found statically, before anything runs.

    ``lineno`` is 1-based and ``col`` 0-based (as in ``ast``); both are also quoted in the messages.
    """

    def __init__(self, message: str, message_zh: str, lineno: int | None = None, col: int | None = None):
        if lineno is not None:
            column_en = "" if col is None else f", column {col + 1}"
            column_zh = "" if col is None else f"，第 {col + 1} 列"
            message += f" (line {lineno}{column_en})"
            message_zh += f"（第 {lineno} 行{column_zh}）"
        super().__init__(message, message_zh, lineno)
        self.col = col


class ExpressionEvaluationError(_BilingualError):
    """Evaluation failed at run time; ``lineno`` names the failing script statement when known."""


def _check_length(length: int) -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise ExpressionEvaluationError(
            f"result would be too long ({length} items, limit {MAX_SEQUENCE_LENGTH})",
            f"结果过长（{length} 项，上限 {MAX_SEQUENCE_LENGTH}）",
        )


def _check_number(value: Any) -> Any:
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise ExpressionEvaluationError("integer result is larger than 10**100", "整数结果超过 10**100")
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


# --- interpretation ---------------------------------------------------------------------------------------

_PYTHON_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError,
                  MemoryError)
_TRANSLATIONS: tuple[tuple[type[BaseException], str, str], ...] = (
    (ZeroDivisionError, "division by zero", "除数为零"),
    (OverflowError, "numeric overflow: {0}", "数值溢出：{0}"),
    (KeyError, "key {0} not found", "键 {0} 不存在"),  # str(KeyError) is already the key's repr
    (IndexError, "index out of range: {0}", "索引超出范围：{0}"),
    (RecursionError, "expression is nested too deeply", "表达式嵌套过深"),
    (TypeError, "type error: {0}", "类型错误：{0}"),
    (ValueError, "invalid value: {0}", "值无效：{0}"),
    (BaseException, "evaluation failed: {0}", "计算失败：{0}"),
)


@contextlib.contextmanager
def _translated_errors(lineno: int | None) -> Iterator[None]:
    """Turn Python's own exceptions into bilingual ExpressionEvaluationErrors that carry the line."""
    try:
        yield
    except ExpressionEvaluationError as err:
        err.lineno = err.lineno if err.lineno is not None else lineno
        raise
    except _PYTHON_ERRORS as exc:
        en, zh = next((en, zh) for kind, en, zh in _TRANSLATIONS if isinstance(exc, kind))
        raise ExpressionEvaluationError(en.format(exc), zh.format(exc), lineno) from exc


def _materialize(value: Any) -> Any:
    # A generator expression must not escape: it would run later, outside the limits and error handling.
    return list(value) if isinstance(value, types.GeneratorType) else value


def _unpack(value: Any, count: int) -> Any:
    if not isinstance(value, (list, tuple)):
        kind = type(value).__name__
        raise ExpressionEvaluationError(f"cannot unpack a value of type {kind}", f"无法解包 {kind} 类型的值")
    if len(value) != count:
        raise ExpressionEvaluationError(f"expected {count} values to unpack, got {len(value)}",
                                        f"解包需要 {count} 个值，实际为 {len(value)} 个")
    return value


def _over_budget(what_en: str, what_zh: str, limit: int) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(f"{what_en} (limit {limit})", f"{what_zh}（上限 {limit}）")


class _Interpreter:
    """Evaluates validated trees; one instance per run, so the budgets below are per evaluation."""

    def __init__(self, data: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> None:
        self._data = data
        self._functions = functions
        self._operations = 0
        self._iterations = 0
        self._allocated = 0

    def _charge(self, value: Any) -> Any:
        """Charge the full nested size of a value this run builds, as if every reference were a copy.

        Repetition, comprehensions and literals can pile references to one big value into a container;
        charging the logical size keeps later comparisons, str() and JSON serialisation of it cheap too.
        """
        pending = [value]
        while pending:
            item = pending.pop()
            self._allocated += max(len(item), 1) if isinstance(item, str) else 1
            if self._allocated > MAX_ALLOCATION:
                raise _over_budget("evaluation builds too much data", "计算产生的数据过多", MAX_ALLOCATION)
            if isinstance(item, (list, tuple)):
                pending.extend(item)
            elif isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
        return value

    def _charge_top_level(self, value: Any) -> Any:
        # Call results only reshape values that already exist, so their top-level size is enough.
        self._allocated += len(value) if isinstance(value, (str, list, tuple, dict)) else 1
        if self._allocated > MAX_ALLOCATION:
            raise _over_budget("evaluation builds too much data", "计算产生的数据过多", MAX_ALLOCATION)
        return value

    def eval(self, node: ast.expr, scope: Scope) -> Any:
        self._operations += 1
        if self._operations > MAX_OPERATIONS:
            raise _over_budget("evaluation takes too many steps", "计算步骤过多", MAX_OPERATIONS)
        return _EVALUATORS[type(node)](self, node, scope)

    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            with _translated_errors(statement.lineno):
                _EXECUTORS[type(statement)](self, statement)

    # expressions

    def _constant(self, node: ast.Constant, scope: Scope) -> Any:
        return node.value

    def _name(self, node: ast.Name, scope: Scope) -> Any:
        return self._lookup(node.id, scope)

    def _lookup(self, name: str, scope: Scope) -> Any:
        for namespace in (scope, self._data, self._functions):
            if name in namespace:
                return namespace[name]
        raise ExpressionEvaluationError(f"name '{name}' is not defined", f"名称 {name} 未定义")

    def _bool_op(self, node: ast.BoolOp, scope: Scope) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for operand in node.values:
            value = self.eval(operand, scope)
            if bool(value) != is_and:  # `and` stops at the first falsy value, `or` at the first truthy one
                return value
        return value

    def _bin_op(self, node: ast.BinOp, scope: Scope) -> Any:
        return self._arithmetic(node.op, self.eval(node.left, scope), self.eval(node.right, scope))

    def _arithmetic(self, op: ast.operator, left: Any, right: Any) -> Any:
        # Refuse oversized results *before* Python spends the time and memory to build them.
        sequences = (str, list, tuple)
        if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 0:
            if (abs(left).bit_length() - 1) * right > MAX_INT.bit_length():  # lower bound of log2(result)
                raise ExpressionEvaluationError("power result would be too large", "幂运算结果过大")
        elif isinstance(op, ast.Mult):
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, sequences) and isinstance(times, int):
                    _check_length(len(sequence) * max(times, 0))
        elif isinstance(op, ast.Add) and isinstance(left, sequences) and isinstance(right, sequences):
            _check_length(len(left) + len(right))
        elif isinstance(op, ast.Mod) and isinstance(left, str):  # printf-style formatting has no size limit
            raise ExpressionEvaluationError("the % operator is not supported for strings; use an f-string",
                                            "字符串不支持 % 运算，请使用 f-string")
        return self._charge(_check_number(_BIN_OPS[type(op)](left, right)))

    def _unary_op(self, node: ast.UnaryOp, scope: Scope) -> Any:
        return _check_number(_UNARY_OPS[type(node.op)](self.eval(node.operand, scope)))

    def _compare(self, node: ast.Compare, scope: Scope) -> bool:
        left = self.eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator, scope)
            if not _COMPARE_OPS[type(op)](left, right):
                return False
            left = right
        return True

    def _if_exp(self, node: ast.IfExp, scope: Scope) -> Any:
        return self.eval(node.body if self.eval(node.test, scope) else node.orelse, scope)

    def _subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        return self.eval(node.value, scope)[self.eval(node.slice, scope)]

    def _slice(self, node: ast.Slice, scope: Scope) -> slice:
        bounds = (node.lower, node.upper, node.step)
        return slice(*(None if bound is None else self.eval(bound, scope) for bound in bounds))

    def _list(self, node: ast.List, scope: Scope) -> list[Any]:
        return cast(list[Any], self._charge([self.eval(element, scope) for element in node.elts]))

    def _tuple(self, node: ast.Tuple, scope: Scope) -> tuple[Any, ...]:
        return cast(tuple[Any, ...], self._charge(tuple(self.eval(element, scope) for element in node.elts)))

    def _dict(self, node: ast.Dict, scope: Scope) -> dict[Any, Any]:
        keys = cast(list[ast.expr], node.keys)  # `None` keys (** unpacking) never pass validation
        return cast(dict[Any, Any], self._charge({self.eval(k, scope): self.eval(v, scope)
                                                  for k, v in zip(keys, node.values, strict=True)}))

    def _joined_str(self, node: ast.JoinedStr, scope: Scope) -> str:
        text = "".join(str(self.eval(part, scope)) for part in node.values)
        _check_length(len(text))  # an f-string is a concatenation too
        return cast(str, self._charge(text))

    def _formatted_value(self, node: ast.FormattedValue, scope: Scope) -> str:
        value = self.eval(node.value, scope)
        if node.conversion in _CONVERSIONS:
            value = _CONVERSIONS[node.conversion](value)
        return format(value, "" if node.format_spec is None else self.eval(node.format_spec, scope))

    def _scopes(self, generators: list[ast.comprehension], scope: Scope) -> Iterator[Scope]:
        """Yield one scope per innermost iteration; lazy, so any()/all() still short-circuit."""
        first, rest = generators[0], generators[1:]
        for item in self.eval(first.iter, scope):
            self._iterations += 1
            if self._iterations > MAX_ITERATIONS:
                raise _over_budget("too many loop iterations", "循环迭代次数过多", MAX_ITERATIONS)
            inner = dict(scope)  # comprehension variables never leak into data or the enclosing scope
            self._bind(first.target, item, inner)
            if all(self.eval(condition, inner) for condition in first.ifs):
                yield from (self._scopes(rest, inner) if rest else (inner,))

    def _bind(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        else:
            elements = cast(ast.Tuple, target).elts
            for element, item in zip(elements, _unpack(value, len(elements)), strict=True):
                self._bind(element, item, scope)

    def _list_comp(self, node: ast.ListComp, scope: Scope) -> list[Any]:
        return [self._charge(self.eval(node.elt, inner)) for inner in self._scopes(node.generators, scope)]

    def _dict_comp(self, node: ast.DictComp, scope: Scope) -> dict[Any, Any]:
        return {self._charge(self.eval(node.key, inner)): self._charge(self.eval(node.value, inner))
                for inner in self._scopes(node.generators, scope)}

    def _generator_exp(self, node: ast.GeneratorExp, scope: Scope) -> Iterator[Any]:
        return (self._charge(self.eval(node.elt, inner)) for inner in self._scopes(node.generators, scope))

    def _call(self, node: ast.Call, scope: Scope) -> Any:
        func = self._callee(node.func, scope)
        args = [self.eval(arg, scope) for arg in node.args]
        kwargs = {cast(str, kw.arg): self.eval(kw.value, scope) for kw in node.keywords}
        result = _check_number(func(*args, **kwargs))
        # dict(a=x, b=x, ...) is the one allow-listed call that can pile references into a new container.
        return self._charge(result) if func is dict else self._charge_top_level(result)

    def _callee(self, func: ast.expr, scope: Scope) -> Callable[..., Any]:
        if isinstance(func, ast.Name):
            # Callees come from the function table only, so no data value can ever become callable code.
            if func.id not in self._functions:
                raise ExpressionEvaluationError(f"function '{func.id}' is not in the allow-list",
                                                f"函数 {func.id} 不在允许列表中")
            return self._functions[func.id]
        method = cast(ast.Attribute, func)  # validation admits only names and allow-listed methods
        receiver = self.eval(method.value, scope)
        for kind, methods in _METHODS.items():
            if isinstance(receiver, kind) and method.attr in methods:
                return functools.partial(methods[method.attr], receiver)
        kind_name = type(receiver).__name__
        raise ExpressionEvaluationError(f"method '{method.attr}' is not available on {kind_name}",
                                        f"{kind_name} 类型的值没有可用的方法 {method.attr}")

    # statements (scripts only)

    def _store(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            cast(MutableMapping[str, Any], self._data)[target.id] = value
        elif isinstance(target, ast.Subscript):
            self._set_item(self.eval(target.value, {}), self.eval(target.slice, {}), value)
        else:
            elements = cast(ast.Tuple, target).elts
            for element, item in zip(elements, _unpack(value, len(elements)), strict=True):
                self._store(element, item)

    def _set_item(self, container: Any, key: Any, value: Any) -> None:
        if not isinstance(container, (dict, list)):  # never call __setitem__ of arbitrary objects
            kind = type(container).__name__
            raise ExpressionEvaluationError(f"cannot assign items of a value of type {kind}",
                                            f"不能对 {kind} 类型的值进行下标赋值")
        container[key] = self._charge(value)

    def _assign(self, node: ast.Assign) -> None:
        value = _materialize(self.eval(node.value, {}))
        for target in node.targets:
            self._store(target, value)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._store(node.target, _materialize(self.eval(cast(ast.expr, node.value), {})))

    def _aug_assign(self, node: ast.AugAssign) -> None:
        target = node.target
        if isinstance(target, ast.Subscript):
            container, key = self.eval(target.value, {}), self.eval(target.slice, {})
            value = self._arithmetic(node.op, container[key], self.eval(node.value, {}))
            self._set_item(container, key, value)
        else:
            name = cast(ast.Name, target).id
            value = self._arithmetic(node.op, self._lookup(name, {}), self.eval(node.value, {}))
            cast(MutableMapping[str, Any], self._data)[name] = value

    def _if(self, node: ast.If) -> None:
        self.run(node.body if self.eval(node.test, {}) else node.orelse)

    def _expr(self, node: ast.Expr) -> None:
        _materialize(self.eval(node.value, {}))

    def _pass(self, node: ast.Pass) -> None:
        pass


_EVALUATORS: Mapping[type[ast.AST], Callable[[_Interpreter, Any, Scope], Any]] = {
    ast.Constant: _Interpreter._constant, ast.Name: _Interpreter._name, ast.BoolOp: _Interpreter._bool_op,
    ast.BinOp: _Interpreter._bin_op, ast.UnaryOp: _Interpreter._unary_op, ast.Compare: _Interpreter._compare,
    ast.IfExp: _Interpreter._if_exp, ast.Subscript: _Interpreter._subscript, ast.Slice: _Interpreter._slice,
    ast.List: _Interpreter._list, ast.Tuple: _Interpreter._tuple, ast.Dict: _Interpreter._dict,
    ast.JoinedStr: _Interpreter._joined_str, ast.FormattedValue: _Interpreter._formatted_value,
    ast.ListComp: _Interpreter._list_comp, ast.DictComp: _Interpreter._dict_comp,
    ast.GeneratorExp: _Interpreter._generator_exp, ast.Call: _Interpreter._call,
}
_EXECUTORS: Mapping[type[ast.AST], Callable[[_Interpreter, Any], None]] = {
    ast.Assign: _Interpreter._assign, ast.AnnAssign: _Interpreter._ann_assign,
    ast.AugAssign: _Interpreter._aug_assign, ast.If: _Interpreter._if, ast.Expr: _Interpreter._expr,
    ast.Pass: _Interpreter._pass,
}

# --- public API -------------------------------------------------------------------------------------------


def validate_expression(source: str, extra_functions: Iterable[str] = ()) -> None:
    """Raise UnsafeExpressionError unless `source` is an allowed expression. Evaluates nothing."""
    _checked_tree(source.strip(), "eval", frozenset(extra_functions))


def validate_script(source: str, extra_functions: Iterable[str] = ()) -> None:
    """Raise UnsafeExpressionError unless `source` is an allowed script. Runs nothing."""
    _checked_tree(source, "exec", frozenset(extra_functions))


Functions = Mapping[str, Callable[..., Any]]


def evaluate(source: str, data: Mapping[str, Any], functions: Functions | None = None) -> Any:
    """Evaluate a gateway condition or other expression against `data`, which is never modified."""
    functions = functions or {}
    # Surrounding whitespace (common in BPMN XML) cannot change an expression's meaning but breaks ast.parse.
    tree = cast(ast.Expression, _checked_tree(source.strip(), "eval", frozenset(functions)))
    with _translated_errors(None):
        return _materialize(_Interpreter(data, {**DEFAULT_FUNCTIONS, **functions}).eval(tree.body, {}))


def execute(source: str, data: dict[str, Any], functions: Functions | None = None) -> None:
    """Run a script-task script; assignments go into `data` (partially so if a later statement fails)."""
    functions = functions or {}
    tree = cast(ast.Module, _checked_tree(source, "exec", frozenset(functions)))
    _Interpreter(data, {**DEFAULT_FUNCTIONS, **functions}).run(tree.body)
