#!/usr/bin/python3
"""Parses a plan's calendar (GET /v1/me/plan.ics) with a real iCalendar parser (Debian's
python3-icalendar) and checks what an importing calendar app would see.

usage: check-ics.py FILE EXPECTED_EVENTS SUMMARY_SUBSTRING [EXPECTED_CANCELLED]
Exits 0 when the calendar parses and holds what is expected, 1 (with the reason) otherwise.
"""
import sys

import icalendar


def fail(why):
    print("check-ics: " + why, file=sys.stderr)
    sys.exit(1)


def main():
    path, expected, summary = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        raw = f.read()
    if b"\n" in raw.replace(b"\r\n", b""):
        fail("a line ends in a bare LF")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            fail("a line of %d octets" % len(line))
        line.decode("utf-8")  # a fold inside a character raises here
    cal = icalendar.Calendar.from_ical(raw)
    if str(cal.get("VERSION")) != "2.0":
        fail("no VERSION:2.0")
    events = cal.walk("VEVENT")
    if len(events) != expected:
        fail("%d events, not %d" % (len(events), expected))
    uids = [str(e.get("UID")) for e in events]
    if len(set(uids)) != len(uids):
        fail("UIDs repeat")
    summaries = [str(e.get("SUMMARY")) for e in events]
    if not any(summary in s for s in summaries):
        fail("no summary holds the expected text")
    weekly = [e for e in events if e.get("RRULE") is not None]
    if not weekly:
        fail("no weekly task")
    for e in weekly:
        rule = e.get("RRULE")
        if rule.get("FREQ") != ["WEEKLY"] or not rule.get("BYDAY") or not rule.get("UNTIL"):
            fail("a task's RRULE is not weekly on its days until the horizon")
        if e.get("DTSTAMP") is None or e.decoded("DTSTART") is None:
            fail("an event without DTSTAMP or DTSTART")
    if len(sys.argv) > 4:
        # a task a new plan dropped: cancelled, with a SEQUENCE above its last live one's
        cancelled = [e for e in events if str(e.get("STATUS", "")) == "CANCELLED"]
        if len(cancelled) != int(sys.argv[4]):
            fail("%d cancelled events, not %s" % (len(cancelled), sys.argv[4]))
        for e in cancelled:
            if int(e.get("SEQUENCE", 0)) < 2:
                fail("a cancelled event without a SEQUENCE above the first version's")
    print("check-ics: %d events parsed" % len(events))


if __name__ == "__main__":
    main()
