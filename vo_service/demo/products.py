"""``mmvo.products`` (the product store's table) and ``ivoa.obscore``, an ObsCore 1.1 view of it.

Both start empty; analyses register their products later.  The view derives everything ObsCore wants from a
stored product row: identifiers from ``product_id`` and the service's authority, a DataLink URL as
``access_url`` (so one ObsCore row leads to all files, previews and provenance of a product), wavelengths in
metres from the energy band in keV (lambda = hc / E, so ``em_min`` comes from the upper energy).  Product ids
must be URL-safe (letters, digits, ``.``, ``_``, ``~``, ``-``) because the view appends them to a URL
unescaped; the fixed part of that URL is percent-encoded here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from tap.schema import REGION_XTYPE, Column, Table
from vo_service.db.ddl import TableGetter
from vo_service.demo.obscore_columns import OBSCORE_MANDATORY, obscore_column
from vo_service.demo.viewtools import spatial_index_passthrough, text_literal

__all__ = [
    "DATALINK_FORMAT",
    "OBSCORE",
    "OBSCORE_UTYPE",
    "PRODUCTS",
    "obscore_select",
    "publisher_did_prefix",
]

OBSCORE_UTYPE = "ivo://ivoa.net/std/obscore#table-1.1"
DATALINK_FORMAT = "application/x-votable+xml;content=datalink"
#: hc in keV m: wavelength in metres = _HC_KEV_M / energy in keV.
_HC_KEV_M = 1.239842e-9


def _c(name: str, datatype: str, ucd: str, description: str, **kw: Any) -> Column:
    arraysize = kw.pop("arraysize", "*" if datatype == "char" else None)
    return Column(name, datatype, arraysize, ucd=ucd, description=description, **kw)


PRODUCTS = Table(
    schema="mmvo",
    name="products",
    description=(
        "Data products made by the analyses of this service (images, spectra, light curves, source lists ...), "
        "one row per product; products of simulated instrument data are themselves simulated.  Published in "
        "ObsCore form as ivoa.obscore; the files are reached through DataLink."
    ),
    columns=(
        _c(
            "product_id",
            "char",
            "meta.id;meta.main",
            "Product identifier (URL-safe)",
            principal=True,
            indexed=True,
            nullable=False,
        ),
        _c(
            "job_id",
            "char",
            "meta.id",
            "UWS job that made the product (NULL for imported products)",
            indexed=True,
        ),
        _c(
            "facility",
            "char",
            "meta.id;instr.tel",
            "Facility (INTEGRAL, LIGO, ...)",
            principal=True,
            nullable=False,
        ),
        _c(
            "instrument",
            "char",
            "meta.id;instr",
            "Instrument (ISGRI, JEM-X1, SPI-ACS, ...)",
            principal=True,
            nullable=False,
        ),
        _c(
            "product_type",
            "char",
            "meta.code.class",
            "ObsCore data product type (image, spectrum, timeseries, event, measurements, ...)",
            principal=True,
            nullable=False,
        ),
        _c(
            "product_subtype", "char", "meta.code.class", "Finer kind (light-curve, mosaic, source-list, ...)"
        ),
        _c("target_name", "char", "meta.id;src", "Name of the target source or field", principal=True),
        _c("target_class", "char", "src.class", "Class of the target (SIMBAD main type)"),
        _c(
            "s_ra",
            "double",
            "pos.eq.ra;meta.main",
            "Right ascension of the centre, ICRS",
            unit="deg",
            principal=True,
            indexed=True,
        ),
        _c(
            "s_dec",
            "double",
            "pos.eq.dec;meta.main",
            "Declination of the centre, ICRS",
            unit="deg",
            principal=True,
            indexed=True,
        ),
        _c("s_fov", "double", "phys.angSize;instr.fov", "Diameter of the covered region", unit="deg"),
        _c(
            "s_region",
            "char",
            "pos.outline;obs.field",
            "Footprint on the sky (ICRS polygon as STC-S)",
            xtype=REGION_XTYPE,
            indexed=True,
        ),
        _c("s_resolution", "double", "pos.angResolution", "Angular resolution (FWHM)", unit="arcsec"),
        _c("s_xel1", "long", "meta.number", "Pixels along the first image axis"),
        _c("s_xel2", "long", "meta.number", "Pixels along the second image axis"),
        _c(
            "t_min",
            "double",
            "time.start;obs.exposure",
            "Start of the data, MJD (UTC)",
            unit="d",
            principal=True,
            indexed=True,
        ),
        _c(
            "t_max", "double", "time.end;obs.exposure", "End of the data, MJD (UTC)", unit="d", principal=True
        ),
        _c("exposure", "double", "time.duration;obs.exposure", "Total exposure time", unit="s"),
        _c("t_resolution", "double", "time.resolution", "Time bin or resolution", unit="s"),
        _c("t_xel", "long", "meta.number", "Number of time bins (-1 for event lists)"),
        _c(
            "energy_min",
            "double",
            "em.energy;stat.min",
            "Lower end of the energy band",
            unit="keV",
            principal=True,
        ),
        _c(
            "energy_max",
            "double",
            "em.energy;stat.max",
            "Upper end of the energy band",
            unit="keV",
            principal=True,
        ),
        _c("em_xel", "long", "meta.number", "Number of energy bins (-1 for event lists)"),
        _c("em_res_power", "double", "spect.resolution", "Spectral resolving power E/dE"),
        _c("o_ucd", "char", "meta.ucd", "UCD of the observable"),
        _c("calib_level", "int", "meta.code;obs.calib", "ObsCore calibration level (0-4)", nullable=False),
        _c(
            "data_version",
            "char",
            "meta.version",
            "Input data version: NRT (near-real-time) or CONS (consolidated)",
        ),
        _c("file_format", "char", "meta.code.mime", "MIME type of the product file", nullable=False),
        _c("file_size", "long", "phys.size;meta.file", "Size of the product file", unit="byte"),
        _c("checksum", "char", "meta.checksum", "Checksum of the file, algorithm:hex (e.g. sha256:...)"),
        _c("owner", "char", "meta.id", "Owner of the job that made the product"),
        _c("created", "char", "time.creation", "Creation time (UTC)", xtype="timestamp", nullable=False),
        _c("title", "char", "meta.title", "Short human-readable title"),
        _c("_path", "char", "meta.ref;meta.file", "File path relative to the data directory (not published)"),
    ),
    position=("s_ra", "s_dec"),
    primary_key=("product_id",),
)

_OPTIONAL = ("dataproduct_subtype", "target_class", "obs_creation_date", "obs_title", "publisher_id")
OBSCORE = Table(
    schema="ivoa",
    name="obscore",
    table_type="view",
    utype=OBSCORE_UTYPE,
    description=(
        "ObsCore 1.1 view of mmvo.products: every data product of the service's analyses, with a DataLink "
        "document as access_url."
    ),
    columns=(
        *(
            obscore_column(name, indexed=name in {"s_ra", "s_dec", "s_region", "t_min", "obs_publisher_did"})
            for name in OBSCORE_MANDATORY
        ),
        *(obscore_column(name) for name in _OPTIONAL),
        Column(
            "data_version",
            "char",
            "*",
            ucd="meta.version",
            description="Input data version: NRT (near-real-time) or CONS (consolidated)",
        ),
    ),
    position=("s_ra", "s_dec"),
)


def publisher_did_prefix(authority: str) -> str:
    """``ivo://{authority}/mmvo?``: prefix of every ``obs_publisher_did`` (the product id follows)."""
    return f"ivo://{authority}/mmvo?"


