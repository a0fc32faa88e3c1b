"""The rating request: the served member is asked once, in the inbox, when a service is completed (through
the features' own services), never for an anonymous appeal; and the daily catch-up asks about what slipped."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests import factories
from unionhome.assistance.models import Visit
from unionhome.assistance.ratings import describe_aid, describe_visit
from unionhome.assistance.services.assistance import assistance_deliver
from unionhome.assistance.services.visits import visit_record
from unionhome.assistance.tests import records
from unionhome.congress.services.proposal_handling import proposal_rate, proposal_reply
from unionhome.congress.services.proposals import proposal_url
from unionhome.congress.tests import proposal_records
from unionhome.congress.tests.conftest import congress  # noqa: F401  (fixture)
from unionhome.notify.models import Delivery, Notification
from unionhome.satisfaction import tasks
from unionhome.satisfaction.models import RatingRequest
from unionhome.satisfaction.ratable import neutral_notice
from unionhome.satisfaction.requests import (
    CATCH_UP_LIMIT,
    NOTIFY_KIND,
    rating_request,
    rating_requests_catch_up,
)
from unionhome.satisfaction.selectors import pending_ratings
from unionhome.satisfaction.services import rating_submit
from unionhome.voices.services.feedback import appeal_rate, appeal_reopen
from unionhome.voices.services.handling import appeal_close
from unionhome.voices.tests.appeal_helpers import send
from unionhome.voices.tests.conftest import voices  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


def requests_to(user):
    return list(Notification.objects.filter(recipient=user, kind=NOTIFY_KIND))


def test_a_delivered_assistance_asks_the_member_once(centre, django_capture_on_commit_callbacks):
    help_ = records.assistance(
        centre["member_record"], requested_by=centre["officer_s1"], amount=None, kind="job", status="approved"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assistance_deliver(actor=centre["officer_s1"], assistance=help_)
    [note] = requests_to(centre["member"])
    assert note.url == reverse("satisfaction:rate", args=["assistance.assistance", help_.pk])
    assert "satisfaction.rating.request:assistance.assistance:" in note.dedupe_key
    # A retry (a job run twice, a second call) asks nothing more.
    help_.refresh_from_db()
    assert rating_request(help_) is False
    assert len(requests_to(centre["member"])) == 1
    assert RatingRequest.objects.filter(item_type="assistance.assistance", item_id=help_.pk).count() == 1


def test_nothing_is_asked_before_the_service_is_ready_or_after_it_was_rated(centre, served):
    due = served.visit(status="due")
    assert rating_request(due) is False
    done = served.visit()
    rating_submit(actor=centre["member"], item=done, score=5)
    assert rating_request(done) is False
    assert requests_to(centre["member"]) == [] and not RatingRequest.objects.exists()


def test_a_recorded_visit_asks_for_its_rating(centre, served, django_capture_on_commit_callbacks):
    visit = served.visit(status="due")
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(actor=centre["cadre"], visit=visit, visited_on=centre["today"], visitor_names="工会 刘")
    [note] = requests_to(centre["member"])
    assert note.url == reverse("satisfaction:rate", args=[Visit._meta.label_lower, visit.pk])


def test_a_member_without_an_account_is_not_asked(centre, served):
    lone = factories.member(centre["union"]["g11"], "赵六")
    assert rating_request(served.visit(lone)) is False
    assert not RatingRequest.objects.exists()


def test_an_answered_appeal_asks_once_even_when_reopened_and_answered_again(
    voices,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    member = voices["member"]
    appeal, _ = send(member)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_close(actor=voices["cadre"], appeal=appeal, answer="已协调后勤延长热水供应。", public=False)
    [note] = requests_to(member)
    assert note.url == reverse("voices:appeal_detail", args=[appeal.pk])
    appeal.refresh_from_db()
    appeal_rate(actor=member, appeal=appeal, score=1, comment="没有变化")
    appeal_reopen(actor=member, appeal=appeal, reason="热水还是不够")
    appeal.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_close(actor=voices["cadre"], appeal=appeal, answer="已增加一台热水器。", public=False)
    assert len(requests_to(member)) == 1


def test_an_anonymous_appeal_asks_nobody(voices, django_capture_on_commit_callbacks):  # noqa: F811
    appeal, _ = send(voices["member"], anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_close(actor=voices["cadre"], appeal=appeal, answer="已处理。", public=False)
    assert not Notification.objects.filter(kind=NOTIFY_KIND).exists()
    assert not RatingRequest.objects.exists()


def test_an_item_rated_on_its_own_page_needs_that_page(voices):  # noqa: F811
    appeal, _ = send(voices["member"])
    with pytest.raises(ValueError, match="not a registered ratable"):
        rating_request(appeal)


def test_the_catch_up_asks_about_recent_unasked_items_once(centre, served):
    today = centre["today"]
    recent = served.assistance(days_ago=2)
    old = served.assistance(days_ago=45)
    rated = served.visit()
    rating_submit(actor=centre["member"], item=rated, score=4)
    asked = served.aid()
    rating_request(asked)  # asked when it was paid
    not_ready = served.visit(status="due")
    other = factories.user("other", member=centre["other_s1"])
    theirs = served.visit(centre["other_s1"])
    assert "unionhome.satisfaction.requests.rating_requests_catch_up" in tasks.DAILY_SWEEPS

    assert rating_requests_catch_up(today=today) == 2
    asked_items = set(RatingRequest.objects.values_list("item_type", "item_id"))
    assert asked_items == {
        ("assistance.assistance", recent.pk),
        ("assistance.aidapplication", asked.pk),
        ("assistance.visit", theirs.pk),
    }
    assert len(requests_to(other)) == 1 and len(requests_to(centre["member"])) == 2
    assert old.pk and not_ready.pk
    # A rerun asks nothing more.
    assert rating_requests_catch_up(today=today) == 0
    assert Notification.objects.filter(kind=NOTIFY_KIND).count() == 3


def test_the_catch_up_is_bounded_and_newest_first(centre, served, monkeypatch, django_assert_max_num_queries):
    from unionhome.satisfaction import requests

    monkeypatch.setattr(requests, "CATCH_UP_LIMIT", 2)
    items = [served.assistance(days_ago=days) for days in (1, 2, 3)]
    with django_assert_max_num_queries(3 + 2 * 10):  # the finds, then a few per item asked
        assert rating_requests_catch_up(today=centre["today"]) == 2
    asked = set(RatingRequest.objects.values_list("item_id", flat=True))
    assert asked == {items[0].pk, items[1].pk}
    assert rating_requests_catch_up(today=centre["today"]) == 1
    assert CATCH_UP_LIMIT >= 100


def test_the_request_is_in_the_site_language_and_opens_the_rating_page(centre, served, client, login_as):
    visit = served.visit()
    assert rating_request(visit) is True
    [note] = requests_to(centre["member"])
    with translation.override(settings.LANGUAGE_CODE):
        neutral = neutral_notice(gettext("Visits and condolences"), visit.visited_on)
        assert note.title == gettext("Please rate: %(item)s") % {"item": neutral}
        assert visit.get_occasion_display() not in note.title + note.body
    login_as(centre["member"])
    response = client.get(note.url)
    assert response.status_code == 200 and "评价" in response.content.decode()
    assert timezone.now() - RatingRequest.objects.get().requested_at < datetime.timedelta(minutes=1)


def test_a_replied_proposal_asks_its_proposer_once_even_after_re_handling(
    congress,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    proposer = congress["rep_users"][0]
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_records.at(congress, "replied")
    [note] = requests_to(proposer)
    assert note.url == proposal_url(proposal)
    proposal_rate(actor=proposer, proposal=proposal, rating="dissatisfied", comment="时间太晚")
    proposal = proposal_records.refresh(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_reply(actor=congress["handler"], proposal=proposal, body="提前到二季度完成。")
    assert len(requests_to(proposer)) == 1


def test_what_leaves_the_site_names_neither_the_occasion_nor_the_child(
    transactional_db, centre, served, smtp_server, run_tasks
):
    """The inbox title, the email and every delivery name the line, the date or the campaign; the signed-in
    pending list still names the item in full for its member."""
    member = centre["member"]
    member.email = "zhang@union.example"
    member.save(update_fields=["email"])
    visit, aid = served.visit(), served.aid(child="李小红")
    assert rating_request(visit) is True and rating_request(aid) is True
    run_tasks()

    with translation.override(settings.LANGUAGE_CODE):
        secrets = [visit.get_occasion_display(), describe_visit(visit), "李小红", describe_aid(aid)]
        expected = {
            gettext("Please rate: %(item)s")
            % {"item": neutral_notice(gettext("Visits and condolences"), visit.visited_on)},
            gettext("Please rate: %(item)s")
            % {"item": gettext("your education aid (%(campaign)s)") % {"campaign": "金秋助学"}},
        }
    secrets.append("Illness")
    notes = requests_to(member)
    assert {n.title for n in notes} == expected
    sent = [f"{m['Subject']}\n{m.get_content()}" for _, m in smtp_server.messages]
    assert len(sent) == 2 and Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2
    texts = sent + [f"{n.title}\n{n.body}" for n in notes]
    texts += [f"{d.title}\n{d.body}" for d in Delivery.objects.all()]
    assert not [(secret, text) for secret in secrets for text in texts if secret in text]
    assert any(visit.visited_on.isoformat() in text for text in sent) and any("金秋助学" in text for text in sent)
    with translation.override(settings.LANGUAGE_CODE):
        assert {p.title for p in pending_ratings(centre["member_record"])} == {describe_visit(visit), describe_aid(aid)}


def test_an_appeal_request_names_only_its_date(voices, django_capture_on_commit_callbacks):  # noqa: F811
    appeal, _ = send(voices["member"])
    with django_capture_on_commit_callbacks(execute=True):
        appeal_close(actor=voices["cadre"], appeal=appeal, answer="已处理。", public=False)
    [note] = requests_to(voices["member"])
    with translation.override(settings.LANGUAGE_CODE):
        day = timezone.localdate(appeal.submitted_at).isoformat()
        assert note.title == gettext("Please rate: %(item)s") % {
            "item": gettext("your appeal of %(date)s") % {"date": day}
        }
    assert appeal.title not in note.title + note.body and appeal.reference not in note.title
