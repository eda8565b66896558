"""``/sia/query`` on both engines: what each parameter selects among the sample products, how values combine,
MAXREC, the response's metadata and descriptors, and the error documents; ``/sia/capabilities`` and
``/sia/availability`` beside it."""

from __future__ import annotations

import io

import pytest
from astropy.io.votable import parse
from astropy.io.votable.tree import Resource, VOTableFile
from lxml import etree

from tests.conftest import VotLint
from tests.vo_service.sia.conftest import BASE_URL, SiaApp
from tests.vo_service.sia.samples import CRAB, CRAB_SPECTRUM, CYGX1, GC_CUBE, HC_KEV_M, VELA, did
from vo_service.demo.products import DATALINK_FORMAT, OBSCORE

IMAGES = {CRAB, CYGX1, GC_CUBE, VELA}
KNOWN = {CRAB, CYGX1, GC_CUBE}  # the images whose time, band and resolutions are known
Params = list[tuple[str, str]]


def _document(sia: SiaApp, params: Params, method: str = "GET") -> VOTableFile:
    if method == "GET":
        response = sia.get("/sia/query", params=params)
    else:
        response = sia.request("POST", "/sia/query", data=dict(params))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-votable+xml")
    return parse(io.BytesIO(response.content), verify="exception")


def _found(sia: SiaApp, params: Params, method: str = "GET") -> set[str]:
    table = _document(sia, params, method).get_first_table()
    return {str(value).rsplit("?", 1)[1] for value in table.array["obs_publisher_did"]}


def _status(document: VOTableFile) -> str:
    """The last QUERY_STATUS of the results resource (what clients take)."""
    resource = document.resources[0]
    return str([info.value for info in resource.infos if info.name == "QUERY_STATUS"][-1])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], IMAGES),
        ([("POS", "CIRCLE 83.63 22.01 1")], {CRAB}),
        ([("POS", "CIRCLE 90 22.01 2")], {CRAB}),  # reaches the footprint, not its centre
        ([("POS", "CIRCLE 91 22.01 2")], set()),
        ([("POS", "CIRCLE 83.63 22.01 1"), ("POS", "CIRCLE 299.59 35.2 1")], {CRAB, CYGX1}),
        ([("POS", "CIRCLE 263.63 -22.01 120")], {CYGX1, GC_CUBE, VELA}),  # larger than a hemisphere
        ([("POS", "RANGE 80 90 20 25")], {CRAB}),
        ([("POS", "RANGE 0 360 -90 -20")], {GC_CUBE, VELA}),
        ([("POS", "RANGE 0 360.0 30 +Inf")], {CYGX1}),
        ([("POS", "RANGE 250 320 -Inf +Inf")], {CYGX1, GC_CUBE}),
        ([("POS", "RANGE -Inf +Inf -Inf +Inf")], IMAGES),
        ([("POS", "POLYGON 82 21 85 21 85 23 82 23")], {CRAB}),
        ([("POS", "POLYGON 82 23 85 23 85 21 82 21")], {CRAB}),  # either winding: the smaller region
        ([("BAND", "1e-10 2e-10")], {CYGX1}),
        ([("BAND", "1e-12")], {GC_CUBE}),
        ([("BAND", "1e-10 +Inf")], {CYGX1}),
        ([("BAND", "-Inf 1e-12")], {GC_CUBE}),
        ([("BAND", "-Inf +Inf")], KNOWN),
        ([("BAND", "1e-10 2e-10"), ("BAND", "1e-12")], {CYGX1, GC_CUBE}),
        ([("TIME", "53000.5")], {CRAB}),
        ([("TIME", "53001 53001")], {CRAB}),  # bounds included
        ([("TIME", "54005 55001")], {CYGX1, GC_CUBE}),
        ([("TIME", "-Inf +Inf")], KNOWN),
        ([("FOV", "12 14")], {CYGX1}),
        ([("FOV", "-Inf 10")], {CRAB, VELA}),
        ([("FOV", "15 +Inf")], {GC_CUBE}),
        ([("SPATRES", "-Inf 200")], {CYGX1}),
        ([("SPATRES", "-Inf +Inf")], KNOWN),
        ([("EXPTIME", "-Inf 60000")], {CRAB, CYGX1}),
        ([("EXPTIME", "-Inf 2"), ("EXPTIME", "90000 +Inf")], {GC_CUBE}),
        ([("TIMERES", "-Inf 1500")], {GC_CUBE}),
        ([("SPECRP", "100 +Inf")], {GC_CUBE}),
        ([("SPECRP", "1 2")], {CRAB}),
        ([("ID", did(CRAB))], {CRAB}),
        ([("ID", did(CRAB).upper())], {CRAB}),  # IVOIDs compare ignoring case
        ([("ID", did(CRAB)), ("ID", did(GC_CUBE))], {CRAB, GC_CUBE}),
        ([("ID", did(CRAB_SPECTRUM))], set()),  # a spectrum, never an SIA answer
        ([("COLLECTION", "INTEGRAL/JEM-X1")], {CYGX1}),
        ([("COLLECTION", "integral/jem-x1")], set()),  # other strings compare exactly
        ([("FACILITY", "INTEGRAL")], IMAGES),
        ([("FACILITY", "Swift")], set()),
        ([("INSTRUMENT", "ISGRI")], {CRAB, VELA}),
        ([("INSTRUMENT", "ISGRI"), ("INSTRUMENT", "SPI")], {CRAB, VELA, GC_CUBE}),
        ([("DPTYPE", "cube")], {GC_CUBE}),
        ([("DPTYPE", "image")], {CRAB, CYGX1, VELA}),
        ([("CALIB", "2")], {CYGX1, GC_CUBE}),
        ([("CALIB", "2"), ("CALIB", "3")], IMAGES),
        ([("TARGET", "Cyg X-1")], {CYGX1}),
        ([("TARGET", "Crab")], {CRAB}),
        ([("FORMAT", DATALINK_FORMAT)], IMAGES),
        ([("FORMAT", "application/fits")], set()),
        ([("POL", "I")], set()),  # no product has polarization states
        ([("INSTRUMENT", "ISGRI"), ("POS", "CIRCLE 83.63 22.01 1")], {CRAB}),
        ([("INSTRUMENT", "ISGRI"), ("TIME", "55000")], set()),
        ([("pos", "circle 83.63 22.01 1"), ("Instrument", "ISGRI")], {CRAB}),  # names in any case
        ([("FOO", "bar"), ("RUNID", "r1")], IMAGES),  # parameters SIA does not define
    ],
)
def test_parameters_select_products(sia: SiaApp, params: Params, expected: set[str]) -> None:
    assert _found(sia, params) == expected


