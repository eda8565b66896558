"""An ISGRI mosaic with its science windows fanned out on a local Dask cluster of one, then two, worker
processes of one thread each: wall time of the per-ScW read, decode, search and clean (``image_scw``, tasks
submitted from a task of the cluster as the service's jobs do, ``vo_service.analysis.fanout``) together with
the mosaic that adds their results in pointing order; and the ratio one worker / two workers.

The reference is the same work on one worker in the same run.  The ScWs (a dither around the Crab, as in
``benchmarks.isgri_core``) are simulated into the archive before any timing, and each cluster first images a
few of them untimed (imports, decoding's FFT plans), so neither archive generation nor start-up is measured.
Workers run with Dask's defaults, which start them with ``MALLOC_TRIM_THRESHOLD_=65536``: that also stops
glibc from keeping freed large arrays for reuse, and makes the per-ScW work about twice as slow as in a plain
process (``benchmarks.isgri_core``), so absolute figures here are above that module's.

Usage: ``python -m benchmarks.isgri_mosaic [--scws 100]``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.isgri_core import BAND, CRAB, MJD, _pointings
from instruments.archive.backends import isgri_archive
from instruments.integral.isgri.analyses.common import ScwRef
from instruments.integral.isgri.analyses.image import ScwTask, choose_band, image_scw
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from vo_service.analysis.fanout import map_on_cluster

__all__ = ["main"]

#: The mosaic's side (pixels): the dither's fields and their 14.5 deg half-width.
MOSAIC_PIXELS = 500
DETECTION_THRESHOLD = 7.0


def _read(ref: ScwRef) -> None:
    """Simulates a ScW into the archive (a task)."""
    ref.read()


def _mosaic(tasks: list[ScwTask], name: str) -> int:
    """The task timed: every ScW imaged as a task of the cluster, the results added to a mosaic in order;
    how many were added."""
    mosaic = Mosaic(mosaic_wcs(*CRAB, size=MOSAIC_PIXELS))
    added = 0
    for scw in map_on_cluster(image_scw, tasks, aborted=lambda: False, name=name):
        mosaic.add(scw.image)
        added += 1
    mosaic.result()
    return added


def _timed(client: Any, tasks: list[ScwTask], workers: int) -> tuple[float, Counter[str]]:
    """Wall time of the fan-out and mosaic on the cluster of ``client``, and the ScWs each worker imaged."""
    warm = f"image_scw-warm{workers}"
    assert client.submit(_mosaic, tasks[: 2 * workers], warm, pure=False).result() == 2 * workers
    client.get_task_stream()  # the scheduler records the task stream from now on
    name = f"image_scw-timed{workers}"
    started = time.perf_counter()
    assert client.submit(_mosaic, tasks, name, pure=False).result() == len(tasks)
    wall = time.perf_counter() - started
    stream = client.get_task_stream(start=time.time() - wall - 1.0)
    return wall, Counter(str(t["worker"]) for t in stream if str(t["key"]).startswith(f"{name}-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.isgri_mosaic")
    parser.add_argument("--scws", type=int, default=100)
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.isgri_mosaic " + " ".join(argv or []), flush=True)
    from distributed import Client, LocalCluster

    infos = _pointings(args.scws)
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp)
        band = choose_band(isgri_archive(archive, infos).instrument_model(MJD), *BAND)
        tasks = [ScwTask(ScwRef(archive, info), band, DETECTION_THRESHOLD) for info in infos]
        for workers in (2, 1):
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster) as client,
            ):
                if workers == 2:  # the archive, simulated once, untimed
                    started = time.perf_counter()
                    client.gather(client.map(_read, [t.scw for t in tasks], pure=False))
                    print(
                        f"{args.scws} ScWs simulated into the archive in {time.perf_counter() - started:.1f} s"
                    )
                walls[workers], per_worker = _timed(client, tasks, workers)
            print(
                f"  {workers} worker(s) x 1 thread: fan-out + mosaic of {args.scws} ScWs {walls[workers]:.1f} s "
                f"({1000 * walls[workers] / args.scws:.0f} ms per ScW); ScWs per worker "
                f"{sorted(per_worker.values(), reverse=True)}",
                flush=True,
            )
    print(f"ratio 1 worker / 2 workers: {walls[1] / walls[2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
