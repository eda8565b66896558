"""The ``mmvo`` command: serve the service, load the demo data, ingest tables.

Configuration comes from ``MMVO_*`` environment variables (see ``vo_service.config.Config``); options here are
only what differs per invocation.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vo_service.client import JobStatus

__all__ = ["main"]

_log = logging.getLogger("mmvo")


def _load_demo(sources: int | None) -> None:
    from vo_service.config import Config
    from vo_service.db import make_engine
    from vo_service.demo.load import load_demo
    from vo_service.scw_selection import write_archive_index

    config = Config()
    engine = make_engine(config)
    try:
        load_demo(engine, config=config, sources=sources or config.demo_sources)
        write_archive_index(engine, config.data_dir / "archive")
    finally:
        engine.dispose()


def _public_url(host: str, port: int) -> str:
    """The root URL clients reach when none is configured: the address served (loopback for a wildcard)."""
    if host in {"0.0.0.0", "::", ""}:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vo_service.config import Config

    if "base_url" not in Config().model_fields_set:
        # links, redirects and capabilities must name the port actually served (`make serve PORT=...`);
        # the server processes read it from the environment
        os.environ["MMVO_BASE_URL"] = _public_url(args.host, args.port)
    if not args.no_demo:
        _log.info("checking the demo data (created on the first run; takes a minute)")
        _load_demo(None)
    uvicorn.run(
        "vo_service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=False,
    )
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from vo_service.config import Config
    from vo_service.db import make_engine
    from vo_service.errors import VOError
    from vo_service.ingest import ingest_file

    engine = make_engine(Config())
    try:
        table = ingest_file(
            engine, Path(args.file), args.table, description=args.description, replace=args.replace
        )
    except (VOError, ValueError, OSError) as exc:
        print(f"mmvo ingest: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"published {table.qualified_name}: {table.nrows} rows, {len(table.columns)} columns")
    return 0


def _analysis_parameters(extra: list[str]) -> dict[str, str]:
    """``--NAME VALUE`` and ``--NAME=VALUE`` pairs, names kept as written (analysis parameters are named as
    MMODA names them: ``RA``, ``E1_keV``...).

    Raises:
        ValueError: something that is not such a pair.
    """
    parameters: dict[str, str] = {}
    items = iter(extra)
    for item in items:
        if not item.startswith("--") or len(item) < 3:
            raise ValueError(f"expected --NAME VALUE, got {item!r}")
        name, equals, value = item[2:].partition("=")
        if not equals:
            following = next(items, None)
            if following is None:
                raise ValueError(f"parameter --{name} has no value")
            value = following
        parameters[name] = value
    return parameters


def _show_progress(status: JobStatus) -> None:
    fraction = 1.0 if status.phase == "COMPLETED" else status.fraction or 0.0
    bar = "#" * int(30 * fraction)
    print(
        f"\r{status.phase:9s} [{bar:30s}] {100 * fraction:3.0f}% {status.message or ''}"[:120],
        end="",
        file=sys.stderr,
        flush=True,
    )


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    from vo_service.client import JobFailed, MMVOClient, ServiceRefused

    try:
        parameters = _analysis_parameters(extra)
    except ValueError as exc:
        print(f"mmvo run: {exc}", file=sys.stderr)
        return 2
    with MMVOClient(args.url) as client:
        try:
            job = client.submit(args.instrument, args.product, parameters)
        except ServiceRefused as exc:
            print(f"mmvo run: refused: {exc}", file=sys.stderr)
            return 1
        print(job.url)
        if not args.wait:
            return 0
        try:
            status = job.wait(on_progress=_show_progress)
        except JobFailed as exc:
            print(f"\nmmvo run: {exc}", file=sys.stderr)
            return 1
        print(file=sys.stderr)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for result_id in status.results:
            response = job.fetch(result_id)
            path = out / _file_name(result_id, response.headers.get("content-type", ""))
            path.write_bytes(response.content)
            print(f"{result_id}\t{path}")
    return 0


_SUFFIXES = {
    "application/fits": ".fits",
    "image/fits": ".fits",
    "application/x-votable+xml": ".vot",
    "image/png": ".png",
    "application/json": ".json",
    "text/plain": ".txt",
}


def _file_name(result_id: str, content_type: str) -> str:
    return result_id + _SUFFIXES.get(content_type.split(";")[0].strip().lower(), "")


def _warm_chunks(data_dir: Path, chunks: list[Any]) -> int:
    """Simulates (or finds cached) the files of ``chunks``; in a worker process of ``mmvo archive warm``."""
    from instruments.archive.simulated.backend import SimulatedBackend

    backend = SimulatedBackend(data_dir, chunks)
    for chunk in chunks:
        backend.open_chunk(chunk.chunk_id)
    return len(chunks)


def _archive_warm(args: argparse.Namespace) -> int:
    """Pre-generates the simulated ISGRI archive of some revolutions, so that first analyses do not wait."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    from vo_service.config import Config
    from vo_service.db import make_engine
    from vo_service.errors import VOError
    from vo_service.scw_selection import pointings_of_revolutions

    config = Config()
    engine = make_engine(config)
    try:
        chunks = pointings_of_revolutions(engine, "isgri", args.revolutions)
    except VOError as exc:
        print(f"mmvo archive warm: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not chunks:
        print(
            "mmvo archive warm: no ISGRI pointing in those revolutions (is the demo data loaded?)",
            file=sys.stderr,
        )
        return 1
    started = time.monotonic()
    workers = max(1, args.workers)
    parts = [chunks[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = sum(pool.map(_warm_chunks, [config.data_dir] * workers, parts))
    print(f"{done} ISGRI science windows ready in {time.monotonic() - started:.1f} s")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmvo", description="MMVO: the Multi-Messenger Virtual Observatory service"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the service over HTTP (loads the demo data first)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    serve.add_argument("--no-demo", action="store_true", help="do not create the demo data")

    demo = commands.add_parser("load-demo", help="create (or complete) the demo tables")
    demo.add_argument("--sources", type=int, default=None, help="rows of mmvo.sources (default: config)")

    run = commands.add_parser(
        "run",
        help="run an analysis on a service, e.g. mmvo run isgri image --RA 83.63 --DEC 22.01 --wait",
    )
    run.add_argument("instrument")
    run.add_argument("product")
    run.add_argument("--url", default="http://127.0.0.1:8000", help="root URL of the service")
    run.add_argument("--wait", action="store_true", help="follow the job and download its products")
    run.add_argument("--out", default=".", help="directory for the products (with --wait)")

    archive = commands.add_parser("archive", help="the simulated INTEGRAL archive")
    archive_commands = archive.add_subparsers(dest="archive_command", required=True)
    warm = archive_commands.add_parser("warm", help="pre-generate the ISGRI science windows of revolutions")
    warm.add_argument("--revolutions", type=int, nargs="+", required=True)
    warm.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes generating files")

    ingest = commands.add_parser("ingest", help="publish a FITS, VOTable or CSV table through TAP")
    ingest.add_argument("file")
    ingest.add_argument("--table", required=True, help="schema.name of the published table")
    ingest.add_argument("--description", default=None)
    ingest.add_argument("--replace", action="store_true", help="replace an existing table of that name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    if extra and args.command != "run":
        _parser().error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "serve":
        return _serve(args)
    if args.command == "run":
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise on a terminal
        return _run(args, extra)
    if args.command == "archive":
        return _archive_warm(args)
    if args.command == "load-demo":
        _load_demo(args.sources)
        return 0
    return _ingest(args)


if __name__ == "__main__":
    sys.exit(main())
