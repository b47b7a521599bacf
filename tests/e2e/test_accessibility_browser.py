"""In chromium: axe-core finds no serious or critical WCAG 2.1 A/AA violation on the agent
pages in their main states, nor on the public pages.

axe-core comes from npm (package.json), copied into helpdesk/static/vendor by `make assets`;
it is loaded from the server's own /static address, so the pages keep their
Content-Security-Policy. KNOWN lists the violations not fixed yet, each with its reason:
remove an entry when it is fixed (the test says so when it no longer occurs)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from helpdesk.auth.models import Agent
from helpdesk.incidents.models import Incident, Notice
from helpdesk.incidents.schemas import IncidentForm
from helpdesk.incidents.service import record_incident
from helpdesk.seed import DEMO_PASSWORD
from helpdesk.tickets.models import Queue, Status, Ticket

pytestmark = pytest.mark.browser

ADVISOR = "conseiller@ccc.demo"
DP_AGENT = "agent@dp-anef.demo"
ADMIN = "admin@dp-anef.demo"
REFERENT = "referent@pref-69.demo"
ANONYMOUS = ""
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
INCIDENT_TITLE = "Téléversement des pièces impossible (contrôle d'accessibilité)"

# (page name, axe rule id) → why it is not fixed yet. Keep it short; remove what is fixed.
KNOWN: dict[tuple[str, str], str] = {}

# A refused field's message must be tied to it (aria-describedby) in a group in error (DSFR).
UNLINKED_ERRORS = """() => Array.from(document.querySelectorAll(
    "main .fr-error-text, main .fr-message--error")).filter(e => e.getClientRects().length)
  .map(e => {
    const group = e.closest(".fr-input-group, .fr-select-group, .fr-upload-group, .fr-fieldset,"
      + " .fr-checkbox-group, .fr-radio-group, .fr-range-group");
    const messages = e.closest(".fr-messages-group");
    const id = e.id || (messages && messages.id);
    const names = el => (el.getAttribute("aria-describedby") || "").split(/\\s+/)
      .concat((el.getAttribute("aria-labelledby") || "").split(/\\s+/));
    const candidates = group ? [group, ...group.querySelectorAll("input, select, textarea")] : [];
    const linked = Boolean(id) && candidates.some(f => names(f).includes(id));
    const styled = Boolean(group) && /--error\\b/.test(group.className);
    if (linked && styled) return null;
    return {target: id || e.className, html: e.outerHTML.slice(0, 200),
      summary: (linked ? "" : "no field names it in aria-describedby; ")
        + (styled ? "" : "its group lacks the DSFR error class")};
  }).filter(Boolean)"""

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 240),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300)}))}));
}"""


@dataclass(frozen=True)
class Check:
    """A page in one state, seen by one account."""

    name: str
    account: str
    path: str
    prepare: Callable[[Page, str], None] | None = field(default=None, compare=False)
    refused: bool = False

    def __str__(self) -> str:
        return self.name


def _search_with_results(page: Page, base_url: str) -> None:
    """Search « titre » and wait for the results."""
    page.locator("main input[name=q]").first.fill("titre")
    page.locator("main form").filter(has=page.locator("input[name=q]")).first.locator(
        "button[type=submit]"
    ).first.click()
    expect(page.locator("main table")).to_be_visible()


def _refused_reply(page: Page, base_url: str) -> None:
    """Post an empty reply (the browser's own check turned off): the page comes back refused."""
    page.locator("#formulaire-message").evaluate("form => form.noValidate = true")
    page.locator("#formulaire-message textarea#body").fill("   ")
    page.locator("#formulaire-message [type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".fr-error-text, .fr-alert--error").first).to_be_visible()


def _refused_form(page: Page, base_url: str) -> None:
    """Submit the page's main form empty (the browser's own check turned off)."""
    form = page.locator("main form[method=post]").last
    form.evaluate("form => form.noValidate = true")
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".fr-error-text, .fr-message--error").first).to_be_visible()


def _shortcuts_open(page: Page, base_url: str) -> None:
    """Open the keyboard shortcuts' help."""
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Raccourcis clavier")).to_be_visible()
    settle(page)


