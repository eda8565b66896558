"""The ADQL syntax tree the parser builds: plain frozen dataclasses, one per grammar construct.

The tree says what the client wrote (names as written, where they were written, which optional features);
resolving names and choosing SQL happens later, in :mod:`tap.adql.compile_query`.  Value expressions and
search conditions are separate types, as in the grammar: a condition can only appear where ADQL expects one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as TypingLiteral

from tap.adql.errors import Position

__all__ = [
    "Between",
    "BoolOp",
    "CaseExpr",
    "CastExpr",
    "ColumnRef",
    "Comparison",
    "Condition",
    "Cte",
    "DerivedTable",
    "Exists",
    "FromItem",
    "FuncCall",
    "InList",
    "InQuery",
    "IsNull",
    "JoinExpr",
    "Like",
    "Literal",
    "Name",
    "Not",
    "Operation",
    "OrderItem",
    "QueryExpr",
    "ScalarSubquery",
    "Select",
    "SelectItem",
    "SetOp",
    "StarItem",
    "Statement",
    "TableName",
    "TypeName",
    "Unary",
    "ValueExpr",
]


@dataclass(frozen=True, slots=True)
class Name:
    """One identifier; ``key`` is how it compares (regular identifiers are case-insensitive)."""

    text: str
    delimited: bool
    pos: Position

    @property
    def key(self) -> str:
        return self.text if self.delimited else self.text.lower()

    def shown(self) -> str:
        return '"' + self.text.replace('"', '""') + '"' if self.delimited else self.text


# --------------------------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal: ``kind`` int (digits only), decimal, float (with an exponent), string or null."""

    kind: TypingLiteral["int", "decimal", "float", "string", "null"]
    text: str
    pos: Position


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """``[[[catalog.]schema.]table.]column``: the last name is the column."""

    names: tuple[Name, ...]
    pos: Position

    def shown(self) -> str:
        return ".".join(n.shown() for n in self.names)


@dataclass(frozen=True, slots=True)
class Unary:
    op: TypingLiteral["+", "-"]
    operand: ValueExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class Operation:
    """A binary operator of value expressions: ``+ - * /`` or ``||``."""

    op: TypingLiteral["+", "-", "*", "/", "||"]
    left: ValueExpr
    right: ValueExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class FuncCall:
    """A function call; ``name`` is upper case for ADQL's functions and lower case for user functions.

    ``coordsys`` is the deprecated first argument of the geometry constructors when it was given (it is
    ignored: frames are never converted).  ``star`` is ``COUNT(*)``.
    """

    name: str
    args: tuple[ValueExpr, ...]
    pos: Position
    distinct: bool = False
    star: bool = False
    udf: bool = False
    coordsys: bool = False


@dataclass(frozen=True, slots=True)
class TypeName:
    """A CAST target: SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, CHAR, VARCHAR, TIMESTAMP or a geometry."""

    name: str
    length: int | None
    pos: Position


@dataclass(frozen=True, slots=True)
class CastExpr:
    operand: ValueExpr
    target: TypeName
    pos: Position


@dataclass(frozen=True, slots=True)
class CaseExpr:
    """``CASE [operand] WHEN ... THEN ... [ELSE ...] END``; with an operand the WHENs are values."""

    operand: ValueExpr | None
    whens: tuple[tuple[Condition | ValueExpr, ValueExpr], ...]
    default: ValueExpr | None
    pos: Position


@dataclass(frozen=True, slots=True)
class ScalarSubquery:
    query: QueryExpr
    pos: Position


ValueExpr = Literal | ColumnRef | Unary | Operation | FuncCall | CastExpr | CaseExpr | ScalarSubquery


# ---------------------------------------------------------------------------------------------- conditions


@dataclass(frozen=True, slots=True)
class Comparison:
    op: TypingLiteral["=", "!=", "<>", "<", ">", "<=", ">="]
    left: ValueExpr
    right: ValueExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class Between:
    operand: ValueExpr
    low: ValueExpr
    high: ValueExpr
    negated: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class InList:
    operand: ValueExpr
    items: tuple[ValueExpr, ...]
    negated: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class InQuery:
    operand: ValueExpr
    query: QueryExpr
    negated: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class Like:
    operand: ValueExpr
    pattern: ValueExpr
    negated: bool
    case_insensitive: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: ValueExpr
    negated: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class Exists:
    query: QueryExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: TypingLiteral["AND", "OR"]
    left: Condition
    right: Condition
    pos: Position


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition
    pos: Position


Condition = Comparison | Between | InList | InQuery | Like | IsNull | Exists | BoolOp | Not


# ------------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class TableName:
    """A table in FROM: ``[[catalog.]schema.]table [[AS] alias]``."""

    names: tuple[Name, ...]
    alias: Name | None
    pos: Position

    def shown(self) -> str:
        return ".".join(n.shown() for n in self.names)


@dataclass(frozen=True, slots=True)
class DerivedTable:
    query: QueryExpr
    alias: Name
    pos: Position


@dataclass(frozen=True, slots=True)
class JoinExpr:
    """``left [NATURAL] [kind] JOIN right [ON ... | USING (...)]``; no condition at all is a cross join."""

    left: FromItem
    right: FromItem
    kind: TypingLiteral["INNER", "LEFT", "RIGHT", "FULL"]
    natural: bool
    on: Condition | None
    using: tuple[Name, ...] | None
    pos: Position


FromItem = TableName | DerivedTable | JoinExpr


@dataclass(frozen=True, slots=True)
class SelectItem:
    expr: ValueExpr
    alias: Name | None
    pos: Position


@dataclass(frozen=True, slots=True)
class StarItem:
    """``*`` (no qualifier) or ``qualifier.*``."""

    qualifier: tuple[Name, ...] | None
    pos: Position


@dataclass(frozen=True, slots=True)
class Select:
    """One ``select_query``: everything up to HAVING (ORDER BY and OFFSET belong to the query expression)."""

    distinct: bool
    top: int | None
    items: tuple[SelectItem | StarItem, ...]
    from_: tuple[FromItem, ...]
    where: Condition | None
    group_by: tuple[ValueExpr, ...]
    having: Condition | None
    pos: Position


@dataclass(frozen=True, slots=True)
class SetOp:
    op: TypingLiteral["UNION", "EXCEPT", "INTERSECT"]
    all: bool
    left: Select | SetOp | QueryExpr
    right: Select | SetOp | QueryExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class OrderItem:
    expr: ValueExpr
    descending: bool
    pos: Position


@dataclass(frozen=True, slots=True)
class QueryExpr:
    """A ``select_expression``: a SELECT or set operation with its ORDER BY and OFFSET."""

    body: Select | SetOp | QueryExpr
    order_by: tuple[OrderItem, ...]
    offset: int | None
    pos: Position


@dataclass(frozen=True, slots=True)
class Cte:
    name: Name
    query: QueryExpr
    pos: Position


@dataclass(frozen=True, slots=True)
class Statement:
    """The whole query: optional common table expressions, then the main query expression."""

    ctes: tuple[Cte, ...]
    query: QueryExpr
