"""``ivoa.obsplan`` (ObsLocTAP 1.0): a view of the simulated pointing plan, one row per pointing and instrument.

The view crosses the pointings of ``integral.scw`` with the four rows of ``integral.instruments``, so every
instrument property (band, field of view, resolutions) comes from that small table and every pointing property
(times, position, status) from the ScW index.  ``s_region`` is the instrument's field-of-view circle stored
with each ScW (``fov_isgri``, ``fov_jemx``, ``fov_spi``), chosen with a CASE: building a circle from ra, dec and
a radius would need geometry constructors that differ between SQLite and pgSphere, whereas passing stored
geometry through works on both.  The standard leaves UCD and utype of ``t_planning``, ``category``,
``priority``, ``execution_status`` and ``tracking_type`` empty, and they stay empty here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from tap.schema import Column, Table
from vo_service.db.ddl import TableGetter
from vo_service.demo.instruments import INSTRUMENTS
from vo_service.demo.obscore_columns import obscore_column
from vo_service.demo.viewtools import spatial_index_passthrough, text_literal

__all__ = ["OBSPLAN", "OBSPLAN_UTYPE", "obsplan_select"]

OBSPLAN_UTYPE = "ivo://ivoa.net/std/obsloctap#table-1.0"
OBS_COLLECTION = "INTEGRAL-SIM"
#: ObsLocTAP category and priority of each ScW obs_type; planning lead time in days.
_CATEGORY = {"GENERAL": "Window", "CALIBRATION": "Fixed", "TOO": "Fixed"}
_PRIORITY = {"GENERAL": 0, "CALIBRATION": 1, "TOO": 2}
_LEAD = {"TOO": 1.0}
_DEFAULT_LEAD = 14.0


def _std(name: str, description: str | None = None, **kw: Any) -> Column:
    return obscore_column(name, prefix="", description=description, **kw)


def _plain(name: str, datatype: str, description: str, unit: str | None = None) -> Column:
    return Column(
        name,
        datatype,
        "*" if datatype == "char" else None,
        unit=unit,
        description=description,
        principal=True,
        std=True,
        nullable=False,
    )


OBSPLAN = Table(
    schema="ivoa",
    name="obsplan",
    table_type="view",
    utype=OBSPLAN_UTYPE,
    description=(
        "ObsLocTAP observation plan of the SIMULATED INTEGRAL pointing plan (integral.scw): one row per pointing "
        "and instrument (ISGRI, JEM-X1, JEM-X2, SPI).  All pointings lie in the past and are Performed; s_region "
        "is the zero-response field of view approximated by a circle of diameter s_fov."
    ),
    columns=(
        _plain(
            "t_planning",
            "double",
            "Time (MJD) the observation was added to or last changed in the plan "
            "(simulated: 14 d before the start, 1 d for ToOs)",
            unit="d",
        ),
        _std("target_name", "Target or field of the observation"),
        _std("obs_id", "Observation (block of dithered pointings) identifier", nullable=False),
        _std("obs_collection", "Data collection of the plan"),
        _std("s_ra", "Right ascension of the pointing axis, ICRS", indexed=True),
        _std("s_dec", "Declination of the pointing axis, ICRS", indexed=True),
        _std("s_fov", "Diameter of the instrument's zero-response field of view"),
        replace(
            _std(
                "s_region",
                "Field of view: circle of diameter s_fov around the pointing axis",
                datatype="double",
            ),
            arraysize="3",
            xtype="circle",
        ),
        _std("s_resolution", "Angular resolution of the instrument (FWHM)"),
        _std("t_min", "Start of the pointing, MJD (UTC)", indexed=True),
        _std("t_max", "End of the pointing, MJD (UTC)", indexed=True),
        _std("t_exptime", "Good time of the instrument during the pointing"),
        _std("t_resolution", "Time resolution of the instrument's events"),
        _std("em_min", "Shortest wavelength of the instrument's band (hc / highest energy)"),
        _std("em_max", "Longest wavelength of the instrument's band (hc / lowest energy)"),
        _std("em_res_power", "Typical spectral resolving power E/dE of the instrument"),
        _std("o_ucd", "UCD of the observable (photon counts)"),
        _std("pol_states", "Polarization states (none recorded)"),
        _std("pol_xel", "Number of polarization samples (0: none)", datatype="int"),
        _std("facility_name", "Observatory", nullable=False),
        _std("instrument_name", "Instrument of this row"),
        replace(
            _std("t_exptime"),
            name="t_plan_exptime",
            description="Planned exposure time (the pointing's duration)",
        ),
        _plain(
            "category",
            "char",
            "Observation category: Fixed (calibrations, ToOs) or Window (open time); "
            "allowed values Fixed, Coordinated, Window, Other",
        ),
        _plain("priority", "int", "Priority: 0 open time, 1 calibration, 2 Target of Opportunity (0, 1, 2)"),
        _plain("execution_status", "char", "Planned, Scheduled, Unscheduled, Performed or Aborted"),
        _plain("tracking_type", "char", "Sidereal, Solar-system-object-tracking or Fixed-az-el-transit"),
        Column(
            "scw_id", "char", "16", ucd="meta.id", description="Science window of the pointing (integral.scw)"
        ),
        Column("revolution", "int", ucd="meta.id;obs.sequence", description="INTEGRAL revolution"),
    ),
    position=("s_ra", "s_dec"),
)


def obsplan_select(resolve: TableGetter, *, now_mjd: float | None = None) -> sa.Select[Any]:
    """The SELECT behind ``ivoa.obsplan``, for ``vo_service.db.create_view``.

    ``resolve`` maps ``integral.scw`` and ``integral.instruments`` to their SQLAlchemy tables.  Pointings
    starting after ``now_mjd`` are ``Scheduled``, all others ``Performed`` (None: all are Performed).  Only
    portable constructs are used (CASE, CAST, arithmetic, a join on TRUE).  On SQLite the
    ScW table's hidden HEALPix column is passed through, so cones on the view use its index.
    """
    scw = resolve("integral.scw")
    inst = resolve("integral.instruments")
    name = inst.c.instrument_name

    def per_instrument(attribute: str) -> sa.Case[Any]:
        return sa.case(*((name == i.name, scw.c[getattr(i, attribute)]) for i in INSTRUMENTS))

    if now_mjd is None:
        status: sa.ColumnElement[Any] = text_literal("Performed")
    else:
        status = sa.case((scw.c.t_start > now_mjd, "Scheduled"), else_="Performed")
    lead = sa.case(_LEAD, value=scw.c.obs_type, else_=_DEFAULT_LEAD)
    columns = [
        (scw.c.t_start - lead).label("t_planning"),
        scw.c.target.label("target_name"),
        scw.c.obs_id.label("obs_id"),
        text_literal(OBS_COLLECTION).label("obs_collection"),
        scw.c.ra.label("s_ra"),
        scw.c.dec.label("s_dec"),
        inst.c.s_fov.label("s_fov"),
        per_instrument("fov_column").label("s_region"),
        inst.c.s_resolution.label("s_resolution"),
        scw.c.t_start.label("t_min"),
        scw.c.t_stop.label("t_max"),
        per_instrument("good_column").label("t_exptime"),
        inst.c.t_resolution.label("t_resolution"),
        inst.c.em_min.label("em_min"),
        inst.c.em_max.label("em_max"),
        inst.c.em_res_power.label("em_res_power"),
        inst.c.o_ucd.label("o_ucd"),
        sa.cast(sa.null(), sa.String()).label("pol_states"),
        sa.cast(sa.literal(0), sa.Integer()).label("pol_xel"),
        inst.c.facility_name.label("facility_name"),
        name.label("instrument_name"),
        scw.c.exposure.label("t_plan_exptime"),
        sa.case(_CATEGORY, value=scw.c.obs_type, else_="Other").label("category"),
        sa.case(_PRIORITY, value=scw.c.obs_type, else_=0).label("priority"),
        status.label("execution_status"),
        text_literal("Sidereal").label("tracking_type"),
        scw.c.scw_id.label("scw_id"),
        scw.c.revolution.label("revolution"),
    ]
    columns.extend(spatial_index_passthrough(scw))
    return sa.select(*columns).select_from(scw.join(inst, sa.true())).where(scw.c.scw_type == "POINTING")
