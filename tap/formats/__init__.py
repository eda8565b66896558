"""Result serialisations: streaming VOTable (TABLEDATA, BINARY2, BINARY), CSV, TSV and FITS.

Callers need only this module: :func:`resolve_format` picks the format for a RESPONSEFORMAT value, the
format's ``stream(columns, chunks, status=..., infos=..., extra_resources=...)`` yields the body and its
``mime`` is the Content-Type; :func:`votable_error_document` renders a DALI error.  The error and overflow
protocol is described in :mod:`tap.formats.base`.
"""

from tap.formats.base import BLOCK_SIZE, GENERIC_ERROR_MESSAGE, Info, InfoItem, OutputFormat, ResultStatus
from tap.formats.registry import OUTPUT_FORMATS, FormatDescription, accepted_values, resolve_format
from tap.formats.votable import votable_error_document

__all__ = [
    "BLOCK_SIZE",
    "GENERIC_ERROR_MESSAGE",
    "OUTPUT_FORMATS",
    "FormatDescription",
    "Info",
    "InfoItem",
    "OutputFormat",
    "ResultStatus",
    "accepted_values",
    "resolve_format",
    "votable_error_document",
]
