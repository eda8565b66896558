"""The reserved words: one list for the ADQL parser and for the names TAP_SCHEMA advertises."""

from __future__ import annotations

import pytest

from tap.adql import AdqlSyntaxError, translate
from tap.adql.lexer import RESERVED
from tap.reserved import ADQL_RESERVED_WORDS, RESERVED_WORDS
from tap.schema import Column, StaticCatalog, Table, query_name


@pytest.mark.parametrize("word", ["bigint", "cot", "offset"])
def test_words_the_adql_21_rec_reserves_are_quoted_and_refused(word: str) -> None:
    assert word in ADQL_RESERVED_WORDS
    assert query_name(word) == f'"{word}"'
    catalog = StaticCatalog([Table("s", "t", (Column(word, "double"), Column("x", "double")))])
    with pytest.raises(AdqlSyntaxError):
        translate(f"SELECT {word} FROM s.t", catalog=catalog, dialect="sqlite")
    assert translate(f'SELECT "{word}" FROM s.t', catalog=catalog, dialect="sqlite").columns[0].name == word


def test_the_parser_uses_the_same_list() -> None:
    assert {word.upper() for word in RESERVED_WORDS} == RESERVED
    assert query_name("mag") == "mag" and query_name("size") == '"size"'