def _hand_over_open(page: Page, base_url: str) -> None:
    """Open the hand-over window with its shortcut."""
    page.locator("h1").first.click()
    page.keyboard.press("h")
    expect(page.locator("#to_queue")).to_be_focused()
    settle(page)


def _refused_hand_over(page: Page, base_url: str) -> None:
    """Escalate with nothing filled in: the page comes back with the window open and refused."""
    _hand_over_open(page, base_url)
    form = page.locator("#formulaire-transmission")
    form.evaluate("form => form.noValidate = true")
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".fr-error-text").first).to_be_visible()
    settle(page)


def settle(page: Page) -> None:
    """Wait for DSFR's transitions (a modal fades in): axe measures the colours shown."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


CHECKS = [
    Check("accueil", ADVISOR, "/"),
    Check("liste de la file CCC", ADVISOR, "/files/ccc"),
    Check("recherche avec résultats", ADVISOR, "/recherche", _search_with_results),
    Check("ticket avec le formulaire de réponse", ADVISOR, "{ticket}"),
    Check("ticket, réponse refusée", ADVISOR, "{ticket}", _refused_reply, refused=True),
    Check("ticket, fenêtre Transmettre ouverte", ADVISOR, "{ticket}", _hand_over_open),
    Check("ticket, transmission refusée", ADVISOR, "{ticket}", _refused_hand_over, refused=True),
    Check("aide des raccourcis clavier", ADVISOR, "/", _shortcuts_open),
    Check("vues", ADVISOR, "/vues"),
    Check("vue non attribués", ADVISOR, "/vues/non-attribues"),
    Check("mes notifications", ADVISOR, "/notifications/"),
    Check("nouvel appel", ADVISOR, "/appels/nouveau"),
    Check("base de connaissances", ADVISOR, "/kb"),
    Check("article de la base", ADVISOR, "/kb/mot-de-passe-oublie"),
    Check("nouvel article refusé", ADMIN, "/kb/nouveau", _refused_form, refused=True),
    Check("informations", ADVISOR, "/informations/"),
    Check("une information", REFERENT, "{notice}"),
    Check("disponibilité", ADVISOR, "/disponibilite"),
    Check("liste de la file DP ANEF", DP_AGENT, "/files/dp-anef"),
    Check("incidents", ADMIN, "/incidents/"),
    Check("un incident", ADMIN, "{incident}"),
    Check("nouvel incident refusé", ADMIN, "/incidents/nouveau", _refused_form, refused=True),
    Check(
        "mise en production refusée", ADMIN, "/informations/nouvelle", _refused_form, refused=True
    ),
    Check("nouveau compte refusé", ADMIN, "/admin/comptes/nouveau", _refused_form, refused=True),
    Check("point bimensuel", ADMIN, "/point-bimensuel/"),
    Check("éléments de langage", ADMIN, "/reponses-types/"),
    Check("comptes", ADMIN, "/admin/comptes/"),
    Check("journal d'audit", ADMIN, "/admin/journal/"),
    Check("routage et délais", ADMIN, "/admin/routage/"),
    Check("travaux en échec", ADMIN, "/admin/travaux"),
    Check("clients d'API", ADMIN, "/admin/clients-api"),
    Check("données personnelles (console)", ADMIN, "/protection-des-donnees/"),
    Check("espace référent", REFERENT, "/referent/"),
    Check("nouveau signalement", REFERENT, "/referent/signalements/nouveau"),
    Check(
        "signalement refusé",
        REFERENT,
        "/referent/signalements/nouveau",
        _refused_form,
        refused=True,
    ),
    Check("connexion", ANONYMOUS, "/connexion"),
    Check("formulaire de contact", ANONYMOUS, "/contact"),
    Check("formulaire de contact refusé", ANONYMOUS, "/contact", _refused_form, refused=True),
    Check("centre d'aide", ANONYMOUS, "/aide"),
    Check("données personnelles (public)", ANONYMOUS, "/donnees-personnelles"),
]


@pytest.fixture(scope="module")
def pages(browser: Browser, live_server) -> Iterator[Callable[[str], Page]]:
    """One browser page per account, signed in once for the whole module."""
    opened: dict[str, Page] = {}

    def page_for(account: str) -> Page:
        if account not in opened:
            context = browser.new_context(locale="fr-FR")
            page = context.new_page()
            page.set_default_timeout(10_000)
            if account:
                page.goto(f"{live_server.url}/connexion")
                page.get_by_label("Adresse électronique").fill(account)
                page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Se connecter").click()
                expect(page.get_by_test_id("agent-name")).to_be_visible()
            opened[account] = page
        return opened[account]

    yield page_for
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def places(live_server) -> dict[str, str]:
    """Addresses of pages showing data: a CCC ticket, an ongoing incident."""
    with Session(live_server.engine) as session:  # type: ignore[arg-type]
        ticket = session.exec(
            select(Ticket)
            .join(Queue, col(Queue.id) == Ticket.queue_id)
            .where(Queue.code == "ccc", col(Ticket.status).in_([Status.NEW, Status.OPEN]))
            .order_by(col(Ticket.id))
        ).first()
        admin = session.exec(select(Agent).where(Agent.email == ADMIN)).one()
        incident = session.exec(select(Incident).where(Incident.title == INCIDENT_TITLE)).first()
        if incident is None:
            form = IncidentForm(
                title=INCIDENT_TITLE,
                description="Les usagers ne peuvent plus joindre leurs pièces au dossier.",
                procedures=["etudiant"],
            )
            incident = record_incident(session, form=form, actor=admin)
            session.commit()
        notice = session.exec(select(Notice).where(Notice.incident_id == incident.id)).first()
        assert ticket is not None and notice is not None
        return {
            "ticket": f"/tickets/{ticket.id}",
            "incident": f"/incidents/{incident.id}",
            "notice": f"/informations/{notice.id}",
        }


def violations_on(page: Page, base_url: str) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{base_url}/static/vendor/axe.min.js")
    found = page.evaluate(AXE_RUN, WCAG_TAGS)
    return [v for v in found if v["impact"] in BLOCKING]


def report(name: str, found: list[dict[str, Any]]) -> str:
    """The violations, one rule a paragraph, each element on its line."""
    lines = [f"{len(found)} règle(s) d'accessibilité non respectée(s) sur « {name} » :"]
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['target']}  {node['html']}")
            lines.append(f"      {node['summary']}")
    return "\n".join(lines)


@pytest.mark.parametrize("check", CHECKS, ids=str)
def test_no_serious_accessibility_violation(check: Check, pages, places, live_server):
    page = pages(check.account)
    path = check.path.format(**places)
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.ok, f"{path} : {response and response.status}"
    page.wait_for_load_state("networkidle")
    if check.prepare is not None:
        check.prepare(page, live_server.url)
    found = violations_on(page, live_server.url)
    if check.refused:
        unlinked = page.evaluate(UNLINKED_ERRORS)
        if unlinked:
            found.append(
                {
                    "id": "erreur-non-reliee",
                    "impact": "serious",
                    "nodes": unlinked,
                    "help": "A field's error must be named by its aria-describedby (DSFR)",
                }
            )
    known = {rule for (name, rule) in KNOWN if name == check.name}
    unexpected = [v for v in found if v["id"] not in known]
    assert not unexpected, report(check.name, unexpected)
    gone = known - {v["id"] for v in found}
    assert not gone, f"« {check.name} » : {sorted(gone)} corrigé(s), retirez-les de KNOWN."


def test_axe_reports_a_violation_put_in_a_page(pages, live_server):
    page = pages(ANONYMOUS)
    page.goto(f"{live_server.url}/connexion")
    page.locator("main").evaluate(
        "main => { const image = document.createElement('img'); image.src = '/nulle-part.png';"
        " main.prepend(image); }"
    )
    assert "image-alt" in {v["id"] for v in violations_on(page, live_server.url)}


def test_every_known_violation_names_a_checked_page():
    names = {check.name for check in CHECKS}
    assert {name for name, _ in KNOWN} <= names
    assert all(re.fullmatch(r"[a-z0-9-]+", rule) for _, rule in KNOWN)
