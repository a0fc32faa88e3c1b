"""After an anonymous appeal — sent with a photo, followed up, rated, reopened, through the pages and the
API — nothing in the database, the audit trail, the task queue or the logs links it to its member.

The member logs in first (that is recorded, as it should be); a snapshot of every table is taken; then
the anonymous appeal goes its whole way, with the handler answering through the handling service and
the task worker running. Every row that is new or changed since the snapshot, in every table of every
installed app (sessions, audit, notifications, ratings, task results with their arguments…), is then
searched for the member: a foreign key to their account or member record, or their user id, username,
name or employee number in any text. The captured logs (DEBUG and up) are searched the same way, and
every path the submitter used is one the gunicorn access log leaves out.
"""

import datetime
import io
import json
import logging
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone
from gunicorn.config import Config

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.server.access_log import AccessLogger, is_unlogged
from unionhome.voices.models import Appeal
from unionhome.voices.services.announcements import anonymous_actions_announce
from unionhome.voices.services.handling import appeal_reply
from unionhome.voices.tests.appeal_helpers import answer, jpeg_with_metadata, upload

# Rows whose only change may be a time of last activity.
ACTIVITY_ONLY = {"sessions.Session": {"expire_date"}, "accounts.ApiToken": {"last_used_at"}}
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def every_model() -> list[type[models.Model]]:
    found = list(apps.get_models(include_auto_created=True))
    assert any(m._meta.label == "django_tasks_database.DBTaskResult" for m in found)
    assert any(m._meta.label == "sessions.Session" for m in found)
    return found


def snapshot() -> dict[str, dict]:
    """Every row of every table, by primary key, as its raw column values."""
    rows = {}
    for model in every_model():
        columns = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = {row[0]: row for row in model._base_manager.order_by().values_list("pk", *columns)}
    return rows


def changed_rows(before: dict, after: dict):
    for label, now in after.items():
        then = before.get(label, {})
        for pk, row in now.items():
            if then.get(pk) != row:
                yield label, pk, row


def links_to(model, row: tuple, person: dict) -> list[str]:
    """What in ``row`` (pk then the concrete fields' values) points at the person."""
    found = []
    fields = model._meta.concrete_fields
    for field, value in zip(fields, row[1:], strict=True):
        if value is None:
            continue
        if field.is_relation:
            target = field.related_model._meta.label
            if (target == "accounts.User" and value == person["user_id"]) or (
                target == "org.Member" and value == person["member_id"]
            ):
                found.append(f"{field.name} -> {target} {value}")
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        for word in person["words"]:
            if word in text:
                found.append(f"{field.name} contains {word!r}")
        if field.name in ("object_id", "item_id", "args_kwargs", "return_value") and re.search(
            rf"(?<!\d){person['user_id']}(?!\d)|(?<!\d){person['member_id']}(?!\d)", text
        ):
            # An id of the person in a generic reference: allowed only where it names something else.
            found.append(f"{field.name} may name the person: {text[:80]}")
    return found


def session_data(key: str) -> dict:
    return Session.objects.get(session_key=key).get_decoded()


@pytest.fixture
def person(voices, union):
    # Ids far from every other row's, so that finding one in a generic reference means something.
    record = factories.member(union["g11"], "欧阳明远", employee_no="E7788991", pk=7_700_001)
    user = factories.user("ouyang-mingyuan", member=record, display_name="欧阳明远", pk=7_700_002)
    voices["cadre"].email = "cadre@example.com"  # so that the worker has emails to send
    voices["cadre"].save(update_fields=["email"])
    return {
        "user": user,
        "record": record,
        "user_id": user.pk,
        "member_id": record.pk,
        "words": ["欧阳明远", "ouyang-mingyuan", "E7788991"],
    }


