"""ADQL's built-in functions: what arguments they accept and what they return.

Both targets share these rules, so a query gets the same result metadata (and the same type errors) on
SQLite and on PostgreSQL.  Numeric arguments accept string literals that read as numbers (``'30' * 1323`` is
valid ADQL; the compiler turns them into numbers) but no other strings: SQLite would compute ``SIN(name)`` as
NULL and ``name + 1`` as a number where PostgreSQL fails in the database, so both are refused here, with the
position and the offending value.  Geometries are accepted only where ADQL expects them, and ADQL's geometry
constructors are resolved to their numeric or POINT form here.

Raises :class:`AdqlSemanticError` for a wrong argument type and :class:`AdqlSyntaxError` for a constructor
whose arguments fit none of its forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from tap.adql import types as t
from tap.adql.errors import AdqlSemanticError, AdqlSyntaxError, at
from tap.adql.scope import Value
from tap.adql.syntax import FuncCall

__all__ = [
    "GEOMETRY_FUNCTIONS",
    "check_comparable",
    "common_type",
    "describe",
    "fits",
    "number_text",
    "require_geometry",
    "require_numeric",
    "require_string",
    "result_type",
    "shown",
]

_MATH_KEEP_UNIT: Final = frozenset({"ABS", "CEILING", "FLOOR", "ROUND", "TRUNCATE"})
#: ADQL's math functions: their arguments and results are doubles.
MATH_FUNCTIONS: Final = frozenset(
    {"ABS", "CEILING", "DEGREES", "EXP", "FLOOR", "LOG", "LOG10", "RADIANS", "SQRT", "MOD", "POWER", "ROUND",
     "TRUNCATE", "ACOS", "ASIN", "ATAN", "ATAN2", "COS", "COT", "SIN", "TAN", "PI", "RAND"}
)  # fmt: skip
GEOMETRY_FUNCTIONS: Final = frozenset(
    {"POINT", "CIRCLE", "BOX", "POLYGON", "CENTROID", "AREA", "COORD1", "COORD2", "COORDSYS", "DISTANCE",
     "CONTAINS", "INTERSECTS"}
)  # fmt: skip
#: A string literal that reads as a number: optional sign, then an ADQL unsigned numeric literal.
_NUMBER_TEXT: Final = re.compile(r"\s*([+-]?)\s*((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*\Z")
_KIND_NOUNS: Final = {"number": "number", "string": "string", "timestamp": "timestamp", "boolean": "boolean"}
_MAX_SHOWN: Final = 40


def describe(vtype: t.VType) -> str:
    """A type as an error message names it."""
    if vtype.kind == "geometry":
        return "a " + (vtype.xtype or "geometry").upper()
    return {"number": "a number", "string": "a string", "timestamp": "a timestamp", "boolean": "a boolean",
            "null": "NULL"}.get(vtype.kind, f"a {vtype.datatype} array")  # fmt: skip


def shown(value: Value) -> str:
    """A value as an error message names it: the column or literal the client wrote, else its type."""
    noun = (value.vtype.xtype or "geometry").upper() if value.vtype.kind == "geometry" else None
    noun = noun or _KIND_NOUNS.get(value.vtype.kind)
    if value.field is not None and noun is not None:
        return f"the {noun} column {value.field.name}"
    if value.text is not None:
        text = value.text if len(value.text) <= _MAX_SHOWN else value.text[:_MAX_SHOWN] + "..."
        return "the string '" + text.replace("'", "''") + "'"
    if value.const is not None and value.vtype.kind == "number" and value.func is None:
        return f"the number {value.const:g}"
    return describe(value.vtype)


def number_text(text: str) -> tuple[bool, str] | None:
    """(negative, unsigned numeric literal) of a string literal that reads as a number, else None."""
    match = _NUMBER_TEXT.match(text)
    return None if match is None else (match.group(1) == "-", match.group(2))


def _numeric(value: Value) -> bool:
    kind = value.vtype.kind
    return kind in ("number", "null") or (value.text is not None and number_text(value.text) is not None)


def require_numeric(value: Value, where: str, call: FuncCall | None = None) -> None:
    """``value`` must be a number, NULL, or a string literal that reads as a number.

    Raises:
        AdqlSemanticError: anything else, named (``SIN expects a number, not the string column name``).
    """
    if not _numeric(value):
        position = call.pos if call is not None else None
        raise AdqlSemanticError(f"{at(position)}{where} expects a number, not {shown(value)}")


def require_string(value: Value, where: str, position: tuple[int, int]) -> None:
    """``value`` must be a string (or NULL): LIKE, ILIKE, LOWER and UPPER work on text only."""
    if value.vtype.kind not in ("string", "null"):
        raise AdqlSemanticError(f"{at(position)}{where} needs strings, not {shown(value)}")


def check_comparable(values: Sequence[Value], position: tuple[int, int]) -> None:
    """The first value compared with each of the others (=, <, BETWEEN, IN): no string against a number.

    PostgreSQL refuses ``name > 5`` and ``flux = 'abc'`` in the database while SQLite compares them as text
    (or not at all); a string literal that reads as a number is a number here (the compiler converts it).

    Raises:
        AdqlSemanticError: a string and a number, both named.
    """
    first = values[0]
    for other in values[1:]:
        pair = {first.vtype.kind, other.vtype.kind}
        if pair == {"number", "string"} and not (_numeric(first) and _numeric(other)):
            raise AdqlSemanticError(f"{at(position)}cannot compare {shown(first)} with {shown(other)}")


#: What a declared parameter of each kind accepts besides NULL (other kinds accept their own kind only).
_FITS: Final[dict[str, Callable[[Value, t.VType], bool]]] = {
    "number": lambda value, expected: _numeric(value),
    "string": lambda value, expected: value.vtype.kind in ("string", "number"),  # numbers are passed as text
    "timestamp": lambda value, expected: value.vtype.kind == "timestamp" or value.text is not None,
    "geometry": lambda value, expected: (
        value.vtype.kind == "geometry"
        and (value.vtype.shape == expected.shape or "region" in (value.vtype.shape, expected.shape))
    ),
    "other": lambda value, expected: True,
}


def fits(value: Value, expected: t.VType) -> bool:
    """Whether ``value`` can be passed where a value of type ``expected`` is declared (a UDF parameter)."""
    if value.vtype.kind == "null":
        return True
    rule = _FITS.get(expected.kind)
    return value.vtype.kind == expected.kind if rule is None else rule(value, expected)


def require_geometry(value: Value, call: FuncCall, shapes: tuple[str, ...] = ()) -> None:
    """``value`` must be a geometry (of one of ``shapes`` when given) or NULL."""
    kind = value.vtype.kind
    shape = value.vtype.shape
    if kind == "null" or (kind == "geometry" and (not shapes or shape in shapes or shape == "region")):
        return
    expected = " or ".join(s.upper() for s in shapes) if shapes else "a geometry"
    raise AdqlSemanticError(f"{at(call.pos)}{call.name} expects {expected}, not {describe(value.vtype)}")


def _is_point(value: Value) -> bool:
    return value.vtype.shape in ("point", "region") or value.vtype.kind == "null"


def _math(call: FuncCall, args: Sequence[Value]) -> t.VType:
    for arg in args:
        require_numeric(arg, call.name, call)
    unit = None
    if call.name in _MATH_KEEP_UNIT and args:
        unit = args[0].vtype.unit
    elif call.name == "DEGREES":
        unit = "deg"
    elif call.name == "RADIANS":
        unit = "rad"
    return t.DOUBLE.with_unit(unit)


def _case_folding(call: FuncCall, args: Sequence[Value]) -> t.VType:
    require_string(args[0], call.name, call.pos)
    return t.STRING


def _aggregate(call: FuncCall, args: Sequence[Value]) -> t.VType:
    if call.name == "COUNT":
        return t.LONG
    arg = args[0].vtype
    if call.name in ("MIN", "MAX"):
        if arg.kind == "geometry":
            raise AdqlSemanticError(f"{at(call.pos)}{call.name} cannot order {describe(arg)} values")
        return arg.derived()
    require_numeric(args[0], call.name, call)
    if call.name == "SUM" and arg.is_integer:
        return t.LONG.with_unit(arg.unit)
    return t.DOUBLE.with_unit(arg.unit)


def common_type(values: Sequence[Value], what: str, call_pos: tuple[int, int]) -> t.VType:
    """The type of COALESCE, CASE branches or set operation columns: all alike (NULL fits anything).

    Raises:
        AdqlSemanticError: values of different kinds (a number and a string, a POINT and a CIRCLE...).
    """
    typed = [v.vtype for v in values if v.vtype.kind != "null"]
    if not typed:
        return t.NULL
    first = typed[0]
    for other in typed[1:]:
        compatible = other.kind == first.kind and (first.kind != "geometry" or other.shape == first.shape)
        if not compatible:
            raise AdqlSemanticError(
                f"{at(call_pos)}{what} mixes {describe(first)} and {describe(other)}: all must be of one type"
            )
        if first.kind == "number" and other.datatype != first.datatype:
            first = t.arithmetic(first, other).with_unit(first.unit)
    return first


def _coalesce(call: FuncCall, args: Sequence[Value]) -> t.VType:
    return common_type(args, "COALESCE", call.pos)


def _check_latitudes(call: FuncCall, latitudes: Sequence[Value]) -> None:
    """Constant latitudes must lie in [-90, 90]: pgSphere would fold -95 to -85 on the other side of the pole."""
    for lat in latitudes:
        if lat.const is not None and not -90.0 <= lat.const <= 90.0:
            raise AdqlSemanticError(f"{at(call.pos)}{call.name}: latitude {lat.const:g} is outside [-90, 90]")


def _constructor(call: FuncCall, args: Sequence[Value]) -> t.VType:
    """POINT, CIRCLE, BOX, POLYGON: check that the arguments fit the numeric or the POINT form."""
    points_form = call.name != "POINT" and (
        all(_is_point(a) and a.vtype.kind != "null" for a in args) if call.name == "POLYGON"
        else len(args) == {"CIRCLE": 2, "BOX": 3}[call.name]
    )  # fmt: skip
    if points_form and call.name != "POLYGON":
        require_geometry(args[0], call, ("point",))
        numbers = args[1:]
    elif points_form:
        numbers = []
    else:
        if call.name == "POLYGON" and (len(args) % 2 or len(args) < 6):
            raise AdqlSyntaxError(
                "POLYGON takes at least three vertices: pairs of numbers or POINTs", call.pos[0], call.pos[1]
            )
        numbers = list(args)
        _check_latitudes(call, numbers[1::2] if call.name == "POLYGON" else numbers[1:2])
    for arg in numbers:
        require_numeric(arg, call.name, call)
    return {"POINT": t.POINT, "CIRCLE": t.CIRCLE}.get(call.name, t.POLYGON)


def _geometry_accessor(call: FuncCall, args: Sequence[Value]) -> t.VType:
    if call.name in ("COORD1", "COORD2"):
        require_geometry(args[0], call, ("point",))
        return t.DOUBLE.with_unit("deg")
    require_geometry(args[0], call)
    return {"CENTROID": t.POINT, "AREA": t.DOUBLE.with_unit("deg**2"), "COORDSYS": t.STRING}[call.name]


def _distance(call: FuncCall, args: Sequence[Value]) -> t.VType:
    if len(args) == 4:
        for arg in args:
            require_numeric(arg, "DISTANCE", call)
    else:
        for arg in args:
            require_geometry(arg, call, ("point",))
    return t.DOUBLE.with_unit("deg")


def _predicate(call: FuncCall, args: Sequence[Value]) -> t.VType:
    for arg in args:
        require_geometry(arg, call)
    return t.INT


_RESULT: Final[dict[str, Callable[[FuncCall, Sequence[Value]], t.VType]]] = {
    **dict.fromkeys(MATH_FUNCTIONS, _math),
    "LOWER": _case_folding,
    "UPPER": _case_folding,
    **dict.fromkeys(("AVG", "MAX", "MIN", "SUM", "COUNT"), _aggregate),
    "COALESCE": _coalesce,
    **dict.fromkeys(("POINT", "CIRCLE", "BOX", "POLYGON"), _constructor),
    **dict.fromkeys(("CENTROID", "AREA", "COORD1", "COORD2", "COORDSYS"), _geometry_accessor),
    "DISTANCE": _distance,
    "CONTAINS": _predicate,
    "INTERSECTS": _predicate,
}


def result_type(call: FuncCall, args: Sequence[Value]) -> t.VType:
    """The type of an ADQL built-in function call, after checking its arguments.

    Raises:
        AdqlSemanticError: an argument of the wrong type.
        AdqlSyntaxError: a geometry constructor whose arguments fit none of its forms.
    """
    return _RESULT[call.name](call, args)
