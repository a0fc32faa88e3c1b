"""Terms (届) and sessions (次会议) of a union's workers' congress, set up by the congress office.

A term belongs to a union and holds the rules for its whole length (composition thresholds, proposal
seconders and deadlines). A session goes ``planned → in_progress → closed`` (``SESSION_TRANSITIONS``):
only a session in progress takes check-ins and votes. The hall's QR code carries the session's
``check_in_code``; the office can draw a new one at any time, which makes every printed or
photographed old code useless.
"""

import datetime
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.congress.models import Congress, CongressSession
from unionhome.congress.models.sessions import new_check_in_code
from unionhome.org.models import OrgUnit

PERMISSION = "congress.manage"
NAME_LIMIT = 200
VENUE_LIMIT = 200
MAX_NUMBER = 999

Status = CongressSession.Status

# The session's state machine: (from, to) → the audit verb. Anything else is refused.
SESSION_TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.PLANNED, Status.IN_PROGRESS): "opened",
    (Status.IN_PROGRESS, Status.CLOSED): "closed",
}


# --- checking input ------------------------------------------------------------------------------


def clean_text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    """Trimmed one-line text of at most ``limit`` characters (a ``ValidationError`` on ``field`` otherwise)."""
    text = "" if value is None else str(value).strip()
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text):
        raise ValidationError({field: _("This text contains control characters or invalid characters.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


def _number(value: Any, field: str, *, low: int = 1, high: int = MAX_NUMBER) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}})
    return value


def _date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({field: _("Enter a date such as 2026-03-01.")})
    return value


