"""VOTable 1.4 result documents (TABLEDATA, BINARY2, BINARY) and DALI error documents.

The document is written as text around the serialisation's data element (see :mod:`tap.formats.tabledata`
and :mod:`tap.formats.binary_rows`), not through an XML tree library: a tree would hold the whole table,
and the fixed skeleton is simple enough to escape by hand with :mod:`tap.formats.xmltext`.

Layout (DALI): one ``RESOURCE type="results"``, its INFOs (``QUERY_STATUS=OK`` first), a COOSYS for
equatorial position columns and a TIMESYS for timestamps, the TABLE, then -- when the producer reports it --
a second ``QUERY_STATUS`` INFO (``OVERFLOW`` or ``ERROR``) after the TABLE.  Extra RESOURCE fragments
(DataLink service descriptors) follow the results RESOURCE.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from tap.formats.base import Chunk, Extras, Info, InfoItem, OutputFormat, ResultStatus, drive, normalise_infos
from tap.formats.binary_rows import StreamEncoder
from tap.formats.datatypes import ColumnSpec
from tap.formats.tabledata import TableDataEncoder
from tap.formats.xmltext import unique_xml_ids, xml_attr, xml_text
from tap.schema import Column

__all__ = [
    "VOTABLE_NAMESPACE",
    "Serialization",
    "VOTableFormat",
    "field_ids",
    "votable_error_document",
]

VOTABLE_NAMESPACE = "http://www.ivoa.net/xml/VOTable/v1.3"
_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<VOTABLE version="1.4" xmlns="{VOTABLE_NAMESPACE}"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    f' xsi:schemaLocation="{VOTABLE_NAMESPACE} {VOTABLE_NAMESPACE}">\n'
    '<RESOURCE type="results">\n'
)
_CLOSE = "</VOTABLE>\n"
_COOSYS_ID, _TIMESYS_ID = "system_icrs", "system_utc"
_EQUATORIAL_UCDS = frozenset({"pos.eq.ra", "pos.eq.dec"})

Serialization = Literal["TABLEDATA", "BINARY2", "BINARY"]


class DataEncoder(Protocol):
    """The data element of one serialisation: markup around it, per-chunk bytes, and FIELD additions."""

    opening: str
    closing: str

    def field_extra(self, spec: ColumnSpec) -> str: ...

    def encode(self, chunk: Chunk) -> bytes: ...

    def flush(self) -> bytes: ...


def _data_encoder(serialization: Serialization, specs: Sequence[ColumnSpec]) -> DataEncoder:
    if serialization == "TABLEDATA":
        return TableDataEncoder(specs)
    return StreamEncoder(specs, null_flags=serialization == "BINARY2")


def _attributes(pairs: Iterable[tuple[str, str | None]]) -> str:
    return "".join(f' {name}="{xml_attr(value)}"' for name, value in pairs if value is not None)


def _info(info: Info) -> str:
    attributes = _attributes((("name", info.name), ("value", info.value), ("ucd", info.ucd)))
    if not info.content:
        return f"<INFO{attributes}/>\n"
    return f"<INFO{attributes}>{xml_text(info.content)}</INFO>\n"


def _status_info(value: str, message: str | None) -> str:
    return _info(Info("QUERY_STATUS", value, message))


def _ucd_words(column: Column) -> set[str]:
    return {word.strip().lower() for word in (column.ucd or "").split(";")}


def _description(text: str | None) -> str:
    return f"<DESCRIPTION>{xml_text(text)}</DESCRIPTION>\n" if text else ""


def field_ids(names: Sequence[str], table_id: str = "") -> list[str]:
    """The XML IDs the FIELDs of columns ``names`` get in a result whose TABLE has ID ``table_id`` (empty
    when it has none): what a service descriptor's ``ref`` must name."""
    return unique_xml_ids(names, reserved=(_COOSYS_ID, _TIMESYS_ID, table_id))


