"""The caller's notification preferences: read, and change what is given (PATCH).

Webhook addresses are never given back in full (``…`` and their last four characters); the DingTalk
secret never at all, only whether one is set."""

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import LocalTime
from unionhome.notify.events import EVENT_GROUPS
from unionhome.notify.selectors.preferences import preferences_view
from unionhome.notify.services.preferences import UNCHANGED, preferences_update

router = Router(tags=["notifications"])

ChannelName = Literal["email", "wecom", "dingtalk"]
GroupName = Literal[tuple(EVENT_GROUPS)]  # type: ignore[valid-type]


class GroupChoice(Schema):
    channels: list[ChannelName] = Field(..., max_length=3, description="External channels (the inbox always).")
    digest: bool = Field(False, description="Wait for the daily digest instead of sending at once.")


class GroupOut(GroupChoice):
    group: str
    label: str


class PreferencesOut(Schema):
    email: str = Field(description="The account's email address (changed on the account page), or empty.")
    available: list[ChannelName] = Field(description="Channels set up: an email address, a robot webhook.")
    wecom_webhook: str = Field(description="The WeCom robot's webhook, masked; empty when none.")
    dingtalk_webhook: str = Field(description="The DingTalk robot's webhook, masked; empty when none.")
    dingtalk_signed: bool = Field(description="Whether a DingTalk signing secret is stored.")
    quiet_start: datetime.time | None
    quiet_end: datetime.time | None
    digest_hour: int
    groups: list[GroupOut]


class PreferencesIn(Schema):
    wecom_webhook: str | None = Field(None, max_length=500, description='Null keeps it, "" removes it.')
    dingtalk_webhook: str | None = Field(None, max_length=500, description='Null keeps it, "" removes it.')
    dingtalk_secret: str | None = Field(None, max_length=200, description='Null keeps it, "" removes it.')
    quiet_hours: bool | None = Field(None, description="False removes quiet hours; true sets them from the times.")
    quiet_start: LocalTime | None = None
    quiet_end: LocalTime | None = None
    digest_hour: int | None = Field(None, ge=0, le=23)
    groups: dict[GroupName, GroupChoice] | None = Field(None, description="Choices for the groups given.")


def preferences_out(user) -> dict:
    view = preferences_view(user)
    prefs = view["preferences"]
    return {
        "email": view["email"],
        "available": view["available"],
        "wecom_webhook": view["wecom_webhook"],
        "dingtalk_webhook": view["dingtalk_webhook"],
        "dingtalk_signed": view["dingtalk_signed"],
        "quiet_start": prefs.quiet_start,
        "quiet_end": prefs.quiet_end,
        "digest_hour": prefs.digest_hour,
        "groups": [
            {"group": r.group, "label": r.label, "channels": r.channels, "digest": r.digest} for r in view["groups"]
        ],
    }


@router.get(
    "/preferences",
    response={200: PreferencesOut, 401: ErrorOut},
    operation_id="notify_preferences",
    summary="The caller's notification preferences",
)
def preferences(request: HttpRequest):
    """Channels per event group, quiet hours, the digest hour and the robots set up (masked)."""
    return preferences_out(request.auth)


@router.patch(
    "/preferences",
    response={200: PreferencesOut, 401: ErrorOut, 422: ValidationErrorOut},
    operation_id="notify_preferences_update",
    summary="Change the caller's notification preferences",
)
def preferences_change(request: HttpRequest, payload: PreferencesIn):
    """Changes only what is given. A webhook must be the platform's robot address (422 otherwise)."""
    quiet: dict = {}
    if payload.quiet_hours is False:
        quiet = {"quiet_start": None, "quiet_end": None}
    elif payload.quiet_hours:
        quiet = {"quiet_start": payload.quiet_start, "quiet_end": payload.quiet_end}
    else:
        quiet = {"quiet_start": UNCHANGED, "quiet_end": UNCHANGED}
    preferences_update(
        actor=request.auth,
        wecom_webhook=payload.wecom_webhook,
        dingtalk_webhook=payload.dingtalk_webhook,
        dingtalk_secret=payload.dingtalk_secret,
        digest_hour=payload.digest_hour,
        groups={g: c.model_dump() for g, c in payload.groups.items()} if payload.groups is not None else None,
        **quiet,
    )
    return preferences_out(request.auth)
