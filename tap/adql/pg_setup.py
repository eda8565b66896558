"""SQL functions the PostgreSQL target needs on top of pgSphere 1.2, to install once per database.

pgSphere 1.2 cannot build a polygon from expressions (only from a literal or with an aggregate), has no ADQL
BOX, no polygon centroid, no accessor for polygon vertices, no DALI text output, folds latitudes beyond the
poles and misplaces HEALPix cells at the poles (:mod:`tap.adql.pg_healpix`), and PostgreSQL fails a query on a
math function outside its domain; the translator's SQL calls the functions below instead (see
:mod:`tap.adql.target_pg`).  They are plain SQL/PL/pgSQL,
``IMMUTABLE`` and ``PARALLEL SAFE``, so PostgreSQL folds them on constant arguments (a constant polygon is
built once per query, and an index condition on it stays usable).

Install them with :func:`install` (or run :data:`SETUP_STATEMENTS`) as a role that may create functions, in a
schema on the ``search_path`` of the connections that run user queries (``public`` by default); they are
created with ``CREATE OR REPLACE``, so installing again upgrades them.  Nothing is needed per connection, as
long as pgSphere's output format stays at its default (``set_sphere_output('RAD')``; ``'DEG'`` works too):
polygon vertices can only be read back from pgSphere's text output, with 15 significant digits.
"""

from __future__ import annotations

from typing import Any, Final

from tap.adql.pg_healpix import HEALPIX_STATEMENTS

__all__ = ["CONNECTION_STATEMENTS", "FUNCTION_NAMES", "SETUP_STATEMENTS", "install"]

_ATTRIBUTES: Final = "IMMUTABLE STRICT PARALLEL SAFE"

#: ADQL math functions that PostgreSQL refuses outside their domain, failing the whole query, while SQLite
#: (and ADQL clients) expect NULL there: name -> (parameters, domain condition, value).  Plain SQL CASE
#: expressions, not STRICT, so that PostgreSQL inlines them into the query.
_MATH_DOMAINS: Final[dict[str, tuple[str, str, str]]] = {
    "mmvo_sqrt": ("x double precision", "x >= 0", "sqrt(x)"),
    "mmvo_ln": ("x double precision", "x > 0", "ln(x)"),
    "mmvo_log10": ("x double precision", "x > 0", "log(x)"),
    "mmvo_acos": ("x double precision", "x BETWEEN -1 AND 1", "acos(x)"),
    "mmvo_asin": ("x double precision", "x BETWEEN -1 AND 1", "asin(x)"),
    # a negative base needs an integer exponent, zero a non-negative one
    "mmvo_power": (
        "b double precision, e double precision",
        "(b > 0 OR (b < 0 AND e = trunc(e)) OR (b = 0 AND e >= 0))",
        "power(b, e)",
    ),
}

