"""RESPONSEFORMAT values -> output formats, and the list TAPRegExt ``outputFormat`` elements are made from.

Short forms are matched case-insensitively; MIME types by their lower-cased type and parameter names, with
parameter values compared case-insensitively too (``serialization=binary2`` is accepted), since clients in
the wild send every spelling.  The Content-Type sent back echoes the MIME type the client asked for (DALI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from tap.formats.base import OutputFormat
from tap.formats.delimited import CSV, TSV
from tap.formats.fits import FitsFormat
from tap.formats.votable import VOTableFormat
from vo_service.errors import UsageError

__all__ = ["OUTPUT_FORMATS", "FormatDescription", "accepted_values", "resolve_format"]

_VOTABLE = "application/x-votable+xml"
_TAPREGEXT = "ivo://ivoa.net/std/TAPRegExt#"


class FormatDescription(NamedTuple):
    """One TAPRegExt ``outputFormat``: its MIME type, its short aliases and its standard identifier."""

    mime: str
    aliases: tuple[str, ...]
    ivo_id: str | None
    format: OutputFormat


TABLEDATA = VOTableFormat("TABLEDATA", _VOTABLE)
BINARY2 = VOTableFormat("BINARY2", f"{_VOTABLE};serialization=BINARY2")
BINARY = VOTableFormat("BINARY", f"{_VOTABLE};serialization=BINARY")
FITS = FitsFormat()

#: Every format the service offers, the default first.
OUTPUT_FORMATS: tuple[FormatDescription, ...] = (
    FormatDescription(_VOTABLE, ("votable", "votable/td"), _TAPREGEXT + "output-votable-td", TABLEDATA),
    FormatDescription(BINARY2.mime, ("votable/b2",), _TAPREGEXT + "output-votable-binary2", BINARY2),
    FormatDescription(BINARY.mime, ("votable/b",), _TAPREGEXT + "output-votable-binary", BINARY),
    FormatDescription(CSV.mime, ("csv",), None, CSV),
    FormatDescription(TSV.mime, ("tsv",), None, TSV),
    FormatDescription(FITS.mime, ("fits",), None, FITS),
)

_SHORT: dict[str, OutputFormat] = {alias: d.format for d in OUTPUT_FORMATS for alias in d.aliases}
_VOTABLE_SERIALIZATIONS: dict[str, VOTableFormat] = {
    "tabledata": TABLEDATA,
    "binary2": BINARY2,
    "binary": BINARY,
}


def _votable(params: dict[str, str], requested: str) -> OutputFormat | None:
    serialization = params.get("serialization")
    if serialization is None:
        return replace(TABLEDATA, mime=requested)
    chosen = _VOTABLE_SERIALIZATIONS.get(serialization.lower())
    return None if chosen is None else replace(chosen, mime=requested)


_BY_MIME_TYPE: dict[str, Callable[[dict[str, str], str], OutputFormat | None]] = {
    _VOTABLE: _votable,
    "text/xml": lambda params, requested: replace(TABLEDATA, mime=requested),
    "text/csv": lambda params, requested: CSV,
    "text/tab-separated-values": lambda params, requested: TSV,
    "application/fits": lambda params, requested: FITS,
}


def accepted_values() -> list[str]:
    """What :func:`resolve_format` accepts, for error messages and documentation."""
    values = [v for d in OUTPUT_FORMATS for v in (d.mime, *d.aliases)]
    return [*values, "text/xml", f"{_VOTABLE};serialization=TABLEDATA"]


def _parse_mime(value: str) -> tuple[str, dict[str, str]]:
    kind, *rest = value.split(";")
    params = {}
    for item in rest:
        name, _, param = item.partition("=")
        params[name.strip().lower()] = param.strip().strip('"')
    return kind.strip().lower(), params


def _canonical(kind: str, params: dict[str, str]) -> str:
    """The MIME type as echoed in Content-Type: type and parameter names normalised, no stray spaces."""
    return ";".join([kind, *(f"{name}={value}" for name, value in params.items())])


def resolve_format(value: str | None) -> OutputFormat:
    """The format for a RESPONSEFORMAT (or FORMAT) value; None or blank means the default VOTable.

    Raises UsageError naming the accepted values when the value is not one of them.
    """
    if value is None or not value.strip():
        return TABLEDATA
    short = _SHORT.get(value.strip().lower())
    if short is not None:
        return short
    kind, params = _parse_mime(value)
    resolver = _BY_MIME_TYPE.get(kind)
    found = None if resolver is None else resolver(params, _canonical(kind, params))
    if found is None:
        raise UsageError(
            f"RESPONSEFORMAT {value!r} is not supported; use one of: {', '.join(accepted_values())}"
        )
    return found
