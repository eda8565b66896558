"""VOSI and DALI documents of the running service: schema-valid, and saying what the service does."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import httpx
import pytest
from astropy.io.votable import parse
from lxml import etree
from pyvo.dal.tap import TAPService
from pyvo.io.vosi import parse_capabilities

from tests.e2e.conftest import LiveService
from tests.vo_service.registry.test_capabilities import PYVO_UNKNOWN
from tests.xmlschema import assert_valid

pytestmark = pytest.mark.e2e

TR = "ivo://ivoa.net/std/TAPRegExt#features-adqlgeo"


@pytest.mark.parametrize("path", ["/tap/capabilities", "/capabilities"])
def test_capabilities_are_schema_valid(live: LiveService, schemas: Path, path: str) -> None:
    response = httpx.get(live.url + path)
    assert response.status_code == 200
    assert_valid(response.content, schemas, "benson-ivoa-bundle.xsd")


def test_service_capabilities_declare_every_endpoint(live: LiveService) -> None:
    root = etree.fromstring(httpx.get(f"{live.url}/capabilities").content)
    declared = {(c.get("standardID"), c.findtext("interface/accessURL")) for c in root.findall("capability")}
    assert {
        ("ivo://ivoa.net/std/TAP", live.tap),
        ("ivo://ivoa.net/std/VOSI#tables-1.1", f"{live.tap}/tables"),
        ("ivo://ivoa.net/std/UWS#rest-1.1", f"{live.url}/analysis/isgri/image"),
        ("ivo://ivoa.net/std/DataLink#links-1.1", f"{live.url}/datalink/links"),
        ("ivo://ivoa.net/std/SIA#query-2.0", f"{live.url}/sia/query"),
        ("ivo://ivoa.net/std/Registry", f"{live.url}/oai"),
        ("ivo://ivoa.net/std/VOSI#capabilities", f"{live.url}/capabilities"),
        ("ivo://ivoa.net/std/VOSI#availability", f"{live.url}/availability"),
    } <= declared
    for standard, url in declared:  # the endpoints of this service's own packages answer
        if standard.startswith(("ivo://ivoa.net/std/UWS", "ivo://ivoa.net/std/VOSI")):
            assert httpx.get(url).status_code == 200, url
    assert httpx.get(f"{live.url}/oai", params={"verb": "Identify"}).status_code == 200
    tap_root = etree.fromstring(httpx.get(f"{live.tap}/capabilities").content)
    query = "capability[@standardID='ivo://ivoa.net/std/TAP']"
    (ours,), (theirs,) = root.xpath(query), tap_root.xpath(query)
    assert etree.tostring(ours, method="c14n", exclusive=True) == etree.tostring(
        theirs, method="c14n", exclusive=True
    )


@pytest.mark.parametrize("path", ["/tap/capabilities", "/capabilities"])
def test_pyvo_reads_the_capabilities(live: LiveService, path: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        capabilities = parse_capabilities(io.BytesIO(httpx.get(live.url + path).content))
    assert all(PYVO_UNKNOWN.search(str(w.message)) for w in caught), [str(w.message) for w in caught]
    (tap,) = [c for c in capabilities if c.standardid == "ivo://ivoa.net/std/TAP"]
    assert tap.interfaces[0].accessurls[0].content == live.tap
    assert "ADQL" in [language.name for language in tap.languages]
    assert TAPService(live.tap).capabilities[0].standardid == "ivo://ivoa.net/std/TAP"


def test_tap_capability_declares_geometry_and_formats(live: LiveService) -> None:
    root = etree.fromstring(httpx.get(f"{live.tap}/capabilities").content)
    forms = [
        form
        for group in root.xpath("//languageFeatures")
        if group.get("type") == TR  # TAPRegExt's spelling: STILTS 3.4 compares IVOIDs case-sensitively
        for form in group.xpath("feature/form/text()")
    ]
    assert {"POINT", "CIRCLE", "CONTAINS", "DISTANCE", "INTERSECTS"} <= set(forms)
    mimes = root.xpath("//outputFormat/mime/text()")
    assert any("BINARY2" in m for m in mimes) and "text/csv" in " ".join(mimes)
    access = root.xpath("//capability[@standardID='ivo://ivoa.net/std/TAP']/interface/accessURL/text()")
    assert access == [live.tap]


def test_conditional_functions_are_declared_in_adql_21_spelling(live: LiveService) -> None:
    """The feature key STILTS 3.4 does not know is written as ADQL 2.1 writes it: taplint then reads it as a
    custom feature (a warning) instead of an unknown standard key (an error)."""
    root = etree.fromstring(httpx.get(f"{live.tap}/capabilities").content)
    types = {group.get("type") for group in root.xpath("//languageFeatures")}
    conditional = "ivo://ivoa.net/std/tapregext#features-adql-conditional"
    assert conditional in types and conditional.replace("tapregext", "TAPRegExt") not in types
    forms = root.xpath(f"//languageFeatures[@type='{conditional}']/feature/form/text()")
    assert {"COALESCE", "CASE"} <= set(forms)


@pytest.mark.parametrize("path", ["/tap/availability", "/availability"])
def test_availability(live: LiveService, schemas: Path, path: str) -> None:
    root = assert_valid(httpx.get(live.url + path).content, schemas, "VOSIAvailability-v1.xsd")
    assert root.findtext("{http://www.ivoa.net/xml/VOSIAvailability/v1.0}available") == "true"


def test_tables_and_single_table(live: LiveService, schemas: Path) -> None:
    root = assert_valid(httpx.get(f"{live.tap}/tables").content, schemas, "benson-ivoa-bundle.xsd")
    assert "mmvo.sources" in root.xpath("//table/name/text()")
    one = httpx.get(f"{live.tap}/tables/mmvo.sources")
    assert one.status_code == 200
    assert_valid(one.content, schemas, "benson-ivoa-bundle.xsd")
    assert httpx.get(f"{live.tap}/tables/mmvo.nothing").status_code == 404


def test_examples_are_xhtml_and_every_query_runs(live: LiveService) -> None:
    response = httpx.get(f"{live.tap}/examples")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    examples = root.xpath("//h:*[@typeof='example']", namespaces=ns)
    assert len(examples) >= 5
    for example in examples:
        query = example.xpath(".//*[@property='query']", namespaces=ns)[0].text
        answer = httpx.get(f"{live.tap}/sync", params={"LANG": "ADQL", "QUERY": query}, timeout=60)
        assert answer.status_code == 200, (example.get("id"), answer.text[:500])
        votable = parse(io.BytesIO(answer.content), verify="exception")
        assert len(votable.get_first_table().array) > 0, example.get("id")
