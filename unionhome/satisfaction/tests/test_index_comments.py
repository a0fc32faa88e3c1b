"""The lowest ratings' comments (``index_comments.low_comments`` and GET /api/v1/satisfaction/index/comments):
only from k ratings in the unit and period, newest first, at most 20, with the line and month only, in one
query for the comments; scoped like the index (403 without the permission, 404 outside); never a 500."""

import datetime
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.satisfaction.index_comments import MAX_COMMENTS, low_comments
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.tests.index_data import at, commented, rate

URL = "/api/v1/satisfaction/index/comments"
OCT = Period.parse("2026-10")


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


@pytest.fixture
def call(client):
    def get(user, **params):
        token = api_token_issue(user=user)[0]
        return client.get(URL, params, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})

    return get


def test_comments_need_k_ratings_in_the_unit_and_their_line(people, union):
    commented(union["g21"], "visits", 1, "太慢了", when=at(2026, 10, 20))
    rate(union["g21"], "visits", [5, 5, 5], when=at(2026, 10, 21))
    result = low_comments(people["chair"], unit_id=union["s2"].pk, period=OCT)
    assert result.total == 4 and not result.shown and result.comments == []
    rate(union["g21"], "appeals", [4], when=at(2026, 10, 22))
    result = low_comments(people["chair"], unit_id=union["s2"].pk, period=OCT)
    assert result.shown and result.comments == []  # five in all, but the comment's line has four: hidden
    assert low_comments(people["chair"], unit_id=union["s2"].pk, period=OCT, service_line="visits").shown is False
    rate(union["g21"], "visits", [4], when=at(2026, 10, 23))
    result = low_comments(people["chair"], unit_id=union["s2"].pk, period=OCT)
    assert [c.comment for c in result.comments] == ["太慢了"]
    assert low_comments(people["chair"], unit_id=union["s2"].pk, period=OCT, service_line="visits").shown is True


def test_at_most_twenty_comments_newest_first_in_one_query(people, union, django_assert_num_queries):
    for day in range(1, 26):
        commented(union["g21"], "visits", 1 + day % 2, f"意见{day}", when=at(2026, 10, day))
    with django_assert_num_queries(4):  # grants, unit, the total, the comments
        result = low_comments(people["chair"], unit_id=union["union"].pk, period=OCT)
    assert len(result.comments) == MAX_COMMENTS
    assert result.comments[0].comment == "意见25" and result.comments[-1].comment == "意见6"
    assert {c.month.isoformat() for c in result.comments} == {"2026-10-01"}


_units = itertools.count(1)
RATINGS = st.lists(
    st.tuples(st.integers(1, 5), st.sampled_from(["", "慢", "差"]), st.integers(1, 31), st.sampled_from([9, 10, 11])),
    max_size=30,
)


@given(ratings=RATINGS)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_what_is_shown_is_the_newest_low_comments_of_the_period_from_k_ratings(people, union, ratings):
    branch = factories.unit(union["union"], "抽样分工会", "branch", code=f"H{next(_units):03d}")
    group = factories.unit(branch, "抽样班组", "group")
    written = []
    for minute, (score, text, day, month) in enumerate(ratings):
        when = at(2026, month, min(day, 30)) + datetime.timedelta(minutes=minute)
        written.append(commented(group if minute % 2 else branch, "visits", score, text, when=when))
    result = low_comments(people["chair"], unit_id=branch.pk, period=OCT)
    in_october = [r for r in written if r.rated_at.astimezone(at(2026, 10).tzinfo).month == 10]
    assert result.total == len(in_october) and result.shown == (len(in_october) >= 5)
    expected = sorted(
        (r for r in in_october if r.score <= 2 and r.comment), key=lambda r: (r.rated_at, r.pk), reverse=True
    )
    assert [c.comment for c in result.comments] == (
        [r.comment for r in expected][:MAX_COMMENTS] if result.shown else []
    )
    assert all(c.month.isoformat() == "2026-10-01" for c in result.comments)


def test_the_api_gives_the_line_and_month_only(call, people, union):
    rate(union["g11"], "visits", [5, 5, 5, 5], when=at(2026, 10, 2))
    commented(union["g11"], "visits", 2, "排队太久", when=at(2026, 10, 30), member=people["member_record"])
    body = call(people["chair"], unit_id=union["s1"].pk, period="2026-10").json()
    assert body["shown"] and body["total"] == 5 and body["min_group"] == 5 and body["period_label"] == "Oct 2026"
    assert body["comments"] == [
        {"service_line": "visits", "label": body["comments"][0]["label"], "month": "2026-10", "comment": "排队太久"}
    ]
    assert call(people["chair"], unit_id=union["s1"].pk, period="2026-09").json()["shown"] is False


def test_scope_403_404_and_bad_input_422(call, people, union):
    refused = call(people["member"])
    assert refused.status_code == 403 and "satisfaction.view_index" in refused.json()["detail"]
    assert call(people["cadre"], unit_id=union["s2"].pk).status_code == 404
    assert call(people["cadre"], unit_id=union["g11"].pk).status_code == 200
    for params in ({"period": "2026-13"}, {"service_line": "nope"}, {"unit_id": 2**63}, {"unit_id": 0}):
        assert call(people["chair"], **params).status_code == 422


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, people, union, mode):
    rate(union["g21"], "visits", [1, 2, 3, 4, 5], when=at(2026, 10, 2))
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['chair'])[0]}"}
    for operation in operations_named(api_schema, [f"GET {URL}"]):
        fuzz(operation, mode, headers, examples=20)
