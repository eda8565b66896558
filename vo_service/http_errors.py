"""The one place where errors become HTTP answers: DALI VOTable error documents with the right status.

Typed ``VOError``s carry their status and message; anything else is a bug, logged with its traceback and
answered with a generic 500 document that leaks nothing.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tap.formats import votable_error_document
from vo_service.errors import VOError

__all__ = ["ERROR_HANDLERS", "error_response"]

_log = logging.getLogger("mmvo.errors")
VOTABLE = "application/x-votable+xml"


def error_response(message: str, status: int) -> Response:
    return Response(votable_error_document(message), status_code=status, media_type=VOTABLE)


async def _vo_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VOError)
    if exc.http_status >= 500:
        _log.warning("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(exc.message, exc.http_status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    response = error_response(exc.detail or "error", exc.status_code)
    response.headers.update(headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    _log.exception("%s %s raised", request.method, request.url.path, exc_info=exc)
    return error_response("internal error of the service; it has been logged", 500)


ERROR_HANDLERS = {VOError: _vo_error, HTTPException: _http_error, Exception: _unexpected}
