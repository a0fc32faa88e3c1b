"""The admins' view of deliveries: scoped like the audit trail, keyset pages, filters, the reason of a
failure, resending (once more, by the worker), the query count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Delivery
from unionhome.notify.services.robots import robot_announce, robot_save
from unionhome.notify.services.sending import delivery_resend
from unionhome.notify.tests.records import person, send, time_passes

Status = Delivery.Status
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-0000-1111"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def failed(delivery: Delivery, reason="The robot's server answered HTTP 500.") -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, attempts=6, last_error=reason)
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def scene(people, union):
    """A member of station 1 with an email, a robot on station 1, and a person of another union."""
    member = people["member"]
    member.email = "zs@union.example"
    member.save()
    send(member, title="给张三的提醒")
    robot_save(
        actor=people["admin"], unit=union["s1"], name="一站群", platform="wecom", webhook=WECOM, groups=["voices"]
    )
    robot_announce(unit=union["s1"], kind="voices.appeal.routed", title="给一站群的消息", text="x")
    other = factories.unit(None, "另一工会", "union", code="OT")
    stranger = factories.user(
        "stranger",
        email="s@other.example",
        member=factories.member(factories.unit(other, "其他分会", "branch", code="OT1"), "赵六"),
    )
    send(stranger, title="别的工会的提醒")
    return {"other": other, "stranger": stranger}


def titles(client, query="") -> set[str]:
    response = client.get(f"/notify/deliveries/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {d.title for d in response.context["page"].items}


def test_scoped_as_the_audit_trail_scopes_people(login_as, people, union, scene):
    assert titles(login_as(people["admin"])) == {"给张三的提醒", "给一站群的消息"}
    station_admin = factories.user("admin-s1", roles=(("platform_admin", union["s1"]),))
    assert titles(login_as(station_admin)) == {"给一站群的消息"}  # a person's deliveries: union-level grants
    other_admin = factories.user("admin-ot", roles=(("platform_admin", scene["other"]),))
    assert titles(login_as(other_admin)) == {"别的工会的提醒"}


def test_refused_without_the_permission(login_as, people, scene):
    for who in ("member", "cadre"):
        client = login_as(people[who])
        assert client.get("/notify/deliveries/").status_code == 403
        assert client.get(f"/notify/deliveries/{Delivery.objects.first().pk}/").status_code == 403


def test_a_failure_shows_its_reason_and_filters_find_it(login_as, people, scene):
    robot_delivery = failed(Delivery.objects.get(channel="wecom"))
    client = login_as(people["admin"])
    assert titles(client, "?status=failed") == {"给一站群的消息"}
    assert titles(client, "?channel=email") == {"给张三的提醒"}
    assert titles(client, "?status=bogus") == {"给张三的提醒", "给一站群的消息"}
    html = client.get(f"/notify/deliveries/{robot_delivery.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The robot&#x27;s server answered HTTP 500." in html and "Send again" in html
    assert "Failed: 1" in client.get("/notify/deliveries/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_out_of_scope_is_not_found(login_as, people, scene):
    theirs = Delivery.objects.get(recipient=scene["stranger"])
    client = login_as(people["admin"])
    assert client.get(f"/notify/deliveries/{theirs.pk}/").status_code == 404
    assert client.post(f"/notify/deliveries/{theirs.pk}/resend/").status_code == 404


def test_resend_gives_one_more_attempt(people, scene):
    delivery = failed(Delivery.objects.get(recipient=people["member"]))
    resent = delivery_resend(actor=people["admin"], delivery=delivery)
    assert (resent.status, resent.resent_by, resent.attempts) == (Status.QUEUED, people["admin"], 6)
    assert AuditEvent.objects.filter(action="notify.delivery.resent").count() == 1
    with pytest.raises(ValidationError) as again:  # queued now: not resendable
        delivery_resend(actor=people["admin"], delivery=resent)
    assert "Only a failed" in str(again.value)
    with pytest.raises(PermissionRefused):
        delivery_resend(actor=people["cadre"], delivery=resent)
    with pytest.raises(OutOfScope):
        delivery_resend(actor=people["admin"], delivery=Delivery.objects.get(recipient=scene["stranger"]))


def test_a_resend_is_sent_once_by_the_worker_and_a_failure_fails_again(
    transactional_db, union, webhook_server, run_tasks, settings
):
    settings.UNIONHOME_NOTIFY_MAX_ATTEMPTS = 2
    admin = factories.user("admin", roles=(("platform_admin", union["union"]),))
    zhang = person(wecom=webhook_server.wecom_url())
    webhook_server.fail_next("500", "500", "500")
    send(zhang)
    for _ in range(2):
        run_tasks()
        time_passes()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 2)
    delivery_resend(actor=admin, delivery=delivery)
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 3)  # one more attempt, not a new series
    delivery_resend(actor=admin, delivery=delivery)
    run_tasks()
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 4)
    assert len(webhook_server.messages) == 1


def test_the_list_query_count_is_constant(login_as, people, union, scene, django_assert_max_num_queries):
    client = login_as(people["admin"])
    client.get("/notify/deliveries/")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notify/deliveries/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(30):
        send(factories.user(f"u{i}", email=f"u{i}@union.example", member=factories.member(union["g12"], f"工{i}")))
        robot_announce(unit=union["s1"], kind="voices.x", title=f"群消息{i}", text="x")
    assert count() == before


def test_keyset_pages(login_as, people, union, monkeypatch):
    from unionhome.notify.selectors import deliveries

    monkeypatch.setattr(deliveries.delivery_page, "__defaults__", (4,))
    robot_save(actor=people["admin"], unit=union["s1"], name="群", platform="wecom", webhook=WECOM, groups=["voices"])
    made = []
    for i in range(9):
        made += robot_announce(unit=union["s1"], kind="voices.x", title=f"第{i}条", text="x")
        Delivery.objects.filter(pk=made[-1].pk).update(created_at=timezone.now() - datetime.timedelta(minutes=9 - i))
    client = login_as(people["admin"])
    seen, params = [], {}
    while True:
        response = client.get("/notify/deliveries/", params)
        seen += [d.pk for d in response.context["page"].items]
        if not response.context["page"].next_cursor:
            break
        params = {"after": response.context["page"].next_cursor}
    assert seen == [d.pk for d in reversed(made)]