def test_nothing_links_an_anonymous_appeal_to_its_member(
    transactional_db, client, login_as, voices, person, run_tasks, caplog
):
    caplog.set_level(logging.DEBUG)
    login_as(person["user"])
    session_key = client.session.session_key
    session_before = session_data(session_key)
    token = api_token_issue(user=person["user"])[0]  # the API client's token, issued before
    photo = upload("IMG_欧阳明远.jpg", jpeg_with_metadata())
    run_tasks()
    before = snapshot()
    caplog.clear()
    paths: list[str] = []

    def post(path, data, **extra):
        paths.append(path)
        response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="en", **extra)
        assert response.status_code == 200, (path, response.status_code)
        return response.content.decode()

    # 1. Send it anonymously, with a photo carrying a GPS position, from the front page.
    assert client.get("/voices/").status_code == 200
    sent = post(
        "/voices/anonymous/send/",
        {
            "kind": "complaint",
            "category": "welfare",
            "title": "班组长克扣加班费",
            "body": "我们班组长长期少报加班时数，大家不敢说。",
            "anonymous": "on",
            "attachments": [photo],
        },
    )
    code = CODE.search(sent).group(0)
    appeal = Appeal.objects.get()

    # 2. The handler asks something; the submitter reads it with the code and answers, on the page and the API.
    appeal_reply(actor=voices["cadre"], appeal=appeal, body="请问是哪个月份？", public=False)
    assert "请问是哪个月份？" in post("/voices/anonymous/", {"code": code})
    post("/voices/anonymous/write/", {"code": code, "message-body": "三月和四月。"})
    paths.append("/api/v1/voices/anonymous/messages")
    api = client.post(
        "/api/v1/voices/anonymous/messages",
        data=json.dumps({"code": code, "body": "五月也有。"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200, api.content

    # 3. Answered and closed; the submitter rates it low and reopens it; answered again, rated again.
    answer(voices["cadre"], appeal, "已与班组长核对，补发加班费。")
    post("/voices/anonymous/rate/", {"code": code, "rate-score": "2", "rate-comment": "只补了一个月"})
    post("/voices/anonymous/reopen/", {"code": code, "reopen-reason": "四月五月还没补。"})
    answer(voices["cadre"], appeal, "四月五月一并补发。")
    paths.append("/api/v1/voices/anonymous/rate")
    api = client.post(
        "/api/v1/voices/anonymous/rate",
        data=json.dumps({"code": code, "score": 5}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200, api.content
    # The hourly sweep tells the handler, once the hour is over, what the submitter did.
    assert anonymous_actions_announce(now=timezone.now() + datetime.timedelta(hours=2)) > 0
    run_tasks()

    appeal.refresh_from_db()
    assert appeal.status == "closed" and appeal.reopen_count == 1 and appeal.rating_score == 5
    assert appeal.attachments.get().original_name == "photo-1.jpg"

    # The database: every new or changed row of every table.
    after = snapshot()
    changes = list(changed_rows(before, after))
    labels = {label for label, _, _ in changes}
    assert {"voices.Appeal", "voices.AppealEvent", "voices.AppealReply", "satisfaction.Rating"} <= labels
    assert {"notify.Notification", "django_tasks_database.DBTaskResult"} <= labels  # really inspected
    models_by_label = {m._meta.label: m for m in every_model()}
    problems = []
    for label, pk, row in changes:
        if label in ACTIVITY_ONLY and pk in before[label]:
            # A session's expiry and a token's last use move with any activity (to the minute): allowed,
            # as long as nothing else in the row changed.
            fields = [f.attname for f in models_by_label[label]._meta.concrete_fields]
            moved = {f for f, old, new in zip(fields, before[label][pk][1:], row[1:], strict=True) if old != new}
            assert moved <= ACTIVITY_ONLY[label], (label, moved)
            continue
        for found in links_to(models_by_label[label], row, person):
            problems.append(f"{label} #{pk}: {found}")
    assert problems == [], "\n".join(problems)
    assert session_data(session_key) == session_before  # nothing about the appeal in the session

    # The logs, at DEBUG level.
    for entry in caplog.records:
        text = entry.getMessage() + (entry.exc_text or "")
        assert not any(word in text for word in person["words"]), text
        assert code not in text and code.replace("-", "") not in text, text
        assert "PhoneMaker" not in text and "29.0, 22.0" not in text, text  # the photo's metadata

    # The access log: every path the submitter posted to leaves no line.
    assert paths and all(is_unlogged(path) for path in paths)
    for path in paths:
        assert access_line(path) == ""


def access_line(path: str) -> str:
    config = Config()
    config.set("accesslog", "-")
    logger = AccessLogger(config)
    stream = io.StringIO()
    for handler in list(logger.access_log.handlers):
        logger.access_log.removeHandler(handler)
    logger.access_log.addHandler(logging.StreamHandler(stream))
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "POST", "REMOTE_ADDR": "10.9.8.7", "QUERY_STRING": ""}
    response = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    request = SimpleNamespace(path=path, headers=[], method="POST", query="", uri=path, version=(1, 1))
    logger.access(response, request, environ, datetime.timedelta(seconds=0.01))
    return stream.getvalue()


def test_the_named_flow_is_found_by_the_same_search(transactional_db, client, login_as, voices, person, run_tasks):
    """The search is able to fail: a named appeal sent the same way is found linked to its member."""
    login_as(person["user"])
    before = snapshot()
    client.post(
        "/voices/anonymous/send/",
        {"kind": "complaint", "category": "welfare", "title": "署名诉求", "body": "内容"},
    )
    run_tasks()
    models_by_label = {m._meta.label: m for m in every_model()}
    found = {
        label
        for label, pk, row in changed_rows(before, snapshot())
        if label not in ACTIVITY_ONLY and links_to(models_by_label[label], row, person)
    }
    assert {"voices.Appeal", "audit.AuditEvent"} <= found
