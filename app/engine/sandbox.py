"""Gateway conditions and script tasks run here, on an allow-list.

A diagram is data written by designers, so its expressions are untrusted: they are
checked against an allow-list of syntax before deployment and again before they
run, and they see no builtins beyond a few pure functions.
"""

import ast
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

SAFE_FUNCTIONS: Mapping[str, Any] = {
    "abs": abs,
    "all": all,
    "any": any,
    "bool": bool,
    "dict": dict,
    "float": float,
    "int": int,
    "len": len,
    "list": list,
    "max": max,
    "min": min,
    "round": round,
    "sorted": sorted,
    "str": str,
    "sum": sum,
}
SAFE_METHODS = frozenset(
    {"get", "keys", "values", "items", "lower", "upper", "strip", "startswith", "endswith", "split", "append"}
)
_ALLOWED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.Pass,
    ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Call, ast.keyword, ast.Name, ast.Load, ast.Store, ast.Constant, ast.Attribute,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript, ast.Slice,
)  # fmt: skip
MAX_INT_CONSTANT = 10**9
MAX_SOURCE_CHARS = 4000


class UnsafeExpression(ValueError):
    """An expression or script uses something outside the allow-list."""


def check_source(source: str, *, mode: str) -> None:
    """Raise UnsafeExpression naming the first forbidden construct, else return."""
    if len(source) > MAX_SOURCE_CHARS:
        raise UnsafeExpression(f"longer than {MAX_SOURCE_CHARS} characters")
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as err:
        raise UnsafeExpression(f"syntax error: {err.msg} (line {err.lineno})") from err
    for node in ast.walk(tree):
        _check_node(node)


def _check_node(node: ast.AST) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        raise UnsafeExpression(f"'{type(node).__name__}' is not allowed")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise UnsafeExpression(f"the name '{node.id}' is not allowed")
    if isinstance(node, ast.Attribute) and node.attr not in SAFE_METHODS:
        raise UnsafeExpression(f"the attribute '.{node.attr}' is not allowed")
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id not in SAFE_FUNCTIONS:
            raise UnsafeExpression(f"calling '{func.id}' is not allowed")
        if not isinstance(func, (ast.Name, ast.Attribute)):
            raise UnsafeExpression("only named functions may be called")
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) > MAX_INT_CONSTANT:
        raise UnsafeExpression(f"the number {node.value} is too large")


MAX_SEQUENCE = 100_000  # what `"ab" * n` or `[x] * n` may build


def _multiply(left: Any, right: Any) -> Any:
    """`*`, refusing to build a huge string or list: with no loops allowed, this bounds a script's work."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) and len(sequence) * times > MAX_SEQUENCE:
            raise ValueError(f"result longer than {MAX_SEQUENCE}")
    return left * right


class _GuardMultiplication(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mult):
            call = ast.Call(func=ast.Name("__multiply__", ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.copy_location(call, node)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mult) and isinstance(node.target, ast.Name):
            value = ast.Call(func=ast.Name("__multiply__", ast.Load()),
                             args=[ast.Name(node.target.id, ast.Load()), node.value], keywords=[])  # fmt: skip
            return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)
        return node


@lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> Any:
    check_source(source, mode=mode)
    tree = ast.fix_missing_locations(_GuardMultiplication().visit(ast.parse(source, mode=mode)))
    return compile(tree, "<diagram>", mode)


class _Scope(dict[str, Any]):
    """Case data as seen by an expression: a field no form has set yet reads as None,
    so `fixed_on_spot == True` works before (or without) anyone answering it."""

    def __missing__(self, name: str) -> Any:
        return _NO_BUILTINS.get(name) if name == "__multiply__" else None


# The only global: the guarded `*` (a name no diagram can write, since names starting with _ are refused).
_NO_BUILTINS: dict[str, Any] = {"__builtins__": {}, "__multiply__": _multiply}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates task-data expressions with the allow-list and no builtins."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        scope = _Scope({**SAFE_FUNCTIONS, **context})
        return eval(_compiled(expression.strip(), "eval"), _NO_BUILTINS, scope)  # noqa: S307 - allow-listed

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        scope = _Scope({**SAFE_FUNCTIONS, **context})
        exec(_compiled(script, "exec"), _NO_BUILTINS, scope)  # noqa: S102 - allow-listed
        for name, value in scope.items():
            if name not in SAFE_FUNCTIONS or SAFE_FUNCTIONS[name] is not value:
                context[name] = value
        return True


SCRIPT_ENGINE = PythonScriptEngine(environment=SandboxEnvironment())
