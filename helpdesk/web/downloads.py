"""Files handed to a browser as downloads: never rendered, never cached, never sniffed."""

from __future__ import annotations

from pathlib import Path

from litestar import Response
from litestar.response import File

# `sandbox` stops a file opened despite `attachment` from running scripts or reaching our
# origin's cookies; the middleware adds `nosniff` to every response.
DOWNLOAD_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "sandbox",
}


def file_download(path: Path, filename: str) -> File:
    """A stored file as an opaque download under the name the person sees."""
    return File(
        path=path,
        filename=filename,
        media_type="application/octet-stream",
        content_disposition_type="attachment",
        headers=dict(DOWNLOAD_HEADERS),
    )


def bytes_download(content: bytes, filename: str, media_type: str) -> Response[bytes]:
    """Bytes made for this request (a CSV export, an archive) as a download."""
    return Response(
        content=content,
        media_type=media_type,
        headers={**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
