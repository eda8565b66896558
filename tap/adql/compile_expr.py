"""Compiling ADQL value expressions into target SQL, with their types.

Each syntax node maps to one method through a dispatch table.  Names are resolved in the current
:class:`~tap.adql.scope.Scope`, types follow :mod:`tap.adql.functions` and database specifics come from the
:class:`~tap.adql.targets.Target`.  Constant numeric sub-expressions are evaluated on the way
(``Value.const``) so that cones given as ``1./60`` or ``-(10 + 2)`` still use the spatial index.  Search
conditions are compiled by :mod:`tap.adql.compile_cond`, queries by :mod:`tap.adql.compile_query`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlglot import exp

from tap.adql import functions as fn
from tap.adql import types as t
from tap.adql.errors import AdqlSemanticError, AdqlUnknownNameError, AdqlUnsupportedError, at
from tap.adql.features import UserFunction
from tap.adql.grouping import mark_aggregate
from tap.adql.scope import NameAllocator, Scope, Value
from tap.adql.syntax import (
    CaseExpr,
    CastExpr,
    ColumnRef,
    Condition,
    FuncCall,
    Literal,
    Operation,
    QueryExpr,
    ScalarSubquery,
    TypeName,
    Unary,
    ValueExpr,
)
from tap.adql.targets import Target, paren
from tap.schema import Catalog, Table

__all__ = ["IN_AGGREGATE", "WHERE", "Clause", "Context", "ExpressionCompiler", "OutputColumn"]

_ARITHMETIC: Final[dict[str, type[exp.Expression]]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
_PRECEDENCE: Final = {"+": 1, "-": 1, "*": 2, "/": 2, "||": 3}
_FOLD: Final[dict[str, Callable[[float, float], float]]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}
_CAST_INPUTS: Final[dict[str, frozenset[str]]] = {
    **dict.fromkeys(("SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE"), frozenset({"number", "string"})),
    **dict.fromkeys(("CHAR", "VARCHAR"), frozenset({"number", "string", "timestamp"})),
    "TIMESTAMP": frozenset({"string", "timestamp"}),
    **dict.fromkeys(("POINT", "CIRCLE", "POLYGON"), frozenset({"string"})),
}


@dataclass(frozen=True, slots=True)
class Clause:
    """Where an expression stands: its name for messages and whether aggregates may appear there."""

    name: str
    aggregates: bool


WHERE = Clause("WHERE", aggregates=False)
IN_AGGREGATE = Clause("an aggregate function", aggregates=False)


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """A result column of a compiled query: ADQL name, SQL alias, type and compiled value."""

    name: str
    sql_name: str
    vtype: t.VType


class Context:
    """Everything one translation shares: catalogue, target, functions, SQL names, tables read, CTEs."""

    def __init__(self, catalog: Catalog, target: Target, udfs: Mapping[str, UserFunction]) -> None:
        self.catalog = catalog
        self.target = target
        self.udfs = udfs
        self.names = NameAllocator()
        self.tables: dict[tuple[str, str], Table] = {}
        #: Common table expressions by key: SQL name and output columns.
        self.ctes: dict[str, tuple[str, list[OutputColumn]]] = {}


class ExpressionCompiler:
    """Value expressions; :class:`tap.adql.compile_cond.ConditionCompiler` adds conditions, then queries."""

    def __init__(self, context: Context) -> None:
        self.ctx = context
        self.target = context.target

    def subquery(self, query: QueryExpr, scope: Scope) -> tuple[exp.Expression, list[OutputColumn]]:
        """A nested query (provided by the query compiler)."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------ values

    def value(self, expr: ValueExpr, scope: Scope, clause: Clause) -> Value:
        handler: Any = _VALUE_HANDLERS[type(expr)]
        result: Value = handler(self, expr, scope, clause)
        return result

    def _literal(self, lit: Literal, scope: Scope, clause: Clause) -> Value:
        if lit.kind == "string":
            return Value(self.target.string(lit.text), t.STRING, text=lit.text)
        if lit.kind == "null":
            return Value(exp.Null(), t.NULL)
        return self._number(
            lit.text.lstrip("-"), negative=lit.text.startswith("-")
        )  # ROUND's places are signed

    def _number(self, digits: str, negative: bool = False) -> Value:
        """An unsigned numeric literal (``negative``: with a minus sign): an integer type, else a double."""
        if digits.isdigit():
            n = int(digits)
            sql = self.target.literal("int", digits)
            vtype = t.INT if n < 2**31 else t.LONG if n < 2**63 else t.DOUBLE
            return Value(
                exp.Neg(this=sql) if negative else sql, vtype, const=-float(n) if negative else float(n)
            )
        mantissa, _, exponent = digits.upper().partition("E")
        mantissa = "0" + mantissa if mantissa.startswith(".") else mantissa
        mantissa = mantissa + "0" if mantissa.endswith(".") else mantissa
        text = mantissa + (f"E{exponent}" if exponent else "")
        const = -float(text) if negative else float(text)
        sql = self.target.literal("float" if exponent else "decimal", text)
        return Value(
            exp.Neg(this=sql) if negative else sql, t.DOUBLE, const=const if math.isfinite(const) else None
        )

    def _as_number(self, value: Value) -> Value:
        """A string literal that reads as a number, as that number (``'30' * 1323`` is valid ADQL).

        Left to the databases, PostgreSQL would refuse ``'2.5' * 2`` (the literal taken as an integer) and SQLite
        would compare ``flux * 2 = '12'`` as text; anything else is returned unchanged.
        """
        parsed = None if value.text is None else fn.number_text(value.text)
        return value if parsed is None else self._number(parsed[1], negative=parsed[0])

    def _column(self, ref: ColumnRef, scope: Scope, clause: Clause) -> Value:
        field = scope.resolve(ref)
        sql = self.target.stored(field) if field.stored else field.raw()
        return Value(sql, field.vtype, field=field)

    def _unary(self, node: Unary, scope: Scope, clause: Clause) -> Value:
        operand = self._as_number(self.value(node.operand, scope, clause))
        fn.require_numeric(operand, f"{at(node.pos)}unary {node.op}")
        if node.op == "+":
            return operand
        const = None if operand.const is None else -operand.const
        vtype = operand.vtype if operand.vtype.kind == "number" else t.DOUBLE
        return Value(
            exp.Neg(this=paren(operand.sql)), vtype.derived(), const=const, aggregate=operand.aggregate
        )

    def _operation(self, node: Operation, scope: Scope, clause: Clause) -> Value:
        """A chain of operators of one precedence (``a + b - c ...``), compiled without recursion.

        Long chains are common in generated queries; the left operand of each step stays unparenthesised so
        that sqlglot, which writes left-deep chains iteratively, can generate them too.
        """
        chain: list[Operation] = []
        leftmost: ValueExpr = node
        while isinstance(leftmost, Operation) and _PRECEDENCE[leftmost.op] == _PRECEDENCE[node.op]:
            chain.append(leftmost)
            leftmost = leftmost.left
        value = self.value(leftmost, scope, clause)
        if node.op != "||":
            value = self._as_number(value)
        left_sql = paren(value.sql)
        for step in reversed(chain):
            value = self._combine(step, value, left_sql, self.value(step.right, scope, clause))
            left_sql = value.sql
        return value

    def _combine(self, node: Operation, left: Value, left_sql: exp.Expression, right: Value) -> Value:
        aggregate = left.aggregate or right.aggregate
        if node.op == "||":
            for side in (left, right):
                if side.vtype.kind == "geometry":
                    raise AdqlSemanticError(f"{at(node.pos)}|| cannot concatenate {fn.describe(side.vtype)}")
            return Value(exp.DPipe(this=left_sql, expression=paren(right.sql)), t.STRING, aggregate=aggregate)
        right = self._as_number(right)
        for side in (left, right):
            fn.require_numeric(side, f"{at(node.pos)}operator {node.op}")
        if node.op == "/":
            sql: exp.Expression = exp.Div(this=left_sql, expression=paren(right.sql), typed=True)
        else:
            sql = _ARITHMETIC[node.op](this=left_sql, expression=paren(right.sql))
        const = None
        if left.const is not None and right.const is not None and not (node.op == "/" and right.const == 0):
            folded = _FOLD[node.op](left.const, right.const)
            const = folded if math.isfinite(folded) else None
        return Value(sql, t.arithmetic(left.vtype, right.vtype), const=const, aggregate=aggregate)

    def _function(self, call: FuncCall, scope: Scope, clause: Clause) -> Value:
        if call.name in ("AVG", "MAX", "MIN", "SUM", "COUNT"):
            return self._aggregate(call, scope, clause)
        if call.udf:
            return self._udf(call, scope, clause)
        args = tuple(self.value(a, scope, clause) for a in call.args)
        if call.name in fn.MATH_FUNCTIONS:
            args = tuple(self._as_number(a) for a in args)
        aggregate = any(a.aggregate for a in args)
        if call.name in ("CONTAINS", "INTERSECTS"):
            vtype = fn.result_type(call, args)
            sql = self.target.spatial_int(call.name, args[0], args[1])
            return Value(sql, vtype, func=call.name, args=args, aggregate=aggregate)
        try:
            vtype = fn.result_type(call, args)
        except KeyError:
            raise AdqlUnsupportedError(call.name, call.pos) from None
        if call.name == "COALESCE":
            args = self._widened(args, vtype)
        elif call.name in fn.MATH_FUNCTIONS:
            # doubles in, as ADQL defines them (SQLite's ceiling(3) and PostgreSQL's abs(3) stay integers);
            # the places of ROUND and TRUNCATE stay an integer
            keep = 1 if call.name in ("ROUND", "TRUNCATE") else len(args)
            args = (*self._widened(args[:keep], t.DOUBLE), *args[keep:])
        const = math.pi if call.name == "PI" else None
        sql = self.target.function(call, args)
        return Value(sql, vtype, const=const, func=call.name, args=args, aggregate=aggregate)

    def _widened(self, values: tuple[Value, ...], vtype: t.VType) -> tuple[Value, ...]:
        """Integer values as doubles when the common type is a float type (see :meth:`Target.double`)."""
        if vtype.kind != "number" or vtype.is_integer:
            return values
        return tuple(replace(v, sql=self.target.double(v.sql)) if v.vtype.is_integer else v for v in values)

    def _aggregate(self, call: FuncCall, scope: Scope, clause: Clause) -> Value:
        if not clause.aggregates:
            raise AdqlSemanticError(f"{at(call.pos)}{call.name} is not allowed in {clause.name}")
        arg = None if call.star else self.value(call.args[0], scope, IN_AGGREGATE)
        if arg is not None and call.name in ("SUM", "AVG"):
            arg = self._as_number(arg)
        vtype = fn.result_type(call, () if arg is None else (arg,))
        return Value(mark_aggregate(self.target.aggregate(call, arg)), vtype, aggregate=True)

    def _udf(self, call: FuncCall, scope: Scope, clause: Clause) -> Value:
        udf = self.ctx.udfs.get(call.name)
        if udf is None:
            raise AdqlUnknownNameError(f"{at(call.pos)}unknown function {call.name}")
        if len(call.args) != len(udf.params):
            raise AdqlSemanticError(
                f"{at(call.pos)}{udf.name} takes {len(udf.params)} arguments, not {len(call.args)} ({udf.signature})"
            )
        args = tuple(
            self._udf_argument(udf, udf.params[i], self.value(a, scope, clause), a.pos)
            for i, a in enumerate(call.args)
        )
        return Value(
            self.target.udf(udf.name, args),
            t.adql_type(udf.returns),
            aggregate=any(a.aggregate for a in args),
        )

    def _udf_argument(
        self, udf: UserFunction, param: tuple[str, str], value: Value, position: tuple[int, int]
    ) -> Value:
        """An argument of a user function, checked against the type its signature declares; numbers passed
        as strings are cast to text, so that the database finds the function's signature."""
        name, declared = param
        expected = t.adql_type(declared)
        if not fn.fits(value, expected):
            raise AdqlSemanticError(
                f"{at(position)}{udf.name}: argument {name} is {declared}, not {fn.shown(value)} ({udf.signature})"
            )
        if expected.kind == "string" and value.vtype.kind == "number":
            return Value(self.target.cast(value, TypeName("VARCHAR", None, position)), t.STRING)
        return self._as_number(value) if expected.kind == "number" else value

    def _cast(self, node: CastExpr, scope: Scope, clause: Clause) -> Value:
        operand = self.value(node.operand, scope, clause)
        name = node.target.name
        vtype = t.adql_type(name, node.target.length)
        kind = operand.vtype.kind
        if kind == "geometry" and operand.vtype.shape == name.lower():
            # a REGION column cast to POLYGON is a POLYGON: DALI text, not STC-S
            return replace(operand, vtype=operand.vtype.derived()) if operand.vtype.stcs_output else operand
        if kind not in _CAST_INPUTS[name] and kind != "null":
            raise AdqlSemanticError(f"{at(node.pos)}cannot CAST {fn.describe(operand.vtype)} to {name}")
        if name == "TIMESTAMP" and operand.text is not None:
            try:
                t.dali_timestamp(operand.text)
            except ValueError as exc:
                raise AdqlSemanticError(f"{at(node.pos)}CAST to TIMESTAMP: {exc}") from None
        return Value(self.target.cast(operand, node.target), vtype, aggregate=operand.aggregate)

    def _case(self, node: CaseExpr, scope: Scope, clause: Clause) -> Value:
        operand = None if node.operand is None else self.value(node.operand, scope, clause)
        tests: list[exp.Expression] = []
        results: list[Value] = []
        for test, result in node.whens:
            if operand is None:
                tests.append(self.condition(test, scope, clause))  # type: ignore[arg-type]
            else:
                tests.append(self.value(test, scope, clause).sql)  # type: ignore[arg-type]
            results.append(self.value(result, scope, clause))
        if node.default is not None:
            results.append(self.value(node.default, scope, clause))
        vtype = fn.common_type(results, "CASE", node.pos)
        results = list(self._widened(tuple(results), vtype))
        ifs = [exp.If(this=test, true=value.sql) for test, value in zip(tests, results, strict=False)]
        default = results[-1].sql if node.default is not None else None
        sql = exp.Case(this=None if operand is None else operand.sql, ifs=ifs, default=default)
        return Value(sql, vtype.derived(), aggregate=any(v.aggregate for v in results))

    def _scalar_subquery(self, node: ScalarSubquery, scope: Scope, clause: Clause) -> Value:
        sql, columns = self.subquery(node.query, scope)
        if len(columns) != 1:
            raise AdqlSemanticError(f"{at(node.pos)}a subquery used as a value must return one column")
        return Value(self.target.scalar_subquery(sql, columns[0].sql_name, self.ctx.names), columns[0].vtype)

    def condition(self, cond: Condition, scope: Scope, clause: Clause) -> exp.Expression:
        """A search condition (provided by :class:`tap.adql.compile_cond.ConditionCompiler`)."""
        raise NotImplementedError


_VALUE_HANDLERS: Final[dict[type, Callable[..., Value]]] = {
    Literal: ExpressionCompiler._literal,
    ColumnRef: ExpressionCompiler._column,
    Unary: ExpressionCompiler._unary,
    Operation: ExpressionCompiler._operation,
    FuncCall: ExpressionCompiler._function,
    CastExpr: ExpressionCompiler._cast,
    CaseExpr: ExpressionCompiler._case,
    ScalarSubquery: ExpressionCompiler._scalar_subquery,
}
