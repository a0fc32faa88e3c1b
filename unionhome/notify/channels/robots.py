"""WeCom and DingTalk group robots: a markdown message POSTed as JSON; success is ``{"errcode": 0}``.

* WeCom: ``{"msgtype": "markdown", "markdown": {"content": "..."}}`` (content at most 4096 bytes).
* DingTalk: ``{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}``, signed when the robot
  has a secret (``webhooks.dingtalk_signed``).

Standard library only (``urllib``), a short timeout, no redirects followed, the address checked again
(``webhooks.webhook_check``) right before the call. Which ``errcode`` is worth trying again: ``robot_errors``.
"""

import json
import socket
import time
import urllib.error
import urllib.request

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unionhome.notify.channels import Outgoing, PermanentFailure, TemporaryFailure
from unionhome.notify.channels.robot_errors import errcode_is_permanent
from unionhome.notify.conf import setting
from unionhome.notify.models import Channel
from unionhome.notify.webhooks import dingtalk_signed, webhook_check

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is answered as an error, never followed


_opener = urllib.request.build_opener(_NoRedirect)


# What people typed (an appeal's title, a reason) must not become a link or markup in a group chat: the
# characters that open links, images and tags are shown as their full-width forms.
_INERT = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞"})


def _plain(text: str) -> str:
    return text.translate(_INERT)


def _markdown(message: Outgoing) -> str:
    title = _plain(" ".join(message.title.split()))
    lines = [f"**{title}**"]
    if message.body.strip():
        lines.append(_plain(message.body.strip()))
    if message.link:
        lines.append(f"[{_('Open in UnionHome')}]({message.link})")
    return "\n\n".join(lines)


def _fit_bytes(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def wecom_payload(message: Outgoing) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": _fit_bytes(_markdown(message), WECOM_MAX_BYTES)}}


def dingtalk_payload(message: Outgoing) -> dict:
    title = " ".join(message.title.split())[:100] or "UnionHome"
    text = _markdown(message)
    if len(text) > DINGTALK_MAX_CHARS:
        text = text[: DINGTALK_MAX_CHARS - 1] + "…"
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def send_robot(channel: str, webhook: str, secret: str, message: Outgoing) -> None:
    try:
        url = webhook_check(channel, webhook)
    except ValidationError as exc:
        raise PermanentFailure(
            _("The webhook address is not allowed (any more): %(why)s") % {"why": exc.messages[0]}
        ) from None
    if channel == Channel.WECOM:
        payload = wecom_payload(message)
    else:
        payload = dingtalk_payload(message)
        if secret:
            url = dingtalk_signed(url, secret, int(time.time() * 1000))
    _post(channel, url, payload)


def _post(channel: str, url: str, payload: dict) -> None:
    timeout = setting("UNIONHOME_NOTIFY_TIMEOUT_SECONDS")
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        status = exc.code
        if status >= 500 or status == 429:
            raise TemporaryFailure(_("The robot's server answered HTTP %(status)s.") % {"status": status}) from exc
        raise PermanentFailure(_("The robot's server answered HTTP %(status)s.") % {"status": status}) from exc
    except TimeoutError as exc:
        raise TemporaryFailure(
            _("The robot's server did not answer within %(seconds)s seconds.") % {"seconds": timeout}
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise TemporaryFailure(
                _("The robot's server did not answer within %(seconds)s seconds.") % {"seconds": timeout}
            ) from exc
        raise TemporaryFailure(
            _("Could not reach the robot's server (%(error)s).") % {"error": _reason_text(exc.reason)}
        ) from exc
    except OSError as exc:
        raise TemporaryFailure(
            _("Could not reach the robot's server (%(error)s).") % {"error": _reason_text(exc)}
        ) from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
        errcode = answer.get("errcode")
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise TemporaryFailure(
            _("The robot's server answered HTTP %(status)s without the expected JSON.") % {"status": status}
        ) from None
    if errcode == 0:
        return
    said = {"code": errcode, "message": str(answer.get("errmsg", ""))[:200]}
    if errcode_is_permanent(channel, errcode):
        raise PermanentFailure(
            _("The platform refused the message and will refuse it again: errcode %(code)s, %(message)s.") % said
        )
    raise TemporaryFailure(_("The platform refused the message: errcode %(code)s, %(message)s.") % said)


def _reason_text(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(reason, socket.gaierror):
        return _("unknown host")
    return reason.__class__.__name__ if isinstance(reason, BaseException) else str(reason)[:100]
