"""Parsing of whole ADQL 2.1 queries: WITH, set operations, SELECT, FROM and joins, ORDER BY, OFFSET.

The grammar is parsed by hand rather than by sqlglot's SQL parser: sqlglot accepts a superset of SQL in every
dialect (``LIMIT``, ``::``, ``PRAGMA``-like statements, lambdas, JSON operators...), while a query service
must accept ADQL exactly, report positions in ADQL terms and refuse reserved words as identifiers.  sqlglot is
used where it is good, for generating the SQL of each database (:mod:`tap.adql.targets`).

:func:`parse` raises :class:`AdqlSyntaxError` (with line and column) for anything outside the grammar,
including a second statement, and :class:`AdqlUnsupportedError` for an optional feature that
:mod:`tap.adql.features` does not declare.
"""

from __future__ import annotations

from typing import Final

from tap.adql import features as feat
from tap.adql.errors import AdqlSyntaxError, AdqlUnsupportedError
from tap.adql.lexer import tokenize
from tap.adql.parse_functions import FunctionParser
from tap.adql.syntax import (
    Cte,
    DerivedTable,
    FromItem,
    JoinExpr,
    Name,
    OrderItem,
    QueryExpr,
    Select,
    SelectItem,
    SetOp,
    StarItem,
    Statement,
    TableName,
    ValueExpr,
)

__all__ = ["parse"]

#: TOP and OFFSET beyond this are meaningless and would overflow the databases' 64-bit LIMIT.
MAX_ROWS: Final = 2**62
_JOIN_WORDS: Final = ("NATURAL", "INNER", "LEFT", "RIGHT", "FULL", "JOIN")


def parse(text: str) -> Statement:
    """The syntax tree of one ADQL query (a single trailing semicolon is tolerated).

    Raises:
        AdqlSyntaxError: not ADQL 2.1, or more than one statement.
        AdqlUnsupportedError: an optional feature the service does not declare.
    """
    parser = QueryParser(tokenize(text))
    statement = parser.statement()
    for feature_type, form, position in parser.features:
        if not feat.is_declared(feature_type, form):
            raise AdqlUnsupportedError(form, position)
    return statement


