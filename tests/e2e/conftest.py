"""A live server on loopback and Debian's chromium driven by Playwright."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import Session

from helpdesk.app import create_app
from helpdesk.db import make_engine
from helpdesk.jobs.runtime import JobRuntime
from helpdesk.logging import json_formatter
from helpdesk.migrate import migrate
from helpdesk.seed import seed_demo

from conftest import make_settings
from support.servers import CHROMIUM_ARGS, chromium_path, free_port, serve_in_thread


@dataclass(frozen=True)
class LiveServer:
    """A running helpdesk: its address, database engine and job runtime (worker running)."""

    url: str
    engine: object
    jobs: JobRuntime


@pytest.fixture(scope="session", autouse=True)
def captured_logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every log line of the browser tests' servers, as production writes them, in a file
    (the log test reads it: no identifier of an usager or an agent may appear there)."""
    path = tmp_path_factory.mktemp("logs") / "helpdesk.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield path
    root.removeHandler(handler)
    handler.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The application with the demo data, served by uvicorn in a thread."""
    folder: Path = tmp_path_factory.mktemp("live")
    engine = make_engine(f"sqlite:///{folder / 'helpdesk.db'}")
    migrate(engine)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    port = free_port()
    # At INFO, as production runs: the access log and every event reach the captured logs.
    settings = make_settings(folder, base_url=f"http://127.0.0.1:{port}", log_level="INFO")
    app = create_app(settings, engine=engine, run_jobs=True)
    with serve_in_thread(app, port=port) as url:
        yield LiveServer(url=url, engine=engine, jobs=app.state.jobs)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless; never a downloaded browser."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page for one test."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
