"""The index of analyses: a VOTable of DataLink service descriptors valid against the schema, JSON and HTML."""

from __future__ import annotations

import io
import json
from pathlib import Path

from astropy.io.votable import parse

from instruments.base import AnalysisInfo
from instruments.parameters import EnergyBand, JemxUnit, ScwSelection, Target, describe_parameters
from tests.xmlschema import assert_valid
from vo_service.analysis.documents import UWS_STANDARD_ID, Listing, index_html, index_json, index_votable


class Params(Target, EnergyBand, ScwSelection, JemxUnit):
    pass


LISTINGS = [
    Listing(
        "jemx/image",
        "http://host/analysis/jemx/image",
        AnalysisInfo("Image", "Sky images & <catalogues>", describe_parameters(Params)),
    ),
    Listing("noop/sleep", "http://host/analysis/noop/sleep", AnalysisInfo("Sleep", "", ())),
]


def test_service_descriptors_are_valid_votable(schemas: Path) -> None:
    assert_valid(index_votable(LISTINGS), schemas, "VOTable-v1.xsd")
    assert_valid(index_votable([]), schemas, "VOTable-v1.xsd")


def test_service_descriptors_carry_units_ucds_defaults_and_limits() -> None:
    document = parse(io.BytesIO(index_votable(LISTINGS)), verify="exception")
    jemx, noop = document.resources
    assert (jemx.type, jemx.utype, jemx.name) == ("meta", "adhoc:service", "jemx/image")
    params = {p.name: p for p in jemx.params}
    assert params["accessURL"].value == "http://host/analysis/jemx/image"
    assert params["standardID"].value == UWS_STANDARD_ID
    (group,) = jemx.groups
    assert group.name == "inputParams"
    inputs = {p.name: p for p in group.entries}
    ra = inputs["RA"]
    assert (ra.datatype, str(ra.unit), ra.ucd, float(ra.value)) == ("double", "deg", "pos.eq.ra", 83.63308)
    assert (ra.values.min, ra.values.min_inclusive, ra.values.max, ra.values.max_inclusive) == (
        0,
        True,
        360,
        False,
    )
    assert [o[1] for o in inputs["jemx_num"].values.options] == ["1", "2"]
    assert inputs["max_pointings"].datatype == "long" and inputs["max_pointings"].values.max == 5000
    assert inputs["scw_list"].arraysize == "*" and "comma" in inputs["scw_list"].description
    assert noop.groups[0].entries == [] and noop.description == "Sleep"


def test_json_lists_parameters_with_limits() -> None:
    analyses = json.loads(index_json(LISTINGS))["analyses"]
    assert [a["name"] for a in analyses] == ["jemx/image", "noop/sleep"]
    e1 = next(p for p in analyses[0]["parameters"] if p["name"] == "E1_keV")
    assert e1 | {"description": ""} == {
        "name": "E1_keV", "datatype": "double", "description": "", "unit": "keV", "ucd": "em.energy",
        "default": "28", "minimum": 0.0, "maximum": None, "min_inclusive": False, "max_inclusive": True,
        "options": [], "required": False, "multiple": False,
    }  # fmt: skip


def test_html_escapes_what_it_shows() -> None:
    page = index_html(LISTINGS)
    assert "Sky images &amp; &lt;catalogues&gt;" in page and "<catalogues>" not in page
    assert "<a href='http://host/analysis/noop/sleep'>" in page and "between -90 and 90 deg" in page
