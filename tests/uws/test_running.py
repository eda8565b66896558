"""Running jobs inside one process: dispatcher, thread executor, time limits, aborts, recovery, reaper."""

from __future__ import annotations

import asyncio
import datetime as dt
import pickle
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tap.params import DaliParams
from tests.uws.toy_app import check_toy, run_toy
from uws import (
    JobKind,
    JobSpec,
    JobTransientError,
    JobUsageError,
    ResultSpec,
    RunContext,
    UWSRuntime,
    UWSSettings,
)
from uws.errors import JobFatalError
from uws.models import Job, JobFilter
from uws.parsing import new_job
from uws.phases import FINAL, Phase
from uws.recovery import RESTART_MESSAGE
from uws.store import JobStore
from uws.worker import error_info
from vo_service.config import Config
from vo_service.db import make_engine
from vo_service.errors import ServiceUnavailableError, UsageError

TOY = JobKind("toy", run_toy, validate=check_toy)


@asynccontextmanager
async def runtime(data_dir: Path, *kinds: JobKind, **settings: object) -> AsyncIterator[UWSRuntime]:
    config = Config(data_dir=data_dir, database_url=None)
    engine = make_engine(config)
    rt = UWSRuntime(config=config, engine=engine, settings=UWSSettings.from_config(config, **settings))
    for kind in kinds or (TOY,):
        rt.registry.register(kind)
    try:
        async with rt.running():
            yield rt
    finally:
        engine.dispose()


def params(**values: str) -> DaliParams:
    return DaliParams.from_pairs(values.items())


async def until(rt: UWSRuntime, kind: JobKind, job_id: str, phases: frozenset[Phase] = FINAL) -> Job:
    job = await rt.service.job(kind, job_id, None)
    for _ in range(200):
        if job.phase in phases:
            return job
        job = await rt.service.wait(kind, job_id, None, timeout=5, phase=job.phase)
    raise AssertionError(f"job {job_id} never reached {phases}")


