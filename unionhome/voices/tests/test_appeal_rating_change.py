"""Changing the rating of an appeal's answer within the edit window (``SATISFACTION_EDIT_DAYS``): the service
(who, when, what follows: the appeal, its history, the audit trail, the tallies, the reopening rule), the pages
and the API, named and by follow-up code, and that an anonymous change links to nobody."""

import json
import logging

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.services import rating_change
from unionhome.satisfaction.tests.tally_recount import recomputed, stored
from unionhome.voices.models import Appeal, AppealEvent
from unionhome.voices.services.feedback import appeal_rate, appeal_rating_change, appeal_reopen
from unionhome.voices.tests import test_anonymity
from unionhome.voices.tests.appeal_helpers import answer, send
from unionhome.voices.tests.test_anonymity import ACTIVITY_ONLY, changed_rows, every_model, links_to, snapshot

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
person = test_anonymity.person  # the fixture: a member with ids and words to search for
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    settings.SATISFACTION_EDIT_DAYS = 7


@pytest.fixture
def rated(voices):
    """A named appeal answered by the station's cadre and rated 2 stars by its member."""
    appeal, _ = send(voices["member"])
    reply = answer(voices["cadre"], appeal)
    appeal.refresh_from_db()
    rating = appeal_rate(actor=voices["member"], appeal=appeal, score=2, comment="只延长了半小时")
    appeal.refresh_from_db()
    return appeal, reply, rating


@pytest.fixture
def rated_anonymously(voices):
    appeal, code = send(voices["member"], anonymous=True)
    answer(voices["cadre"], appeal)
    appeal.refresh_from_db()
    appeal_rate(actor=voices["member"], appeal=appeal, score=1, code=code)
    appeal.refresh_from_db()
    return appeal, code


def tallies_are_exact() -> bool:
    return stored() == recomputed()


def unchanged(rating: Rating, appeal: Appeal, score: int, comment: str) -> bool:
    rating.refresh_from_db()
    appeal.refresh_from_db()
    return (
        (rating.score, rating.comment, rating.changed_at, appeal.rating_score) == (score, comment, None, score)
        and not AppealEvent.objects.filter(kind=AppealEvent.Kind.RATING_CHANGED).exists()
        and not AuditEvent.objects.filter(action="voices.appeal.rating_changed").exists()
        and tallies_are_exact()
    )


# --- the service -------------------------------------------------------------------------------------


def test_the_member_changes_the_rating_and_everything_follows(voices, rated):
    appeal, reply, rating = rated
    rated_at = rating.rated_at
    changed = appeal_rating_change(actor=voices["member"], appeal=appeal, score=4, comment="  后来又延长了  ")
    assert changed.pk == rating.pk and Rating.objects.count() == 1
    changed.refresh_from_db()
    assert (changed.score, changed.comment, changed.rated_at) == (4, "后来又延长了", rated_at)
    assert changed.changed_at is not None and changed.cadre == voices["cadre"] and changed.item_id == reply.pk
    appeal.refresh_from_db()
    assert appeal.rating_score == 4 and appeal.status == Appeal.Status.CLOSED
    event = appeal.events.get(kind=AppealEvent.Kind.RATING_CHANGED)
    assert event.note == "4" and event.actor_id is None
    audit = AuditEvent.objects.get(action="voices.appeal.rating_changed")
    assert audit.actor == voices["member"] and audit.object_id == str(appeal.pk)
    assert "后来" not in json.dumps(audit.changes, ensure_ascii=False)  # never the comment
    assert tallies_are_exact()


def test_the_reopening_rule_follows_the_changed_score(voices, rated):
    appeal, _, _ = rated
    appeal_rating_change(actor=voices["member"], appeal=appeal, score=3)
    with pytest.raises(ValidationError, match="stays closed"):
        appeal_reopen(actor=voices["member"], appeal=appeal, reason="还是不行")
    appeal_rating_change(actor=voices["member"], appeal=appeal, score=1, comment="又坏了")
    reopened = appeal_reopen(actor=voices["member"], appeal=appeal, reason="又坏了")
    assert reopened.status == Appeal.Status.REOPENED and reopened.rating_score is None
    assert appeal.events.filter(kind=AppealEvent.Kind.RATING_CHANGED).count() == 2
    # Reopened: the rating of the old answer is no longer changed; the new answer is rated afresh.
    with pytest.raises(ValidationError, match="stays closed with the answer"):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=5)
    answer(voices["cadre"], appeal, "已更换热水器。")
    with pytest.raises(ValidationError, match="not rated this answer yet"):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=5)
    appeal_rate(actor=voices["member"], appeal=appeal, score=5)
    assert appeal_rating_change(actor=voices["member"], appeal=appeal, score=4).score == 4
    assert sorted(Rating.objects.values_list("score", flat=True)) == [1, 4] and tallies_are_exact()


