"""The {links} VOTable and service descriptors: schema-valid, read by astropy without a warning, and holding
what DataLink clients look for (the standardID INFO, the query status, empty cells for NULLs, descriptors with
defaults, limits, options and references)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from astropy.io.votable import parse
from astropy.io.votable.tree import VOTableFile
from lxml import etree

from datalink.links import LinkRow, error_row
from datalink.votable import (
    DescriptorParam,
    ServiceDescriptor,
    append_descriptor,
    descriptor_fragment,
    descriptors_document,
    links_document,
    new_votable,
)
from tap.formats import ResultStatus, resolve_format
from tap.schema import Column
from tests.xmlschema import assert_valid

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
NS = {"v": VOTABLE_NS}
LINKS_STANDARD = "ivo://ivoa.net/std/DataLink#links-1.1"
COLUMNS = [
    "ID",
    "access_url",
    "service_def",
    "error_message",
    "description",
    "semantics",
    "content_type",
    "content_length",
]
PID = "ivo://example.org/mmvo?6f1c2a9e04b7d3a1-image"
ROWS = [
    LinkRow(
        PID,
        "#this",
        access_url="https://mmvo.example.org/products/6f1c2a9e04b7d3a1-image/isgri_mosaic.fits?a=1&b=<2>",
        description="ISGRI mosaic",
        content_type="application/fits",
        content_length=264_960,
    ),
    LinkRow(PID, "#proc", service_def="rerun-6f1c2a9e04b7d3a1-image", description="Run isgri/image again"),
    error_row("ivo://example.org/mmvo?nothing", "NotFoundFault", "no product has the ID"),
]
RERUN = ServiceDescriptor(
    id="rerun-6f1c2a9e04b7d3a1-image",
    name="isgri/image again for 6f1c2a9e04b7d3a1-image",
    description="ISGRI mosaic: sky image of the chosen science windows",
    access_url="https://mmvo.example.org/analysis/isgri/image",
    standard_id="ivo://ivoa.net/std/UWS#async-1.1",
    params=(
        DescriptorParam(
            "E1_keV", "double", "20.0", "Lower end of the band", unit="keV", minimum="15", maximum="1000"
        ),
        DescriptorParam(
            "detection_threshold", "double", "7.0", "Significance", minimum="0", min_inclusive=False
        ),
        DescriptorParam("RA", "double", "83.63308", ucd="pos.eq.ra", maximum="360", max_inclusive=False),
        DescriptorParam("T_format", "char", "isot", "How times are written", options=("isot", "mjd")),
        DescriptorParam("scw_list", "char", "066500130010.001,066500140010.001"),
        DescriptorParam("n_bins", "int", "12", arraysize=None),
    ),
)
LINKS = ServiceDescriptor(
    id="links",
    name="links",
    description="",
    access_url="https://mmvo.example.org/datalink/links",
    params=(DescriptorParam("ID", "char", "", "Identifier", ref="obs_publisher_did"),),
)


def read_strictly(document: bytes) -> VOTableFile:
    """``document`` read by astropy, which must neither raise nor warn."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        votable = parse(io.BytesIO(document), verify="exception")
    assert [str(w.message) for w in caught] == []
    return votable


def test_links_document_is_valid_and_read_strictly(schemas: Path) -> None:
    document = links_document(ROWS, [RERUN])
    assert document.startswith(b"<?xml")
    assert_valid(document, schemas, "VOTable-v1.xsd")
    table = read_strictly(document).get_first_table().to_table()
    assert table.colnames == COLUMNS
    assert list(table["ID"]) == [PID, PID, "ivo://example.org/mmvo?nothing"]
    assert list(table["semantics"]) == ["#this", "#proc", "#this"]
    assert table["access_url"][0] == ROWS[0].access_url  # escaped in the XML, read back as it was
    assert table["content_length"][0] == 264_960 and table["content_length"].mask[1]
    assert table["service_def"][1] == "rerun-6f1c2a9e04b7d3a1-image"
    assert str(table["error_message"][2]).startswith("NotFoundFault")


