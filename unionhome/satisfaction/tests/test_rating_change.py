"""Changing one's rating within the edit window: the service's rules, the rate page and the API."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.access.policy import OutOfScope
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.selectors import given_ratings
from unionhome.satisfaction.services import rating_change, rating_record, rating_submit
from unionhome.voices.ratings import APPEALS


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SATISFACTION_EDIT_DAYS = 7
    with translation.override("en"):
        yield


@pytest.fixture
def rated(centre, served):
    """The member's rating (3 stars) of a visit, given now."""
    return rating_submit(actor=centre["member"], item=served.visit(), score=3, comment="一般")


def given_days_ago(rating: Rating, days: float) -> Rating:
    Rating.objects.filter(pk=rating.pk).update(rated_at=timezone.now() - datetime.timedelta(days=days))
    rating.refresh_from_db()
    return rating


def unchanged(rating: Rating) -> bool:
    stored = Rating.objects.get(pk=rating.pk)
    return (stored.score, stored.comment, stored.changed_at) == (rating.score, rating.comment, None)


# --- rating_change -------------------------------------------------------------------------------


def test_the_member_changes_their_rating_within_the_window(centre, rated):
    given_at = rated.rated_at
    changed = rating_change(actor=centre["member"], rating=rated, score=5, comment="  后来又来看了，很好  ")
    stored = Rating.objects.get(pk=rated.pk)
    assert (stored.score, stored.comment, stored.rated_at) == (5, "后来又来看了，很好", given_at)
    assert stored.changed_at is not None and changed.changed_at == stored.changed_at
    event = AuditEvent.objects.get(action="satisfaction.rating.changed")
    assert (event.object_type, event.object_id) == ("assistance.visit", str(stored.item_id))
    trail = f"{event.changes} {event.object_repr}"
    assert "很好" not in trail and "5" not in str(event.changes) and "score" not in event.changes
    assert Rating.objects.count() == 1


def test_the_same_values_change_nothing(centre, rated):
    rating_change(actor=centre["member"], rating=rated, score=3, comment=" 一般 ")
    assert unchanged(rated) and not AuditEvent.objects.filter(action="satisfaction.rating.changed").exists()


@pytest.mark.parametrize(("edit_days", "days_ago", "allowed"), [(7, 6.9, True), (7, 7.1, False), (2, 3, False)])
def test_the_window_is_the_setting(settings, centre, rated, edit_days, days_ago, allowed):
    settings.SATISFACTION_EDIT_DAYS = edit_days
    rating = given_days_ago(rated, days_ago)
    if allowed:
        assert rating_change(actor=centre["member"], rating=rating, score=1).score == 1
        return
    with pytest.raises(ValidationError) as refused:
        rating_change(actor=centre["member"], rating=rating, score=1)
    assert refused.value.messages == ["The time to change this rating is over."]
    assert unchanged(rating)


def test_the_window_runs_from_the_first_rating_not_the_last_change(settings, centre, rated):
    rating = given_days_ago(rated, 6)
    rating_change(actor=centre["member"], rating=rating, score=4)
    Rating.objects.filter(pk=rating.pk).update(rated_at=timezone.now() - datetime.timedelta(days=8))
    with pytest.raises(ValidationError, match="time to change"):
        rating_change(actor=centre["member"], rating=Rating.objects.get(pk=rating.pk), score=2)
    assert Rating.objects.get(pk=rating.pk).score == 4


@pytest.mark.parametrize("who", ["cadre", "chair", "officer_s1", "admin", "other"])
def test_nobody_else_changes_it(centre, rated, who):
    actor = factories.user("lisi", member=centre["other_s1"]) if who == "other" else centre[who]
    with pytest.raises(OutOfScope):
        rating_change(actor=actor, rating=rated, score=1)
    assert unchanged(rated)


def test_an_anonymous_rating_cannot_be_changed(centre):
    member = centre["member_record"]
    rating = rating_record(
        service_line=APPEALS,
        item_type="voices.appealreply",
        item_id=1,
        member=None,
        unit_path=member.unit_path,
        cadre_id=None,
        score=2,
    )
    with pytest.raises(OutOfScope):
        rating_change(actor=centre["member"], rating=rating, score=5)
    assert unchanged(rating)


