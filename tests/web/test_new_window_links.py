"""Every link of the templates that opens a new tab says so and cannot reach back (noopener)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NEW_TAB_LINK = re.compile(r"<a\b([^>]*\btarget=\"_blank\"[^>]*)>(.*?)</a>", re.S)
SAYS_SO = re.compile(r"nouvelle fenêtre")


def new_tab_links() -> list[tuple[str, str, str]]:
    """(template, opening tag's attributes, link content) of every link opening a new tab."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for attributes, content in NEW_TAB_LINK.findall(path.read_text(encoding="utf-8")):
            found.append((str(path.relative_to(TEMPLATES)), attributes, content))
    return found


def test_links_opening_a_new_tab_say_so_and_use_noopener():
    links = new_tab_links()
    assert any(name == "help/_suggestions.html" for name, _, _ in links)
    problems = []
    for name, attributes, content in links:
        rel = re.search(r"\brel=\"([^\"]*)\"", attributes)
        if not rel or "noopener" not in rel.group(1).split():
            problems.append(f'{name}: rel="noopener" missing on <a{attributes}>')
        title = re.search(r"\btitle=\"([^\"]*)\"", attributes)
        if not SAYS_SO.search(content) and not (title and SAYS_SO.search(title.group(1))):
            problems.append(
                f"{name}: <a{attributes}> should say « (nouvelle fenêtre) » "
                "(fr-sr-only text or a title ending with « - nouvelle fenêtre »)"
            )
    assert problems == [], "\n".join(problems)
