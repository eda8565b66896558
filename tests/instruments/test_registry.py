"""Discovery of instrument plugins through entry points; broken plugins are left out with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import EntryPoint
from typing import ClassVar

import pytest

from instruments.base import Analysis
from instruments.noop import Noop, Sleep
from instruments.registry import GROUP, InstrumentRegistry


class Renamed:
    name: ClassVar[str] = "other"
    products: ClassVar[Mapping[str, type[Analysis]]] = {"sleep": Sleep}


class BadProduct:
    name: ClassVar[str] = "badproduct"
    products: ClassVar[Mapping[str, object]] = {"Sleep/x": Sleep}


class NoModel:
    name: ClassVar[str] = "nomodel"
    products: ClassVar[Mapping[str, object]] = {"sleep": object}


def _entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


def test_the_installed_noop_plugin_is_discovered() -> None:
    registry = InstrumentRegistry.discover()
    assert registry.instruments["noop"] is Noop
    assert registry.analysis("noop", "sleep") is Sleep
    assert [e.name for e in registry.analyses() if e.instrument == "noop"] == ["noop/echo", "noop/sleep"]


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("missing", "instruments.no_such_module:X", "loading instruments.no_such_module:X failed"),
        ("other", "tests.instruments.test_registry:Renamed", None),
        ("renamed", "tests.instruments.test_registry:Renamed", "is not the entry point's name"),
        ("badproduct", "tests.instruments.test_registry:BadProduct", "product name 'Sleep/x'"),
        ("nomodel", "tests.instruments.test_registry:NoModel", "no pydantic Parameters model"),
    ],
)
def test_broken_plugins_are_left_out_with_a_reason(name: str, value: str, why: str | None) -> None:
    registry = InstrumentRegistry.from_entry_points(
        [_entry("noop", "instruments.noop:Noop"), _entry(name, value)]
    )
    assert "noop" in registry.instruments
    if why is None:
        assert registry.problems == [] and name in registry.instruments
    else:
        assert name not in registry.instruments
        assert len(registry.problems) == 1 and why in registry.problems[0]


def test_two_instruments_of_one_name_keep_the_first() -> None:
    registry = InstrumentRegistry([Noop])
    assert not registry.add("noop", type("Noop", (Noop,), {}))
    assert registry.instruments["noop"] is Noop and "another instrument" in registry.problems[0]


def test_unknown_analyses_raise_key_error() -> None:
    with pytest.raises(KeyError):
        InstrumentRegistry([Noop]).analysis("noop", "image")
