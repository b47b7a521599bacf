"""`kb suggest` command: suggest articles for questions read on stdin (JSON lines out)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from knowledge_base.corpus import AUDIENCES, load_articles
from knowledge_base.engine import SuggestionIndex

SEED_DIR = Path(__file__).resolve().parent / "seed"


def _audiences(choice: str) -> set[str] | None:
    """The audience filter for a --audience choice (None means every audience)."""
    return None if choice == "all" else {choice}


@click.command("suggest")
@click.option(
    "--kb",
    "kb_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=SEED_DIR,
    show_default=True,
    help="Directory of Markdown articles with YAML front matter.",
)
@click.option("--top", "top", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--jsonl", is_flag=True, default=True, help="One JSON object per line (default).")
@click.option(
    "--audience",
    type=click.Choice([*AUDIENCES, "all"]),
    default="all",
    show_default=True,
    help="Only suggest articles written for this audience.",
)
@click.option("--language", type=click.Choice(["fr", "en"]), default=None, help="Preferred.")
def suggest_command(
    kb_dir: Path, top: int, jsonl: bool, audience: str, language: str | None
) -> None:
    """Read one question per line on stdin; print {"query", "results"} per line."""
    index = SuggestionIndex.build(load_articles(kb_dir))
    audiences = _audiences(audience)
    for line in sys.stdin:  # one output line per input line, blank ones included
        query = line.rstrip("\r\n")
        found = index.suggest(query, audiences=audiences, language=language, limit=top)
        results = [{"slug": s.slug, "score": round(s.score, 4)} for s in found]
        click.echo(json.dumps({"query": query, "results": results}, ensure_ascii=False))


@click.group()
def main() -> None:
    """Knowledge-base tools (standalone entry point for `python -m knowledge_base.cli`)."""


main.add_command(suggest_command)

if __name__ == "__main__":
    main()