def test_post_selects_as_get(sia: SiaApp) -> None:
    params = [("POS", "CIRCLE 83.63 22.01 1"), ("MAXREC", "5")]
    assert _found(sia, params, method="POST") == {CRAB}


def test_response_columns_are_obscore_with_its_metadata(sia: SiaApp) -> None:
    table = _document(sia, [("ID", did(CRAB))]).get_first_table()
    fields = {f.name: f for f in table.fields}
    published = [c for c in OBSCORE.columns if not c.name.startswith("_")]
    assert list(fields) == [c.name for c in published]
    for column in published:
        field = fields[column.name]
        assert (field.ucd, field.utype) == (column.ucd, column.utype), column.name
        assert (str(field.unit) if field.unit is not None else None) == column.unit, column.name
    row = table.array[0]
    assert row["dataproduct_type"] == "image" and row["instrument_name"] == "ISGRI"
    assert row["em_min"] == pytest.approx(HC_KEV_M / 80.0)
    assert str(row["s_region"]).startswith("Polygon ICRS 78.63 17.01")


def test_response_names_sia_echoes_parameters_and_describes_itself(sia: SiaApp) -> None:
    document = _document(sia, [("INSTRUMENT", "ISGRI"), ("TIME", "53000 53001")])
    infos = {info.name: info for info in document.resources[0].infos}
    assert infos["standardID"].value == "ivo://ivoa.net/std/SIA#query-2.0"
    assert (infos["INSTRUMENT"].value, infos["TIME"].value) == ("ISGRI", "53000 53001")
    assert "ivoa.obscore" in str(infos["ADQL"].content)
    assert _status(document) == "OK"
    meta: dict[str, Resource] = {
        str(r.name or r.ID): r for r in document.resources if r.type == "meta" and r.utype == "adhoc:service"
    }
    this = {p.name: p for p in meta["this"].params}
    assert this["standardID"].value == "ivo://ivoa.net/std/SIA#query-2.0"
    assert this["accessURL"].value == f"{BASE_URL}/sia/query"
    inputs = {p.name: p for p in meta["this"].groups[0].entries}
    assert {"POS", "BAND", "TIME", "DPTYPE", "CALIB", "MAXREC"} <= set(inputs)
    assert (inputs["BAND"].xtype, str(inputs["BAND"].unit)) == ("interval", "m")
    assert [value for _, value in inputs["DPTYPE"].values.options] == ["image", "cube"]
    datalink = {p.name: p for p in meta["datalink"].params}
    assert datalink["accessURL"].value == f"{BASE_URL}/datalink/links"


