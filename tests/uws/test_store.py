"""The job store on SQLite and PostgreSQL: persistence, filters, guarded updates and race safety."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from uws.errors import JobNotFoundError, PhaseConflictError
from uws.models import ErrorInfo, JobFilter, Parameter, Progress, Result
from uws.phases import Actor, Phase
from uws.store import JobStore


def _new(store: JobStore, **kwargs: object) -> str:
    values: dict[str, object] = {
        "kind": "toy",
        "owner": None,
        "run_id": None,
        "parameters": (),
        "execution_duration": 60,
        "destruction": None,
    }
    values.update(kwargs)
    return store.create(**values).job_id  # type: ignore[arg-type]


def test_tables_in_the_private_schema(store: JobStore) -> None:
    store.create_tables()  # idempotent
    inspector = sa.inspect(store.engine)
    if store.engine.dialect.name == "postgresql":
        assert {"jobs", "parameters", "results"} <= set(inspector.get_table_names(schema="uws"))
    else:
        assert {"uws.jobs", "uws.parameters", "uws.results"} <= set(inspector.get_table_names())


def test_create_and_read_back(store: JobStore) -> None:
    destruction = dt.datetime(2031, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    params = (Parameter("query", "SELECT 1"), Parameter("upload", "a"), Parameter("upload", "b"))
    params += (Parameter("t1", "t1", by_reference=True),)
    job = store.create(
        kind="toy",
        owner="alice",
        run_id="r1",
        parameters=params,
        execution_duration=30,
        destruction=destruction,
    )
    again = JobStore(store.engine).get(job.job_id)  # another store instance: what a restart sees
    assert again == job
    assert again.phase is Phase.PENDING and again.owner == "alice" and again.run_id == "r1"
    assert again.parameters == params and again.destruction == destruction
    assert again.creation_time.tzinfo is not None and again.start_time is None
    with pytest.raises(JobNotFoundError):
        store.get("nope")


def test_list_filters(store: JobStore) -> None:
    ids = [_new(store) for _ in range(4)]
    other_kind = _new(store, kind="other")
    mine = _new(store, owner="bob")
    for job_id in ids[:2]:
        store.transition(job_id, Phase.ABORTED, by=Actor.CLIENT)
    store.transition(ids[0], Phase.ARCHIVED)
    time.sleep(0.01)
    late = _new(store)

    def listed(owner: str | None = None, **kwargs: object) -> list[str]:
        return [r.job_id for r in store.list_jobs(kind="toy", owner=owner, filter=JobFilter(**kwargs))]  # type: ignore[arg-type]

    assert set(listed()) == {*ids[1:], late}  # ARCHIVED only on request, other kinds and owners never
    assert listed(owner="bob") == [mine] and other_kind not in listed()
    assert listed(phases=frozenset({Phase.ARCHIVED})) == [ids[0]]
    assert set(listed(phases=frozenset({Phase.ARCHIVED, Phase.ABORTED}))) == set(ids[:2])
    assert listed(last=1) == [late]
    creation = store.get(late).creation_time
    assert listed(after=creation - dt.timedelta(milliseconds=5)) == [late]
    assert listed(after=creation) == []
    newest, second = listed(phases=frozenset({Phase.PENDING}), last=2)
    assert newest == late and second in ids[2:]  # ids[2] and ids[3] may share their millisecond


def test_parameters_change_only_while_pending(store: JobStore) -> None:
    job_id = _new(store, parameters=(Parameter("a", "1"), Parameter("b", "2"), Parameter("b", "3")))
    job = store.update_parameters(job_id, [Parameter("b", "4"), Parameter("c", "5")])
    assert [(p.name, p.value) for p in job.parameters] == [("a", "1"), ("b", "4"), ("c", "5")]
    store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
    with pytest.raises(PhaseConflictError):
        store.update_parameters(job_id, [Parameter("a", "9")])
    with pytest.raises(PhaseConflictError):
        store.update_times(job_id, execution_duration=5, phases=[Phase.PENDING])
    when = dt.datetime(2030, 5, 5, tzinfo=dt.UTC)
    assert store.update_times(job_id, destruction=when).destruction == when
    with pytest.raises(JobNotFoundError):
        store.update_parameters("nope", [])


def test_progress_and_results_only_for_the_current_run(store: JobStore) -> None:
    job_id = _new(store)
    store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
    store.transition(job_id, Phase.EXECUTING, runner="a")
    early = Result("partial", "p.txt", None, "text/plain", 3)
    assert store.record(job_id, attempt=1, progress=Progress(0.5, "half"), results=[early])
    assert not store.record(job_id, attempt=2, progress=Progress(0.9, "stale"))
    job = store.get(job_id)
    assert job.progress == Progress(0.5, "half") and job.results == (early,)
    # ABORTED is sticky: the late outcome of the run is refused and its results discarded
    store.transition(job_id, Phase.ABORTED, by=Actor.CLIENT)
    late = Result("result", "r.txt", None, None, 1)
    with pytest.raises(PhaseConflictError):
        store.transition(job_id, Phase.COMPLETED, attempt=1, results=[late])
    assert not store.record(job_id, attempt=1, results=[late])
    job = store.get(job_id)
    assert job.phase is Phase.ABORTED and job.results == (early,) and job.end_time is not None


def test_error_and_results_stored_with_the_outcome(store: JobStore) -> None:
    failed, done = _new(store), _new(store)
    for job_id in (failed, done):
        store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
        store.transition(job_id, Phase.EXECUTING, runner="a")
    error = ErrorInfo("transient", "backend down", "the archive did not answer")
    assert store.transition(failed, Phase.ERROR, attempt=1, error=error).error == error
    results = [Result("b", None, "https://x.example/b", None, None), Result("a", "a.fits", None, None, 10)]
    assert store.transition(done, Phase.COMPLETED, attempt=1, results=results).results == tuple(results)
    with pytest.raises(PhaseConflictError):
        store.transition(done, Phase.ERROR, attempt=1, error=error)


def test_stale_attempt_is_refused(store: JobStore) -> None:
    job_id = _new(store)
    store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
    store.transition(job_id, Phase.EXECUTING, runner="dead")
    store.transition(job_id, Phase.QUEUED, by=Actor.RECOVERY, attempt=1)
    assert store.transition(job_id, Phase.EXECUTING, runner="b").attempt == 2
    with pytest.raises(PhaseConflictError, match="attempt 1"):
        store.transition(job_id, Phase.COMPLETED, attempt=1)
    assert store.executing()[0] == (job_id, "b", 2)


def test_delete_and_expired(store: JobStore) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    old = _new(store, destruction=past, parameters=(Parameter("a", "1"),))
    young = _new(store, destruction=past + dt.timedelta(days=1))
    assert store.expired(dt.datetime.now(dt.UTC)) == [old]
    assert store.delete(old) and not store.delete(old)
    assert store.find(old) is None and store.find(young) is not None
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(store.tables.parameters)) == 0


def test_notifications_after_each_change(store: JobStore) -> None:
    heard: list[str] = []
    notifying = JobStore(store.engine, on_change=heard.append)
    job_id = _new(notifying)
    notifying.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
    notifying.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)  # no change, no notification
    notifying.delete(job_id)
    assert heard == [job_id, job_id]


def _race(store: JobStore, job_id: str, moves: dict[str, tuple[Phase, Actor]]) -> dict[str, bool]:
    """Runs the transitions of ``moves`` at the same instant in threads; which of them succeeded."""
    barrier = threading.Barrier(len(moves))
    outcomes: dict[str, bool] = {}

    def move(name: str) -> None:
        target, actor = moves[name]
        barrier.wait()
        try:
            store.transition(job_id, target, by=actor, runner=name if target is Phase.EXECUTING else None)
            outcomes[name] = True
        except PhaseConflictError:
            outcomes[name] = False

    threads = [threading.Thread(target=move, args=(name,)) for name in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_threads_claiming_one_job_exactly_one_wins(store: JobStore) -> None:
    claim = (Phase.EXECUTING, Actor.SERVER)
    for _ in range(15):
        job_id = _new(store)
        store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
        outcomes = _race(store, job_id, {"a": claim, "b": claim})
        assert sorted(outcomes.values()) == [False, True]
        job = store.get(job_id)
        assert job.attempt == 1 and outcomes[job.runner or ""]


def test_abort_racing_completion_leaves_one_outcome(store: JobStore) -> None:
    moves = {"abort": (Phase.ABORTED, Actor.CLIENT), "complete": (Phase.COMPLETED, Actor.SERVER)}
    for _ in range(10):
        job_id = _new(store)
        store.transition(job_id, Phase.QUEUED, by=Actor.CLIENT)
        store.transition(job_id, Phase.EXECUTING, runner="a")
        outcomes = _race(store, job_id, moves)
        assert sorted(outcomes.values()) == [False, True]
        winner = next(name for name, won in outcomes.items() if won)
        assert store.get(job_id).phase is moves[winner][0]
