"""Preferences: defaults, per-group channels, the SSRF guard on webhooks, quiet hours and the daily digest
(with controlled time), the page and the API."""

import datetime
import json
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Delivery, Preferences
from unionhome.notify.services.digests import digests_build
from unionhome.notify.services.preferences import preferences_update
from unionhome.notify.tests.records import person, send
from unionhome.notify.timing import quiet_until
from unionhome.notify.webhooks import webhook_check, webhook_masked

Status = Delivery.Status
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789abcdef"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def at(hour: int, minute: int = 0, day: int = 2) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


# --- Defaults and choices --------------------------------------------------------------------------------


def test_defaults_every_channel_set_up_at_once(db):
    zhang = person(email="zhang@union.example", wecom=WECOM)
    send(zhang)
    assert sorted(Delivery.objects.values_list("channel", "status")) == [("email", "queued"), ("wecom", "queued")]


def test_channels_per_event_group_and_the_digest(db):
    zhang = person(email="zhang@union.example", wecom=WECOM)
    preferences_update(
        actor=zhang,
        groups={"congress": {"channels": ["email"], "digest": True}, "assistance": {"channels": []}},
    )
    send(zhang, kind="congress.proposal.escalated")
    send(zhang, kind="assistance.follow_up.due")
    send(zhang, kind="voices.appeal.routed")
    rows = sorted(Delivery.objects.values_list("kind", "channel", "status"))
    assert rows == [
        ("congress.proposal.escalated", "email", "held"),
        ("voices.appeal.routed", "email", "queued"),
        ("voices.appeal.routed", "wecom", "queued"),
    ]


def test_an_inactive_account_gets_no_deliveries(db):
    zhang = person(email="zhang@union.example", is_active=False)
    send(zhang)
    assert not Delivery.objects.exists()


def test_update_records_without_the_webhook(db):
    zhang = person()
    prefs = preferences_update(actor=zhang, wecom_webhook=WECOM, dingtalk_webhook=DINGTALK, dingtalk_secret="SECx1")
    assert (prefs.wecom_webhook, prefs.dingtalk_secret) == (WECOM, "SECx1")
    event = AuditEvent.objects.get(action="notify.preferences.changed")
    assert event.changes["wecom"] == [False, True] and WECOM not in json.dumps(event.changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT wecom_webhook, dingtalk_secret FROM notify_preferences WHERE user_id = %s", [zhang.pk])
        stored = cursor.fetchone()
    assert "qyapi" not in stored[0] and "SECx1" not in stored[1]  # encrypted at rest
    # None keeps, "" removes; removing DingTalk drops its secret too
    prefs = preferences_update(actor=zhang, dingtalk_webhook="")
    assert (prefs.wecom_webhook, prefs.dingtalk_webhook, prefs.dingtalk_secret) == (WECOM, "", "")


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("wecom_webhook", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),  # not https
        ("wecom_webhook", "https://evil.example/cgi-bin/webhook/send?key=abc"),  # another host
        ("wecom_webhook", "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=abc"),
        ("wecom_webhook", "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
        ("wecom_webhook", "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc"),
        ("wecom_webhook", "https://qyapi.weixin.qq.com/cgi-bin/other?key=abc"),
        ("wecom_webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),
        ("wecom_webhook", "http://127.0.0.1:8000/cgi-bin/webhook/send?key=abc"),  # loopback not allowed here
        ("wecom_webhook", "http://169.254.169.254/latest/meta-data/"),
        ("wecom_webhook", DINGTALK),  # the other platform
        ("dingtalk_webhook", "https://oapi.dingtalk.com/robot/send?access_token=a&url=http://x"),
        ("dingtalk_webhook", "file:///etc/passwd"),
        ("dingtalk_secret", "SEC with spaces"),
    ],
)
def test_webhooks_are_refused_unless_the_platforms(db, field, bad):
    zhang = person()
    with pytest.raises(ValidationError) as refused:
        preferences_update(actor=zhang, **{field: bad})
    assert field in refused.value.message_dict
    assert not Preferences.objects.exists() and not AuditEvent.objects.exists()


def test_an_extra_host_is_allowed_by_the_setting(settings):
    url = "http://127.0.0.1:8765/cgi-bin/webhook/send?key=abc"
    with pytest.raises(ValidationError):
        webhook_check("wecom", url)
    settings.UNIONHOME_NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    assert webhook_check("wecom", url) == url
    with pytest.raises(ValidationError):
        webhook_check("wecom", "http://127.0.0.1:8765/elsewhere?key=abc")


def test_masking_keeps_only_the_last_four():
    assert webhook_masked(WECOM) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…5aaa"
    assert webhook_masked("") == ""


def test_bad_quiet_hours_and_groups_change_nothing(db):
    zhang = person()
    for kwargs in (
        {"quiet_start": datetime.time(22), "quiet_end": None},
        {"quiet_start": datetime.time(22), "quiet_end": datetime.time(22)},
        {"groups": {"nonsense": {"channels": ["email"]}}},
        {"groups": {"voices": {"channels": ["sms"]}}},
        {"digest_hour": 24},
    ):
        with pytest.raises(ValidationError):
            preferences_update(actor=zhang, **kwargs)
    assert not Preferences.objects.exists()


# --- Quiet hours and the digest, with controlled time ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (datetime.time(22), datetime.time(7), at(23), at(7, day=3)),
        (datetime.time(22), datetime.time(7), at(6, 59), at(7)),
        (datetime.time(22), datetime.time(7), at(7), None),
        (datetime.time(22), datetime.time(7), at(12), None),
        (datetime.time(12), datetime.time(14), at(13), at(14)),
        (datetime.time(12), datetime.time(14), at(14), None),
        (None, None, at(23), None),
    ],
)
def test_quiet_until(start, end, now, until):
    assert quiet_until(start, end, now) == until


