"""ADQL translation time per query: median and 95th percentile, per SQL dialect.

The corpus is the valid queries of the IVOA validation sets (read from the shared folder when present, with
the test catalogue they were written for) plus realistic queries of this service (cones, crossmatches,
ObsCore footprints, aggregates).  Each query is translated ``--rounds`` times; the figure per query is its
fastest round (what the translator costs, not the machine's noise), and the median and p95 are taken over
the queries.  The reference, timed in the same run, is sqlglot parsing and regenerating the produced SQL:
the part of a translation no ADQL-specific code can avoid.  Target: median below 2 ms.

Usage: ``python -m benchmarks.adql_translate [--rounds 20] [--dialects sqlite postgresql]``.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlglot

from tap.adql import AdqlError, translate
from tap.adql.features import UDFS, UserFunction, parse_signature
from tap.schema import Catalog, Column, Dialect, StaticCatalog, Table

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MMVO_SHARED_DIR", ROOT.parent / "shared"))
TARGET_MS = 2.0

_SOURCES = Table(
    "mmvo",
    "sources",
    tuple(
        Column(name, datatype, unit=unit)
        for name, datatype, unit in (
            ("source_id", "long", None), ("ra", "double", "deg"), ("dec", "double", "deg"),
            ("flux", "double", "erg/s/cm**2"), ("flux_err", "double", "erg/s/cm**2"), ("mag", "float", "mag"),
            ("name", "char", None), ("instrument", "char", None), ("t_obs", "double", "d"),
        )
    ),
    position=("ra", "dec"),
)  # fmt: skip
_OBSCORE = Table(
    "ivoa",
    "obscore",
    (
        Column("obs_id", "char", "*"),
        Column("dataproduct_type", "char", "*"),
        Column("obs_collection", "char", "*"),
        Column("s_ra", "double", unit="deg"),
        Column("s_dec", "double", unit="deg"),
        Column("s_region", "double", "*", "polygon", unit="deg"),
        Column("t_min", "double", unit="d"),
        Column("t_max", "double", unit="d"),
        Column("em_min", "double", unit="m"),
        Column("em_max", "double", unit="m"),
        Column("access_url", "char", "*"),
    ),
)
OWN_CATALOG = StaticCatalog([_SOURCES, _OBSCORE])
OWN_QUERIES = (
    "SELECT * FROM mmvo.sources WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.63, 22.01, 0.5))",
    "SELECT TOP 100 source_id, ra, dec, DISTANCE(ra, dec, 266.4, -28.9) AS d FROM mmvo.sources "
    "WHERE DISTANCE(ra, dec, 266.4, -28.9) < 1.5 ORDER BY d",
    "SELECT a.source_id, b.source_id FROM mmvo.sources AS a JOIN mmvo.sources AS b "
    "ON DISTANCE(a.ra, a.dec, b.ra, b.dec) < 2./3600 WHERE a.source_id < b.source_id",
    "SELECT instrument, COUNT(*) AS n, AVG(flux), MAX(flux / flux_err) FROM mmvo.sources GROUP BY instrument "
    "HAVING COUNT(*) > 10 ORDER BY n DESC",
    "SELECT obs_id, access_url, s_region FROM ivoa.obscore WHERE dataproduct_type = 'image' "
    "AND INTERSECTS(s_region, CIRCLE(83.63, 22.01, 2)) = 1 AND t_min > 58000",
    "SELECT obs_collection, COUNT(*) FROM ivoa.obscore WHERE 1 = CONTAINS(POINT(83.63, 22.01), s_region) "
    "AND em_min < 1e-10 GROUP BY obs_collection",
    "WITH bright AS (SELECT source_id, ra, dec FROM mmvo.sources WHERE mag < 12) SELECT COUNT(*) FROM bright "
    "WHERE 1 = CONTAINS(POINT(ra, dec), BOX(180, 0, 20, 10))",
    "SELECT source_id, ROUND(flux, 3), CASE WHEN flux_err > 0 THEN flux / flux_err ELSE NULL END AS snr "
    "FROM mmvo.sources WHERE name ILIKE 'crab%' OR source_id IN (SELECT source_id FROM mmvo.sources "
    "WHERE t_obs BETWEEN 58000 AND 59000) OFFSET 10",
    "SELECT TOP 10 * FROM mmvo.sources WHERE 1 = CONTAINS(POINT(ra, dec), "
    "POLYGON(10, 10, 20, 10, 20, 20, 15, 25, 10, 20)) ORDER BY mag",
    "SELECT s.source_id, o.obs_id FROM mmvo.sources AS s JOIN ivoa.obscore AS o "
    "ON 1 = CONTAINS(POINT(s.ra, s.dec), o.s_region) WHERE o.dataproduct_type = 'cube'",
)


def _lyonetia() -> list[tuple[str, Catalog, tuple[UserFunction, ...]]]:
    """The valid IVOA validation queries that translate, with their catalogue and functions."""
    root = SHARED / "data" / "lyonetia" / "adql"
    try:
        sys.path.insert(0, str(ROOT))
        from tests.tap.adql.lyonetia_schema import EXTRA_UDFS, lyonetia_catalog
    except ImportError:
        return []
    catalog: Catalog = lyonetia_catalog()
    found: list[tuple[str, Catalog, tuple[UserFunction, ...]]] = []
    for path in sorted(root.rglob("*.xml")) if root.is_dir() else []:
        document = ET.parse(path).getroot()
        declared = tuple(parse_signature(f.findtext("form", "")) for f in document.iter("function"))
        udfs = (*UDFS, *EXTRA_UDFS, *declared)
        for element in document.iter("adql"):
            if element.get("valid") == "true" and element.text:
                try:
                    translate(element.text, catalog=catalog, dialect="sqlite", udfs=udfs)
                except AdqlError:
                    continue
                found.append((element.text, catalog, udfs))
    return found


def _fastest(run: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000.0


def _round_trip(sql: str, read: str) -> str:
    return sqlglot.parse_one(sql, read=read).sql(read)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(
    corpus: Iterable[tuple[str, Catalog, tuple[UserFunction, ...]]], dialect: Dialect, rounds: int
) -> tuple[list[float], list[float]]:
    """Per query: the fastest translation, and the fastest sqlglot round trip of its SQL (milliseconds)."""
    read = "postgres" if dialect == "postgresql" else "sqlite"
    translations, references = [], []
    for adql, catalog, udfs in corpus:
        run = functools.partial(translate, adql, catalog=catalog, dialect=dialect, limit=10001, udfs=udfs)
        translations.append(_fastest(run, rounds))
        sql = run().sql
        references.append(_fastest(functools.partial(_round_trip, sql, read), rounds))
    return translations, references


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.adql_translate", description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="translations per query (the fastest counts)")
    parser.add_argument(
        "--dialects", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args(argv)
    corpus = _lyonetia()
    print(f"corpus: {len(corpus)} IVOA validation queries + {len(OWN_QUERIES)} service queries")
    corpus += [(q, OWN_CATALOG, UDFS) for q in OWN_QUERIES]
    status = 0
    for dialect in args.dialects:
        times, references = measure(corpus, dialect, args.rounds)
        median, reference = statistics.median(times), statistics.median(references)
        print(
            f"{dialect:<11} translate: median {median:.3f} ms, p95 {_p95(times):.3f} ms, max {max(times):.3f} ms; "
            f"reference (sqlglot parse + generate of the SQL): median {reference:.3f} ms; ratio {median / reference:.2f}"
        )
        if median >= TARGET_MS:
            print(f"{dialect:<11} median above the {TARGET_MS} ms target")
            status = 1
    print(f"reproduce: .venv/bin/python -m benchmarks.adql_translate --rounds {args.rounds}")
    return status


if __name__ == "__main__":
    sys.exit(main())
