"""Static files under a build-stamped path, so browsers may keep them for a year.

Pages link `/static/<build>/app.css`, where <build> is a hash of every file of the static
folder: any change to any file gives new addresses, so the stamped copies are immutable.
One stamp for the whole folder (not one per file) keeps the DSFR stylesheet's relative
links to its fonts and icons inside the same stamped tree. The plain `/static/...` paths
stay served, briefly cached, for anything that links them unstamped.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
ONE_YEAR = 365 * 24 * 3600
IMMUTABLE = CacheControlHeader(public=True, max_age=ONE_YEAR, immutable=True)
SHORT = CacheControlHeader(public=True, max_age=300)


@lru_cache(maxsize=4)
def build_stamp(directory: Path = STATIC_DIR) -> str:
    """A short hash of every file's path and content (computed once per process)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url(path: str) -> str:
    """The stamped address of a static file, e.g. static_url("app.css")."""
    return f"/static/{build_stamp()}/{path.lstrip('/')}"


def static_routers() -> list[Router]:
    """The stamped tree (immutable for a year), then the plain one (five minutes)."""
    return [
        create_static_files_router(
            path=f"/static/{build_stamp()}",
            directories=[STATIC_DIR],
            cache_control=IMMUTABLE,
            include_in_schema=False,
            name="static-stamped",
        ),
        create_static_files_router(
            path="/static",
            directories=[STATIC_DIR],
            cache_control=SHORT,
            include_in_schema=False,
        ),
    ]
