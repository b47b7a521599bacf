"""Markdown rendering: the useful markup stays, hostile markup never survives."""

from __future__ import annotations

import pytest

from knowledge_base.render import render_markdown, sanitize_html

HOSTILE = """Bonjour

<script>alert('x')</script>
<img src="/static/logo.png" onerror="alert(1)" alt="logo">
[cliquez](javascript:alert(1)) et <a href="javascript:alert(2)">ici</a>
<a href="JaVaScRiPt:alert(3)">encore</a> <a href="data:text/html,<script>alert(4)</script>">data</a>
<div hx-get="/admin/travaux" hx-trigger="load" data-hx-post="/deconnexion"
 hx-on:click="x()">piège</div>
<button hx-post="/kb/x/publier" hx-vals='{"a": 1}'>bouton</button>
<iframe src="https://evil.example/"></iframe>
<p style="position:fixed;top:0">style</p>
<style>body { display: none }</style>
<svg onload="alert(5)"><circle r="1"/></svg>
<form action="https://evil.example/"><input name="password"></form>
<span onmouseover="alert(6)">survol</span>
"""


@pytest.fixture(scope="module")
def html() -> str:
    return render_markdown(HOSTILE).lower()


@pytest.mark.parametrize(
    "forbidden",
    [
        "<script",
        "alert('x')",
        "alert(4)",
        "onerror",
        "onload",
        "onmouseover",
        'href="javascript',
        "javascript:alert(2)",
        "javascript:alert(3)",
        "data:text",
        "hx-",
        "data-hx",
        "<iframe",
        "style=",
        "<style",
        "display: none",
        "<svg",
        "<form",
        "<input",
        "<button",
    ],
)
def test_hostile_markup_never_survives(html: str, forbidden: str):
    assert forbidden not in html


def test_a_markdown_javascript_link_is_not_a_link():
    html = render_markdown("Voir [cliquez](javascript:alert(1)) ou [là](vbscript:msgbox(1)).")
    assert "<a" not in html
    assert "href" not in html


def test_harmless_content_of_hostile_markup_is_kept(html: str):
    assert "piège" in html and "survol" in html and "bouton" in html
    assert '<img src="/static/logo.png" alt="logo">' in html


def test_markdown_becomes_html_with_safe_links():
    html = render_markdown(
        "# Titre\n\nDu **gras**, de l'*italique* et un [lien](https://www.service-public.fr).\n\n"
        "- un\n- deux\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h2>Titre</h2>" in html  # the page title is the only h1
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html
    assert '<a href="https://www.service-public.fr" rel="noopener noreferrer">lien</a>' in html
    assert "<ul>" in html and "<li>un</li>" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_text_is_escaped_not_interpreted():
    html = render_markdown("Le code `<script>` et 3 < 4 & 5 > 2")
    assert "<code>&lt;script&gt;</code>" in html
    assert "3 &lt; 4 &amp; 5 &gt; 2" in html


def test_sanitize_html_adds_rel_to_every_link():
    html = sanitize_html('<a href="https://example.org" rel="opener" target="_top">x</a>')
    assert html == '<a href="https://example.org" rel="noopener noreferrer">x</a>'


def test_mailto_and_tel_links_are_kept():
    html = render_markdown("[écrire](mailto:contact@example.org) [appeler](tel:0806001620)")
    assert 'href="mailto:contact@example.org"' in html
    assert 'href="tel:0806001620"' in html
