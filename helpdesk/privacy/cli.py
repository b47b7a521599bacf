"""`helpdesk retention run`: apply the retention policy now, as the daily job does."""

from __future__ import annotations

import click

from helpdesk.config import Settings

MAX_PASSES = 1_000


@click.group()
def retention() -> None:
    """Retention of personal data."""


@retention.command("run")
@click.option("--passes", default=MAX_PASSES, show_default=True, type=click.IntRange(min=1))
def retention_run(passes: int) -> None:
    """Apply the retention policy pass after pass (each one committed and recorded) until
    nothing is left, then print what was removed."""
    import helpdesk.job_modules  # noqa: F401  (every table and job known)
    from helpdesk.db import make_engine, session_scope
    from helpdesk.privacy.retention import run_retention

    settings = Settings()
    engine = make_engine(settings.database_url)
    total: dict[str, int] = {}
    done = 0
    more = True
    while more and done < passes:
        with session_scope(engine) as session:
            run = run_retention(session, settings=settings)
            counts, more = dict(run.counts), run.more
        done += 1
        for name, count in counts.items():
            total[name] = total.get(name, 0) + int(count)
    summary = ", ".join(f"{name} : {count}" for name, count in sorted(total.items()))
    click.echo(f"Conservation appliquée en {done} passe(s). {summary or 'Rien à supprimer.'}")
