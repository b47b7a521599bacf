"""Wiki fixtures: running the jobs the web application queued."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import WebClient


@pytest.fixture()
def run_jobs(web: WebClient) -> Callable[[], None]:
    """Run the jobs the app has queued (the web fixture runs no worker) and look at the
    index version on every suggestion call."""
    app = web.client.app
    app.state.kb_index.check_interval = 0.0

    def run() -> None:
        runtime = app.state.jobs
        runtime.start_worker()
        runtime.join()

    return run
