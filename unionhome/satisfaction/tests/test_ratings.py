"""Ratings: the service's rules, the registry, the pending list (constant queries), pages and API."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from unionhome.access.policy import OutOfScope
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.ratable import ratable_for, ratable_types
from unionhome.satisfaction.selectors import pending_ratings
from unionhome.satisfaction.services import rating_submit


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# --- The registry --------------------------------------------------------------------------------


def test_the_centre_registers_its_three_services():
    registered = {r.item_type: (r.service_line, r.cadre_field) for r in ratable_types()}
    assert registered["assistance.assistance"] == ("hardship_assistance", "responsible")
    assert registered["assistance.visit"] == ("visits", "recorded_by")
    assert registered["assistance.aidapplication"] == ("education_aid", "decided_by")


# --- rating_submit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "line", "cadre"),
    [
        ("assistance", "hardship_assistance", "officer_s1"),
        ("visit", "visits", "cadre"),
        ("aid", "education_aid", "chair"),
    ],
)
def test_the_served_member_rates_once(centre, served, kind, line, cadre):
    item = getattr(served, kind)()
    rating = rating_submit(actor=centre["member"], item=item, score=4, comment="  很及时，谢谢工会 ")
    stored = Rating.objects.get(pk=rating.pk)
    assert (stored.service_line, stored.item_type, stored.item_id) == (line, item._meta.label_lower, item.pk)
    assert (stored.member, stored.unit_path, stored.cadre) == (centre["member_record"], item.unit_path, centre[cadre])
    assert (stored.score, stored.comment) == (4, "很及时，谢谢工会")
    event = AuditEvent.objects.get(action="satisfaction.rating.submitted")
    assert event.object_id == str(item.pk) and "4" not in str(event.changes) and "很及时" not in str(event.changes)
    with pytest.raises(ValidationError) as again:
        rating_submit(actor=centre["member"], item=item, score=1)
    assert "already rated" in again.value.messages[0]
    assert Rating.objects.get().score == 4


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("assistance", "requested"),
        ("assistance", "approved"),
        ("assistance", "reversed"),
        ("visit", "due"),
        ("aid", "approved"),
    ],
)
def test_only_delivered_items_are_rated(centre, served, kind, status):
    item = getattr(served, kind)(status=status)
    with pytest.raises(ValidationError) as refused:
        rating_submit(actor=centre["member"], item=item, score=5)
    assert "once the service has been delivered" in refused.value.messages[0]
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["cadre", "chair", "officer_s1", "admin"])
def test_only_the_served_member_rates(centre, served, who):
    item = served.assistance()
    with pytest.raises(OutOfScope):
        rating_submit(actor=centre[who], item=item, score=5)
    assert not Rating.objects.exists()


def test_another_member_may_not_rate_my_help(centre, served):
    from tests import factories

    other = factories.user("lisi", member=centre["other_s1"])
    with pytest.raises(OutOfScope):
        rating_submit(actor=other, item=served.assistance(), score=1)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [
        (0, "", "score"),
        (6, "", "score"),
        (True, "", "score"),
        ("5", "", "score"),
        (3.5, "", "score"),
        (3, "长" * 501, "comment"),
    ],
)
def test_bad_scores_and_comments_are_refused(centre, served, score, comment, field):
    with pytest.raises(ValidationError) as refused:
        rating_submit(actor=centre["member"], item=served.assistance(), score=score, comment=comment)
    assert field in refused.value.message_dict
    assert not Rating.objects.exists()


def test_unregistered_things_cannot_be_rated(centre):
    with pytest.raises(ValidationError):
        rating_submit(actor=centre["member"], item=centre["member_record"], score=5)


# --- pending_ratings -----------------------------------------------------------------------------


def test_pending_lists_ready_unrated_items_of_the_member(centre, served):
    help_ = served.assistance(days_ago=10)
    visit = served.visit()
    aid = served.aid()
    served.assistance(status="approved")
    served.visit(status="due")
    served.assistance(centre["other_s1"])
    rated = served.assistance(days_ago=1)
    rating_submit(actor=centre["member"], item=rated, score=5)
    pending = pending_ratings(centre["member_record"])
    assert {(p.item_type, p.item_id) for p in pending} == {
        ("assistance.assistance", help_.pk),
        ("assistance.visit", visit.pk),
        ("assistance.aidapplication", aid.pk),
    }
    by_type = {p.item_type: p for p in pending}
    assert by_type["assistance.aidapplication"].title == "Education aid for 小明 (金秋助学)"
    assert by_type["assistance.assistance"].title.startswith("Cash delivered on ")
    assert by_type["assistance.visit"].url == f"/satisfaction/rate/assistance.visit/{visit.pk}/"
    assert pending[-1].item_type == "assistance.assistance"  # delivered ten days ago: the oldest
    assert pending_ratings(None) == []


def test_pending_query_count_is_constant(centre, served, django_assert_num_queries):
    served.assistance(), served.visit(), served.aid()
    with django_assert_num_queries(len(ratable_types())):
        assert len(pending_ratings(centre["member_record"])) == 3
    for i in range(6):
        served.assistance(days_ago=i), served.visit(), served.aid(child=f"孩子{i}")
    with django_assert_num_queries(len(ratable_types())):
        assert len(pending_ratings(centre["member_record"])) == 21


def test_ratable_describes_readiness(served):
    item = served.assistance(status="approved")
    assert not ratable_for(item).is_ready(item)


# --- Pages ---------------------------------------------------------------------------------------


def test_pending_page_and_rating_with_stars(login_as, centre, served):
    item = served.assistance()
    client = login_as(centre["member"])
    html = client.get("/satisfaction/").content.decode()
    url = f"/satisfaction/rate/assistance.assistance/{item.pk}/"
    assert f'href="{url}"' in html
    form = client.get(url).content.decode()
    assert form.count('type="radio" name="score"') == 5 and "<legend>" in form
    assert "5 stars: very satisfied" in form
    response = client.post(url, {"score": "5", "comment": "谢谢"})
    assert response.status_code == 302 and response["Location"] == "/satisfaction/"
    assert Rating.objects.get().score == 5
    after = client.get("/satisfaction/").content.decode()
    assert "Nothing is waiting for your rating." in after  # off the pending list; only "Change" links to it
    assert after.count(f'href="{url}"') == 1 and f'<a href="{url}">Change<span class="sr-only">' in after
    assert "You rated this 5 stars." in client.get(url).content.decode()
    client.post(url, {"score": "1"})  # a second post within the edit window changes it, never adds one
    assert Rating.objects.get().score == 1


def test_rating_page_errors_by_the_field(login_as, centre, served):
    url = f"/satisfaction/rate/assistance.assistance/{served.assistance().pk}/"
    response = login_as(centre["member"]).post(url, {"score": "9"})
    assert response.status_code == 200 and 'id="id_score-error"' in response.content.decode()
    assert not Rating.objects.exists()


def test_not_yet_delivered_shows_why(login_as, centre, served):
    url = f"/satisfaction/rate/assistance.assistance/{served.assistance(status='approved').pk}/"
    html = login_as(centre["member"]).get(url).content.decode()
    assert "once the service has been delivered" in html and 'name="score"' not in html


@pytest.mark.parametrize("who", ["cadre", "chair", "officer_s1"])
def test_others_get_not_found(login_as, centre, served, who):
    url = f"/satisfaction/rate/assistance.assistance/{served.assistance().pk}/"
    client = login_as(centre[who])
    assert client.get(url).status_code == 404
    assert client.post(url, {"score": "1"}).status_code == 404
    assert not Rating.objects.exists()


def test_unknown_types_are_not_found(login_as, centre, served):
    client = login_as(centre["member"])
    assert client.get("/satisfaction/rate/org.member/1/").status_code == 404
    assert client.get("/satisfaction/rate/assistance.assistance/999999/").status_code == 404


def test_a_cadre_without_member_record_sees_an_explanation(login_as, centre):
    html = login_as(centre["officer_s1"]).get("/satisfaction/").content.decode()
    assert "not linked to a member record" in html


def test_pending_page_query_count_is_constant(login_as, centre, served):
    client = login_as(centre["member"])
    served.assistance()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/satisfaction/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(8):
        served.assistance(days_ago=i), served.visit(), served.aid(child=f"孩子{i}")
    rating_submit(actor=centre["member"], item=served.visit(), score=3)
    assert count() == before
    for _ in range(5):
        rating_submit(actor=centre["member"], item=served.visit(), score=4)
    assert count() == before


def test_no_page_shows_a_cadre_who_gave_which_score(login_as, centre, served):
    rating_submit(actor=centre["member"], item=served.visit(), score=1, comment="态度很差")
    for url in ["/satisfaction/", "/notify/", "/assistance/follow-ups/"]:
        response = login_as(centre["cadre"]).get(url)
        assert "态度很差" not in response.content.decode()


# --- API -----------------------------------------------------------------------------------------


def headers(user):
    return {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}


def test_api_pending_and_rate(client, centre, served):
    item = served.visit()
    h = headers(centre["member"])
    pending = client.get("/api/v1/satisfaction/ratings/pending", headers=h).json()["items"]
    assert pending == [
        {
            "item_type": "assistance.visit",
            "item_id": item.pk,
            "service_line": "visits",
            "service_line_label": "Visits and condolences",
            "title": pending[0]["title"],
            "served_on": item.visited_on.isoformat(),
            "url": f"/satisfaction/rate/assistance.visit/{item.pk}/",
        }
    ]
    body = {"item_type": "assistance.visit", "item_id": item.pk, "score": 4, "comment": "好\n很好"}
    response = client.post("/api/v1/satisfaction/ratings", json.dumps(body), content_type="application/json", headers=h)
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 4 and response.json()["service_line"] == "visits"
    assert response.json()["service_line_label"] == "Visits and condolences"
    again = client.post("/api/v1/satisfaction/ratings", json.dumps(body), content_type="application/json", headers=h)
    assert again.status_code == 422 and "already rated" in again.json()["detail"][0]["msg"]
    assert client.get("/api/v1/satisfaction/ratings/pending", headers=h).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"score": 0},
        {"score": 6},
        {"score": "five"},
        {"comment": "长" * 501},
        {"comment": "bad\x00"},
        {"item_id": 0},
    ],
)
def test_api_refuses_bad_ratings(client, centre, served, body):
    item = served.assistance()
    payload = {"item_type": "assistance.assistance", "item_id": item.pk, "score": 3, **body}
    response = client.post(
        "/api/v1/satisfaction/ratings",
        json.dumps(payload),
        content_type="application/json",
        headers=headers(centre["member"]),
    )
    assert response.status_code == 422
    assert not Rating.objects.exists()


def test_api_someone_elses_item_is_404(client, centre, served):
    item = served.assistance()
    payload = {"item_type": "assistance.assistance", "item_id": item.pk, "score": 3}
    for who in ["cadre", "officer_s1"]:
        response = client.post(
            "/api/v1/satisfaction/ratings",
            json.dumps(payload),
            content_type="application/json",
            headers=headers(centre[who]),
        )
        assert response.status_code == 404
    payload["item_type"] = "org.member"
    response = client.post(
        "/api/v1/satisfaction/ratings",
        json.dumps(payload),
        content_type="application/json",
        headers=headers(centre["member"]),
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_api_pending_is_empty_without_a_member_record(client, centre):
    response = client.get("/api/v1/satisfaction/ratings/pending", headers=headers(centre["chair"]))
    assert response.status_code == 200 and response.json() == {"items": []}


def test_api_needs_a_token(client, db):
    assert client.get("/api/v1/satisfaction/ratings/pending").status_code == 401
