"""``integral.scw``: table metadata of the simulated science-window (ScW) index.

The rows come from :mod:`vo_service.demo.plan`; this module only says what each column means.  Columns follow
the ISDC index (``GNRL-SCWG-GRP-IDX``: SWID, SW_TYPE, REVOL, TSTART, TSTOP, RA_SCX, DEC_SCX, POSANGLE,
OBS_ID, OBS_TYPE, GOOD_*), with times as UTC MJD rather than IJD (TT) so they compare directly with the
ObsCore and ObsLocTAP tables.
"""

from __future__ import annotations

from tap.schema import Column, ForeignKey, Table, position_columns
from vo_service.demo.instruments import INSTRUMENTS
from vo_service.demo.plan import NRT_FROM

__all__ = ["SCW"]


def _good(column: str, instrument: str) -> Column:
    return Column(
        column,
        "double",
        unit="s",
        ucd="time.duration;obs.exposure",
        description=f"Good time of {instrument} in the ScW (0 for slews and when the instrument was off)",
    )


def _fov(column: str) -> Column:
    users = [i for i in INSTRUMENTS if i.fov_column == column]
    names = " and ".join(i.name for i in users)
    return Column(
        column,
        "double",
        "3",
        xtype="circle",
        ucd="pos.outline;obs.field",
        description=f"Field of view of {names}: circle of {users[0].fov:g} deg diameter (zero response) "
        "around the pointing axis",
    )


SCW = Table(
    schema="integral",
    name="scw",
    description=(
        "SIMULATED INTEGRAL science-window index: pointings and slews of a simulated observing plan for a "
        "selection of real revolutions (dither patterns on real fields, the Crab only in its visibility windows, "
        "campaigns on the Crab in revolutions 39-45 and 665 and on V404 Cyg in June 2015).  Times follow the "
        "revolution model of integral.revolutions; positions, durations and good times are simulated."
    ),
    columns=(
        Column(
            "scw_id",
            "char",
            "16",
            ucd="meta.id;meta.main",
            principal=True,
            indexed=True,
            nullable=False,
            description="ScW identifier RRRRPPPPSSSF.VVV: revolution, pointing number in the revolution, "
            "sub-division, type (0 pointing, 1 slew) and version (000 NRT, 001 consolidated)",
        ),
        Column(
            "scw_type",
            "char",
            "*",
            ucd="meta.code",
            principal=True,
            nullable=False,
            description="POINTING or SLEW",
        ),
        Column(
            "revolution",
            "int",
            ucd="meta.id;obs.sequence",
            principal=True,
            indexed=True,
            nullable=False,
            description="Revolution number (see integral.revolutions)",
        ),
        *position_columns(
            "Right ascension (ICRS) of the pointing axis (slews: mid-slew)",
            "Declination (ICRS) of the pointing axis (slews: mid-slew)",
        ),
        Column(
            "posangle",
            "double",
            unit="deg",
            ucd="pos.posAng",
            description="Position angle of the spacecraft Y axis, east of north (simulated from the Sun direction)",
        ),
        Column(
            "t_start",
            "double",
            unit="d",
            ucd="time.start",
            principal=True,
            indexed=True,
            nullable=False,
            description="Start of the ScW, MJD (UTC)",
        ),
        Column(
            "t_stop",
            "double",
            unit="d",
            ucd="time.end",
            principal=True,
            nullable=False,
            description="End of the ScW, MJD (UTC)",
        ),
        Column(
            "exposure",
            "double",
            unit="s",
            ucd="time.duration;obs.exposure",
            principal=True,
            nullable=False,
            description="Duration of the ScW, (t_stop - t_start) in seconds",
        ),
        _good("good_isgri", "IBIS/ISGRI"),
        _good("good_jemx1", "JEM-X unit 1"),
        _good("good_jemx2", "JEM-X unit 2"),
        _good("good_spi", "SPI"),
        Column(
            "target",
            "char",
            "*",
            ucd="meta.id;src",
            principal=True,
            description="Target or field of the observation the ScW belongs to",
        ),
        Column(
            "obs_id", "char", "*", ucd="meta.id;obs", description="Observation (block of ScWs) identifier"
        ),
        Column(
            "obs_type",
            "char",
            "*",
            ucd="meta.code;obs",
            description="GENERAL (open time), CALIBRATION or TOO (Target of Opportunity)",
        ),
        Column(
            "pattern",
            "char",
            "*",
            ucd="meta.code;instr.setup",
            description="Dither pattern: 5x5 (2.17 deg steps), HEX (hexagonal, 2 deg) or STARING",
        ),
        Column(
            "data_version",
            "char",
            "*",
            ucd="meta.version",
            principal=True,
            description=f"NRT (near-real-time, revolutions from {NRT_FROM}) or CONS (consolidated)",
        ),
        *(_fov(c) for c in dict.fromkeys(i.fov_column for i in INSTRUMENTS)),
    ),
    position=("ra", "dec"),
    primary_key=("scw_id",),
    foreign_keys=(
        ForeignKey(
            "integral_scw_revolution",
            "integral.scw",
            "integral.revolutions",
            (("revolution", "revolution"),),
            description="The revolution a ScW belongs to",
        ),
    ),
)
