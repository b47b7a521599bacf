"""The e-mail match rule: a dossier is shown to an usager only if its contact e-mail is theirs."""

from __future__ import annotations

from sqlmodel import select

from dossiers.http_source import HttpDossierSource
from helpdesk.dossier_links.service import verified_dossier
from helpdesk.tickets.models import Ticket

from support.dossier_service import demo
from support.servers import free_port

HX = {"HX-Request": "true"}


def contact(web, *, email: str, number: str, procedure: str = "compte"):
    body = {
        "last_name": "Traoré",
        "first_name": "Awa",
        "email": email,
        "procedure": procedure,
        "reason": "demarche",
        "subject": "Où en est mon dossier ?",
        "message": "Bonjour, je voudrais savoir où en est mon dossier, merci beaucoup.",
        "dossier_number": number,
        "privacy_acknowledged": True,
    }
    response = web.client.post("/api/v1/contact", json=body)
    assert response.status_code == 201, response.text
    return response.json()["follow_up_url"].split("/suivi/")[1]


def test_verified_dossier_requires_the_same_email(source):
    dossier = demo("titre_disponible")
    assert verified_dossier(source, number=dossier.number, email=dossier.contact_email.upper())
    assert verified_dossier(source, number=dossier.number, email="autre@example.org") is None
    assert verified_dossier(source, number=dossier.number, email=None) is None
    assert verified_dossier(source, number="9999202501010009999", email="x@example.org") is None
    assert verified_dossier(source, number="pas-un-numero", email=dossier.contact_email) is None


def test_verified_dossier_is_none_when_the_service_is_down():
    down = HttpDossierSource(f"http://127.0.0.1:{free_port()}")
    dossier = demo("depose")
    assert verified_dossier(down, number=dossier.number, email=dossier.contact_email) is None


def test_a_matching_usager_gets_the_procedure_filled_and_sees_the_status(dossier_web):
    dossier = demo("titre_disponible", procedure="etudiant")
    token = contact(dossier_web, email=dossier.contact_email, number=dossier.number)
    with dossier_web.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.procedure == "etudiant"  # from the dossier, not the "compte" sent
    assert ticket.dossier_number == dossier.number
    page = dossier_web.client.get(f"/suivi/{token}")
    assert f'hx-get="/suivi/{token}/dossier"' in page.text
    status = dossier_web.client.get(f"/suivi/{token}/dossier", headers=HX)
    assert status.status_code == 200
    assert "Votre titre est disponible" in status.text


def test_a_dossier_never_leaks_to_another_email(dossier_web):
    dossier = demo("titre_disponible", procedure="etudiant")
    token = contact(dossier_web, email="curieux@example.org", number=dossier.number)
    with dossier_web.session() as session:
        ticket = session.exec(select(Ticket)).one()
    assert ticket.procedure == "compte"  # nothing taken from someone else's dossier
    for headers in (HX, {}):
        shown = dossier_web.client.get(f"/suivi/{token}/dossier", headers=headers).text
        assert "Votre titre est disponible" not in shown
        assert dossier.site not in shown and dossier.foreign_number not in shown
        assert "Aucun dossier vérifié" in shown
    page = dossier_web.client.get(f"/suivi/{token}").text
    assert "Votre titre est disponible" not in page


def test_a_wrong_token_is_the_same_404(dossier_web):
    response = dossier_web.client.get("/suivi/" + "x" * 43 + "/dossier", headers=HX)
    assert response.status_code == 404
