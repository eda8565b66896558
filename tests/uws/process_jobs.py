"""Run functions for the process executor tests: module-level, so that they reach worker processes by name.

Each reports the id of its process in its progress message (``pid 1234``) and result, so tests can watch it.
"""

from __future__ import annotations

import os
import time

from uws import JobSpec, JobUsageError, ResultSpec, RunContext


def run_stubborn(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
    """Sleeps ``DURATION`` seconds without ever looking at ``ctx.aborted()``, then writes its pid."""
    ctx.progress(0.0, f"pid {os.getpid()}")
    time.sleep(float(ctx.parameters.get("DURATION") or 0))
    (ctx.results_dir / "pid.txt").write_text(str(os.getpid()))
    return [ResultSpec("pid", "pid.txt", mime_type="text/plain")]


def run_exit(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
    """Its process dies on the spot."""
    os._exit(3)


def run_usage(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
    raise JobUsageError("BAND must be one of soft, hard")