def test_links_document_without_rows_or_descriptors(schemas: Path) -> None:
    document = links_document([])
    assert_valid(document, schemas, "VOTable-v1.xsd")
    votable = read_strictly(document)
    assert len(votable.get_first_table().array) == 0
    assert [r.type for r in votable.resources] == ["results"]


def test_fields_and_the_results_resource() -> None:
    root = etree.fromstring(links_document(ROWS, [RERUN]))
    assert (root.tag, root.get("version")) == (f"{{{VOTABLE_NS}}}VOTABLE", "1.4")
    results, descriptor = root.findall("v:RESOURCE", NS)
    assert results.get("type") == "results"
    standard = results.findall("v:INFO[@name='standardID']", NS)
    assert [i.get("value") for i in standard] == [LINKS_STANDARD]
    fields = results.findall("v:TABLE/v:FIELD", NS)
    assert [f.get("name") for f in fields] == COLUMNS
    by_name = {f.get("name"): f for f in fields}
    assert by_name["content_length"].get("datatype") == "long"
    assert by_name["content_length"].get("unit") == "byte"
    assert by_name["ID"].get("ucd") == "meta.id;meta.main"
    assert all(f.get("arraysize") == "*" for n, f in by_name.items() if n != "content_length")
    assert descriptor.get("ID") == RERUN.id


@pytest.mark.parametrize(("overflow", "status"), [(False, "OK"), (True, "OVERFLOW")])
def test_query_status(overflow: bool, status: str) -> None:
    root = etree.fromstring(links_document(ROWS, overflow=overflow))
    (results,) = root.findall("v:RESOURCE", NS)
    assert [i.get("value") for i in results.findall("v:INFO[@name='QUERY_STATUS']", NS)] == [status]
    # standardID first, the status after the TABLE
    children = [etree.QName(c).localname for c in results]
    assert children == ["INFO", "TABLE", "INFO"]
    assert results[-1].get("name") == "QUERY_STATUS"


def test_null_cells_are_empty() -> None:
    document = links_document(ROWS)
    root = etree.fromstring(document)
    trs = root.findall(".//v:TABLEDATA/v:TR", NS)
    assert len(trs) == len(ROWS)
    cells = [[td.text for td in tr] for tr in trs]
    assert all(len(row) == len(COLUMNS) for row in cells)
    error = dict(zip(COLUMNS, cells[2], strict=True))
    assert {k for k, v in error.items() if v is None} == {
        "access_url",
        "service_def",
        "description",
        "content_type",
        "content_length",
    }
    assert all(len(td) == 0 for tr in trs for td in tr)
    assert document.count(b"<TD/>") == sum(v is None for row in cells for v in row)
    assert b"<TD></TD>" not in document
    proc = dict(zip(COLUMNS, cells[1], strict=True))
    assert proc["access_url"] is None and proc["content_length"] is None


def _params(resource: etree._Element) -> dict[str, etree._Element]:
    return {p.get("name", ""): p for p in resource.findall("v:GROUP[@name='inputParams']/v:PARAM", NS)}


