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

__all__ = ["main"]

_log = logging.getLogger("mmvo")


def _load_demo(sources: int | None) -> None:
    from vo_service.config import Config
    from vo_service.db import make_engine
    from vo_service.demo.load import load_demo

    config = Config()
    engine = make_engine(config)
    try:
        load_demo(engine, config=config, sources=sources or config.demo_sources)
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

    ingest = commands.add_parser("ingest", help="publish a FITS, VOTable or CSV table through TAP")
    ingest.add_argument("file")
    ingest.add_argument("--table", required=True, help="schema.name of the published table")
    ingest.add_argument("--description", default=None)
    ingest.add_argument("--replace", action="store_true", help="replace an existing table of that name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "serve":
        return _serve(args)
    if args.command == "load-demo":
        _load_demo(args.sources)
        return 0
    return _ingest(args)


if __name__ == "__main__":
    sys.exit(main())
