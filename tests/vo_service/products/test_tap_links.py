"""The DataLink service descriptor of TAP results: present exactly when a result holds a product identifier
(recognised by name and UCD), its ``ID`` parameter referring to that column's FIELD in the written VOTable."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tap.formats import ResultStatus, resolve_format
from tap.formats.votable import VOTABLE_NAMESPACE, field_ids
from tap.schema import Column
from tests.datalink.test_votable import read_strictly
from tests.xmlschema import assert_valid
from vo_service.products.tap_links import LINKS_STANDARD_ID, datalink_resources

LINKS_URL = "https://mmvo.example.org/datalink/links"
NS = {"v": VOTABLE_NAMESPACE}
DID = Column("obs_publisher_did", "char", "*", ucd="meta.ref.ivoid", description="Publisher's identifier")
PRODUCT_ID = Column("product_id", "char", "*", ucd="meta.id;meta.main", description="Product identifier")
RA = Column("s_ra", "double", unit="deg", ucd="pos.eq.ra;meta.main")


def _descriptor(fragment: str) -> etree._Element:
    """The RESOURCE of ``fragment``, read inside a VOTABLE declaring the VOTable namespace as its default."""
    holder = etree.fromstring(f'<VOTABLE xmlns="{VOTABLE_NAMESPACE}" version="1.4">{fragment}</VOTABLE>')
    (resource,) = holder
    return resource


def _id_ref(columns: list[Column]) -> str | None:
    (fragment,) = datalink_resources(columns, links_url=LINKS_URL)
    resource = _descriptor(fragment)
    (param,) = resource.findall("v:GROUP[@name='inputParams']/v:PARAM", NS)
    assert param.get("name") == "ID"
    return param.get("ref")


def test_a_result_with_obs_publisher_did_gets_the_links_descriptor() -> None:
    (fragment,) = datalink_resources([RA, DID], links_url=LINKS_URL)
    resource = _descriptor(fragment)
    assert (resource.get("type"), resource.get("utype")) == ("meta", "adhoc:service")
    params = {p.get("name"): p.get("value") for p in resource.findall("v:PARAM", NS)}
    assert params == {"accessURL": LINKS_URL, "standardID": LINKS_STANDARD_ID}
    assert _id_ref([RA, DID]) == "obs_publisher_did"


def test_product_id_is_taken_when_there_is_no_publisher_did() -> None:
    assert _id_ref([PRODUCT_ID, RA]) == "product_id"


def test_obs_publisher_did_is_preferred() -> None:
    assert _id_ref([PRODUCT_ID, DID]) == "obs_publisher_did"


def test_names_and_ucds_compare_without_case() -> None:
    upper = Column("PRODUCT_ID", "char", "*", ucd="META.ID;META.MAIN")
    assert _id_ref([upper]) == field_ids(["PRODUCT_ID"])[0]


@pytest.mark.parametrize(
    "columns",
    [
        [RA],
        [Column("product_id", "char", "*", ucd="meta.id")],
        [Column("obs_publisher_did", "char", "*", ucd="meta.id;meta.main")],
        [Column("obs_publisher_did", "char", "*")],
        [Column("obs_id", "char", "*", ucd="meta.id"), Column("did", "char", "*", ucd="meta.ref.ivoid")],
    ],
    ids=["no-identifier", "product-id-other-ucd", "did-other-ucd", "did-no-ucd", "other-names"],
)
def test_no_descriptor_without_a_product_identifier(columns: list[Column]) -> None:
    assert datalink_resources(columns, links_url=LINKS_URL) == []


def test_the_ref_is_the_field_id_the_writer_gives_that_column() -> None:
    # A second column of the same name (a join) gets another ID: the ref must name the identifier's.
    columns = [Column("product_id", "char", "*", ucd="meta.id"), PRODUCT_ID, RA]
    ref = _id_ref(columns)
    assert ref == field_ids([c.name for c in columns])[1]
    assert ref != "product_id"


@pytest.mark.parametrize("response_format", ["votable", "votable/b2"])
@pytest.mark.parametrize(
    ("columns", "identifier"),
    [([PRODUCT_ID, RA], "product_id"), ([RA, PRODUCT_ID, DID], "obs_publisher_did")],
    ids=["product-id", "publisher-did"],
)
def test_pasted_into_a_tap_result_it_is_valid_and_refers_to_the_field(
    response_format: str, columns: list[Column], identifier: str, schemas: Path
) -> None:
    row = tuple({"char": "j1-image", "double": 83.6}[c.datatype] for c in columns)
    resources = datalink_resources(columns, links_url=LINKS_URL)
    document = b"".join(
        resolve_format(response_format).stream(
            columns, [[row]], status=ResultStatus(), extra_resources=resources
        )
    )
    root = assert_valid(document, schemas, "VOTable-v1.xsd")
    (meta,) = root.findall("v:RESOURCE[@type='meta']", NS)
    (access,) = meta.findall("v:PARAM[@name='accessURL']", NS)
    assert access.get("value") == LINKS_URL
    votable = read_strictly(document)
    (descriptor,) = [r for r in votable.resources if r.type == "meta"]
    assert descriptor.utype == "adhoc:service"
    (parameter,) = descriptor.groups[0].entries
    field = votable.get_field_by_id(parameter.ref)
    assert field.name == identifier
