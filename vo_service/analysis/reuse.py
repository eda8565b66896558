"""Reuse of products: a run identical to an earlier successful one takes its products instead of running again.

Identical means the same analysis, the same normalised parameters (the validated model, defaults filled in), the
same code (the version of the plugin's distribution, the analysis's ``version``) and the same data
(``data_version``).  Only analyses declaring ``reusable = True`` take part: a core whose products depend on
anything else (the job id, the time it runs) must not.  The index is one small JSON file per request key in
``data_dir/reuse``, naming the job that made the products and where their files are; the files are
hard-linked into the new job's results (copied across file systems) and the entry then points at that copy,
so destroying the earlier job takes nothing away.  An entry whose files are gone is ignored and replaced by the
next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel

from instruments.base import Analysis, ProductFile

__all__ = ["ProductIndex", "Reused", "code_version", "request_key"]


def code_version(analysis: type[Analysis]) -> str:
    """The code an analysis runs: its distribution versions and its own class and ``version``."""
    package = analysis.__module__.split(".")[0]
    dists = metadata.packages_distributions().get(package, [])
    versions = sorted(f"{d}=={metadata.version(d)}" for d in dists)
    own = f"{analysis.__module__}.{analysis.__qualname__}@{getattr(analysis, 'version', '')}"
    return ";".join([*versions, own])


def request_key(name: str, analysis: type[Analysis], params: BaseModel) -> str:
    """The key of a request: a hash of the analysis, its normalised parameters, code and data versions."""
    request = {
        "analysis": name,
        "parameters": params.model_dump(mode="json"),
        "code": code_version(analysis),
        "data": getattr(analysis, "data_version", ""),
    }
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Reused:
    """Products taken from the earlier job ``job_id``."""

    job_id: str
    products: list[ProductFile]


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class ProductIndex:
    """The products of earlier successful runs by request key, in the directory ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def reuse(self, key: str, workdir: Path) -> Reused | None:
        """The products of the earlier run of ``key``, linked into ``workdir``; None when there is none left."""
        try:
            entry = json.loads((self.root / f"{key}.json").read_text())
            products = [
                ProductFile(p["result_id"], Path(p["path"]), p["content_type"], p["description"])
                for p in entry["products"]
            ]
            for product in products:
                _link(Path(entry["workdir"]) / product.path, workdir / product.path)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Reused(str(entry["job_id"]), products)

    def keep(self, key: str, job_id: str, workdir: Path, products: list[ProductFile]) -> None:
        """Records products made by the job ``job_id`` whose files are in ``workdir`` (paths relative to it);
        never fails the run."""
        entry = {
            "job_id": job_id,
            "workdir": str(workdir.resolve()),
            "products": [
                {"result_id": p.result_id, "path": str(p.path), "content_type": p.content_type}
                | {"description": p.description}
                for p in products
            ],
        }
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            partial = self.root / f".{key}.{os.getpid()}.part"
            partial.write_text(json.dumps(entry))
            partial.replace(self.root / f"{key}.json")
