"""Speed and memory of the streaming VOTable writers against astropy's writer, on a catalogue-like table.

One table of ``--rows`` rows (long id, double ra/dec, float flux/flux_err with NULLs, varchar name, short class
code with NULLs) is written in the same run by:

* ours: ``tap.formats`` BINARY2 and TABLEDATA, fed row chunks of ``--chunk`` tuples as a DB-API cursor's
  ``fetchmany()`` returns them (building the tuples is not timed, as the database does it);
* astropy: ``votable.from_table(Table)`` once (not timed), then ``to_xml(tabledata_format='binary2')`` and
  ``'tabledata'`` (timed).

It prints rows/s, MB/s of output and the speed ratio ours/astropy (target: BINARY2 >= 10x).  Then, in a fresh
interpreter, ``--memory-rows`` rows are streamed through BINARY2 from a generator that makes each chunk on
demand, and the peak resident set size (``VmHWM``) is reported with the size after imports (target: < 300 MB).

Usage: ``python -m benchmarks.votable_writer [--rows 1000000] [--memory-rows 10000000] [--chunk 20000]``.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial

import numpy as np

from tap.formats import ResultStatus, resolve_format
from tap.schema import Column

__all__ = ["main"]

COLUMNS = (
    Column("id", "long", ucd="meta.id;meta.main"),
    Column("ra", "double", unit="deg", ucd="pos.eq.ra;meta.main"),
    Column("dec", "double", unit="deg", ucd="pos.eq.dec;meta.main"),
    Column("flux", "float", unit="mJy", ucd="phot.flux"),
    Column("flux_err", "float", unit="mJy", ucd="stat.error;phot.flux"),
    Column("name", "char", "*", ucd="meta.id"),
    Column("class", "short", ucd="src.class"),
)


def _arrays(rows: int, seed: int) -> dict[str, np.ndarray]:
    """The catalogue as numpy columns; masks for the NULLs (5% of fluxes, 3% of classes)."""
    rng = np.random.default_rng(seed)
    start = seed * rows
    return {
        "id": np.arange(start, start + rows, dtype=np.int64),
        "ra": rng.uniform(0, 360, rows),
        "dec": np.degrees(np.arcsin(rng.uniform(-1, 1, rows))),
        "flux": rng.lognormal(0, 2, rows).astype(np.float32),
        "flux_err": rng.uniform(0.01, 1, rows).astype(np.float32),
        "name": np.char.add("SRC J", np.arange(start, start + rows).astype(str)),
        "class": rng.integers(0, 12, rows).astype(np.int16),
        "flux_null": rng.random(rows) < 0.05,
        "class_null": rng.random(rows) < 0.03,
    }


def _with_nulls(values: np.ndarray, nulls: np.ndarray) -> list[object]:
    cells: list[object] = values.tolist()
    for i in np.flatnonzero(nulls).tolist():
        cells[i] = None
    return cells


def _chunks(data: dict[str, np.ndarray], size: int) -> Iterator[list[tuple[object, ...]]]:
    """Row tuples as ``fetchmany(size)`` would return them."""
    total = len(data["id"])
    for start in range(0, total, size):
        part = slice(start, start + size)
        columns = [data[c.name][part].tolist() for c in COLUMNS]
        columns[3] = _with_nulls(data["flux"][part], data["flux_null"][part])
        columns[6] = _with_nulls(data["class"][part], data["class_null"][part])
        yield list(zip(*columns, strict=True))


def _timed(write: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    size = write()
    return time.perf_counter() - started, size


def _ours(fmt: str, chunks: Iterable[list[tuple[object, ...]]]) -> int:
    return sum(len(b) for b in resolve_format(fmt).stream(COLUMNS, chunks, status=ResultStatus()))


def _astropy_table(data: dict[str, np.ndarray]) -> object:
    from astropy.io import votable
    from astropy.table import MaskedColumn, Table

    table = Table()
    for column in COLUMNS:
        mask = data.get(f"{column.name}_null")
        table[column.name] = MaskedColumn(data[column.name], mask=mask if mask is not None else False)
    return votable.from_table(table)


def _astropy(votable_file: object, tabledata_format: str) -> int:
    out = io.BytesIO()
    votable_file.to_xml(out, tabledata_format=tabledata_format)  # type: ignore[attr-defined]
    return out.tell()


def _report(label: str, rows: int, seconds: float, size: int) -> float:
    rate = rows / seconds
    print(f"  {label:<22} {seconds:7.2f} s {rate:12,.0f} rows/s {size / seconds / 1e6:8.1f} MB/s")
    return rate


def _speed(rows: int, chunk: int) -> None:
    data = _arrays(rows, seed=1)
    chunks = list(_chunks(data, chunk))
    print(f"speed, {rows:,} rows in chunks of {chunk:,}:")
    rates = {}
    for fmt, label in [("votable/b2", "BINARY2"), ("votable", "TABLEDATA")]:
        seconds, size = _timed(partial(_ours, fmt, chunks))
        rates[("ours", label)] = _report(f"ours {label}", rows, seconds, size)
    del chunks
    votable_file = _astropy_table(data)
    for fmt, label in [("binary2", "BINARY2"), ("tabledata", "TABLEDATA")]:
        seconds, size = _timed(partial(_astropy, votable_file, fmt))
        rates[("astropy", label)] = _report(f"astropy {label}", rows, seconds, size)
    for label in ("BINARY2", "TABLEDATA"):
        ratio = rates[("ours", label)] / rates[("astropy", label)]
        target = " (target >= 10)" if label == "BINARY2" else ""
        print(f"  ratio ours/astropy {label}: {ratio:.1f}x{target}")


def _peak_rss_mb() -> float:
    """High-water mark of this process's resident set.

    ``VmHWM`` where /proc exists: ``ru_maxrss`` survives fork+exec on Linux, so a child started by a big
    parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory_child(rows: int, chunk: int) -> None:
    """Runs in a fresh interpreter: streams ``rows`` rows made chunk by chunk, prints RSS figures in MB."""
    after_imports = _peak_rss_mb()

    def produce() -> Iterator[list[tuple[object, ...]]]:
        for start in range(0, rows, chunk):
            yield from _chunks(_arrays(min(chunk, rows - start), seed=start // chunk + 2), chunk)

    started = time.perf_counter()
    size = _ours("votable/b2", produce())
    seconds = time.perf_counter() - started
    print(f"{after_imports:.0f} {_peak_rss_mb():.0f} {size} {seconds:.2f}")


def _memory(rows: int, chunk: int) -> None:
    code = f"from benchmarks.votable_writer import _memory_child; _memory_child({rows}, {chunk})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after_imports, peak, size, seconds = done.stdout.split()
    print(f"memory, {rows:,} rows streamed through BINARY2 from a generator ({int(size) / 1e6:,.0f} MB out):")
    print(f"  peak RSS {peak} MB (after imports {after_imports} MB), target < 300 MB")
    print(f"  {float(seconds):.1f} s including making the rows, {rows / float(seconds):,.0f} rows/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.votable_writer")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-rows", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=20_000)
    args = parser.parse_args(argv if argv is not None else [])
    print(
        "command (from the repository root): .venv/bin/python -m benchmarks.votable_writer"
        f" --rows {args.rows} --memory-rows {args.memory_rows} --chunk {args.chunk}"
    )
    _memory(args.memory_rows, args.chunk)  # first: the child should not start from a large parent
    _speed(args.rows, args.chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