def test_a_rating_kept_with_its_case_is_changed_there(centre):
    member = centre["member_record"]
    rating = rating_record(
        service_line=APPEALS,
        item_type="voices.appealreply",
        item_id=1,
        member=member,
        unit_path=member.unit_path,
        cadre_id=None,
        score=2,
    )
    with pytest.raises(ValidationError, match="changed there"):
        rating_change(actor=centre["member"], rating=rating, score=5)
    assert unchanged(rating)
    assert [g.change_url for g in given_ratings(member, 5)] == [""]


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [(0, "", "score"), (6, "", "score"), (True, "", "score"), ("4", "", "score"), (4, "长" * 501, "comment")],
)
def test_bad_values_are_refused(centre, rated, score, comment, field):
    with pytest.raises(ValidationError) as refused:
        rating_change(actor=centre["member"], rating=rated, score=score, comment=comment)
    assert field in refused.value.message_dict
    assert unchanged(rated)


def test_given_ratings_say_until_when_and_where(centre, served, django_assert_num_queries):
    member = centre["member_record"]
    ratings = [rating_submit(actor=centre["member"], item=served.visit(), score=4) for _ in range(3)]
    given_days_ago(ratings[0], 10)
    with django_assert_num_queries(1):
        listed = given_ratings(member, 10)
    by_pk = {g.rating.pk: g for g in listed}
    assert by_pk[ratings[0].pk].change_url == ""
    assert by_pk[ratings[1].pk].change_url == f"/satisfaction/rate/assistance.visit/{ratings[1].item_id}/"
    assert by_pk[ratings[1].pk].change_until == by_pk[ratings[1].pk].rating.rated_at + datetime.timedelta(days=7)
    for _ in range(5):
        rating_submit(actor=centre["member"], item=served.visit(), score=2)
    with django_assert_num_queries(1):
        assert len(given_ratings(member, 10)) == 8


# --- The rate page -------------------------------------------------------------------------------


def test_the_rate_page_shows_the_current_score_and_changes_it(login_as, centre, rated):
    url = f"/satisfaction/rate/assistance.visit/{rated.item_id}/"
    client = login_as(centre["member"])
    html = client.get(url).content.decode()
    assert "You rated this 3 stars." in html and "You can change your rating until" in html
    assert html.count(" checked>") == 1 and 'value="3" id="id_score_2" required checked>' in html
    assert "一般</textarea>" in html and "Change my rating" in html
    response = client.post(url, {"score": "5", "comment": "很好"}, follow=True)
    assert response.redirect_chain[-1][0] == "/satisfaction/"
    assert "Your rating was changed." in response.content.decode()
    stored = Rating.objects.get()
    assert (stored.score, stored.comment) == (5, "很好") and stored.changed_at is not None


def test_after_the_window_the_page_only_shows_the_rating(login_as, centre, rated):
    given_days_ago(rated, 8)
    url = f"/satisfaction/rate/assistance.visit/{rated.item_id}/"
    client = login_as(centre["member"])
    html = client.get(url).content.decode()
    assert "You rated this 3 stars." in html and "The time to change this rating is over." in html
    assert 'name="score"' not in html
    client.post(url, {"score": "1"})
    assert unchanged(rated)
    assert "/satisfaction/rate/" not in client.get("/satisfaction/").content.decode()


def test_the_page_shows_errors_by_the_field_on_a_change(login_as, centre, rated):
    url = f"/satisfaction/rate/assistance.visit/{rated.item_id}/"
    response = login_as(centre["member"]).post(url, {"score": "9"})
    assert response.status_code == 200 and 'id="id_score-error"' in response.content.decode()
    assert unchanged(rated)


def test_the_rate_page_speaks_chinese_by_default(settings, client, centre, rated):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(centre["member"])
    html = client.get(f"/satisfaction/rate/assistance.visit/{rated.item_id}/").content.decode()
    with translation.override("zh-hans"):
        title = translation.gettext("Rate this service")
    assert title != "Rate this service" and title in html and 'lang="zh-Hans"' in html


# --- API -----------------------------------------------------------------------------------------


