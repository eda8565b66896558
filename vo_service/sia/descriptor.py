"""The SIA service descriptor every query response carries: a ``RESOURCE name="this"`` that describes the
``{query}`` endpoint and its input parameters, so a client holding only a response (even a ``MAXREC=0`` one)
knows how to ask again.

Written as text, like the VOTable around it (:mod:`tap.formats.votable`), with the same escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from tap.formats.xmltext import xml_attr, xml_text
from vo_service.registry.capabilities import SIA_STANDARD_ID
from vo_service.sia.query import CALIB_LEVELS, IMAGE_TYPES, POL_STATES

__all__ = ["self_descriptor"]


@dataclass(frozen=True, slots=True)
class _Input:
    name: str
    description: str
    datatype: str = "char"
    xtype: str | None = None
    unit: str | None = None
    options: Sequence[str] = ()


def _interval(name: str, unit: str | None, what: str) -> _Input:
    return _Input(name, f"{what}: lo hi (-Inf/+Inf for open ends) or one value", "double", "interval", unit)


_INPUTS: Final = (
    _Input(
        "POS",
        "Region the footprint must intersect: CIRCLE lon lat r, RANGE lon1 lon2 lat1 lat2 or "
        "POLYGON lon1 lat1 ... (ICRS, degrees)",
    ),
    _interval("BAND", "m", "Wavelengths the coverage must overlap"),
    _interval("TIME", "d", "Times (MJD) the coverage must overlap"),
    _Input("POL", "Polarization state", options=POL_STATES),
    _interval("FOV", "deg", "Range of the field of view (diameter)"),
    _interval("SPATRES", "arcsec", "Range of the spatial resolution"),
    _interval("EXPTIME", "s", "Range of the exposure time"),
    _interval("TIMERES", "s", "Range of the time resolution"),
    _interval("SPECRP", None, "Range of the spectral resolving power"),
    _Input("ID", "Publisher dataset identifier (obs_publisher_did), compared ignoring case"),
    _Input("COLLECTION", "Collection (obs_collection), e.g. INTEGRAL/ISGRI"),
    _Input("FACILITY", "Facility (facility_name)"),
    _Input("INSTRUMENT", "Instrument (instrument_name)"),
    _Input("DPTYPE", "Product type", options=IMAGE_TYPES),
    _Input("CALIB", "Calibration level", "int", options=CALIB_LEVELS),
    _Input("TARGET", "Target name (target_name)"),
    _Input("FORMAT", "Format of what access_url returns (access_format)"),
    _Input("MAXREC", "Largest number of records to return", "int"),
)


def _param(name: str, value: str, *, datatype: str = "char", **attributes: str | None) -> str:
    arraysize = {"char": "*", "double": "2"}.get(datatype)  # doubles here are DALI intervals
    pairs = {"name": name, "datatype": datatype, "arraysize": arraysize, **attributes, "value": value}
    return "<PARAM" + "".join(f' {k}="{xml_attr(v)}"' for k, v in pairs.items() if v is not None)


def _input(item: _Input) -> str:
    head = _param(item.name, "", datatype=item.datatype, xtype=item.xtype, unit=item.unit)
    options = "".join(f'<OPTION value="{xml_attr(option)}"/>' for option in item.options)
    values = f"<VALUES>{options}</VALUES>" if options else ""
    return f"{head}><DESCRIPTION>{xml_text(item.description)}</DESCRIPTION>{values}</PARAM>\n"


def self_descriptor(access_url: str) -> str:
    """The descriptor of the ``{query}`` endpoint at ``access_url``, as a RESOURCE element (text)."""
    return (
        '<RESOURCE type="meta" utype="adhoc:service" name="this">\n'
        "<DESCRIPTION>SIA 2.0 query of the images and cubes of this service</DESCRIPTION>\n"
        f"{_param('standardID', SIA_STANDARD_ID)}/>\n"
        f"{_param('accessURL', access_url, ucd='meta.ref.url')}/>\n"
        '<GROUP name="inputParams">\n' + "".join(map(_input, _INPUTS)) + "</GROUP>\n</RESOURCE>\n"
    )
