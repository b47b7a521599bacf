"""Attachments from the public: PDF, JPEG or PNG judged by content, stored without metadata."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps

from helpdesk.i18n import N_

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

MSG_TOO_MANY = N_("Vous pouvez joindre 3 fichiers au maximum.")
MSG_TOO_BIG = N_("Le fichier « %(name)s » dépasse 5 Mo.")
MSG_BAD_TYPE = N_("Le fichier « %(name)s » n'est ni un PDF, ni une image JPEG ou PNG.")
MSG_EMPTY = N_("Le fichier « %(name)s » est vide.")
MSG_BAD_PDF = N_(
    "Le fichier « %(name)s » n'a pas pu être lu comme un PDF (abîmé ou protégé par un mot "
    "de passe) : enregistrez-le de nouveau depuis votre logiciel, puis joignez-le."
)


class UploadRefused(ValueError):
    """A file that may not be attached; `message` is a translatable text with %(name)s."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.message = message
        self.name = name


@dataclass(frozen=True)
class CleanFile:
    """An accepted file: a harmless name matching its real type, and the bytes to store."""

    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The type of the bytes from their signature: PDF, JPEG, PNG, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def clean_upload(filename: str, data: bytes) -> CleanFile:
    """Check one file and strip its metadata; raises UploadRefused."""
    name = Path((filename or "").replace("\\", "/")).name[:120] or "fichier"
    if not data:
        raise UploadRefused(MSG_EMPTY, name)
    if len(data) > MAX_FILE_BYTES:
        raise UploadRefused(MSG_TOO_BIG, name)
    content_type = sniff(data)
    if content_type is None:
        raise UploadRefused(MSG_BAD_TYPE, name)
    if content_type == "application/pdf":
        data = _pdf_without_metadata(data, name)
    else:
        data = _without_metadata(data, content_type, name)
    stem = Path(name).stem or "piece-jointe"
    return CleanFile(filename=stem + EXTENSIONS[content_type], content_type=content_type, data=data)


def _without_metadata(data: bytes, content_type: str, name: str) -> bytes:
    """Re-encode the image from its pixels only: no EXIF, GPS, comments or text chunks."""
    fmt = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[fmt]) as probe:
                probe.verify()
            with Image.open(BytesIO(data), formats=[fmt]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UploadRefused(MSG_BAD_TYPE, name)
                upright = ImageOps.exif_transpose(image) or image
                return _encode(upright, fmt)
    except UploadRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as error:
        raise UploadRefused(MSG_BAD_TYPE, name) from error


def _pdf_without_metadata(data: bytes, name: str) -> bytes:
    """The PDF without its document information (author, title, software…) nor any XMP
    metadata stream; one that qpdf cannot read (damaged, encrypted) is refused."""
    try:
        with pikepdf.open(BytesIO(data)) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for item in pdf.objects:
                if isinstance(item, pikepdf.Dictionary) and "/Metadata" in item:
                    del item["/Metadata"]
            out = BytesIO()
            pdf.save(out, fix_metadata_version=False, deterministic_id=True)
            return out.getvalue()
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError) as error:
        raise UploadRefused(MSG_BAD_PDF, name) from error


def _encode(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone, in the same format."""
    out = BytesIO()
    image.info = {}  # comments, text chunks, EXIF: none is written back
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    else:
        image.save(out, "PNG")
    return out.getvalue()
