"""A person's notification preferences: their robots' webhooks, channels per event group, quiet hours and
the daily digest's hour. Only their own (the actor is the person)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionhome.audit.recorder import record
from unionhome.notify.events import EVENT_GROUPS
from unionhome.notify.models import Channel, Preferences
from unionhome.notify.webhooks import secret_check, webhook_check

KEEP = None  # a webhook or secret argument left as None keeps what is stored; "" removes it


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()  # quiet hours not given: kept as they are


def _clean_groups(groups: dict) -> dict:
    if not isinstance(groups, dict) or any(g not in EVENT_GROUPS for g in groups):
        raise ValidationError({"groups": [_("Unknown kind of event.")]})
    cleaned = {}
    for group, choice in groups.items():
        channels = choice.get("channels", []) if isinstance(choice, dict) else None
        if not isinstance(channels, list | tuple) or any(c not in Channel.values for c in channels):
            raise ValidationError({"groups": [_("Unknown channel.")]})
        cleaned[group] = {
            "channels": [c for c in Channel.values if c in channels],
            "digest": bool(choice.get("digest", False)),
        }
    return cleaned


@transaction.atomic
def preferences_update(
    *,
    actor,
    groups: dict | None = None,
    quiet_start: datetime.time | None = UNCHANGED,
    quiet_end: datetime.time | None = UNCHANGED,
    digest_hour: int | None = None,
    wecom_webhook: str | None = KEEP,
    dingtalk_webhook: str | None = KEEP,
    dingtalk_secret: str | None = KEEP,
) -> Preferences:
    """Change the actor's own preferences. ``groups`` replaces the per-group choices given
    (``{"voices": {"channels": ["email", "wecom"], "digest": False}}``); groups not given keep theirs.
    Quiet hours: both times, both None (none), or not given (kept). Webhooks and the secret: None keeps, "" removes."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in to change your notification preferences."))
    errors: dict[str, list[str]] = {}
    checked: dict[str, str] = {}
    for field, channel, value in (
        ("wecom_webhook", Channel.WECOM, wecom_webhook),
        ("dingtalk_webhook", Channel.DINGTALK, dingtalk_webhook),
    ):
        if value:
            try:
                checked[field] = webhook_check(channel, value)
            except ValidationError as exc:
                errors[field] = exc.messages
        elif value == "":
            checked[field] = ""
    if dingtalk_secret:
        try:
            checked["dingtalk_secret"] = secret_check(dingtalk_secret)
        except ValidationError as exc:
            errors["dingtalk_secret"] = exc.messages
    elif dingtalk_secret == "":
        checked["dingtalk_secret"] = ""
    keep_quiet = quiet_start is UNCHANGED and quiet_end is UNCHANGED
    if not keep_quiet and (quiet_start is UNCHANGED or quiet_end is UNCHANGED):
        raise ValueError("give quiet_start and quiet_end together")
    if keep_quiet:
        quiet_start = quiet_end = None
    elif (quiet_start is None) != (quiet_end is None):
        errors["quiet_end" if quiet_end is None else "quiet_start"] = [
            _("Give both the start and the end of quiet hours, or neither.")
        ]
    elif quiet_start is not None and quiet_start == quiet_end:
        errors["quiet_end"] = [_("Quiet hours must end at another time than they start.")]
    if digest_hour is not None and not (isinstance(digest_hour, int) and 0 <= digest_hour <= 23):
        errors["digest_hour"] = [_("Choose an hour from 0 to 23.")]
    try:
        cleaned_groups = _clean_groups(groups) if groups is not None else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    Preferences.objects.get_or_create(user=actor)
    prefs = Preferences.objects.select_for_update().get(user=actor)
    before = _summary(prefs)
    for field, value in checked.items():
        setattr(prefs, field, value)
    if not prefs.dingtalk_webhook:
        prefs.dingtalk_secret = ""
    if cleaned_groups is not None:
        prefs.groups = {**prefs.groups, **cleaned_groups}
    if not keep_quiet:
        prefs.quiet_start, prefs.quiet_end = quiet_start, quiet_end
    if digest_hour is not None:
        prefs.digest_hour = digest_hour
    prefs.save()
    after = _summary(prefs)
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        record(actor, "notify.preferences.changed", actor, **changes)
    return prefs


def _summary(prefs: Preferences) -> dict:
    """What the audit trail keeps: which robots are set (never their addresses), quiet hours, digest hour."""
    return {
        "wecom": bool(prefs.wecom_webhook),
        "dingtalk": bool(prefs.dingtalk_webhook),
        "dingtalk_signed": bool(prefs.dingtalk_secret),
        "quiet_hours": f"{prefs.quiet_start:%H:%M}-{prefs.quiet_end:%H:%M}" if prefs.quiet_start else "",
        "digest_hour": prefs.digest_hour,
        "groups": ";".join(
            f"{g}:{','.join(c['channels'])}{'/digest' if c.get('digest') else ''}"
            for g, c in sorted(prefs.groups.items())
        ),
    }
