"""Analysis job kinds: parameters refused at creation by name, the plugin run with a real store and job files,
plugin errors as job errors, products as results, and a run function that pickles."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from instruments.base import AnalysisBase, ProductFile, RunContext
from instruments.noop import Echo, Sleep, SleepParameters
from instruments.registry import AnalysisEntry
from tap.params import DaliParams
from tests.uws import conftest as uws_fixtures
from uws.errors import JobFatalError, JobTransientError, JobUsageError
from uws.files import JobFiles
from uws.models import Job, JobSpec, Parameter, ResultSpec
from uws.phases import Actor, Phase
from uws.store import JobStore
from uws.worker import RunContext as JobContext
from vo_service.analysis.kinds import AnalysisRun, analysis_kind, read_parameters
from vo_service.errors import UsageError

SLEEP = AnalysisEntry("noop", "sleep", Sleep)
#: The fixture ``sqlite_store`` of the UWS tests: a job store on a fresh SQLite file.
shared_store = uws_fixtures.sqlite_store


class Escaping(AnalysisBase):
    Parameters = SleepParameters

    def run(self, params: object, ctx: RunContext) -> list[ProductFile]:
        (ctx.workdir.parent / "outside.txt").write_text("x")
        return [ProductFile("outside", ctx.workdir.parent / "outside.txt", "text/plain")]


def _run(store: JobStore, tmp_path: Path, entry: AnalysisEntry, **values: str) -> list[ResultSpec]:
    """Runs the kind of ``entry`` on a job claimed in a real store, as a worker would."""
    return _run_job(store, tmp_path, entry, **values)[1]


def _run_job(
    store: JobStore, tmp_path: Path, entry: AnalysisEntry, **values: str
) -> tuple[Job, list[ResultSpec]]:
    """The job (as the store has it after the run) and the results of the run."""
    parameters = tuple(Parameter(k, v) for k, v in values.items())
    job = store.create(
        kind=entry.name,
        owner=None,
        run_id=None,
        parameters=parameters,
        execution_duration=60,
        destruction=None,
    )
    store.transition(job.job_id, Phase.QUEUED, by=Actor.CLIENT)
    claimed = store.transition(job.job_id, Phase.EXECUTING, runner="test")
    spec = JobSpec(job.job_id, entry.name, None, None, parameters, claimed.attempt, 60, None)
    files = JobFiles(tmp_path / "jobs")
    files.prepare(job.job_id)
    kind = analysis_kind(
        entry,
        archive_dir=tmp_path / "archive",
        reuse_dir=tmp_path / "reuse",
        products_dir=tmp_path / "products",
    )
    results = list(kind.run(spec, JobContext(spec, store=store, files=files)))
    return store.get(job.job_id), results


def test_parameters_are_refused_at_creation_naming_the_limits() -> None:
    kind = analysis_kind(
        SLEEP, archive_dir=Path("archive"), reuse_dir=Path("reuse"), products_dir=Path("products")
    )
    assert kind.validate is not None
    kind.validate(DaliParams.from_pairs([("DURATION", "1")]))
    with pytest.raises(
        UsageError, match=r"^parameter duration must be a number between 0 and 3600 s, not '-1'$"
    ):
        kind.validate(DaliParams.from_pairs([("duration", "-1")]))
    with pytest.raises(UsageError, match="unknown parameter DURATIONS"):
        kind.validate(DaliParams.from_pairs([("DURATIONS", "1")]))
    with pytest.raises(UsageError, match="analyses take no uploaded files, not t1"):
        read_parameters(Sleep, DaliParams.from_pairs([], {"t1": b"x"}))


def test_products_become_results(shared_store: JobStore, tmp_path: Path) -> None:
    (result,) = _run(shared_store, tmp_path, SLEEP, duration="0.01")
    assert result == ResultSpec("echo", path="echo.json", mime_type="application/json")


@pytest.mark.parametrize(
    ("fail", "error"), [("usage", JobUsageError), ("fatal", JobFatalError), ("transient", JobTransientError)]
)
def test_plugin_errors_become_job_errors(
    shared_store: JobStore, tmp_path: Path, fail: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match=f"the run failed as asked \\(fail={fail}\\)"):
        _run(shared_store, tmp_path, SLEEP, fail=fail)


def test_products_outside_the_job_directory_are_refused(shared_store: JobStore, tmp_path: Path) -> None:
    with pytest.raises(JobFatalError, match="product outside was written outside the job's directory"):
        _run(shared_store, tmp_path, AnalysisEntry("noop", "escaping", Escaping))


def test_the_run_function_travels_to_worker_processes() -> None:
    run = analysis_kind(
        SLEEP, archive_dir=Path("archive"), reuse_dir=Path("reuse"), products_dir=Path("products")
    ).run
    assert isinstance(run, AnalysisRun) and pickle.loads(pickle.dumps(run)) == run


def test_identical_requests_reuse_the_products_and_say_so(shared_store: JobStore, tmp_path: Path) -> None:
    echo = AnalysisEntry("noop", "echo", Echo)
    first, (result,) = _run_job(shared_store, tmp_path, echo, message="hi")
    assert first.progress is None and result.path == "echo.json"
    again, (same,) = _run_job(shared_store, tmp_path, echo, MESSAGE=" hi ".strip())
    assert same == result and again.progress is not None
    assert again.progress.message == (
        f"products reused from job {first.job_id}, an identical request (same code and data)"
    )
    jobs = tmp_path / "jobs"
    text = (jobs / first.job_id / "results" / "echo.json").read_text()
    assert (jobs / again.job_id / "results" / "echo.json").read_text() == text
    other, _ = _run_job(shared_store, tmp_path, echo, message="ho")
    assert other.progress is None
    JobFiles(jobs).remove(first.job_id)  # its files gone: the copy made for the second job serves
    fourth, _ = _run_job(shared_store, tmp_path, echo)
    assert fourth.progress is None  # "hello", the default, was never asked for
    fifth, _ = _run_job(shared_store, tmp_path, echo, message="hi")
    assert fifth.progress is not None and first.job_id in (fifth.progress.message or "")


def test_analyses_that_are_not_reusable_always_run(shared_store: JobStore, tmp_path: Path) -> None:
    _run(shared_store, tmp_path, SLEEP)
    job, _ = _run_job(shared_store, tmp_path, SLEEP)
    assert job.progress is None
