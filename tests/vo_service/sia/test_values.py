"""Numbers and intervals of SIA parameters: what DALI writes is read, anything else is refused naming the
parameter."""

from __future__ import annotations

import math

import pytest

from vo_service.errors import UsageError
from vo_service.sia.values import Interval, parse_interval, parse_number


@pytest.mark.parametrize(("word", "number"), [("1", 1.0), ("-1.5e3", -1500.0), (".5", 0.5), ("+2.", 2.0)])
def test_numbers(word: str, number: float) -> None:
    assert parse_number("X", word) == number


@pytest.mark.parametrize("word", ["1_0", "nan", "0x10", "1e", "inf", "+Inf", "1e999", "", "1,5"])
def test_non_numbers_and_infinities_where_none_is_allowed_are_refused(word: str) -> None:
    with pytest.raises(UsageError, match=r"^parameter X: "):
        parse_number("X", word)


@pytest.mark.parametrize(
    ("value", "interval"),
    [
        ("300 600", Interval(300.0, 600.0)),
        ("550", Interval(550.0, 550.0)),
        ("1.0 1.0", Interval(1.0, 1.0)),
        (" 300 +Inf ", Interval(300.0, math.inf)),
        ("-Inf 0.21", Interval(-math.inf, 0.21)),
        ("-inf inf", Interval(-math.inf, math.inf)),  # as pyvo writes them
        ("300 Inf", Interval(300.0, math.inf)),  # an unescaped + arrives as a space
        ("-INFINITY 1", Interval(-math.inf, 1.0)),
    ],
)
def test_intervals(value: str, interval: Interval) -> None:
    assert parse_interval("BAND", value) == interval


@pytest.mark.parametrize("value", ["", "  ", "2 1", "1 2 3", "+Inf", "-Inf", "+Inf -Inf", "nan 1", "a b"])
def test_bad_intervals_are_refused_naming_the_parameter(value: str) -> None:
    with pytest.raises(UsageError, match=r"^parameter BAND"):
        parse_interval("BAND", value)
