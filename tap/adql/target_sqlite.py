"""SQL for SQLite: ADQL functions as built-in or registered SQL functions, geometry as tagged text.

Functions SQLite lacks or gets wrong for ADQL (natural ``log``, ``round`` with negative places, ``rand``...)
are registered by :func:`tap.adql.sqlite_functions.prepare_connection` under ``mmvo_`` names; geometry uses
the ``adql_*`` functions of :mod:`tap.adql.sqlite_geometry`.  A cone on a table with a position is
prefiltered by ranges of the hidden ``_hpx`` HEALPix column (:mod:`tap.adql.healpix_index`) before the exact
test, which SQLite answers with one index range scan per range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final

from sqlglot import exp
from sqlglot.dialects.sqlite import SQLite

from tap.adql import healpix_index, sphere
from tap.adql.errors import AdqlSemanticError, at
from tap.adql.geometry import Cone, circle_parts, point_parts, position_of
from tap.adql.healpix_index import Range
from tap.adql.scope import Field, NameAllocator, Value, column_sql, ident
from tap.adql.sphere import GeometryError
from tap.adql.syntax import FuncCall, TypeName
from tap.adql.targets import SET_NODES, Operand, Target, aggregate, call, fold_and, number, paren

__all__ = ["SqliteTarget", "dali_literal_check"]

#: ADQL functions that map to one SQLite function of the same arguments.
_SIMPLE: Final[dict[str, str]] = {
    "ABS": "abs", "CEILING": "ceiling", "DEGREES": "degrees", "EXP": "exp", "FLOOR": "floor", "LOG": "ln",
    "LOG10": "mmvo_log10", "MOD": "mmvo_mod", "PI": "pi", "POWER": "mmvo_power", "RADIANS": "radians",
    "SQRT": "sqrt", "RAND": "mmvo_rand", "ACOS": "acos", "ASIN": "asin", "ATAN": "atan", "ATAN2": "atan2",
    "COS": "cos", "COT": "mmvo_cot", "SIN": "sin", "TAN": "tan", "LOWER": "mmvo_lower", "UPPER": "mmvo_upper",
    "COALESCE": "coalesce", "CENTROID": "adql_centroid", "AREA": "adql_area", "COORD2": "adql_coord2",
    "COORDSYS": "adql_coordsys",
}  # fmt: skip
#: Constructors: (numbers form, POINT form).
_CONSTRUCTORS: Final[dict[str, tuple[str, str]]] = {
    "POINT": ("adql_point", "adql_point"),
    "CIRCLE": ("adql_circle", "adql_circle_p"),
    "BOX": ("adql_box", "adql_box_p"),
    "POLYGON": ("adql_polygon", "adql_polygon_p"),
}
_MAX_RADIUS_DEG: Final = 180.0
_DALI_COUNTS: Final = {"POINT": (2, 2), "CIRCLE": (3, 3), "POLYGON": (6, 10**9)}


def _sql(values: Sequence[Value]) -> list[exp.Expression]:
    return [v.sql.copy() for v in values]


def dali_literal_check(text: str, shape: str, position: tuple[int, int]) -> None:
    """A string cast to a geometry must be DALI text of that shape.

    Raises:
        AdqlSemanticError: not numbers, or the wrong count of them.
    """
    parts = text.split()
    low, high = _DALI_COUNTS[shape]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not numbers or not low <= len(numbers) <= high or (shape == "POLYGON" and len(numbers) % 2):
        raise AdqlSemanticError(f"{at(position)}{text!r} is not the DALI serialisation of a {shape}")


class SqliteTarget(Target):
    """SQLite 3.40+ with the functions :func:`tap.adql.sqlite_functions.prepare_connection` registers."""

    name = "sqlite"
    sqlglot_dialect = SQLite()

    def boolean(self, truth: bool) -> exp.Expression:
        return exp.Literal.number(int(truth))  # booleans are stored as 0 and 1

    def double(self, expression: exp.Expression) -> exp.Expression:
        return exp.Cast(this=expression, to=exp.DataType.build("REAL"))

    def set_operation(
        self, op: str, distinct: bool, operands: tuple[Operand, Operand], names: NameAllocator
    ) -> exp.Expression:
        if distinct or op == "UNION":
            return super().set_operation(op, distinct, operands, names)
        return _numbered_set_operation(op, operands, names)

    def scalar_subquery(self, query: exp.Expression, column: str, names: NameAllocator) -> exp.Expression:
        """SQLite would take the first of several rows: ``mmvo_single_value`` refuses a second one."""
        alias = names("q", "q")
        single = exp.Select(expressions=[call("mmvo_single_value", column_sql(alias, column))])
        single.set("from_", exp.From(this=exp.Subquery(this=query, alias=exp.TableAlias(this=ident(alias)))))
        return exp.Subquery(this=single)

    def stored(self, field: Field) -> exp.Expression:
        shape = field.vtype.shape
        if shape in ("point", "circle", "polygon"):
            return paren(exp.DPipe(this=exp.Literal.string(f"{shape} "), expression=field.raw()))
        return field.raw()

    def literal(self, kind: str, text: str) -> exp.Expression:
        return exp.Literal.number(text)

    def function(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        name = call_.name
        if name == "COALESCE" and len(args) == 1:
            return args[0].sql.copy()  # SQLite's coalesce() wants two arguments at least
        if name in _SIMPLE:
            return call(_SIMPLE[name], *_sql(args))
        if name == "COORD1":  # wrapped into [0, 360) as on PostgreSQL
            return call("mmvo_lon", call("adql_coord1", args[0].sql.copy()))
        special = _SPECIAL.get(name)
        if special is not None:
            return special(self, call_, args)
        numbers, points = _CONSTRUCTORS[name]
        points_form = name != "POINT" and args[0].vtype.kind == "geometry"
        return call(points if points_form else numbers, *_sql(args))

    def _rounding(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        places = args[1].sql.copy() if len(args) > 1 else exp.Literal.number(0)
        return call("mmvo_round" if call_.name == "ROUND" else "mmvo_truncate", args[0].sql.copy(), places)

    def _distance(self, call_: FuncCall, args: Sequence[Value]) -> exp.Expression:
        if len(args) == 4:
            return call("adql_distance4", *_sql(args))
        first, second = point_parts(args[0]), point_parts(args[1])
        if first is not None and second is not None:
            return call("adql_distance4", *_sql((*first, *second)))
        return call("adql_distance", *_sql(args))

    def aggregate(self, call_: FuncCall, arg: Value | None) -> exp.Expression:
        return aggregate(call_, arg)

    def udf(self, name: str, args: Sequence[Value]) -> exp.Expression:
        if name == "ivo_healpix_index":
            return call("mmvo_healpix_index", *_sql(args))
        return call(name, *_sql(args))

    def cast(self, value: Value, target: TypeName) -> exp.Expression:
        sql = value.sql.copy()
        name = target.name
        if name in ("SMALLINT", "INTEGER", "BIGINT"):
            return exp.Cast(this=sql, to=exp.DataType.build("INTEGER"))
        if name in ("REAL", "DOUBLE"):
            return exp.Cast(this=sql, to=exp.DataType.build("REAL"))
        if name in ("CHAR", "VARCHAR"):
            text = exp.Cast(this=sql, to=exp.DataType.build("TEXT"))
            if target.length is None:
                return text
            return call("substr", text, exp.Literal.number(1), exp.Literal.number(target.length))
        if name == "TIMESTAMP":
            return call("mmvo_timestamp", sql)
        if value.text is not None:
            dali_literal_check(value.text, name, target.pos)
        return paren(exp.DPipe(this=exp.Literal.string(f"{name.lower()} "), expression=paren(sql)))

    def like(self, value: Value, pattern: Value, case_insensitive: bool) -> exp.Expression:
        if case_insensitive:
            lowered = [call("mmvo_lower", v.sql.copy()) for v in (value, pattern)]
            return exp.Like(this=lowered[0], expression=lowered[1])
        return exp.Like(this=value.sql.copy(), expression=pattern.sql.copy())

    def spatial_int(self, func: str, a: Value, b: Value) -> exp.Expression:
        if func == "INTERSECTS":
            if point_parts(b) is not None or (b.vtype.shape == "point" and a.vtype.shape != "point"):
                a, b = b, a
            if a.vtype.shape != "point":
                return call("adql_intersects", a.sql.copy(), b.sql.copy())
        coordinates = point_parts(a)
        if coordinates is None:
            return call("adql_contains", a.sql.copy(), b.sql.copy())
        circle = circle_parts(b)
        if circle is not None:
            return call("adql_in_cone", *_sql((*coordinates, *circle)))
        return call("adql_contains_point", *_sql(coordinates), b.sql.copy())

    def spatial_predicate(self, func: str, a: Value, b: Value, truth: bool) -> exp.Expression:
        exact = exp.EQ(this=self.spatial_int(func, a, b), expression=exp.Literal.number(1 if truth else 0))
        if func == "INTERSECTS" and point_parts(b) is not None:
            a, b = b, a
        coordinates = point_parts(a)
        if not truth or coordinates is None or not position_of(*coordinates):
            return exact
        prefilter = _hpx_condition(coordinates[0], _region_ranges(b))
        return exact if prefilter is None else fold_and([prefilter, exact])

    def cone(self, cone: Cone) -> exp.Expression:
        r = cone.radius.const
        if cone.from_distance and (r is None or not 0.0 <= r <= _MAX_RADIUS_DEG):
            # adql_in_cone wants a valid radius; DISTANCE(...) < -1 or < ra is a plain comparison
            distance = call("adql_distance4", *_sql((cone.lon, cone.lat, cone.center_lon, cone.center_lat)))
            node = exp.LT if cone.strict else exp.LTE
            return node(this=distance, expression=paren(cone.radius.sql.copy()))
        args = _sql((cone.lon, cone.lat, cone.center_lon, cone.center_lat, cone.radius))
        conditions: list[exp.Expression] = []
        prefilter = self._prefilter(cone)
        if prefilter is not None:
            conditions.append(prefilter)
        conditions.append(exp.EQ(this=call("adql_in_cone", *args), expression=exp.Literal.number(1)))
        if cone.strict:
            distance = call("adql_distance4", *_sql((cone.lon, cone.lat, cone.center_lon, cone.center_lat)))
            conditions.append(exp.LT(this=distance, expression=paren(cone.radius.sql.copy())))
        return fold_and(conditions)

    def _prefilter(self, cone: Cone) -> exp.Expression | None:
        """``_hpx`` ranges covering a constant cone around indexed positions, or None."""
        center = _constants((cone.center_lon, cone.center_lat, cone.radius))
        if not position_of(cone.lon, cone.lat) or center is None:
            return None
        return _hpx_condition(cone.lon, _ranges(healpix_index.cone_ranges, *center))

    def dali(self, value: Value) -> exp.Expression:
        if value.field is not None and value.field.stored and value.field.merged is None:
            return value.field.raw()
        if value.vtype.shape == "region":
            return value.sql.copy()
        return call("adql_dali", value.sql.copy())


def _numbered_set_operation(
    op: str, operands: tuple[Operand, Operand], names: NameAllocator
) -> exp.Expression:
    """INTERSECT ALL or EXCEPT ALL, which SQLite lacks, from the plain INTERSECT or EXCEPT it has.

    Each row of either side gets its rank among the identical rows of that side (``ROW_NUMBER() OVER
    (PARTITION BY`` every column ``)``), which makes the rows distinct: a row found m times on the left and n
    times on the right is then kept min(m, n) times by INTERSECT and max(m - n, 0) times by EXCEPT, the
    multiset semantics PostgreSQL gives natively.  PARTITION BY, like the set operations, takes NULLs as equal.
    """
    columns = list(operands[0][1])
    rank = "_rank"
    while rank.lower() in {c.lower() for c in columns}:
        rank = "_" + rank
    sides: list[exp.Expression] = []
    for sql, side_columns in operands:
        alias = names("q", "q")
        values = [column_sql(alias, c) for c in side_columns]
        window = exp.Window(this=exp.RowNumber(), partition_by=[v.copy() for v in values])
        outputs = [exp.Alias(this=v, alias=ident(c)) for v, c in zip(values, columns, strict=True)]
        side = exp.Select(expressions=[*outputs, exp.Alias(this=window, alias=ident(rank))])
        side.set("from_", exp.From(this=exp.Subquery(this=sql, alias=exp.TableAlias(this=ident(alias)))))
        sides.append(side)
    numbered = SET_NODES[op](this=sides[0], expression=sides[1], distinct=True)
    alias = names("q", "q")
    result = exp.Select(expressions=[exp.Alias(this=column_sql(alias, c), alias=ident(c)) for c in columns])
    result.set("from_", exp.From(this=exp.Subquery(this=numbered, alias=exp.TableAlias(this=ident(alias)))))
    return result


def _constants(values: Sequence[Value]) -> list[float] | None:
    """The numbers of constant expressions, or None if any is not a finite constant."""
    numbers = [v.const for v in values]
    if any(n is None or not math.isfinite(n) for n in numbers):
        return None
    return [float(n) for n in numbers if n is not None]


def _ranges(cover: Callable[..., list[Range] | None], *args: object) -> list[Range] | None:
    try:
        return cover(*args)
    except GeometryError:
        return None  # an invalid region: the exact test reports it or matches nothing


def _region_ranges(region: Value) -> list[Range] | None:
    """``_hpx`` ranges covering a constant BOX or POLYGON given by numbers (None: no prefilter)."""
    numbers = _constants(region.args) if region.func in ("BOX", "POLYGON") else None
    if numbers is None or (region.func == "BOX" and len(numbers) != 4):
        return None
    if region.func == "BOX":
        return _ranges(lambda: healpix_index.polygon_ranges(sphere.box(*numbers).vertices))
    return _ranges(healpix_index.polygon_ranges, list(zip(numbers[0::2], numbers[1::2], strict=True)))


def _hpx_condition(lon: Value, ranges: list[Range] | None) -> exp.Expression | None:
    """``(_hpx >= lo AND _hpx < hi) OR ...`` on the relation of the indexed position ``lon`` belongs to."""
    if ranges is None:
        return None
    if not ranges:
        return exp.false()
    assert lon.field is not None and lon.field.relation is not None
    hpx = column_sql(lon.field.relation.sql_alias, "_hpx")
    alternatives = [
        exp.And(
            this=exp.GTE(this=hpx.copy(), expression=number(lo)),
            expression=exp.LT(this=hpx.copy(), expression=number(hi)),
        )
        for lo, hi in ranges
    ]
    result: exp.Expression = paren(alternatives[0])
    for alternative in alternatives[1:]:
        result = exp.Or(this=result, expression=paren(alternative))
    return paren(result)


_SPECIAL: Final[dict[str, Callable[[SqliteTarget, FuncCall, Sequence[Value]], exp.Expression]]] = {
    "ROUND": SqliteTarget._rounding,
    "TRUNCATE": SqliteTarget._rounding,
    "DISTANCE": SqliteTarget._distance,
}