def _moment(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationError({field: _("Enter a date and time such as 2026-03-01 09:00.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _term_rules(fields: dict[str, Any]) -> dict[str, Any]:
    """Check a term's fields (name, dates, thresholds, proposal rules); all errors at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    checks = {
        "name": lambda v: clean_text(v, "name", NAME_LIMIT),
        "starts_on": lambda v: _date(v, "starts_on"),
        "ends_on": lambda v: _date(v, "ends_on"),
        "min_front_line_percent": lambda v: _number(v, "min_front_line_percent", low=0, high=100),
        "min_women_percent": lambda v: _number(v, "min_women_percent", low=0, high=100),
        "max_management_percent": lambda v: _number(v, "max_management_percent", low=0, high=100),
        "min_seconders": lambda v: _number(v, "min_seconders", low=0, high=50),
        "reply_days": lambda v: _number(v, "reply_days", low=1, high=365),
        "rating_days": lambda v: _number(v, "rating_days", low=1, high=365),
    }
    for field, value in fields.items():
        try:
            clean[field] = checks[field](value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if "starts_on" in clean and "ends_on" in clean and clean["ends_on"] < clean["starts_on"]:
        errors.setdefault("ends_on", []).append(_("The term cannot end before it starts."))
    if errors:
        raise ValidationError(errors)
    return clean


# --- terms ---------------------------------------------------------------------------------------


@transaction.atomic
def congress_create(
    *,
    actor,
    union: OrgUnit,
    number: int,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    min_front_line_percent: int = 50,
    min_women_percent: int = 30,
    max_management_percent: int = 20,
    min_seconders: int = 2,
    reply_days: int = 30,
    rating_days: int = 15,
) -> Congress:
    """Set up a term (届) of ``union``'s congress (``congress.manage`` on the union)."""
    require(actor, PERMISSION, union)
    if union.kind != OrgUnit.Kind.UNION:
        raise ValidationError({"union": _("A workers' congress belongs to a union.")})
    number = _number(number, "number")
    fields = _term_rules(
        {
            "name": name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "min_front_line_percent": min_front_line_percent,
            "min_women_percent": min_women_percent,
            "max_management_percent": max_management_percent,
            "min_seconders": min_seconders,
            "reply_days": reply_days,
            "rating_days": rating_days,
        }
    )
    if Congress.objects.filter(unit=union, number=number).exists():
        raise ValidationError({"number": _("This union already has a term with this number.")})
    try:
        with transaction.atomic():
            term = Congress.objects.create(unit=union, unit_path=union.path, number=number, **fields)
    except IntegrityError:  # the same term created at the same moment
        raise ValidationError({"number": _("This union already has a term with this number.")}) from None
    record(actor, "congress.term.created", term, number=number, name=term.name)
    return term


@transaction.atomic
def congress_update(*, actor, congress: Congress, **fields: Any) -> Congress:
    """Change a term's name, dates, composition thresholds or proposal rules (``congress.manage``)."""
    require(actor, PERMISSION, congress)
    unknown = set(fields) - {
        "name",
        "starts_on",
        "ends_on",
        "min_front_line_percent",
        "min_women_percent",
        "max_management_percent",
        "min_seconders",
        "reply_days",
        "rating_days",
    }
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    term = Congress.objects.select_for_update().get(pk=congress.pk)
    merged = {f: fields.get(f, getattr(term, f)) for f in ("starts_on", "ends_on")} | fields
    clean = _term_rules(merged)
    changes = {f: [getattr(term, f), v] for f, v in clean.items() if getattr(term, f) != v}
    if not changes:
        return term
    for field, (_old, new) in changes.items():
        setattr(term, field, new)
    term.save(update_fields=list(changes))
    record(actor, "congress.term.updated", term, **{f: [str(o), str(n)] for f, (o, n) in changes.items()})
    return term


# --- sessions ------------------------------------------------------------------------------------


def _session_fields(*, title: Any, starts_at: Any, ends_at: Any, venue: Any, proposals_close_at: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, check in (
        ("title", lambda: clean_text(title, "title", NAME_LIMIT)),
        ("starts_at", lambda: _moment(starts_at, "starts_at")),
        ("ends_at", lambda: _moment(ends_at, "ends_at")),
        ("venue", lambda: clean_text(venue, "venue", VENUE_LIMIT, required=False)),
        (
            "proposals_close_at",
            lambda: None if proposals_close_at is None else _moment(proposals_close_at, "proposals_close_at"),
        ),
    ):
        try:
            clean[field] = check()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.message_dict[field])
    if "starts_at" in clean and "ends_at" in clean and clean["ends_at"] < clean["starts_at"]:
        errors.setdefault("ends_at", []).append(_("The session cannot end before it starts."))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def session_create(
    *,
    actor,
    congress: Congress,
    number: int,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str = "",
    proposals_close_at: datetime.datetime | None = None,
) -> CongressSession:
    """Plan a session (次会议) of a term (``congress.manage``); it starts as ``planned``."""
    require(actor, PERMISSION, congress)
    number = _number(number, "number")
    fields = _session_fields(
        title=title, starts_at=starts_at, ends_at=ends_at, venue=venue, proposals_close_at=proposals_close_at
    )
    if CongressSession.objects.filter(congress=congress, number=number).exists():
        raise ValidationError({"number": _("This term already has a session with this number.")})
    try:
        with transaction.atomic():
            session = CongressSession.objects.create(
                congress=congress, unit_path=congress.unit_path, number=number, **fields
            )
    except IntegrityError:
        raise ValidationError({"number": _("This term already has a session with this number.")}) from None
    record(actor, "congress.session.created", session, number=number, title=session.title)
    return session


@transaction.atomic
def session_update(
    *,
    actor,
    session: CongressSession,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str = "",
    proposals_close_at: datetime.datetime | None = None,
) -> CongressSession:
    """Change a session's title, times, venue or proposal deadline (``congress.manage``); not once closed."""
    require(actor, PERMISSION, session)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    if session.status == Status.CLOSED:
        raise ValidationError(_("A closed session can no longer be changed."))
    clean = _session_fields(
        title=title, starts_at=starts_at, ends_at=ends_at, venue=venue, proposals_close_at=proposals_close_at
    )
    changes = {f: [getattr(session, f), v] for f, v in clean.items() if getattr(session, f) != v}
    if not changes:
        return session
    for field, (_old, new) in changes.items():
        setattr(session, field, new)
    session.save(update_fields=list(changes))
    record(actor, "congress.session.updated", session, **{f: [str(o), str(n)] for f, (o, n) in changes.items()})
    return session


def allowed_transitions(session: CongressSession) -> list[str]:
    """The statuses ``session`` may move to next, in order."""
    return [to for (frm, to) in SESSION_TRANSITIONS if frm == session.status]


@transaction.atomic
def session_set_status(*, actor, session: CongressSession, status: str) -> CongressSession:
    """Open a planned session or close one in progress (``congress.manage``); other moves are refused."""
    require(actor, PERMISSION, session)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    if status == session.status:
        return session
    verb = SESSION_TRANSITIONS.get((session.status, status))
    if verb is None:
        raise ValidationError(
            {
                "status": _("A session that is “%(current)s” cannot become “%(status)s”.")
                % {"current": session.get_status_display(), "status": Status(status).label}
                if status in Status.values
                else _("Unknown status.")
            }
        )
    old = session.status
    session.status = status
    session.save(update_fields=["status"])
    record(actor, f"congress.session.{verb}", session, status=[old, status])
    return session


@transaction.atomic
def session_new_check_in_code(*, actor, session: CongressSession) -> CongressSession:
    """Draw a new check-in code for the hall's QR code (``congress.manage``); the old one stops working."""
    require(actor, PERMISSION, session)
    session = CongressSession.objects.select_for_update().get(pk=session.pk)
    session.check_in_code = new_check_in_code()
    session.save(update_fields=["check_in_code"])
    record(actor, "congress.session.check_in_code_drawn", session)
    return session
