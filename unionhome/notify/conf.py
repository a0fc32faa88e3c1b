"""The notify app's settings (``UNIONHOME_NOTIFY_*``), read at call time so tests can change them.

Each has a safe default here; ``unionhome/settings.py`` sets them from environment variables of the same
name (see docs/notify.md)."""

from django.conf import settings

DEFAULTS = {
    # How many times a delivery is tried before it is marked failed.
    "UNIONHOME_NOTIFY_MAX_ATTEMPTS": 6,
    # Backoff before attempt n+1: BACKOFF * 2**(n-1) seconds, at most BACKOFF_MAX, with jitter (×0.5–1).
    "UNIONHOME_NOTIFY_BACKOFF_SECONDS": 30,
    "UNIONHOME_NOTIFY_BACKOFF_MAX_SECONDS": 3600,
    # How long a webhook or mail server may take to answer, in seconds.
    "UNIONHOME_NOTIFY_TIMEOUT_SECONDS": 5.0,
    # A delivery still "sending" this long after its claim was interrupted (the worker stopped).
    "UNIONHOME_NOTIFY_CLAIM_TIMEOUT_SECONDS": 300,
    # A queued delivery due this long ago with no live task had its task lost: the sweep queues it again.
    "UNIONHOME_NOTIFY_LOST_AFTER_SECONDS": 120,
    # Extra webhook hosts allowed besides the platforms' own (over http too): "127.0.0.1" in tests and
    # development, or a company's internal relay. Empty in production.
    "UNIONHOME_NOTIFY_WEBHOOK_HOSTS": [],
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
