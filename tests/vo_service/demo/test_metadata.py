"""Metadata of every demo table: completeness, valid units and UCDs, and the exact ObsCore/ObsLocTAP columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from astropy import units as u
from astropy.io.votable.ucd import check_ucd

from tap.schema import Column, Dialect, Table
from vo_service.config import Config
from vo_service.db import sa_table
from vo_service.demo import demo_tables, demo_views
from vo_service.demo.instruments import INSTRUMENTS_TABLE, instrument_chunks

TABLES = demo_tables(Config())
BY_NAME = {t.qualified_name: t for t in TABLES}
#: ObsLocTAP 1.0 gives these columns neither UCD nor utype, and validators expect none.
OBSLOC_BARE = {"t_planning", "category", "priority", "execution_status", "tracking_type"}


def _all_columns() -> list[tuple[Table, Column]]:
    return [(t, c) for t in TABLES for c in t.columns]


def test_the_expected_tables() -> None:
    assert set(BY_NAME) == {
        "mmvo.sources",
        "integral.revolutions",
        "integral.scw",
        "integral.instruments",
        "mmvo.products",
        "ivoa.obsplan",
        "ivoa.obscore",
    }
    for name in ("mmvo.sources", "integral.scw", "mmvo.products", "ivoa.obscore", "ivoa.obsplan"):
        assert BY_NAME[name].position is not None
    assert BY_NAME["mmvo.sources"].position == ("ra", "dec")
    assert BY_NAME["ivoa.obscore"].position == ("s_ra", "s_dec")
    for table in TABLES:
        assert len(table.description) > 40, table.qualified_name
    for name in ("mmvo.sources", "integral.scw", "ivoa.obsplan"):
        assert "SIMULATED" in BY_NAME[name].description


@pytest.mark.parametrize(("table", "column"), _all_columns(), ids=lambda x: getattr(x, "name", ""))
def test_every_column_is_described(table: Table, column: Column) -> None:
    assert column.description, f"{table.qualified_name}.{column.name}"
    if not (table.name == "obsplan" and column.name in OBSLOC_BARE):
        assert column.ucd and check_ucd(column.ucd, check_controlled_vocabulary=True), column.ucd
    if column.unit is not None:
        u.Unit(column.unit, format="vounit")
    if column.xtype in {"point", "circle", "polygon"}:
        assert column.datatype == "double" and column.arraysize == {"point": "2", "circle": "3"}.get(
            column.xtype, "*"
        )
    if column.xtype == "timestamp" or column.is_region:
        assert column.datatype == "char" and column.arraysize == "*"


# (name, datatype, unit, ucd, utype) of the 30 mandatory ObsCore 1.1 columns (REC, TAP_SCHEMA appendix).
OBSCORE_STANDARD = """
dataproduct_type char - meta.code.class ObsDataset.dataProductType
calib_level int - meta.code;obs.calib ObsDataset.calibLevel
obs_collection char - meta.id DataID.collection
obs_id char - meta.id DataID.observationID
obs_publisher_did char - meta.ref.ivoid Curation.publisherDID
access_url char - meta.ref.url Access.reference
access_format char - meta.code.mime Access.format
access_estsize long kbyte phys.size;meta.file Access.size
target_name char - meta.id;src Target.name
s_ra double deg pos.eq.ra Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1
s_dec double deg pos.eq.dec Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2
s_fov double deg phys.angSize;instr.fov Char.SpatialAxis.Coverage.Bounds.Extent.diameter
s_region char - pos.outline;obs.field Char.SpatialAxis.Coverage.Support.Area
s_resolution double arcsec pos.angResolution Char.SpatialAxis.Resolution.Refval.value
s_xel1 long - meta.number Char.SpatialAxis.numBins1
s_xel2 long - meta.number Char.SpatialAxis.numBins2
t_min double d time.start;obs.exposure Char.TimeAxis.Coverage.Bounds.Limits.StartTime
t_max double d time.end;obs.exposure Char.TimeAxis.Coverage.Bounds.Limits.StopTime
t_exptime double s time.duration;obs.exposure Char.TimeAxis.Coverage.Support.Extent
t_resolution double s time.resolution Char.TimeAxis.Resolution.Refval.value
t_xel long - meta.number Char.TimeAxis.numBins
em_min double m em.wl;stat.min Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit
em_max double m em.wl;stat.max Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit
em_res_power double - spect.resolution Char.SpectralAxis.Resolution.ResolPower.refVal
em_xel long - meta.number Char.SpectralAxis.numBins
o_ucd char - meta.ucd Char.ObservableAxis.ucd
pol_states char - meta.code;phys.polarization Char.PolarizationAxis.stateList
pol_xel long - meta.number Char.PolarizationAxis.numBins
facility_name char - meta.id;instr.tel Provenance.ObsConfig.Facility.name
instrument_name char - meta.id;instr Provenance.ObsConfig.Instrument.name
"""

# (name, type class, unit, ucd, utype) of the 26 ivoa.obsplan columns of ObsLocTAP 1.0 (REC, section 3.4).
OBSLOCTAP_STANDARD = """
t_planning real d - -
target_name string - meta.id;src Target.name
obs_id string - meta.id DataID.observationID
obs_collection string - meta.id DataID.collection
s_ra real deg pos.eq.ra Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1
s_dec real deg pos.eq.dec Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2
s_fov real deg phys.angSize;instr.fov Char.SpatialAxis.Coverage.Bounds.Extent.diameter
s_region region - pos.outline;obs.field Char.SpatialAxis.Coverage.Support.Area
s_resolution real arcsec pos.angResolution Char.SpatialAxis.Resolution.Refval.value
t_min real d time.start;obs.exposure Char.TimeAxis.Coverage.Bounds.Limits.StartTime
t_max real d time.end;obs.exposure Char.TimeAxis.Coverage.Bounds.Limits.StopTime
t_exptime real s time.duration;obs.exposure Char.TimeAxis.Coverage.Support.Extent
t_resolution real s time.resolution Char.TimeAxis.Resolution.Refval.value
em_min real m em.wl;stat.min Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit
em_max real m em.wl;stat.max Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit
em_res_power real - spect.resolution Char.SpectralAxis.Resolution.ResolPower.refVal
o_ucd string - meta.ucd Char.ObservableAxis.ucd
pol_states string - meta.code;phys.polarization Char.PolarizationAxis.stateList
pol_xel integer - meta.number Char.PolarizationAxis.numBins
facility_name string - meta.id;instr.tel Provenance.ObsConfig.Facility.name
instrument_name string - meta.id;instr Provenance.ObsConfig.Instrument.name
t_plan_exptime real s time.duration;obs.exposure Char.TimeAxis.Coverage.Support.Extent
category string - - -
priority integer - - -
execution_status string - - -
tracking_type string - - -
"""
_TYPE_CLASSES = {
    "real": {"float", "double"},
    "integer": {"short", "int", "long"},
    "string": {"char", "unicodeChar"},
    "region": {"double"},
}


def _standard(text: str) -> list[list[Any]]:
    return [[None if f == "-" else f for f in line.split()] for line in text.strip().splitlines()]


@pytest.mark.parametrize(("name", "datatype", "unit", "ucd", "utype"), _standard(OBSCORE_STANDARD))
def test_obscore_mandatory_columns(name: str, datatype: str, unit: str | None, ucd: str, utype: str) -> None:
    column = BY_NAME["ivoa.obscore"].column(name)
    assert column is not None, name
    assert (column.datatype, column.unit, column.ucd, column.utype) == (
        datatype,
        unit,
        ucd,
        f"obscore:{utype}",
    )
    assert column.principal and column.std
    if name in {"calib_level", "obs_collection", "obs_id", "obs_publisher_did"}:
        assert not column.nullable


def test_obscore_region_and_table_utype() -> None:
    obscore = BY_NAME["ivoa.obscore"]
    for table in (obscore, BY_NAME["mmvo.products"]):
        # ObsCore's REGION as validators (taplint) want it: a string column, STC-S text, xtype adql:REGION
        region = table.column("s_region")
        assert region is not None
        assert (region.datatype, region.arraysize, region.xtype) == ("char", "*", "adql:REGION")
        assert region.is_region and region.geometry_shape == "polygon" and region.indexed
        assert region.ucd == "pos.outline;obs.field"
        if table is obscore:
            assert region.utype == "obscore:Char.SpatialAxis.Coverage.Support.Area"
    assert obscore.utype == "ivo://ivoa.net/std/obscore#table-1.1"
    assert (
        obscore.column("obs_creation_date") is not None and obscore.column("dataproduct_subtype") is not None
    )


@pytest.mark.parametrize(("name", "kind", "unit", "ucd", "utype"), _standard(OBSLOCTAP_STANDARD))
def test_obsloctap_columns(
    name: str, kind: str, unit: str | None, ucd: str | None, utype: str | None
) -> None:
    column = BY_NAME["ivoa.obsplan"].column(name)
    assert column is not None, name
    assert column.datatype in _TYPE_CLASSES[kind]
    assert (column.unit, column.ucd, column.utype) == (unit, ucd, utype)
    if kind == "region":
        assert column.xtype in {"circle", "polygon"}
    if name in {
        "t_planning",
        "obs_id",
        "facility_name",
        "category",
        "priority",
        "execution_status",
        "tracking_type",
    }:
        assert not column.nullable


def test_obsplan_table_utype() -> None:
    assert BY_NAME["ivoa.obsplan"].utype == "ivo://ivoa.net/std/obsloctap#table-1.0"
    assert BY_NAME["ivoa.obsplan"].table_type == "view"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_view_selects_give_the_view_columns_in_order(dialect: Dialect) -> None:
    metadata = sa.MetaData()
    bases = {t.qualified_name: sa_table(t, dialect, metadata) for t in TABLES if t.table_type == "table"}
    for view, build in demo_views(Config()):
        names = [c.name for c in build(bases.__getitem__).selected_columns]
        assert names == [c.name for c in view.columns] + (["_hpx"] if dialect == "sqlite" else [])


def test_instrument_rows_match_the_table() -> None:
    rows = next(instrument_chunks())
    assert list(rows) == [c.name for c in INSTRUMENTS_TABLE.columns]
    assert list(rows["instrument_name"]) == ["ISGRI", "JEM-X1", "JEM-X2", "SPI"]
    # lambda = hc / E: the highest energy gives em_min.
    assert rows["em_min"][0] == pytest.approx(1.239842e-6 / 1.0e6)
    assert np.all(np.asarray(rows["em_min"], dtype=float) < np.asarray(rows["em_max"], dtype=float))
