"""Email over SMTP with Django's backend (``EMAIL_*`` settings), one message per connection."""

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from unionhome.notify.channels import Outgoing, PermanentFailure, TemporaryFailure
from unionhome.notify.conf import setting


def message_id(idempotency_key: str) -> str:
    """A Message-ID derived from the delivery's idempotency key: a resend carries the same one, so a mail
    server or client that saw it already can tell."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    domain = (settings.UNIONHOME_SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]) or "unionhome.local"
    return f"<{digest}.notify@{domain}>"


def email_text(message: Outgoing) -> tuple[str, str]:
    subject = " ".join(message.title.split())  # no line breaks in a mail header
    parts = [message.body.strip()] if message.body.strip() else []
    if message.link:
        parts.append(_("Open it in UnionHome: %(url)s") % {"url": message.link})
    parts.append(
        "-- \n"
        + _(
            "You receive this email because you gave this address to UnionHome for notifications. "
            "You can change or remove it on your account page."
        )
    )
    return subject, "\n\n".join(parts)


def send_email(address: str, message: Outgoing) -> None:
    subject, text = email_text(message)
    mail = EmailMessage(
        subject=subject, body=text, to=[address], headers={"Message-ID": message_id(message.idempotency_key)}
    )
    timeout = setting("UNIONHOME_NOTIFY_TIMEOUT_SECONDS")
    try:
        connection = get_connection(fail_silently=False, timeout=timeout)
        mail.connection = connection
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()), (0, b""))
        raise _smtp_failure(code, answer) from exc
    except smtplib.SMTPResponseException as exc:
        raise _smtp_failure(exc.smtp_code, exc.smtp_error) from exc
    except TimeoutError as exc:
        raise TemporaryFailure(
            _("The mail server did not answer within %(seconds)s seconds.") % {"seconds": timeout}
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(
            _("Could not reach the mail server %(host)s:%(port)s (%(error)s).")
            % {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT, "error": exc.__class__.__name__}
        ) from exc


def _smtp_failure(code: int, answer: bytes | str) -> Exception:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    reason = _("The mail server answered %(code)s %(text)s.") % {"code": code, "text": text[:200]}
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)
