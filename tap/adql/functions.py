"""ADQL's built-in functions: what arguments they accept and what they return.

Both targets share these rules, so a query gets the same result metadata (and the same type errors) on
SQLite and on PostgreSQL.  Numeric arguments accept strings as well (``'30' * 1323`` is valid ADQL and the
databases convert); geometries are accepted only where ADQL expects them, and ADQL's geometry constructors
are resolved to their numeric or POINT form here.

Raises :class:`AdqlSemanticError` for a wrong argument type and :class:`AdqlSyntaxError` for a constructor
whose arguments fit none of its forms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from tap.adql import types as t
from tap.adql.errors import AdqlSemanticError, AdqlSyntaxError, at
from tap.adql.scope import Value
from tap.adql.syntax import FuncCall

__all__ = [
    "GEOMETRY_FUNCTIONS",
    "common_type",
    "describe",
    "require_geometry",
    "require_numeric",
    "result_type",
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
_NUMERIC_LIKE: Final = frozenset({"number", "string", "null"})


def describe(vtype: t.VType) -> str:
    """A type as an error message names it."""
    if vtype.kind == "geometry":
        return "a " + (vtype.xtype or "geometry").upper()
    return {"number": "a number", "string": "a string", "timestamp": "a timestamp", "boolean": "a boolean",
            "null": "NULL"}.get(vtype.kind, f"a {vtype.datatype} array")  # fmt: skip


def require_numeric(value: Value, where: str, call: FuncCall | None = None) -> None:
    if value.vtype.kind not in _NUMERIC_LIKE:
        position = call.pos if call is not None else None
        raise AdqlSemanticError(f"{at(position)}{where} expects a number, not {describe(value.vtype)}")


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
    if args[0].vtype.kind == "geometry":
        raise AdqlSemanticError(f"{at(call.pos)}{call.name} expects a string, not {describe(args[0].vtype)}")
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
