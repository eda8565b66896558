"""SQL for PostgreSQL with pgSphere 1.2: geometry as spoint/scircle/spoly in radians, ADQL degrees outside.

pgSphere's operators do the spatial work (``<@`` contained by, ``&&`` overlap, ``<->`` distance); what
pgSphere 1.2 lacks (polygons built from expressions, ADQL's BOX, a polygon centroid, DALI text output,
geometry from DALI text) is provided by the SQL functions of :mod:`tap.adql.pg_setup`.  Decimal literals are
cast to double precision so that no ``numeric`` value (a Python ``Decimal``) reaches a result, and ROUND,
TRUNCATE and MOD go through ``numeric`` because PostgreSQL defines them only there.  A cone on a table with a
position is written ``spoint(radians(ra), radians(dec)) <@ scircle(...)``, the expression of its GiST index.
Circles larger than a hemisphere, which pgSphere cannot represent, are handled by :mod:`tap.adql.pg_geometry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import ClassVar, Final

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.generators.postgres import PostgresGenerator

from tap.adql import pg_geometry as pgg
from tap.adql.geometry import Cone, circle_parts, point_parts, position_of
from tap.adql.pg_geometry import SphereOp, double, indexed_spoint, sphere_op, spoint
from tap.adql.scope import Field, Value
from tap.adql.syntax import FuncCall, TypeName
from tap.adql.target_sqlite import dali_literal_check
from tap.adql.targets import Target, aggregate, call, fold_and, number, paren

__all__ = ["PostgresTarget"]

#: Literals smaller than this become 0: PostgreSQL fails on float8 underflow (radians(1e-307) already).
_TINY: Final = 1e-290


class _Generator(PostgresGenerator):
    TRANSFORMS: ClassVar[dict[type[exp.Expr], Callable[..., str]]] = {
        **PostgresGenerator.TRANSFORMS,
        SphereOp: lambda self, e: self.binary(e, e.args["op"]),
    }


class _Dialect(Postgres):
    Generator = _Generator


def _numeric(e: exp.Expression) -> exp.Expression:
    return exp.Cast(this=e, to=exp.DataType.build("NUMERIC"))


def _sql(values: Sequence[Value]) -> list[exp.Expression]:
    return [v.sql.copy() for v in values]


def _fractional(value: Value) -> bool:
    """Whether a value may hold a fraction: a float or a string (integers must not go through trunc's double)."""
    return value.vtype.kind == "string" or (value.vtype.kind == "number" and not value.vtype.is_integer)


#: ADQL functions that map to one PostgreSQL function; the ``mmvo_`` ones are NULL outside their domain.
_SIMPLE: Final[dict[str, str]] = {
    "ABS": "abs", "CEILING": "ceiling", "DEGREES": "degrees", "EXP": "exp", "FLOOR": "floor", "LOG": "mmvo_ln",
    "LOG10": "mmvo_log10", "PI": "pi", "POWER": "mmvo_power", "RADIANS": "radians", "SQRT": "mmvo_sqrt",
    "RAND": "random", "ACOS": "mmvo_acos", "ASIN": "mmvo_asin", "ATAN": "atan", "ATAN2": "atan2", "COS": "cos",
    "COT": "cot", "SIN": "sin", "TAN": "tan", "LOWER": "lower", "UPPER": "upper", "COALESCE": "coalesce",
}  # fmt: skip
_DALI: Final = {"point": "mmvo_dali_point", "circle": "mmvo_dali_circle", "polygon": "mmvo_dali_polygon"}
_FROM_DALI: Final = {"POINT": "mmvo_point_from_dali", "CIRCLE": "mmvo_circle_from_dali",
                     "POLYGON": "mmvo_polygon_from_dali"}  # fmt: skip
_INTEGER_TYPES: Final = frozenset({"SMALLINT", "INTEGER", "BIGINT"})
_CAST_TYPES: Final = {"SMALLINT": "SMALLINT", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "REAL": "REAL",
                      "DOUBLE": "DOUBLE PRECISION", "TIMESTAMP": "TIMESTAMP"}  # fmt: skip


class PostgresTarget(Target):
    """PostgreSQL 12+ with pgSphere 1.2 and the functions of :mod:`tap.adql.pg_setup`."""

    name = "postgresql"
    sqlglot_dialect = _Dialect()

    def string(self, text: str) -> exp.Expression:
        if "\\" in text:  # an escape string means the same whatever standard_conforming_strings says
            return exp.ByteString(this=text)
        return exp.Literal.string(text)

    def stored(self, field: Field) -> exp.Expression:
        return field.raw()

    def literal(self, kind: str, text: str) -> exp.Expression:
        if kind == "int" and abs(int(text)) < 2**63:
            return exp.Literal.number(text)
        if 0.0 < abs(float(text)) < _TINY:
            text = "0.0"  # PostgreSQL refuses subnormal input and underflow in arithmetic ("out of range")
        return double(exp.Literal.number(text))

    def function(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        name = call_.name
        if name in _SIMPLE:
            return call(_SIMPLE[name], *_sql(args))
        return _SPECIAL[name](self, call_, args)

    # --------------------------------------------------------------------------- numeric

    def _numeric_function(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        """ROUND, TRUNCATE, MOD exist for numeric only: compute there, return double precision."""
        sql = [_numeric(a.sql.copy()) for a in args]
        if call_.name == "MOD":
            return double(call("mod", *sql))
        places = args[1].sql.copy() if len(args) > 1 else exp.Literal.number(0)
        return double(call("round" if call_.name == "ROUND" else "trunc", sql[0], places))

    def aggregate(self, call_: FuncCall, arg: Value | None) -> exp.Expression:
        if call_.name in ("MIN", "MAX") and arg is not None and arg.vtype.kind == "boolean":
            # PostgreSQL has no min/max of booleans (SQLite takes those of 0 and 1): false < true
            return call("bool_and" if call_.name == "MIN" else "bool_or", arg.sql.copy())
        if call_.name in ("SUM", "AVG") and arg is not None and not arg.vtype.is_integer:
            # PostgreSQL's sum(real) adds in single precision; ADQL's result is a double, as on SQLite
            arg = replace(arg, sql=double(arg.sql.copy()))
        sql = aggregate(call_, arg)
        if call_.name == "AVG":
            return double(sql)
        if call_.name == "SUM" and arg is not None:
            return exp.Cast(
                this=sql, to=exp.DataType.build("BIGINT" if arg.vtype.is_integer else "DOUBLE PRECISION")
            )
        return sql

    def udf(self, name: str, args: Sequence[Value]) -> exp.Expression:
        if (
            name == "ivo_healpix_index"
        ):  # not pgSphere's healpix_nest, wrong at the poles (tap.adql.pg_healpix)
            return call("mmvo_healpix_index", *_sql(args))
        return call(name, *_sql(args))

    def cast(self, value: Value, target: TypeName) -> exp.Expression:
        sql = value.sql.copy()
        if target.name in _INTEGER_TYPES and _fractional(value):
            # PostgreSQL rounds a fraction cast to an integer type (and refuses '2.7'); ADQL leaves the rule to
            # the service, which truncates as SQLite does.  Through numeric for strings: exact for big integers.
            sql = call("trunc", _numeric(sql) if value.vtype.kind == "string" else sql)
        if target.name in _CAST_TYPES:
            return exp.Cast(this=sql, to=exp.DataType.build(_CAST_TYPES[target.name], dialect="postgres"))
        if target.name in ("CHAR", "VARCHAR"):
            type_ = "TEXT" if target.length is None else f"VARCHAR({target.length})"
            return exp.Cast(this=sql, to=exp.DataType.build(type_, dialect="postgres"))
        if value.text is not None:
            dali_literal_check(value.text, target.name, target.pos)
        return call(_FROM_DALI[target.name], exp.Cast(this=sql, to=exp.DataType.build("TEXT")))

    def like(self, value: Value, pattern: Value, case_insensitive: bool) -> exp.Expression:
        node = exp.ILike if case_insensitive else exp.Like
        match = node(this=value.sql.copy(), expression=pattern.sql.copy())
        return exp.Escape(this=match, expression=exp.Literal.string(""))

    # --------------------------------------------------------------------------- geometry

    def _constructor(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        sql = _sql(args)
        points_form = call_.name != "POINT" and args[0].vtype.kind == "geometry"
        if call_.name == "POINT":
            # the table's position columns: the expression of their GiST index, so that predicates can use it
            return (indexed_spoint if position_of(*args) else spoint)(*sql)
        if call_.name == "CIRCLE":
            center = sql[0] if points_form else spoint(sql[0], sql[1])
            return call("scircle", center, call("radians", sql[-1]))
        if call_.name == "BOX":
            return call("mmvo_box_p" if points_form else "mmvo_box", *sql)
        return call("mmvo_spoly_p" if points_form else "mmvo_spoly", *sql)

    def _accessor(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        wide = pgg.wide_parts(args[0])
        if wide is not None:
            return _wide_accessor(call_.name, *wide)
        g = args[0].sql.copy()
        shape = args[0].vtype.shape
        if call_.name in ("COORD1", "COORD2"):
            return call("degrees", call("long" if call_.name == "COORD1" else "lat", g))
        if call_.name == "COORDSYS":
            return exp.Case(ifs=[exp.If(this=exp.Is(this=g, expression=exp.Null()), true=exp.Null())],
                            default=exp.Literal.string("ICRS"))  # fmt: skip
        if call_.name == "CENTROID":
            return {"point": g, "circle": call("center", g)}.get(shape or "", call("mmvo_centroid", g))
        if shape == "point":
            return exp.Case(ifs=[exp.If(this=exp.Is(this=g, expression=exp.Null()), true=exp.Null())],
                            default=double(exp.Literal.number(0)))  # fmt: skip
        if shape == "circle":
            return pgg.cap_area(call("radius", g))
        return call("mmvo_area", g)

    def _distance(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        if len(args) == 4:
            return call("mmvo_distance", *_sql(args))
        first, second = point_parts(args[0]), point_parts(args[1])
        if first is not None and second is not None:
            return call("mmvo_distance", *_sql((*first, *second)))
        return call("degrees", sphere_op("<->", args[0].sql.copy(), args[1].sql.copy()))

    def spatial_predicate(self, func: str, a: Value, b: Value, truth: bool) -> exp.Expression:
        predicate = self._spatial(func, a, b)
        return predicate if truth else exp.Not(this=paren(predicate))

    def spatial_int(self, func: str, a: Value, b: Value) -> exp.Expression:
        return exp.Cast(this=paren(self._spatial(func, a, b)), to=exp.DataType.build("INTEGER"))

    def _spatial(self, func: str, a: Value, b: Value) -> exp.Expression:
        """The predicate as a boolean; a CIRCLE that may exceed a hemisphere is handled by
        :func:`tap.adql.pg_geometry.wide_predicate`."""
        if func == "INTERSECTS" and b.vtype.shape == "point" and a.vtype.shape != "point":
            a, b = b, a
        return pgg.wide_predicate(func, a, b, self._ordinary(func, a, b))

    def _ordinary(self, func: str, a: Value, b: Value) -> exp.Expression:
        """pgSphere's form of the predicate (a point first for INTERSECTS)."""
        shape_a, shape_b = a.vtype.shape, b.vtype.shape
        if shape_a == "point" and shape_b == "point":
            return exp.EQ(this=paren(a.sql.copy()), expression=paren(b.sql.copy()))
        if func == "INTERSECTS" and shape_a != "point":
            return sphere_op("&&", a.sql.copy(), b.sql.copy())
        if shape_a in ("circle", "polygon") and shape_b == "point":
            return exp.false()  # a region never lies in a single point
        point, circle = point_parts(a), circle_parts(b)
        if point is not None and circle is not None:
            return self._within(Cone(*point, *circle, strict=False))
        return sphere_op("<@", a.sql.copy(), b.sql.copy())

    def _within(self, cone: Cone) -> exp.Expression:
        """The exact test: pgSphere's ``<@`` has a 1e-9 rad tolerance and spoint() snaps near-zero values."""
        distance = call("mmvo_distance", *_sql((cone.lon, cone.lat, cone.center_lon, cone.center_lat)))
        return (exp.LT if cone.strict else exp.LTE)(this=distance, expression=paren(cone.radius.sql.copy()))

    def cone(self, cone: Cone) -> exp.Expression:
        exact = self._within(cone)
        r = cone.radius.const
        if (
            not position_of(cone.lon, cone.lat)
            or r is None
            or not (0.0 <= r <= pgg.MAX_RADIUS_DEG - pgg.PAD_DEG)
        ):
            return exact
        p = indexed_spoint(cone.lon.sql.copy(), cone.lat.sql.copy())
        c = indexed_spoint(cone.center_lon.sql.copy(), cone.center_lat.sql.copy())
        padded = exp.Add(this=paren(cone.radius.sql.copy()), expression=number(pgg.PAD_DEG))
        return fold_and([sphere_op("<@", p, call("scircle", c, call("radians", padded))), exact])

    def dali(self, value: Value) -> exp.Expression:
        wide = pgg.wide_parts(value)
        if wide is not None:  # from the parts, the scircle being impossible
            center, radius = wide
            text = exp.DPipe(this=call("mmvo_dali_point", center), expression=exp.Literal.string(" "))
            return exp.DPipe(this=text, expression=exp.Cast(this=radius, to=exp.DataType.build("TEXT")))
        shape = value.vtype.shape
        if shape not in _DALI:
            return value.sql.copy()
        return call(_DALI[shape], value.sql.copy())


def _wide_accessor(name: str, center: exp.Expression, radius: exp.Expression) -> exp.Expression:
    """CENTROID, AREA or COORDSYS of a circle that may be too wide for an scircle, from its centre and radius
    (NULL when the centre is)."""
    if name == "CENTROID":
        return center
    value = pgg.cap_area(call("radians", radius)) if name == "AREA" else exp.Literal.string("ICRS")
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=center, expression=exp.Null()), true=exp.Null())], default=value
    )


_SPECIAL: Final[dict[str, Callable[[PostgresTarget, FuncCall, Sequence[Value]], exp.Expression]]] = {
    **dict.fromkeys(("ROUND", "TRUNCATE", "MOD"), PostgresTarget._numeric_function),
    **dict.fromkeys(("POINT", "CIRCLE", "BOX", "POLYGON"), PostgresTarget._constructor),
    **dict.fromkeys(("CENTROID", "AREA", "COORD1", "COORD2", "COORDSYS"), PostgresTarget._accessor),
    "DISTANCE": PostgresTarget._distance,
}
