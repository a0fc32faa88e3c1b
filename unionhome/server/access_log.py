"""Gunicorn's access log without the pages of anonymous appeals and of answering surveys.

A person who sends or follows an anonymous appeal must not be linkable to it, and an access-log line
(address, time, path) would do that. Every page and API path a submitter of an anonymous appeal posts to
or reads lives under ``/voices/anonymous/`` or ``/api/v1/voices/anonymous/``: no access-log line is written
for them. Nor for a survey's answering page, its thank-you page and the API that takes answers
(``/surveys/<id>/``, ``/api/v1/satisfaction/surveys/<id>/responses``): the time of an anonymous answer is
kept nowhere. ``manage.py serve`` starts gunicorn with ``--logger-class unionhome.server.access_log.AccessLogger``;
a deployment starting gunicorn itself must pass the same option (docs/deploy.md).
"""

import logging
import re

from gunicorn.glogging import Logger

UNLOGGED_PREFIXES = ("/voices/anonymous/", "/api/v1/voices/anonymous/")
# Answering a survey: a line with its time would date an anonymous answer that the survey tables do not
# date (named surveys are left out too: the path does not say which kind a survey is).
UNLOGGED_PATTERNS = (
    re.compile(r"/surveys/\d+(/|/thanks/?)?"),
    re.compile(r"/api/v1/satisfaction/surveys/\d+(/responses)?/?"),
)


def is_unlogged(path: str) -> bool:
    """Whether a request path must leave no access-log line (also for a path without its last slash)."""
    path = path or ""
    if any(pattern.fullmatch(path) for pattern in UNLOGGED_PATTERNS):
        return True
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
        if any(pattern.search(message) for pattern in UNLOGGED_PATTERNS):
            return False
        return not any(prefix.rstrip("/") in message for prefix in UNLOGGED_PREFIXES)
