"""Operations of the administration pages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from helpdesk.jobs.models import DeadLetter


def recent_dead_letters(session: Session, *, limit: int = 200) -> list[DeadLetter]:
    """The most recent dead letters, newest first."""
    return list(
        session.exec(select(DeadLetter).order_by(col(DeadLetter.id).desc()).limit(limit)).all()
    )
