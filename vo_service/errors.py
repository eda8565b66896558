"""Typed errors carrying their VO fault code and HTTP status.

Code anywhere raises these; exactly one place per output format (the HTTP edge) renders them, as a DALI
VOTable error document, a UWS error summary or a DataLink error row.  Nothing else catches and reformats them.
"""

from __future__ import annotations

__all__ = [
    "FatalError",
    "NotFoundError",
    "QueryTimeoutError",
    "ServiceUnavailableError",
    "UsageError",
    "VOError",
]


class VOError(Exception):
    """Base of every error that is reported to a client.

    ``vo_code`` is the DALI/DataLink fault prefix (``UsageFault``, ``NotFoundFault`` ...); ``http_status``
    the status of a synchronous answer.  The message is what the client reads: it must name the parameter
    or the position at fault.
    """

    http_status: int = 500
    vo_code: str = "FatalFault"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(VOError):
    """The request is wrong (a bad parameter, an invalid query)."""

    http_status = 400
    vo_code = "UsageFault"


class NotFoundError(VOError):
    """The named resource (table, job, product) does not exist."""

    http_status = 404
    vo_code = "NotFoundFault"


class QueryTimeoutError(VOError):
    """The query ran longer than the configured limit and was stopped."""

    http_status = 500
    vo_code = "TransientFault"


class ServiceUnavailableError(VOError):
    """A backend (database, worker pool) is down; the client may retry later."""

    http_status = 503
    vo_code = "TransientFault"


class FatalError(VOError):
    """The service failed; the message says what failed without leaking internals."""

    http_status = 500
    vo_code = "FatalFault"
