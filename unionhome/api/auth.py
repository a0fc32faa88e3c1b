"""Bearer-token authentication for the API.

A token is looked up by its SHA-256 digest (the raw value is never stored). Expired tokens and
tokens of disabled accounts are refused; a password change or disabling deletes the tokens
(``accounts.services``). The request's user becomes the token's user, so every endpoint asks
the same permission policy as the pages do. Session cookies are not accepted by the API at all:
a browser's session cannot be used for API calls, so there is nothing for CSRF to protect here.
"""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from unionhome.accounts.models import ApiToken, User
from unionhome.api.errors import not_authenticated

# last_used_at is written at most this often per token, so busy clients do not write on every call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def user_for_token(raw: str) -> User:
    """The active user a raw bearer token belongs to, or an ``ApiProblem`` (401)."""
    raw = raw.strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise not_authenticated("token_invalid", _("This token is not valid. Ask for a new one."))
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
    if token is None or not token.user.is_active or getattr(token.user, "must_change_password", False):
        raise not_authenticated("token_invalid", _("This token is not valid. Ask for a new one."))
    now = timezone.now()
    if token.expires_at <= now:
        raise not_authenticated("token_expired", _("This token has expired. Ask for a new one."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        request.user = user  # the same policy as the pages, through request.user and request.auth
        return user
