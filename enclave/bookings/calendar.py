"""The work area's calendar (S2): open days, half-day slots, holidays and closures.

All slot times are computed in the centre's time zone from the policy and handed out in UTC.
The demo policy's ``round_the_clock`` opens every day in slots of N hours from local midnight.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from enclave.cases.errors import BadInput, Refused


@dataclass(frozen=True)
class SlotTime:
    name: str
    date: dt.date  # local date the slot belongs to
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime  # UTC

    @property
    def key(self) -> str:
        return f"{self.date.isoformat()}/{self.name}"


class ClosuresFileError(ValueError):
    pass


class ClosedDay(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, "S2")


def tz(policy) -> ZoneInfo:
    return ZoneInfo(policy.sessions.timezone)


def closures_path(policy) -> Path | None:
    name = policy.sessions.closures_file
    if not name:
        return None
    p = Path(name)
    if not p.is_absolute():
        from enclave.settings import get_settings

        p = get_settings().home / p
    return p


@lru_cache(maxsize=32)
def _read_closures(path: str, mtime: float) -> dict[dt.date, str]:
    out: dict[dt.date, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        day, _, why = body.partition(" ")
        try:
            out[dt.date.fromisoformat(day)] = why.strip() or "centre closure"
        except ValueError:
            raise ClosuresFileError(f"{path}: line {n}: {day!r} is not an ISO date (YYYY-MM-DD)") from None
    return out


def closures(policy) -> dict[dt.date, str]:
    """S2: extra centre closures, one ``YYYY-MM-DD [reason]`` per line (``#`` comments)."""
    p = closures_path(policy)
    if p is None:
        return {}
    if not p.exists():
        raise ClosuresFileError(f"{p}: closures file named by sessions.closures_file does not exist")
    return _read_closures(str(p), p.stat().st_mtime)


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> dict[dt.date, str]:
    return dict(holidays_lib.country_holidays(country, years=year))


def closed_reason(day: dt.date, policy) -> str | None:
    """Why the work area is closed on ``day`` (None when open)."""
    sp = policy.sessions
    if not sp.round_the_clock and day.weekday() not in sp.weekdays:
        return f"{day:%A} is not an opening day"
    if sp.holiday_country:
        name = _holidays(sp.holiday_country, day.year).get(day)
        if name:
            return f"national holiday: {name}"
    why = closures(policy).get(day)
    if why:
        return f"centre closed: {why}"
    return None


def slots_on(day: dt.date, policy, *, include_closed: bool = False) -> list[SlotTime]:
    if not include_closed and closed_reason(day, policy):
        return []
    zone = tz(policy)
    sp = policy.sessions
    out = []
    if sp.round_the_clock:
        h = sp.round_the_clock_slot_hours
        start = dt.datetime.combine(day, dt.time(0), zone)
        n = 0
        while True:
            s = start + dt.timedelta(hours=n * h)
            if s.date() != day:
                break
            e = min(s + dt.timedelta(hours=h), dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone))
            out.append(SlotTime(f"h{s.hour:02d}", day, s.astimezone(dt.timezone.utc),
                                e.astimezone(dt.timezone.utc)))
            n += 1
        return out
    for s in sp.slots:
        out.append(SlotTime(s.name, day,
                            dt.datetime.combine(day, s.start, zone).astimezone(dt.timezone.utc),
                            dt.datetime.combine(day, s.end, zone).astimezone(dt.timezone.utc)))
    return out


def local_date(moment: dt.datetime, policy) -> dt.date:
    return moment.astimezone(tz(policy)).date()


def slot_at(moment: dt.datetime, policy) -> SlotTime | None:
    """The open slot containing ``moment`` (None outside opening hours)."""
    for s in slots_on(local_date(moment, policy), policy):
        if s.starts_at <= moment < s.ends_at:
            return s
    return None


def resolve(day: dt.date, slot: str, policy) -> list[SlotTime]:
    """The slot(s) a request names: a slot name, or ``day`` for every slot of the day (S3)."""
    why = closed_reason(day, policy)
    if why:
        raise ClosedDay(f"{day.isoformat()}: {why}")
    slots = slots_on(day, policy)
    if slot == "day":
        return slots
    for s in slots:
        if s.name == slot:
            return [s]
    raise BadInput(f"{slot!r} is not a slot; on {day.isoformat()} the slots are "
                   f"{[s.name for s in slots] + ['day']}.", "S3")


def overnight_window(day: dt.date, policy) -> tuple[dt.datetime, dt.datetime] | None:
    """S5: from the end of the day's last slot to the start of the next open day's first slot."""
    if policy.sessions.round_the_clock:
        return None
    slots = slots_on(day, policy)
    if not slots:
        return None
    nxt = day + dt.timedelta(days=1)
    for _ in range(30):
        later = slots_on(nxt, policy)
        if later:
            return slots[-1].ends_at, later[0].starts_at
        nxt += dt.timedelta(days=1)
    return None


def week_days(start: dt.date, days: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(days)]
