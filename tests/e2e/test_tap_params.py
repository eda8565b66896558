"""DALI/TAP parameter handling of /tap/sync as clients exercise it, with standard error documents."""

from __future__ import annotations

import io

import httpx
import pytest
from astropy.io.votable import parse

from tests.e2e.conftest import LiveService

pytestmark = pytest.mark.e2e

QUERY = "SELECT TOP 3 source_id FROM mmvo.sources ORDER BY source_id"


def _status(content: bytes) -> tuple[str, str]:
    votable = parse(io.BytesIO(content), verify="exception")
    infos = [i for i in votable.resources[0].infos if i.name == "QUERY_STATUS"]
    return infos[-1].value, infos[-1].content or ""


def test_parameter_names_are_case_insensitive_in_get_and_post(live: LiveService) -> None:
    get = httpx.get(f"{live.tap}/sync", params={"lang": "ADQL", "Query": QUERY, "maxRec": "2"})
    post = httpx.post(f"{live.tap}/sync", data={"LANG": "adql", "query": QUERY, "MAXREC": "2"})
    for response in (get, post):
        assert response.status_code == 200
        assert _status(response.content)[0] == "OVERFLOW"
        assert len(parse(io.BytesIO(response.content)).get_first_table().array) == 2


def test_multipart_post_works(live: LiveService) -> None:
    response = httpx.post(f"{live.tap}/sync", files={"LANG": (None, "ADQL"), "QUERY": (None, QUERY)})
    assert response.status_code == 200 and _status(response.content)[0] == "OK"


def test_maxrec_zero_gives_metadata_and_overflow(live: LiveService) -> None:
    response = httpx.get(f"{live.tap}/sync", params={"LANG": "ADQL", "QUERY": QUERY, "MAXREC": "0"})
    assert response.status_code == 200
    votable = parse(io.BytesIO(response.content), verify="exception")
    table = votable.get_first_table()
    assert [f.name for f in table.fields] == ["source_id"] and len(table.array) == 0
    assert _status(response.content)[0] == "OVERFLOW"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"QUERY": QUERY}, "LANG"),
        ({"LANG": "SQL", "QUERY": QUERY}, "LANG=SQL"),
        ({"LANG": "ADQL"}, "QUERY"),
        ({"LANG": "ADQL", "QUERY": QUERY, "MAXREC": "-3"}, "MAXREC"),
        ({"LANG": "ADQL", "QUERY": QUERY, "RESPONSEFORMAT": "application/x-nothing"}, "RESPONSEFORMAT"),
        ({"LANG": "ADQL", "QUERY": QUERY, "REQUEST": "getCapabilities"}, "REQUEST"),
    ],
)
def test_bad_parameters_are_400_error_documents_naming_the_parameter(
    live: LiveService, params: dict[str, str], fragment: str
) -> None:
    response = httpx.get(f"{live.tap}/sync", params=params)
    assert response.status_code == 400
    status, message = _status(response.content)
    assert status == "ERROR" and fragment in message


def test_repeated_single_valued_parameter_is_refused(live: LiveService) -> None:
    response = httpx.get(f"{live.tap}/sync?LANG=ADQL&QUERY=SELECT+1+FROM+mmvo.sources&MAXREC=1&MAXREC=2")
    assert response.status_code == 400 and "MAXREC" in _status(response.content)[1]


def test_spurious_parameters_are_ignored_and_format_alias_works(live: LiveService) -> None:
    response = httpx.get(
        f"{live.tap}/sync", params={"LANG": "ADQL", "QUERY": QUERY, "FORMAT": "csv", "WHATEVER": "x"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "source_id"


def test_requested_mime_type_comes_back_as_content_type(live: LiveService) -> None:
    response = httpx.get(
        f"{live.tap}/sync", params={"LANG": "ADQL", "QUERY": QUERY, "RESPONSEFORMAT": "text/xml"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")


def test_only_get_on_vosi_endpoints_and_html_root(live: LiveService) -> None:
    assert httpx.post(f"{live.tap}/capabilities").status_code == 405
    root = httpx.get(f"{live.tap}/", follow_redirects=True)
    assert root.status_code == 200 and root.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("accept", "encoded"), [("gzip", True), ("identity", False)])
def test_results_are_gzipped_only_when_asked(live: LiveService, accept: str, encoded: bool) -> None:
    response = httpx.get(
        f"{live.tap}/sync",
        params={"LANG": "ADQL", "QUERY": QUERY, "RESPONSEFORMAT": "votable/b2"},
        headers={"Accept-Encoding": accept},
    )
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is encoded
    assert _status(response.content)[0] == "OK"  # httpx decodes the gzip stream transparently
