"""The pieces under the writers: escaping, IDs, row packing, base64 across chunk boundaries."""

from __future__ import annotations

import base64
from itertools import pairwise

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tap.formats.binary_columns import Encoded
from tap.formats.binary_rows import Base64Stream, null_flags, pack_rows
from tap.formats.xmltext import unique_xml_ids, xml_attr, xml_text


def test_text_escaping() -> None:
    assert xml_text("a<b>&c\"'") == "a&lt;b&gt;&amp;c\"'"
    assert xml_text("x\x00\x08\x0b\x1fy\ud800\uffff\ufffe\r\n\t") == "xy???&#13;\n\t"
    assert xml_attr('a"b\tc\nd\re<') == "a&quot;b&#9;c&#10;d&#13;e&lt;"


def _sanitised(text: str) -> str:
    kept = (c for c in text if c >= " " or c in "\t\n\r")
    return "".join("?" if "\ud800" <= c <= "\udfff" or c in "\ufffe\uffff" else c for c in kept)


@given(st.text())
def test_escaped_text_always_parses_back_to_the_sanitised_text(text: str) -> None:
    element = etree.fromstring(f'<a b="{xml_attr(text)}">{xml_text(text)}</a>'.encode())
    assert element.get("b") == _sanitised(text)
    assert (element.text or "") == _sanitised(text)


def test_ids_are_valid_and_unique() -> None:
    ids = unique_xml_ids(["ra", "RA", "ra", "1x", "a b", "", "é", "x_2", "x", "x"], reserved=["x"])
    assert ids == ["ra", "RA", "ra_2", "_1x", "a_b", "_", "__2", "x_2", "x_3", "x_4"]
    for value in ids:
        etree.fromstring(f'<a xml:id="{value}"/>')


def test_null_flags_put_the_first_column_in_the_most_significant_bit() -> None:
    cells = [Encoded(np.zeros(2), nulls=np.array([True, False]))] + [Encoded(np.zeros(2), None)] * 8
    cells.append(Encoded(np.zeros(2), nulls=np.array([False, True])))
    assert null_flags(2, cells).tolist() == [[0x80, 0x00], [0x00, 0x40]]


def test_rows_interleave_fixed_and_variable_cells() -> None:
    fixed = Encoded(np.array([1, 2, 3], dtype=">i2"), None)
    strings = Encoded(np.frombuffer(b"abcdef", dtype=np.uint8), None, counts=np.array([0, 2, 4]))
    floats = Encoded(np.array([[1.5, 2.5], [0, 0], [4, 5]], dtype=">f4"), None)
    doubles = Encoded(np.array([7.0, 8.0], dtype=">f8"), None, counts=np.array([1, 0, 1]))
    leading = np.array([[9], [8], [7]], dtype=np.uint8)
    packed = pack_rows(3, [fixed, strings, floats, doubles], leading)
    expected = b""
    for i, text, pair, extra in [
        (0, b"", (1.5, 2.5), [7.0]),
        (1, b"ab", (0, 0), []),
        (2, b"cdef", (4, 5), [8.0]),
    ]:
        expected += bytes([9 - i]) + np.array(i + 1, ">i2").tobytes()
        expected += np.array(len(text), ">u4").tobytes() + text + np.array(pair, ">f4").tobytes()
        expected += np.array(len(extra), ">u4").tobytes() + np.array(extra, ">f8").tobytes()
    assert packed == expected


@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=10))
def test_base64_of_pieces_is_base64_of_the_whole(data: bytes, cuts: list[int]) -> None:
    stream = Base64Stream()
    bounds = sorted({0, len(data), *(c for c in cuts if c <= len(data))})
    encoded = b"".join(stream.encode(data[a:b]) for a, b in pairwise(bounds))
    encoded += stream.flush()
    assert base64.b64decode(encoded) == data
    assert encoded == base64.encodebytes(data)  # the same lines whatever the pieces
