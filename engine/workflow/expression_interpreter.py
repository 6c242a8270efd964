"""The interpreter of the safe expression evaluator: evaluate gateway conditions, execute script tasks.

A small tree-walking interpreter runs trees that ``expression_rules`` has parsed and validated, with per-run
budgets on operations, iterations and allocated data, and turns Python's own exceptions into bilingual
ExpressionEvaluationErrors that carry the failing line. Nothing is ever handed to Python's eval/exec.
"""

from __future__ import annotations

import ast
import functools
import time
import types
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, cast

from engine.workflow.expression_errors import (
    EvaluationBudgetExceeded,
    ExpressionEvaluationError,
    translated_errors,
)
from engine.workflow.expression_rules import (
    _BIN_OPS,
    _COMPARE_OPS,
    _CONVERSIONS,
    _METHODS,
    _UNARY_OPS,
    DEFAULT_FUNCTIONS,
    MAX_ALLOCATION,
    MAX_COST,
    MAX_INT,
    MAX_ITERATIONS,
    MAX_OPERATIONS,
    MAX_SECONDS,
    _check_length,
    _check_number,
    _checked_tree,
)
from engine.workflow.task_values import storable

Scope = dict[str, Any]  # comprehension variables visible to an expression


# --- interpretation ---------------------------------------------------------------------------------------

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


def _over_budget(what_en: str, what_zh: str, limit: float) -> EvaluationBudgetExceeded:
    return EvaluationBudgetExceeded(f"{what_en} (limit {limit})", f"{what_zh}（上限 {limit}）")


_SIZED = (str, list, tuple, dict)
_SIZED_TYPES = frozenset(_SIZED)  # exact types, for the hot paths: values built here are never subclasses
_SEARCHES = frozenset({ast.In, ast.NotIn})
_CHECK_EVERY = 1024  # node evaluations between two looks at the clock: the clock costs more than a step
# Calls that take the same time whatever the size of their arguments: they are not charged for it.
_CONSTANT_TIME: frozenset[Any] = frozenset({len, bool, dict.get})


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


