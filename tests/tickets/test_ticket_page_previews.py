"""Attachments previewed in the ticket page: images and PDFs only, sandboxed, read recorded,
under the same policy as the download; anything else stays a download."""

from __future__ import annotations

from sqlmodel import col, select

from helpdesk.audit.kinds import AuditKind
from helpdesk.audit.models import AuditEvent
from helpdesk.tickets.attachments import store_attachment

from conftest import WebClient
from factories import make_agent, make_ticket

PNG = bytes.fromhex("89504e470d0a1a0a")  # the signature is enough: the bytes go back as they are
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_images_and_pdfs_are_previewed_sandboxed_and_nothing_else(any_web: WebClient):
    storage = any_web.client.app.state.settings.storage_dir
    with any_web.session() as session:
        advisor = make_agent(session)
        outsider = make_agent(session, organisation="sdst", queues=("sdst",))
        ticket = make_ticket(session)
        files = {
            name: store_attachment(
                session,
                storage_dir=storage,
                ticket=ticket,
                filename=name,
                content_type=kind,
                data=data,
            ).id
            for name, kind, data in (
                ("photo.png", "image/png", PNG),
                ("titre.pdf", "application/pdf", b"%PDF-1.4 demo"),
                ("dessin.svg", "image/svg+xml", SVG),
            )
        }
        session.commit()
    base = f"/tickets/{ticket.id}/pieces-jointes"

    any_web.sign_in(outsider.email)
    assert any_web.client.get(f"{base}/{files['photo.png']}/apercu").status_code == 404

    any_web.sign_in(advisor.email)
    page = any_web.client.get(f"/tickets/{ticket.id}").text
    assert f'src="{base}/{files["photo.png"]}/apercu"' in page
    pdf = f'sandbox src="{base}/{files["titre.pdf"]}/apercu"'
    assert f'<iframe class="ticket-preview ticket-preview--pdf" {pdf}' in page
    assert f"{base}/{files['dessin.svg']}/apercu" not in page  # only offered as a download

    for name, kind in (("photo.png", "image/png"), ("titre.pdf", "application/pdf")):
        response = any_web.client.get(f"{base}/{files[name]}/apercu")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["content-disposition"].startswith("inline")
        assert response.headers.get_list("content-security-policy") == [
            "sandbox; frame-ancestors 'self'"
        ]
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert any_web.client.get(f"{base}/{files['dessin.svg']}/apercu").status_code == 404
    download = any_web.client.get(f"{base}/{files['dessin.svg']}")
    assert download.headers["content-disposition"].startswith("attachment")

    any_web.client.app.state.audit.wait()
    with any_web.session() as session:
        reads = session.exec(
            select(AuditEvent)
            .where(AuditEvent.kind == AuditKind.ATTACHMENT_DOWNLOADED.value)
            .order_by(col(AuditEvent.id))
        ).all()
    assert [row.object_id for row in reads] == [
        str(files["photo.png"]),
        str(files["titre.pdf"]),
        str(files["dessin.svg"]),
    ]
