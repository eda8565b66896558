"""The ``noop/sleep`` and ``noop/echo`` analyses (see the package docstring)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel

from instruments.base import (
    Analysis,
    AnalysisBase,
    InstrumentFatalError,
    InstrumentTransientError,
    InstrumentUsageError,
    ProductFile,
    RunContext,
)
from instruments.parameters import AnalysisParameters, param

__all__ = ["Echo", "EchoParameters", "Noop", "Sleep", "SleepParameters"]

#: Longest pause between two looks at ``ctx.aborted()`` and two progress reports.
STEP = 0.25
_FAILURES: Mapping[str, type[Exception]] = {
    "usage": InstrumentUsageError,
    "fatal": InstrumentFatalError,
    "transient": InstrumentTransientError,
}


class SleepParameters(AnalysisParameters):
    """How long to sleep and how to end."""

    duration: float = param(0.0, description="How long the run lasts", unit="s", ge=0, le=3600)
    fail: Literal["no", "usage", "fatal", "transient", "exit"] = param(
        "no", description="How the run ends: no (products), an error of that kind, or exit (its process dies)"
    )


class Sleep(AnalysisBase):
    """Sleeps, then echoes its parameters."""

    title = "Sleep"
    description = (
        "Waits for duration seconds, then returns its parameters as JSON (tests, overhead benchmarks)"
    )
    Parameters: ClassVar[type[BaseModel]] = SleepParameters

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, SleepParameters)
        pid = os.getpid()
        end = time.monotonic() + params.duration
        while (left := end - time.monotonic()) > 0 and not ctx.aborted():
            done = 1.0 - left / params.duration
            ctx.progress(done, f"sleeping in process {pid}: {left:.1f} s left")
            time.sleep(min(STEP, left))
        if params.fail == "exit":
            os._exit(3)
        failure = _FAILURES.get(params.fail)
        if failure is not None:
            raise failure(f"the run failed as asked (fail={params.fail})")
        echo = {"job_id": ctx.job_id, "pid": pid, "parameters": params.model_dump(mode="json")}
        (ctx.workdir / "echo.json").write_text(json.dumps(echo))
        return [
            ProductFile("echo", ctx.workdir / "echo.json", "application/json", "the parameters of the run")
        ]


class EchoParameters(AnalysisParameters):
    """What to echo."""

    message: str = param("hello", description="The text of the product")


class Echo(AnalysisBase):
    """Writes its message: products that depend on the parameters alone, so identical requests reuse them."""

    title = "Echo"
    description = "Returns its message as JSON; identical requests reuse the products of the first"
    Parameters: ClassVar[type[BaseModel]] = EchoParameters
    reusable = True

    def run(self, params: BaseModel, ctx: RunContext) -> list[ProductFile]:
        assert isinstance(params, EchoParameters)
        (ctx.workdir / "echo.json").write_text(json.dumps({"message": params.message, "pid": os.getpid()}))
        return [ProductFile("echo", Path("echo.json"), "application/json", "the message")]


class Noop:
    """The ``noop`` instrument."""

    name: ClassVar[str] = "noop"
    products: ClassVar[Mapping[str, type[Analysis]]] = {"echo": Echo, "sleep": Sleep}