class _Interpreter:
    """Evaluates validated trees; one instance per run, so the budgets below are per evaluation.

    Four budgets bound a run: node evaluations (``MAX_OPERATIONS``), comprehension steps (``MAX_ITERATIONS``),
    data built (``MAX_ALLOCATION``) and the cost of what built-in calls and operators walk in C
    (``MAX_COST``: the sizes of their sequence arguments and results, charged *before* the call where the
    size is known). The clock is the second guard: it is read every ``_CHECK_EVERY`` steps, never per node.
    """

    def __init__(self, data: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]],
                 seconds: float = MAX_SECONDS) -> None:
        self._data = data
        self._functions = functions
        self._operations = 0
        self._iterations = 0
        self._allocated = 0
        self._cost = 0
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds
        self._next_check = _CHECK_EVERY

    def _spend(self, units: int) -> None:
        """Charge ``units`` of work (items or characters walked) against the cost budget."""
        self._cost += units
        if self._cost > MAX_COST:
            raise _over_budget("evaluation walks too much data", "计算遍历的数据过多", MAX_COST)

    def _checkpoint(self) -> None:
        if self._operations > MAX_OPERATIONS:
            raise _over_budget("evaluation takes too many steps", "计算步骤过多", MAX_OPERATIONS)
        if time.monotonic() > self._deadline:
            raise _over_budget("evaluation takes too long (seconds)", "计算耗时过长（秒）", self._seconds)
        self._next_check = min(self._operations + _CHECK_EVERY, MAX_OPERATIONS + 1)

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
        if self._operations >= self._next_check:
            self._checkpoint()
        return _EVALUATORS[type(node)](self, node, scope)

    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            with translated_errors(statement.lineno):
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
                    self._spend(len(sequence) * max(times, 0))
        elif isinstance(op, ast.Add) and isinstance(left, sequences) and isinstance(right, sequences):
            _check_length(len(left) + len(right))
            self._spend(len(left) + len(right))
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
            if type(op) in _SEARCHES:  # a search walks the container (and a text needle)
                self._spend(_size(right) + (len(left) if isinstance(left, str) else 0))
            elif type(left) in _SIZED_TYPES and type(right) in _SIZED_TYPES:  # an element-wise comparison
                self._cost += min(len(left), len(right))  # inline: comparisons are the hot path of conditions
                if self._cost > MAX_COST:
                    self._spend(0)
            if not _COMPARE_OPS[type(op)](left, right):
                return False
            left = right
        return True

    def _if_exp(self, node: ast.IfExp, scope: Scope) -> Any:
        return self.eval(node.body if self.eval(node.test, scope) else node.orelse, scope)

    def _subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        value, key = self.eval(node.value, scope), self.eval(node.slice, scope)
        if isinstance(key, slice):  # a slice copies: charge what it would copy before it does
            self._spend(len(range(*key.indices(len(value)))) if isinstance(value, _SIZED) else 0)
        return value[key]

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
        self._spend(len(text))
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
        # max(), sum(), sorted(), str.split()... walk their sequence arguments and receiver in C: charge
        # their sizes before the call, and the size of what it built after.
        target, receiver = (func.func, func.args[0]) if type(func) is functools.partial else (func, None)
        if target not in _CONSTANT_TIME:
            units = _size(receiver)
            for value in (*args, *kwargs.values()):
                if type(value) in _SIZED_TYPES:
                    units += len(value)
            if units:
                self._spend(units)
        result = _check_number(func(*args, **kwargs))
        if type(result) in _SIZED_TYPES:
            self._spend(len(result))
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
            cast(MutableMapping[str, Any], self._data)[target.id] = storable(value, target.id, self._spend)
        elif isinstance(target, ast.Subscript):
            self._set_item(self.eval(target.value, {}), self.eval(target.slice, {}), value, _target_name(target))
        else:
            elements = cast(ast.Tuple, target).elts
            for element, item in zip(elements, _unpack(value, len(elements)), strict=True):
                self._store(element, item)

    def _set_item(self, container: Any, key: Any, value: Any, where: str) -> None:
        if not isinstance(container, (dict, list)):  # never call __setitem__ of arbitrary objects
            kind = type(container).__name__
            raise ExpressionEvaluationError(f"cannot assign items of a value of type {kind}",
                                            f"不能对 {kind} 类型的值进行下标赋值")
        if isinstance(container, dict):  # the key lands in task data as well
            storable({key: None}, where, self._spend)
        container[key] = self._charge(storable(value, where, self._spend))

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
            self._set_item(container, key, value, _target_name(target))
        else:
            name = cast(ast.Name, target).id
            value = self._arithmetic(node.op, self._lookup(name, {}), self.eval(node.value, {}))
            cast(MutableMapping[str, Any], self._data)[name] = storable(value, name, self._spend)

    def _if(self, node: ast.If) -> None:
        self.run(node.body if self.eval(node.test, {}) else node.orelse)

    def _expr(self, node: ast.Expr) -> None:
        _materialize(self.eval(node.value, {}))

    def _pass(self, node: ast.Pass) -> None:
        pass


def _target_name(target: ast.expr) -> str:
    """The variable an item assignment changes (``results`` in ``results['a'][0] = 1``), for messages."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else "?"


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


Functions = Mapping[str, Callable[..., Any]]


def evaluate(source: str, data: Mapping[str, Any], functions: Functions | None = None, *,
             seconds: float = MAX_SECONDS) -> Any:
    """Evaluate a gateway condition or other expression against `data`, which is never modified.

    Raises ExpressionEvaluationError when it fails; EvaluationBudgetExceeded, a subclass, when it would cost
    more than a run's budgets or take longer than ``seconds``."""
    functions = functions or {}
    # Surrounding whitespace (common in BPMN XML) cannot change an expression's meaning but breaks ast.parse.
    tree = cast(ast.Expression, _checked_tree(source.strip(), "eval", frozenset(functions)))
    with translated_errors(None):
        return _materialize(_Interpreter(data, {**DEFAULT_FUNCTIONS, **functions}, seconds).eval(tree.body, {}))


def execute(source: str, data: dict[str, Any], functions: Functions | None = None, *,
            seconds: float = MAX_SECONDS) -> None:
    """Run a script-task script; assignments go into `data` (partially so if a later statement fails).

    Only values the workflow state can store are assigned (``task_values``): tuples become lists, anything
    else unstorable raises UnstorableValueError. Budgets and ``seconds`` as for ``evaluate``."""
    functions = functions or {}
    tree = cast(ast.Module, _checked_tree(source, "exec", frozenset(functions)))
    _Interpreter(data, {**DEFAULT_FUNCTIONS, **functions}, seconds).run(tree.body)
