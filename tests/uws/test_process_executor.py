"""``LocalExecutor``: jobs in worker processes, killed on abort and at the time limit, reused otherwise, and
recovered after a shutdown; the dispatcher and store are the real ones, on SQLite files."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from tap.params import DaliParams
from tests.uws.process_jobs import run_exit, run_stubborn, run_usage
from tests.uws.test_running import until
from uws import JobKind, JobSpec, KindRegistry, ResultSpec, RunContext, UWSRuntime, UWSSettings
from uws.parsing import new_job
from uws.phases import FINAL, Phase
from uws.process_executor import LocalExecutor
from vo_service.config import Config
from vo_service.db import make_engine

STUBBORN = JobKind("stubborn", run_stubborn)
KINDS = (STUBBORN, JobKind("exit", run_exit), JobKind("usage", run_usage))


@asynccontextmanager
async def process_runtime(
    data_dir: Path, kinds: Sequence[JobKind] = KINDS, max_workers: int = 2
) -> AsyncIterator[tuple[UWSRuntime, LocalExecutor]]:
    config = Config(data_dir=data_dir, database_url=None)
    engine = make_engine(config)
    registry = KindRegistry(kinds)
    executor = LocalExecutor(
        config=config,
        engine=engine,
        engine_factory=functools.partial(make_engine, config),
        registry=registry,
        max_workers=max_workers,
    )
    rt = UWSRuntime(config=config, engine=engine, settings=UWSSettings.from_config(config), executor=executor)
    for kind in kinds:
        rt.registry.register(kind)
    try:
        async with rt.running():
            await executor.warm_up(max_workers)  # a cold start would eat into the execution durations
            yield rt, executor
    finally:
        engine.dispose()


async def create(rt: UWSRuntime, kind: JobKind, **values: str) -> str:
    request = new_job(DaliParams.from_pairs([*values.items(), ("PHASE", "RUN")]))
    return (await rt.service.create(kind, None, request)).job_id


async def running_pid(rt: UWSRuntime, job_id: str) -> int:
    """The pid a run reports in its progress message, once it has."""
    for _ in range(1000):
        job = await rt.service.job(STUBBORN, job_id, None)
        if job.progress is not None and job.progress.message:
            return int(job.progress.message.split()[1])
        await asyncio.sleep(0.01)
    raise AssertionError(f"job {job_id} never reported its pid")


def gone(pid: int) -> bool:
    """Whether the process has ended and been reaped (a zombie still counts as there)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def until_gone(pid: int, limit: float) -> float:
    started = time.monotonic()
    while not gone(pid):
        assert time.monotonic() - started < limit, f"process {pid} still there after {limit} s"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def test_jobs_run_in_worker_processes_that_are_reused(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, executor):
            pids = []
            for _ in range(3):
                job = await until(rt, STUBBORN, await create(rt, STUBBORN, DURATION="0"))
                while executor.workers:  # the worker's answer follows the outcome it recorded
                    await asyncio.sleep(0.01)
                assert job.phase is Phase.COMPLETED and job.progress is not None
                _, path = await rt.service.result(STUBBORN, job.job_id, None, "pid")
                assert path is not None
                pids.append(int(path.read_text()))
            assert os.getpid() not in pids and len(set(pids)) == 1

    asyncio.run(main())


def test_abort_kills_the_process_and_spares_the_others(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, executor):
            victim = await create(rt, STUBBORN, DURATION="60")
            other = await create(rt, STUBBORN, DURATION="1.5")
            pid, other_pid = await running_pid(rt, victim), await running_pid(rt, other)
            assert executor.workers == {victim: pid, other: other_pid}
            await rt.service.change_phase(STUBBORN, victim, None, Phase.ABORTED)
            print(f"process gone {await until_gone(pid, 2.0) * 1000:.0f} ms after the abort")
            done = await until(rt, STUBBORN, other)
            assert done.phase is Phase.COMPLETED and not gone(other_pid)
            assert (await rt.service.job(STUBBORN, victim, None)).phase is Phase.ABORTED

    asyncio.run(main())


