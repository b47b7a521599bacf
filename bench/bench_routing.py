"""Benchmark of routing: procedure classification on the dev set, business-time speed.

Run: python bench/bench_routing.py [--kb DIR] [--eval ../shared/eval/suggest-dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from knowledge_base.corpus import ArticleDoc, index_text, load_articles  # noqa: E402
from routing.calendars import Calendar, add_business, business_between  # noqa: E402
from routing.classification import (  # noqa: E402
    Classifier,
    article_examples,
    procedure_labels,
)


def classifier_of(articles: list[ArticleDoc]) -> Classifier:
    """The classifier the helpdesk builds from the wiki (titles, tags, a summary)."""
    examples = []
    for doc in articles:
        summary = index_text(doc)[:300]
        examples += article_examples(
            title=doc.title, tags=doc.tags, procedures=doc.procedures, summary=summary
        )
    return Classifier(examples)


def accuracy(classifier: Classifier, articles: list[ArticleDoc], rows: list[dict]) -> None:
    """Print the procedure accuracy, with the auto-applied share and its precision."""
    by_slug = {doc.slug: doc for doc in articles}
    labelled = correct = abstain_ok = abstain_total = applied = applied_ok = 0
    for row in rows:
        gold = frozenset().union(
            *(procedure_labels(by_slug[s].procedures) for s in row["relevant"] if s in by_slug)
        )
        guess = classifier.guess(row["query"])
        if not gold:
            abstain_total += 1
            abstain_ok += guess.label is None or not guess.confident
            continue
        labelled += 1
        correct += guess.label in gold
        if guess.confident:
            applied += 1
            applied_ok += guess.label in gold
    print(f"queries with a procedure label: {labelled} / {len(rows)}")
    print(f"procedure accuracy (top suggestion): {correct / max(labelled, 1):.3f}")
    print(
        f"auto-applied: {applied / max(labelled, 1):.3f} of labelled queries, "
        f"precision {applied_ok / max(applied, 1):.3f}"
    )
    print(f"no auto-apply on queries without a procedure: {abstain_ok}/{abstain_total}")


def calendar_speed() -> None:
    """Print the time of add_business and business_between on a 9-17 calendar."""
    calendar = Calendar(holiday_areas=frozenset({"6AE"}))
    start = datetime(2026, 3, 20, 14, 37, tzinfo=UTC)
    samples = []
    for hours in (1, 8, 40, 200):
        began = time.perf_counter()
        for offset in range(500):
            moment = start + timedelta(minutes=offset * 37)
            due = add_business(calendar, moment, timedelta(hours=hours))
            business_between(calendar, moment, due)
        per_call = (time.perf_counter() - began) / 1000 * 1e6
        samples.append(per_call)
        print(f"business time, {hours:>3} h target: {per_call:.1f} µs per add or measure")
    print(f"business time, median: {statistics.median(samples):.1f} µs")


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", default=str(REPO / "knowledge_base" / "seed"))
    parser.add_argument(
        "--eval", default=str(REPO.parent / "shared" / "eval" / "suggest-dev.jsonl")
    )
    args = parser.parse_args()
    articles = load_articles(args.kb)
    with open(args.eval, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    began = time.perf_counter()
    classifier = classifier_of(articles)
    print(f"classifier built from {len(articles)} articles in {time.perf_counter() - began:.3f} s")
    accuracy(classifier, articles, rows)
    began = time.perf_counter()
    for row in rows:
        classifier.guess(row["query"])
    print(f"classification: {(time.perf_counter() - began) / len(rows) * 1000:.2f} ms per text")
    calendar_speed()


if __name__ == "__main__":
    main()
