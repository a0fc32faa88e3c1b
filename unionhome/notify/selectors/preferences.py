"""A person's own preferences as the page and the API show them (webhooks masked, never in full)."""

from dataclasses import dataclass

from unionhome.notify.events import EVENT_GROUPS
from unionhome.notify.models import Channel, Preferences
from unionhome.notify.services.deliveries import available_channels, group_choice
from unionhome.notify.webhooks import webhook_masked


@dataclass
class GroupRow:
    group: str
    label: str
    channels: list[str]
    digest: bool


def preferences_of(user) -> Preferences:
    """The person's preferences, or the defaults (unsaved) when they never changed them."""
    return Preferences.objects.filter(user_id=user.pk).first() or Preferences(user=user)


def preferences_view(user) -> dict:
    prefs = preferences_of(user)
    rows = []
    for group, label in EVENT_GROUPS.items():
        channels, digest = group_choice(prefs, group)
        rows.append(GroupRow(group, str(label), channels, digest))
    return {
        "preferences": prefs,
        "email": user.email,
        "available": available_channels(user, prefs),
        "wecom_webhook": webhook_masked(prefs.wecom_webhook),
        "dingtalk_webhook": webhook_masked(prefs.dingtalk_webhook),
        "dingtalk_signed": bool(prefs.dingtalk_secret),
        "groups": rows,
        "channels": list(Channel.choices),
    }
