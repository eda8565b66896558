"""CSV (RFC 4180, header line) and TSV (IANA text/tab-separated-values) results.

The stdlib ``csv`` module would do the quoting, but it formats cell by cell with ``str()`` (so floats would
not round-trip in the shortest form and NaN would be ``nan``); here the same vectorised column formatters as
TABLEDATA produce the text and only the escaping differs:

* CSV quotes a value containing ``,``, ``"``, CR or LF (doubling inner quotes) and writes an empty string as
  ``""`` so that it differs from NULL, which is an empty field (except in a one-column result, where an
  empty field would be a blank line that readers skip: NULL is ``""`` there too).  Lines end with CRLF.
* TSV cannot quote: tabs, CR and LF inside values become spaces.  NULL and the empty string are both empty.

Booleans are ``true``/``false`` (DALI literals, recognised by spreadsheet and dataframe readers), arrays and
geometries their DALI text, timestamps DALI timestamps.  Neither format can say "overflow" or "error"
in-band: every exception propagates after the rows already formatted (the response is then cut short,
which is how a client notices).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from tap.formats.base import Chunk, Extras, OutputFormat, ResultStatus, chunk_columns, drive
from tap.formats.datatypes import ColumnSpec
from tap.formats.textcells import Dialect, row_styles, text_formatter

__all__ = ["CSV", "TSV", "DelimitedFormat"]

_CSV_SPECIAL = re.compile('[,"\r\n]')
_TSV_SPECIAL = re.compile("[\t\r\n]")


def _csv_escape(text: str) -> str:
    if _CSV_SPECIAL.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _tsv_escape(text: str) -> str:
    return _TSV_SPECIAL.sub(" ", text)


_CSV_DIALECT = Dialect(
    escape=_csv_escape,
    needs_escape=lambda text: _CSV_SPECIAL.search(text) is not None,
    true="true",
    false="false",
    empty_string='""',
)
_TSV_DIALECT = Dialect(
    escape=_tsv_escape,
    needs_escape=lambda text: _TSV_SPECIAL.search(text) is not None,
    true="true",
    false="false",
)


@dataclass(frozen=True, slots=True)
class DelimitedFormat(OutputFormat):
    """One delimiter-separated text format."""

    mime: str
    extension: str
    separator: str
    line_end: str
    dialect: Dialect

    def _stream(
        self, specs: list[ColumnSpec], chunks: Iterable[Chunk], status: ResultStatus, extras: Extras
    ) -> Iterator[bytes]:
        """A header line of column names, then one line per row; the extras have no place in these
        formats and are ignored.  Exceptions propagate (see the module docstring)."""
        # A lone NULL would make a blank line, which CSV readers skip: write it like an empty string.
        null = self.dialect.empty_string or "" if len(specs) == 1 else ""
        styles = row_styles(
            len(specs), cell=("", ""), null=null, row=("", self.line_end), separator=self.separator
        )
        formatters = [
            text_formatter(spec, self.dialect, style) for spec, style in zip(specs, styles, strict=True)
        ]
        header = self.separator.join(self.dialect.escape(s.name) for s in specs) + self.line_end

        blank = self.line_end
        lone = len(specs) == 1 and bool(null)

        def encode(chunk: Chunk) -> bytes:
            columns = chunk_columns(chunk, len(formatters))
            cells = [fmt(col) for fmt, col in zip(formatters, columns, strict=True)]
            if lone:  # an empty value (e.g. an empty array) alone on its line would read as no record
                cells = [[null + blank if cell == blank else cell for cell in cells[0]]]
            return "".join(chain.from_iterable(zip(*cells, strict=True))).encode("utf-8", "replace")

        return drive(
            chunks,
            status=status,
            head=lambda: header.encode("utf-8", "replace"),
            encode=encode,
            finish=lambda message: b"",
            in_band_errors=False,
        )


CSV = DelimitedFormat("text/csv;header=present", ".csv", ",", "\r\n", _CSV_DIALECT)
TSV = DelimitedFormat("text/tab-separated-values", ".tsv", "\t", "\n", _TSV_DIALECT)
