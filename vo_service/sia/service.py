"""The SIA 2.0 query service: SIA parameters in, a result over ``ivoa.obscore`` ready to stream, no HTTP.

An SIA query is answered as the ADQL query that means the same (:mod:`vo_service.sia.query`), run by the TAP
service.  Everything a query needs beyond choosing rows is already there and shared with TAP that way:
spherical geometry on both engines (SQLite's registered functions, pgSphere, circles larger than a
hemisphere), the read-only timeout-bounded cursors and Arrow batches, MAXREC and OVERFLOW, streaming
VOTable/CSV/FITS writers for every RESPONSEFORMAT, and the DataLink descriptor of rows carrying
``obs_publisher_did``.  The result columns are those of the published ``ivoa.obscore`` with their ObsCore
metadata, as TAP gives them.  Building SQL here instead would mean a third copy of the geometry of each
engine; building the ADQL syntax tree instead of its text would bypass the parser, whose checks are what make
the generated SQL safe.  Only the INFOs change: the response names SIA, echoes the SIA parameters and shows
the ADQL it ran, and it ends with the SIA service descriptor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from tap.formats import Info
from tap.params import DaliParams
from tap.runner import QueryRows
from tap.service import PreparedQuery, TapService
from vo_service.registry.capabilities import SIA_STANDARD_ID
from vo_service.sia.descriptor import self_descriptor
from vo_service.sia.query import constraints, sia_query

__all__ = ["SiaService"]

#: DALI parameters handed to the TAP service as they came.
_PASSED = ("MAXREC", "RESPONSEFORMAT")


@dataclass(frozen=True)
class SiaService:
    """Answers SIA queries through ``tap``; ``access_url`` is the public URL of the ``{query}`` endpoint."""

    tap: TapService
    access_url: str

    def prepare(self, params: DaliParams) -> PreparedQuery:
        """Checks the parameters and translates the query (no database access).

        Raises:
            UsageError: a value its parameter does not accept, a bad MAXREC or an unsupported RESPONSEFORMAT,
                named in the message.
        """
        adql = sia_query(params)
        passed = {name: params.getlist(name) for name in _PASSED if name in params}
        prepared = self.tap.prepare(DaliParams({"LANG": ("ADQL",), "QUERY": (adql,), **passed}))
        infos = (
            Info("QUERY_STATUS", "OK"),
            Info("standardID", SIA_STANDARD_ID),
            Info("request_date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")),
            Info("MAXREC", str(prepared.maxrec)),
            *(Info(name, value) for name, value in constraints(params)),
            Info("ADQL", "", adql),
        )
        return replace(
            prepared, infos=infos, resources=(*prepared.resources, self_descriptor(self.access_url))
        )

    def start(self, prepared: PreparedQuery) -> QueryRows:
        """Runs the query up to its first rows (blocking; call from a worker thread).

        Raises:
            UsageError: the database refused the query.
            QueryTimeoutError: the query ran out of time before its first rows.
        """
        return self.tap.start(prepared)