class QueryParser(FunctionParser):
    """The query grammar on top of the expression grammar."""

    def statement(self) -> Statement:
        if not (self.at_keyword("SELECT", "WITH") or self.at_op("(")):
            raise self.error("SELECT or WITH at the start of the query")
        ctes: list[Cte] = []
        if with_token := self.accept_keyword("WITH"):
            self.use(feat.COMMON_TABLE, "WITH", with_token)
            ctes.append(self._cte())
            while self.accept_op(","):
                ctes.append(self._cte())
        query = self.query_expression()
        if self.accept_op(";") and self.token.kind != "eof":
            raise AdqlSyntaxError("only one statement is allowed", self.token.line, self.token.column)
        if self.token.kind != "eof":
            raise self.furthest_error(self.error("the end of the query"))
        return Statement(tuple(ctes), query)

    def _cte(self) -> Cte:
        name = self.name("a name for the common table expression")
        self.expect_keyword("AS")
        return Cte(name, self.subquery(), name.pos)

    def subquery(self) -> QueryExpr:
        self.expect_op("(")
        query = self.query_expression()
        self.expect_op(")")
        return query

    # ------------------------------------------------------------------------ query expressions

    def query_expression(self) -> QueryExpr:
        """``select_expression``: set operations, then ORDER BY and OFFSET for the whole."""
        start = self.token
        body = self._union()
        order: list[OrderItem] = []
        if self.accept_keyword("ORDER"):
            self.expect_keyword("BY")
            order.append(self._order_item())
            while self.accept_op(","):
                order.append(self._order_item())
        offset = None
        if token := self.accept_keyword("OFFSET"):
            self.use(feat.OFFSET, "OFFSET", token)
            offset = self._count("OFFSET")
        if not order and offset is None and isinstance(body, QueryExpr):
            return body
        return QueryExpr(body, tuple(order), offset, start.position)

    def _union(self) -> Select | SetOp | QueryExpr:
        left = self._intersect()
        while token := self.accept_keyword("UNION", "EXCEPT"):
            self.use(feat.SETS, token.upper, token)
            distinct = self.accept_keyword("ALL") is None
            left = SetOp(token.upper, not distinct, left, self._intersect(), token.position)  # type: ignore[arg-type]
        return left

    def _intersect(self) -> Select | SetOp | QueryExpr:
        left: Select | SetOp | QueryExpr = self._set_primary()
        while token := self.accept_keyword("INTERSECT"):
            self.use(feat.SETS, "INTERSECT", token)
            distinct = self.accept_keyword("ALL") is None
            left = SetOp("INTERSECT", not distinct, left, self._set_primary(), token.position)
        return left

    def _set_primary(self) -> Select | QueryExpr:
        if self.at_op("("):
            return self.subquery()
        return self._select()

    def _order_item(self) -> OrderItem:
        start = self.token
        expr = self.value()
        descending = False
        if direction := self.accept_keyword("ASC", "DESC"):
            descending = direction.upper == "DESC"
        return OrderItem(expr, descending, start.position)

    def _count(self, what: str) -> int:
        token = self.token
        if token.kind != "number" or not token.text.isdigit():
            raise self.error(f"a non-negative integer after {what}")
        self.advance()
        return min(int(token.text), MAX_ROWS)

    # ------------------------------------------------------------------------ SELECT

    def _select(self) -> Select:
        start = self.expect_keyword("SELECT")
        quantifier = self.accept_keyword("DISTINCT", "ALL")
        top = self._count("TOP") if self.accept_keyword("TOP") else None
        items = [self._select_item()]
        while self.accept_op(","):
            items.append(self._select_item())
        self.expect_keyword("FROM")
        from_items = [self._table_reference()]
        while self.accept_op(","):
            from_items.append(self._table_reference())
        where = self.condition() if self.accept_keyword("WHERE") else None
        group: list[ValueExpr] = []
        if self.accept_keyword("GROUP"):
            self.expect_keyword("BY")
            group.append(self.value())
            while self.accept_op(","):
                group.append(self.value())
        having = self.condition() if self.accept_keyword("HAVING") else None
        return Select(
            quantifier is not None and quantifier.upper == "DISTINCT",
            top,
            tuple(items),
            tuple(from_items),
            where,
            tuple(group),
            having,
            start.position,
        )

    def _select_item(self) -> SelectItem | StarItem:
        start = self.token
        if self.accept_op("*"):
            return StarItem(None, start.position)
        if self.at_name():
            star = self.attempt(self._qualified_star)
            if star is not None:
                return star
        expr = self.value()
        alias = None
        if self.accept_keyword("AS"):
            alias = self.name("a column alias")
        elif self.at_name():
            alias = self.name()
        return SelectItem(expr, alias, start.position)

    def _qualified_star(self) -> StarItem:
        start = self.token
        names = [self.name()]
        while self.accept_op("."):
            if self.accept_op("*"):
                if len(names) > 3:
                    raise self.error("at most catalog.schema.table before .*", start)
                return StarItem(tuple(names), start.position)
            names.append(self.name())
        raise self.error("'.*'")

    # ------------------------------------------------------------------------ FROM

    def _table_reference(self) -> FromItem:
        left = self._table_primary()
        while self.at_keyword(*_JOIN_WORDS):
            left = self._join(left)
        return left

    def _join(self, left: FromItem) -> JoinExpr:
        start = self.token
        natural = self.accept_keyword("NATURAL") is not None
        kind = "INNER"
        if side := self.accept_keyword("LEFT", "RIGHT", "FULL"):
            kind = side.upper
            self.accept_keyword("OUTER")
        elif not self.accept_keyword("INNER") and not self.at_keyword("JOIN"):
            raise self.error("JOIN")
        self.expect_keyword("JOIN")
        right = self._table_primary()
        on = None
        using: tuple[Name, ...] | None = None
        if condition_token := self.accept_keyword("ON", "USING"):
            if natural:
                raise self.error("no ON or USING after a NATURAL join", condition_token)
            if condition_token.upper == "ON":
                on = self.condition()
            else:
                self.expect_op("(")
                names = [self.name("a column name")]
                while self.accept_op(","):
                    names.append(self.name("a column name"))
                self.expect_op(")")
                using = tuple(names)
        return JoinExpr(left, right, kind, natural, on, using, start.position)  # type: ignore[arg-type]

    def _table_primary(self) -> FromItem:
        start = self.token
        if self.at_op("("):
            if not self.starts_subquery():
                return self._parenthesised_join()
            alternative = self.attempt(self._derived_table) or self.attempt(self._parenthesised_join)
            if alternative is None:
                raise self.alternatives_failed()
            return alternative
        names = self.dotted_name("a table name", "catalog.schema.table")
        return TableName(tuple(names), self._alias(required=False), start.position)

    def _parenthesised_join(self) -> FromItem:
        self.expect_op("(")
        inner = self._table_reference()
        self.expect_op(")")
        return inner

    def _derived_table(self) -> DerivedTable:
        start = self.token
        query = self.subquery()
        alias = self._alias(required=True)
        assert alias is not None
        return DerivedTable(query, alias, start.position)

    def _alias(self, *, required: bool) -> Name | None:
        if self.accept_keyword("AS"):
            return self.name("a correlation name")
        if self.at_name():
            return self.name()
        if required:
            raise self.error("a correlation name (a subquery in FROM needs one: ... ) AS name)")
        return None
