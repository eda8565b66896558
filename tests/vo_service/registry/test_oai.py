"""The OAI-PMH interface over HTTP: every answer schema-valid, harvests complete, every error where it belongs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Protocol

import pytest
import sqlalchemy as sa
from lxml import etree
from starlette.applications import Starlette

from tap.schema import Column, Table
from tests.vo_service.registry.conftest import BASE_URL, call
from tests.vo_service.registry.service import Parts
from tests.vo_service.registry.test_capabilities import canonical
from tests.vo_service.registry.xsd import assert_valid_with
from vo_service.registry import ServiceRegistry
from vo_service.registry.store import SCHEMA

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "ri": "http://www.ivoa.net/xml/RegistryInterface/v1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}
AUTHORITY = "ivo://mmvo.example"
IDENTIFIERS = [
    AUTHORITY,
    f"{AUTHORITY}/analyses",
    f"{AUTHORITY}/registry",
    f"{AUTHORITY}/sia",
    f"{AUTHORITY}/tap",
]
App = tuple[Starlette, ServiceRegistry]


class Ask(Protocol):
    """GET (or POST) /oai with arguments, returning the checked answer's root."""

    def __call__(self, method: str = "GET", **arguments: str) -> etree._Element: ...


@pytest.fixture
def oai(app: App, registry_xsd: etree.XMLSchema) -> Ask:
    """GET (or POST) /oai with arguments; the answer, checked to be HTTP 200 XML and schema-valid."""

    def ask(method: str = "GET", **arguments: str) -> etree._Element:
        data = {"params": arguments} if method == "GET" else {"data": arguments}
        response = call(app[0], method, "/oai", **data)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        root = assert_valid_with(registry_xsd, response.content)
        assert root.findtext("oai:request", namespaces=NS) == f"{BASE_URL}/oai"
        return root

    return ask


