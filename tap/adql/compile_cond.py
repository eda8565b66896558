"""Compiling ADQL search conditions into target SQL: comparisons, BETWEEN, IN, LIKE, IS NULL, EXISTS, logic.

Comparisons that express cones or geometric predicates are handed to :mod:`tap.adql.geometry`, so that the
targets can use their spatial indexes.  Operands are checked before any database sees them: a string is never
compared with a number and LIKE works on strings only (:mod:`tap.adql.functions`), and the constants standing
for booleans or numbers (``flag = 'true'``, ``flux > '12'``) become them, so both engines read them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlglot import exp

from tap.adql import functions as fn
from tap.adql import geometry
from tap.adql import types as t
from tap.adql.compile_expr import Clause, ExpressionCompiler
from tap.adql.errors import AdqlSemanticError, at
from tap.adql.scope import Scope, Value
from tap.adql.syntax import (
    Between,
    BoolOp,
    Comparison,
    Condition,
    Exists,
    InList,
    InQuery,
    IsNull,
    Like,
    Not,
)
from tap.adql.targets import paren

__all__ = ["ConditionCompiler"]

_COMPARISONS: Final[dict[str, type[exp.Expression]]] = {
    "=": exp.EQ, "!=": exp.NEQ, "<>": exp.NEQ, "<": exp.LT, ">": exp.GT, "<=": exp.LTE, ">=": exp.GTE,
}  # fmt: skip
#: What a boolean value may be compared with, ADQL having no boolean literals: VOTable's spellings of booleans,
#: as strings (case-insensitive) and as the numbers 0 and 1.
_BOOLEAN_TEXTS: Final = {"true": True, "t": True, "1": True, "false": False, "f": False, "0": False}


class ConditionCompiler(ExpressionCompiler):
    """Search conditions; :class:`tap.adql.compile_query.QueryCompiler` adds queries."""

    def condition(self, cond: Condition, scope: Scope, clause: Clause) -> exp.Expression:
        handler: Any = _CONDITION_HANDLERS[type(cond)]
        result: exp.Expression = handler(self, cond, scope, clause)
        return result

    def _comparison(self, node: Comparison, scope: Scope, clause: Clause) -> exp.Expression:
        left = self.value(node.left, scope, clause)
        right = self.value(node.right, scope, clause)
        match = geometry.match_comparison(node.op, left, right)
        if isinstance(match, geometry.Cone):
            return self.target.cone(match)
        if isinstance(match, geometry.Predicate):
            return self.target.spatial_predicate(match.func, match.a, match.b, match.truth)
        left, right = self._compared([left, right], node.pos)
        return _COMPARISONS[node.op](this=paren(left.sql), expression=paren(right.sql))

    def _between(self, node: Between, scope: Scope, clause: Clause) -> exp.Expression:
        values = [self.value(v, scope, clause) for v in (node.operand, node.low, node.high)]
        operand, low, high = self._compared(values, node.pos)
        sql = exp.Between(this=paren(operand.sql), low=paren(low.sql), high=paren(high.sql))
        return exp.Not(this=exp.Paren(this=sql)) if node.negated else sql

    def _in_list(self, node: InList, scope: Scope, clause: Clause) -> exp.Expression:
        values = [self.value(v, scope, clause) for v in (node.operand, *node.items)]
        operand, *items = self._compared(values, node.pos)
        sql = exp.In(this=paren(operand.sql), expressions=[item.sql for item in items])
        return exp.Not(this=exp.Paren(this=sql)) if node.negated else sql

    def _compared(self, values: list[Value], position: tuple[int, int]) -> list[Value]:
        """The operands of a comparison, BETWEEN or IN, checked (:func:`fn.check_comparable`) and with the
        constants standing for booleans or numbers converted to them."""
        values = self._booleans(values, position)
        fn.check_comparable(values, position)
        if any(v.vtype.kind == "number" for v in values):
            return [self._as_number(v) for v in values]
        return values

    def _booleans(self, values: list[Value], position: tuple[int, int]) -> list[Value]:
        """The operands of a comparison, with constants compared to a boolean turned into booleans.

        ADQL has no boolean literals, so clients compare boolean columns with 1, 0, 'true' or 'false'.  Left
        alone, ``flag = 1`` fails on PostgreSQL (no ``boolean = integer``) and ``flag = 'true'`` matches nothing
        on SQLite (which stores 0/1); as the target's own boolean constant both engines agree.

        Raises:
            AdqlSemanticError: a boolean compared with anything else (another number, string or expression).
        """
        boolean = next((v for v in values if v.vtype.kind == "boolean"), None)
        if boolean is None:
            return values
        return [self._boolean_constant(v, boolean, position) for v in values]

    def _boolean_constant(self, value: Value, boolean: Value, position: tuple[int, int]) -> Value:
        if value.vtype.kind in ("boolean", "null"):
            return value
        truth: bool | None = None
        if value.text is not None:
            truth = _BOOLEAN_TEXTS.get(value.text.strip().lower())
            shown = "'" + value.text.replace("'", "''") + "'"
        elif value.const is not None and value.vtype.kind == "number" and not value.args:
            truth = {0.0: False, 1.0: True}.get(value.const)
            shown = f"{value.const:g}"
        else:
            shown = fn.describe(value.vtype)
        if truth is None:
            name = "a boolean value" if boolean.field is None else f"the boolean column {boolean.field.name}"
            raise AdqlSemanticError(
                f"{at(position)}{name} can only be compared with 1, 0, 'true' or 'false' (or another boolean), "
                f"not with {shown}"
            )
        return Value(self.target.boolean(truth), t.BOOLEAN)

    def _in_query(self, node: InQuery, scope: Scope, clause: Clause) -> exp.Expression:
        operand = self.value(node.operand, scope, clause)
        sql, columns = self.subquery(node.query, scope)
        if len(columns) != 1:
            raise AdqlSemanticError(f"{at(node.pos)}the subquery of IN must return one column")
        result = exp.In(this=paren(operand.sql), query=exp.Subquery(this=sql))
        return exp.Not(this=exp.Paren(this=result)) if node.negated else result

    def _like(self, node: Like, scope: Scope, clause: Clause) -> exp.Expression:
        operand = self.value(node.operand, scope, clause)
        pattern = self.value(node.pattern, scope, clause)
        for side in (operand, pattern):
            fn.require_string(side, "ILIKE" if node.case_insensitive else "LIKE", node.pos)
        sql = self.target.like(operand, pattern, node.case_insensitive)
        return exp.Not(this=exp.Paren(this=sql)) if node.negated else sql

    def _is_null(self, node: IsNull, scope: Scope, clause: Clause) -> exp.Expression:
        operand = self.value(node.operand, scope, clause)
        sql = exp.Is(this=paren(operand.sql), expression=exp.Null())
        return exp.Not(this=exp.Paren(this=sql)) if node.negated else sql

    def _exists(self, node: Exists, scope: Scope, clause: Clause) -> exp.Expression:
        sql, _ = self.subquery(node.query, scope)
        return exp.Exists(this=sql)

    def _bool(self, node: BoolOp, scope: Scope, clause: Clause) -> exp.Expression:
        """A chain of AND (or of OR), compiled without recursion, left-deep as sqlglot generates it best."""
        operands: list[Condition] = []
        leftmost: Condition = node
        while isinstance(leftmost, BoolOp) and leftmost.op == node.op:
            operands.append(leftmost.right)
            leftmost = leftmost.left
        connector = exp.And if node.op == "AND" else exp.Or
        result = paren(self.condition(leftmost, scope, clause))
        for operand in reversed(operands):
            result = connector(this=result, expression=paren(self.condition(operand, scope, clause)))
        return result

    def _not(self, node: Not, scope: Scope, clause: Clause) -> exp.Expression:
        return exp.Not(this=paren(self.condition(node.operand, scope, clause)))


_CONDITION_HANDLERS: Final[dict[type, Callable[..., exp.Expression]]] = {
    Comparison: ConditionCompiler._comparison,
    Between: ConditionCompiler._between,
    InList: ConditionCompiler._in_list,
    InQuery: ConditionCompiler._in_query,
    Like: ConditionCompiler._like,
    IsNull: ConditionCompiler._is_null,
    Exists: ConditionCompiler._exists,
    BoolOp: ConditionCompiler._bool,
    Not: ConditionCompiler._not,
}
