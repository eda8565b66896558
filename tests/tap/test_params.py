"""DALI parameter rules: case-insensitive names, single-valued parameters, booleans and MAXREC."""

from __future__ import annotations

import pytest

from tap.params import DaliParams, parse_bool, parse_maxrec
from vo_service.errors import UsageError


def test_names_are_case_insensitive_and_values_keep_their_case() -> None:
    params = DaliParams.from_pairs([("lang", "ADQL"), ("Query", "SELECT x FROM t")])
    assert params.get("LANG") == "ADQL"
    assert params.get("query") == "SELECT x FROM t"
    assert "QUERY" in params and "MAXREC" not in params


def test_repeated_single_valued_parameter_is_an_error_naming_it() -> None:
    params = DaliParams.from_pairs([("MAXREC", "1"), ("maxrec", "2")])
    with pytest.raises(UsageError, match="MAXREC"):
        params.get("MAXREC")
    assert params.getlist("MaxRec") == ("1", "2")


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("1", True), ("FALSE", False), ("0", False)])
def test_booleans(text: str, expected: bool) -> None:
    assert parse_bool("X", text, default=not expected) is expected


def test_bad_boolean_names_the_parameter() -> None:
    with pytest.raises(UsageError, match="VERB"):
        parse_bool("VERB", "yes", default=False)


def test_maxrec_default_cap_and_errors() -> None:
    assert parse_maxrec(None, default=100, hard=1000) == 100
    assert parse_maxrec("5", default=100, hard=1000) == 5
    assert parse_maxrec("0", default=100, hard=1000) == 0
    assert parse_maxrec("5000", default=100, hard=1000) == 1000
    for bad in ("-1", "ten", "1.5"):
        with pytest.raises(UsageError, match="MAXREC"):
            parse_maxrec(bad, default=100, hard=1000)
