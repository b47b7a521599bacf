"""In chromium: the agent console's keyboard shortcuts (helpdesk/static/keys.js)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from helpdesk.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, base_url: str, email: str = "conseiller@ccc.demo") -> None:
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("agent-name")).to_be_visible()


def active_element(page: Page) -> str:
    """A short description of the focused element: tag, id and link address."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return [e.tagName, e.id, e.getAttribute('href') || ''].join('|'); }"
    )


def test_question_mark_opens_the_help_and_escape_closes_it_returning_the_focus(
    page: Page, live_server
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url)
    dialog = page.get_by_role("dialog", name="Raccourcis clavier")
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Recherche").focus()
    before = active_element(page)

    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Ticket suivant dans la vue")
    expect(dialog.locator("kbd", has_text=re.compile(r"^r$"))).to_have_count(1)
    # The focus is in the dialog and stays there (DSFR traps it).
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('dialog') !== null")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_function(
        "expected => { const e = document.activeElement;"
        " return [e.tagName, e.id, e.getAttribute('href') || ''].join('|') === expected; }",
        arg=before,
    )
    page.get_by_test_id("shortcuts-button").click()  # the footer's button opens it too
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert errors == []


def test_without_javascript_the_help_button_is_not_offered(browser, live_server):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url)
        expect(page.get_by_test_id("agent-name")).to_be_visible()
        expect(page.get_by_test_id("shortcuts-button")).to_be_hidden()
    finally:
        context.close()


def test_j_and_k_move_between_the_rows_of_a_list_and_enter_opens_the_ticket(
    page: Page, live_server
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/files/ccc")
    rows = page.locator("main [data-row]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2

    page.keyboard.press("j")
    first = active_element(page)
    assert "/tickets/" in first
    page.keyboard.press("j")
    second = active_element(page)
    page.keyboard.press("k")
    assert active_element(page) == first != second
    page.keyboard.press("j")
    assert active_element(page) == second
    expect(page.locator("main [data-row].keys-current")).to_have_count(1)

    target = second.split("|")[2]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + r"$"))


def test_shortcuts_are_ignored_while_typing_in_a_textarea(page: Page, live_server):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/files/ccc")
    page.locator("main [data-testid=queue-tickets] a[href^='/tickets/']").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    address = page.url
    textarea = page.locator("textarea#body")
    textarea.click()
    page.keyboard.type("j?g lr/k")

    expect(textarea).to_have_value(re.compile(r"j\?g lr/k$"))
    expect(page.get_by_role("dialog", name="Raccourcis clavier")).to_be_hidden()
    assert page.url == address
    assert page.evaluate("() => document.activeElement.id") == "body"

    page.locator("h1").first.click()  # out of the field, the same keys work
    page.keyboard.press("g")
    page.keyboard.press("l")
    expect(page).to_have_url(f"{live_server.url}/")


def test_ticket_page_keys_pick_the_note_and_open_the_hand_over_on_its_queue_field(
    page: Page, live_server
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/files/ccc")
    page.locator("main [data-row-link]").first.click()
    expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    page.locator("h1").first.click()  # the focus on the page, not in a field

    page.keyboard.press("n")
    expect(page.locator("#kind-note")).to_be_checked()
    expect(page.locator("textarea#body")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("h1").first.click()
    page.keyboard.press("r")
    expect(page.locator("#kind-reply")).to_be_checked()
    expect(page.locator("textarea#body")).to_be_focused()

    page.locator("h1").first.click()
    page.keyboard.press("h")
    expect(page.locator("#to_queue")).to_be_focused()
    expect(page.get_by_role("dialog").filter(has=page.locator("#to_queue"))).to_be_visible()
    page.keyboard.press("j")  # a window is open: no shortcut
    assert re.search(r"/tickets/\d+$", page.url)


FOCUS_SHOWN = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  const rect = e.getBoundingClientRect();
  // DSFR draws some rings on the element, some on its ::before (enlarged links).
  const ring = style => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  const outlined = ring(getComputedStyle(e)) || ring(getComputedStyle(e, "::before"));
  const ringed = ring(getComputedStyle(e, "::after"));
  if (rect.width === 0 || rect.height === 0) return "invisible " + e.outerHTML.slice(0, 120);
  return outlined || ringed ? "" : "no focus ring " + e.outerHTML.slice(0, 120);
}"""


@pytest.mark.parametrize("path", ["/files/ccc", "{ticket}"])
def test_tabbing_through_a_page_always_shows_where_the_focus_is(page: Page, live_server, path):
    sign_in(page, live_server.url)
    if path == "{ticket}":
        page.goto(f"{live_server.url}/files/ccc")
        page.locator("main [data-row-link]").first.click()
        expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    else:
        page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    problems = []
    for _ in range(40):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_SHOWN)
        if problem and problem != "body":
            problems.append(problem)
    assert problems == []
