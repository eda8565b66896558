"""What a product is, in the terms the service publishes it with: ObsCore facts and the inputs it was made from.

An analysis knows what it made (an image of which sky, over which times and energies, from which science
windows); the service does not.  So a run describes each of its products with a ``ProductDescription`` and
the service turns that into a row of ``mmvo.products`` / ``ivoa.obscore``, DataLink progenitors and a
provenance record, without opening the files.  Units are those of ObsCore where it has them (degrees, MJD,
seconds) and keV for energies (the service converts them to wavelengths); the footprint is a polygon (ICRS
degrees, vertices in order), since that is what an ``adql:REGION`` column stores.  ``inputs`` are the archive
data a product was made from; ``derived_from`` names other products of the same run it was made from (by
``result_id``: a source list from its mosaic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["InputData", "ProductDescription", "circle_footprint"]

#: ObsCore 1.1 data product types (lower case, one per product).
DATAPRODUCT_TYPES = frozenset(
    {"image", "cube", "spectrum", "sed", "timeseries", "visibility", "event", "measurements"}
)


@dataclass(frozen=True)
class InputData:
    """One input of a product: a science window (``kind`` ``scw``, ``id`` with its version such as
    ``066500130010.001``), or a catalogue (``kind`` ``catalogue``).  ``data_version`` is the archive's
    processing state of it (``NRT`` or ``CONS``) when it has one."""

    kind: str
    id: str
    version: str
    data_version: str | None = None


@dataclass(frozen=True)
class ProductDescription:
    """The ObsCore facts of one product (see the module docstring for units).

    Raises:
        ValueError: an unknown ``dataproduct_type``, a calibration level outside 0-4, a footprint of fewer
            than three vertices, or times or energies in the wrong order.
    """

    facility: str
    instrument: str
    dataproduct_type: str
    calib_level: int
    title: str
    s_ra: float
    s_dec: float
    footprint: tuple[tuple[float, float], ...]
    s_fov: float
    t_min: float
    t_max: float
    exposure: float
    energy_min: float
    energy_max: float
    data_version: str
    inputs: tuple[InputData, ...] = ()
    derived_from: tuple[str, ...] = ()
    dataproduct_subtype: str | None = None
    target_name: str | None = None
    target_class: str | None = None
    s_resolution: float | None = None
    s_xel1: int | None = None
    s_xel2: int | None = None
    t_resolution: float | None = None
    t_xel: int | None = None
    em_xel: int | None = None
    em_res_power: float | None = None
    o_ucd: str | None = None

    def __post_init__(self) -> None:
        if self.dataproduct_type not in DATAPRODUCT_TYPES:
            raise ValueError(f"dataproduct_type {self.dataproduct_type!r} is not an ObsCore product type")
        if not 0 <= self.calib_level <= 4:
            raise ValueError(f"calib_level {self.calib_level} is not 0-4")
        if len(self.footprint) < 3:
            raise ValueError("a footprint needs at least three vertices")
        if self.t_max < self.t_min or self.energy_max <= self.energy_min:
            raise ValueError("t_min/t_max or energy_min/energy_max out of order")


def circle_footprint(
    ra: float, dec: float, radius: float, vertices: int = 16
) -> tuple[tuple[float, float], ...]:
    """A polygon of ``vertices`` points on the small circle of ``radius`` degrees around (ra, dec), counter-
    clockwise as seen from inside the sphere (east of north), enclosing the circle's area closely."""
    lat, lon, r = math.radians(dec), math.radians(ra), math.radians(radius)
    points = []
    for k in range(vertices):
        bearing = 2.0 * math.pi * k / vertices
        sin_lat = math.sin(lat) * math.cos(r) + math.cos(lat) * math.sin(r) * math.cos(bearing)
        point_lat = math.asin(max(-1.0, min(1.0, sin_lat)))
        point_lon = lon + math.atan2(
            math.sin(bearing) * math.sin(r) * math.cos(lat), math.cos(r) - math.sin(lat) * sin_lat
        )
        points.append((math.degrees(point_lon) % 360.0, math.degrees(point_lat)))
    return tuple(points)
