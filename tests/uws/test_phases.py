"""The transitions table, and the store enforcing it for every (source, target, actor)."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from uws.errors import PhaseConflictError
from uws.phases import ACTIVE, FINAL, IDEMPOTENT, TRANSITIONS, Actor, Phase, allowed, sources
from uws.store import JobStore

#: What UWS 1.1 (figure 1 and section 2.1.3) and the recovery policy allow, written out independently.
EXPECTED = """
client: PENDING>QUEUED HELD>QUEUED
        PENDING>ABORTED QUEUED>ABORTED EXECUTING>ABORTED HELD>ABORTED SUSPENDED>ABORTED
server: QUEUED>EXECUTING HELD>EXECUTING SUSPENDED>EXECUTING
        EXECUTING>COMPLETED EXECUTING>HELD EXECUTING>SUSPENDED
        PENDING>ABORTED QUEUED>ABORTED EXECUTING>ABORTED HELD>ABORTED SUSPENDED>ABORTED
        PENDING>ERROR QUEUED>ERROR EXECUTING>ERROR HELD>ERROR SUSPENDED>ERROR
        COMPLETED>ARCHIVED ERROR>ARCHIVED ABORTED>ARCHIVED
recovery: EXECUTING>QUEUED EXECUTING>ERROR
"""


def _expected() -> set[tuple[Phase, Phase, Actor]]:
    found: set[tuple[Phase, Phase, Actor]] = set()
    actor = Actor.CLIENT
    for word in EXPECTED.split():
        if word.endswith(":"):
            actor = Actor(word[:-1])
            continue
        source, target = word.split(">")
        found.add((Phase(source), Phase(target), actor))
    return found


ALL = list(itertools.product(Phase, Phase, Actor))


def test_table_is_exactly_the_expected_one() -> None:
    expected = _expected()
    for source, target, actor in ALL:
        assert allowed(source, target, actor) == ((source, target, actor) in expected), (
            source,
            target,
            actor,
        )
    assert {(t.source, t.target) for t in TRANSITIONS} == {(s, t) for s, t, _ in expected}


def test_race_rules() -> None:
    # EXECUTING never goes back to QUEUED except through recovery; ABORTED and final phases are sticky
    assert Phase.EXECUTING not in sources(Phase.QUEUED, Actor.SERVER)
    assert Phase.EXECUTING not in sources(Phase.QUEUED, Actor.CLIENT)
    for final in FINAL:
        for actor in Actor:
            targets = {t for t in Phase if allowed(final, t, actor)}
            assert targets <= {Phase.ARCHIVED}, (final, targets)
    assert Phase.EXECUTING not in IDEMPOTENT and Phase.COMPLETED not in IDEMPOTENT
    assert {Phase.PENDING, Phase.QUEUED, Phase.EXECUTING} == ACTIVE


def _force(store: JobStore, job_id: str, phase: Phase) -> None:
    jobs = store.tables.jobs
    with store.engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.job_id == job_id).values(phase=phase.value))


def test_store_applies_every_transition(sqlite_store: JobStore) -> None:
    job = sqlite_store.create(
        kind="toy", owner=None, run_id=None, parameters=(), execution_duration=0, destruction=None
    )
    expected = _expected()
    for source, target, actor in ALL:
        _force(sqlite_store, job.job_id, source)
        if (source, target, actor) in expected or (source is target and target in IDEMPOTENT):
            assert sqlite_store.transition(job.job_id, target, by=actor).phase is target
        else:
            with pytest.raises(PhaseConflictError) as caught:
                sqlite_store.transition(job.job_id, target, by=actor)
            assert caught.value.phase is source and caught.value.target is target
            assert sqlite_store.get(job.job_id).phase is source


def test_store_on_both_engines_follows_the_table(store: JobStore) -> None:
    job = store.create(
        kind="toy", owner=None, run_id=None, parameters=(), execution_duration=0, destruction=None
    )
    assert store.transition(job.job_id, Phase.QUEUED, by=Actor.CLIENT).phase is Phase.QUEUED
    assert store.transition(job.job_id, Phase.QUEUED, by=Actor.CLIENT).phase is Phase.QUEUED  # idempotent
    claimed = store.transition(job.job_id, Phase.EXECUTING, runner="me")
    assert (claimed.attempt, claimed.runner) == (1, "me") and claimed.start_time is not None
    with pytest.raises(PhaseConflictError):
        store.transition(job.job_id, Phase.EXECUTING, runner="other")  # claims are not idempotent
    with pytest.raises(PhaseConflictError):
        store.transition(job.job_id, Phase.QUEUED, by=Actor.SERVER)
    done = store.transition(job.job_id, Phase.COMPLETED, attempt=1)
    assert done.end_time is not None and done.end_time >= claimed.start_time  # type: ignore[operator]
    with pytest.raises(PhaseConflictError):
        store.transition(job.job_id, Phase.ABORTED, by=Actor.CLIENT)
