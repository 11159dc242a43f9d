"""When the voice line answers: `voice:hours` such as "06:00-23:00 Asia/Kolkata".

The same value starts and stops the instance (EventBridge Scheduler), tells the page when to
show "closed, call back at 06:00", and keeps the outside health check quiet while the line
is closed on purpose. A window may run past midnight ("22:00-06:00 Asia/Kolkata").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FORMAT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s+(\S+)\s*$")
EXAMPLE = "06:00-23:00 Asia/Kolkata"
_DAY = 24 * 60


def _minute_of_day(at: time) -> int:
    return at.hour * 60 + at.minute


class HoursError(ValueError):
    pass


@dataclass(frozen=True)
class LineHours:
    open: time
    close: time
    zone: str

    @classmethod
    def parse(cls, value: str, setting: str = "voice:hours") -> LineHours:
        match = _FORMAT.match(value or "")
        if not match:
            raise HoursError(f"{setting} {value!r} is not like {EXAMPLE!r}")
        oh, om, ch, cm, zone = match.groups()
        try:
            opens, closes = time(int(oh), int(om)), time(int(ch), int(cm))
        except ValueError:
            raise HoursError(f"{setting} {value!r}: times run from 00:00 to 23:59") from None
        if opens == closes:
            raise HoursError(f"{setting} {value!r}: opening and closing times are the same")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(f"{setting} {value!r}: unknown time zone {zone!r}") from None
        return cls(opens, closes, zone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def is_open(self, at: datetime) -> bool:
        now = at.astimezone(self.tz).time().replace(second=0, microsecond=0)
        if self.open < self.close:
            return self.open <= now < self.close
        return now >= self.open or now < self.close  # overnight

    def opened_within(self, at: datetime, minutes: float) -> bool:
        """True in the first `minutes` after opening: the instance is still starting."""
        local = at.astimezone(self.tz)
        opened = local.replace(
            hour=self.open.hour, minute=self.open.minute, second=0, microsecond=0
        )
        if opened > local:
            opened -= timedelta(days=1)
        # Elapsed real time (in UTC): a clock change between opening and now is not counted.
        elapsed = at.astimezone(UTC) - opened.astimezone(UTC)
        return elapsed < timedelta(minutes=minutes)

    @property
    def closed_minutes(self) -> int:
        """How long the line is closed each day."""
        return (_minute_of_day(self.open) - _minute_of_day(self.close)) % _DAY

    def close_plus(self, minutes: int) -> time:
        """The clock time `minutes` after closing: calls in progress end before the stop."""
        total = (_minute_of_day(self.close) + minutes) % _DAY
        return time(total // 60, total % 60)

    def page_config(self) -> dict[str, str]:
        """The `hours` of the page's config.json."""
        return {
            "open": self.open.strftime("%H:%M"),
            "close": self.close.strftime("%H:%M"),
            "timeZone": self.zone,
        }

    def __str__(self) -> str:
        return f"{self.open:%H:%M}-{self.close:%H:%M} {self.zone}"
