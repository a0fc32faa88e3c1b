"""What the handlers and supervisors of an appeal are sent may leave the site (email, the unit's group robot):
it names the appeal by its reference, branch, kind, category and deadline, never its subject, its details, a
transfer reason nor an anonymous appeal's follow-up code; those are read on the signed-in handling page."""

import datetime

from django.utils import timezone

from unionhome.notify.models import Delivery, Notification
from unionhome.notify.services.robots import robot_save
from unionhome.voices.models import Appeal
from unionhome.voices.services.appeals import appeal_follow_up, appeal_withdraw
from unionhome.voices.services.escalation import appeals_sweep
from unionhome.voices.services.handling import appeal_transfer
from unionhome.voices.tests.appeal_helpers import send
from unionhome.voices.tests.conftest import voices  # noqa: F401  (fixture)
from unionhome.voices.tests.test_handling_privacy import DETAILS, SUBJECT, _private_root  # noqa: F401  (fixture)

REASON = "涉及车间主任本人，转心理健康专员处理。"
MESSAGE = "医院的诊断书我明天补交。"


def _emails(*users):
    for number, user in enumerate(users):
        user.email = f"cadre{number}@union.example"
        user.save(update_fields=["email"])


def _leaks(texts, secrets):
    return [(secret, text) for secret in secrets for text in texts if secret and secret in text]


def test_a_transfer_tells_the_new_handler_by_reference_only(
    transactional_db,
    voices,  # noqa: F811
    smtp_server,
    run_tasks,
    client,
    login_as,
):
    handler = voices["canteen_handler"]
    _emails(voices["cadre"], handler)
    appeal, _ = send(voices["member"], title=SUBJECT, body=DETAILS)
    appeal_follow_up(actor=voices["member"], appeal=appeal, body=MESSAGE)
    appeal_transfer(actor=voices["cadre"], appeal=appeal, reason=REASON, handler=handler)
    run_tasks()

    note = Notification.objects.get(recipient=handler, kind="voices.appeal.transferred")
    mails = [m for _, m in smtp_server.messages if m["To"] == handler.email]
    assert mails and appeal.reference in mails[0]["Subject"] and note.url in mails[0].get_content()
    texts = [f"{m['Subject']}\n{m.get_content()}" for _, m in smtp_server.messages]
    texts += [f"{n.title}\n{n.body}" for n in Notification.objects.exclude(recipient=voices["member"])]
    assert all(appeal.reference in text for text in texts)
    assert not _leaks(texts, [SUBJECT, DETAILS, REASON, MESSAGE])

    login_as(handler)
    page = client.get(note.url).content.decode()
    assert SUBJECT in page and REASON in page  # the signed-in page shows the rest


def test_escalations_reach_supervisors_and_the_group_robot_without_the_subject(
    transactional_db,
    voices,  # noqa: F811
    smtp_server,
    webhook_server,
    run_tasks,
):
    _emails(voices["cadre"], voices["chair"])
    robot_save(
        actor=voices["chair"],
        unit=voices["union"]["s1"],
        name="一站分工会群",
        platform="wecom",
        webhook=webhook_server.wecom_url("s1-robot"),
        groups=["voices"],
    )
    named, _ = send(voices["member"], title=SUBJECT, body=DETAILS)
    anonymous, code = send(voices["member"], title=f"{SUBJECT}（匿名）", body=DETAILS, anonymous=True)
    late = timezone.now() - datetime.timedelta(minutes=1)
    Appeal.objects.filter(pk__in=[named.pk, anonymous.pk]).update(acknowledge_due=late, answer_due=late)
    assert appeals_sweep(now=timezone.now())["escalated"] == 2
    appeal_withdraw(actor=voices["member"], appeal=named, reason=REASON)
    run_tasks()

    posts = [m.payload["markdown"]["content"] for m in webhook_server.messages if m.key == "s1-robot"]
    escalated = [post for post in posts if anonymous.reference in post]
    assert len(escalated) == 1 and any(named.reference in post for post in posts)
    escalation_mails = [
        m for _, m in smtp_server.messages if m["To"] == voices["cadre"].email and named.reference in m["Subject"]
    ]
    assert escalation_mails
    notes = Notification.objects.filter(kind__in=["voices.appeal.escalated", "voices.appeal.due"])
    assert {n.kind for n in notes} == {"voices.appeal.escalated", "voices.appeal.due"}
    texts = posts + [f"{m['Subject']}\n{m.get_content()}" for _, m in smtp_server.messages]
    texts += [f"{n.title}\n{n.body}" for n in Notification.objects.all()]
    texts += [f"{d.title}\n{d.body}" for d in Delivery.objects.all()]
    assert all(named.reference in text or anonymous.reference in text for text in texts)
    assert not _leaks(texts, [SUBJECT, DETAILS, REASON, code, "张三"])
