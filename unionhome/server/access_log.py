"""Gunicorn's access log without the pages of anonymous appeals.

A person who sends or follows an anonymous appeal must not be linkable to it, and an access-log line
(address, time, path) would do that. Every page and API path a submitter of an anonymous appeal posts to
or reads lives under ``/voices/anonymous/`` or ``/api/v1/voices/anonymous/``: no access-log line is written
for them. ``manage.py serve`` starts gunicorn with ``--logger-class unionhome.server.access_log.AccessLogger``;
a deployment starting gunicorn itself must pass the same option (docs/deploy.md).
"""

import logging

from gunicorn.glogging import Logger

UNLOGGED_PREFIXES = ("/voices/anonymous/", "/api/v1/voices/anonymous/")


def is_unlogged(path: str) -> bool:
    """Whether a request path must leave no access-log line (also for a path without its last slash)."""
    path = path or ""
    return any(path.startswith(prefix) or path == prefix.rstrip("/") for prefix in UNLOGGED_PREFIXES)


class AccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if is_unlogged(environ.get("PATH_INFO", "")) or is_unlogged(getattr(req, "path", "") or ""):
            return
        super().access(resp, req, environ, request_time)


class AnonymousPathsFilter(logging.Filter):
    """Drops the application's log records about those paths too (Django's "Not Found: /voices/anonymous/…"
    warnings, errors with the request attached). Installed on every handler by ``settings.LOGGING``."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and is_unlogged(getattr(request, "path", "") or ""):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is left to the handler
            return True
        return not any(prefix.rstrip("/") in message for prefix in UNLOGGED_PREFIXES)
