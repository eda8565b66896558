"""What a database target provides to the compiler, and the SQL-building helpers both targets share.

A target turns ADQL operations whose SQL differs between databases (functions, geometry, casts, LIKE, the
storage of tables and geometry columns) into sqlglot expressions, and generates the final SQL text with its
sqlglot dialect.  Everything common (joins, select lists, set operations, limits) is built by the compiler.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Final

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect

from tap.adql.geometry import Cone
from tap.adql.scope import Field, NameAllocator, Value, ident
from tap.adql.syntax import FuncCall, TypeName
from tap.schema import Dialect, Table

__all__ = ["SET_NODES", "Operand", "Target", "aggregate", "call", "fold_and", "number", "paren"]

_ATOMIC = (
    exp.Column,
    exp.Literal,
    exp.ByteString,
    exp.Null,
    exp.Boolean,
    exp.Paren,
    exp.Subquery,
    exp.Anonymous,
    exp.Func,
    exp.Cast,
    exp.Identifier,
    exp.Star,
)


def paren(expression: exp.Expression) -> exp.Expression:
    """``expression`` in parentheses unless it is atomic: built trees carry no precedence of their own."""
    if isinstance(expression, _ATOMIC) and not isinstance(expression, (exp.Binary, exp.Unary)):
        return expression
    return exp.Paren(this=expression)


def call(name: str, *args: exp.Expression) -> exp.Expression:
    """A call of the SQL function ``name`` (lower case, as the database defines it)."""
    return exp.Anonymous(this=name, expressions=list(args))


def number(value: float | int) -> exp.Expression:
    """A numeric literal for a number computed by the translator (never from user text)."""
    text = repr(value) if isinstance(value, float) else str(value)
    literal = exp.Literal.number(text.lstrip("-"))
    return exp.Neg(this=literal) if text.startswith("-") else literal


def fold_and(conditions: Sequence[exp.Expression]) -> exp.Expression:
    """The conjunction of ``conditions`` (each parenthesised as needed)."""
    result = paren(conditions[0])
    for condition in conditions[1:]:
        result = exp.And(this=result, expression=paren(condition))
    return result


#: A set operation operand: its SQL and the SQL names of its output columns.
Operand = tuple[exp.Expression, Sequence[str]]

SET_NODES: Final[dict[str, type[exp.SetOperation]]] = {
    "UNION": exp.Union,
    "EXCEPT": exp.Except,
    "INTERSECT": exp.Intersect,
}

_AGGREGATES: Final[dict[str, type[exp.Expression]]] = {
    "COUNT": exp.Count,
    "AVG": exp.Avg,
    "SUM": exp.Sum,
    "MIN": exp.Min,
    "MAX": exp.Max,
}


def aggregate(call_: FuncCall, arg: Value | None) -> exp.Expression:
    """COUNT(*) or ``name([DISTINCT] arg)`` as SQL-92 writes it (both databases agree on these)."""
    if arg is None:
        return exp.Count(this=exp.Star())
    inner: exp.Expression = arg.sql.copy()
    if call_.distinct:
        inner = exp.Distinct(expressions=[inner])
    return _AGGREGATES[call_.name](this=inner)


class Target(ABC):
    """The database-specific half of the translation (see :mod:`tap.adql.target_sqlite`, ``target_pg``)."""

    name: Dialect
    sqlglot_dialect: SqlglotDialect

    def generate(self, tree: exp.Expression) -> str:
        """The SQL text of ``tree``, every identifier quoted."""
        return self.sqlglot_dialect.generate(tree, identify=True, normalize_functions=False)

    def table(self, table: Table, alias: str) -> exp.Expression:
        """A catalogue table in FROM, under ``alias``, by its physical name (:meth:`Table.sql_name`)."""
        schema, name = table.sql_name(self.name)
        return exp.Table(
            this=ident(name),
            db=None if schema is None else ident(schema),
            alias=exp.TableAlias(this=ident(alias)),
        )

    def string(self, text: str) -> exp.Expression:
        """A string literal (quotes doubled by the generator)."""
        return exp.Literal.string(text)

    def boolean(self, truth: bool) -> exp.Expression:
        """A boolean constant, to compare with boolean values: ``TRUE`` or ``FALSE``."""
        return exp.Boolean(this=truth)

    def double(self, expression: exp.Expression) -> exp.Expression:
        """``expression`` as a double: integers mixed with floats in COALESCE or CASE become floats on both
        engines (PostgreSQL converts them itself, SQLite would keep integers and divide them as integers).
        """
        return exp.Cast(this=expression, to=exp.DataType.build("DOUBLE PRECISION"))

    def set_operation(
        self, op: str, distinct: bool, operands: tuple[Operand, Operand], names: NameAllocator
    ) -> exp.Expression:
        """UNION, EXCEPT or INTERSECT of two queries, ``ALL`` unless ``distinct``; ``names`` gives SQL names
        unique in the statement should the target need relations of its own."""
        (left, _), (right, _) = operands
        return SET_NODES[op](this=left, expression=right, distinct=distinct)

    def scalar_subquery(self, query: exp.Expression, column: str, names: NameAllocator) -> exp.Expression:
        """A subquery used as a value, returning its one ``column``; more than one row must be an error."""
        return exp.Subquery(this=query)

    @abstractmethod
    def stored(self, field: Field) -> exp.Expression:
        """The value of a catalogue column in expressions (SQLite tags geometry text)."""

    @abstractmethod
    def literal(self, kind: str, text: str) -> exp.Expression:
        """A numeric literal as written in ADQL (``kind``: int, decimal or float)."""

    @abstractmethod
    def function(self, call: FuncCall, args: Sequence[Value]) -> exp.Expression:
        """An ADQL built-in function (math, string, COALESCE, geometry except the predicates)."""

    @abstractmethod
    def aggregate(self, call: FuncCall, arg: Value | None) -> exp.Expression:
        """COUNT, AVG, SUM, MIN, MAX; ``arg`` is None for COUNT(*)."""

    @abstractmethod
    def udf(self, name: str, args: Sequence[Value]) -> exp.Expression:
        """A declared user-defined function."""

    @abstractmethod
    def cast(self, value: Value, target: TypeName) -> exp.Expression:
        """CAST to an ADQL type (already checked to make sense)."""

    @abstractmethod
    def like(self, value: Value, pattern: Value, case_insensitive: bool) -> exp.Expression:
        """LIKE (case-sensitive, no escape character) or ILIKE."""

    @abstractmethod
    def spatial_int(self, func: str, a: Value, b: Value) -> exp.Expression:
        """CONTAINS or INTERSECTS as the integer 1 or 0."""

    @abstractmethod
    def spatial_predicate(self, func: str, a: Value, b: Value, truth: bool) -> exp.Expression:
        """``1 = CONTAINS(a, b)`` (truth) or ``0 = ...`` as a search condition."""

    @abstractmethod
    def cone(self, cone: Cone) -> exp.Expression:
        """A cone condition, using the table's spatial index when there is one."""

    @abstractmethod
    def dali(self, value: Value) -> exp.Expression:
        """A geometry result column as DALI text in degrees."""

    def stcs(self, value: Value) -> exp.Expression:
        """A polygon result column as STC-S text (``Polygon ICRS lon1 lat1 ...``), for ADQL REGION columns.

        The vertices are the DALI text's (degrees, at the engine's precision); frames are never converted, so
        the frame is always ICRS.  NULL stays NULL: concatenation with NULL is NULL on both engines.
        """
        return exp.DPipe(this=exp.Literal.string("Polygon ICRS "), expression=paren(self.dali(value)))
