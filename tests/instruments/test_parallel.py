"""``parallel_map``: a context's own ``map`` when it has one, else a lazy loop in order; ``per_scw`` over it
reports progress per science window and stops between two once the run is aborted."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from instruments.archive.base import ChunkInfo
from instruments.base import ParallelRunContext, RunContext
from instruments.errors import InstrumentFatalError
from instruments.integral.isgri.analyses.common import per_scw
from instruments.local import LocalRunContext
from instruments.parallel import parallel_map

CALLS: list[int] = []


def _square(x: int) -> int:
    CALLS.append(x)
    return x * x


class _Spreading(LocalRunContext):
    """A context with a ``map`` of its own, recording what it was asked."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.asked: list[tuple[Callable[[Any], Any], list[Any]]] = []

    def map(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        self.asked.append((function, list(items)))
        return iter([function(item) for item in reversed(items)][::-1])


def test_a_context_without_map_computes_each_item_when_its_result_is_taken(tmp_path: Path) -> None:
    ctx = LocalRunContext(tmp_path)
    assert isinstance(ctx, RunContext) and not isinstance(ctx, ParallelRunContext)
    CALLS.clear()
    results = parallel_map(ctx, _square, [1, 2, 3])
    assert CALLS == []
    assert next(results) == 1 and CALLS == [1]
    assert list(results) == [4, 9] and CALLS == [1, 2, 3]


def test_a_context_with_map_is_asked(tmp_path: Path) -> None:
    ctx = _Spreading(tmp_path)
    assert isinstance(ctx, ParallelRunContext)
    assert list(parallel_map(ctx, _square, [3, 1, 2])) == [9, 1, 4]
    assert ctx.asked == [(_square, [3, 1, 2])]


def _chunk(n: int) -> ChunkInfo:
    return ChunkInfo("isgri", f"0665{n:04d}0010.001", 83.6, 22.0, 0.0, 54540.0 + n, 54540.1 + n, 1800.0)


def test_per_scw_reports_progress_per_science_window_in_order(tmp_path: Path) -> None:
    ctx = _Spreading(tmp_path)
    pointings = [_chunk(n) for n in range(4)]
    assert list(per_scw(ctx, _square, [1, 2, 3, 4], pointings, doing="imaging", progress=(0.0, 0.8))) == [
        1,
        4,
        9,
        16,
    ]
    assert [f for f, _ in ctx.reports] == [0.0, 0.2, 0.4, pytest.approx(0.6)]
    assert ctx.reports[1][1] == "imaging ScW 066500010010.001 (2/4)"
    with pytest.raises(ValueError, match="3 tasks for 4 science windows"):
        list(per_scw(ctx, _square, [1, 2, 3], pointings, doing="imaging"))


def test_per_scw_stops_between_science_windows_once_aborted(tmp_path: Path) -> None:
    ctx = LocalRunContext(tmp_path)
    pointings = [_chunk(n) for n in range(3)]
    CALLS.clear()
    results = per_scw(ctx, _square, [1, 2, 3], pointings, doing="imaging")
    assert next(results) == 1
    ctx.deadline = 0.0
    with pytest.raises(InstrumentFatalError, match=r"stopped after 1 of 3 science windows \(imaging\)"):
        next(results)
    assert CALLS == [1]
