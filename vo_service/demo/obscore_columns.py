"""Column metadata of the ObsCore 1.1 data model, shared by ``ivoa.obscore`` and ``ivoa.obsplan``.

Names, datatypes, units, UCDs and utypes are those of the ObsCore 1.1 REC (TAP_SCHEMA appendix, with the
erratum giving ``meta.ref.ivoid`` for identifiers); ObsLocTAP 1.0 reuses them for ``ivoa.obsplan``, without
the ``obscore:`` prefix on the utypes (its TAP_SCHEMA table writes them bare, and validators compare them so).
"""

from __future__ import annotations

from dataclasses import dataclass

from tap.schema import REGION_XTYPE, Column

__all__ = ["OBSCORE_MANDATORY", "OBSCORE_PREFIX", "obscore_column"]

OBSCORE_PREFIX = "obscore:"


@dataclass(frozen=True, slots=True)
class _Spec:
    datatype: str
    ucd: str
    utype: str
    description: str
    unit: str | None = None
    arraysize: str | None = None
    xtype: str | None = None


def _s(datatype: str, ucd: str, utype: str, description: str, **more: str) -> _Spec:
    return _Spec(datatype, ucd, utype, description, **more)


_STAR = {"arraysize": "*"}
_SPECS: dict[str, _Spec] = {
    "dataproduct_type": _s(
        "char",
        "meta.code.class",
        "ObsDataset.dataProductType",
        "Data product type (image, cube, spectrum, sed, timeseries, visibility, event, measurements)",
        **_STAR,
    ),
    "calib_level": _s(
        "int",
        "meta.code;obs.calib",
        "ObsDataset.calibLevel",
        "Calibration level: 0 raw, 1 instrumental, 2 calibrated, 3 enhanced, 4 analysis product",
    ),
    "obs_collection": _s("char", "meta.id", "DataID.collection", "Name of the data collection", **_STAR),
    "obs_id": _s("char", "meta.id", "DataID.observationID", "Observation identifier", **_STAR),
    "obs_publisher_did": _s(
        "char",
        "meta.ref.ivoid",
        "Curation.publisherDID",
        "Dataset identifier assigned by the publisher (IVOA identifier)",
        **_STAR,
    ),
    "access_url": _s("char", "meta.ref.url", "Access.reference", "URL to access the data set", **_STAR),
    "access_format": _s(
        "char", "meta.code.mime", "Access.format", "MIME type of what access_url returns", **_STAR
    ),
    "access_estsize": _s(
        "long", "phys.size;meta.file", "Access.size", "Estimated size of the data set", unit="kbyte"
    ),
    "target_name": _s("char", "meta.id;src", "Target.name", "Name of the observed target", **_STAR),
    "s_ra": _s(
        "double",
        "pos.eq.ra",
        "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1",
        "Right ascension of the centre, ICRS",
        unit="deg",
    ),
    "s_dec": _s(
        "double",
        "pos.eq.dec",
        "Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2",
        "Declination of the centre, ICRS",
        unit="deg",
    ),
    "s_fov": _s(
        "double",
        "phys.angSize;instr.fov",
        "Char.SpatialAxis.Coverage.Bounds.Extent.diameter",
        "Diameter of the covered region",
        unit="deg",
    ),
    # ObsCore's REGION type: STC-S text (what validators accept), a polygon inside queries.
    "s_region": _s(
        "char",
        "pos.outline;obs.field",
        "Char.SpatialAxis.Coverage.Support.Area",
        "Sky region covered (ICRS polygon as STC-S)",
        arraysize="*",
        xtype=REGION_XTYPE,
    ),
    "s_resolution": _s(
        "double",
        "pos.angResolution",
        "Char.SpatialAxis.Resolution.Refval.value",
        "Spatial resolution (FWHM)",
        unit="arcsec",
    ),
    "s_xel1": _s(
        "long", "meta.number", "Char.SpatialAxis.numBins1", "Number of elements along the first spatial axis"
    ),
    "s_xel2": _s(
        "long", "meta.number", "Char.SpatialAxis.numBins2", "Number of elements along the second spatial axis"
    ),
    "t_min": _s(
        "double",
        "time.start;obs.exposure",
        "Char.TimeAxis.Coverage.Bounds.Limits.StartTime",
        "Start time, MJD (UTC)",
        unit="d",
    ),
    "t_max": _s(
        "double",
        "time.end;obs.exposure",
        "Char.TimeAxis.Coverage.Bounds.Limits.StopTime",
        "Stop time, MJD (UTC)",
        unit="d",
    ),
    "t_exptime": _s(
        "double",
        "time.duration;obs.exposure",
        "Char.TimeAxis.Coverage.Support.Extent",
        "Total exposure time",
        unit="s",
    ),
    "t_resolution": _s(
        "double",
        "time.resolution",
        "Char.TimeAxis.Resolution.Refval.value",
        "Temporal resolution (FWHM)",
        unit="s",
    ),
    "t_xel": _s("long", "meta.number", "Char.TimeAxis.numBins", "Number of elements along the time axis"),
    "em_min": _s(
        "double",
        "em.wl;stat.min",
        "Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit",
        "Shortest vacuum wavelength (hc / highest energy)",
        unit="m",
    ),
    "em_max": _s(
        "double",
        "em.wl;stat.max",
        "Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit",
        "Longest vacuum wavelength (hc / lowest energy)",
        unit="m",
    ),
    "em_res_power": _s(
        "double",
        "spect.resolution",
        "Char.SpectralAxis.Resolution.ResolPower.refVal",
        "Spectral resolving power E/dE",
    ),
    "em_xel": _s(
        "long", "meta.number", "Char.SpectralAxis.numBins", "Number of elements along the spectral axis"
    ),
    "o_ucd": _s("char", "meta.ucd", "Char.ObservableAxis.ucd", "UCD of the observable", **_STAR),
    "pol_states": _s(
        "char",
        "meta.code;phys.polarization",
        "Char.PolarizationAxis.stateList",
        "Polarization states, or NULL if not applicable",
        **_STAR,
    ),
    "pol_xel": _s("long", "meta.number", "Char.PolarizationAxis.numBins", "Number of polarization samples"),
    "facility_name": _s(
        "char",
        "meta.id;instr.tel",
        "Provenance.ObsConfig.Facility.name",
        "Facility (observatory) that took the data",
        **_STAR,
    ),
    "instrument_name": _s(
        "char",
        "meta.id;instr",
        "Provenance.ObsConfig.Instrument.name",
        "Instrument that took the data",
        **_STAR,
    ),
    # Optional ObsCore columns used here.
    "dataproduct_subtype": _s(
        "char",
        "meta.code.class",
        "ObsDataset.dataProductSubtype",
        "Finer product kind (light-curve, mosaic, source-list, ...)",
        **_STAR,
    ),
    "target_class": _s(
        "char", "src.class", "Target.class", "Class of the target (SIMBAD main type)", **_STAR
    ),
    "obs_creation_date": _s(
        "char",
        "time;meta.dataset",
        "DataID.date",
        "Date the data set was created (UTC)",
        arraysize="*",
        xtype="timestamp",
    ),
    "obs_title": _s("char", "meta.title;obs", "DataID.title", "Short human-readable title", **_STAR),
    "publisher_id": _s(
        "char", "meta.ref.ivoid", "Curation.publisherID", "IVOA identifier of the publisher", **_STAR
    ),
}