def test_the_time_limit_kills_the_process(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, _):
            job_id = await create(rt, STUBBORN, DURATION="60", EXECUTIONDURATION="1")
            pid = await running_pid(rt, job_id)
            job = await until(rt, STUBBORN, job_id)
            assert job.phase is Phase.ERROR and job.error is not None
            assert job.error.message == "the job reached its time limit: its execution duration is 1 s"
            await until_gone(pid, 2.0)

    asyncio.run(main())


def test_a_worker_that_dies_ends_its_job_in_error(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, _):
            died = await until(rt, KINDS[1], await create(rt, KINDS[1]))
            assert died.phase is Phase.ERROR and died.error is not None
            assert "ended unexpectedly (exit status 3)" in died.error.message
            job = await until(rt, STUBBORN, await create(rt, STUBBORN))  # a new worker takes over
            assert job.phase is Phase.COMPLETED

    asyncio.run(main())


def test_errors_of_run_functions_are_recorded_by_the_worker(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, _):
            job = await until(rt, KINDS[2], await create(rt, KINDS[2]))
            assert job.phase is Phase.ERROR and job.error is not None
            assert job.error.message == "BAND must be one of soft, hard" and job.error.type == "fatal"

    asyncio.run(main())


def test_no_more_jobs_run_at_once_than_workers(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path, max_workers=2) as (rt, executor):
            jobs = [await create(rt, STUBBORN, DURATION="0.5") for _ in range(4)]
            most = 0
            phases: set[Phase] = set()
            while not phases or not phases <= FINAL:
                most = max(most, len(executor.workers))
                await asyncio.sleep(0.02)
                phases = {(await rt.service.job(STUBBORN, j, None)).phase for j in jobs}
            assert most == 2 and phases == {Phase.COMPLETED}

    asyncio.run(main())


def _closure() -> Callable[[JobSpec, RunContext], list[ResultSpec]]:
    def run(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
        return []

    return run


def test_run_functions_that_cannot_reach_a_worker(tmp_path: Path) -> None:
    module = tmp_path / "vanishing_jobs.py"
    module.write_text("def run(job, ctx):\n    return []\n")
    sys.path.insert(0, str(tmp_path))
    try:
        import vanishing_jobs  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    unpicklable, vanishing = JobKind("closure", _closure()), JobKind("vanishing", vanishing_jobs.run)

    async def main() -> None:
        async with process_runtime(tmp_path, [unpicklable, vanishing, STUBBORN]) as (rt, _):
            job = await until(rt, unpicklable, await create(rt, unpicklable))
            assert job.error is not None and job.error.message.startswith("the service could not run the job")
            job = await until(rt, vanishing, await create(rt, vanishing))  # the worker cannot import it
            assert (
                job.error is not None
                and "could not load the job's code: ModuleNotFoundError" in job.error.message
            )
            assert (await until(rt, STUBBORN, await create(rt, STUBBORN))).phase is Phase.COMPLETED

    asyncio.run(main())
    sys.modules.pop("vanishing_jobs", None)


def test_shutdown_kills_the_workers_and_the_next_start_runs_the_job_again(tmp_path: Path) -> None:
    async def main() -> None:
        async with process_runtime(tmp_path) as (rt, _):
            job_id = await create(rt, STUBBORN, DURATION="60")
            pid = await running_pid(rt, job_id)
        assert gone(pid)
        async with process_runtime(tmp_path) as (rt, _):
            job = await rt.service.job(STUBBORN, job_id, None)
            assert job.phase in {Phase.QUEUED, Phase.EXECUTING} and job.attempt <= 2
            await rt.service.change_phase(STUBBORN, job_id, None, Phase.ABORTED)
            assert (await until(rt, STUBBORN, job_id)).phase is Phase.ABORTED

    asyncio.run(main())
