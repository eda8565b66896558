"""Product rows for the SIA tests, written straight into ``mmvo.products`` (and so seen through ``ivoa.obscore``).

Each row differs from the others in the columns SIA constrains, so that every parameter has a value that
selects one of them: an ISGRI mosaic of the Crab field, a JEM-X image of Cyg X-1, an SPI cube of the Galactic
Centre, an ISGRI image of Vela X-1 whose time, band and resolutions are unknown (NULL), and an ISGRI spectrum
of the Crab, which SIA must never return.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tap.schema import Dialect
from vo_service.db.ddl import sa_table
from vo_service.db.load import insert_chunks
from vo_service.demo.products import PRODUCTS, publisher_did_prefix

__all__ = [
    "CRAB",
    "CRAB_SPECTRUM",
    "CYGX1",
    "GC_CUBE",
    "HC_KEV_M",
    "PRODUCT_IDS",
    "VELA",
    "delete_samples",
    "did",
    "insert_samples",
]

#: hc in keV m: ObsCore wavelengths (m) from energies (keV).
HC_KEV_M = 1.239842e-9
CRAB, CYGX1, GC_CUBE, VELA, CRAB_SPECTRUM = (
    "sia-test-isgri-crab",
    "sia-test-jemx-cygx1",
    "sia-test-spi-gc",
    "sia-test-isgri-vela",
    "sia-test-isgri-crab-spectrum",
)
PRODUCT_IDS = (CRAB, CYGX1, GC_CUBE, VELA, CRAB_SPECTRUM)


def box(ra: float, dec: float, half: float) -> str:
    """A DALI polygon: the box of ``half`` degrees on each side of (ra, dec), counter-clockwise."""
    corners = [
        (ra - half, dec - half),
        (ra + half, dec - half),
        (ra + half, dec + half),
        (ra - half, dec + half),
    ]
    return " ".join(f"{x!r} {y!r}" for x, y in corners)


def _row(product_id: str, **values: Any) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "facility": "INTEGRAL",
        "product_type": "image",
        "calib_level": 3,
        "file_format": "application/fits",
        "file_size": 123_456,
        "created": "2024-05-01T12:00:00",
        "title": product_id,
        **values,
    }


_CRAB_ROW = _row(
    CRAB,
    instrument="ISGRI",
    product_subtype="mosaic",
    target_name="Crab",
    s_ra=83.63,
    s_dec=22.01,
    s_fov=10.0,
    s_region=box(83.63, 22.01, 5.0),
    s_resolution=720.0,
    s_xel1=200,
    s_xel2=200,
    t_min=53000.0,
    t_max=53001.0,
    exposure=50_000.0,
    t_resolution=86_400.0,
    t_xel=1,
    energy_min=30.0,
    energy_max=80.0,
    em_xel=1,
    em_res_power=1.1,
)

ROWS = (
    _CRAB_ROW,
    _row(
        CYGX1,
        instrument="JEM-X1",
        target_name="Cyg X-1",
        s_ra=299.59,
        s_dec=35.20,
        s_fov=13.2,
        s_region=box(299.59, 35.20, 6.6),
        s_resolution=180.0,
        t_min=55000.0,
        t_max=55002.0,
        exposure=2_000.0,
        t_resolution=2_000.0,
        energy_min=3.0,
        energy_max=35.0,
        em_res_power=0.6,
        calib_level=2,
    ),
    _row(
        GC_CUBE,
        instrument="SPI",
        product_type="cube",
        target_name="Galactic Centre",
        s_ra=266.42,
        s_dec=-29.01,
        s_fov=16.0,
        s_region=box(266.42, -29.01, 8.0),
        s_resolution=9_000.0,
        t_min=54000.0,
        t_max=54010.0,
        exposure=100_000.0,
        t_resolution=1_000.0,
        energy_min=20.0,
        energy_max=8_000.0,
        em_xel=100,
        em_res_power=500.0,
        calib_level=2,
    ),
    _row(
        VELA,
        instrument="ISGRI",
        target_name="Vela X-1",
        s_ra=135.53,
        s_dec=-40.55,
        s_fov=10.0,
        s_region=box(135.53, -40.55, 5.0),
    ),
    {**_CRAB_ROW, "product_id": CRAB_SPECTRUM, "product_type": "spectrum", "product_subtype": None},
)


def did(product_id: str, authority: str = "mmvo.example") -> str:
    """The ``obs_publisher_did`` of a product."""
    return publisher_did_prefix(authority) + product_id


def insert_samples(engine: sa.Engine, rows: Sequence[dict[str, Any]] = ROWS) -> None:
    """Writes ``rows`` into ``mmvo.products`` (replacing rows with the same ids)."""
    delete_samples(engine, [r["product_id"] for r in rows])
    chunk = {c.name: [r.get(c.name) for r in rows] for c in PRODUCTS.columns}
    insert_chunks(engine, PRODUCTS, [chunk])


def delete_samples(engine: sa.Engine, product_ids: Sequence[str] = PRODUCT_IDS) -> None:
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(PRODUCTS, dialect)
    with engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.product_id.in_(list(product_ids))))
