"""The working-day calendar API under /api/v1/workdays/: a year's exceptions, one day set or removed, a
whole year replaced. Same permission and services as the calendar page (``/voices/settings/calendar/<year>/``):
``voices.configure`` anywhere to read (403 without it); changes hold for the whole installation, so the
services (``workdays.services``) ask for ``voices.configure`` on a top unit (403)."""

import datetime
import re
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import field_validator

from unionhome.access.policy import require
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import PlainText
from unionhome.voices.services.config import CONFIGURE
from unionhome.workdays import services
from unionhome.workdays.models import CalendarDay

router = Router(tags=["workdays"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
FIRST_YEAR, LAST_YEAR = 2000, 2100
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length

# One date as pasted from the State Council's notice, YYYY-MM-DD; the service reads and checks it. The
# length is checked before PlainText's validator, so that a long item is refused as too long.
DateText = Annotated[str, Field(max_length=10), *PlainText.__metadata__]


def _iso_date(value):
    """A date written as YYYY-MM-DD only (not a number, a week date or a time)."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(_("Give a date written as YYYY-MM-DD."))


class YearFilter(Schema):
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="The year (default: this year).")


class DayOut(Schema):
    date: datetime.date
    kind: CalendarDay.Kind = Field(description="`holiday`: a day off on a weekday; `working`: a working weekend day.")
    kind_label: str
    name: str = Field(description="The holiday's name, e.g. 国庆节; may be empty.")


class CalendarOut(Schema):
    year: int
    days: list[DayOut] = Field(description="The year's exceptions by date; every other day follows the week.")


class DayIn(Schema):
    date: datetime.date = Field(..., description="YYYY-MM-DD, from 2000 to 2100.")
    kind: CalendarDay.Kind
    name: PlainText = Field("", max_length=NAME_MAX_LENGTH, description="The holiday's name (optional).")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value):
        return _iso_date(value)


class DayRemoveIn(Schema):
    date: datetime.date = Field(..., description="YYYY-MM-DD.")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value):
        return _iso_date(value)


class RemovedOut(Schema):
    date: datetime.date
    removed: bool = Field(description="False when the day had no exception (nothing changed).")


class YearIn(Schema):
    holidays: list[DateText] = Field(..., description="The weekdays that are days off, YYYY-MM-DD, in the year.")
    working_days: list[DateText] = Field(
        default_factory=list, description="The weekend days that are working days (调休), YYYY-MM-DD, in the year."
    )
    name: PlainText = Field("", max_length=NAME_MAX_LENGTH, description="A name for every day given (optional).")

    @field_validator("holidays", "working_days", mode="before")
    @classmethod
    def _lists(cls, value):
        if not isinstance(value, list):
            raise ValueError(_("Send a list of dates written as YYYY-MM-DD."))
        return value


def _day_out(day: CalendarDay) -> dict:
    return {"date": day.date, "kind": day.kind, "kind_label": day.get_kind_display(), "name": day.name}


def _calendar(year: int) -> dict:
    return {"year": year, "days": [_day_out(d) for d in CalendarDay.objects.filter(date__year=year).order_by("date")]}


@router.get(
    "/calendar",
    response={200: CalendarOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="workdays_calendar",
    summary="A year's working-day calendar",
)
def calendar_year(request: HttpRequest, filters: Query[YearFilter]):
    """The year's exceptions: weekdays that are days off and weekend days that are working days.
    ``voices.configure`` anywhere (403)."""
    require(request.auth, CONFIGURE)
    return _calendar(filters.year or timezone.localdate().year)


@router.post(
    "/calendar/days",
    response={200: DayOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="workdays_day_set",
    summary="Make one day a day off or a working day",
)
def day_set(request: HttpRequest, payload: DayIn):
    """Sets (or changes) the day's exception. Deadlines already set keep their moments; new ones follow.
    ``voices.configure`` on a top unit (403)."""
    day = services.calendar_day_set(actor=request.auth, date=payload.date, kind=payload.kind, name=payload.name)
    return _day_out(day)


@router.post(
    "/calendar/days/remove",
    response={200: RemovedOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="workdays_day_remove",
    summary="Let one day follow the week again",
)
def day_remove(request: HttpRequest, payload: DayRemoveIn):
    """Removes the day's exception; `removed` is false when it had none. ``voices.configure`` on a top
    unit (403)."""
    removed = services.calendar_day_remove(actor=request.auth, date=payload.date)
    return {"date": payload.date, "removed": removed}


@router.post(
    "/calendar/years/{year}",
    response={200: CalendarOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="workdays_year_set",
    summary="Replace a year's exceptions (the State Council's schedule)",
)
def year_set(request: HttpRequest, payload: YearIn, year: int = Path(..., ge=FIRST_YEAR, le=LAST_YEAR)):
    """Replaces every exception of the year with the days off and working days given (each in the year,
    none in both lists, at most 120 each; 422 naming the list otherwise). ``voices.configure`` on a top
    unit (403)."""
    services.calendar_year_set(
        actor=request.auth,
        year=year,
        holidays=" ".join(payload.holidays),
        working_days=" ".join(payload.working_days),
        name=payload.name,
    )
    return _calendar(year)
