"""Contract tests: the dossier API as HttpDossierSource reads it from the reference service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from dossiers.catalog import CATALOG, normalise_dossier_number
from dossiers.http_source import HttpDossierSource
from dossiers.model import Dossier
from dossiers.reference.demo import DEMO_COUNT, demo_dossiers, demo_links
from dossiers.source import DossierUnavailableError
from dossiers.states import NATURALISATION, SEJOUR, machine_for

from support.dossier_service import TOKEN_HEADER, demo


def test_a_dossier_is_read_with_everything_the_contract_names(source):
    expected = demo("complements_demandes")
    dossier = source.get(expected.number)
    assert isinstance(dossier, Dossier)
    assert dossier.number == expected.number
    assert dossier.procedure == expected.procedure
    assert dossier.status == "complements_demandes"
    assert dossier.status_label == "Compléments demandés"
    assert "documents" in dossier.status_words
    assert dossier.site and dossier.filed_on and dossier.updated_at
    assert [step.status for step in dossier.timeline][-1] == "complements_demandes"
    assert dossier.documents_requested and dossier.documents_requested[0].due_on
    kinds = {a.kind for a in dossier.attestations}
    assert {"depot", "prolongation_instruction"} <= kinds
    assert "@" in dossier.contact_email


def test_naturalisation_numbers_and_spaces_are_accepted(source):
    expected = demo("controle_sdanf")
    assert source.get(expected.number.lower()) == expected
    sejour = demo("instruction")
    spaced = " ".join([sejour.number[:4], sejour.number[4:12], sejour.number[12:]])
    assert source.get(spaced) == sejour


def test_unknown_or_malformed_numbers_are_none(source):
    assert source.get("9999202501010000000") is None
    assert source.get("ZZ-2025-999999") is None
    assert source.get("pas un numéro") is None
    assert source.breaker.state == "closed"  # a 404 is an answer, not a failure


def test_dossiers_of_a_foreign_number(source):
    expected = demo("verification")
    found = source.by_foreign_number(expected.foreign_number)
    assert expected.number in {d.number for d in found}
    assert all(d.foreign_number == expected.foreign_number for d in found)
    assert source.by_foreign_number("0000000001") == []
    assert source.by_foreign_number("12345") == []


def test_moving_a_dossier_follows_its_state_machine(reference, source):
    dossier = demo("titre_en_fabrication")
    url = f"{reference.url}/api/v1/dossiers/{dossier.number}/advance"
    moved = httpx.post(url, json={}, headers=TOKEN_HEADER)
    assert moved.status_code == 200
    assert moved.json()["dossier"]["status"] == "titre_disponible"
    assert moved.json()["delivered"] is False  # no webhook configured here
    assert source.get(dossier.number).timeline[-1].status == "titre_disponible"
    refused = httpx.post(url, json={"to_status": "brouillon"}, headers=TOKEN_HEADER)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_entering_instruction_again_renews_the_attestation(reference, source):
    dossier = demo("complements_demandes")
    url = f"{reference.url}/api/v1/dossiers/{dossier.number}/advance"
    moved = httpx.post(url, json={"to_status": "instruction"}, headers=TOKEN_HEADER)
    assert moved.status_code == 200
    renewed = source.get(dossier.number)
    last = [a for a in renewed.attestations if a.kind == "prolongation_instruction"][-1]
    assert last.valid_until == datetime.now(UTC).date() + timedelta(days=90)
    assert all(document.received for document in renewed.documents_requested)


def test_the_api_is_documented_with_openapi(reference):
    schema = httpx.get(f"{reference.url}/api/v1/schema/openapi.json").json()
    assert {
        "/api/v1/dossiers/{number}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{number}/advance",
    } <= set(schema["paths"])
    assert "Dossier" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/dossiers"]["get"]["security"] == [{"jeton": []}]


def test_the_service_refuses_calls_without_its_token(reference):
    dossier = demo("titre_en_fabrication")
    url = f"{reference.url}/api/v1/dossiers/{dossier.number}"
    for headers in ({}, {"Authorization": "Bearer pas-le-bon-jeton"}, {"Authorization": "Basic x"}):
        refused = httpx.get(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert refused.headers["content-type"].startswith("application/problem+json")
    moved = httpx.post(f"{url}/advance", json={})
    assert moved.status_code == 401
    assert httpx.get(url, headers=TOKEN_HEADER).json()["status"] == "titre_en_fabrication"
    assert httpx.get(f"{reference.url}/healthz").status_code == 200


def test_the_helpdesk_source_without_the_token_finds_the_service_unavailable(reference):
    untokened = HttpDossierSource(reference.url, cache_seconds=0)
    with pytest.raises(DossierUnavailableError, match="401"):
        untokened.get(demo("depose").number)
    untokened.close()


def test_demo_dossiers_cover_every_procedure_and_status():
    today = datetime.now(UTC).date()
    dossiers = demo_dossiers(today)
    assert len(dossiers) == DEMO_COUNT
    assert len({d.number for d in dossiers}) == DEMO_COUNT
    procedures = {d.procedure for d in dossiers}
    assert procedures == {p.code for p in CATALOG} - {"compte"}
    for machine in (SEJOUR, NATURALISATION):
        seen = {d.status for d in dossiers if machine_for(d.procedure) is machine}
        assert seen == {state.code for state in machine.states}
    alerts = [alert for d in dossiers for _a, alert in d.attestation_alerts(today)]
    assert "expired" in alerts and "ending_soon" in alerts
    assert any(d.documents_requested for d in dossiers)
    assert all(normalise_dossier_number(d.number) == d.number for d in dossiers)
    assert all(d.contact_email for d in dossiers)


def test_demo_tickets_requesters_have_their_dossiers():
    today = datetime.now(UTC).date()
    by_number = {d.number: d for d in demo_dossiers(today)}
    for email, number in demo_links().items():
        assert by_number[number].contact_email == email


def test_every_status_is_reachable_and_final_ones_are_final():
    for machine in (SEJOUR, NATURALISATION):
        for state in machine.states:
            assert machine.path_to(state.code)[0] == "brouillon"
    assert SEJOUR.next_states("cloture") == ()
    assert "complements_demandes" in SEJOUR.next_states("instruction")
    assert SEJOUR.next_states("complements_demandes")[0] == "instruction"
    assert NATURALISATION.next_states("decret_publie") == ()
