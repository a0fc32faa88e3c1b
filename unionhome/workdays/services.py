"""Changing the working-day calendar (``voices.configure`` on a top unit; audited).

Each exception is one ``CalendarDay``: a holiday on a weekday, or a weekend day made a working day
(调休). ``calendar_year_set`` takes a year's schedule as pasted dates (the State Council's notice) and
replaces that year's exceptions. Every change calls ``calendar_changed()`` for this process; the other
processes see it within a minute. Deadlines already set keep their moments; new ones follow the change.
"""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionhome.audit.recorder import record
from unionhome.voices.services.config import require_installation_wide
from unionhome.workdays.calendar import calendar_changed
from unionhome.workdays.models import CalendarDay

DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
MAX_DAYS_A_YEAR = 120


def parse_dates(text: Any, field: str, year: int) -> list[datetime.date]:
    """Dates written as YYYY-MM-DD, separated by anything (spaces, commas, lines); all in ``year``."""
    text = text if isinstance(text, str) else ""
    found, bad = [], []
    for token in re.split(r"[\s,，、;；]+", text.strip()):
        if not token:
            continue
        try:
            if not DATE.fullmatch(token):
                raise ValueError
            day = datetime.date(*(int(part) for part in token.split("-")))
        except ValueError:
            bad.append(token)
            continue
        if day.year != year:
            bad.append(token)
        else:
            found.append(day)
    if bad:
        raise ValidationError(
            {
                field: _("These are not dates of %(year)d written as YYYY-MM-DD: %(bad)s")
                % {"year": year, "bad": ", ".join(bad[:5])}
            }
        )
    if len(found) > MAX_DAYS_A_YEAR:
        raise ValidationError({field: _("Too many dates for one year.")})
    return sorted(set(found))


@transaction.atomic
def calendar_day_set(*, actor, date: Any, kind: Any, name: Any = "") -> CalendarDay:
    """Make ``date`` a day off (``holiday``) or a working day (``working``), with an optional name."""
    require_installation_wide(actor)
    errors: dict[str, str] = {}
    if not isinstance(date, datetime.date) or not 2000 <= date.year <= 2100:
        errors["date"] = _("Give a date between 2000 and 2100.")
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = _("Choose a day off or a working day.")
    label = name.strip() if isinstance(name, str) else ""
    if len(label) > 60:
        errors["name"] = _("Use at most %(limit)d characters.") % {"limit": 60}
    if errors:
        raise ValidationError(errors)
    day, _created = CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": label})
    record(actor, "workdays.day.set", None, date=date.isoformat(), kind=kind, name=label)
    transaction.on_commit(calendar_changed)
    calendar_changed()
    return day


@transaction.atomic
def calendar_day_remove(*, actor, date: Any) -> bool:
    """Let ``date`` follow the week again. False when it had no exception."""
    require_installation_wide(actor)
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": _("Give a date between 2000 and 2100.")})
    deleted, _rows = CalendarDay.objects.filter(date=date).delete()
    if deleted:
        record(actor, "workdays.day.removed", None, date=date.isoformat())
    transaction.on_commit(calendar_changed)
    calendar_changed()
    return bool(deleted)


@transaction.atomic
def calendar_year_set(*, actor, year: Any, holidays: Any, working_days: Any, name: Any = "") -> dict[str, int]:
    """Replace ``year``'s exceptions with the pasted days off and swapped working days."""
    require_installation_wide(actor)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    off = parse_dates(holidays, "holidays", year)
    work = parse_dates(working_days, "working_days", year)
    both = sorted(set(off) & set(work))
    if both:
        raise ValidationError(
            {
                "working_days": _("A day cannot be both off and working: %(days)s")
                % {"days": ", ".join(d.isoformat() for d in both[:5])}
            }
        )
    label = name.strip()[:60] if isinstance(name, str) else ""
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=label) for d in off]
        + [CalendarDay(date=d, kind=CalendarDay.Kind.WORKING, name=label) for d in work]
    )
    record(actor, "workdays.year.set", None, year=year, holidays=len(off), working_days=len(work))
    transaction.on_commit(calendar_changed)
    calendar_changed()
    return {"holidays": len(off), "working_days": len(work)}
