"""Calendars from the database: the business calendar of a queue, for a ticket's site."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from helpdesk.auth.models import Organisation
from helpdesk.errors import ValidationFailedError
from helpdesk.ticket_routing.models import BusinessCalendar, ClosedDay, QueueRouting
from routing.calendars import (
    HOLIDAY_AREAS,
    Calendar,
    CalendarError,
    area_for_department,
    department_of_site,
    parse_weekly,
)


def to_calendar(
    session: Session, row: BusinessCalendar, *, site_area: str | None = None
) -> Calendar:
    """The pure calendar of a row, with the site's holiday area when the row observes it."""
    areas = set(row.holiday_areas)
    if site_area and row.site_holidays:
        areas.add(site_area)
    closed = [c.day for c in session.exec(select(ClosedDay).where(ClosedDay.calendar_id == row.id))]
    return Calendar(
        weekly=tuple(tuple((int(s), int(e)) for s, e in day) for day in row.weekly),
        timezone=row.timezone,
        holiday_areas=frozenset(areas),
        closed_days=frozenset(closed),
    )


def site_area(session: Session, site_id: int | None) -> str | None:
    """The holidays area of a ticket's site (Alsace-Moselle, overseas), if any."""
    site = session.get(Organisation, site_id) if site_id else None
    return area_for_department(department_of_site(site.code)) if site else None


def queue_calendar(session: Session, *, queue_id: int, site_id: int | None = None) -> Calendar:
    """The calendar a queue works by (the default 9-17 weekdays when none is set)."""
    settings = session.get(QueueRouting, queue_id)
    row = (
        session.get(BusinessCalendar, settings.calendar_id)
        if settings and settings.calendar_id
        else None
    )
    if row is None:
        return Calendar()
    return to_calendar(session, row, site_area=site_area(session, site_id))


def update_calendar(
    session: Session,
    *,
    calendar_id: int,
    name: str,
    timezone: str,
    hours: str,
    areas: list[str],
    site_holidays: bool,
) -> BusinessCalendar:
    """Change a calendar from its form; refusals say what to fix."""
    row = session.get(BusinessCalendar, calendar_id)
    if row is None:
        raise ValidationFailedError("Ce calendrier n'existe pas.")
    try:
        weekly = parse_weekly(hours)
        Calendar(weekly=weekly, timezone=timezone).zone  # noqa: B018  (checks the zone)
    except (CalendarError, KeyError, ValueError) as error:
        message = (
            str(error)
            if isinstance(error, CalendarError)
            else f"Fuseau horaire inconnu : {timezone}."
        )
        raise ValidationFailedError(message, field_errors={"hours": message}) from error
    row.name = name.strip() or row.name
    row.timezone = timezone
    row.weekly = [[list(i) for i in day] for day in weekly]
    row.holiday_areas = [a for a in areas if a in HOLIDAY_AREAS]
    row.site_holidays = site_holidays
    session.add(row)
    return row


def set_queue_calendar(session: Session, *, queue_id: int, calendar_id: int) -> QueueRouting:
    """Make a queue work by this calendar."""
    if session.get(BusinessCalendar, calendar_id) is None:
        raise ValidationFailedError("Ce calendrier n'existe pas.")
    settings = session.get(QueueRouting, queue_id) or QueueRouting(queue_id=queue_id)
    settings.calendar_id = calendar_id
    session.add(settings)
    return settings


def add_closed_day(session: Session, *, calendar_id: int, day: date, label: str) -> None:
    """Close a calendar on an extra day (idempotent)."""
    exists = session.exec(
        select(ClosedDay).where(ClosedDay.calendar_id == calendar_id, ClosedDay.day == day)
    ).first()
    if exists is None:
        session.add(ClosedDay(calendar_id=calendar_id, day=day, label=label.strip()[:150]))


def remove_closed_day(session: Session, *, closed_day_id: int) -> None:
    """Reopen a closed day."""
    row = session.get(ClosedDay, closed_day_id)
    if row is not None:
        session.delete(row)
