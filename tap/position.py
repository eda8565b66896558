"""Recognising the (ra, dec) columns of a table from its metadata.

A table whose position is known gets a spatial index (``Table.position``), so cones on it are fast.  Ingested
files and uploaded VOTables are described by the same rules: the UCDs ``pos.eq.ra;meta.main`` and
``pos.eq.dec;meta.main`` first, then common column names.
"""

from __future__ import annotations

from collections.abc import Sequence

from tap.schema import Column

__all__ = ["POSITION_NAMES", "find_position", "ucd_has"]

#: (ra, dec) column names recognised without UCDs, compared as stored (lower-case), in order of preference.
POSITION_NAMES = (
    ("ra", "dec"),
    ("ra_deg", "dec_deg"),
    ("raj2000", "dej2000"),
    ("raj2000", "decj2000"),
    ("ra_icrs", "de_icrs"),
    ("ra_icrs", "dec_icrs"),
)


def ucd_has(ucd: str | None, *words: str) -> bool:
    """Whether the UCD ``ucd`` contains every one of ``words`` (atoms compared case-insensitively)."""
    return ucd is not None and set(words) <= {w.strip().lower() for w in ucd.split(";")}


def find_position(columns: Sequence[Column]) -> tuple[str, str] | None:
    """The names of the (ra, dec) columns, or None when the table has no recognisable position.

    Only scalar ``float``/``double`` columns in degrees (or without a unit) qualify.  Exactly one main RA and
    one main Dec UCD win; otherwise the first pair of :data:`POSITION_NAMES` present.
    """
    numeric = [
        c
        for c in columns
        if c.datatype in {"float", "double"} and c.arraysize is None and c.unit in {None, "deg"}
    ]
    ra = [c.name for c in numeric if ucd_has(c.ucd, "pos.eq.ra", "meta.main")]
    dec = [c.name for c in numeric if ucd_has(c.ucd, "pos.eq.dec", "meta.main")]
    if len(ra) == 1 and len(dec) == 1:
        return ra[0], dec[0]
    names = {c.name for c in numeric}
    return next(((ra, dec) for ra, dec in POSITION_NAMES if ra in names and dec in names), None)
