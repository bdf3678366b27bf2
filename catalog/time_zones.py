"""What people write for a time zone that is not an IANA name, and the IANA zones they mean.

KEDA's cron scaler loads a window's zone with Go's time.LoadLocation, which takes only names of the IANA
database. Abbreviations and UTC offsets are what people write instead, and the closest spelling of one is often
a zone hours off ('PST' is one letter from 'MST'), so they are looked up here first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ZoneHint:
    zones: tuple[str, ...]  # the IANA zones meant, the likeliest first
    what: str  # what the written name is, in words
    note: str = ""  # what to know before writing one of them


# Abbreviation -> the zones that print it, as tzdata itself prints them (zic's %s/%z formats in its
# northamerica, europe, asia, australasia and africa files; a test checks that each zone shows the abbreviation
# in January or July). Names that are IANA zones themselves (EST, MST, HST, CET, EET, WET, UTC, GMT) never get
# here. Europe: every zone of Central European Time has had the same offsets and switch dates since 1996 (the EU
# summer-time rules, tzdata's `EU` rules), so any of its cities is right today; Europe/Berlin is named because
# the project's examples use it, and the one to write is the city's own (Europe/Paris in France): zones differ
# only in their history, which a warm window never reads.
_ABBREVIATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "PST": (("America/Los_Angeles",), "US Pacific time"),
    "PDT": (("America/Los_Angeles",), "US Pacific time"),
    "MDT": (("America/Denver",), "US Mountain time"),
    "CST": (("America/Chicago", "Asia/Shanghai"), "US Central or China Standard time"),
    "CDT": (("America/Chicago",), "US Central time"),
    "EDT": (("America/New_York",), "US Eastern time"),
    "AKST": (("America/Anchorage",), "Alaska time"),
    "AKDT": (("America/Anchorage",), "Alaska time"),
    "BST": (("Europe/London",), "British Summer Time"),
    "IST": (("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"), "India, Irish or Israel Standard Time"),
    "WEST": (("Europe/Lisbon",), "Western European Summer Time"),
    "CEST": (("Europe/Berlin",), "Central European Summer Time"),
    "EEST": (("Europe/Athens",), "Eastern European Summer Time"),
    "MSK": (("Europe/Moscow",), "Moscow time"),
    "SAST": (("Africa/Johannesburg",), "South African Standard Time"),
    "PKT": (("Asia/Karachi",), "Pakistan Standard Time"),
    "HKT": (("Asia/Hong_Kong",), "Hong Kong time"),
    "JST": (("Asia/Tokyo",), "Japan Standard Time"),
    "KST": (("Asia/Seoul",), "Korea Standard Time"),
    "AWST": (("Australia/Perth",), "Australian Western time"),
    "ACST": (("Australia/Adelaide",), "Australian Central time"),
    "ACDT": (("Australia/Adelaide",), "Australian Central time"),
    "AEST": (("Australia/Sydney",), "Australian Eastern time"),
    "AEDT": (("Australia/Sydney",), "Australian Eastern time"),
    "NZST": (("Pacific/Auckland",), "New Zealand time"),
    "NZDT": (("Pacific/Auckland",), "New Zealand time"),
}
ABBREVIATIONS: MappingProxyType[str, ZoneHint] = MappingProxyType(
    {name: ZoneHint(zones, what) for name, (zones, what) in _ABBREVIATIONS.items()}
)

# `UTC+1`, `GMT-05:00`, `UTC +5:30`: an offset from UTC.
_OFFSET = re.compile(r"^(?:UTC|GMT)\s*([+-])\s*([0-9]{1,2})(?::?([0-9]{2}))?$", re.ASCII | re.IGNORECASE)
# tzdata's etcetera file: Etc/GMT-14 to Etc/GMT+12, whole hours only, signs inverted to follow POSIX TZ
# (Etc/GMT-1 is one hour AHEAD of UTC).
_ETC_HOURS = range(-12, 15)


def offset_hint(text: str) -> ZoneHint | None:
    """The zone of a UTC offset such as `UTC+1` (Etc/GMT-1), or None when `text` is no offset."""
    match = _OFFSET.match(text.strip())
    if match is None:
        return None
    sign = 1 if match[1] == "+" else -1
    hours, minutes = int(match[2]), int(match[3] or 0)
    offset = f"UTC{match[1]}{hours}" + (f":{minutes:02d}" if minutes else "")
    if minutes or sign * hours not in _ETC_HOURS:
        # No Etc zone has a part-hour offset (or one past -12/+14): only a place's zone does (Asia/Kolkata is
        # UTC+5:30).
        return ZoneHint(
            (),
            f"a fixed {offset}",
            "which no Etc/GMT zone holds: write the zone of the place, e.g. Asia/Kolkata",
        )
    if hours == 0:
        return ZoneHint(("Etc/UTC",), "UTC itself")
    return ZoneHint(
        (f"Etc/GMT{'-' if sign > 0 else '+'}{hours}",),
        f"a fixed {offset} without summer time",
        "Etc/GMT names invert the sign, as POSIX TZ does; for a place's local time, summer time included, write "
        "the place's zone, e.g. Europe/Berlin",
    )


def zone_hint(text: str) -> ZoneHint | None:
    """The IANA zones meant by an abbreviation or a UTC offset, or None."""
    return ABBREVIATIONS.get(text.strip().upper()) or offset_hint(text)
