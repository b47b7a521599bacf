"""Business-time arithmetic, property-based: weekends, holidays, closed hours, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from routing.calendars import (
    Calendar,
    CalendarError,
    add_business,
    area_for_department,
    business_between,
    department_of_site,
    holiday_dates,
    parse_weekly,
)

PARIS = ZoneInfo("Europe/Paris")
NINE_TO_FIVE = Calendar()
SPLIT_DAY = Calendar(
    weekly=tuple(((510, 720), (810, 1080)) if d < 5 else () for d in range(7)),
    holiday_areas=frozenset({"6AE"}),
    closed_days=frozenset({date(2026, 5, 15)}),
)
AROUND_THE_CLOCK = Calendar(weekly=tuple(((0, 1440),) for _ in range(7)))
NIGHT_SHIFT = Calendar(weekly=tuple(((60, 240),) for _ in range(7)))  # 01:00-04:00, DST hours
CALENDARS = st.sampled_from([NINE_TO_FIVE, SPLIT_DAY, AROUND_THE_CLOCK, NIGHT_SHIFT])
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120))
# Instants near the DST changes of Europe/Paris (last Sundays of March and October).
DST_MOMENTS = st.sampled_from(
    [datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 0, tzinfo=UTC)]
).flatmap(lambda t: st.integers(-36 * 60, 36 * 60).map(lambda m: t + timedelta(minutes=m)))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(calendar=CALENDARS, start=MOMENTS, duration=DURATIONS)
def test_a_due_date_never_precedes_its_start(calendar, start, duration):
    assert add_business(calendar, start, duration) >= start


@PROPERTY
@given(calendar=CALENDARS, start=MOMENTS, duration=DURATIONS)
def test_adding_then_measuring_gives_the_same_duration(calendar, start, duration):
    due = add_business(calendar, start, duration)
    assert business_between(calendar, start, due) == duration


@PROPERTY
@given(calendar=CALENDARS, start=DST_MOMENTS, duration=DURATIONS)
def test_round_trip_across_dst_changes(calendar, start, duration):
    due = add_business(calendar, start, duration)
    assert due >= start
    assert business_between(calendar, start, due) == duration


@PROPERTY
@given(
    start=MOMENTS,
    duration=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(hours=60)),
)
@example(start=datetime(2025, 1, 1, tzinfo=UTC), duration=timedelta(days=1, microseconds=1))
def test_due_dates_fall_in_open_time_only(start, duration):
    due = add_business(SPLIT_DAY, start, duration)
    local = due.astimezone(PARIS)
    assert local.weekday() < 5
    assert not SPLIT_DAY.is_closed_day(local.date())
    # Microseconds count: a due date 1 µs after the opening is in open time.
    minutes = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    assert 510 < minutes <= 720 or 810 < minutes <= 1080


@PROPERTY
@given(calendar=CALENDARS, start=MOMENTS, hours=st.integers(1, 200))
def test_closed_time_never_counts(calendar, start, hours):
    end = start + timedelta(hours=hours)
    measured = business_between(calendar, start, end)
    assert timedelta(0) <= measured <= end - start
    open_minutes = sum(
        1 for m in range(0, hours * 60, 7) if calendar.is_open(start + timedelta(minutes=m))
    )
    # Sampling every 7 minutes: the measure matches the open samples within one sample each.
    assert abs(measured.total_seconds() / 60 - open_minutes * 7) <= 7 * (2 * hours // 24 + 4)


@PROPERTY
@given(calendar=CALENDARS, start=MOMENTS, first=DURATIONS, second=DURATIONS)
def test_adding_in_two_steps_equals_adding_once(calendar, start, first, second):
    middle = add_business(calendar, start, first)
    assert add_business(calendar, middle, second) == add_business(calendar, start, first + second)


def day_by_day(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """The open time between two moments, summed one local day at a time (the oracle)."""
    total, day = timedelta(0), start.astimezone(calendar.zone).date() - timedelta(days=1)
    while day <= end.astimezone(calendar.zone).date() + timedelta(days=1):
        for begin, finish in calendar.day_intervals(day):
            total += max(min(finish, end) - max(begin, start), timedelta(0))
        day += timedelta(days=1)
    return total


@PROPERTY
@given(calendar=CALENDARS, start=MOMENTS, days=st.integers(0, 800), minutes=st.integers(0, 1439))
@example(
    calendar=NINE_TO_FIVE, start=datetime(2025, 12, 29, 16, tzinfo=UTC), days=5, minutes=0
)  # across a new year
def test_long_spans_count_as_many_open_hours_as_day_by_day(calendar, start, days, minutes):
    end = start + timedelta(days=days, minutes=minutes)
    assert business_between(calendar, start, end) == day_by_day(calendar, start, end)


def test_weekend_and_holidays_do_not_count():
    friday_4pm = datetime(2026, 5, 7, 14, 0, tzinfo=UTC)  # Thursday 16:00 Paris; 8 May is off
    due = add_business(NINE_TO_FIVE, friday_4pm, timedelta(hours=2))
    assert due == datetime(2026, 5, 11, 8, 0, tzinfo=UTC)  # Monday 10:00 Paris


def test_alsace_moselle_observes_good_friday_and_saint_stephen():
    assert date(2026, 4, 3) in holiday_dates(2026, frozenset({"6AE"}))
    assert date(2026, 12, 26) in holiday_dates(2026, frozenset({"57"}))
    assert date(2026, 4, 3) not in holiday_dates(2026, frozenset())


def test_overseas_departments_have_their_own_days():
    assert date(2026, 5, 27) in holiday_dates(2026, frozenset({"971"}))  # abolition, Guadeloupe
    assert date(2026, 12, 20) in holiday_dates(2026, frozenset({"974"}))  # La Réunion


def test_a_day_is_23_hours_in_march_and_25_in_october():
    spring = business_between(
        AROUND_THE_CLOCK,
        datetime(2026, 3, 29, 0, 0, tzinfo=PARIS),
        datetime(2026, 3, 30, 0, 0, tzinfo=PARIS),
    )
    autumn = business_between(
        AROUND_THE_CLOCK,
        datetime(2026, 10, 25, 0, 0, tzinfo=PARIS),
        datetime(2026, 10, 26, 0, 0, tzinfo=PARIS),
    )
    assert spring == timedelta(hours=23)
    assert autumn == timedelta(hours=25)


def test_night_hours_lose_the_skipped_hour_on_the_spring_change():
    measured = business_between(
        NIGHT_SHIFT,
        datetime(2026, 3, 29, 0, 0, tzinfo=PARIS),
        datetime(2026, 3, 29, 12, 0, tzinfo=PARIS),
    )
    assert measured == timedelta(hours=2)  # 01:00-04:00 local, but 02:00-03:00 never happens


def test_sites_map_to_holiday_areas():
    assert area_for_department(department_of_site("pref-67")) == "6AE"
    assert area_for_department(department_of_site("pref-57")) == "57"
    assert area_for_department(department_of_site("pref-971")) == "971"
    assert area_for_department(department_of_site("pref-69")) is None
    assert department_of_site("natali-nantes") is None


def test_a_calendar_that_never_opens_is_refused():
    closed = Calendar(weekly=tuple(() for _ in range(7)))
    with pytest.raises(CalendarError):
        add_business(closed, datetime(2026, 1, 5, tzinfo=UTC), timedelta(minutes=1))


def test_opening_hours_are_read_from_text():
    weekly = parse_weekly("lundi 09:00-12:00, 13h30-17h\nsamedi fermé")
    assert weekly[0] == ((540, 720), (810, 1020))
    assert weekly[5] == () and weekly[6] == ()
    with pytest.raises(CalendarError, match="Ligne 1"):
        parse_weekly("lundi 12:00-09:00")
    with pytest.raises(CalendarError, match="jour"):
        parse_weekly("funday 09:00-10:00")
