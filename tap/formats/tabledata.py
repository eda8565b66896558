"""TABLEDATA rows, built a chunk at a time with one string join (astropy's writer works cell by cell and
holds the whole table; see ``benchmarks/votable_writer.py`` for the difference)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

from tap.formats.base import Chunk, chunk_columns
from tap.formats.datatypes import ColumnSpec, int_null
from tap.formats.textcells import Dialect, null_array_text, row_styles, text_formatter
from tap.formats.xmltext import needs_xml_escape, xml_text

__all__ = ["XML_DIALECT", "TableDataEncoder"]

XML_DIALECT = Dialect(escape=xml_text, needs_escape=needs_xml_escape, spell_null_arrays=True)


class TableDataEncoder:
    """The ``<TABLEDATA>`` element of one document."""

    opening = "<TABLEDATA>\n"
    closing = "</TABLEDATA>"

    def __init__(self, specs: Sequence[ColumnSpec]) -> None:
        styles = row_styles(len(specs), cell=("<TD>", "</TD>"), null="<TD/>", row=("<TR>", "</TR>\n"))
        self._formatters = [text_formatter(s, XML_DIALECT, st) for s, st in zip(specs, styles, strict=True)]

    def field_extra(self, spec: ColumnSpec) -> str:
        """``VALUES null`` for integer arrays whose NULLs are spelled with the sentinel (see
        :func:`~tap.formats.textcells.null_array_text`); elsewhere an empty TD is NULL."""
        sentinel = int_null(spec)
        if spec.family == "array" and sentinel is not None and null_array_text(spec) is not None:
            return f'<VALUES null="{sentinel}"/>'
        return ""

    def encode(self, chunk: Chunk) -> bytes:
        values = chunk_columns(chunk, len(self._formatters))
        columns = [fmt(col) for fmt, col in zip(self._formatters, values, strict=True)]
        return "".join(chain.from_iterable(zip(*columns, strict=True))).encode("utf-8", "replace")

    def flush(self) -> bytes:
        return b""
