"""Visit limits and input checks: the default due days, the bounds of dates and texts."""

import datetime
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unionhome.assistance.models import Occasion
from unionhome.org.models import Member

# Life events that make a visit due, and within how many days when the union has set no rule.
DEFAULT_DUE_DAYS: dict[str, int] = {
    Occasion.ILLNESS: 3,
    Occasion.BEREAVEMENT: 2,
    Occasion.CHILDBIRTH: 7,
    Occasion.MARRIAGE: 7,
    Occasion.RETIREMENT: 7,
    Occasion.DISASTER: 1,
}
LIFE_EVENTS: tuple[str, ...] = tuple(DEFAULT_DUE_DAYS)
CAMPAIGN_OCCASIONS: tuple[str, ...] = (Occasion.WINTER, Occasion.SUMMER, Occasion.FESTIVAL)

MAX_DUE_DAYS = 90
# A life event may be reported ahead (a planned operation, a wedding) or late, within these bounds.
REPORT_AHEAD_DAYS = 60
REPORT_LATE_DAYS = 366
CAMPAIGN_AHEAD_DAYS = 366
MAX_VISITORS = 20
NOTE_LIMIT = 300  # Visit.reason
FINDINGS_LIMIT = 5000
NEEDS_LIMIT = 2000
CANCEL_REASON_LIMIT = 300
# Members are inserted into a campaign this many at a time (a federation's subtree has hundreds of thousands).
CAMPAIGN_BATCH = 2000
# Members whose visits a campaign makes: active and retired members (not those who left or transferred).
VISITABLE_STATUSES = (Member.Status.ACTIVE, Member.Status.RETIRED)


def checked_text(
    value: Any, field: str, limit: int, *, multiline: bool = False, required_message: str | None = None
) -> str:
    """Trimmed text of at most ``limit`` characters without control characters (a ``ValidationError`` otherwise)."""
    text = "" if value is None else str(value).strip()
    allowed = {"\n", "\r", "\t"} if multiline else set()
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        raise ValidationError({field: _("This text contains control characters or invalid characters.")})
    if required_message and not text:
        raise ValidationError({field: required_message})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


def checked_date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: _("Enter a date such as 2026-03-01.")}) from None
    return value
