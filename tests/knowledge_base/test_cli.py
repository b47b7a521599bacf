"""The `kb suggest` command: JSON lines out, audience filter, blank lines."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from knowledge_base.cli import main, suggest_command

SEED = Path(__file__).resolve().parents[2] / "knowledge_base" / "seed"


def _run(args: list[str], stdin: str) -> list[dict]:
    result = CliRunner().invoke(suggest_command, ["--kb", str(SEED), *args], input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_one_json_line_per_query() -> None:
    rows = _run(["--top", "3", "--jsonl"], "mot de passe oublié\nrecette de cuisine\n\n")
    assert [r["query"] for r in rows] == ["mot de passe oublié", "recette de cuisine", ""]
    first = rows[0]["results"]
    assert 1 <= len(first) <= 3
    assert first[0]["slug"] == "mot-de-passe-oublie"
    assert set(first[0]) == {"slug", "score"}
    assert isinstance(first[0]["score"], float)
    assert rows[2]["results"] == []


def test_audience_filter() -> None:
    question = "compte bloqué identifiant refusé escalader\n"
    public = _run(["--audience", "public"], question)[0]["results"]
    agents = _run(["--audience", "agents"], question)[0]["results"]
    assert public and agents
    assert all(not r["slug"].startswith("fiche-") for r in public)
    assert all(r["slug"].startswith("fiche-ccc") for r in agents)


def test_group_exposes_suggest() -> None:
    result = CliRunner().invoke(
        main, ["suggest", "--kb", str(SEED), "--top", "1"], input="duplicata titre volé\n"
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["results"][0]["slug"] == "duplicata-perte-vol"
