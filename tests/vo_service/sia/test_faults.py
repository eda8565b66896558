"""SIA error messages start with their fault name, whether raised before the response or in the middle of
the rows."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from astropy.io.votable import parse

from tap.formats import ResultStatus, resolve_format
from tap.formats.base import Chunk
from tap.schema import Column
from vo_service.errors import QueryTimeoutError, UsageError
from vo_service.sia.faults import SiaFault, fault_chunks, sia_faults


def test_errors_keep_their_status_and_gain_their_fault_name() -> None:
    with pytest.raises(SiaFault) as caught, sia_faults():
        raise UsageError("parameter POS is empty")
    assert (caught.value.message, caught.value.http_status) == ("UsageFault: parameter POS is empty", 400)
    with pytest.raises(SiaFault) as again, sia_faults(), sia_faults():
        raise QueryTimeoutError("too slow")
    assert again.value.message == "TransientFault: too slow"  # prefixed once


def test_an_error_among_the_rows_ends_the_document_with_it() -> None:
    def rows() -> Iterator[Chunk]:
        yield [(1,)]
        raise QueryTimeoutError("the query took longer than the time limit and was stopped")

    blocks = resolve_format(None).stream([Column("x", "int")], fault_chunks(rows()), status=ResultStatus())
    document = parse(io.BytesIO(b"".join(blocks)), verify="exception")
    status = [i for i in document.resources[0].infos if i.name == "QUERY_STATUS"]
    assert [i.value for i in status] == ["OK", "ERROR"]
    assert str(status[-1].content).startswith("TransientFault: the query took longer")
