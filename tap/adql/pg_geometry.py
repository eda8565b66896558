"""pgSphere SQL for ADQL geometry: its operators, checked points, and circles larger than a hemisphere.

pgSphere's ``scircle`` cannot have a radius above 90 degrees, while ADQL (and SQLite's side) allow up to 180.
A CIRCLE built from numbers or a POINT whose radius may exceed 90 (a constant above 90, or any expression) is
therefore never built as an ``scircle`` when the query only needs its centre and radius:

* AREA is the cap's area, ``4 pi sin^2(r / 2)``, from the radius (:func:`cap_area`);
* a point is in the cap when its distance to the centre is at most ``r``; two caps meet when the distance
  between their centres is at most ``r1 + r2``, and one lies in the other when it plus ``r1`` is at most
  ``r2`` (or ``r2`` is 180): exact for any radii;
* a polygon meets a cap C when it does not lie in C's complement, the open cap of radius ``180 - r`` around
  the antipode, and lies in C when it does not meet that complement.  The complement is shrunk by
  :data:`PAD_DEG` (beyond pgSphere's own 1e-9 rad tolerance) so that touching the boundary counts, which
  belongs to the circle in ADQL; a cap larger than a hemisphere never lies in a polygon (polygons fit in one).

Where the radius is not constant the SQL chooses at run time (``CASE WHEN r <= 90``) between this and the
ordinary pgSphere form, which the spatial indexes can use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from sqlglot import exp

from tap.adql.geometry import circle_parts, point_parts
from tap.adql.scope import Value
from tap.adql.targets import call, paren

__all__ = [
    "MAX_RADIUS_DEG",
    "PAD_DEG",
    "SphereOp",
    "cap_area",
    "double",
    "indexed_spoint",
    "possibly_wide",
    "sphere_op",
    "spoint",
    "wide_parts",
    "wide_predicate",
]

#: pgSphere's scircle cannot be larger than a hemisphere.
MAX_RADIUS_DEG: Final = 90.0
#: A margin in degrees above pgSphere's rounding of coordinates (up to 1e-9 rad): index circles are padded by
#: it, complements of wide circles shrunk.
PAD_DEG: Final = 1e-6


class SphereOp(exp.Expression, exp.Binary):
    """A pgSphere infix operator (``<@``, ``&&``, ``<->``), which sqlglot does not know."""

    arg_types: ClassVar[dict[str, bool]] = {"this": True, "expression": True, "op": True}


def sphere_op(op: str, a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Paren(this=SphereOp(this=paren(a), expression=paren(b), op=op))


def double(e: exp.Expression) -> exp.Expression:
    return exp.Cast(this=e, to=exp.DataType.build("DOUBLE PRECISION"))


def spoint(lon: exp.Expression, lat: exp.Expression) -> exp.Expression:
    """A point from degrees, refusing a latitude outside [-90, 90] (pgSphere's spoint() would fold it)."""
    return call("mmvo_spoint", lon, lat)


def indexed_spoint(lon: exp.Expression, lat: exp.Expression) -> exp.Expression:
    """A point as the GiST index on a table's position columns computes it: for the index conditions of cones,
    where the exact test decides (constant latitudes are checked at translation)."""
    return call("spoint", call("radians", lon), call("radians", lat))


def possibly_wide(value: Value) -> bool:
    """Whether ``value`` is a CIRCLE built from its parts whose radius may exceed pgSphere's 90 degrees."""
    parts = circle_parts(value)
    return parts is not None and (parts[2].const is None or parts[2].const > MAX_RADIUS_DEG)


@dataclass(frozen=True, slots=True)
class _Cap:
    """A circle as its centre (spoint) and radius in degrees, with the condition under which pgSphere can build
    it: TRUE for an scircle value, FALSE for a constant radius above 90, ``r <= 90`` otherwise."""

    center: exp.Expression
    radius: exp.Expression
    small: exp.Expression


def _cap(value: Value) -> _Cap:
    parts = circle_parts(value)
    if parts is None:  # an scircle: pgSphere made it, so it is at most a hemisphere
        g = value.sql
        return _Cap(call("center", g.copy()), call("degrees", call("radius", g.copy())), exp.true())
    lon, lat, r = parts
    center = value.args[0].sql.copy() if len(value.args) == 2 else spoint(lon.sql.copy(), lat.sql.copy())
    radius = call("mmvo_radius", r.sql.copy())
    if r.const is not None:
        return _Cap(center, radius, exp.false())  # constant and possibly wide: above 90
    return _Cap(center, radius, exp.LTE(this=paren(r.sql.copy()), expression=exp.Literal.number(90)))


def _distance(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return call("degrees", sphere_op("<->", a, b))


def _complement(func: str, region: exp.Expression, cap: _Cap) -> exp.Expression:
    """INTERSECTS or CONTAINS of a polygon and a wide cap, through the cap's (shrunk) complement."""
    reach = exp.Sub(this=exp.Sub(this=exp.Literal.number(180), expression=paren(cap.radius.copy())),
                    expression=exp.Literal.number(PAD_DEG))  # fmt: skip
    antipode = call("spoint", exp.Add(this=call("long", cap.center.copy()), expression=call("pi")),
                    exp.Neg(this=call("lat", cap.center.copy())))  # fmt: skip
    complement = call("scircle", antipode, call("radians", reach))
    inside = sphere_op("<@" if func == "INTERSECTS" else "&&", region.copy(), complement)
    whole = exp.LT(this=paren(reach.copy()), expression=exp.Literal.number(0))
    return exp.Case(
        ifs=[exp.If(this=_is_null(region), true=exp.Null()), exp.If(this=whole, true=exp.true())],
        default=exp.Not(this=inside),
    )


def _is_null(value: exp.Expression) -> exp.Expression:
    return exp.Is(this=paren(value.copy()), expression=exp.Null())


def _caps(func: str, a: _Cap, b: _Cap) -> exp.Expression:
    d = _distance(a.center.copy(), b.center.copy())
    ra, rb = paren(a.radius.copy()), paren(b.radius.copy())
    if func == "INTERSECTS":
        return exp.LTE(this=d, expression=exp.Add(this=ra, expression=rb))
    # a radius of 180 holds everything: then the bound is 360, beyond any distance plus radius
    whole = exp.GTE(this=rb.copy(), expression=exp.Literal.number(180))
    bound = exp.Case(ifs=[exp.If(this=whole, true=exp.Literal.number(360))], default=rb)
    return exp.LTE(this=exp.Add(this=d, expression=ra), expression=bound)


def _wide_form(func: str, a: Value, b: Value) -> tuple[exp.Expression, Sequence[_Cap]] | None:
    """The predicate without scircles of radius > 90, and the caps involved; None if pgSphere's form does."""
    shape_a, shape_b = a.vtype.shape, b.vtype.shape
    if shape_a == "circle" and shape_b == "circle":
        caps = (_cap(a), _cap(b))
        return _caps(func, *caps), caps
    if shape_a == "point" and possibly_wide(b):
        if point_parts(a) is not None:
            return None  # the exact distance test of numbers already works for any radius
        cap = _cap(b)
        return exp.LTE(
            this=_distance(a.sql.copy(), cap.center.copy()), expression=paren(cap.radius.copy())
        ), (cap,)
    if possibly_wide(b) and shape_a in ("polygon", "region"):
        cap = _cap(b)
        return _complement(func, a.sql, cap), (cap,)
    if possibly_wide(a) and shape_b in ("polygon", "region"):
        cap = _cap(a)
        if func == "CONTAINS":  # a cap beyond a hemisphere never lies in a polygon
            never = exp.Case(ifs=[exp.If(this=_is_null(b.sql), true=exp.Null())], default=exp.false())
            return never, (cap,)
        return _complement(func, b.sql, cap), (cap,)
    return None


def wide_predicate(func: str, a: Value, b: Value, ordinary: exp.Expression) -> exp.Expression:
    """CONTAINS(a, b) or INTERSECTS(a, b) (a point first) valid for circles of any radius, ``ordinary`` being
    pgSphere's form: used as it is when no circle may exceed a hemisphere, chosen at run time when the radii
    are not constant."""
    found = _wide_form(func, a, b) if possibly_wide(a) or possibly_wide(b) else None
    if found is None:
        return ordinary
    form, caps = found
    conditions = [c.small for c in caps if c.small != exp.true()]
    if any(c == exp.false() for c in conditions):
        return form
    small = conditions[0]
    for condition in conditions[1:]:
        small = exp.And(this=small, expression=condition)
    return exp.Case(ifs=[exp.If(this=small, true=ordinary)], default=form)


def cap_area(radius_rad: exp.Expression) -> exp.Expression:
    """The area in square degrees of a cap of ``radius_rad`` radians: ``4 pi sin^2(r / 2)``, which unlike
    pgSphere's ``2 pi (1 - cos r)`` keeps tiny circles' precision."""
    half = exp.Div(this=radius_rad, expression=exp.Literal.number(2), typed=True)
    steradians = exp.Mul(this=exp.Mul(this=exp.Literal.number(4), expression=call("pi")),
                         expression=call("power", call("sin", half), exp.Literal.number(2)))  # fmt: skip
    return call("degrees", call("degrees", steradians))


def wide_parts(value: Value) -> tuple[exp.Expression, exp.Expression] | None:
    """Centre (spoint) and checked radius (degrees) of a circle that may be too wide to build, else None."""
    if not possibly_wide(value):
        return None
    cap = _cap(value)
    return cap.center, cap.radius