def test_quiet_hours_hold_external_deliveries_until_they_end(db, monkeypatch):
    zhang = person(email="zhang@union.example")
    preferences_update(actor=zhang, quiet_start=datetime.time(22), quiet_end=datetime.time(7))
    monkeypatch.setattr(timezone, "now", lambda: at(23, 30))
    send(zhang)
    delivery = Delivery.objects.get()
    assert delivery.status == Status.QUEUED and delivery.next_attempt_at == at(7, day=3)
    from unionhome.notify.services.sending import delivery_attempt

    assert delivery_attempt(delivery_id=delivery.pk, now=at(6, 59, day=3)) == "skipped"  # not before 07:00


def test_the_daily_digest_one_message_per_channel_per_day(db):
    zhang = person(email="zhang@union.example", wecom=WECOM)
    preferences_update(actor=zhang, digest_hour=18, groups={"voices": {"channels": ["email", "wecom"], "digest": True}})
    for i in range(3):
        send(zhang, title=f"诉求{i}")
    assert Delivery.objects.filter(status=Status.HELD).count() == 6
    assert digests_build(now=at(17, 59)) == 0  # before the hour
    assert digests_build(now=at(18, 0)) == 2  # one per channel
    digests = Delivery.objects.filter(purpose="digest").order_by("channel")
    assert [d.channel for d in digests] == ["email", "wecom"]
    assert digests[0].idempotency_key == f"digest:{zhang.pk}:email:2026-03-02"
    assert digests[0].title == "Your daily digest: 3 notifications"
    assert "- 诉求0" in digests[0].body and "- 诉求2" in digests[0].body
    assert Delivery.objects.filter(status=Status.BUNDLED, digest=digests[0]).count() == 3
    # later that day: a new one waits for tomorrow's digest
    send(zhang, title="诉求晚到")
    assert digests_build(now=at(20)) == 0
    assert Delivery.objects.filter(status=Status.HELD).count() == 2
    assert digests_build(now=at(18, day=3)) == 2


def test_a_digest_in_quiet_hours_waits_for_their_end(db):
    zhang = person(email="zhang@union.example")
    preferences_update(
        actor=zhang,
        digest_hour=21,
        quiet_start=datetime.time(20),
        quiet_end=datetime.time(8),
        groups={"voices": {"channels": ["email"], "digest": True}},
    )
    send(zhang)
    assert digests_build(now=at(21)) == 1
    assert Delivery.objects.get(purpose="digest").next_attempt_at == at(8, day=3)


