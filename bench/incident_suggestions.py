"""Benchmark of the incident suggestions: precision, recall, F1 and speed.

Run: python bench/incident_suggestions.py [--fit] [--data bench/data/incident_links.jsonl]

The labelled set (bench/data/README.md) is split by a hash of each ticket's id into a
tuning half and a validation half. `--fit` fits the logistic model on the tuning half
and chooses the threshold there (the highest F1 whose precision reaches PRECISION_FLOOR);
the numbers printed are those of the model shipped in helpdesk/incidents/likeness.py,
beside the former scorer (rapidfuzz WRatio / token_set_ratio >= 60) for comparison.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, utils

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from helpdesk.incidents import likeness  # noqa: E402
from helpdesk.incidents.likeness import CandidateText, IncidentText, Likeness  # noqa: E402

DATA = REPO / "bench" / "data" / "incident_links.jsonl"
LOOKBACK = timedelta(days=3)  # as helpdesk/incidents/suggestions.py
PRECISION_FLOOR = 0.9
HALVES = ("tuning", "validation")


@dataclass(frozen=True)
class Pair:
    """One incident x candidate ticket, with its label and features."""

    incident: str
    ticket: str
    related: bool
    hard: bool
    scored: Likeness
    old_score: float


def load(path: Path) -> tuple[dict[str, dict], list[dict]]:
    """Incidents by id and tickets of the labelled set."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    incidents = {r["id"]: r for r in rows if r["type"] == "incident"}
    return incidents, [r for r in rows if r["type"] == "ticket"]


def half_of(ticket_id: str) -> str:
    """The fixed half a ticket belongs to (a hash of its id)."""
    return HALVES[hashlib.sha256(ticket_id.encode()).digest()[0] % 2]


def incident_text(row: dict) -> IncidentText:
    """The scorer's view of an incident row."""
    started = datetime.fromisoformat(row["started"])
    return IncidentText(row["title"], row["description"], tuple(row["procedures"]), started)


def candidate_text(key: int, row: dict) -> CandidateText:
    """The scorer's view of a ticket row."""
    created = datetime.fromisoformat(row["created"])
    return CandidateText(key, row["subject"], row["body"], row["procedure"], created)


def old_similarity(incident: dict, ticket: dict) -> float:
    """The former scorer, 0-100 (kept here for comparison only)."""
    left = utils.default_process(f"{incident['title']} {incident['description']}")
    right = utils.default_process(f"{ticket['subject']} {ticket['body']}")
    return float(max(fuzz.WRatio(left, right), fuzz.token_set_ratio(left, right)))


def pairs(incidents: dict[str, dict], tickets: Sequence[dict], half: str) -> list[Pair]:
    """Every incident x ticket of one half inside the incident's time window, scored."""
    own = [t for t in tickets if half_of(t["id"]) == half]
    found: list[Pair] = []
    for incident_id, incident in incidents.items():
        query = incident_text(incident)
        window = [
            t
            for t in own
            if datetime.fromisoformat(t["created"]) >= query.started_at - LOOKBACK
            and likeness.procedure_allowed(query.procedures, t["procedure"])
        ]
        scored = likeness.score_all(query, [candidate_text(i, t) for i, t in enumerate(window)])
        for ticket, score in zip(window, scored, strict=True):
            old = old_similarity(incident, ticket)
            if incident["procedures"] and ticket["procedure"] not in incident["procedures"]:
                old = 0.0  # the former query filtered on the procedure
            found.append(
                Pair(
                    incident_id,
                    ticket["id"],
                    ticket["incident"] == incident_id,
                    incident_id in ticket["hard_for"],
                    score,
                    old,
                )
            )
    return found


