"""The publishing registry of the running service, on both engines: a harvest over HTTP, the records against
the official schemas and what ``/tap/tables`` says, and pyvo using the TAP service the registry describes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree
from pyvo.dal.tap import TAPService

from tests.e2e.conftest import LiveService
from tests.vo_service.registry.regtap import registry_results
from tests.vo_service.registry.xsd import assert_valid_with, registry_schema

pytestmark = pytest.mark.e2e

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "ri": "http://www.ivoa.net/xml/RegistryInterface/v1.0"}
AUTHORITY = "ivo://mmvo.example"
IDENTIFIERS = {AUTHORITY, *(f"{AUTHORITY}/{name}" for name in ("analyses", "registry", "sia", "tap"))}


@pytest.fixture(scope="module")
def xsd(schemas: Path, tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    return registry_schema(schemas, tmp_path_factory.mktemp("registry-xsd"))


@pytest.fixture
def client(live: LiveService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


def _oai(client: httpx.Client, xsd: etree.XMLSchema, method: str = "GET", **arguments: str) -> etree._Element:
    if method == "GET":
        response = client.get("/oai", params=arguments)
    else:
        response = client.post("/oai", data=arguments)
    assert response.status_code == 200
    return assert_valid_with(xsd, response.content)


def _harvest(client: httpx.Client, xsd: etree.XMLSchema) -> list[etree._Element]:
    pages = [_oai(client, xsd, verb="ListRecords", metadataPrefix="ivo_vor", set="ivo_managed")]
    while token := pages[-1].findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS):
        pages.append(_oai(client, xsd, verb="ListRecords", resumptionToken=token))
    assert len(pages) > 1, "the records should fill more than one page"
    return [record for page in pages for record in page.findall("oai:ListRecords/oai:record", NS)]


def test_harvest_gets_every_record_once(
    client: httpx.Client, xsd: etree.XMLSchema, live: LiveService
) -> None:
    records = _harvest(client, xsd)
    identifiers = Counter(r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records)
    assert identifiers == Counter(IDENTIFIERS)
    identify = _oai(client, xsd, "POST", verb="Identify")
    assert identify.findtext("oai:Identify/oai:baseURL", namespaces=NS) == f"{live.url}/oai"
    (registry,) = identify.findall("oai:Identify/oai:description/ri:Resource", NS)
    assert registry.findtext("identifier") == f"{AUTHORITY}/registry"


def test_tap_record_describes_tap_tables(client: httpx.Client, xsd: etree.XMLSchema, schemas: Path) -> None:
    root = _oai(client, xsd, verb="GetRecord", identifier=f"{AUTHORITY}/tap", metadataPrefix="ivo_vor")
    (record,) = root.findall(".//ri:Resource", NS)
    tables = etree.fromstring(client.get("/tap/tables").content)

    def canonical(schemas: list[etree._Element]) -> list[bytes]:
        return [bytes(etree.tostring(s, method="c14n", exclusive=True)) for s in schemas]

    assert canonical(record.findall("tableset/schema")) == canonical(tables.findall("schema"))
    assert "mmvo.sources" in record.xpath("tableset/schema/table/name/text()")


def test_errors_are_oai_documents(client: httpx.Client, xsd: etree.XMLSchema) -> None:
    for arguments, code in [
        ({"verb": "Nope"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        (
            {"verb": "GetRecord", "identifier": f"{AUTHORITY}/none", "metadataPrefix": "ivo_vor"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "ivo_vor", "from": "2999-01-01"}, "noRecordsMatch"),
    ]:
        assert _oai(client, xsd, **arguments).find("oai:error", NS).get("code") == code  # type: ignore[union-attr]


def test_pyvo_queries_the_tap_service_of_the_record(
    client: httpx.Client, xsd: etree.XMLSchema, live: LiveService, pyvo_sockets: None
) -> None:
    resources = [r for r in _harvest(client, xsd) for r in r.findall("oai:metadata/ri:Resource", NS)]
    tap = registry_results(resources)[f"{AUTHORITY}/tap"].service
    assert isinstance(tap, TAPService) and tap.baseurl == live.tap
    result = tap.run_sync("SELECT TOP 3 table_name FROM tap_schema.tables")
    assert len(result) == 3
