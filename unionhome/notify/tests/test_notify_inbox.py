"""The inbox: page, unread count in the header, opening, mark all read, the API; nobody reads another's."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from unionhome.accounts.services import api_token_issue
from unionhome.notify.models import Notification
from unionhome.notify.services import notification_mark_read, notification_send, notifications_mark_all_read


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def note(user, title="提醒", url="", **fields) -> Notification:
    return notification_send(
        recipient=user, kind="test", title=title, body=fields.pop("body", "正文"), url=url, **fields
    )


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}


# --- Services ------------------------------------------------------------------------------------


def test_mark_read_and_mark_all_read(people):
    member = people["member"]
    first, second = note(member, "一"), note(member, "二")
    other = note(people["cadre"], "别人的")
    notification_mark_read(actor=member, notification=first)
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert notifications_mark_all_read(actor=member) == 1
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_nobody_marks_anothers_notification(people):
    from unionhome.access.policy import OutOfScope

    theirs = note(people["cadre"])
    with pytest.raises(OutOfScope):
        notification_mark_read(actor=people["chair"], notification=theirs)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- Pages ---------------------------------------------------------------------------------------


def test_header_shows_the_unread_count(login_as, people):
    client = login_as(people["member"])
    html = client.get("/notify/").content.decode()
    assert 'href="/notify/"' in html and 'class="badge num"' not in html
    note(people["member"]), note(people["member"]), note(people["cadre"])
    html = client.get("/notify/").content.decode()
    assert '<span class="badge num">2</span><span class="sr-only"> unread</span>' in html


def test_inbox_lists_only_my_notifications(login_as, people):
    note(people["member"], "我的提醒")
    note(people["cadre"], "干部的提醒")
    html = login_as(people["member"]).get("/notify/").content.decode()
    assert "我的提醒" in html and "干部的提醒" not in html


def test_opening_marks_read_and_follows_the_link(login_as, people):
    linked = note(people["member"], url="/satisfaction/")
    plain = note(people["member"], "无链接", body="详细内容")
    client = login_as(people["member"])
    response = client.get(f"/notify/{linked.pk}/")
    assert response.status_code == 302 and response["Location"] == "/satisfaction/"
    assert Notification.objects.get(pk=linked.pk).read_at is not None
    response = client.get(f"/notify/{plain.pk}/")
    assert response.status_code == 200 and "详细内容" in response.content.decode()
    assert Notification.objects.get(pk=plain.pk).read_at is not None


def test_an_outside_link_is_not_followed(login_as, people):
    odd = note(people["member"], url="//evil.example/")
    response = login_as(people["member"]).get(f"/notify/{odd.pk}/")
    assert response.status_code == 200


def test_anothers_notification_is_not_found(login_as, people):
    theirs = note(people["cadre"])
    assert login_as(people["member"]).get(f"/notify/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_page(login_as, people):
    note(people["member"]), note(people["member"])
    client = login_as(people["member"])
    assert client.get("/notify/read-all/").status_code == 405
    response = client.post("/notify/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=people["member"], read_at__isnull=True).exists()
    assert "?unread=1" in client.get("/notify/").content.decode()
    assert "No unread notifications." in client.get("/notify/?unread=1").content.decode()


def test_inbox_needs_a_login(client, db):
    response = client.get("/notify/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_query_count_is_constant(login_as, people):
    client = login_as(people["member"])
    note(people["member"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notify/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(25):
        note(people["member"], f"提醒{i}")
    assert count() == before


def test_inbox_pages_by_keyset(login_as, people, monkeypatch):
    from unionhome.notify import selectors

    monkeypatch.setattr(selectors.inbox_page, "__defaults__", (3,))
    made = [note(people["member"], f"第{i}条") for i in range(7)]
    client = login_as(people["member"])
    seen, params = [], {}
    while True:
        response = client.get("/notify/", params)
        seen += [n.pk for n in response.context["page"].items]
        if not response.context["page"].next_cursor:
            break
        params = {"after": response.context["page"].next_cursor}
    assert seen == [n.pk for n in reversed(made)]


# --- API -----------------------------------------------------------------------------------------


def test_api_inbox(client, people):
    first = note(people["member"], "一")
    second = note(people["member"], "二", url="/satisfaction/")
    note(people["cadre"], "别人的")
    response = client.get("/api/v1/notify/inbox", headers=bearer(people["member"]))
    assert response.status_code == 200
    body = response.json()
    assert [i["id"] for i in body["items"]] == [second.pk, first.pk]
    assert body["unread_count"] == 2 and body["next"] is None
    assert body["items"][0]["url"] == "/satisfaction/" and body["items"][0]["read_at"] is None


def test_api_mark_read(client, people):
    mine = note(people["member"])
    theirs = note(people["cadre"])
    headers = bearer(people["member"])
    response = client.post(f"/api/v1/notify/inbox/{mine.pk}/read", headers=headers)
    assert response.status_code == 200 and response.json()["read_at"] is not None
    unread = client.get("/api/v1/notify/inbox", {"unread": "true"}, headers=headers).json()
    assert unread["items"] == [] and unread["unread_count"] == 0
    assert client.post(f"/api/v1/notify/inbox/{theirs.pk}/read", headers=headers).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_api_pages_and_refuses_bad_cursors(client, people):
    made = [note(people["member"], f"第{i}条") for i in range(5)]
    headers = bearer(people["member"])
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = client.get("/api/v1/notify/inbox", params, headers=headers).json()
        seen += [i["id"] for i in body["items"]]
        after = body["next"]
        if not after:
            break
    assert seen == [n.pk for n in reversed(made)]
    assert client.get("/api/v1/notify/inbox", {"after": "bogus"}, headers=headers).status_code == 422
    assert client.get("/api/v1/notify/inbox", {"limit": 0}, headers=headers).status_code == 422


def test_api_needs_a_token(client, db):
    assert client.get("/api/v1/notify/inbox").status_code == 401
    assert (
        client.post("/api/v1/notify/inbox/1/read", data=json.dumps({}), content_type="application/json").status_code
        == 401
    )


def test_api_unread_count_and_mark_all_read(client, people):
    note(people["member"]), note(people["member"]), note(people["cadre"])
    headers = bearer(people["member"])
    assert client.get("/api/v1/notify/unread-count", headers=headers).json() == {"unread_count": 2}
    response = client.post("/api/v1/notify/inbox/read-all", headers=headers)
    assert response.status_code == 200 and response.json() == {"marked": 2, "unread_count": 0}
    assert Notification.objects.filter(recipient=people["cadre"], read_at__isnull=True).count() == 1


def test_api_inbox_query_count_is_constant(client, people, django_assert_max_num_queries):
    headers = bearer(people["member"])
    note(people["member"])
    client.get("/api/v1/notify/inbox", headers=headers)  # warm up (token's last use)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/notify/inbox", headers=headers).status_code == 200
    for i in range(30):
        note(people["member"], f"提醒{i}")
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/notify/inbox", headers=headers).json()["items"]) == 30


def test_the_old_addresses_are_gone(client, people):
    assert client.get("/api/v1/notifications", headers=bearer(people["member"])).status_code == 404
