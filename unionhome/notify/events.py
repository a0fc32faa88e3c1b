"""Event groups: the part of a notification's ``kind`` before the first dot.

``"voices.appeal.routed"`` belongs to the group ``voices``. People choose channels per group, and unit
robots take the groups they are set up for. Groups not listed here (a new app's) still work: they follow
a person's defaults and are shown under their code."""

from django.utils.translation import gettext_lazy as _

EVENT_GROUPS = {
    "voices": _("Workers' appeals"),
    "assistance": _("Hardship assistance"),
    "congress": _("Workers' congress"),
    "disclosure": _("Factory-affairs disclosure"),
    "satisfaction": _("Satisfaction ratings"),
}


def event_group(kind: str) -> str:
    """The event group of a notification kind: the part before the first dot."""
    return kind.split(".", 1)[0]


def group_label(group: str) -> str:
    return str(EVENT_GROUPS.get(group, group))
