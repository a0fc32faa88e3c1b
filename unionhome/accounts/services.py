"""Every write to accounts: logins for members, passwords, second factor, disabling, sessions, API tokens.

Account administration (creating a login, resetting a password or second factor, disabling) needs the
permission ``accounts.manage`` over every org unit the account belongs to: its member's unit and the
units of its roles. Platform staff accounts are managed by platform staff only.
"""

import base64
import binascii
import datetime
import math
import secrets

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.policy import PermissionRefused, grants_of, require, requires_second_factor
from unionhome.accounts.backends import LOGIN_MAX_LENGTH
from unionhome.accounts.models import ApiToken, User, UserSession
from unionhome.audit.recorder import record

GENERIC_LOGIN_ERROR = gettext_lazy("The login or password is wrong, or the account is locked. Try again later.")
MANAGE = "accounts.manage"
PASSWORD_MAX_LENGTH = 128


# --- Sessions ------------------------------------------------------------------------------------


def session_remember(*, user: User, session_key: str) -> None:
    """Note that ``session_key`` belongs to ``user`` (so it can be ended later) and forget the user's dead sessions."""
    UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    UserSession.objects.filter(user=user).exclude(session_key=session_key).exclude(session_key__in=live).delete()


def _end_sessions(user: User, keep_session_key: str | None = None) -> None:
    """Drop the user's server-side sessions (other than ``keep_session_key``) and all their API tokens."""
    user.api_tokens.all().delete()
    ended = user.sessions.exclude(session_key=keep_session_key or "")
    Session.objects.filter(session_key__in=list(ended.values_list("session_key", flat=True))).delete()
    ended.delete()


# --- Passwords -----------------------------------------------------------------------------------

_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read out and type


def one_time_password(user: User) -> str:
    """A random initial password such as ``k7qm-x3tp-9wra`` that passes the password validators."""
    for _attempt in range(20):
        raw = "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(12))
        password = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("could not make a one-time password that passes the password validators")


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str, keep_session_key: str | None) -> None:
    """The actor changes their own password; every other session and every API token of theirs ends."""
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    if new_password == old_password:
        raise ValidationError({"new_password": _("Choose a password different from the current one.")})
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    actor.set_password(new_password)
    actor.password_changed_at = timezone.now()
    actor.must_change_password = False
    actor.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _end_sessions(actor, keep_session_key)
    record(actor, "accounts.password_changed", actor)


# --- Account administration ----------------------------------------------------------------------


def account_unit_paths(user: User) -> list[str]:
    """The org units an account belongs to: its member's unit and the units of its roles."""
    paths = [a.unit.path for a in user.role_assignments.select_related("unit")]
    if user.member_id:
        paths.append(user.member.unit_path)
    return paths


def can_manage_account(actor: User, user: User) -> bool:
    """Whether ``actor`` holds ``accounts.manage`` over every unit ``user`` belongs to."""
    from unionhome.org.models import OrgUnit

    grants = [g for g in grants_of(actor) if MANAGE in g.permissions]
    if not grants:
        return False
    if user.is_superuser and not actor.is_superuser:
        return False
    if user.is_staff and not (actor.is_staff or actor.is_superuser):
        return False
    paths = account_unit_paths(user)
    if not paths:  # an account tied to no unit: only those who manage accounts from a root of the tree
        return any(len(g.unit_path) == OrgUnit.steplen for g in grants)
    return all(any(path.startswith(g.unit_path) for g in grants) for path in paths)


def require_manage_account(actor: User, user: User) -> None:
    require(actor, MANAGE)
    if not can_manage_account(actor, user):
        raise PermissionRefused(MANAGE)