def test_maxrec_cuts_and_flags_overflow(sia: SiaApp) -> None:
    cut = _document(sia, [("MAXREC", "1")])
    assert len(cut.get_first_table().array) == 1
    assert _status(cut) == "OVERFLOW"
    full = _document(sia, [("MAXREC", "4")])
    assert len(full.get_first_table().array) == 4
    assert _status(full) == "OK"


def test_maxrec_zero_gives_metadata_only(sia: SiaApp) -> None:
    document = _document(sia, [("MAXREC", "0"), ("POS", "CIRCLE 83.63 22.01 1")])
    table = document.get_first_table()
    assert len(table.array) == 0
    assert "obs_publisher_did" in [f.name for f in table.fields]
    assert _status(document) == "OVERFLOW"


def test_responseformat_chooses_the_output_and_format_selects_rows(sia: SiaApp) -> None:
    response = sia.get(
        "/sia/query", params={"RESPONSEFORMAT": "csv", "FORMAT": DATALINK_FORMAT, "ID": did(CRAB)}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, row, *rest = response.text.splitlines()
    assert header.split(",")[0] == "dataproduct_type" and did(CRAB) in row and not rest


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"POS": "CIRCLE 1 2"}, "POS"),
        ({"POS": "BOX 1 2 3 4"}, "POS"),
        ({"POS": "CIRCLE 400 0 1"}, "POS"),
        ({"POS": "CIRCLE 10 0 0"}, "POS"),
        ({"POS": "CIRCLE a b c"}, "POS"),
        ({"POS": "RANGE 10 5 0 1"}, "POS"),
        ({"POS": "RANGE 10 20 5 5"}, "POS"),
        ({"POS": "POLYGON 0 0 1 1"}, "POS"),
        ({"POS": "POLYGON 0 0 10 0 20 0"}, "POS"),
        ({"POS": ""}, "POS"),
        ({"BAND": "2 1"}, "BAND"),
        ({"BAND": "1 2 3"}, "BAND"),
        ({"BAND": "nan"}, "BAND"),
        ({"BAND": "+Inf"}, "BAND"),
        ({"TIME": "yesterday"}, "TIME"),
        ({"FOV": "1_0 20"}, "FOV"),
        ({"DPTYPE": "spectrum"}, "DPTYPE"),
        ({"CALIB": "7"}, "CALIB"),
        ({"POL": "Z"}, "POL"),
        ({"COLLECTION": ""}, "COLLECTION"),
        ({"TARGET": "Crab\x01"}, "TARGET"),
        ({"MAXREC": "-1"}, "MAXREC"),
        ({"MAXREC": ["1", "2"]}, "MAXREC"),
        ({"RESPONSEFORMAT": "application/x-nothing"}, "RESPONSEFORMAT"),
    ],
)
def test_bad_values_are_usage_faults_naming_the_parameter(
    sia: SiaApp, params: dict[str, str | list[str]], named: str
) -> None:
    response = sia.get("/sia/query", params=params)
    assert response.status_code == 400
    document = parse(io.BytesIO(response.content), verify="exception")
    (status,) = [i for i in document.resources[0].infos if i.name == "QUERY_STATUS"]
    assert status.value == "ERROR"
    assert str(status.content).startswith("UsageFault: ")
    assert named in str(status.content) or named.lower() in str(status.content).lower()


def test_documents_pass_votlint(sia: SiaApp, votlint: VotLint) -> None:
    for params in ({"POS": "CIRCLE 83.63 22.01 1"}, {"MAXREC": "0"}, {"MAXREC": "1"}, {"BAND": "2 1"}):
        response = sia.get("/sia/query", params=params)
        assert votlint(response.content).startswith("votlint: 0 errors"), params


NS = {"vosi": "http://www.ivoa.net/xml/VOSICapabilities/v1.0"}


def test_capabilities_declare_sia_and_vosi(sia: SiaApp) -> None:
    response = sia.get("/sia/capabilities")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    urls = {c.get("standardID"): [u.text for u in c.iter("accessURL")] for c in root.findall("capability")}
    assert urls == {
        "ivo://ivoa.net/std/SIA#query-2.0": [f"{BASE_URL}/sia/query"],
        "ivo://ivoa.net/std/VOSI#capabilities": [f"{BASE_URL}/sia/capabilities"],
        "ivo://ivoa.net/std/VOSI#availability": [f"{BASE_URL}/sia/availability"],
    }


def test_availability_says_available(sia: SiaApp) -> None:
    response = sia.get("/sia/availability")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.findtext("{http://www.ivoa.net/xml/VOSIAvailability/v1.0}available") == "true"
