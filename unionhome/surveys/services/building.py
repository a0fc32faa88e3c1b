"""Building a survey: create and change a draft, open it (which invites its audience) and close it
(``closing.py`` does the work of closing: the same for a cadre and for the closing job).

Who builds: a cadre allowed to run surveys on the survey's unit (``_require_builder``). Every call is one
transaction that checks the permission, then every field (a ``ValidationError`` with a message per field,
nothing written), then writes and records an audit event. The questions are in ``questions.py``.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.org.models import MemberTag, OrgUnit
from unionhome.surveys.audience import audience_members
from unionhome.surveys.models import Question, Survey, default_min_group
from unionhome.surveys.services.closing import close_locked, shuffle_after_close
from unionhome.surveys.services.invitations import invite_in_background, invite_sync_max, survey_invite
from unionhome.surveys.structure import structure_problems
from unionhome.surveys.text_rules import clean_text
from unionhome.surveys.workflow import BUILD_PERMISSION, require_draft, transition

TITLE_MAX_LENGTH = 100
INTRO_MAX_LENGTH = 2000
MIN_GROUP_MAX = 1000
AUDIENCE_UNITS_MAX = 50
AUDIENCE_TAGS_MAX = 20

EDITABLE = (
    "title",
    "intro",
    "is_anonymous",
    "opens_at",
    "closes_at",
    "min_group",
    "audience_units",
    "audience_tags",
    "representatives_only",
)


def _require_builder(actor: Any, unit: Any) -> None:
    """Refuse (``PermissionRefused``, naming the permission) anyone who may not build surveys on ``unit``."""
    require(actor, BUILD_PERMISSION, unit)


def locked(survey: Survey) -> Survey:
    """The survey re-read under a row lock (every change of one survey goes one at a time). ``FOR NO KEY
    UPDATE``: a response or an invitation written meanwhile (which only needs the key) is not held up."""
    return Survey.objects.select_for_update(no_key=True).select_related("unit").get(pk=survey.pk)


def _pks(values: Iterable[Any] | None) -> list[int] | None:
    if values is None or isinstance(values, str | bytes):
        return None
    pks = [getattr(v, "pk", v) for v in values]
    return pks if all(isinstance(pk, int) and not isinstance(pk, bool) for pk in pks) else None


def _clean_moment(value: object, field: str, errors: dict) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
        errors[field] = _("Give a date and time with its time zone.")
        return None
    return value


def _clean_fields(data: dict[str, Any], unit: OrgUnit) -> tuple[dict, dict]:
    """(cleaned values, errors by field) for the given fields of a survey run by ``unit``."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = clean_text(data["title"], field="title", max_length=TITLE_MAX_LENGTH, errors=errors)
    if "intro" in data:
        cleaned["intro"] = clean_text(
            data["intro"], field="intro", max_length=INTRO_MAX_LENGTH, errors=errors, multiline=True, required=False
        )
    for field in ("is_anonymous", "representatives_only"):
        if field in data:
            if not isinstance(data[field], bool):
                errors[field] = _("Choose yes or no.")
            cleaned[field] = data[field] is True
    for field in ("opens_at", "closes_at"):
        if field in data:
            cleaned[field] = _clean_moment(data[field], field, errors)
    if "min_group" in data:
        low, value = default_min_group(), data["min_group"]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MIN_GROUP_MAX:
            errors["min_group"] = _("Give a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": MIN_GROUP_MAX,
            }
        cleaned["min_group"] = value
    if "audience_units" in data:
        pks = _pks(data["audience_units"])
        units = list(OrgUnit.objects.filter(pk__in=pks)) if pks else []
        if not pks or len(set(pks)) > AUDIENCE_UNITS_MAX:
            errors["audience_units"] = _("Choose between 1 and %(max)s units.") % {"max": AUDIENCE_UNITS_MAX}
        elif len(units) != len(set(pks)) or not all(u.path.startswith(unit.path) for u in units):
            errors["audience_units"] = _("Choose units within %(unit)s.") % {"unit": unit.name}
        cleaned["audience_units"] = units
    if "audience_tags" in data:
        pks = _pks(data["audience_tags"])
        tags = list(MemberTag.objects.filter(pk__in=pks)) if pks else []
        if pks is None or len(set(pks)) > AUDIENCE_TAGS_MAX:
            errors["audience_tags"] = _("Choose at most %(max)s tags.") % {"max": AUDIENCE_TAGS_MAX}
        elif len(tags) != len(set(pks)):
            errors["audience_tags"] = _("Choose tags from the list.")
        cleaned["audience_tags"] = tags
    opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", _("The survey must close after it opens."))
    return cleaned, errors