def test_the_digest_is_sent_by_the_worker(transactional_db, smtp_server, run_tasks, settings):
    settings.LANGUAGE_CODE = "en"
    zhang = person(email="zhang@union.example")
    preferences_update(actor=zhang, digest_hour=0, groups={"voices": {"channels": ["email"], "digest": True}})
    send(zhang, title="诉求甲")
    send(zhang, title="诉求乙")
    from unionhome.notify.tasks import notify_minute

    notify_minute.enqueue()
    run_tasks()
    [(_, message)] = smtp_server.messages
    assert message["Subject"] == "Your daily digest: 2 notifications"
    assert "- 诉求甲" in message.get_content() and "- 诉求乙" in message.get_content()


# --- The page and the API ------------------------------------------------------------------------------------


def test_the_page_shows_masked_webhooks_and_saves(login_as, db):
    zhang = person(email="zhang@union.example", wecom=WECOM)
    client = login_as(zhang)
    html = client.get("/notify/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "…5aaa" in html and WECOM not in html and "zhang@union.example" in html
    data = {
        "wecom_webhook": "",
        "dingtalk_webhook": DINGTALK,
        "dingtalk_secret": "SECsecret",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "digest_hour": "19",
        "voices-channels": ["email", "dingtalk"],
        "voices-when": "now",
        "congress-channels": ["email"],
        "congress-when": "digest",
        "assistance-when": "now",
        "disclosure-when": "now",
        "satisfaction-when": "now",
    }
    response = client.post("/notify/preferences/", data)
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=zhang)
    assert (prefs.wecom_webhook, prefs.dingtalk_webhook, prefs.dingtalk_secret) == (WECOM, DINGTALK, "SECsecret")
    assert prefs.quiet_start == datetime.time(22) and prefs.digest_hour == 19
    assert prefs.groups["voices"] == {"channels": ["email", "dingtalk"], "digest": False}
    assert prefs.groups["congress"] == {"channels": ["email"], "digest": True}
    assert prefs.groups["assistance"] == {"channels": [], "digest": False}
    assert "SECsecret" not in client.get("/notify/preferences/").content.decode()


def test_the_page_shows_a_bad_webhook_by_its_field(login_as, db):
    zhang = person()
    response = login_as(zhang).post(
        "/notify/preferences/",
        {"wecom_webhook": "http://10.0.0.1/cgi-bin/webhook/send?key=x", "digest_hour": "18"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert 'id="id_wecom_webhook-error"' in response.content.decode()
    assert not Preferences.objects.exists()


def test_the_page_needs_a_login(client, db):
    assert client.get("/notify/preferences/").status_code == 302


def test_api_reads_and_patches_preferences(client, db):
    zhang = person(email="zhang@union.example")
    headers = {"Authorization": f"Bearer {api_token_issue(user=zhang)[0]}"}
    body = client.get("/api/v1/notify/preferences", headers=headers).json()
    assert body["available"] == ["email"] and body["wecom_webhook"] == "" and body["digest_hour"] == 18
    assert {g["group"]: g["channels"] for g in body["groups"]}["voices"] == ["email", "wecom", "dingtalk"]
    patch = {"wecom_webhook": WECOM, "groups": {"voices": {"channels": ["wecom"], "digest": True}}}
    response = client.patch("/api/v1/notify/preferences", patch, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["wecom_webhook"].endswith("…5aaa") and body["available"] == ["email", "wecom"]
    assert {g["group"]: (g["channels"], g["digest"]) for g in body["groups"]}["voices"] == (["wecom"], True)
    quiet = {"quiet_hours": True, "quiet_start": "22:00:00", "quiet_end": "06:30:00"}
    body = client.patch("/api/v1/notify/preferences", quiet, content_type="application/json", headers=headers).json()
    assert (body["quiet_start"], body["quiet_end"]) == ("22:00:00", "06:30:00")
    bad = {"wecom_webhook": "https://evil.example/cgi-bin/webhook/send?key=1"}
    response = client.patch("/api/v1/notify/preferences", bad, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert Preferences.objects.get(user=zhang).wecom_webhook == WECOM
    zoned = {"quiet_hours": True, "quiet_start": "23:00:00+08:00", "quiet_end": "06:00:00"}
    response = client.patch("/api/v1/notify/preferences", zoned, content_type="application/json", headers=headers)
    assert response.status_code == 422 and "time zone" in str(response.json())
    assert str(Preferences.objects.get(user=zhang).quiet_start) == "22:00:00"
