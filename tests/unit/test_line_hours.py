"""Opening hours: open or closed at a moment, across midnight and clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from contracts.line_hours import HoursError, LineHours


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_day_window_is_open_from_opening_until_closing():
    line = LineHours.parse("06:00-23:00 Asia/Kolkata")
    assert not line.is_open(at("2026-12-05T05:59:00+05:30"))
    assert line.is_open(at("2026-12-05T06:00:00+05:30"))
    assert line.is_open(at("2026-12-05T22:59:59+05:30"))
    assert not line.is_open(at("2026-12-05T23:00:00+05:30"))
    assert line.closed_minutes == 7 * 60
    assert line.page_config() == {"open": "06:00", "close": "23:00", "timeZone": "Asia/Kolkata"}
    assert str(line) == "06:00-23:00 Asia/Kolkata"


def test_a_window_past_midnight_is_open_on_both_sides_of_it():
    line = LineHours.parse("22:00-06:00 Asia/Kolkata")
    assert line.is_open(at("2026-12-05T23:30:00+05:30"))
    assert line.is_open(at("2026-12-06T05:59:00+05:30"))
    assert not line.is_open(at("2026-12-06T12:00:00+05:30"))
    assert line.closed_minutes == 16 * 60
    assert line.close_plus(15) == time(6, 15)
    assert LineHours.parse("06:00-23:50 Asia/Kolkata").close_plus(15) == time(0, 5)


def test_the_startup_grace_counts_real_minutes_across_a_clock_change():
    line = LineHours.parse("01:30-23:00 America/New_York")
    # 2026-03-08: clocks go from 02:00 EST to 03:00 EDT. 03:05 EDT is 35 real minutes after
    # 01:30 EST, inside a 40-minute grace, though the wall clock moved 95 minutes.
    assert line.opened_within(at("2026-03-08T03:05:00-04:00"), 40)
    assert not line.opened_within(at("2026-03-08T03:15:00-04:00"), 40)
    kolkata = LineHours.parse("06:00-23:00 Asia/Kolkata")
    assert kolkata.opened_within(at("2026-12-05T06:09:00+05:30"), 10)
    assert not kolkata.opened_within(at("2026-12-05T06:10:00+05:30"), 10)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("6am-11pm", "is not like"),
        ("06:00-23:00", "is not like"),
        ("25:00-23:00 Asia/Kolkata", "00:00 to 23:59"),
        ("06:00-06:00 Asia/Kolkata", "the same"),
        ("06:00-23:00 Asia/Bangalore", "unknown time zone"),
    ],
)
def test_bad_hours_are_refused_naming_the_setting(value, message):
    with pytest.raises(HoursError, match=message) as caught:
        LineHours.parse(value, "voice:hours")
    assert str(caught.value).startswith("voice:hours")
