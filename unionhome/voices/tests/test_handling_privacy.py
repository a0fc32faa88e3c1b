"""What the submitter of an appeal is sent may leave the site (email, robot): it names the appeal by its date
only, never its subject, its details nor a reply; those are read on the signed-in appeal page."""

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from unionhome.notify.models import Delivery, Notification
from unionhome.voices.services.handling import appeal_close, appeal_reply
from unionhome.voices.tests.appeal_helpers import send
from unionhome.voices.tests.conftest import voices  # noqa: F401  (fixture)

SUBJECT = "车间主任长期刁难我，抑郁症复发"
DETAILS = "因为家里欠债，我向车间主任请假看病被拒绝。"
REPLY = "已约谈车间主任，请先安心治疗。"
ANSWER = "已为您申请大病医疗救助五千元，并督促车间主任改正。"


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def test_replies_and_answers_leave_the_site_without_subject_or_text(
    transactional_db,
    voices,  # noqa: F811
    smtp_server,
    run_tasks,
    client,
    login_as,
):
    member = voices["member"]
    member.email = "zhang@union.example"
    member.save(update_fields=["email"])
    appeal, _ = send(member, title=SUBJECT, body=DETAILS)
    appeal_reply(actor=voices["cadre"], appeal=appeal, body=REPLY, public=False)
    appeal_close(actor=voices["cadre"], appeal=appeal, answer=ANSWER, public=False)
    run_tasks()

    day = timezone.localdate(appeal.submitted_at).isoformat()
    with translation.override(settings.LANGUAGE_CODE):
        expected = {
            "voices.appeal.replied": gettext("Your appeal of %(date)s has a reply") % {"date": day},
            "voices.appeal.closed": gettext("Your appeal of %(date)s was answered: please rate the answer")
            % {"date": day},
        }
    notes = list(Notification.objects.filter(recipient=member, kind__startswith="voices.appeal."))
    assert {n.kind: n.title for n in notes} == expected
    subjects = [" ".join(m["Subject"].split()) for _, m in smtp_server.messages]
    assert set(expected.values()) <= set(subjects)
    texts = [f"{m['Subject']}\n{m.get_content()}" for _, m in smtp_server.messages]
    texts += [f"{n.title}\n{n.body}" for n in Notification.objects.filter(recipient=member)]
    texts += [f"{d.title}\n{d.body}" for d in Delivery.objects.all()]
    secrets = [SUBJECT, DETAILS, REPLY, ANSWER, appeal.reference]
    assert not [(secret, text) for secret in secrets for text in texts if secret in text]

    login_as(member)
    for note in notes:
        assert note.url in "\n".join(texts)
        page = client.get(note.url)
        assert page.status_code == 200
        assert SUBJECT in page.content.decode() and ANSWER in page.content.decode()
