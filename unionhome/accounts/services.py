"""Every write to accounts: passwords, second factor, disabling, API tokens."""

import base64
import binascii
import datetime
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.policy import require
from unionhome.accounts.models import ApiToken, User
from unionhome.audit.recorder import record


def _end_sessions(user: User, keep_session_key: str | None = None) -> None:
    """Drop the user's server-side sessions (other than ``keep_session_key``) and API tokens."""
    from django.contrib.sessions.models import Session

    user.api_tokens.all().delete()
    ended = user.sessions.exclude(session_key=keep_session_key or "")
    Session.objects.filter(session_key__in=ended.values("session_key")).delete()
    ended.delete()


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str, keep_session_key: str | None) -> None:
    """The actor changes their own password; every other session and token of theirs ends."""
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "password_changed_at"])
    _end_sessions(actor, keep_session_key)
    record(actor, "accounts.password_changed", actor)


@transaction.atomic
def account_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable or re-enable an account; disabling ends all its sessions and tokens at once."""
    target = user.member if user.member_id else None
    require(actor, "accounts.manage", target) if target else require(actor, "accounts.manage")
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _end_sessions(user)
    record(actor, "accounts.enabled" if active else "accounts.disabled", user)
    return user


def totp_key_from_base32(secret: str) -> str:
    """django-otp stores TOTP keys in hex; authenticator apps show base32."""
    try:
        return binascii.hexlify(base64.b32decode(secret.replace(" ", "").upper())).decode()
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("Not a valid base32 secret.")) from exc


@transaction.atomic
def second_factor_enrol(*, actor: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an unconfirmed TOTP device with a first code from the authenticator app."""
    if device.user_id != actor.pk:
        raise ValidationError(_("This device belongs to someone else."))
    if not device.verify_token(token.strip()):
        raise ValidationError({"token": _("The code is wrong or has expired. Try the current one.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor, "accounts.second_factor_enrolled", actor)
    return device


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    """A new bearer token; only its digest is stored, the raw value is shown once."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.UNIONHOME_API_TOKEN_HOURS),
    )
    record(user, "accounts.api_token_issued", user)
    return raw, token