@transaction.atomic
def account_create_for_member(*, actor: User, member) -> tuple[User, str]:
    """Give a member a login with a one-time password, which they must change at their first login.

    Returns the account and the password, which is shown once and never stored in clear.
    """
    from unionhome.org.models import Member

    require(actor, MANAGE, member)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if User.objects.filter(member=member).exists():
        raise ValidationError(_("%(member)s already has a login.") % {"member": member})
    if member.status in (Member.Status.LEFT, Member.Status.TRANSFERRED):
        raise ValidationError(_("%(member)s has left the union and cannot get a login.") % {"member": member})
    username = f"member-{member.pk}"
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The username %(username)s is taken.") % {"username": username})
    user = User(username=username, display_name=member.name, member=member, must_change_password=True)
    password = one_time_password(user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    record(actor, "accounts.login_created", user, member=member.pk)
    return user, password


@transaction.atomic
def password_reset(*, actor: User, user: User) -> str:
    """Give an account a new one-time password; all its sessions and tokens end, and its lockout is lifted.

    Returns the password, which is shown once and never stored in clear.
    """
    require_manage_account(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Change your own password on the password page."))
    user = User.objects.select_for_update().get(pk=user.pk)
    password = one_time_password(user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _end_sessions(user)
    if settings.AXES_ENABLED:
        AxesProxyHandler.reset_attempts(username=user.username)
    record(actor, "accounts.password_reset", user)
    return password


@transaction.atomic
def account_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable or re-enable an account; disabling ends all its sessions and tokens at once."""
    require_manage_account(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _end_sessions(user)
    record(actor, "accounts.enabled" if active else "accounts.disabled", user)
    return user


@transaction.atomic
def second_factor_reset(*, actor: User, user: User) -> None:
    """Remove an account's authenticator (a lost phone): it enrols a new one at its next login."""
    require_manage_account(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Another administrator must reset your own second factor."))
    TOTPDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    record(actor, "accounts.second_factor_reset", user)


@transaction.atomic
def account_set_email(*, actor: User, email: str) -> User:
    """Set (or, with an empty value, remove) the address where the actor's own notifications are emailed."""
    if actor is None or not actor.is_authenticated:
        raise ValidationError(_("Log in to change your email address."))
    address = (email or "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address, such as name@example.com.")}) from None
        if len(address) > User._meta.get_field("email").max_length:
            raise ValidationError({"email": _("This email address is too long.")})
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.email == address:
        return user
    old = user.email
    user.email = address
    user.save(update_fields=["email"])
    actor.email = address
    record(actor, "accounts.email_changed", user, email=[_masked_email(old), _masked_email(address)])
    return user


def _masked_email(address: str) -> str:
    """``z***@example.com``: enough to tell addresses apart in the audit trail, not to harvest them."""
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


# --- Second factor -------------------------------------------------------------------------------


class SecondFactorRefused(ValidationError):
    """A TOTP code was refused: wrong, expired, or too soon after wrong ones (``retry_after`` seconds)."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__({"token": [message]})
        self.retry_after = retry_after


def totp_key_from_base32(secret: str) -> str:
    """django-otp stores TOTP keys in hex; authenticator apps show base32."""
    try:
        return binascii.hexlify(base64.b32decode(secret.replace(" ", "").upper())).decode()
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("Not a valid base32 secret.")) from exc


def _check_totp(device: TOTPDevice, token: str) -> None:
    """Verify a code, with django-otp's throttling: each wrong code doubles the wait before the next try.

    Not inside a transaction on purpose: the failure count must be kept even though the caller raises.
    """
    allowed, info = device.verify_is_allowed()
    if not allowed:
        until = (info or {}).get("locked_until")
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
        raise SecondFactorRefused(
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then enter the current code.",
                "Too many wrong codes. Wait %(seconds)d seconds, then enter the current code.",
                seconds,
            )
            % {"seconds": seconds},
            retry_after=seconds,
        )
    if not device.verify_token((token or "").strip()):  # a wrong or malformed code counts as a failure
        raise SecondFactorRefused(_("The code is wrong or has expired. Try the current one."))


def second_factor_enrol(*, actor: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an unconfirmed TOTP device with a first code from the authenticator app."""
    if device.user_id != actor.pk:
        raise ValidationError(_("This device belongs to someone else."))
    _check_totp(device, token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor, "accounts.second_factor_enrolled", actor)
    return device


def second_factor_verify(*, actor: User, device: TOTPDevice, token: str) -> None:
    """Check a code from the actor's confirmed authenticator."""
    if device.user_id != actor.pk or not device.confirmed:
        raise ValidationError(_("This device belongs to someone else."))
    _check_totp(device, token)
    record(actor, "accounts.second_factor_passed", actor)


# --- API tokens ----------------------------------------------------------------------------------


class LoginRefused(Exception):
    """A token login was refused. ``code`` says why; ``message`` is safe to show; ``status`` is the HTTP status.

    Wrong login, wrong password, disabled and locked accounts all give the same message.
    """

    INVALID = "invalid"
    LOCKED = "locked"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    SECOND_FACTOR_NOT_ENROLLED = "second_factor_not_enrolled"
    SECOND_FACTOR_WRONG = "second_factor_wrong"
    SECOND_FACTOR_THROTTLED = "second_factor_throttled"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"

    def __init__(self, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        if self.code in (self.LOCKED, self.SECOND_FACTOR_THROTTLED):
            return 429
        if self.code == self.PASSWORD_CHANGE_REQUIRED:
            return 403
        return 401


def authenticate_for_token(request, *, login: str, password: str, otp_code: str | None = None) -> User:
    """Check a login for the API exactly as the login page does, then return the user (or raise ``LoginRefused``).

    The password goes through ``django.contrib.auth.authenticate``, so django-axes counts failures and
    locks out exactly as on the login page (the same counter: a lockout on either refuses both). Accounts
    that need a second factor must send a current TOTP code; a wrong code counts as a failed login too,
    and django-otp's throttling applies. A full success resets the failure count (AXES_RESET_ON_SUCCESS).

    Call it outside ``transaction.atomic`` (the failure counts must survive the refusal); then issue the
    token with ``api_token_issue(user=user)``.
    """
    login = (login or "").strip()
    if not login or len(login) > LOGIN_MAX_LENGTH or not password or len(password) > PASSWORD_MAX_LENGTH:
        raise LoginRefused(LoginRefused.INVALID, str(GENERIC_LOGIN_ERROR))
    user = authenticate(request=request, login=login, password=password)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        raise LoginRefused(LoginRefused.LOCKED if locked else LoginRefused.INVALID, str(GENERIC_LOGIN_ERROR))
    if requires_second_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise LoginRefused(
                LoginRefused.SECOND_FACTOR_NOT_ENROLLED,
                _("Your role needs a second factor. Log in on the web once to set up your authenticator app."),
            )
        if not otp_code:
            raise LoginRefused(
                LoginRefused.SECOND_FACTOR_REQUIRED,
                _("Your role needs the six-digit code from your authenticator app."),
            )
        try:
            _check_totp(device, str(otp_code))
        except SecondFactorRefused as exc:
            if exc.retry_after is not None:
                raise LoginRefused(
                    LoginRefused.SECOND_FACTOR_THROTTLED, exc.messages[0], retry_after=exc.retry_after
                ) from exc
            user_login_failed.send(sender=__name__, credentials={"login": login}, request=request)
            if getattr(request, "axes_locked_out", False):
                raise LoginRefused(LoginRefused.LOCKED, str(GENERIC_LOGIN_ERROR)) from exc
            raise LoginRefused(LoginRefused.SECOND_FACTOR_WRONG, exc.messages[0]) from exc
    if user.must_change_password:
        raise LoginRefused(
            LoginRefused.PASSWORD_CHANGE_REQUIRED,
            _("You were given a one-time password. Log in on the web and choose your own first."),
        )
    if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.reset_attempts(ip_address=getattr(request, "axes_ip_address", None), username=user.username)
    return user


@transaction.atomic
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
