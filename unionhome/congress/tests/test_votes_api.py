"""The vote API with bearer tokens: set up, open, ballots (idempotent), close, result with receipts."""

import pytest
from django.core.cache import cache

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.conftest import ApiClient
from unionhome.congress.models import Ballot, Participation, Vote
from unionhome.congress.tests.vote_records import check_in, motion_vote, new_key, option

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def token(congress):
    def issue(who, i=None):
        user = congress["rep_users"][i] if who == "rep" else congress[who]
        return api_token_issue(user=user)[0]

    return issue


def ballot(api, token, vote, option_id, key=None):
    return api.post(
        f"/congress/votes/{vote.pk}/ballots",
        {"marks": [{"option_id": option_id}]},
        token,
        headers={"Idempotency-Key": key or new_key()},
    )


def test_the_office_sets_up_opens_and_closes_a_vote_and_representatives_vote(congress, api, token):
    office = token("office")
    motion = api.post(
        "/congress/motions",
        {"session_id": congress["session"].pk, "kind": "wage_plan", "title": "2027年工资调整方案"},
        office,
    )
    assert motion.status_code == 201, motion.content
    created = api.post(
        "/congress/votes",
        {"session_id": congress["session"].pk, "motion_id": motion.json()["id"], "title": "表决：2027年工资调整方案"},
        office,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and [o["meaning"] for o in body["options"]] == ["for", "against", "abstain"]
    vote = Vote.objects.get(pk=body["id"])
    refused = api.post(f"/congress/votes/{vote.pk}/open", None, office)
    assert refused.status_code == 409 and "0 of 8 seated" in refused.json()["detail"]
    check_in(congress)
    opened = api.post(f"/congress/votes/{vote.pk}/open", None, office)
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert api.get(f"/congress/votes/{vote.pk}/result", office).status_code == 409  # no partial results
    for_id = body["options"][0]["id"]
    receipts = []
    for i in range(6):
        answer = ballot(api, token("rep", i), vote, for_id)
        assert answer.status_code == 201, answer.content
        receipts.append(answer.json()["receipt"])
    cache.clear()  # the live count is at most a second old
    assert api.get(f"/congress/votes/{vote.pk}", office).json()["participation"] == 6
    closed = api.post(f"/congress/votes/{vote.pk}/close", None, office)
    assert closed.status_code == 200 and closed.json()["outcome"] == "passed"
    result = api.get(f"/congress/votes/{vote.pk}/result", token("rep", 7))
    assert result.status_code == 200
    data = result.json()
    assert data["participation"] == 6 and data["options"][0]["count"] == 6
    assert sorted(b["receipt"] for b in data["ballots"]) == sorted(receipts)
    assert all(b["voter"] == "" for b in data["ballots"])
    mine = api.get(f"/congress/votes/{vote.pk}/result", token("rep", 0), receipt=receipts[0].lower()).json()
    assert [b["receipt"] for b in mine["ballots"]] == [receipts[0]]


def test_ballot_retry_is_idempotent_and_a_second_ballot_is_a_conflict(congress, api, token):
    vote = motion_vote(congress)
    rep = token("rep", 0)
    key = new_key()
    first = ballot(api, rep, vote, option(vote, "for").pk, key)
    again = ballot(api, rep, vote, option(vote, "for").pk, key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {"receipt": first.json()["receipt"], "recorded": False}
    second = ballot(api, rep, vote, option(vote, "against").pk)
    assert second.status_code == 409 and second.json()["code"] == "already_voted"
    assert Participation.objects.count() == 1 == Ballot.objects.count()


def test_ballot_refusals(congress, api, token):
    vote = motion_vote(congress, open_=False)
    for_id = option(vote, "for").pk
    check_in(congress)
    not_open = ballot(api, token("rep", 0), vote, for_id)
    assert not_open.status_code == 400 and not_open.json()["code"] == "vote_state"
    api.post(f"/congress/votes/{vote.pk}/open", None, token("office"))
    member = ballot(api, token("member"), vote, for_id)
    assert member.status_code == 403 and "seated representatives" in member.json()["detail"]
    assert ballot(api, token("rep", 0), vote, 10**12).status_code == 422
    no_key = api.post(f"/congress/votes/{vote.pk}/ballots", {"marks": [{"option_id": for_id}]}, token("rep", 0))
    assert no_key.status_code == 422
    assert ballot(api, token("rep", 0), vote, for_id, key="short").status_code == 422
    assert api.post(f"/congress/votes/{vote.pk}/close", None, token("rep", 0)).status_code == 403
    assert not Participation.objects.exists()


def test_vote_list_is_scoped_and_counts_queries_once(congress, api, token, django_assert_max_num_queries):
    for n in range(3):
        motion_vote(congress, open_=False, title=f"表决{n}")
    rep = token("rep", 0)
    with django_assert_max_num_queries(10):
        listed = api.get("/congress/votes", rep, session=congress["session"].pk)
    assert listed.status_code == 200 and len(listed.json()) == 3
    for n in range(3, 9):
        motion_vote(congress, open_=False, title=f"表决{n}")
    with django_assert_max_num_queries(10):
        assert len(api.get("/congress/votes", rep).json()) == 9
