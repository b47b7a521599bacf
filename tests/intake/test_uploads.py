"""PDF attachments lose their document metadata, as images do (issue 14, part 2)."""

from __future__ import annotations

import io

import pikepdf
import pytest

from helpdesk.intake.uploads import MSG_BAD_PDF, UploadRefused, clean_upload
from intake.helpers import minimal_pdf


def test_a_pdf_loses_its_document_information_and_xmp_metadata():
    pdf = pikepdf.open(io.BytesIO(minimal_pdf(Author="Awa Traoré", Title="Passeport 12AB34567")))
    with pdf.open_metadata(update_docinfo=False) as meta:
        meta["dc:creator"] = ["Awa Traoré"]
    buffer = io.BytesIO()
    pdf.save(buffer)
    original = buffer.getvalue()
    with pikepdf.open(io.BytesIO(original)) as before:
        assert str(before.docinfo["/Title"]) == "Passeport 12AB34567"
        assert "/Metadata" in before.Root

    cleaned = clean_upload("passeport.pdf", original)

    assert cleaned.content_type == "application/pdf" and cleaned.filename == "passeport.pdf"
    assert b"Passeport" not in cleaned.data and b"Awa" not in cleaned.data
    with pikepdf.open(io.BytesIO(cleaned.data)) as reread:
        assert "/Info" not in reread.trailer or not dict(reread.docinfo)
        assert "/Metadata" not in reread.Root
        assert len(reread.pages) == 1  # the content is kept


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 nothing after the header", b"%PDF-1.7\n" + b"\x00" * 200],
)
def test_a_pdf_that_cannot_be_read_is_refused_with_a_clear_reason(data: bytes):
    with pytest.raises(UploadRefused) as refused:
        clean_upload("releve.pdf", data)
    assert refused.value.message == MSG_BAD_PDF and refused.value.name == "releve.pdf"


def test_an_encrypted_pdf_is_refused():
    pdf = pikepdf.open(io.BytesIO(minimal_pdf()))
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(UploadRefused):
        clean_upload("protege.pdf", buffer.getvalue())