def obscore_select(resolve: TableGetter, *, base_url: str, authority: str) -> sa.Select[Any]:
    """The SELECT behind ``ivoa.obscore``, for ``vo_service.db.create_view``.

    ``base_url`` is the service's public root (``Config.base_url``), ``authority`` its IVOA authority
    (``Config.authority``); both end up as constants in the view.  On SQLite the hidden HEALPix column
    of the products is passed through, so cones on the view use its index.
    """
    products = resolve("mmvo.products")
    p = products.c
    did_prefix = publisher_did_prefix(authority)
    link_prefix = f"{base_url.rstrip('/')}/datalink/links?ID={quote(did_prefix, safe='')}"
    columns = [
        p.product_type.label("dataproduct_type"),
        p.calib_level.label("calib_level"),
        (p.facility + text_literal("/") + p.instrument).label("obs_collection"),
        sa.func.coalesce(p.job_id, p.product_id).label("obs_id"),
        (text_literal(did_prefix) + p.product_id).label("obs_publisher_did"),
        (text_literal(link_prefix) + p.product_id).label("access_url"),
        text_literal(DATALINK_FORMAT).label("access_format"),
        ((p.file_size + 1023) // 1024).label("access_estsize"),
        p.target_name.label("target_name"),
        p.s_ra.label("s_ra"),
        p.s_dec.label("s_dec"),
        p.s_fov.label("s_fov"),
        p.s_region.label("s_region"),
        p.s_resolution.label("s_resolution"),
        p.s_xel1.label("s_xel1"),
        p.s_xel2.label("s_xel2"),
        p.t_min.label("t_min"),
        p.t_max.label("t_max"),
        p.exposure.label("t_exptime"),
        p.t_resolution.label("t_resolution"),
        p.t_xel.label("t_xel"),
        (sa.literal(_HC_KEV_M, sa.Float()) / p.energy_max).label("em_min"),
        (sa.literal(_HC_KEV_M, sa.Float()) / p.energy_min).label("em_max"),
        p.em_res_power.label("em_res_power"),
        p.em_xel.label("em_xel"),
        p.o_ucd.label("o_ucd"),
        sa.cast(sa.null(), sa.String()).label("pol_states"),
        sa.cast(sa.literal(0), sa.BigInteger()).label("pol_xel"),
        p.facility.label("facility_name"),
        p.instrument.label("instrument_name"),
        p.product_subtype.label("dataproduct_subtype"),
        p.target_class.label("target_class"),
        p.created.label("obs_creation_date"),
        p.title.label("obs_title"),
        text_literal(f"ivo://{authority}").label("publisher_id"),
        p.data_version.label("data_version"),
    ]
    columns.extend(spatial_index_passthrough(products))
    return sa.select(*columns)