def test_the_same_values_change_nothing_and_the_comment_is_kept_or_removed(voices, rated):
    appeal, _, rating = rated
    appeal_rating_change(actor=voices["member"], appeal=appeal, score=2, comment=" 只延长了半小时 ")
    assert unchanged(rating, appeal, 2, "只延长了半小时")
    appeal_rating_change(actor=voices["member"], appeal=appeal, score=3, comment=None)  # None keeps it
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (3, "只延长了半小时")
    appeal_rating_change(actor=voices["member"], appeal=appeal, score=3, comment="")  # "" removes it
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (3, "") and tallies_are_exact()


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [(0, "", "score"), (6, "", "score"), ("4", "", "score"), (True, "", "score"), (None, "", "score")]
    + [(4, "长" * 501, "comment"), (4, "坏\x00了", "comment")],
)
def test_bad_input_is_refused_and_changes_nothing(voices, rated, score, comment, field):
    appeal, _, rating = rated
    with pytest.raises(ValidationError) as caught:
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=score, comment=comment)
    assert field in caught.value.message_dict
    assert unchanged(rating, appeal, 2, "只延长了半小时")


def test_after_the_window_the_rating_stays(voices, rated, settings):
    appeal, _, rating = rated
    settings.SATISFACTION_EDIT_DAYS = 0  # the window closed at the moment of rating
    with pytest.raises(ValidationError, match="that time has passed") as caught:
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=5)
    assert caught.value.code == "edit_window_over"
    assert unchanged(rating, appeal, 2, "只延长了半小时")
    # The reopening rule is untouched by the edit window: 2 stars may still reopen.
    assert appeal_reopen(actor=voices["member"], appeal=appeal, reason="没解决").status == "reopened"


def test_an_answer_not_rated_has_nothing_to_change_and_an_open_appeal_neither(voices):
    appeal, _ = send(voices["member"])
    with pytest.raises(ValidationError, match="stays closed"):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=3)
    answer(voices["cadre"], appeal)
    with pytest.raises(ValidationError, match="not rated this answer yet"):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=3)
    assert not Rating.objects.exists()


def test_a_withdrawn_appeal_keeps_its_rating(voices, rated):
    from unionhome.voices.services.appeals import appeal_withdraw

    appeal, _, rating = rated
    appeal_reopen(actor=voices["member"], appeal=appeal, reason="没解决")
    appeal_withdraw(actor=voices["member"], appeal=appeal, reason="")
    with pytest.raises(ValidationError, match="stays closed"):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=5)
    rating.refresh_from_db()
    assert rating.score == 2 and rating.changed_at is None


def test_only_the_submitter_changes_it(voices, rated):
    appeal, _, rating = rated
    other = factories.user("lisi", member=voices["other_s1"])
    for who in (other, voices["cadre"], voices["chair"], None):
        with pytest.raises(OutOfScope):
            appeal_rating_change(actor=who, appeal=appeal, score=5)
    with pytest.raises(OutOfScope):  # a code means nothing for a named appeal
        appeal_rating_change(actor=other, appeal=appeal, score=5, code="AAAA-BBBB-CCCC-DDDD")
    assert unchanged(rating, appeal, 2, "只延长了半小时")


def test_the_satisfaction_app_still_sends_it_back_to_the_appeal(voices, rated):
    _, _, rating = rated
    with pytest.raises(ValidationError, match="changed there"):
        rating_change(actor=voices["member"], rating=rating, score=5)
    rating.refresh_from_db()
    assert rating.score == 2


def test_an_anonymous_rating_is_changed_with_the_code_on_the_hour_and_unaudited(voices, rated_anonymously):
    appeal, code = rated_anonymously
    with pytest.raises(OutOfScope):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=4)
    with pytest.raises(OutOfScope):
        appeal_rating_change(actor=voices["member"], appeal=appeal, score=4, code="AAAA-BBBB-CCCC-DDDD")
    rating = appeal_rating_change(actor=None, appeal=appeal, score=4, comment="修好了", code=code)
    rating.refresh_from_db()
    assert rating.member is None and rating.score == 4
    assert (rating.changed_at.minute, rating.changed_at.second, rating.changed_at.microsecond) == (0, 0, 0)
    event = appeal.events.get(kind=AppealEvent.Kind.RATING_CHANGED)
    latest = appeal.events.exclude(pk=event.pk).order_by("-at").first().at  # the handler's close, to the second
    assert event.actor_id is None and event.at == max(latest, rating.changed_at)  # the hour, never out of order
    appeal.refresh_from_db()
    assert appeal.rating_score == 4 and tallies_are_exact()
    assert set(AuditEvent.objects.filter(action__startswith="voices.").values_list("action", flat=True)) == {
        "voices.appeal.closed"  # the handler's, not the submitter's
    }
    assert not AuditEvent.objects.filter(action__startswith="satisfaction.").exists()


