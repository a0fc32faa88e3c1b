"""A survey's life: draft → open → closed, one explicit table.

::

             open                 close
    draft ─────────▶ open ─────────────▶ closed (final)

Only a draft is edited (its fields and its questions). ``open`` needs at least one question, sound
conditions, at most one overall question, and dates with ``closes_at`` after ``opens_at`` and still to
come (``services/building.py`` checks them); members answer an open survey between ``opens_at`` and
``closes_at``. ``close`` ends it early or after the fact; a closed survey is not reopened.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unionhome.surveys.models import Survey

# Who builds, sends, reminds about and closes a survey: chairs and vice chairs on its unit.
BUILD_PERMISSION = "satisfaction.manage_surveys"

Status = Survey.Status

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({Status.DRAFT}), Status.OPEN),
    "close": (frozenset({Status.OPEN}), Status.CLOSED),
}


def transition(survey: Survey, action: str) -> str:
    """Set ``survey.status`` to the action's target (the caller saves), or refuse with a clear message."""
    sources, target = TRANSITIONS[action]
    if survey.status not in sources:
        if action == "open":
            message = _("Only a draft survey can be opened; this one is %(status)s.")
        else:
            message = _("Only an open survey can be closed; this one is %(status)s.")
        raise ValidationError({"status": message % {"status": survey.get_status_display()}}, code="status")
    survey.status = target
    return target


def require_draft(survey: Survey) -> None:
    """Refuse a change to a survey that is no longer a draft."""
    if survey.status != Status.DRAFT:
        message = _("Only a draft survey can be changed; this one is %(status)s.")
        raise ValidationError({"status": message % {"status": survey.get_status_display()}}, code="status")


def is_answerable(survey: Survey, now: datetime.datetime) -> bool:
    """Open, and ``now`` inside its dates."""
    return (
        survey.status == Status.OPEN
        and survey.opens_at is not None
        and survey.closes_at is not None
        and survey.opens_at <= now < survey.closes_at
    )