def metrics(rows: Sequence[Pair], proposed: Callable[[Pair], bool]) -> dict[str, float]:
    """Precision, recall, F1 and the hard negatives proposed."""
    tp = sum(1 for p in rows if p.related and proposed(p))
    fp = sum(1 for p in rows if not p.related and proposed(p))
    fn = sum(1 for p in rows if p.related and not proposed(p))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    hard = sum(1 for p in rows if p.hard and proposed(p))
    return {
        "precision": precision,
        "recall": recall,
        "F1": f1,
        "hard proposed": hard,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def fit(rows: Sequence[Pair], l2: float = 1.0, steps: int = 50) -> list[float]:
    """Logistic regression (Newton's method, L2 on the weights, not the bias)."""
    x = np.array([[1.0, *p.scored.features] for p in rows])
    y = np.array([1.0 if p.related else 0.0 for p in rows])
    w = np.zeros(x.shape[1])
    ridge = np.eye(x.shape[1]) * l2
    ridge[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + ridge @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge
        w -= np.linalg.solve(hessian, gradient)
    return [round(float(v), 2) for v in w]


def best_threshold(rows: Sequence[Pair]) -> float:
    """The threshold of highest F1 among those whose precision reaches the floor."""
    best, best_f1 = 0.99, -1.0
    for cut in sorted(
        {round(p.scored.probability, 2) for p in rows if p.scored.probability >= 0.05}
    ):
        result = metrics(rows, lambda p, c=cut: p.scored.probability >= c)
        if result["precision"] >= PRECISION_FLOOR and result["F1"] > best_f1:
            best, best_f1 = cut, result["F1"]
    return best


def rescore(rows: Sequence[Pair]) -> list[Pair]:
    """The pairs with their probability under the current coefficients."""
    return [
        replace(p, scored=replace(p.scored, probability=likeness.probability(p.scored.features)))
        for p in rows
    ]


def timing(incidents: dict[str, dict], tickets: Sequence[dict], n: int, runs: int = 5) -> float:
    """Median seconds to score one incident over n candidate tickets."""
    query = incident_text(next(iter(incidents.values())))
    candidates = [
        replace(candidate_text(i, tickets[i % len(tickets)]), created_at=query.started_at)
        for i in range(n)
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        likeness.rank(query, candidates)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, values: dict[str, float]) -> None:
    """One line of metrics."""
    shown = "  ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
    )
    print(f"  {name:<28} {shown}")


def main() -> None:
    """Print the quality on both halves and the speed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--fit", action="store_true", help="fit the model on the tuning half")
    args = parser.parse_args()
    incidents, tickets = load(args.data)
    by_half = {half: pairs(incidents, tickets, half) for half in HALVES}
    print(f"Incident suggestions: {len(incidents)} incidents, {len(tickets)} tickets")
    for half, rows in by_half.items():
        related, hard = sum(p.related for p in rows), sum(p.hard for p in rows)
        print(
            f"  {half}: {len(rows)} pairs in the window, {related} related, {hard} hard negatives"
        )
    if args.fit:
        coefficients = fit(by_half["tuning"])
        likeness.COEFFICIENTS = tuple(coefficients)
        by_half = {half: rescore(rows) for half, rows in by_half.items()}
        likeness.THRESHOLD = best_threshold(by_half["tuning"])
        print(f"  fitted COEFFICIENTS = {tuple(coefficients)}, THRESHOLD = {likeness.THRESHOLD}")
    print(f"Quality at the threshold {likeness.THRESHOLD} (precision floor {PRECISION_FLOOR}):")
    for half, rows in by_half.items():
        report(f"{half}", metrics(rows, lambda p: p.scored.probability >= likeness.THRESHOLD))
        report(
            f"{half}, « très proche » only",
            metrics(rows, lambda p: p.scored.probability >= likeness.VERY_CLOSE),
        )
        report(f"{half}, former scorer >= 60", metrics(rows, lambda p: p.old_score >= 60))
        report(f"{half}, former pre-ticked >= 75", metrics(rows, lambda p: p.old_score >= 75))
    print("Speed (median of 5, one incident):")
    for n in (100, 500):
        print(f"  {n} candidate tickets: {timing(incidents, tickets, n) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
