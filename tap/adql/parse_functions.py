"""Parsing of ADQL's function calls: fixed arities, aggregates, ROUND/TRUNCATE/RAND, CAST, the geometry
constructors (whose deprecated coordinate system argument is recognised and dropped) and user functions.

Everything the grammar says about a function's arguments is checked here, so a wrong call is a syntax error
with the position of the function name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from tap.adql import features as feat
from tap.adql.errors import AdqlSyntaxError
from tap.adql.lexer import RESERVED, Token
from tap.adql.parse_expr import ExpressionParser
from tap.adql.syntax import CastExpr, FuncCall, Literal, TypeName, ValueExpr

__all__ = ["FunctionParser"]

#: ADQL functions with a fixed number of arguments.
_FIXED_ARITY: Final[dict[str, int]] = {
    **dict.fromkeys(("ABS", "CEILING", "DEGREES", "EXP", "FLOOR", "LOG", "LOG10", "RADIANS", "SQRT"), 1),
    **dict.fromkeys(("ACOS", "ASIN", "ATAN", "COS", "COT", "SIN", "TAN"), 1),
    **dict.fromkeys(("MOD", "POWER", "ATAN2"), 2),
    "PI": 0,
    **dict.fromkeys(("LOWER", "UPPER", "CENTROID", "AREA", "COORD1", "COORD2", "COORDSYS"), 1),
    **dict.fromkeys(("CONTAINS", "INTERSECTS"), 2),
}
_AGGREGATES: Final = frozenset({"AVG", "MAX", "MIN", "SUM", "COUNT"})
_GEOMETRY_FORMS: Final = frozenset({f.form for f in feat.FEATURES if f.type == feat.GEOMETRY} | {"REGION"})
#: Arguments of the geometry constructors without the coordinate system: (numbers form, points form).
_CONSTRUCTOR_ARITY: Final[dict[str, tuple[int, int]]] = {"POINT": (2, 2), "CIRCLE": (3, 2), "BOX": (4, 3)}
_CAST_TYPES: Final = frozenset(
    {"SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "CHAR", "VARCHAR", "TIMESTAMP", "POINT", "CIRCLE",
     "POLYGON"}
)  # fmt: skip


class FunctionParser(ExpressionParser):
    """The function-call grammar on top of the expression grammar."""

    def function(self) -> ValueExpr:
        token = self.token
        if token.upper not in RESERVED:
            return self._call(token.text.lower(), udf=True)
        special = _SPECIAL.get(token.upper)
        if special is not None:
            return special(self)
        if token.upper in _FIXED_ARITY:
            call = self._call(token.upper)
            if len(call.args) != _FIXED_ARITY[token.upper]:
                raise _arity(token, _FIXED_ARITY[token.upper], len(call.args))
            self._record_function(token)
            return call
        raise self.error("a value; this reserved word is not a function of ADQL")

    def _record_function(self, token: Token) -> None:
        if token.upper in ("LOWER", "UPPER"):
            self.use(feat.STRING, token.upper, token)
        elif token.upper in _GEOMETRY_FORMS:
            self.use(feat.GEOMETRY, token.upper, token)

    def _call(self, name: str, *, udf: bool = False) -> FuncCall:
        start = self.advance()
        self.expect_op("(")
        args: list[ValueExpr] = []
        if not self.at_op(")"):
            args.append(self.value())
            while self.accept_op(","):
                args.append(self.value())
        self.expect_op(")")
        return FuncCall(name, tuple(args), start.position, udf=udf)

    def _aggregate(self) -> FuncCall:
        start = self.advance()
        self.expect_op("(")
        if start.upper == "COUNT" and self.accept_op("*"):
            self.expect_op(")")
            return FuncCall("COUNT", (), start.position, star=True)
        distinct = self.accept_keyword("DISTINCT", "ALL")
        arg = self.value()
        self.expect_op(")")
        return FuncCall(
            start.upper, (arg,), start.position, distinct=bool(distinct and distinct.upper == "DISTINCT")
        )

    def _rounding(self) -> FuncCall:
        """ROUND and TRUNCATE: the optional second argument is a signed integer literal."""
        start = self.advance()
        self.expect_op("(")
        args: list[ValueExpr] = [self.value()]
        if self.accept_op(","):
            sign = self.accept_op("-") or self.accept_op("+")
            digits = self.token
            if digits.kind != "number" or not digits.text.isdigit():
                raise self.error("an integer number of decimal places")
            self.advance()
            text = ("-" if sign is not None and sign.text == "-" else "") + digits.text
            args.append(Literal("int", text, digits.position))
        self.expect_op(")")
        return FuncCall(start.upper, tuple(args), start.position)

    def _rand(self) -> FuncCall:
        start = self.advance()
        self.expect_op("(")
        if self.token.kind == "number" and self.token.text.isdigit():
            self.advance()  # the seed has no defined meaning in ADQL 2.1: it is dropped
        self.expect_op(")")
        return FuncCall("RAND", (), start.position)

    def _variadic(self, minimum: int) -> FuncCall:
        token = self.token
        call = self._call(token.upper)
        if len(call.args) < minimum:
            raise _arity(token, minimum, len(call.args), "at least ")
        if token.upper == "COALESCE":
            self.use(feat.CONDITIONAL, "COALESCE", token)
        return call

    def _distance(self) -> FuncCall:
        token = self.token
        call = self._call("DISTANCE")
        if len(call.args) not in (2, 4):
            raise AdqlSyntaxError(f"DISTANCE takes 2 points or 4 numbers, not {len(call.args)} arguments",
                                  token.line, token.column)  # fmt: skip
        self.use(feat.GEOMETRY, "DISTANCE", token)
        return call

    def _constructor(self) -> FuncCall:
        """POINT, CIRCLE, BOX, POLYGON with the deprecated coordinate system argument removed."""
        token = self.token
        call = self._call(token.upper)
        self.use(feat.GEOMETRY, token.upper, token)
        args = call.args
        first = args[0] if args else None
        numbers, points = _CONSTRUCTOR_ARITY.get(token.upper, (6, 3))
        coordsys = isinstance(first, Literal) and (
            first.kind == "string"
            or (
                first.kind == "null"
                and (len(args) % 2 == 1 if token.upper == "POLYGON" else len(args) == numbers + 1)
            )
        )
        if coordsys:
            args = args[1:]
        if token.upper == "POLYGON":
            valid = len(args) >= 3 and (len(args) % 2 == 0 or not any(_is_number(a) for a in args))
        else:
            valid = len(args) == numbers or (len(args) == points and not _is_number(args[0]))
        if not valid:
            raise AdqlSyntaxError(f"wrong arguments for {token.upper}: {_CONSTRUCTOR_HELP[token.upper]}",
                                  token.line, token.column)  # fmt: skip
        return FuncCall(token.upper, args, call.pos, coordsys=coordsys)

    def _region(self) -> FuncCall:
        token = self.advance()
        self.expect_op("(")
        literal = self.token
        if literal.kind != "string":
            raise self.error("a string literal (an STC-S region)")
        self.advance()
        self.expect_op(")")
        self.use(feat.GEOMETRY, "REGION", token)
        return FuncCall("REGION", (Literal("string", literal.text, literal.position),), token.position)

    def _in_unit(self) -> FuncCall:
        token = self.token
        call = self._call("IN_UNIT")
        if len(call.args) != 2 or not (isinstance(call.args[1], Literal) and call.args[1].kind == "string"):
            raise AdqlSyntaxError("IN_UNIT takes a value and a unit string", token.line, token.column)
        self.use(feat.UNIT, "IN_UNIT", token)
        return call

    def _cast(self) -> CastExpr:
        start = self.advance()
        self.use(feat.TYPE, "CAST", start)
        self.expect_op("(")
        operand = self.value()
        self.expect_keyword("AS")
        type_token = self.token
        if not self.at_keyword(*_CAST_TYPES):
            raise self.error("a CAST target type (SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION, CHAR, "
                             "VARCHAR, TIMESTAMP, POINT, CIRCLE or POLYGON)")  # fmt: skip
        self.advance()
        if type_token.upper == "DOUBLE":
            self.expect_keyword("PRECISION")
        length = None
        if type_token.upper in ("CHAR", "VARCHAR") and self.accept_op("("):
            digits = self.token
            if digits.kind != "number" or not digits.text.isdigit() or int(digits.text) == 0:
                raise self.error("a positive string length")
            self.advance()
            length = int(digits.text)
            self.expect_op(")")
        self.expect_op(")")
        return CastExpr(operand, TypeName(type_token.upper, length, type_token.position), start.position)


def _is_number(expr: ValueExpr) -> bool:
    return isinstance(expr, Literal) and expr.kind in ("int", "decimal", "float")


def _arity(token: Token, expected: int, got: int, qualifier: str = "") -> AdqlSyntaxError:
    plural = "" if expected == 1 else "s"
    return AdqlSyntaxError(
        f"{token.upper} takes {qualifier}{expected} argument{plural}, not {got}", token.line, token.column
    )


_CONSTRUCTOR_HELP: Final = {
    "POINT": "POINT([coosys,] lon, lat)",
    "CIRCLE": "CIRCLE([coosys,] lon, lat, radius) or CIRCLE([coosys,] point, radius)",
    "BOX": "BOX([coosys,] lon, lat, width, height) or BOX([coosys,] point, width, height)",
    "POLYGON": "POLYGON([coosys,] lon1, lat1, lon2, lat2, lon3, lat3, ...) or POLYGON([coosys,] p1, p2, p3, ...)",
}

_SPECIAL: Final[dict[str, Callable[[FunctionParser], ValueExpr]]] = {
    **dict.fromkeys(_AGGREGATES, FunctionParser._aggregate),
    "ROUND": FunctionParser._rounding,
    "TRUNCATE": FunctionParser._rounding,
    "RAND": FunctionParser._rand,
    "COALESCE": lambda p: p._variadic(1),
    "DISTANCE": FunctionParser._distance,
    **dict.fromkeys(("POINT", "CIRCLE", "BOX", "POLYGON"), FunctionParser._constructor),
    "REGION": FunctionParser._region,
    "IN_UNIT": FunctionParser._in_unit,
    "CAST": FunctionParser._cast,
}
