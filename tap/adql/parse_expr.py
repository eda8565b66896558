"""Recursive-descent parsing of ADQL value expressions and search conditions (ADQL 2.1 grammar, appendix A).

The parser accepts the ADQL grammar and nothing else, so a construct that is not ADQL cannot reach the SQL
generators.  Two relaxations follow common practice and the IVOA validation queries: ``*`` may be mixed with
other select items, and a join may omit its condition.  Function arities of ADQL's own functions are checked
in :mod:`tap.adql.parse_functions`, so ``ABS(x, y)`` is a syntax error with a position.  Optional features are
recorded as they are met and checked against :mod:`tap.adql.features` once the whole query parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from tap.adql import features as feat
from tap.adql.errors import AdqlSyntaxError, Position
from tap.adql.lexer import RESERVED, Token
from tap.adql.syntax import (
    Between,
    BoolOp,
    CaseExpr,
    ColumnRef,
    Comparison,
    Condition,
    Exists,
    InList,
    InQuery,
    IsNull,
    Like,
    Literal,
    Name,
    Not,
    Operation,
    QueryExpr,
    ScalarSubquery,
    Unary,
    ValueExpr,
)

__all__ = ["ExpressionParser", "number_literal"]

T = TypeVar("T")

_COMPARISONS: Final = frozenset({"=", "!=", "<>", "<", ">", "<=", ">="})
#: Tokens that continue a value expression: after ``( ... )`` they mean the parentheses held a value.
_VALUE_CONTINUATIONS: Final = _COMPARISONS | {"+", "-", "*", "/", "||"}
_PREDICATE_WORDS: Final = ("BETWEEN", "IN", "LIKE", "ILIKE", "NOT", "IS")


class ExpressionParser:
    """Token cursor and the expression grammar; :class:`tap.adql.parse.QueryParser` adds the queries."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        #: Optional features met so far: (type IVOID, form, position).
        self.features: list[tuple[str, str, Position]] = []
        self._furthest: AdqlSyntaxError | None = None
        self._furthest_index = -1

    # ------------------------------------------------------------------------------------ token cursor

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def at_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.text in ops

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "ident" and self.token.upper in words

    def accept_op(self, op: str) -> Token | None:
        return self.advance() if self.at_op(op) else None

    def accept_keyword(self, *words: str) -> Token | None:
        return self.advance() if self.at_keyword(*words) else None

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            raise self.error(f"'{op}'")
        return self.advance()

    def expect_keyword(self, word: str) -> Token:
        if not self.at_keyword(word):
            raise self.error(word)
        return self.advance()

    def error(self, expected: str, token: Token | None = None) -> AdqlSyntaxError:
        """A syntax error at ``token`` (default: the current one) saying what was found and expected."""
        token = token or self.token
        found = token.describe()
        if token.kind == "ident" and token.upper in RESERVED:
            found = f"the reserved word {token.upper}"
        return AdqlSyntaxError(f"found {found}, expected {expected}", token.line, token.column)

    def attempt(self, parse: Callable[[], T]) -> T | None:
        """Runs ``parse``; on a syntax error rewinds (tokens and recorded features) and returns None.

        The error is kept: :meth:`alternatives_failed` reports the one that got furthest.
        """
        index, nfeatures = self.index, len(self.features)
        try:
            return parse()
        except AdqlSyntaxError as exc:
            if self._furthest is None or self.index >= self._furthest_index:
                self._furthest, self._furthest_index = exc, self.index
            self.index = index
            del self.features[nfeatures:]
            return None

    def alternatives_failed(self) -> AdqlSyntaxError:
        """The error of the attempted alternative that got furthest (call after all attempts failed)."""
        error = self._furthest
        assert error is not None
        self._furthest, self._furthest_index = None, -1
        return error

    def furthest_error(self, fallback: AdqlSyntaxError) -> AdqlSyntaxError:
        """The error of the alternative that got furthest, which says most about what was meant."""
        if self._furthest is not None and self._furthest_index > self.index:
            return self._furthest
        return fallback

    def use(self, feature_type: str, form: str, token: Token) -> None:
        self.features.append((feature_type, form, token.position))

    def name(self, what: str = "a name") -> Name:
        """An identifier (regular, not reserved, or delimited)."""
        token = self.token
        if token.kind == "qident" or (token.kind == "ident" and token.upper not in RESERVED):
            self.advance()
            return Name(token.text, token.kind == "qident", token.position)
        if token.kind == "ident":
            raise AdqlSyntaxError(
                f'found the reserved word {token.upper}, expected {what} (write "{token.text}" to use it as one)',
                token.line,
                token.column,
            )
        raise self.error(what)

    def at_name(self) -> bool:
        token = self.token
        return token.kind == "qident" or (token.kind == "ident" and token.upper not in RESERVED)

    def subquery(self) -> QueryExpr:
        """``( select_expression )``: provided by the query parser."""
        raise NotImplementedError

    def function(self) -> ValueExpr:
        """A function call (the current token is its name): provided by the function parser."""
        raise NotImplementedError

    def starts_subquery(self) -> bool:
        """Whether the current ``(`` opens a query: the first token after the opening parentheses is SELECT."""
        ahead = 0
        while self.peek(ahead).kind == "op" and self.peek(ahead).text == "(":
            ahead += 1
        return ahead > 0 and self.peek(ahead).is_keyword("SELECT")

    # ------------------------------------------------------------------------------------ conditions

    def condition(self) -> Condition:
        """``search_condition``: OR of AND of [NOT] predicates or parenthesised conditions."""
        left = self._and()
        while token := self.accept_keyword("OR"):
            left = BoolOp("OR", left, self._and(), token.position)
        return left

    def _and(self) -> Condition:
        left = self._not()
        while token := self.accept_keyword("AND"):
            left = BoolOp("AND", left, self._not(), token.position)
        return left

    def _not(self) -> Condition:
        if token := self.accept_keyword("NOT"):
            return Not(self._not(), token.position)
        if self.at_op("("):
            grouped = self.attempt(self._grouped_condition)
            if grouped is not None:
                return grouped
        return self.predicate()

    def _grouped_condition(self) -> Condition:
        self.expect_op("(")
        inner = self.condition()
        self.expect_op(")")
        token = self.token
        if (token.kind == "op" and token.text in _VALUE_CONTINUATIONS) or token.is_keyword(*_PREDICATE_WORDS):
            raise self.error("the end of the condition")
        return inner

    def predicate(self) -> Condition:
        start = self.token
        if self.accept_keyword("EXISTS"):
            return Exists(self.subquery(), start.position)
        operand = self.value()
        token = self.token
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            return Comparison(token.text, operand, self.value(), token.position)  # type: ignore[arg-type]
        negated = self.accept_keyword("NOT") is not None
        if self.accept_keyword("BETWEEN"):
            low = self.value()
            self.expect_keyword("AND")
            return Between(operand, low, self.value(), negated, token.position)
        if self.accept_keyword("IN"):
            return self._in(operand, negated, token)
        if like := self.accept_keyword("LIKE", "ILIKE"):
            if like.upper == "ILIKE":
                self.use(feat.STRING, "ILIKE", like)
            return Like(operand, self.value(), negated, like.upper == "ILIKE", token.position)
        if not negated and self.accept_keyword("IS"):
            is_not = self.accept_keyword("NOT") is not None
            self.expect_keyword("NULL")
            return IsNull(operand, is_not, token.position)
        if negated:
            raise self.error("BETWEEN, IN, LIKE or ILIKE after NOT")
        raise self.error("a comparison operator, BETWEEN, IN, LIKE or IS NULL")

    def _in(self, operand: ValueExpr, negated: bool, token: Token) -> Condition:
        if not self.at_op("("):
            raise self.error("'(' after IN")
        if self.starts_subquery():
            query = self.attempt(self.subquery)
            if query is not None:
                return InQuery(operand, query, negated, token.position)
        self.expect_op("(")
        items = [self.value()]
        while self.accept_op(","):
            items.append(self.value())
        self.expect_op(")")
        return InList(operand, tuple(items), negated, token.position)

    # ------------------------------------------------------------------------------------ values

    def value(self) -> ValueExpr:
        """``value_expression``: + and - over terms, * and / over factors, || over primaries."""
        left = self._term()
        while self.at_op("+", "-"):
            token = self.advance()
            left = Operation(token.text, left, self._term(), token.position)  # type: ignore[arg-type]
        return left

    def _term(self) -> ValueExpr:
        left = self._factor()
        while self.at_op("*", "/"):
            token = self.advance()
            left = Operation(token.text, left, self._factor(), token.position)  # type: ignore[arg-type]
        return left

    def _factor(self) -> ValueExpr:
        if self.at_op("+", "-"):
            token = self.advance()
            return Unary(token.text, self._factor(), token.position)  # type: ignore[arg-type]
        left = self.primary()
        while concatenation := self.accept_op("||"):
            left = Operation("||", left, self.primary(), concatenation.position)
        return left

    def primary(self) -> ValueExpr:
        token = self.token
        if token.kind == "number":
            self.advance()
            return number_literal(token)
        if token.kind == "string":
            self.advance()
            return Literal("string", token.text, token.position)
        if token.kind == "op" and token.text == "(":
            return self._parenthesised()
        if token.kind == "ident":
            if token.upper == "NULL":
                self.advance()
                return Literal("null", "NULL", token.position)
            if token.upper == "CASE":
                return self._case()
            if self.peek().kind == "op" and self.peek().text == "(":
                return self.function()
        if self.at_name():
            return self.column_ref()
        if token.kind == "ident" and token.upper in RESERVED:
            self.name("a value")  # raises, suggesting the delimited form
        raise self.error("a value (a literal, a column, a function call or a parenthesised expression)")

    def _parenthesised(self) -> ValueExpr:
        start = self.token
        if self.starts_subquery():
            query = self.attempt(self.subquery)
            if query is not None:
                return ScalarSubquery(query, start.position)
        self.advance()
        inner = self.value()
        self.expect_op(")")
        return inner

    def dotted_name(self, what: str, parts: str) -> list[Name]:
        """``name[.name...]`` with at most as many names as ``parts`` (e.g. ``catalog.schema.table``) has."""
        start = self.token
        names = [self.name(what)]
        while self.at_op(".") and self.peek().kind != "op":
            self.advance()
            names.append(self.name(what))
        if len(names) > parts.count(".") + 1:
            shown = ".".join(n.shown() for n in names)
            raise AdqlSyntaxError(f"{shown}: {what} has at most the parts {parts}", start.line, start.column)
        return names

    def column_ref(self) -> ColumnRef:
        start = self.token
        return ColumnRef(
            tuple(self.dotted_name("a column name", "catalog.schema.table.column")), start.position
        )

    def _case(self) -> CaseExpr:
        start = self.advance()
        self.use(feat.CONDITIONAL, feat.CASE_FORM, start)
        operand = None if self.at_keyword("WHEN") else self.value()
        whens: list[tuple[Condition | ValueExpr, ValueExpr]] = []
        while self.accept_keyword("WHEN"):
            test: Condition | ValueExpr = self.condition() if operand is None else self.value()
            self.expect_keyword("THEN")
            whens.append((test, self.value()))
        if not whens:
            raise self.error("WHEN")
        default = self.value() if self.accept_keyword("ELSE") else None
        self.expect_keyword("END")
        return CaseExpr(operand, tuple(whens), default, start.position)


def number_literal(token: Token) -> Literal:
    """The literal of a number token: int (digits only), decimal, or float (with an exponent)."""
    text = token.text
    if "E" in token.upper:
        return Literal("float", text, token.position)
    if "." in text:
        return Literal("decimal", text, token.position)
    return Literal("int", text, token.position)