def test_run_to_completion_with_progress_and_uploads(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            request = new_job(DaliParams.from_pairs([("DURATION", "0.1"), ("PHASE", "RUN")], {"t1": b"abc"}))
            job = await rt.service.create(TOY, None, request)
            assert job.phase in {Phase.QUEUED, Phase.EXECUTING}
            done = await until(rt, TOY, job.job_id)
            assert done.phase is Phase.COMPLETED and done.attempt == 1
            assert done.progress is not None and done.progress.fraction == 1.0
            result, path = await rt.service.result(TOY, job.job_id, None, "result")
            assert path is not None and path.read_text().endswith("uploads t1\n")
            assert result.size == path.stat().st_size and result.mime_type == "text/plain"

    asyncio.run(main())


def test_validation_at_creation(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            with pytest.raises(UsageError, match="DURATION"):
                await rt.service.create(TOY, None, new_job(params(DURATION="soon")))
            assert rt.store.list_jobs(kind="toy", owner=None, filter=JobFilter()) == []

    asyncio.run(main())


def test_time_limit_ends_the_job_in_error(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            request = new_job(params(DURATION="5", EXECUTIONDURATION="1", PHASE="RUN"))
            started = time.monotonic()
            job = await until(rt, TOY, (await rt.service.create(TOY, None, request)).job_id)
            assert job.phase is Phase.ERROR and job.error is not None
            assert job.error.message == "the job reached its time limit: its execution duration is 1 s"
            assert time.monotonic() - started < 3

    asyncio.run(main())


def test_abort_stops_the_run_and_keeps_early_results(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            job = await rt.service.create(TOY, None, new_job(params(DURATION="5", PARTIAL="1", PHASE="RUN")))
            await until(rt, TOY, job.job_id, frozenset({Phase.EXECUTING}))
            while not (await rt.service.job(TOY, job.job_id, None)).results:
                await asyncio.sleep(0.01)
            aborted = await rt.service.change_phase(TOY, job.job_id, None, Phase.ABORTED)
            assert aborted.phase is Phase.ABORTED
            while rt.dispatcher.running:  # the run notices and its thread ends
                await asyncio.sleep(0.01)
            final = await rt.service.job(TOY, job.job_id, None)
            assert final.phase is Phase.ABORTED and [r.id for r in final.results] == ["partial"]
            # client requests after the end change nothing
            assert (
                await rt.service.change_phase(TOY, job.job_id, None, Phase.ABORTED)
            ).phase is Phase.ABORTED

    asyncio.run(main())


def _stubborn(release: threading.Event) -> Callable[[JobSpec, RunContext], list[ResultSpec]]:
    def run(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
        release.wait(10)  # ignores ctx.aborted()
        (ctx.results_dir / "late.txt").write_text("late")
        return [ResultSpec("late", "late.txt")]

    return run


def test_abort_of_a_run_that_does_not_listen(tmp_path: Path) -> None:
    release = threading.Event()
    kind = JobKind("stubborn", _stubborn(release))

    async def main() -> None:
        async with runtime(tmp_path, kind) as rt:
            job = await rt.service.create(kind, None, new_job(params(PHASE="RUN")))
            await until(rt, kind, job.job_id, frozenset({Phase.EXECUTING}))
            assert (
                await rt.service.change_phase(kind, job.job_id, None, Phase.ABORTED)
            ).phase is Phase.ABORTED
            release.set()
            while rt.dispatcher.running:
                await asyncio.sleep(0.01)
            final = await rt.service.job(kind, job.job_id, None)
            assert final.phase is Phase.ABORTED and final.results == ()  # the late outcome was refused

    asyncio.run(main())


def _failing(exc: Exception) -> JobKind:
    def run(job: JobSpec, ctx: RunContext) -> list[ResultSpec]:
        raise exc

    return JobKind(f"fail{id(exc)}", run)


@pytest.mark.parametrize(
    ("exc", "kind", "message"),
    [
        (JobUsageError("BAND must be one of soft, hard"), "fatal", "BAND must be one of soft, hard"),
        (JobTransientError("archive down"), "transient", "archive down"),
        (ServiceUnavailableError("database down"), "transient", "database down"),
        (ZeroDivisionError("secret internals"), "fatal", "internal error of the service"),
    ],
)
def test_errors_of_run_functions(tmp_path: Path, exc: Exception, kind: str, message: str) -> None:
    failing = _failing(exc)

    async def main() -> None:
        async with runtime(tmp_path, failing) as rt:
            job = await rt.service.create(failing, None, new_job(params(PHASE="RUN")))
            final = await until(rt, failing, job.job_id)
            assert final.phase is Phase.ERROR and final.error is not None
            assert final.error.type == kind and final.error.message.startswith(message)

    asyncio.run(main())


def test_run_errors_are_picklable() -> None:
    for exc in (JobUsageError("a", "b"), JobFatalError("c"), JobTransientError("d", "e")):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc) and error_info(again) == error_info(exc)


def _orphan(store: JobStore, job_id: str, attempt: int) -> None:
    jobs = store.tables.jobs
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.job_id == job_id)
            .values(phase="EXECUTING", runner="0123456789ab", attempt=attempt)
        )


def test_recovery_requeues_once_then_gives_up(tmp_path: Path) -> None:
    async def main() -> tuple[Job, Job]:
        async with runtime(tmp_path) as rt:
            first = await rt.service.create(TOY, None, new_job(params()))
            second = await rt.service.create(TOY, None, new_job(params()))
        # as if a process that died had claimed them: found by the next start
        engine = make_engine(Config(data_dir=tmp_path, database_url=None))
        _orphan(JobStore(engine), first.job_id, 1)
        _orphan(JobStore(engine), second.job_id, 2)
        engine.dispose()
        async with runtime(tmp_path) as rt:
            return await until(rt, TOY, first.job_id), await until(rt, TOY, second.job_id)

    first, second = asyncio.run(main())
    assert first.phase is Phase.COMPLETED and first.attempt == 2
    assert (
        second.phase is Phase.ERROR and second.error is not None and second.error.message == RESTART_MESSAGE
    )


def test_reaper_destroys_expired_jobs(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            old = await rt.service.create(TOY, None, new_job(params(PHASE="RUN")))
            await until(rt, TOY, old.job_id)
            young = await rt.service.create(TOY, None, new_job(params()))
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            await rt.service.set_destruction(TOY, old.job_id, None, past)
            assert rt.files.job_dir(old.job_id).is_dir()
            assert await rt.reaper.reap() == [old.job_id]
            assert rt.store.find(old.job_id) is None and not rt.files.job_dir(old.job_id).exists()
            assert rt.store.find(young.job_id) is not None

    asyncio.run(main())


def test_limits_from_settings(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path, execution_duration=30, execution_duration_hard=100) as rt:
            job = await rt.service.create(TOY, None, new_job(params()))
            assert job.execution_duration == 30
            assert job.destruction is not None
            assert job.destruction - job.creation_time <= dt.timedelta(days=7, seconds=1)
            unlimited = await rt.service.set_execution_duration(TOY, job.job_id, None, 0)
            assert unlimited.execution_duration == 100
            far = job.creation_time + dt.timedelta(days=400)
            assert (await rt.service.set_destruction(TOY, job.job_id, None, far)).destruction == (
                job.creation_time + dt.timedelta(days=7)
            )

    asyncio.run(main())


def test_delete_while_running(tmp_path: Path) -> None:
    async def main() -> None:
        async with runtime(tmp_path) as rt:
            job = await rt.service.create(TOY, None, new_job(params(DURATION="5", PHASE="RUN")))
            await until(rt, TOY, job.job_id, frozenset({Phase.EXECUTING}))
            await rt.service.delete(TOY, job.job_id, None)
            assert rt.store.find(job.job_id) is None
            while rt.dispatcher.running:  # the run was told to stop
                await asyncio.sleep(0.01)
            assert not rt.files.job_dir(job.job_id).exists()

    asyncio.run(main())