def _error(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def _harvest(oai: Ask, verb: str, **arguments: str) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every page of a list, following the resumption tokens: (pages, records or headers)."""
    pages = [oai(verb=verb, **arguments)]
    while True:
        token = pages[-1].find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None or not token.text:
            break
        pages.append(oai(verb=verb, resumptionToken=token.text))
    item = "oai:record" if verb == "ListRecords" else "oai:header"
    return pages, [element for page in pages for element in page.findall(f"oai:{verb}/{item}", NS)]


def test_identify(oai: Ask) -> None:
    root = oai(verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == f"{BASE_URL}/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "contact@mmvo.example"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "transient"
    (described,) = identify.findall("oai:description/ri:Resource", NS)
    assert described.findtext("identifier") == f"{AUTHORITY}/registry"
    (got,) = oai(verb="GetRecord", identifier=f"{AUTHORITY}/registry", metadataPrefix="ivo_vor").iterfind(
        ".//ri:Resource", NS
    )
    assert canonical(described) == canonical(got)
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


def test_metadata_formats_and_sets(oai: Ask) -> None:
    formats = oai(verb="ListMetadataFormats").findall(".//oai:metadataFormat", NS)
    namespaces = {
        f.findtext("oai:metadataPrefix", namespaces=NS): f.findtext("oai:metadataNamespace", namespaces=NS)
        for f in formats
    }
    assert namespaces == {"ivo_vor": NS["ri"], "oai_dc": NS["oai_dc"]}
    one = oai(verb="ListMetadataFormats", identifier=f"{AUTHORITY}/tap").findall(".//oai:metadataPrefix", NS)
    assert [p.text for p in one] == ["ivo_vor", "oai_dc"]
    sets = oai(verb="ListSets").findall(".//oai:set/oai:setSpec", NS)
    assert [s.text for s in sets] == ["ivo_managed"]


@pytest.mark.parametrize("prefix", ["ivo_vor", "oai_dc"])
def test_harvest_gets_every_record_once(oai: Ask, prefix: str) -> None:
    pages, found = _harvest(oai, "ListRecords", metadataPrefix=prefix, set="ivo_managed")
    assert len(pages) == 3  # five records, two a page
    identifiers = [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in found]
    assert Counter(identifiers) == Counter(IDENTIFIERS)
    tokens = [page.find("oai:ListRecords/oai:resumptionToken", NS) for page in pages]
    assert [(t.get("completeListSize"), t.get("cursor"), bool(t.text)) for t in tokens] == [
        ("5", "0", True),
        ("5", "2", True),
        ("5", "4", False),
    ]
    for record in found:
        assert record.xpath("oai:header/oai:setSpec/text()", namespaces=NS) == ["ivo_managed"]
        if prefix == "ivo_vor":
            (resource,) = record.findall("oai:metadata/ri:Resource", NS)
            assert resource.findtext("identifier") == record.findtext(
                "oai:header/oai:identifier", namespaces=NS
            )
        else:
            (dc,) = record.findall("oai:metadata/oai_dc:dc", NS)
            fields = {etree.QName(e).localname for e in dc}
            assert {"title", "identifier", "description", "publisher", "date"} <= fields
            assert dc.findtext("dc:identifier", namespaces=NS) == record.findtext(
                "oai:header/oai:identifier", namespaces=NS
            )
    dc_types = [r.xpath("string(.//dc:type)", namespaces=NS) for r in found] if prefix == "oai_dc" else []
    assert not dc_types or "Catalog" in dc_types


def test_list_identifiers_and_post(oai: Ask) -> None:
    _, headers = _harvest(oai, "ListIdentifiers", metadataPrefix="ivo_vor")
    assert [h.findtext("oai:identifier", namespaces=NS) for h in headers] == IDENTIFIERS
    by_post = oai("POST", verb="ListIdentifiers", metadataPrefix="ivo_vor")
    by_get = oai(verb="ListIdentifiers", metadataPrefix="ivo_vor")
    assert canonical(by_post.find("oai:ListIdentifiers", NS)) == canonical(
        by_get.find("oai:ListIdentifiers", NS)
    )


def test_get_record_of_the_tap_service_has_its_tableset(oai: Ask) -> None:
    root = oai(verb="GetRecord", identifier=f"{AUTHORITY}/TAP", metadataPrefix="ivo_vor")  # IVOIDs: any case
    (resource,) = root.findall("oai:GetRecord/oai:record/oai:metadata/ri:Resource", NS)
    tables = resource.xpath("tableset/schema/table/name/text()")
    assert {"ivoa.obscore", "mmvo.sources", "tap_schema.columns"} <= set(tables)
    columns = resource.xpath("tableset/schema/table[name='mmvo.sources']/column/name/text()")
    assert columns == ["source_id", "ra", "pos"]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"verb": "Explain"}, "badVerb"),
        ({}, "badVerb"),
        ({"verb": "Identify", "identifier": f"{AUTHORITY}/tap"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "ivo_vor", "until": "tomorrow"}, "badArgument"),
        ({"verb": "ListMetadataFormats", "identifier": "ivo://mmvo.example/%%"}, "badArgument"),
        (
            {"verb": "GetRecord", "identifier": f"{AUTHORITY}/tap", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": f"{AUTHORITY}/nothing", "metadataPrefix": "ivo_vor"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "ivo://elsewhere.example/tap"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "ivo_vor", "from": "2999-01-01"}, "noRecordsMatch"),
        (
            {"verb": "ListRecords", "metadataPrefix": "ivo_vor", "until": "2000-01-01T00:00:00Z"},
            "noRecordsMatch",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "ivo_vor", "set": "ivo_standard"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ],
)
def test_errors(oai: Ask, arguments: dict[str, str], code: str) -> None:
    root = oai(**arguments)
    assert _error(root) == code
    assert [etree.QName(e).localname for e in root] == ["responseDate", "request", "error"]
    echoed = root.find("oai:request", NS).attrib
    assert dict(echoed) == ({} if code in {"badVerb", "badArgument"} else arguments)


def _set_datestamps(engine: sa.Engine, stamps: dict[str, dt.datetime]) -> None:
    """Moves records' datestamps into the past, as if they had been stamped then."""
    table = sa.table(f"{SCHEMA}.records", sa.column("identifier"), sa.column("created"), sa.column("updated"))
    with engine.begin() as conn:
        for identifier, when in stamps.items():
            values = {"created": when, "updated": when}
            conn.execute(sa.update(table).where(table.c.identifier == identifier).values(**values))


def test_from_until_and_changes(oai: Ask, engine: sa.Engine, parts: Parts) -> None:
    oai(verb="Identify")  # the records are stamped
    old, newer = dt.datetime(2020, 1, 1), dt.datetime(2024, 6, 1, 12)
    _set_datestamps(engine, {i: old for i in IDENTIFIERS} | {f"{AUTHORITY}/tap": newer})

    def listed(**arguments: str) -> list[str]:
        pages, headers = _harvest(oai, "ListIdentifiers", metadataPrefix="ivo_vor", **arguments)
        assert _error(pages[0]) in {None, "noRecordsMatch"}
        return [h.findtext("oai:identifier", namespaces=NS) for h in headers]

    assert oai(verb="Identify").findtext(".//oai:earliestDatestamp", namespaces=NS) == "2020-01-01T00:00:00Z"
    assert listed(**{"from": "2024-06-01"}) == [f"{AUTHORITY}/tap"]
    assert listed(**{"from": "2024-06-01T12:00:00Z"}) == [f"{AUTHORITY}/tap"]
    assert listed(**{"from": "2024-06-01T12:00:01Z"}) == []
    assert listed(until="2024-06-01T12:00:00Z") == IDENTIFIERS
    assert listed(until="2024-05-31") == [i for i in IDENTIFIERS if not i.endswith("/tap")]
    stamp = oai(verb="GetRecord", identifier=f"{AUTHORITY}/tap", metadataPrefix="ivo_vor")
    assert stamp.findtext(".//oai:datestamp", namespaces=NS) == "2024-06-01T12:00:00Z"
    assert stamp.find(".//ri:Resource", NS).get("updated") == "2024-06-01T12:00:00.000Z"

    # a newly published table changes the TAP record (and the SIA one does not list it)
    parts.tables.append(Table("mmvo", "extra", (Column("x", "int"),)))
    assert listed(**{"from": "2024-06-02"}) == [f"{AUTHORITY}/tap"]


def test_deleted_records(oai: Ask, parts: Parts) -> None:
    oai(verb="Identify")
    parts.analyses.clear()  # the service no longer has analyses
    analyses = f"{AUTHORITY}/analyses"
    _, records = _harvest(oai, "ListRecords", metadataPrefix="ivo_vor")
    (gone,) = [r for r in records if r.findtext("oai:header/oai:identifier", namespaces=NS) == analyses]
    assert gone.find("oai:header", NS).get("status") == "deleted"
    assert gone.find("oai:metadata", NS) is None
    got = oai(verb="GetRecord", identifier=analyses, metadataPrefix="oai_dc")
    assert (
        got.find(".//oai:header", NS).get("status") == "deleted" and got.find(".//oai:metadata", NS) is None
    )
    assert _error(oai(verb="ListMetadataFormats", identifier=analyses)) == "noMetadataFormats"


def test_a_stamp_from_a_clock_ahead_is_shown_as_now(oai: Ask, engine: sa.Engine) -> None:
    """Another process, its clock an hour ahead, stamped the records: they are shown dated now, not refused."""
    oai(verb="Identify")
    _set_datestamps(
        engine,
        dict.fromkeys(IDENTIFIERS, dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)),
    )
    root = oai(verb="GetRecord", identifier=f"{AUTHORITY}/tap", metadataPrefix="ivo_vor")
    shown = root.findtext(".//oai:datestamp", namespaces=NS)
    assert shown is not None and dt.datetime.strptime(shown, "%Y-%m-%dT%H:%M:%SZ") <= dt.datetime.now(
        dt.UTC
    ).replace(tzinfo=None)
