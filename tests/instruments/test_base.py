"""The plugin protocol's value types and errors: products, descriptions, errors that survive pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from instruments.base import (
    Analysis,
    AnalysisBase,
    Instrument,
    InstrumentError,
    InstrumentFatalError,
    InstrumentTransientError,
    InstrumentUsageError,
    ProductFile,
    RunContext,
)
from instruments.local import LocalRunContext
from instruments.noop import Noop, Sleep, SleepParameters


@pytest.mark.parametrize(
    "error", [InstrumentUsageError, InstrumentFatalError, InstrumentTransientError, InstrumentError]
)
def test_errors_cross_process_boundaries_with_message_and_detail(error: type[InstrumentError]) -> None:
    copy = pickle.loads(pickle.dumps(error("RA out of range", "RA=400 is above 360")))
    assert type(copy) is error
    assert (copy.message, copy.detail, str(copy)) == (
        "RA out of range",
        "RA=400 is above 360",
        "RA out of range",
    )


def test_product_ids_are_plain_names() -> None:
    assert ProductFile("image", Path("image.fits"), "application/fits").description == ""
    for bad in ("", "a/b"):
        with pytest.raises(ValueError, match="product id"):
            ProductFile(bad, Path("x"), "text/plain")


def test_the_noop_plugin_follows_the_protocols(tmp_path: Path) -> None:
    assert isinstance(Noop, Instrument)
    assert isinstance(Sleep(), Analysis)
    assert isinstance(LocalRunContext(tmp_path), RunContext)


def test_describe_comes_from_the_class_attributes() -> None:
    info = Sleep().describe()
    assert info.title == "Sleep" and "JSON" in info.description
    assert [p.name for p in info.parameters] == ["duration", "fail"]
    duration = info.parameters[0]
    assert (duration.unit, duration.minimum, duration.maximum, duration.default) == ("s", 0, 3600, "0")


def test_describe_falls_back_on_the_class_name() -> None:
    class Bare(AnalysisBase):
        Parameters = SleepParameters

    assert Bare().describe().title == "Bare"
