"""The TAP query service: from DALI parameters to a result ready to stream, independent of HTTP.

Sync queries and (next) async jobs both go through ``TapService.prepare``/``start``, so validation, MAXREC and
the echoed INFOs are the same whichever way a query arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from tap.adql.translate import translate
from tap.formats import resolve_format
from tap.formats.base import Info, OutputFormat
from tap.params import DaliParams, parse_maxrec
from tap.runner import CursorFactory, QueryRows, run_query
from tap.schema import Catalog, Column, Dialect
from vo_service.errors import UsageError

__all__ = ["ADQL_LANGS", "PreparedQuery", "TapService", "TapSettings"]

#: LANG values accepted (compared case-insensitively).
ADQL_LANGS = frozenset({"adql", "adql-2.0", "adql-2.1"})
TAP_STANDARD_ID = "ivo://ivoa.net/std/TAP"


@dataclass(frozen=True)
class TapSettings:
    """The limits a TAP service applies (from the service configuration)."""

    maxrec_default: int
    maxrec_hard: int
    timeout: float


@dataclass(frozen=True)
class PreparedQuery:
    """A checked query: its SQL, result columns, output format and the INFOs to echo."""

    sql: str
    columns: tuple[Column, ...]
    output: OutputFormat
    maxrec: int
    infos: tuple[Info, ...]


class TapService:
    """Checks and runs ADQL queries against the published catalogue."""

    def __init__(
        self,
        *,
        settings: TapSettings,
        dialect: Dialect,
        catalog: Callable[[], Catalog],
        cursor_factory: CursorFactory,
    ) -> None:
        self.settings = settings
        self.dialect = dialect
        self._catalog = catalog
        self._cursor_factory = cursor_factory

    def prepare(self, params: DaliParams) -> PreparedQuery:
        """Validates the parameters and translates the query; cheap, no database access.

        Raises:
            UsageError: a missing or bad parameter (named in the message), or an invalid query.
        """
        request = params.get("REQUEST")
        if request is not None and request.lower() != "doquery":
            raise UsageError(f"REQUEST={request} is not supported; use REQUEST=doQuery or leave it out")
        lang = params.get("LANG")
        if lang is None:
            raise UsageError("parameter LANG is missing; use LANG=ADQL")
        if lang.strip().lower() not in ADQL_LANGS:
            raise UsageError(f"unknown query language LANG={lang}; this service accepts ADQL (2.0 and 2.1)")
        query = params.get("QUERY")
        if query is None or not query.strip():
            raise UsageError("parameter QUERY is missing or empty")
        if "UPLOAD" in params:
            raise UsageError("UPLOAD is not supported by this service yet")
        output = self._output_format(params)
        maxrec = parse_maxrec(
            params.get("MAXREC"), default=self.settings.maxrec_default, hard=self.settings.maxrec_hard
        )
        translation = translate(query, catalog=self._catalog(), dialect=self.dialect, limit=maxrec + 1)
        infos = (
            Info("QUERY_STATUS", "OK"),
            Info("standardID", TAP_STANDARD_ID),
            Info("request_date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")),
            Info("LANG", lang),
            Info("QUERY", "", query),
            Info("MAXREC", str(maxrec)),
        )
        return PreparedQuery(translation.sql, translation.columns, output, maxrec, infos)

    def _output_format(self, params: DaliParams) -> OutputFormat:
        response_format = params.get("RESPONSEFORMAT")
        alias = params.get("FORMAT")
        if response_format is not None and alias is not None and response_format != alias:
            raise UsageError("give RESPONSEFORMAT or FORMAT, not both with different values")
        return resolve_format(response_format if response_format is not None else alias)

    def start(self, prepared: PreparedQuery) -> QueryRows:
        """Runs the query up to its first chunk (blocking; call from a worker thread).

        Raises:
            UsageError: the database refused the query.
            QueryTimeoutError: the query ran out of time before its first rows.
        """
        return run_query(
            self._cursor_factory,
            prepared.sql,
            prepared.columns,
            maxrec=prepared.maxrec,
            timeout=self.settings.timeout,
        )
