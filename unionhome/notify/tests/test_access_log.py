"""Gunicorn's access logger writes no line for the pages of anonymous appeals, and every other line."""

import io
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from unionhome.server.access_log import AccessLogger, is_unlogged


@pytest.mark.parametrize(
    ("path", "unlogged"),
    [
        ("/voices/anonymous/", True),
        ("/voices/anonymous/new/", True),
        ("/voices/anonymous", True),
        ("/api/v1/voices/anonymous/appeals", True),
        ("/voices/", False),
        ("/voices/anonymously/", False),
        ("/api/v1/voices/appeals", False),
        ("/notify/", False),
        ("/surveys/12/", True),
        ("/surveys/12", True),
        ("/surveys/12/thanks/", True),
        ("/api/v1/satisfaction/surveys/12/responses", True),
        ("/api/v1/satisfaction/surveys/12", True),
        ("/surveys/", False),
        ("/surveys/manage/12/", False),
        ("/surveys/manage/12/results/", False),
        ("/api/v1/satisfaction/surveys/manage/12/results", False),
    ],
)
def test_which_paths_leave_no_line(path, unlogged):
    assert is_unlogged(path) is unlogged


def access_lines(path: str) -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s')
    logger = AccessLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        logger.access_log.removeHandler(handler)
    logger.access_log.addHandler(logging.StreamHandler(stream))
    environ = {
        "PATH_INFO": path,
        "RAW_URI": path,
        "REQUEST_METHOD": "POST",
        "REMOTE_ADDR": "10.1.2.3",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    request = SimpleNamespace(path=path, headers=[], method="POST", query="", uri=path, version=(1, 1))
    logger.access(response, request, environ, __import__("datetime").timedelta(seconds=0.01))
    return stream.getvalue()


def test_the_logger_drops_anonymous_lines_and_keeps_others():
    assert access_lines("/voices/anonymous/new/") == ""
    assert access_lines("/api/v1/voices/anonymous/appeals") == ""
    line = access_lines("/voices/")
    assert '"POST /voices/" 200' in line and "10.1.2.3" in line
