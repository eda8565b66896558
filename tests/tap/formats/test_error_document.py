"""DALI error documents."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from astropy.io import votable
from lxml import etree
from pyvo.dal.exceptions import DALQueryError
from pyvo.dal.query import DALResults

from tap.formats import votable_error_document


def test_error_document_is_valid_and_read_by_pyvo_as_an_error(
    assert_schema_valid: Callable[[bytes], None],
) -> None:
    message = "ADQL syntax error at line 1, column 8: unexpected 'FORM' (< & >)"
    document = votable_error_document(message, infos=[("QUERY", "SELECT x FORM t", "SELECT x FORM t")])
    assert_schema_valid(document)
    tree = etree.fromstring(document)
    ns = {"v": "http://www.ivoa.net/xml/VOTable/v1.3"}
    resource = tree.find("v:RESOURCE", ns)
    assert resource is not None and resource.get("type") == "results"
    assert resource.find("v:TABLE", ns) is None
    first = resource.find("v:INFO", ns)
    assert first is not None and (first.get("name"), first.get("value"), first.text) == (
        "QUERY_STATUS",
        "ERROR",
        message,
    )
    parsed = votable.parse(io.BytesIO(document), verify="exception")
    with pytest.raises(DALQueryError) as caught:
        DALResults(parsed)
    assert str(caught.value.reason) == message


def test_a_query_status_among_the_infos_cannot_contradict_the_error() -> None:
    document = votable_error_document("failed", infos=[("QUERY_STATUS", "OK", None), ("RUNID", "r1", None)])
    assert document.count(b"QUERY_STATUS") == 1
    assert b'name="RUNID"' in document
