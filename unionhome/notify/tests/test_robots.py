"""Unit group robots: setting them up (``notify.manage_robots``), ``robot_announce`` to the right robots
once, the worker posting to a real local webhook server, and the robots pages."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Delivery, Robot
from unionhome.notify.services.robots import robot_announce, robot_delete, robot_save
from unionhome.notify.tests.records import time_passes

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-0000-1111"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=robot-token-2222"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def robot(actor, unit, name="站务群", platform="wecom", webhook=WECOM, groups=("voices",), **extra) -> Robot:
    return robot_save(
        actor=actor, unit=unit, name=name, platform=platform, webhook=webhook, groups=list(groups), **extra
    )


def test_an_admin_sets_up_a_robot_and_the_audit_trail_hides_its_key(people, union):
    made = robot(people["admin"], union["s1"], secret="")
    assert (made.unit_path, made.groups, made.enabled) == (union["s1"].path, ["voices"], True)
    event = AuditEvent.objects.get(action="notify.robot.created")
    assert event.changes["webhook"].endswith("…1111") and "robot-key-0000" not in str(event.changes)
    changed = robot_save(
        actor=people["admin"],
        unit=union["s1"],
        name="一站群",
        platform="wecom",
        webhook="",
        groups=["voices"],
        robot=made,
    )
    assert changed.webhook == WECOM and changed.name == "一站群"  # an empty address keeps the stored one


def test_who_may_set_up_robots(people, union):
    with pytest.raises(PermissionRefused):
        robot(people["cadre"], union["s1"])
    with pytest.raises(PermissionRefused):
        robot(people["member"], union["s1"])
    assert not Robot.objects.exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": ""},
        {"webhook": "https://evil.example/cgi-bin/webhook/send?key=1"},
        {"webhook": ""},
        {"groups": ()},
        {"groups": ("nonsense",)},
        {"platform": "sms"},
        {"platform": "dingtalk"},  # a WeCom address for a DingTalk robot
    ],
)
def test_bad_robots_are_refused_and_nothing_is_written(people, union, kwargs):
    with pytest.raises(ValidationError):
        robot(people["admin"], union["s1"], **kwargs)
    assert not Robot.objects.exists() and not AuditEvent.objects.exists()


def test_announce_reaches_the_units_robots_and_those_above_that_take_the_subtree(people, union):
    admin = people["admin"]
    own = robot(admin, union["s1"], "一站群")
    above = robot(admin, union["union"], "工会群", include_subtree=True)
    robot(admin, union["union"], "工会自己的群")  # the union's own events only
    robot(admin, union["s2"], "二站群")
    robot(admin, union["s1"], "职代会群", groups=("congress",))
    robot(admin, union["s1"], "停用的群", enabled=False)
    made = robot_announce(
        unit=union["s1"], kind="voices.appeal.routed", title="新诉求", text="食堂类诉求一件", dedupe_key="appeal:7"
    )
    assert {d.robot for d in made} == {own, above}
    assert all(d.purpose == "robot" and d.status == "queued" and d.title == "新诉求" for d in made)
    again = robot_announce(unit=union["s1"], kind="voices.appeal.routed", title="x", text="y", dedupe_key="appeal:7")
    assert again == [] and Delivery.objects.count() == 2
    assert len(robot_announce(unit=union["g11"], kind="voices.appeal.routed", title="x", text="y")) == 1  # above


def test_the_worker_posts_an_announcement_to_the_robot(transactional_db, union, webhook_server, run_tasks):
    admin = factories.user("admin", roles=(("platform_admin", union["union"]),))
    robot(admin, union["s1"], webhook=webhook_server.wecom_url("unit-robot"))
    robot(
        admin,
        union["s2"],
        platform="dingtalk",
        webhook=webhook_server.dingtalk_url("s2", secret="SECs2"),
        secret="SECs2",
        include_subtree=True,
    )
    from django.db import transaction

    with transaction.atomic():
        robot_announce(unit=union["s1"], kind="voices.appeal.routed", title="新诉求", text="一件", url="/voices/queue/")
        robot_announce(unit=union["g21"], kind="voices.appeal.overdue", title="超期", text="一件")
    run_tasks()
    received = {m.platform: m for m in webhook_server.messages}
    assert set(received) == {"wecom", "dingtalk"} and received["dingtalk"].signed
    assert "**新诉求**" in received["wecom"].payload["markdown"]["content"]
    assert "https://union.example/voices/queue/" in received["wecom"].payload["markdown"]["content"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_robot_whose_key_was_removed_fails_at_once_and_the_admin_reads_why(
    transactional_db, union, webhook_server, run_tasks, login_as
):
    admin = factories.user("admin", roles=(("platform_admin", union["union"]),))
    robot(admin, union["s1"], webhook=webhook_server.wecom_url("removed-robot"))
    webhook_server.fail_next("errcode:93000")
    robot_announce(unit=union["s1"], kind="voices.appeal.routed", title="新诉求", text="一件")
    run_tasks()
    time_passes()
    run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, webhook_server.state.requests) == ("failed", 1, 1)
    html = login_as(admin).get(f"/notify/deliveries/{delivery.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "will refuse it again: errcode 93000, invalid webhook url." in html


def test_which_error_codes_are_not_retried():
    from unionhome.notify.channels.robot_errors import DINGTALK, WECOM, errcode_is_permanent

    assert errcode_is_permanent("wecom", 93000) and errcode_is_permanent("dingtalk", 400102)
    assert not errcode_is_permanent("wecom", 45009) and not errcode_is_permanent("dingtalk", 130101)
    assert not errcode_is_permanent("wecom", -1) and not errcode_is_permanent("dingtalk", -1)
    assert not errcode_is_permanent("wecom", 310000)  # a DingTalk code, not WeCom's
    for unknown in (123456, "93000", None, True, 0.5):  # not listed, or not a number: tried again
        assert not errcode_is_permanent("wecom", unknown) and not errcode_is_permanent("dingtalk", unknown)
    assert all(isinstance(code, int) for code in [*WECOM, *DINGTALK])


def test_a_deleted_or_switched_off_robot_cancels_its_waiting_deliveries(people, union):
    from unionhome.notify.services.sending import delivery_attempt

    made = robot(people["admin"], union["s1"])
    [first] = robot_announce(unit=union["s1"], kind="voices.a", title="x", text="y")
    robot_save(
        actor=people["admin"],
        unit=union["s1"],
        name="站务群",
        platform="wecom",
        webhook="",
        groups=["voices"],
        enabled=False,
        robot=made,
    )
    assert delivery_attempt(delivery_id=first.pk) == "cancelled"
    robot_save(
        actor=people["admin"],
        unit=union["s1"],
        name="站务群",
        platform="wecom",
        webhook="",
        groups=["voices"],
        enabled=True,
        robot=made,
    )
    [second] = robot_announce(unit=union["s1"], kind="voices.a", title="x", text="y")
    robot_delete(actor=people["admin"], robot=made)
    assert delivery_attempt(delivery_id=second.pk) == "cancelled"
    assert Delivery.objects.get(pk=second.pk).last_error == "The robot was deleted."


# --- Pages -----------------------------------------------------------------------------------------------------


def test_robot_pages(login_as, people, union):
    client = login_as(people["admin"])
    assert client.get("/notify/robots/").status_code == 200
    response = client.post(
        "/notify/robots/new/",
        {
            "unit": union["s1"].pk,
            "name": "一站群",
            "platform": "wecom",
            "webhook": WECOM,
            "groups": ["voices"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    made = Robot.objects.get()
    html = client.get("/notify/robots/").content.decode()
    assert "一站群" in html and "…1111" in html and "robot-key-0000" not in html
    html = client.get(f"/notify/robots/{made.pk}/").content.decode()
    assert "robot-key-0000" not in html
    assert client.post(f"/notify/robots/{made.pk}/test/").status_code == 302
    assert Delivery.objects.filter(robot=made, kind="notify.robot.test").count() == 1
    bad = client.post(
        "/notify/robots/new/",
        {
            "unit": union["s1"].pk,
            "name": "x",
            "platform": "wecom",
            "webhook": "https://evil.example/x",
            "groups": ["voices"],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422 and 'id="id_webhook-error"' in bad.content.decode()
    assert client.post(f"/notify/robots/{made.pk}/delete/").status_code == 302
    assert not Robot.objects.exists()


def test_robot_pages_are_refused_to_others(login_as, people, union):
    made = robot(people["admin"], union["s1"])
    client = login_as(people["cadre"])
    assert client.get("/notify/robots/").status_code == 403
    assert client.get(f"/notify/robots/{made.pk}/").status_code == 403
    assert client.post(f"/notify/robots/{made.pk}/delete/").status_code == 403
    other = factories.unit(None, "另一工会", "union", code="OT")
    outsider = factories.user("admin-ot", roles=(("platform_admin", other),))
    assert login_as(outsider).get(f"/notify/robots/{made.pk}/").status_code == 404
    assert Robot.objects.exists()


def test_typed_text_cannot_become_a_link_or_a_tag_in_the_group_chat():
    from unionhome.notify.channels import Outgoing
    from unionhome.notify.channels.robots import dingtalk_payload, wecom_payload

    message = Outgoing("[点我领补贴](http://evil.example)", '<font color="warning">紧急</font>', "/voices/1/", "k-1")
    content = wecom_payload(message)["markdown"]["content"]
    text = dingtalk_payload(message)["markdown"]["text"]
    for shown in (content, text):
        assert "[点我领补贴](" not in shown and "<font" not in shown
        assert "［点我领补贴］(http://evil.example)" in shown and "＜font" in shown
