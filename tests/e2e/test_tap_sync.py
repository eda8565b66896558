"""pyvo, astropy and STILTS votlint against the running TAP service, on both engines."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import httpx
import pytest
import pyvo
from astropy.io.votable import parse

from tests.conftest import VotLint
from tests.e2e.conftest import LiveService

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("pyvo_sockets"),
    # pyvo leaves sockets open; a collection inside a test must not fail it (the fixture collects the rest)
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

B2 = "application/x-votable+xml;serialization=BINARY2"


def _sync_url(live: LiveService, query: str, **extra: str) -> str:
    return f"{live.tap}/sync?" + urlencode({"LANG": "ADQL", "QUERY": query, **extra})


def test_pyvo_reads_the_table_metadata(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    tables = service.tables
    names = {t.name for t in tables}
    assert {"mmvo.sources", "integral.scw", "integral.revolutions", "ivoa.obsplan", "ivoa.obscore"} <= names
    assert {"tap_schema.tables", "tap_schema.columns"} <= names
    sources = tables["mmvo.sources"]
    ra = next(c for c in sources.columns if c.name == "ra")
    assert ra.unit == "deg" and ra.ucd.startswith("pos.eq.ra")


def test_pyvo_search_returns_rows_with_metadata(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.search("SELECT TOP 7 source_id, name, ra, dec FROM mmvo.sources ORDER BY source_id")
    assert len(result) == 7
    table = result.to_table()
    assert table.colnames == ["source_id", "name", "ra", "dec"]
    assert str(table["ra"].unit) == "deg"
    assert list(table["source_id"]) == sorted(table["source_id"])


def test_crab_is_found_by_a_cone(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.search(
        "SELECT name FROM mmvo.sources "
        "WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.6331, 22.0145, 0.1))"
    )
    assert "Crab" in [str(n) for n in result["name"]]


def test_maxrec_overflow_is_seen_by_pyvo(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.search("SELECT source_id FROM mmvo.sources", maxrec=5)
    assert len(result) == 5
    assert result.query_status == "OVERFLOW"


def test_top_equal_to_maxrec_is_not_an_overflow(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    result = service.search("SELECT TOP 5 source_id FROM mmvo.sources", maxrec=5)
    assert len(result) == 5 and result.query_status == "OK"


def test_syntax_error_is_a_dal_query_error_with_position(live: LiveService) -> None:
    service = pyvo.dal.TAPService(live.tap)
    with pytest.raises(pyvo.dal.DALQueryError, match=r"line 1"):
        service.search("SELECT TOP 5 source_id FROM mmvo.sources WHERE")


def test_unknown_table_is_a_400_votable_error(live: LiveService) -> None:
    response = httpx.get(_sync_url(live, "SELECT * FROM mmvo.nothing"))
    assert response.status_code == 400
    votable = parse(io.BytesIO(response.content), verify="exception")
    info = next(i for i in votable.resources[0].infos if i.name == "QUERY_STATUS")
    assert info.value == "ERROR" and "nothing" in info.content


@pytest.mark.parametrize("fmt", ["votable", B2, "application/x-votable+xml;serialization=TABLEDATA"])
def test_astropy_parses_results_strictly(live: LiveService, fmt: str) -> None:
    response = httpx.get(
        _sync_url(live, "SELECT TOP 50 * FROM integral.scw", RESPONSEFORMAT=fmt, MAXREC="20")
    )
    assert response.status_code == 200
    votable = parse(io.BytesIO(response.content), verify="exception")
    table = votable.get_first_table().to_table()
    assert len(table) == 20
    status = [i for i in votable.resources[0].infos if i.name == "QUERY_STATUS"]
    assert status[-1].value == "OVERFLOW"


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("fits", "application/fits")],
)
def test_other_formats(live: LiveService, fmt: str, mime: str) -> None:
    response = httpx.get(
        _sync_url(live, "SELECT TOP 3 source_id, name FROM mmvo.sources", RESPONSEFORMAT=fmt)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(mime)


VOTLINT_QUERIES = {
    "scw": "SELECT TOP 200 * FROM integral.scw",
    "sources": "SELECT TOP 200 * FROM mmvo.sources",
    "obsplan": "SELECT TOP 100 * FROM ivoa.obsplan",
    "tap_schema": "SELECT * FROM tap_schema.columns",
    "geometry": "SELECT TOP 5 POINT('ICRS', ra, dec) AS p, CIRCLE('ICRS', ra, dec, 1) AS c FROM mmvo.sources",
}


@pytest.mark.parametrize("serialization", ["TABLEDATA", "BINARY2"])
@pytest.mark.parametrize("key", sorted(VOTLINT_QUERIES))
def test_votlint_is_clean_on_sync_results(
    live: LiveService, votlint: VotLint, serialization: str, key: str
) -> None:
    fmt = f"application/x-votable+xml;serialization={serialization}"
    response = httpx.get(_sync_url(live, VOTLINT_QUERIES[key], RESPONSEFORMAT=fmt), timeout=60)
    assert response.status_code == 200
    parse(io.BytesIO(response.content), verify="exception")
    assert votlint(response.content).startswith("votlint: 0 errors")


def test_votlint_is_clean_on_error_documents(live: LiveService, votlint: VotLint) -> None:
    response = httpx.get(_sync_url(live, "SELECT FROM WHERE"))
    assert response.status_code == 400
    assert votlint(response.content).startswith("votlint: 0 errors")
