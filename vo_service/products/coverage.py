"""Coverage MOCs (MOC 2.0, through mocpy): one per product from its footprint, and the service's union.

Depth 10 (3.4 arcmin cells) resolves the INTEGRAL footprints (a JEM-X source region is a 3.35 arcmin circle,
a mosaic degrees wide) while keeping the service's total coverage small; a cell is in the MOC when it overlaps
the footprint, so a MOC never misses covered sky.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

import astropy.units as u
from astropy.coordinates import SkyCoord
from mocpy import MOC

__all__ = ["MOC_DEPTH", "footprint_moc", "moc_fits", "moc_json", "union"]

MOC_DEPTH = 10


def footprint_moc(footprint: Sequence[Sequence[float]], depth: int = MOC_DEPTH) -> MOC:
    """The MOC of a polygon footprint (ICRS degrees, vertices in order)."""
    ra = [float(v[0]) for v in footprint]
    dec = [float(v[1]) for v in footprint]
    return MOC.from_polygon_skycoord(SkyCoord(ra * u.deg, dec * u.deg, frame="icrs"), max_depth=depth)


def union(mocs: Iterable[MOC], depth: int = MOC_DEPTH) -> MOC:
    """The union of ``mocs`` (an empty MOC of ``depth`` when there is none)."""
    total = MOC.new_empty(depth)
    for moc in mocs:
        total = total.union(moc)
    return total


def moc_fits(moc: MOC) -> bytes:
    """The MOC as a MOC 2.0 FITS file."""
    buffer = io.BytesIO()
    moc.serialize("fits").writeto(buffer)
    return buffer.getvalue()


def moc_json(moc: MOC) -> bytes:
    """The MOC in the JSON form of MOC 2.0's appendix (cells by order)."""
    return json.dumps(moc.serialize("json")).encode()
