"""``DaskExecutor`` on a real Dask cluster: a scheduler and two nanny-managed workers started on loopback, the
dispatcher and store the real ones on an SQLite file the workers share."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.dask_cluster import cluster, wait_for_workers
from tests.uws.process_jobs import run_exit, run_stubborn, run_usage
from tests.uws.test_process_executor import create, running_pid, until, until_gone
from uws import JobKind, KindRegistry, UWSRuntime, UWSSettings
from uws.dask_executor import DaskExecutor
from uws.phases import Phase
from vo_service.config import Config
from vo_service.db import make_engine

pytest.importorskip("distributed")

STUBBORN = JobKind("stubborn", run_stubborn)
KINDS = (STUBBORN, JobKind("exit", run_exit), JobKind("usage", run_usage))
__all__ = ["cluster"]  # the fixture, imported


@asynccontextmanager
async def dask_runtime(
    data_dir: Path, scheduler: str, kinds: Sequence[JobKind] = KINDS
) -> AsyncIterator[tuple[UWSRuntime, DaskExecutor]]:
    config = Config(data_dir=data_dir, database_url=None)
    engine = make_engine(config)
    registry = KindRegistry(kinds)
    executor = DaskExecutor(
        config=config,
        engine=engine,
        engine_factory=functools.partial(make_engine, config),
        registry=registry,
        scheduler=scheduler,
        capacity=4,
    )
    rt = UWSRuntime(config=config, engine=engine, settings=UWSSettings.from_config(config), executor=executor)
    for kind in kinds:
        rt.registry.register(kind)
    try:
        async with rt.running():
            yield rt, executor
    finally:
        engine.dispose()


def test_jobs_run_on_both_workers_of_the_cluster(tmp_path: Path, cluster: str) -> None:
    async def main() -> None:
        async with dask_runtime(tmp_path, cluster) as (rt, _):
            jobs = [await create(rt, STUBBORN, DURATION="1") for _ in range(2)]
            pids = {await running_pid(rt, job) for job in jobs}
            for job in jobs:
                done = await until(rt, STUBBORN, job)
                assert done.phase is Phase.COMPLETED
                _, path = await rt.service.result(STUBBORN, job, None, "pid")
                assert path is not None and int(path.read_text()) in pids
            assert len(pids) == 2 and os.getpid() not in pids

    asyncio.run(main())


def test_abort_kills_the_worker_process_of_a_run_that_does_not_stop(tmp_path: Path, cluster: str) -> None:
    async def main() -> None:
        async with dask_runtime(tmp_path, cluster) as (rt, _):
            job = await create(rt, STUBBORN, DURATION="60")
            pid = await running_pid(rt, job)
            await rt.service.change_phase(STUBBORN, job, None, Phase.ABORTED)
            print(f"worker process gone {await until_gone(pid, 4.0) * 1000:.0f} ms after the abort")
            assert (await rt.service.job(STUBBORN, job, None)).phase is Phase.ABORTED
        await asyncio.to_thread(wait_for_workers, cluster, 2)  # the nanny brings the worker back

    asyncio.run(main())


def test_errors_are_recorded_and_a_dying_worker_ends_its_job_in_error(tmp_path: Path, cluster: str) -> None:
    async def main() -> None:
        async with dask_runtime(tmp_path, cluster) as (rt, _):
            usage = await until(rt, KINDS[2], await create(rt, KINDS[2]))
            assert usage.phase is Phase.ERROR and usage.error is not None
            assert usage.error.message == "BAND must be one of soft, hard"
            died = await until(rt, KINDS[1], await create(rt, KINDS[1]))
            assert died.phase is Phase.ERROR and died.error is not None
            assert "Dask worker running the job failed" in died.error.message
        await asyncio.to_thread(wait_for_workers, cluster, 2)

    asyncio.run(main())
