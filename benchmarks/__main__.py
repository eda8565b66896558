"""`python -m benchmarks [name ...]`: runs every benchmark module (or the named ones) in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = argv or _modules()
    status = 0
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        status |= int(module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
