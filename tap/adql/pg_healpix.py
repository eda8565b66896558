"""``ivo_healpix_index`` for PostgreSQL: the NESTED HEALPix cell of a position, as a PL/pgSQL function.

pgSphere 1.2's ``healpix_nest`` is wrong at the poles (for (180, 90) at order 3 it gives 320, a cell of the
equatorial base cell 5, instead of 191), so the service computes the cell itself, from the construction of
Gorski et al. (2005, ApJ 622, 759), the same way on every engine as cdshealpix does on SQLite:

* The sphere is cut into 12 base cells of equal area: four around each pole (faces 0-3 north, 8-11 south)
  and four on the equator (4-7); each is divided into ``nside * nside`` cells, ``nside = 2**order``.
* With ``t`` the longitude in quarter turns (``[0, 4)``) and ``z = sin(lat)``, the equatorial belt
  ``|z| <= 2/3`` is a cylindrical equal-area map where cell edges are the straight lines ``t - 3z/4`` and
  ``t + 3z/4`` constant: counting edges crossed from the origin (times ``nside``) gives two integer coordinates
  ``p`` and ``m``.  Their base cells (``p // nside``, ``m // nside``) agree on an equatorial face, and differ
  by one on a polar face (north when ``m`` is ahead, south when ``p`` is).
* Beyond ``|z| = 2/3`` each polar face is a quadrant whose cell edges, in the projection of the polar caps,
  run at ``u * s`` and ``(1 - u) * s`` from the pole's edges, ``u`` being the position within the quadrant
  and ``s = nside * sqrt(3 (1 - |z|))`` (computed as ``nside * sqrt(6) * sin(colatitude / 2)``, exact near the
  poles where ``1 - |z|`` loses its digits).
* Inside a face, ``x`` counts cells from the southern corner towards the north-east and ``y`` towards the
  north-west; the NESTED index is ``face * nside**2`` plus the bits of ``x`` and ``y`` interleaved (``x`` on
  the even bits).

The bits are spread with the usual mask-and-shift sequence; the masks are written in decimal because
PostgreSQL before 16 has no hexadecimal literals.
"""

from __future__ import annotations

from typing import Final

__all__ = ["HEALPIX_STATEMENTS"]

#: Masks spreading a 29-bit integer onto the even bits of a 64-bit one, with the shift preceding each.
_SPREAD: Final = (
    (16, 0x0000FFFF0000FFFF),
    (8, 0x00FF00FF00FF00FF),
    (4, 0x0F0F0F0F0F0F0F0F),
    (2, 0x3333333333333333),
    (1, 0x5555555555555555),
)
_SPREAD_SQL: Final = "\n".join(f"  x := (x | (x << {shift})) & {mask};" for shift, mask in _SPREAD)

HEALPIX_STATEMENTS: Final[tuple[str, ...]] = (
    f"""CREATE OR REPLACE FUNCTION mmvo_spread_bits(v bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  x bigint := v;
BEGIN
{_SPREAD_SQL}
  RETURN x;
END
$$""",
    """CREATE OR REPLACE FUNCTION mmvo_healpix_index(hpxorder double precision, lon double precision,
                                              lat double precision) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  k integer;
  nside bigint;
  t double precision;
  z double precision;
  s double precision;
  u double precision;
  quadrant integer;
  p bigint;
  m bigint;
  face bigint;
  x bigint;
  y bigint;
BEGIN
  IF hpxorder <> trunc(hpxorder) OR NOT (hpxorder BETWEEN 0 AND 29) THEN
    RAISE EXCEPTION 'ivo_healpix_index: order % is not an integer from 0 to 29', hpxorder;
  END IF;
  IF NOT (lat BETWEEN -90 AND 90 AND lon > '-Infinity' AND lon < 'Infinity') THEN
    RAISE EXCEPTION 'ivo_healpix_index: (%, %) is not a position', lon, lat;
  END IF;
  k := hpxorder;
  nside := 1::bigint << k;
  t := radians(lon - 360 * floor(lon / 360)) * (2 / pi());
  IF t >= 4 THEN
    t := t - 4;
  END IF;
  quadrant := least(floor(t), 3);
  u := t - quadrant;
  z := sin(radians(lat));
  IF abs(z) <= 2.0 / 3 THEN
    p := quadrant * nside + ceil(nside * (u - 0.75 * z + 0.5)) - 1;
    m := quadrant * nside + floor(nside * (u + 0.75 * z + 0.5));
    IF p >> k = m >> k THEN
      face := 4 + ((p >> k) + 4) % 4;
    ELSIF p >> k < m >> k THEN
      face := ((p >> k) + 4) % 4;
    ELSE
      face := 8 + (m >> k) % 4;
    END IF;
    x := m & (nside - 1);
    y := nside - 1 - (p & (nside - 1));
  ELSE
    s := nside * sqrt(6) * sin(radians(90 - abs(lat)) / 2);
    p := least(floor(u * s), nside - 1);
    m := least(floor((1 - u) * s), nside - 1);
    IF lat > 0 THEN
      face := quadrant;
      x := nside - 1 - m;
      y := nside - 1 - p;
    ELSE
      face := quadrant + 8;
      x := p;
      y := m;
    END IF;
  END IF;
  RETURN face * nside * nside + mmvo_spread_bits(x) + 2 * mmvo_spread_bits(y);
END
$$""",
)
