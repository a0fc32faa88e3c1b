"""Rating an answer and reopening an appeal, named and with the code: who, when, how often."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating
from unionhome.voices.models import Appeal
from unionhome.voices.ratings import APPEALS
from unionhome.voices.selectors.appeals import appeal_prompts, appeals_to_rate
from unionhome.voices.services.feedback import appeal_rate, appeal_reopen
from unionhome.voices.tests.appeal_helpers import answer, send


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def answered(voices):
    appeal, _ = send(voices["member"])
    reply = answer(voices["cadre"], appeal)
    appeal.refresh_from_db()
    return appeal, reply


def test_the_member_rates_the_answer_once(voices, answered):
    appeal, reply = answered
    rating = appeal_rate(actor=voices["member"], appeal=appeal, score=4, comment="  及时  ")
    assert (rating.service_line, rating.item_type, rating.item_id) == (
        APPEALS,
        "voices.appealreply",
        reply.pk,
    )
    assert (rating.member, rating.unit_path, rating.cadre, rating.score, rating.comment) == (
        voices["member_record"],
        appeal.unit_path,
        voices["cadre"],
        4,
        "及时",
    )
    appeal.refresh_from_db()
    assert appeal.rating_score == 4 and appeal.status == Appeal.Status.CLOSED
    assert appeal.events.filter(kind="rated", actor__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="voices.appeal.rated").count() == 1
    with pytest.raises(ValidationError, match="already rated"):
        appeal_rate(actor=voices["member"], appeal=appeal, score=5)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("score", [0, 6, "5", True, None])
def test_a_score_is_a_whole_number_from_1_to_5(voices, answered, score):
    appeal, _ = answered
    with pytest.raises(ValidationError) as caught:
        appeal_rate(actor=voices["member"], appeal=appeal, score=score)
    assert "score" in caught.value.message_dict and not Rating.objects.exists()


def test_a_long_comment_is_refused(voices, answered):
    with pytest.raises(ValidationError) as caught:
        appeal_rate(actor=voices["member"], appeal=answered[0], score=3, comment="长" * 501)
    assert "comment" in caught.value.message_dict and not Rating.objects.exists()


def test_an_open_appeal_cannot_be_rated(voices):
    appeal, _ = send(voices["member"])
    with pytest.raises(ValidationError, match="not possible"):
        appeal_rate(actor=voices["member"], appeal=appeal, score=5)
    assert not Rating.objects.exists()


def test_only_the_submitter_rates(voices, answered):
    other = factories.user("lisi", member=voices["other_s1"])
    for who in (other, voices["cadre"], voices["chair"]):
        with pytest.raises(OutOfScope):
            appeal_rate(actor=who, appeal=answered[0], score=1)
    assert not Rating.objects.exists()


def test_an_anonymous_rating_names_nobody(voices):
    appeal, code = send(voices["member"], anonymous=True)
    answer(voices["cadre"], appeal)
    with pytest.raises(OutOfScope):
        appeal_rate(actor=voices["member"], appeal=appeal, score=2)
    rating = appeal_rate(actor=voices["member"], appeal=appeal, score=2, code=code)
    rating.refresh_from_db()
    assert rating.member is None and rating.cadre == voices["cadre"] and rating.unit_path == voices["union"]["s1"].path
    assert (rating.rated_at.minute, rating.rated_at.second) == (0, 0)
    with pytest.raises(ValidationError, match="already rated"):
        appeal_rate(actor=voices["member"], appeal=appeal, score=5, code=code)
    assert set(AuditEvent.objects.filter(action__startswith="voices.").values_list("action", flat=True)) == {
        "voices.appeal.closed"  # the handler's, not the submitter's
    }


# --- reopening -------------------------------------------------------------------------------------


def test_an_unsatisfied_member_reopens_with_new_deadlines(voices, answered, django_capture_on_commit_callbacks):
    appeal, _ = answered
    appeal_rate(actor=voices["member"], appeal=appeal, score=2)
    long_ago = timezone.now() - datetime.timedelta(days=20)
    Appeal.objects.filter(pk=appeal.pk).update(acknowledge_due=long_ago, answer_due=long_ago)
    old_due = long_ago
    with django_capture_on_commit_callbacks(execute=True):
        done = appeal_reopen(actor=voices["member"], appeal=appeal, reason="热水还是不够。")
    assert done.status == Appeal.Status.REOPENED and done.reopen_count == 1
    assert done.answer_due > timezone.now() > old_due and done.acknowledge_due > timezone.now()
    assert done.closed_at is None and done.rating_score is None
    assert done.events.get(kind="reopened").note == "热水还是不够。"
    assert AuditEvent.objects.filter(action="voices.appeal.reopened").count() == 1
    told = Notification.objects.get(kind="voices.appeal.reopened")
    assert told.recipient == voices["cadre"] and told.url == f"/voices/handle/{appeal.pk}/"


def test_reopening_without_a_rating_is_allowed(voices, answered):
    assert appeal_reopen(actor=voices["member"], appeal=answered[0], reason="没解决").status == "reopened"


def test_a_satisfied_rating_keeps_the_appeal_closed(voices, answered):
    appeal, _ = answered
    appeal_rate(actor=voices["member"], appeal=appeal, score=3)
    with pytest.raises(ValidationError, match="stays closed"):
        appeal_reopen(actor=voices["member"], appeal=appeal, reason="又想重开")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED and appeal.reopen_count == 0


def test_reopening_after_the_window_is_refused(voices, answered):
    appeal, _ = answered
    Appeal.objects.filter(pk=appeal.pk).update(reopen_until=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="that time has passed"):
        appeal_reopen(actor=voices["member"], appeal=appeal, reason="晚了")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED


@pytest.mark.parametrize("reason", ["", "   ", "长" * 1001])
def test_reopening_needs_a_reason(voices, answered, reason):
    with pytest.raises(ValidationError) as caught:
        appeal_reopen(actor=voices["member"], appeal=answered[0], reason=reason)
    assert "reason" in caught.value.message_dict
    assert Appeal.objects.get().status == Appeal.Status.CLOSED


def test_an_open_appeal_cannot_be_reopened_and_others_cannot_reopen(voices, answered):
    other = factories.user("lisi", member=voices["other_s1"])
    with pytest.raises(OutOfScope):
        appeal_reopen(actor=other, appeal=answered[0], reason="不是我的")
    fresh, _ = send(voices["member"])
    with pytest.raises(ValidationError, match="not possible"):
        appeal_reopen(actor=voices["member"], appeal=fresh, reason="还没答复")


def test_after_a_reopening_the_new_answer_is_rated_again(voices, answered):
    appeal, first = answered
    appeal_rate(actor=voices["member"], appeal=appeal, score=1)
    appeal_reopen(actor=voices["member"], appeal=appeal, reason="没解决")
    second = answer(voices["cadre"], appeal, "已更换热水器。")
    appeal.refresh_from_db()
    rating = appeal_rate(actor=voices["member"], appeal=appeal, score=5)
    assert rating.item_id == second.pk != first.pk and Rating.objects.count() == 2


def test_an_anonymous_appeal_is_reopened_with_its_code(voices):
    appeal, code = send(voices["member"], anonymous=True)
    answer(voices["cadre"], appeal)
    with pytest.raises(OutOfScope):
        appeal_reopen(actor=voices["member"], appeal=appeal, reason="没解决")
    done = appeal_reopen(actor=None, appeal=appeal, reason="没解决", code=code)
    assert done.status == "reopened" and done.events.get(kind="reopened").actor_id is None
    assert set(AuditEvent.objects.filter(action__startswith="voices.").values_list("action", flat=True)) == {
        "voices.appeal.closed"  # the handler's, not the submitter's
    }


# --- the home-page prompt --------------------------------------------------------------------------


def test_the_home_page_asks_the_member_to_rate_an_answer(voices, answered):
    appeal, _ = answered
    prompts = appeal_prompts(voices["member"])
    assert len(prompts) == 1 and prompts[0].url == f"/voices/{appeal.pk}/#rate" and appeal.title in prompts[0].title
    assert appeal_prompts(voices["cadre"]) == []
    appeal_rate(actor=voices["member"], appeal=appeal, score=5)
    assert appeal_prompts(voices["member"]) == []


def test_the_prompt_ends_with_the_reopening_window(voices, answered):
    appeal, _ = answered
    later = appeal.reopen_until + datetime.timedelta(minutes=1)
    assert list(appeals_to_rate(voices["member"], now=later)) == []
