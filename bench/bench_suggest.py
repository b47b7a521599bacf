"""Benchmark of the suggestion engine: quality on the dev set and speed at 20,000 articles.

Run: python bench/bench_suggest.py [--kb ../shared/kb] [--eval ../shared/eval/suggest-dev.jsonl]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import contextlib
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from knowledge_base.corpus import ArticleDoc, index_text, load_articles  # noqa: E402
from knowledge_base.engine import SuggestionIndex  # noqa: E402

Ranker = Callable[[str], list[str]]
KS = (1, 3, 5)


def load_eval(path: Path) -> list[dict]:
    """Rows of the evaluation set: {"query", "relevant", "kind"}."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def quality(rows: Sequence[dict], rank: Ranker) -> dict[str, float]:
    """recall@1/3/5 and MRR@10 over on-topic rows; share of off-topic rows left empty."""
    on_topic = [r for r in rows if r["relevant"]]
    off_topic = [r for r in rows if not r["relevant"]]
    hits = dict.fromkeys(KS, 0.0)
    mrr = 0.0
    for row in on_topic:
        ranked = rank(row["query"])[:10]
        relevant = set(row["relevant"])
        first = next((i for i, slug in enumerate(ranked) if slug in relevant), None)
        if first is not None:
            mrr += 1.0 / (first + 1)
            for k in KS:
                hits[k] += first < k
    n = max(len(on_topic), 1)
    result = {f"recall@{k}": hits[k] / n for k in KS}
    result["MRR@10"] = mrr / n
    empty = sum(1 for r in off_topic if not rank(r["query"]))
    result["off-topic empty"] = empty / max(len(off_topic), 1)
    return result


def engine_ranker(docs: list[ArticleDoc]) -> Ranker:
    """Our engine, all audiences, no language preference."""
    index = SuggestionIndex.build(docs)
    return lambda q: [s.slug for s in index.suggest(q, audiences=None, limit=10)]


def bm25s_ranker(docs: list[ArticleDoc]) -> Ranker:
    """Plain BM25 baseline: bm25s default tokenisation over title + body."""
    import bm25s

    corpus = [f"{d.title}\n{index_text(d)}" for d in docs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, show_progress=False), show_progress=False)
    slugs = [d.slug for d in docs]

    def rank(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], show_progress=False)
        if not tokens.vocab:
            return []
        k = min(10, len(docs))
        ids, scores = retriever.retrieve(tokens, k=k, show_progress=False)
        return [slugs[i] for i, s in zip(ids[0], scores[0], strict=True) if s > 0]

    return rank


def print_quality(name: str, metrics: dict[str, float]) -> None:
    """One line of quality figures."""
    cells = "  ".join(f"{k} {v:.3f}" for k, v in metrics.items())
    print(f"{name:<22} {cells}")


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _vary(words: list[str], rng: random.Random, pool: Sequence[str]) -> list[str]:
    """Swap a few neighbouring words and replace a few by words of other articles."""
    words = list(words)
    for _ in range(max(1, len(words) // 20)):
        i = rng.randrange(len(words))
        j = min(i + 1, len(words) - 1)
        words[i], words[j] = words[j], words[i]
        words[rng.randrange(len(words))] = rng.choice(pool)
    return words


def synthetic_kb(docs: Sequence[ArticleDoc], n: int, seed: int = 7) -> list[ArticleDoc]:
    """n varied copies of the corpus: shuffled sentences, swapped words, new slugs."""
    rng = random.Random(seed)
    pool = [w for d in docs for w in index_text(d).split()]
    out = []
    for i in range(n):
        base = docs[i % len(docs)]
        sentences = [s for s in _SENTENCE_RE.split(index_text(base)) if s.strip()]
        rng.shuffle(sentences)
        body = " ".join(" ".join(_vary(s.split(), rng, pool)) for s in sentences)
        title = " ".join(_vary(base.title.split(), rng, pool))
        out.append(replace(base, slug=f"{base.slug}-{i:05d}", title=title, body=body))
    return out


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def scale(docs: Sequence[ArticleDoc], queries: Sequence[str], n: int) -> None:
    """Build time, memory and latency on an n-article synthetic knowledge base."""
    big = synthetic_kb(docs, n)
    rss_before = max_rss_mb()
    start = time.perf_counter()
    index = SuggestionIndex.build(big)
    build_s = time.perf_counter() - start
    rss_delta = max_rss_mb() - rss_before
    for q in queries[:20]:
        index.suggest(q)  # warm caches (stemmer, vocabulary buckets)
    latencies = []
    for _ in range(3):
        for q in queries:
            t0 = time.perf_counter()
            index.suggest(q, limit=5)
            latencies.append((time.perf_counter() - t0) * 1000.0)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"\n{n:,} synthetic articles ({len(index):,} indexed), one core")
    print(f"  build time        {build_s:.2f} s")
    print(f"  peak memory       {rss_delta:.0f} MB (ru_maxrss growth during the build)")
    print(f"  query latency     p50 {cuts[49]:.2f} ms  p95 {cuts[94]:.2f} ms  ", end="")
    print(f"({len(latencies)} queries)")


def main() -> None:
    """Parse arguments, print quality for both engines, then the scale figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", default="../shared/kb")
    parser.add_argument("--eval", default="../shared/eval/suggest-dev.jsonl")
    parser.add_argument("--size", type=int, default=20_000)
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):  # one core, where the OS allows it
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    docs = load_articles((REPO / args.kb).resolve())
    rows = load_eval((REPO / args.eval).resolve())
    print(f"{len(docs)} articles, {len(rows)} questions ({sum(not r['relevant'] for r in rows)}")
    print("off-topic). recall@k = share of on-topic questions with at least one relevant")
    print("article in the top k; MRR@10 = mean 1/rank of the first relevant article (0 if none")
    print("in the top 10); off-topic empty = share of off-topic questions answered with [].\n")
    print_quality("engine", quality(rows, engine_ranker(docs)))
    print_quality("bm25s baseline", quality(rows, bm25s_ranker(docs)))
    if args.size > 0:
        scale(docs, [r["query"] for r in rows], args.size)


if __name__ == "__main__":
    main()