def _fields(specs: Sequence[ColumnSpec], encoder: DataEncoder, table_id: str) -> tuple[str, str]:
    """(COOSYS/TIMESYS definitions, FIELD elements)."""
    columns = [s.column for s in specs]
    equatorial = [bool(_ucd_words(c) & _EQUATORIAL_UCDS) for c in columns]
    timestamps = [c.xtype == "timestamp" for c in columns]
    systems = ""
    if any(equatorial):
        systems += f'<COOSYS ID="{_COOSYS_ID}" system="ICRS"/>\n'
    if any(timestamps):
        systems += f'<TIMESYS ID="{_TIMESYS_ID}" timescale="UTC" refposition="UNKNOWN"/>\n'
    ids = field_ids([c.name for c in columns], table_id)
    fields = []
    for spec, field_id, eq, ts in zip(specs, ids, equatorial, timestamps, strict=True):
        c = spec.column
        ref = _COOSYS_ID if eq else _TIMESYS_ID if ts else None
        attributes = _attributes(
            (
                ("name", c.name),
                ("ID", field_id),
                ("datatype", c.datatype),
                ("arraysize", c.arraysize),
                ("xtype", c.xtype),
                ("unit", c.unit),
                ("ucd", c.ucd),
                ("utype", c.utype),
                ("ref", ref),
            )
        )
        content = _description(c.description) + encoder.field_extra(spec)
        fields.append(f"<FIELD{attributes}>\n{content}</FIELD>\n" if content else f"<FIELD{attributes}/>\n")
    return systems, "".join(fields)


def _head(specs: Sequence[ColumnSpec], encoder: DataEncoder, extras: Extras) -> bytes:
    infos, table_name = extras.infos, extras.table_name
    if not any(i.name == "QUERY_STATUS" for i in infos):
        infos = [Info("QUERY_STATUS", "OK"), *infos]
    # An ID for a named TABLE: readers otherwise derive one from the name (astropy warns W03 doing so).
    table_id = unique_xml_ids([table_name], reserved=(_COOSYS_ID, _TIMESYS_ID))[0] if table_name else None
    systems, fields = _fields(specs, encoder, table_id or "")
    table = f"<TABLE{_attributes((('ID', table_id), ('name', table_name)))}>\n"
    parts = [_OPEN, *map(_info, infos), systems, table, _description(extras.table_description), fields]
    parts.append(f"<DATA>{encoder.opening}")
    return "".join(parts).encode("utf-8", "replace")


def _tail(
    encoder: DataEncoder, status: ResultStatus, message: str | None, extra_resources: Sequence[str | bytes]
) -> bytes:
    end = f"{encoder.closing}</DATA>\n</TABLE>\n"
    if message is not None:
        end += _status_info("ERROR", message)
    elif status.overflow:
        end += _status_info("OVERFLOW", "the result was truncated at MAXREC rows")
    end += "</RESOURCE>\n"
    extra = b"".join(r if isinstance(r, bytes) else r.encode("utf-8") for r in extra_resources)
    return encoder.flush() + end.encode("utf-8", "replace") + extra + _CLOSE.encode()


@dataclass(frozen=True, slots=True)
class VOTableFormat(OutputFormat):
    """A VOTable result; ``mime`` echoes what the client asked for (DALI: a requested MIME type comes back)."""

    serialization: Serialization
    mime: str
    extension: str = ".vot"

    def _stream(
        self, specs: list[ColumnSpec], chunks: Iterable[Chunk], status: ResultStatus, extras: Extras
    ) -> Iterator[bytes]:
        """See :meth:`OutputFormat.stream`; errors end the document with ``QUERY_STATUS=ERROR``."""
        encoder = _data_encoder(self.serialization, specs)
        return drive(
            chunks,
            status=status,
            head=lambda: _head(specs, encoder, extras),
            encode=encoder.encode,
            finish=lambda message: _tail(encoder, status, message, extras.extra_resources),
            in_band_errors=True,
        )


def votable_error_document(message: str, *, infos: Sequence[InfoItem] = ()) -> bytes:
    """A DALI error document: ``QUERY_STATUS=ERROR`` with ``message`` and no TABLE.

    ``infos`` are written after the status (any QUERY_STATUS among them is dropped: it would contradict it).
    """
    extra = [i for i in normalise_infos(infos) if i.name != "QUERY_STATUS"]
    body = _OPEN + _status_info("ERROR", message) + "".join(map(_info, extra)) + "</RESOURCE>\n" + _CLOSE
    return body.encode("utf-8", "replace")