SETUP_STATEMENTS: Final[tuple[str, ...]] = (
    *(
        f"""CREATE OR REPLACE FUNCTION {name}({params}) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN {domain} THEN {value} END
$$"""
        for name, (params, domain, value) in _MATH_DOMAINS.items()
    ),
    # Longitude in degrees in [0, 360) from pgSphere's radians in [0, 2 pi).
    f"""CREATE OR REPLACE FUNCTION mmvo_lon_deg(rad double precision) RETURNS double precision
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT CASE WHEN degrees(rad) >= 360 THEN degrees(rad) - 360
              WHEN degrees(rad) < 0 THEN degrees(rad) + 360
              ELSE degrees(rad) END
$$""",
    # Raises ``message``; typed by its second argument (a NULL of the type the caller's CASE needs).  Checks
    # written as inlined SQL CASE expressions call it in their last branch, which PostgreSQL evaluates only when
    # the CASE reaches it (at planning for constants, which are refused anyway).
    """CREATE OR REPLACE FUNCTION mmvo_refuse(message text, result anyelement) RETURNS anyelement
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RAISE EXCEPTION '%', message;
END
$$""",
    # POINT(lon, lat) in degrees: pgSphere's spoint() folds a latitude beyond a pole back (-95 becomes -85 on
    # the other side), so positions outside [-90, 90] or with an infinite longitude are refused, as on SQLite.
    """CREATE OR REPLACE FUNCTION mmvo_spoint(lon double precision, lat double precision) RETURNS spoint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lat BETWEEN -90 AND 90 AND lon > '-Infinity' AND lon < 'Infinity'
              THEN spoint(radians(lon), radians(lat))
              WHEN lon IS NOT NULL AND lat IS NOT NULL THEN mmvo_refuse(
                CASE WHEN lat BETWEEN -90 AND 90 THEN 'POINT: longitude ' || lon::text || ' is not a finite number'
                     ELSE 'POINT: latitude ' || lat::text || ' is outside [-90, 90]' END, NULL::spoint) END
$$""",
    # A CIRCLE's radius in degrees, refused outside [0, 180] as on SQLite (for circles too wide for scircle).
    """CREATE OR REPLACE FUNCTION mmvo_radius(r double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN r BETWEEN 0 AND 180 THEN r
              WHEN r IS NOT NULL THEN mmvo_refuse('CIRCLE: radius ' || r::text || ' is outside [0, 180] degrees',
                                                  NULL::double precision) END
$$""",
    # DISTANCE of numbers in degrees (Vincenty's form, exact for tiny and near-antipodal separations).  Not
    # through spoint: pgSphere snaps coordinates within 1e-9 rad of 0 to 0.  Not STRICT, so it is inlined.
    # Latitudes outside [-90, 90] are refused, as on SQLite.
    """CREATE OR REPLACE FUNCTION mmvo_distance(lon1 double precision, lat1 double precision,
                                         lon2 double precision, lat2 double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lat1 BETWEEN -90 AND 90 AND lat2 BETWEEN -90 AND 90 THEN degrees(atan2(
    sqrt(power(cos(radians(lat2)) * sin(radians(lon2 - lon1)), 2)
         + power(cos(radians(lat1)) * sin(radians(lat2))
                 - sin(radians(lat1)) * cos(radians(lat2)) * cos(radians(lon2 - lon1)), 2)),
    sin(radians(lat1)) * sin(radians(lat2)) + cos(radians(lat1)) * cos(radians(lat2)) * cos(radians(lon2 - lon1))))
    WHEN lat1 IS NOT NULL AND lat2 IS NOT NULL THEN mmvo_refuse('DISTANCE: latitude '
      || (CASE WHEN lat1 BETWEEN -90 AND 90 THEN lat2 ELSE lat1 END)::text || ' is outside [-90, 90]',
      NULL::double precision) END
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_dali_point(p spoint) RETURNS text
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT mmvo_lon_deg(long(p))::text || ' ' || degrees(lat(p))::text
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_dali_circle(c scircle) RETURNS text
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT mmvo_dali_point(center(c)) || ' ' || degrees(radius(c))::text
$$""",
    # Vertices as [lon1, lat1, lon2, lat2, ...] in radians, parsed from pgSphere's text output.
    f"""CREATE OR REPLACE FUNCTION mmvo_spoly_vertices(p spoly) RETURNS double precision[]
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT array_agg(CASE WHEN m[2] = 'd' THEN radians(m[1]::double precision)
                        ELSE m[1]::double precision END ORDER BY n)
  FROM regexp_matches(p::text, '([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*(d?)', 'g') WITH ORDINALITY AS r(m, n)
$$""",
    # pgSphere prints 15 significant digits of radians: the degrees are rounded to 12 decimals (1e-12 deg).
    f"""CREATE OR REPLACE FUNCTION mmvo_dali_polygon(p spoly) RETURNS text
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT string_agg((CASE WHEN n % 2 = 1 AND d >= 360 THEN d - 360 ELSE d END)::text, ' ' ORDER BY n)
  FROM (SELECT n, round(degrees(v)::numeric, 12)::double precision AS d
        FROM unnest(mmvo_spoly_vertices(p)) WITH ORDINALITY AS u(v, n)) AS s
$$""",
    # POLYGON(lon1, lat1, lon2, lat2, ...) in degrees; NULL if any coordinate is NULL.
    """CREATE OR REPLACE FUNCTION mmvo_spoly(VARIADIC c double precision[]) RETURNS spoly
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN array_position(c, NULL) IS NOT NULL THEN NULL ELSE
    (SELECT spoly(mmvo_spoint(c[2 * i - 1], c[2 * i]) ORDER BY i)
     FROM generate_series(1, cardinality(c) / 2) AS i) END
$$""",
    # POLYGON(p1, p2, p3, ...); NULL if any point is NULL.
    """CREATE OR REPLACE FUNCTION mmvo_spoly_p(VARIADIC p spoint[]) RETURNS spoly
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN array_position(p, NULL) IS NOT NULL THEN NULL ELSE
    (SELECT spoly(x ORDER BY i) FROM unnest(p) WITH ORDINALITY AS u(x, i)) END
$$""",
    # ADQL BOX: the sides cut the arms of a cross centred on (lon, lat) at right angles; in the gnomonic
    # projection at the centre that is a rectangle of half-sides tan(width/2), tan(height/2).
    f"""CREATE OR REPLACE FUNCTION mmvo_box(lon double precision, lat double precision,
                                    width double precision, height double precision) RETURNS spoly
LANGUAGE plpgsql {_ATTRIBUTES} AS $$
DECLARE
  lo double precision := radians(lon);
  la double precision := radians(lat);
  tx double precision;
  ty double precision;
  sx double precision[] := ARRAY[-1, -1, 1, 1];
  sy double precision[] := ARRAY[-1, 1, 1, -1];
  vx double precision; vy double precision; vz double precision;
  corners spoint[] := ARRAY[]::spoint[];
BEGIN
  IF lat < -90 OR lat > 90 THEN
    RAISE EXCEPTION 'BOX: latitude % is outside [-90, 90]', lat;
  END IF;
  IF NOT (width > 0 AND width < 180 AND height > 0 AND height < 180) THEN
    RAISE EXCEPTION 'BOX: width % and height % must lie in (0, 180) degrees', width, height;
  END IF;
  tx := tan(radians(width) / 2);
  ty := tan(radians(height) / 2);
  FOR k IN 1..4 LOOP
    vx := cos(la) * cos(lo) - sx[k] * tx * sin(lo) - sy[k] * ty * sin(la) * cos(lo);
    vy := cos(la) * sin(lo) + sx[k] * tx * cos(lo) - sy[k] * ty * sin(la) * sin(lo);
    vz := sin(la) + sy[k] * ty * cos(la);
    corners := corners || spoint(atan2(vy, vx), atan2(vz, sqrt(vx * vx + vy * vy)));
  END LOOP;
  RETURN mmvo_spoly_p(VARIADIC corners);
END
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_box_p(p spoint, width double precision, height double precision)
RETURNS spoly LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT mmvo_box(degrees(long(p)), degrees(lat(p)), width, height)
$$""",
    # A polygon's vertices as unit vectors [x1, y1, z1, ..., xn, yn, zn] followed by their normalised mean.
    f"""CREATE OR REPLACE FUNCTION mmvo_spoly_xyz(p spoly) RETURNS double precision[]
LANGUAGE plpgsql {_ATTRIBUTES} AS $$
DECLARE
  v double precision[] := mmvo_spoly_vertices(p);
  xyz double precision[] := ARRAY[]::double precision[];
  mx double precision := 0; my double precision := 0; mz double precision := 0; mn double precision;
BEGIN
  FOR i IN 1..cardinality(v) / 2 LOOP
    xyz := xyz || ARRAY[cos(v[2 * i]) * cos(v[2 * i - 1]), cos(v[2 * i]) * sin(v[2 * i - 1]), sin(v[2 * i])];
    mx := mx + xyz[3 * i - 2]; my := my + xyz[3 * i - 1]; mz := mz + xyz[3 * i];
  END LOOP;
  mn := sqrt(mx * mx + my * my + mz * mz);
  RETURN xyz || ARRAY[mx / mn, my / mn, mz / mn];
END
$$""",
    # CENTROID of a polygon: the direction of its surface's mean position vector, i.e. of the sum over the
    # edges of (edge length / |a x b|) (a x b), written with a - c and b - c (c: the vertices' mean) for
    # precision on tiny polygons; the interior is the smaller region, so the result lies on the vertices' side.
    f"""CREATE OR REPLACE FUNCTION mmvo_centroid(p spoly) RETURNS spoint
LANGUAGE plpgsql {_ATTRIBUTES} AS $$
DECLARE
  v double precision[] := mmvo_spoly_xyz(p);
  n integer := cardinality(v) / 3 - 1;
  c double precision[] := v[3 * n + 1:3 * n + 3];
  a double precision[]; b double precision[]; u double precision[]; w double precision[];
  x double precision[]; cn double precision; f double precision;
  s double precision[] := ARRAY[0, 0, 0];
BEGIN
  FOR i IN 1..n LOOP
    a := v[3 * i - 2:3 * i];
    b := v[3 * (i % n) + 1:3 * (i % n) + 3];
    x := ARRAY[a[2] * b[3] - a[3] * b[2], a[3] * b[1] - a[1] * b[3], a[1] * b[2] - a[2] * b[1]];
    cn := sqrt(x[1] * x[1] + x[2] * x[2] + x[3] * x[3]);
    IF cn > 0 THEN
      f := atan2(cn, a[1] * b[1] + a[2] * b[2] + a[3] * b[3]) / cn - 1;
      u := ARRAY[a[1] - c[1], a[2] - c[2], a[3] - c[3]];
      w := ARRAY[b[1] - c[1], b[2] - c[2], b[3] - c[3]];
      s := ARRAY[s[1] + (u[2] * w[3] - u[3] * w[2]) + f * x[1],
                 s[2] + (u[3] * w[1] - u[1] * w[3]) + f * x[2],
                 s[3] + (u[1] * w[2] - u[2] * w[1]) + f * x[3]];
    END IF;
  END LOOP;
  IF s[1] * c[1] + s[2] * c[2] + s[3] * c[3] < 0 THEN
    s := ARRAY[-s[1], -s[2], -s[3]];
  END IF;
  RETURN spoint(atan2(s[2], s[1]), atan2(s[3], sqrt(s[1] * s[1] + s[2] * s[2])));
END
$$""",
    # AREA of a polygon in square degrees: the signed solid angles of the triangles (c, a, b) fanned from the
    # vertices' mean c (Van Oosterom & Strackee), with a - c and b - c as the small vectors they are, so that
    # tiny polygons keep their precision (pgSphere's area() loses about 1e-6 of it); the smaller region wins.
    f"""CREATE OR REPLACE FUNCTION mmvo_area(p spoly) RETURNS double precision
LANGUAGE plpgsql {_ATTRIBUTES} AS $$
DECLARE
  v double precision[] := mmvo_spoly_xyz(p);
  n integer := cardinality(v) / 3 - 1;
  c double precision[] := v[3 * n + 1:3 * n + 3];
  a double precision[]; b double precision[]; u double precision[]; w double precision[];
  det double precision; dot double precision; total double precision := 0;
BEGIN
  FOR i IN 1..n LOOP
    a := v[3 * i - 2:3 * i];
    b := v[3 * (i % n) + 1:3 * (i % n) + 3];
    u := ARRAY[a[1] - c[1], a[2] - c[2], a[3] - c[3]];
    w := ARRAY[b[1] - c[1], b[2] - c[2], b[3] - c[3]];
    det := c[1] * (u[2] * w[3] - u[3] * w[2]) + c[2] * (u[3] * w[1] - u[1] * w[3])
           + c[3] * (u[1] * w[2] - u[2] * w[1]);
    dot := 1 + (a[1] * b[1] + a[2] * b[2] + a[3] * b[3]) + (a[1] * c[1] + a[2] * c[2] + a[3] * c[3])
             + (b[1] * c[1] + b[2] * c[2] + b[3] * c[3]);
    total := total + 2 * atan2(det, dot);
  END LOOP;
  total := abs(total);
  IF total > 2 * pi() THEN
    total := 4 * pi() - total;
  END IF;
  RETURN degrees(degrees(total));
END
$$""",
    # CAST('lon lat' AS POINT) and friends: DALI text in degrees.
    f"""CREATE OR REPLACE FUNCTION mmvo_dali_numbers(t text, shape text, low integer, high integer)
RETURNS double precision[] LANGUAGE plpgsql {_ATTRIBUTES} AS $$
DECLARE
  a double precision[];
BEGIN
  BEGIN
    a := regexp_split_to_array(btrim(t), '\\s+')::double precision[];
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION 'CAST to %: % is not a list of numbers', shape, quote_literal(t);
  END;
  IF cardinality(a) < low OR cardinality(a) > high OR (shape = 'POLYGON' AND cardinality(a) % 2 = 1) THEN
    RAISE EXCEPTION 'CAST to %: % has the wrong number of values', shape, quote_literal(t);
  END IF;
  RETURN a;
END
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_point_from_dali(t text) RETURNS spoint
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT mmvo_spoint(a[1], a[2]) FROM mmvo_dali_numbers(t, 'POINT', 2, 2) AS a
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_circle_from_dali(t text) RETURNS scircle
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT scircle(mmvo_spoint(a[1], a[2]), radians(a[3])) FROM mmvo_dali_numbers(t, 'CIRCLE', 3, 3) AS a
$$""",
    f"""CREATE OR REPLACE FUNCTION mmvo_polygon_from_dali(t text) RETURNS spoly
LANGUAGE sql {_ATTRIBUTES} AS $$
  SELECT mmvo_spoly(VARIADIC a) FROM mmvo_dali_numbers(t, 'POLYGON', 6, 2147483646) AS a
$$""",
    *HEALPIX_STATEMENTS,
)

#: Statements to run on each new connection: none (kept for the database layer's convenience).
CONNECTION_STATEMENTS: Final[tuple[str, ...]] = ()

#: The functions :data:`SETUP_STATEMENTS` defines.
FUNCTION_NAMES: Final[frozenset[str]] = frozenset(
    s.split("FUNCTION ", 1)[1].split("(", 1)[0].strip() for s in SETUP_STATEMENTS
)


def install(connection: Any) -> None:
    """Runs :data:`SETUP_STATEMENTS` on a DB-API/psycopg connection (the caller commits, unless autocommit).

    Raises whatever the driver raises (e.g. pgSphere missing, no privilege to create functions).
    """
    for statement in SETUP_STATEMENTS:
        connection.execute(statement)
