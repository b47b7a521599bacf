"""Stemming from several threads at once (web threads, job threads, the start-up index build)."""

from __future__ import annotations

import sys
import threading

from knowledge_base import text


def test_threads_stemming_together_get_the_same_stems_as_one_alone():
    words = [f"prolongations{n}ïnaturalisées{n}" for n in range(60_000)]
    expected = {w: text.stem.__wrapped__(w, "fr") for w in words[:50]}
    text.stem.cache_clear()
    errors: list[BaseException] = []

    def run(chunk: list[str]) -> None:
        try:
            for word in chunk:
                text.stem(word, "fr")
        except BaseException as error:  # the shared stemmer raised IndexError here
            errors.append(error)

    threads = [threading.Thread(target=run, args=(words[i::4],)) for i in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert {w: text.stem(w, "fr") for w in words[:50]} == expected
