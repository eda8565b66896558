"""``/capabilities`` of the whole service: schema-valid, one capability per endpoint, read by pyvo."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from lxml import etree
from pyvo.dal.tap import TAPService
from pyvo.io.vosi import parse_capabilities
from starlette.applications import Starlette

from tap.capabilities import tap_capabilities
from tests.vo_service.registry.conftest import BASE_URL, PAGE_SIZE, call
from tests.vo_service.registry.service import Parts, table_access
from tests.xmlschema import assert_valid
from vo_service.registry import ServiceRegistry
from vo_service.vosi import capabilities_document

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
TAP = "ivo://ivoa.net/std/TAP"
#: What pyvo says of the VORegistry types it has no classes for.
PYVO_UNKNOWN = re.compile(r"Unknown xsi:type vg:(Harvest|OAIHTTP) ignored|Unknown element maxRecords")


def _document(app: tuple[Starlette, ServiceRegistry]) -> bytes:
    response = call(app[0], "GET", "/capabilities")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    return response.content


def canonical(element: etree._Element) -> bytes:
    """An element in exclusive canonical form: equal for equal XML, whatever the prefixes around it."""
    return bytes(etree.tostring(element, method="c14n", exclusive=True))


def test_every_endpoint_is_declared_once(app: tuple[Starlette, ServiceRegistry], schemas: Path) -> None:
    root = assert_valid(_document(app), schemas, "benson-ivoa-bundle.xsd")
    declared = [(c.get("standardID"), c.findtext("interface/accessURL")) for c in root.findall("capability")]
    assert declared == [
        (TAP, f"{BASE_URL}/tap"),
        ("ivo://ivoa.net/std/VOSI#tables-1.1", f"{BASE_URL}/tap/tables"),
        ("ivo://ivoa.net/std/DALI#examples", f"{BASE_URL}/tap/examples"),
        ("ivo://ivoa.net/std/UWS#rest-1.1", f"{BASE_URL}/analysis/isgri/image"),
        ("ivo://ivoa.net/std/UWS#rest-1.1", f"{BASE_URL}/analysis/noop/echo"),
        ("ivo://ivoa.net/std/DataLink#links-1.1", f"{BASE_URL}/datalink/links"),
        ("ivo://ivoa.net/std/SIA#query-2.0", f"{BASE_URL}/sia/query"),
        ("ivo://ivoa.net/std/Registry", f"{BASE_URL}/oai"),
        ("ivo://ivoa.net/std/VOSI#capabilities", f"{BASE_URL}/capabilities"),
        ("ivo://ivoa.net/std/VOSI#availability", f"{BASE_URL}/availability"),
    ]
    uws = root.xpath("capability[@standardID='ivo://ivoa.net/std/UWS#rest-1.1']/description/text()")
    assert uws == ["ISGRI image", "Echo"]
    for standard, version in [
        ("DataLink#links-1.1", "1.1"),
        ("SIA#query-2.0", "2.0"),
        ("UWS#rest-1.1", "1.1"),
    ]:
        for interface in root.xpath(f"capability[@standardID='ivo://ivoa.net/std/{standard}']/interface"):
            assert (interface.get("role"), interface.get("version")) == ("std", version)
            assert interface.get(XSI_TYPE) == "vs:ParamHTTP"


def test_registry_capability_is_a_harvest_interface(app: tuple[Starlette, ServiceRegistry]) -> None:
    root = etree.fromstring(_document(app))
    (harvest,) = root.xpath("capability[@standardID='ivo://ivoa.net/std/Registry']")
    assert harvest.get(XSI_TYPE) == "vg:Harvest"
    assert harvest.findtext("maxRecords") == str(PAGE_SIZE)
    (interface,) = harvest.findall("interface")
    assert interface.get(XSI_TYPE) == "vg:OAIHTTP"
    assert (interface.get("role"), interface.get("version")) == ("std", "1.0")
    assert interface.find("accessURL").get("use") == "base"  # type: ignore[union-attr]


def test_tap_capability_is_the_one_of_tap_capabilities(
    app: tuple[Starlette, ServiceRegistry], parts: Parts
) -> None:
    config = parts.config
    tap_root = etree.fromstring(
        capabilities_document(tap_capabilities(config.url("/tap"), table_access(config)))
    )
    root = etree.fromstring(_document(app))
    query = f"capability[@standardID='{TAP}']"
    (ours,), (theirs,) = root.xpath(query), tap_root.xpath(query)
    assert canonical(ours) == canonical(theirs)
    assert len(ours.findall("language")) == 1 and ours.findall("outputFormat")


def test_pyvo_reads_the_capabilities(app: tuple[Starlette, ServiceRegistry]) -> None:
    """pyvo knows the TAPRegExt types; the registry's ``vg:`` types (and their ``maxRecords``) it reads as a
    plain capability, warning that it does not know them, and nothing else."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        capabilities = parse_capabilities(io.BytesIO(_document(app)))
    assert all(PYVO_UNKNOWN.search(str(w.message)) for w in caught), [str(w.message) for w in caught]
    by_id = {c.standardid: c for c in capabilities if c.standardid != "ivo://ivoa.net/std/UWS#rest-1.1"}
    assert by_id[TAP].interfaces[0].accessurls[0].content == f"{BASE_URL}/tap"
    assert [lang.name for lang in by_id[TAP].languages] == ["ADQL"]
    assert (
        by_id["ivo://ivoa.net/std/SIA#query-2.0"].interfaces[0].accessurls[0].content
        == f"{BASE_URL}/sia/query"
    )
    uws = [c.description for c in capabilities if c.standardid == "ivo://ivoa.net/std/UWS#rest-1.1"]
    assert uws == ["ISGRI image", "Echo"]
    assert TAPService(f"{BASE_URL}/tap").baseurl == f"{BASE_URL}/tap"