#: The 30 mandatory columns of ObsCore 1.1, in the order of the standard's tables.
OBSCORE_MANDATORY: tuple[str, ...] = tuple(list(_SPECS)[:30])
_NOT_NULL = frozenset({"calib_level", "obs_collection", "obs_id", "obs_publisher_did"})


def obscore_column(
    name: str,
    *,
    prefix: str = OBSCORE_PREFIX,
    description: str | None = None,
    principal: bool | None = None,
    indexed: bool = False,
    nullable: bool | None = None,
    datatype: str | None = None,
) -> Column:
    """The standard metadata of ObsCore column ``name``; ``prefix`` goes in front of the utype.

    ``description`` replaces the generic text, ``datatype`` the ObsCore type (ObsLocTAP's ``pol_xel`` is an
    int).  Mandatory columns are principal unless told otherwise.  Raises ``KeyError`` for an unknown name.
    """
    spec = _SPECS[name]
    return Column(
        name,
        datatype or spec.datatype,
        spec.arraysize,
        xtype=spec.xtype,
        unit=spec.unit,
        ucd=spec.ucd,
        utype=prefix + spec.utype,
        description=description or spec.description,
        indexed=indexed,
        principal=name in OBSCORE_MANDATORY if principal is None else principal,
        std=True,
        nullable=name not in _NOT_NULL if nullable is None else nullable,
    )
