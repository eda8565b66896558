"""SIA's error messages: each starts with its fault name and a colon (``UsageFault: ...``), as SIA 2.0
requires of every error document.

Errors raised anywhere below the SIA endpoint are the service's usual typed errors; here they are re-raised
with that prefix and the same status, and the application's one renderer writes the document as for any
other error.  Errors in the middle of a result reach the client in-band, so the chunks are wrapped too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tap.formats.base import Chunk
from vo_service.errors import VOError

__all__ = ["SiaFault", "fault_chunks", "sia_faults"]


class SiaFault(VOError):
    """``cause`` as SIA reports it: its message after its fault name, its status unchanged."""

    def __init__(self, cause: VOError) -> None:
        super().__init__(f"{cause.vo_code}: {cause.message}")
        self.vo_code = cause.vo_code
        self.http_status = cause.http_status


@contextmanager
def sia_faults() -> Iterator[None]:
    """Turns the ``VOError``s raised in the block into :class:`SiaFault`s."""
    try:
        yield
    except SiaFault:
        raise
    except VOError as exc:
        raise SiaFault(exc) from exc


def fault_chunks(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """``chunks``, with an error raised while reading them turned into a :class:`SiaFault`."""
    with sia_faults():
        yield from chunks
