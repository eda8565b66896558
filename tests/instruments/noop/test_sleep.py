"""The noop/sleep analysis run as a notebook would: products, progress, and each way of failing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from instruments.base import InstrumentFatalError, InstrumentTransientError, InstrumentUsageError
from instruments.local import LocalRunContext, run_analysis
from instruments.noop import Sleep, SleepParameters


def test_echo_product_holds_the_parameters(tmp_path: Path) -> None:
    (product,) = run_analysis(Sleep, tmp_path, duration="0.05")
    assert (product.result_id, product.content_type) == ("echo", "application/json")
    echo = json.loads(product.path.read_text())
    assert echo["parameters"] == {"duration": 0.05, "fail": "no"} and echo["job_id"] == "local"


def test_progress_names_the_process(tmp_path: Path) -> None:
    ctx = LocalRunContext(tmp_path)
    Sleep().run(SleepParameters(duration=0.3), ctx)
    assert ctx.reports and all("sleeping in process" in (m or "") for _, m in ctx.reports)
    assert ctx.reports[0][0] is not None and 0 <= ctx.reports[0][0] < 0.1


def test_a_run_stops_at_its_deadline(tmp_path: Path) -> None:
    started = time.monotonic()
    Sleep().run(SleepParameters(duration=60), LocalRunContext(tmp_path, deadline=time.time() + 0.2))
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("fail", "error"),
    [
        ("usage", InstrumentUsageError),
        ("fatal", InstrumentFatalError),
        ("transient", InstrumentTransientError),
    ],
)
def test_failures_as_asked(tmp_path: Path, fail: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=f"fail={fail}"):
        run_analysis(Sleep, tmp_path, fail=fail)


def test_out_of_range_duration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        InstrumentUsageError, match=r"parameter duration must be a number between 0 and 3600 s"
    ):
        run_analysis(Sleep, tmp_path, duration="4000")