def test_tallies_stay_exact_through_many_changes(voices, rated, rated_anonymously):
    named, _, _ = rated
    anonymous, code = rated_anonymously
    for score in (5, 1, 3, 3, 4, 2):
        appeal_rating_change(actor=voices["member"], appeal=named, score=score)
        appeal_rating_change(actor=None, appeal=anonymous, score=6 - score, code=code)
        assert tallies_are_exact()
    assert sorted(Rating.objects.values_list("score", flat=True)) == [2, 4]


# --- the pages -------------------------------------------------------------------------------------------


def test_the_member_changes_the_rating_on_the_page(client, login_as, voices, rated):
    appeal, _, _ = rated
    login_as(voices["member"])
    page = client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    assert "You rated the answer 2 stars." in page and "Change my rating" in page and 'id="rate"' not in page
    assert 'value="2" id="id_rerate-score_3" required checked' in page  # the same form, pre-filled
    assert "只延长了半小时</textarea>" in page and "You can change your rating until" in page
    bad = client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": "9"}, **EN)
    assert bad.status_code == 200 and 'id="id_rerate-score-error"' in bad.content.decode()
    assert "<details open>" in bad.content.decode()
    long = client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": "4", "rerate-comment": "长" * 501}, **EN)
    assert 'id="id_rerate-comment-error"' in long.content.decode()
    assert Rating.objects.get().score == 2
    done = client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": "4", "rerate-comment": "又延长了"}, **EN)
    assert done.status_code == 302 and done["Location"] == f"/voices/{appeal.pk}/"
    page = client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    assert "Your rating was changed. Thank you." in page and "You rated the answer 4 stars." in page
    assert "Rating changed" in page and 'id="reopen"' not in page  # 4 stars: the appeal stays closed
    assert Rating.objects.get().score == 4


def test_the_errors_are_in_chinese(client, login_as, voices, rated):
    appeal, _, _ = rated
    login_as(voices["member"])
    bad = client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": ""}, **ZH)
    assert "请选择 1 到 5 星的评分。" in bad.content.decode()


def test_after_the_window_the_page_says_so(client, login_as, voices, rated, settings):
    appeal, _, _ = rated
    settings.SATISFACTION_EDIT_DAYS = 0
    login_as(voices["member"])
    page = client.get(f"/voices/{appeal.pk}/", **EN).content.decode()
    assert "Change my rating" not in page and "The time to change your rating ended on" in page
    late = client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": "5"}, **EN).content.decode()
    assert "that time has passed" in late and Rating.objects.get().score == 2


def test_someone_else_cannot_change_it_on_the_page(client, login_as, voices, rated):
    appeal, _, _ = rated
    login_as(factories.user("lisi", member=voices["other_s1"]))
    assert client.post(f"/voices/{appeal.pk}/rating/", {"rerate-score": "5"}, **EN).status_code == 404
    assert Rating.objects.get().score == 2


def test_changing_by_code_on_the_page(client, login_as, voices, rated_anonymously):
    appeal, code = rated_anonymously
    login_as(voices["member"])
    page = client.post("/voices/anonymous/", {"code": code}, **EN).content.decode()
    assert "Change my rating" in page and 'action="/voices/anonymous/rating/"' in page
    wrong = client.post("/voices/anonymous/rating/", {"code": "AAAA-BBBB-CCCC-DDDD", "rerate-score": "5"}, **EN)
    assert "No appeal has this code." in wrong.content.decode() and Rating.objects.get().score == 1
    done = client.post("/voices/anonymous/rating/", {"code": code, "rerate-score": "5"}, **EN)
    assert done["Cache-Control"] == "no-store"
    body = done.content.decode()
    assert "Your rating was changed. Thank you." in body and "You rated the answer 5 stars." in body
    assert Rating.objects.get().score == 5 and tallies_are_exact()


# --- the API -----------------------------------------------------------------------------------------------


@pytest.fixture
def patch(client):
    def go(user, path: str, body: dict):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}", "Accept-Language": "en"}
        return client.patch(
            "/api/v1/voices" + path, data=json.dumps(body), content_type="application/json", headers=headers
        )

    return go


