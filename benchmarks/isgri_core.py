"""The ISGRI core per science window: simulating a ScW, reading it into a shadowgram, decoding it; and a
variance-weighted mosaic of N decoded ScWs.

The reference in the same run is one complex 2-D FFT of the decoding's padded lattice size done with numpy:
decoding is a handful of such correlations plus the bookkeeping around them, so the ratio says how close to
its FFT floor the decoding runs.

Usage: ``python -m benchmarks.isgri_core [--scws 20]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from instruments.archive.base import ChunkInfo
from instruments.archive.simulated.backend import SimulatedBackend
from instruments.integral.isgri import decode as decoding
from instruments.integral.isgri.mask import DETECTOR_PIXELS
from instruments.integral.isgri.mosaic import Mosaic, mosaic_wcs
from instruments.integral.isgri.pif import LATTICE_CELLS
from instruments.integral.isgri.scw import read_scw, shadowgram

__all__ = ["main"]

CRAB = (83.6331, 22.0145)
BAND = (20.0, 40.0)
MJD = 54540.0


def _pointings(count: int) -> list[ChunkInfo]:
    """A 5x5-like dither around the Crab, 2 ks each."""
    offsets = [(dx, dy) for dx in (-2.17, 0.0, 2.17, -4.34, 4.34) for dy in (-2.17, 0.0, 2.17, -4.34, 4.34)]
    return [
        ChunkInfo(
            "isgri",
            f"0665{i:04d}0010.001",
            CRAB[0] + offsets[i % 25][0],
            CRAB[1] + offsets[i % 25][1],
            30.0,
            MJD + 0.03 * i,
            MJD + 0.03 * i + 2000 / 86400,
            2000.0,
        )
        for i in range(count)
    ]


def _median(times: list[float]) -> str:
    return f"median {1000 * statistics.median(times):.0f} ms (min {1000 * min(times):.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.isgri_core")
    parser.add_argument("--scws", type=int, default=20)
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.isgri_core " + " ".join(argv or []))
    infos = _pointings(args.scws)
    with tempfile.TemporaryDirectory() as tmp:
        backend = SimulatedBackend(Path(tmp), infos)
        model = backend.instrument_model(MJD)
        simulate, read, decode = [], [], []
        images = []
        for info in infos:
            started = time.perf_counter()
            path = backend.open_chunk(info.chunk_id)
            simulate.append(time.perf_counter() - started)
            started = time.perf_counter()
            shadow = shadowgram(read_scw(path), model, BAND)
            read.append(time.perf_counter() - started)
            started = time.perf_counter()
            images.append(decoding.decode(shadow))
            decode.append(time.perf_counter() - started)
        started = time.perf_counter()
        mosaic = Mosaic(mosaic_wcs(*CRAB, size=500))
        for image in images:
            mosaic.add(image)
        mosaic.result()
        combined = time.perf_counter() - started
    size = 1 << int(np.ceil(np.log2(LATTICE_CELLS + DETECTOR_PIXELS - 1)))  # the padded size decoding uses
    lattice = np.random.default_rng(1).random((size, size))
    fft = []
    for _ in range(10):
        started = time.perf_counter()
        np.fft.rfft2(lattice)
        fft.append(time.perf_counter() - started)
    print(f"ISGRI per science window ({args.scws} ScWs of 2 ks, {BAND[0]:.0f}-{BAND[1]:.0f} keV):")
    print(f"  simulate (first request, written to the archive) {_median(simulate)}")
    print(f"  read + shadowgram {_median(read)}")
    print(f"  decode {_median(decode)}")
    print(
        f"  reference: one numpy rfft2 of {size}x{size} {_median(fft)}; ratio decode/FFT "
        f"{statistics.median(decode) / statistics.median(fft):.1f}"
    )
    print(f"variance-weighted mosaic of {args.scws} decoded ScWs: {1000 * combined:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
