"""Attachments: generated names on disk, safe downloads, only for those who see the ticket."""

from __future__ import annotations

from pathlib import Path

from helpdesk.tickets.attachments import attachment_path, display_name, store_attachment

from conftest import WebClient
from factories import make_agent, make_ticket


def test_display_names_are_harmless():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\moi\\relevé été.pdf") == "releve ete.pdf"
    assert display_name('"><script>.png') == "_script_.png"
    assert display_name("...") == "piece-jointe"


def test_bytes_are_stored_under_a_generated_name(session, tmp_path: Path):
    ticket = make_ticket(session)
    attachment = store_attachment(
        session,
        storage_dir=tmp_path,
        ticket=ticket,
        filename="../passeport.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 demo",
    )
    session.commit()
    path = attachment_path(tmp_path, attachment)
    assert path.read_bytes() == b"%PDF-1.4 demo"
    assert "passeport" not in str(path)
    assert attachment.display_name == "passeport.pdf"
    assert len(attachment.sha256) == 64 and attachment.size == 13


def test_download_is_an_attachment_for_readers_and_a_404_for_others(web: WebClient):
    storage = web.client.app.state.settings.storage_dir
    with web.session() as session:
        advisor = make_agent(session)
        outsider = make_agent(session, organisation="sdst", queues=("sdst",))
        ticket = make_ticket(session)
        attachment = store_attachment(
            session,
            storage_dir=storage,
            ticket=ticket,
            filename="photo<script>.html",
            content_type="text/html",
            data=b"<script>alert(1)</script>",
        )
        session.commit()
    url = f"/tickets/{ticket.id}/pieces-jointes/{attachment.id}"

    web.sign_in(outsider.email)
    assert web.client.get(url).status_code == 404

    web.sign_in(advisor.email)
    assert attachment.display_name in web.client.get(f"/tickets/{ticket.id}").text
    response = web.client.get(url)
    assert response.status_code == 200
    assert response.content == b"<script>alert(1)</script>"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    # One policy, the download's own: a file opened anyway runs nothing on our origin.
    assert response.headers.get_list("content-security-policy") == ["sandbox"]
    assert response.headers["cache-control"] == "private, no-store"
    assert (
        web.client.get(f"/tickets/{ticket.id}/pieces-jointes/{attachment.id + 1}").status_code
        == 404
    )