def test_the_api_changes_the_rating(patch, voices, rated, settings):
    settings.LANGUAGE_CODE = "en"
    appeal, _, _ = rated
    response = patch(voices["member"], f"/appeals/{appeal.pk}/rate", {"score": 4})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rating"]["score"] == 4 and body["rating"]["comment"] == "只延长了半小时"  # omitted: kept
    assert body["rating_change_until"] and "change_rating" in body["actions"] and "rate" not in body["actions"]
    assert body["rating_score"] == 4 and body["events"][-1] == {**body["events"][-1], "kind": "rerated", "note": ""}
    assert patch(voices["member"], f"/appeals/{appeal.pk}/rate", {"score": 9}).status_code == 422
    assert patch(voices["member"], f"/appeals/{appeal.pk}/rate", {"score": 3, "comment": "长" * 501}).status_code == 422
    other = factories.user("lisi", member=voices["other_s1"])
    assert patch(other, f"/appeals/{appeal.pk}/rate", {"score": 1}).status_code == 404
    settings.SATISFACTION_EDIT_DAYS = 0
    late = patch(voices["member"], f"/appeals/{appeal.pk}/rate", {"score": 1})
    assert late.status_code == 422 and "that time has passed" in late.content.decode()
    assert Rating.objects.get().score == 4 and tallies_are_exact()


def test_the_api_shows_no_change_after_the_window(client, voices, rated, settings):
    appeal, _, _ = rated
    settings.SATISFACTION_EDIT_DAYS = 0
    headers = {"Authorization": f"Bearer {api_token_issue(user=voices['member'])[0]}"}
    body = client.get(f"/api/v1/voices/appeals/{appeal.pk}", headers=headers).json()
    assert body["rating_change_until"] is None and "change_rating" not in body["actions"]


def test_the_api_changes_by_code(patch, voices, rated_anonymously):
    appeal, code = rated_anonymously
    wrong = patch(voices["member"], "/anonymous/rate", {"code": "AAAA-BBBB-CCCC-DDDD", "score": 5})
    assert wrong.status_code == 404 and wrong.json()["code"] == "unknown_code"
    done = patch(voices["member"], "/anonymous/rate", {"code": code, "score": 5, "comment": "好了"})
    assert done.status_code == 200, done.content
    assert done.json()["rating"]["score"] == 5 and Rating.objects.get().comment == "好了"
    assert not AuditEvent.objects.filter(action="voices.appeal.rating_changed").exists()


# --- anonymity -------------------------------------------------------------------------------------------


def test_an_anonymous_change_links_to_nobody(client, login_as, voices, person, caplog):
    """The pages and the API change an anonymous rating: no new or changed row, and no log line, names the
    member (the search itself is shown able to fail in ``test_anonymity.py``)."""
    caplog.set_level(logging.DEBUG)
    appeal, code = send(person["user"], anonymous=True)
    answer(voices["cadre"], appeal)
    appeal_rate(actor=person["user"], appeal=appeal, score=2, code=code)
    login_as(person["user"])
    token = api_token_issue(user=person["user"])[0]
    before = snapshot()
    caplog.clear()
    page = client.post("/voices/anonymous/rating/", {"code": code, "rerate-score": "4", "rerate-comment": "好多了"})
    assert page.status_code == 200 and Rating.objects.get().score == 4
    api = client.patch(
        "/api/v1/voices/anonymous/rate",
        data=json.dumps({"code": code, "score": 3}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 200, api.content
    changes = list(changed_rows(before, snapshot()))
    assert {"satisfaction.Rating", "voices.AppealEvent", "voices.Appeal"} <= {label for label, _, _ in changes}
    models_by_label = {m._meta.label: m for m in every_model()}
    problems = []
    for label, pk, row in changes:
        if label in ACTIVITY_ONLY and pk in before[label]:  # a time of last activity may move, nothing else
            fields = [f.attname for f in models_by_label[label]._meta.concrete_fields]
            moved = {f for f, old, new in zip(fields, before[label][pk][1:], row[1:], strict=True) if old != new}
            assert moved <= ACTIVITY_ONLY[label], (label, moved)
            continue
        problems += [f"{label} #{pk}: {found}" for found in links_to(models_by_label[label], row, person)]
    assert problems == [], "\n".join(problems)
    assert not any(label == "audit.AuditEvent" for label, _, _ in changes)
    for entry in caplog.records:
        text = entry.getMessage() + (entry.exc_text or "")
        assert not any(word in text for word in person["words"]) and code not in text, text