def test_descriptor_params_with_limits_options_and_refs(schemas: Path) -> None:
    document = descriptors_document([RERUN, LINKS])
    assert_valid(document, schemas, "VOTable-v1.xsd")
    root = etree.fromstring(document)
    rerun, links = root.findall("v:RESOURCE", NS)
    assert (rerun.get("type"), rerun.get("utype"), rerun.get("ID"), rerun.get("name")) == (
        "meta",
        "adhoc:service",
        RERUN.id,
        RERUN.name,
    )
    assert rerun.findtext("v:DESCRIPTION", namespaces=NS) == RERUN.description
    top = {p.get("name"): p.get("value") for p in rerun.findall("v:PARAM", NS)}
    assert top == {"accessURL": RERUN.access_url, "standardID": RERUN.standard_id}
    params = _params(rerun)
    assert list(params) == [p.name for p in RERUN.params]

    def limits(name: str) -> list[tuple[str, str | None, str | None]]:
        return [
            (etree.QName(e).localname, e.get("value"), e.get("inclusive"))
            for e in params[name].iterfind("v:VALUES/*", NS)
        ]

    assert limits("E1_keV") == [("MIN", "15", "yes"), ("MAX", "1000", "yes")]
    assert limits("detection_threshold") == [("MIN", "0", "no")]
    assert limits("RA") == [("MAX", "360", "no")]
    assert limits("T_format") == [("OPTION", "isot", None), ("OPTION", "mjd", None)]
    assert limits("scw_list") == [] and params["scw_list"].find("v:VALUES", NS) is None
    e1 = params["E1_keV"]
    assert (e1.get("datatype"), e1.get("value"), e1.get("unit"), e1.get("arraysize")) == (
        "double",
        "20.0",
        "keV",
        None,
    )
    assert e1.findtext("v:DESCRIPTION", namespaces=NS) == "Lower end of the band"
    assert params["RA"].get("ucd") == "pos.eq.ra"
    assert params["T_format"].get("arraysize") == "*"  # text parameters are variable-length
    assert params["n_bins"].get("arraysize") is None
    # A descriptor without description or standard: neither element is written.
    assert links.find("v:DESCRIPTION", NS) is None
    assert [p.get("name") for p in links.findall("v:PARAM", NS)] == ["accessURL"]
    assert _params(links)["ID"].get("ref") == "obs_publisher_did"


def test_descriptors_read_by_astropy() -> None:
    votable = read_strictly(descriptors_document([RERUN]))
    (resource,) = votable.resources
    assert (resource.type, resource.utype, resource.ID) == ("meta", "adhoc:service", RERUN.id)
    (group,) = resource.groups
    params = {p.name: p for p in group.entries}
    e1 = params["E1_keV"]
    assert (e1.value, e1.values.min, e1.values.max) == (20.0, 15.0, 1000.0)
    assert e1.values.min_inclusive and e1.values.max_inclusive
    assert not params["detection_threshold"].values.min_inclusive
    assert not params["RA"].values.max_inclusive
    assert [o[1] for o in params["T_format"].values.options] == ["isot", "mjd"]


def test_a_document_of_no_descriptors_is_still_a_votable(schemas: Path) -> None:
    document = descriptors_document([])
    assert_valid(document, schemas, "VOTable-v1.xsd")
    (resource,) = read_strictly(document).resources
    assert resource.type == "meta"


def test_descriptor_fragment_is_the_descriptor_in_the_host_namespace() -> None:
    fragment = descriptor_fragment(LINKS)
    assert "xmlns" not in fragment
    host = etree.fromstring(f'<VOTABLE xmlns="{VOTABLE_NS}" version="1.4">{fragment}</VOTABLE>')
    reference = new_votable()
    append_descriptor(reference, LINKS)
    assert etree.tostring(host[0], method="c14n") == etree.tostring(reference[0], method="c14n")


def test_descriptor_fragment_pasted_into_a_tap_result(schemas: Path) -> None:
    columns = [
        Column("obs_publisher_did", "char", "*", ucd="meta.ref.ivoid"),
        Column("s_ra", "double", ucd="pos.eq.ra"),
    ]
    document = b"".join(
        resolve_format("votable").stream(
            columns,
            [[(PID, 83.6)]],
            status=ResultStatus(),
            extra_resources=[descriptor_fragment(LINKS), descriptor_fragment(RERUN)],
        )
    )
    assert_valid(document, schemas, "VOTable-v1.xsd")
    votable = read_strictly(document)  # a repeated xmlns on RESOURCE would be warning W48
    assert [r.type for r in votable.resources] == ["results", "meta", "meta"]
    links = votable.get_first_table().to_table()
    assert list(links["obs_publisher_did"]) == [PID]
    (identifier,) = votable.resources[1].groups[0].entries
    assert votable.get_field_by_id(identifier.ref).name == "obs_publisher_did"
