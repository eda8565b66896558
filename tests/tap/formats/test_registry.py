"""RESPONSEFORMAT resolution and the TAPRegExt list."""

from __future__ import annotations

import pytest

from tap.formats import OUTPUT_FORMATS, OutputFormat, resolve_format
from tap.formats.votable import VOTableFormat
from vo_service.errors import UsageError


def _serialization(fmt: OutputFormat) -> str:
    assert isinstance(fmt, VOTableFormat)
    return fmt.serialization


@pytest.mark.parametrize(
    ("value", "serialization", "mime"),
    [
        (None, "TABLEDATA", "application/x-votable+xml"),
        ("", "TABLEDATA", "application/x-votable+xml"),
        ("votable", "TABLEDATA", "application/x-votable+xml"),
        ("VOTable", "TABLEDATA", "application/x-votable+xml"),
        ("application/x-votable+xml", "TABLEDATA", "application/x-votable+xml"),
        ("text/xml", "TABLEDATA", "text/xml"),
        (
            "application/x-votable+xml;serialization=TABLEDATA",
            "TABLEDATA",
            "application/x-votable+xml;serialization=TABLEDATA",
        ),
        (
            "application/x-votable+xml; Serialization=tabledata",
            "TABLEDATA",
            "application/x-votable+xml;serialization=tabledata",
        ),
        (
            "application/x-votable+xml;serialization=BINARY2",
            "BINARY2",
            "application/x-votable+xml;serialization=BINARY2",
        ),
        ("votable/b2", "BINARY2", "application/x-votable+xml;serialization=BINARY2"),
        ("VOTABLE/B2", "BINARY2", "application/x-votable+xml;serialization=BINARY2"),
        (
            "application/x-votable+xml;  SERIALIZATION=BINARY",
            "BINARY",
            "application/x-votable+xml;serialization=BINARY",
        ),
    ],
)
def test_votable_values(value: str | None, serialization: str, mime: str) -> None:
    fmt = resolve_format(value)
    assert _serialization(fmt) == serialization
    assert fmt.mime == mime


@pytest.mark.parametrize(
    ("value", "mime"),
    [
        ("csv", "text/csv;header=present"),
        ("CSV", "text/csv;header=present"),
        ("text/csv", "text/csv;header=present"),
        ("text/csv;header=present", "text/csv;header=present"),
        ("tsv", "text/tab-separated-values"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("fits", "application/fits"),
        ("application/fits", "application/fits"),
    ],
)
def test_other_values(value: str, mime: str) -> None:
    assert resolve_format(value).mime == mime


@pytest.mark.parametrize(
    "value",
    ["html", "text", "json", "application/x-votable+xml;serialization=FITS", "votable/x", "text/plain"],
)
def test_unknown_values_are_usage_errors_listing_the_accepted_ones(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_format(value)
    message = caught.value.message
    assert repr(value) in message
    for accepted in ("votable", "csv", "tsv", "fits", "application/x-votable+xml;serialization=BINARY2"):
        assert accepted in message


def test_tapregext_list() -> None:
    ids = {d.ivo_id for d in OUTPUT_FORMATS if d.ivo_id}
    assert ids == {
        "ivo://ivoa.net/std/TAPRegExt#output-votable-td",
        "ivo://ivoa.net/std/TAPRegExt#output-votable-binary",
        "ivo://ivoa.net/std/TAPRegExt#output-votable-binary2",
    }
    assert OUTPUT_FORMATS[0].mime == "application/x-votable+xml"
    for description in OUTPUT_FORMATS:
        assert resolve_format(description.mime).mime == description.format.mime
        for alias in description.aliases:
            assert resolve_format(alias) == description.format
