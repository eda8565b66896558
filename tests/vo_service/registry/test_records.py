"""The VOResource records: schema-valid, saying what the service offers, and read by pyvo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from pyvo.dal.sia2 import SIA2Service
from pyvo.dal.tap import TAPService
from pyvo.io.vosi import parse_capabilities, parse_tables

from tap.vosi_tables import VOSI_TABLES_NS, tableset_document
from tests.vo_service.registry.conftest import BASE_URL, PAGE_SIZE
from tests.vo_service.registry.regtap import registry_results
from tests.vo_service.registry.service import SOURCES, Parts
from tests.vo_service.registry.test_capabilities import PYVO_UNKNOWN, canonical
from tests.xmlschema import assert_valid
from vo_service.registry import ServiceRegistry
from vo_service.registry.published import resource_element

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
AUTHORITY = "ivo://mmvo.example"
TYPES = {
    AUTHORITY: "vg:Authority",
    f"{AUTHORITY}/analyses": "vs:DataService",
    f"{AUTHORITY}/registry": "vg:Registry",
    f"{AUTHORITY}/sia": "vs:CatalogService",
    f"{AUTHORITY}/tap": "vs:CatalogService",
}


def records(registry: ServiceRegistry) -> dict[str, etree._Element]:
    """The current records by identifier, as serialised and parsed back."""
    return {
        record.identifier: etree.fromstring(etree.tostring(resource_element(record.resource)))
        for record in registry.publication.snapshot()
        if record.resource is not None
    }


def test_records_are_schema_valid_and_typed(registry: ServiceRegistry, schemas: Path) -> None:
    found = records(registry)
    assert {identifier: r.get(XSI_TYPE) for identifier, r in found.items()} == TYPES
    for identifier, record in found.items():
        assert_valid(etree.tostring(record), schemas, "benson-ivoa-bundle.xsd")
        assert record.tag == "{http://www.ivoa.net/xml/RegistryInterface/v1.0}Resource"
        assert record.findtext("identifier") == identifier
        assert record.get("status") == "active"


def test_curation_content_and_coverage(registry: ServiceRegistry) -> None:
    (stamp,) = {r.stamp for r in registry.publication.snapshot()}
    for record in records(registry).values():
        curation, content = record.find("curation"), record.find("content")
        assert curation is not None and content is not None
        assert curation.findtext("publisher") == "MMVO"
        assert curation.findtext("contact/email") == "contact@mmvo.example"
        dates = {d.get("role"): d.text for d in curation.findall("date")}
        assert set(dates) == {"Created", "Updated"}
        assert record.get("created") == dates["Created"] == stamp.created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        assert record.get("updated") == dates["Updated"]
        assert content.findtext("referenceURL") == f"{BASE_URL}/"
        assert content.findtext("contentLevel") == "Research"
        assert content.findall("subject") and content.findtext("description")
        if record.get(XSI_TYPE, "").startswith("vs:"):
            assert record.xpath("coverage/waveband/text()") == ["X-ray", "Gamma-ray"]
            footprint = record.find("coverage/footprint")
            assert footprint is not None and footprint.text == f"{BASE_URL}/coverage/moc.fits"
            assert footprint.get("ivo-id") == "ivo://ivoa.net/std/moc"


def test_tap_record_has_the_tables_of_tap_tables(registry: ServiceRegistry, parts: Parts) -> None:
    record = records(registry)[f"{AUTHORITY}/tap"]
    vosi = etree.fromstring(
        tableset_document(parts.tables, descriptions={"mmvo": "The MMVO tables", "ivoa": "IVOA tables"})
    )
    assert vosi.tag == f"{{{VOSI_TABLES_NS}}}tableset"
    ours = record.findall("tableset/schema")
    assert [canonical(s) for s in ours] == [canonical(s) for s in vosi.findall("schema")]
    assert "mmvo.sources" in record.xpath("tableset/schema/table/name/text()")
    standards = [c.get("standardID") for c in record.findall("capability")]
    assert standards[0] == "ivo://ivoa.net/std/TAP"
    assert record.find("capability").get(XSI_TYPE) == "tr:TableAccess"  # type: ignore[union-attr]
    assert "ivo://ivoa.net/std/DataLink#links-1.1" in standards
    assert "ivo://ivoa.net/std/VOSI#tables-1.1" in standards


def test_sia_record_lists_obscore(registry: ServiceRegistry) -> None:
    record = records(registry)[f"{AUTHORITY}/sia"]
    assert record.xpath("tableset/schema/table/name/text()") == ["ivoa.obscore"]
    assert [c.get("standardID") for c in record.findall("capability")][:2] == [
        "ivo://ivoa.net/std/SIA#query-2.0",
        "ivo://ivoa.net/std/DataLink#links-1.1",
    ]
    # SIA's own VOSI endpoints, beside /sia/query as DALI places them
    vosi = {
        c.get("standardID"): c.findtext("interface/accessURL")
        for c in record.findall("capability")
        if str(c.get("standardID")).startswith("ivo://ivoa.net/std/VOSI")
    }
    assert vosi == {
        "ivo://ivoa.net/std/VOSI#capabilities": f"{BASE_URL}/sia/capabilities",
        "ivo://ivoa.net/std/VOSI#availability": f"{BASE_URL}/sia/availability",
    }


def test_authority_and_registry_records(registry: ServiceRegistry) -> None:
    found = records(registry)
    authority = found[AUTHORITY]
    assert authority.findtext("managingOrg") == "MMVO"
    reg = found[f"{AUTHORITY}/registry"]
    assert reg.findtext("full") == "false"
    assert reg.xpath("managedAuthority/text()") == ["mmvo.example"]
    (harvest,) = reg.xpath(
        "capability[@xsi:type='vg:Harvest']", namespaces={"xsi": XSI_TYPE[1:].split("}")[0]}
    )
    assert harvest.get("standardID") == "ivo://ivoa.net/std/Registry"
    assert harvest.findtext("maxRecords") == str(PAGE_SIZE)
    assert harvest.findtext("interface/accessURL") == f"{BASE_URL}/oai"
    standards = [c.get("standardID") for c in reg.findall("capability")]
    assert (
        "ivo://ivoa.net/std/VOSI#capabilities" in standards
        and "ivo://ivoa.net/std/VOSI#availability" in standards
    )


def test_analyses_record(registry: ServiceRegistry, parts: Parts) -> None:
    record = records(registry)[f"{AUTHORITY}/analyses"]
    uws = record.xpath("capability[@standardID='ivo://ivoa.net/std/UWS#rest-1.1']")
    assert [c.findtext("description") for c in uws] == ["ISGRI image", "Echo"]
    assert [c.findtext("interface/accessURL") for c in uws] == [
        f"{BASE_URL}/analysis/isgri/image",
        f"{BASE_URL}/analysis/noop/echo",
    ]
    parts.analyses.clear()
    assert f"{AUTHORITY}/analyses" not in records(registry)


def test_pyvo_finds_the_services_of_the_records(registry: ServiceRegistry) -> None:
    results = registry_results(list(records(registry).values()))
    tap = results[f"{AUTHORITY}/tap"]
    assert isinstance(tap.service, TAPService) and tap.service.baseurl == f"{BASE_URL}/tap"
    assert tap.get_service("tap").baseurl == f"{BASE_URL}/tap"
    assert {"tap", "datalink#links-1.1"} <= tap.access_modes()
    sia = results[f"{AUTHORITY}/sia"]
    assert isinstance(sia.service, SIA2Service)
    assert sia.get_service("sia2").baseurl == f"{BASE_URL}/sia/query"
    assert results[f"{AUTHORITY}/analyses"].access_modes() == {"uws#rest-1.1"}
    assert tap.waveband == ["x-ray", "gamma-ray"]


def test_pyvo_parses_the_capabilities_and_tables_of_a_record(
    registry: ServiceRegistry, recwarn: pytest.WarningsRecorder
) -> None:
    record = records(registry)[f"{AUTHORITY}/tap"]
    wrapper = etree.Element("{http://www.ivoa.net/xml/VOSICapabilities/v1.0}capabilities", nsmap=record.nsmap)
    wrapper.extend(record.findall("capability"))
    capabilities = parse_capabilities(io.BytesIO(etree.tostring(wrapper)))
    assert capabilities[0].standardid == "ivo://ivoa.net/std/TAP"
    assert capabilities[0].outputformats[0].mime == "application/x-votable+xml"
    tableset = etree.Element(f"{{{VOSI_TABLES_NS}}}tableset", nsmap=record.nsmap)
    tableset.extend(record.findall("tableset/schema"))
    tables = parse_tables(io.BytesIO(etree.tostring(tableset)))
    sources = tables.get_table_by_name("mmvo.sources")
    assert [c.name for c in sources.columns] == [c.name for c in SOURCES.columns]
    position = sources.columns[2].datatype
    assert (position.content, position.arraysize) == ("double", "2")
    assert all(PYVO_UNKNOWN.search(str(w.message)) for w in recwarn.list)