def patch(client, user, rating_id, body):
    token = api_token_issue(user=user)[0]
    return client.patch(
        f"/api/v1/satisfaction/ratings/{rating_id}",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_api_changes_the_score_and_the_comment_apart(client, centre, rated):
    response = patch(client, centre["member"], rated.pk, {"score": 4})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["score"], body["comment"], body["service_line"]) == (rated.pk, 4, "一般", "visits")
    assert body["service_line_label"] == "Visits and condolences" and body["changed_at"]
    until = datetime.datetime.fromisoformat(body["change_until"])
    assert abs(until - (rated.rated_at + datetime.timedelta(days=7))) < datetime.timedelta(milliseconds=1)
    assert patch(client, centre["member"], rated.pk, {"comment": "好\n很好"}).json()["score"] == 4
    assert Rating.objects.get().comment == "好\n很好"


def test_api_after_the_window_is_422(client, centre, rated):
    given_days_ago(rated, 8)
    response = patch(client, centre["member"], rated.pk, {"score": 5})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "The time to change this rating is over."
    assert unchanged(rated)


@pytest.mark.parametrize("who", ["cadre", "officer_s1", "other"])
def test_api_someone_elses_rating_is_404(client, centre, rated, who):
    actor = factories.user("lisi", member=centre["other_s1"]) if who == "other" else centre[who]
    response = patch(client, actor, rated.pk, {"score": 1})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert patch(client, centre["member"], rated.pk + 1000, {"score": 1}).status_code == 404
    assert unchanged(rated)


@pytest.mark.parametrize(
    "body", [{"score": 0}, {"score": 6}, {"score": "five"}, {"comment": "长" * 501}, {"comment": "x\x00"}]
)
def test_api_refuses_bad_values(client, centre, rated, body):
    assert patch(client, centre["member"], rated.pk, body).status_code == 422
    assert unchanged(rated)


def test_api_a_rating_kept_with_its_case_is_422_and_an_anonymous_one_404(client, centre):
    member = centre["member_record"]
    values = {"service_line": APPEALS, "item_type": "voices.appealreply", "unit_path": member.unit_path}
    named = rating_record(**values, item_id=1, member=member, cadre_id=None, score=2)
    anonymous = rating_record(**values, item_id=2, member=None, cadre_id=None, score=2)
    response = patch(client, centre["member"], named.pk, {"score": 5})
    assert response.status_code == 422 and "changed there" in response.json()["detail"][0]["msg"]
    assert patch(client, centre["member"], anonymous.pk, {"score": 5}).status_code == 404
    assert unchanged(named) and unchanged(anonymous)


def test_api_needs_a_token(client, rated):
    assert (
        client.patch(f"/api/v1/satisfaction/ratings/{rated.pk}", "{}", content_type="application/json").status_code
        == 401
    )


# --- Journey in Chromium on a phone --------------------------------------------------------------


@pytest.mark.browser
def test_a_member_changes_a_rating_on_a_phone(transactional_db, visit, centre, served):  # noqa: F811
    item = served.visit()
    m = visit(PHONE)
    m.login(centre["member_record"].employee_no, factories.PASSWORD)
    url = f"/satisfaction/rate/assistance.visit/{item.pk}/"
    m.page.goto("/satisfaction/")
    m.page.locator(f"a[href='{url}']").click()
    m.page.wait_for_url(f"**{url}")
    m.page.locator("label[for=id_score_3]").click()  # two stars
    m.page.locator("form:has([name=score]) button[type=submit]").click()
    m.page.wait_for_url("**/satisfaction/")
    assert Rating.objects.get().score == 2

    # Second thoughts the next day: the "Change" link beside the rating, the current score ticked.
    m.axe()
    assert m.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    m.page.locator(f"td a[href='{url}']").click()
    m.page.wait_for_url(f"**{url}")
    m.axe()
    assert m.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert m.page.locator("#id_score_3").is_checked()
    m.page.locator("label[for=id_score_0]").click()  # five stars
    m.page.locator("[name=comment]").fill("第二次来看望，问题解决了")
    m.page.locator("form:has([name=score]) button[type=submit]").click()
    m.page.wait_for_url("**/satisfaction/")
    stored = Rating.objects.get()
    assert (stored.score, stored.comment) == (5, "第二次来看望，问题解决了") and stored.changed_at is not None
