"""Changing the proposer's rating of a reply as a person does it: on the proposal page (test client) and
through the API with a bearer token (PATCH /api/v1/congress/proposals/{id}/rate), refusals included."""

import datetime
import json

import pytest
from django.utils import timezone

from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import Proposal, ProposalReply
from unionhome.congress.tests import proposal_records as records
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.tests.tally_recount import recomputed, stored

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _window(settings):
    settings.SATISFACTION_EDIT_DAYS = 7


def page_of(client, proposal) -> str:
    return client.get(f"/congress/proposals/{proposal.pk}/", **EN).content.decode()


def change_on_page(client, proposal, rating: str, comment: str = ""):
    data = {"rerate-rating": rating, "rerate-comment": comment}
    return client.post(f"/congress/proposals/{proposal.pk}/change_rating/", data, **EN)


def patch(client, user, proposal, body: dict):
    token = api_token_issue(user=user)[0]
    return client.patch(
        f"/api/v1/congress/proposals/{proposal.pk}/rate",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )


# --- the page ------------------------------------------------------------------------------------


def test_the_proposer_sees_the_rating_and_changes_it_on_the_page(client, login_as, congress):
    proposal = records.at(congress, "closed")
    login_as(congress["rep_users"][0])
    page = page_of(client, proposal)
    assert "Proposer&#x27;s rating" in page or "Proposer's rating" in page
    assert 'id="change-rating"' in page and "Change my rating" in page and "You can change your rating until" in page
    assert 'name="rerate-rating" value="satisfied"' in page
    done = change_on_page(client, proposal, "basically", "只完成了一部分")
    assert done.status_code == 302 and done["Location"] == f"/congress/proposals/{proposal.pk}/"
    page = page_of(client, proposal)
    assert "Your rating was changed. Thank you." in page and "只完成了一部分" in page
    assert ProposalReply.objects.get().rating == "basically" and Rating.objects.get().score == 3
    assert Proposal.objects.get().status == "closed" and stored() == recomputed()


def test_the_page_refuses_with_the_reason_and_keeps_the_rating(client, login_as, congress):
    proposal = records.at(congress, "closed")
    login_as(congress["rep_users"][0])
    missing = change_on_page(client, proposal, "dissatisfied", "")
    assert missing.status_code == 422 and 'id="id_rerate-comment-error"' in missing.content.decode()
    unknown = change_on_page(client, proposal, "great")
    assert unknown.status_code == 422 and 'id="id_rerate-rating-error"' in unknown.content.decode()
    assert ProposalReply.objects.get().rating == "satisfied" and Proposal.objects.get().status == "closed"
    sent = change_on_page(client, proposal, "dissatisfied", "检测没做")
    assert sent.status_code == 302 and Proposal.objects.get().status == "rehandling"
    back = change_on_page(client, proposal, "satisfied")
    assert back.status_code == 422 and "being handled again" in back.content.decode()
    assert ProposalReply.objects.get().rating == "dissatisfied"


def test_others_see_no_change_form_and_are_refused(client, login_as, congress):
    proposal = records.at(congress, "closed")
    login_as(congress["rep_users"][1])
    assert 'id="change-rating"' not in page_of(client, proposal)
    refused = change_on_page(client, proposal, "basically")
    assert refused.status_code == 403 and "Only the proposer" in refused.content.decode()
    login_as(congress["member"])
    assert change_on_page(client, proposal, "basically").status_code == 404
    assert ProposalReply.objects.get().rating == "satisfied"


def test_after_the_window_the_page_says_so(client, login_as, congress):
    proposal = records.at(congress, "closed")
    ProposalReply.objects.update(rated_at=timezone.now() - datetime.timedelta(days=8))
    login_as(congress["rep_users"][0])
    page = page_of(client, proposal)
    assert "The time to change your rating ended on" in page and "rerate-rating" not in page
    late = change_on_page(client, proposal, "basically")
    assert late.status_code == 422 and ProposalReply.objects.get().rating == "satisfied"


def test_the_page_in_chinese(client, login_as, congress):
    proposal = records.at(congress, "closed")
    login_as(congress["rep_users"][0])
    page = client.get(f"/congress/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Change my rating" not in page and 'id="change-rating"' in page


# --- the API -------------------------------------------------------------------------------------


def test_the_api_changes_the_rating(client, congress):
    proposal = records.at(congress, "closed")
    shown = client.get(
        f"/api/v1/congress/proposals/{proposal.pk}",
        headers={"Authorization": f"Bearer {api_token_issue(user=congress['rep_users'][0])[0]}"},
    ).json()
    assert shown["replies"][0]["rating_change_until"] is not None
    done = patch(client, congress["rep_users"][0], proposal, {"rating": "dissatisfied", "comment": "没有检测"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "rehandling" and body["replies"][0]["rating"] == "dissatisfied"
    assert body["replies"][0]["rating_comment"] == "没有检测"
    kept = patch(client, congress["rep_users"][0], proposal, {"rating": "dissatisfied"})
    assert kept.status_code == 200 and kept.json()["replies"][0]["rating_comment"] == "没有检测"
    assert Rating.objects.get().score == 1 and stored() == recomputed()


def test_the_api_refusals(client, congress):
    proposal = records.at(congress, "closed")
    rep, other = congress["rep_users"][0], congress["rep_users"][1]
    assert patch(client, other, proposal, {"rating": "basically"}).status_code == 403
    assert patch(client, congress["member"], proposal, {"rating": "basically"}).status_code == 404
    assert patch(client, rep, proposal, {"rating": "great"}).status_code == 422
    missing = patch(client, rep, proposal, {"rating": "dissatisfied", "comment": ""})
    assert missing.status_code == 422 and "comment" in missing.content.decode()
    ProposalReply.objects.update(rated_at=timezone.now() - datetime.timedelta(days=8))
    late = patch(client, rep, proposal, {"rating": "basically"})
    assert late.status_code == 400 and late.json()["code"] == "edit_window_over"
    unrated = records.at(congress, "replied", by=3)
    nothing = patch(client, congress["rep_users"][3], unrated, {"rating": "basically"})
    assert nothing.status_code == 400 and nothing.json() == {
        "detail": "You have not rated this reply yet.",
        "code": "not_rated",
    }
    assert [r.rating for r in ProposalReply.objects.order_by("pk")] == ["satisfied", ""]
    assert Rating.objects.get().score == 5 and stored() == recomputed()


def test_the_schema_documents_the_change(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/congress/proposals/{proposal_id}/rate"]["patch"]
    assert operation["operationId"] == "congress_proposal_rating_change"
    assert {"200", "400", "403", "404", "422"} <= set(operation["responses"])
