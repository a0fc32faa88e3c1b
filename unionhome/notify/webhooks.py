"""Webhook addresses of WeCom and DingTalk group robots: checking them (against SSRF), hiding them, signing.

A webhook address is given by a person (their preferences) or an admin (a unit robot) and called by the
worker, so it must not be a way to make the server call anything else. Accepted only:

* WeCom: ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>``
* DingTalk: ``https://oapi.dingtalk.com/robot/send?access_token=<token>``

with no user, port or fragment. ``UNIONHOME_NOTIFY_WEBHOOK_HOSTS`` lists extra hosts (tests and
development: ``127.0.0.1``; a company relay) allowed over http or https, on any port, with the same path.
The worker checks the address again before each call and never follows a redirect.
"""

import base64
import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unionhome.notify.conf import setting
from unionhome.notify.models import Channel


@dataclass(frozen=True)
class Platform:
    host: str
    path: str
    credential: str  # the query parameter holding the robot's key


PLATFORMS = {
    Channel.WECOM: Platform("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    Channel.DINGTALK: Platform("oapi.dingtalk.com", "/robot/send", "access_token"),
}
MAX_URL_LENGTH = 500
MAX_SECRET_LENGTH = 200


def _allowed_extra_hosts() -> set[str]:
    return {h.strip().lower() for h in setting("UNIONHOME_NOTIFY_WEBHOOK_HOSTS") if h.strip()}


def webhook_check(channel: str, url: str) -> str:
    """The address, trimmed, when it is a robot webhook of ``channel``'s platform; else ValidationError."""
    url = (url or "").strip()
    platform = PLATFORMS.get(channel)
    example = f"https://{platform.host}{platform.path}?{platform.credential}=…" if platform else ""
    wrong = ValidationError(
        _("This is not a webhook address of this platform. It looks like %(example)s") % {"example": example},
        code="webhook",
    )
    if platform is None or not url or len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise wrong
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise wrong from None
    host = (parts.hostname or "").lower()
    extra = host in _allowed_extra_hosts()
    if extra:
        scheme_ok = parts.scheme in ("http", "https")
    else:
        scheme_ok = parts.scheme == "https" and host == platform.host and port in (None, 443)
    if not scheme_ok or parts.username or parts.password or parts.fragment or parts.path != platform.path:
        raise wrong
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    values = query.get(platform.credential, [])
    if len(values) != 1 or not values[0] or set(query) - {platform.credential}:
        raise wrong
    return url


def secret_check(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) > MAX_SECRET_LENGTH or not secret.isascii() or not secret.isprintable() or " " in secret:
        raise ValidationError(_("This signing secret is not valid: copy it again from the robot's settings."))
    return secret


def webhook_masked(url: str) -> str:
    """The address with its key hidden but for the last four characters, to recognise it by."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    name, values = next(iter(query.items()), ("key", [""]))
    tail = values[0][-4:] if values and len(values[0]) > 8 else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{name}=…{tail}"


def dingtalk_signed(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: ``&timestamp=<ms>&sign=<urlencoded base64(HMAC-SHA256(secret, "ts\\nsecret"))>``."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}&timestamp={timestamp_ms}&sign={sign}"