def _plain(value: Any) -> Any:
    """A value as the audit trail keeps it (times as ISO text)."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _write(survey: Survey, cleaned: dict[str, Any]) -> dict[str, list]:
    """Apply cleaned values to a saved survey; returns the changes as [old, new] for the audit event."""
    changes: dict[str, list] = {}
    for field, value in cleaned.items():
        if field in ("audience_units", "audience_tags"):
            manager = getattr(survey, field)
            old = sorted(manager.values_list("pk", flat=True))
            new = sorted(obj.pk for obj in value)
            if old != new:
                manager.set(value)
                changes[field] = [old, new]
            continue
        old = getattr(survey, field)
        if old != value:
            setattr(survey, field, value)
            changes[field] = [_plain(old), _plain(value)]
    return changes


@transaction.atomic
def survey_create(*, actor: Any, unit: OrgUnit, title: str, **fields: Any) -> Survey:
    """A new draft survey run by ``unit``, sent (once opened) to ``audience_units`` (default: ``unit``).

    Fields: ``intro`` (up to 2,000 characters), ``is_anonymous``, ``opens_at`` and ``closes_at`` (aware
    datetimes, closing after opening), ``min_group`` (from ``SATISFACTION_MIN_GROUP`` up to 1,000: a survey
    may hide more, never less), ``audience_units`` (1–50 units within ``unit``), ``audience_tags`` (up to
    20), ``representatives_only``."""
    _require_builder(actor, unit)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"survey_create() got unknown fields {sorted(unknown)}")
    data = {"title": title, "audience_units": [unit], **fields}
    cleaned, errors = _clean_fields(data, unit)
    if errors:
        raise ValidationError(errors)
    survey = Survey(unit=unit, unit_path=unit.path, created_by=actor if actor.is_authenticated else None)
    for field, value in cleaned.items():
        if field not in ("audience_units", "audience_tags"):
            setattr(survey, field, value)
    survey.save()
    survey.audience_units.set(cleaned["audience_units"])
    survey.audience_tags.set(cleaned.get("audience_tags", []))
    record(
        actor,
        "surveys.survey.created",
        survey,
        title=survey.title,
        anonymous=survey.is_anonymous,
        audience_units=[u.pk for u in cleaned["audience_units"]],
    )
    return survey


@transaction.atomic
def survey_update(*, actor: Any, survey: Survey, **fields: Any) -> Survey:
    """Change the given fields of a draft survey (the same fields and rules as ``survey_create``)."""
    _require_builder(actor, survey)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"survey_update() got unknown fields {sorted(unknown)}")
    survey = locked(survey)
    require_draft(survey)
    data = dict(fields)
    for field in ("opens_at", "closes_at"):  # the pair is checked together
        data.setdefault(field, getattr(survey, field))
    cleaned, errors = _clean_fields(data, survey.unit)
    if errors:
        raise ValidationError(errors)
    changes = _write(survey, cleaned)
    if changes:
        survey.save()
        record(actor, "surveys.survey.updated", survey, **changes)
    return survey


def _open_problems(survey: Survey, now: datetime.datetime) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    problems = structure_problems(Question.objects.filter(survey=survey).order_by("position"))
    if problems:
        errors["questions"] = problems
    if survey.opens_at is None:
        errors["opens_at"] = _("Set when the survey opens.")
    if survey.closes_at is None:
        errors["closes_at"] = _("Set when the survey closes.")
    elif survey.opens_at is not None and survey.closes_at <= survey.opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    elif survey.closes_at <= now:
        errors["closes_at"] = _("The closing time has already passed.")
    if not survey.audience_units.exists():
        errors["audience_units"] = _("Choose at least one unit.")
    return errors


@transaction.atomic
def survey_open(*, actor: Any, survey: Survey) -> Survey:
    """Open a draft survey and invite its audience.

    Refused, with every problem listed, without a question, with a condition on a later question (or with
    values its question cannot take), with two overall questions, without both dates, or when it closes
    before it opens or has already closed. Members answer from ``opens_at`` to ``closes_at``.

    An audience of up to ``SURVEYS_INVITE_SYNC_MAX`` members (5,000) is invited in this transaction; a
    larger one by the task worker, in batches (``invite_in_background``), ``invited_count`` of
    ``audience_size`` saying how far it got. A member invited later can answer as soon as invited."""
    _require_builder(actor, survey)
    survey = locked(survey)
    transition(survey, "open")
    now = timezone.now()
    errors = _open_problems(survey, now)
    if errors:
        raise ValidationError(errors)
    survey.opened_at = now
    survey.audience_size = audience_members(survey).count()
    survey.save(update_fields=["status", "opened_at", "audience_size", "updated_at"])
    if survey.audience_size <= invite_sync_max():
        invited = survey_invite(survey=survey)
    else:
        invited = 0
        invite_in_background(survey)
    record(
        actor, "surveys.survey.opened", survey, status=["draft", "open"], invited=invited, audience=survey.audience_size
    )
    survey.refresh_from_db(fields=["invited_count", "invitations_done_at"])
    return survey


def survey_close(*, actor: Any, survey: Survey) -> Survey:
    """Close an open survey (early, or once its time is over): nobody can answer it any more. Final.

    An anonymous survey's responses are then rewritten in a random order (``closing.py``): at once for up
    to ``SURVEYS_SHUFFLE_SYNC_MAX`` responses, by the task worker for more."""
    with transaction.atomic():
        _require_builder(actor, survey)
        survey = close_locked(survey.pk, actor=actor)
    shuffle_after_close(survey)
    return survey
