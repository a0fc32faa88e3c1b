"""The results page, its live rate and the results API, as a chair (and a branch cadre of the union) uses them:
who may read them, what is suppressed, and the query counts."""

import json
import re

import pytest
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.surveys.models import Survey
from unionhome.surveys.tests.results_data import add_responses, answers

pytestmark = pytest.mark.django_db

API = "/api/v1/satisfaction/surveys/manage"


def page_url(survey, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/surveys/manage/{survey.pk}/results/" + (f"?{query}" if query else "")


@pytest.fixture
def answered(anonymous_survey, union):
    """Station 1: 12 responses of varied answers; station 2: 4 (a group under k = 5)."""
    for likert, matrix in [(5, (5, 4)), (4, (4, 4)), (3, (3, 2)), (2, (2, 1))] * 3:
        add_responses(anonymous_survey, union["s1"], 1, answers(likert=likert, matrix=matrix, text="班车太挤"))
    add_responses(anonymous_survey, union["s2"], 4, answers(likert=1, recommendation=2, text="二站的意见"))
    return anonymous_survey


def test_the_chair_reads_the_results(client, login_as, people, answered, union):
    login_as(people["chair"])
    response = client.get(page_url(answered), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-results-chart="results-q' in html and 'id="results-drivers"' in html
    assert "班车太挤" in html and "二站的意见" in html  # the texts of the whole survey (16 answers)
    assert "Anonymous survey: the answers are listed in random order." in html
    # The breakdown: station 2 (4) hidden, and station 1 with it (the total would give it away).
    table = html[html.index('id="breakdown-table"') :]
    assert table.count("fewer than 5") >= 2 and '<td data-label="Responses" class="num">16</td>' in table
    assert '<td data-label="Responses" class="num">12</td>' not in table
    assert ">4<" not in table


def test_who_may_read_the_results(client, login_as, people, answered, union):
    union_cadre = factories.user("union_cadre", roles=(("branch_cadre", union["union"]),))
    for user, status in [(union_cadre, 200), (people["cadre"], 404), (people["member"], 404)]:
        login_as(user)
        assert client.get(page_url(answered)).status_code == status
        assert client.get(f"/surveys/manage/{answered.pk}/results.xlsx").status_code == status
    assert client.get("/surveys/manage/999999/results/").status_code == 404


def test_below_k_only_the_count(client, login_as, people, named_survey, union):
    add_responses(named_survey, union["g11"], 4, answers(text="只有四个人"))
    login_as(people["chair"])
    html = client.get(page_url(named_survey), headers={"Accept-Language": "en"}).content.decode()
    assert 'id="results-waiting"' in html and "4 responses so far." in html
    assert "只有四个人" not in html and "data-results-chart" not in html and "breakdown-table" not in html


def test_a_bad_unit_is_a_clear_error(client, login_as, people, answered, union):
    login_as(people["chair"])
    other = factories.unit(None, "另一个工会", "union")
    for value in ("abc", other.pk):
        response = client.get(page_url(answered, unit=value), headers={"Accept-Language": "en"})
        assert response.status_code == 200
        assert "There is no such unit in this survey&#x27;s audience." in response.content.decode()


def test_the_live_rate(client, login_as, people, answered):
    login_as(people["chair"])
    body = client.get(f"/surveys/manage/{answered.pk}/results/rate/").json()
    assert body["invited"] == 3 and set(body) == {"invited", "responded", "rate", "percent"}


def test_the_page_in_a_fixed_number_of_queries(
    client, login_as, people, answered, union, django_assert_max_num_queries
):
    login_as(people["chair"])
    client.get(page_url(answered))
    with django_assert_max_num_queries(30) as few:
        assert client.get(page_url(answered)).status_code == 200
    add_responses(answered, union["s2"], 30, answers(likert=3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page_url(answered)).status_code == 200


def test_the_api_results_and_breakdown(api_get, people, answered, union):
    body = api_get(people["chair"], f"{API}/{answered.pk}/results").json()
    assert body["shown"] and body["responses"] == 16 and body["min_group"] == 5
    likert = next(q for q in body["questions"] if q["kind"] == "likert")
    assert likert["n"] == 16 and likert["score"]["index"] is not None and likert["score"]["ci_low"] is not None
    breakdown = api_get(people["chair"], f"{API}/{answered.pk}/results/breakdown").json()
    rows = {r["unit"]["id"]: r for r in breakdown["rows"]}
    key = f"q{likert['id']}"
    for station in ("s1", "s2"):  # 4 hidden, 12 hidden with it
        row = rows[union[station].pk]
        assert row["responses"] == {"n": None, "value": None, "suppressed": True}
        assert row["cells"][key] == {"n": None, "value": None, "suppressed": True}
    assert breakdown["total"]["responses"]["n"] == 16
    assert "4" not in json.dumps([r["responses"] for r in breakdown["rows"]])


def test_the_api_refuses_others_and_bad_input(api_get, people, answered):
    assert api_get(people["cadre"], f"{API}/{answered.pk}/results").status_code == 404
    assert api_get(people["member"], f"{API}/{answered.pk}/results/breakdown").status_code == 404
    assert api_get(people["chair"], f"{API}/{answered.pk}/results/breakdown", unit="x").status_code == 422
    missing = api_get(people["chair"], f"{API}/{answered.pk}/results/breakdown", unit=999999)
    assert missing.status_code == 404 and missing.json()["detail"]


def test_a_draft_has_no_results(api_get, people, builder, union):
    draft = Survey.objects.create(title="草稿", unit=union["union"], unit_path=union["union"].path)
    assert api_get(people["chair"], f"{API}/{draft.pk}/results").status_code == 404


def test_the_api_below_k(api_get, people, named_survey, union):
    add_responses(named_survey, union["g11"], 3, answers())
    body = api_get(people["chair"], f"{API}/{named_survey.pk}/results").json()
    assert body["shown"] is False and body["questions"] == [] and body["responses"] == 3
    breakdown = api_get(people["chair"], f"{API}/{named_survey.pk}/results/breakdown").json()
    assert breakdown["shown"] is False and breakdown["rows"] == []


def test_the_drivers_act_first_first(client, login_as, people, answered, union):
    login_as(people["chair"])
    html = client.get(page_url(answered), headers={"Accept-Language": "en"}).content.decode()
    table = html[html.index('id="drivers-table"') : html.index("</table>", html.index('id="drivers-table"'))]
    quadrants = re.findall(r'data-label="Quadrant">([^<]+)<', table)
    order = ["Act first", "Keep up", "Lower priority", "Possibly overdone"]
    assert quadrants and quadrants == sorted(quadrants, key=order.index)
    data = json.loads(re.search(r'<script id="results-drivers" type="application/json">(.*?)</script>', html).group(1))
    assert data["type"] == "scatter" and set(data["quadrants"]) == {
        "act_first",
        "keep_up",
        "lower_priority",
        "overdone",
    }
    # Station 1 is hidden (complementary suppression): its own drivers are not shown either.
    below = client.get(page_url(answered, unit=union["union"].pk), headers={"Accept-Language": "en"})
    assert 'id="unit-drivers-none"' not in below.content.decode()  # the survey's unit: no second chart


def test_a_units_drivers_only_when_its_figures_are_shown(client, login_as, people, named_survey, union):
    for likert, matrix in [(5, (5, 4)), (4, (4, 4)), (3, (3, 2)), (2, (2, 1))] * 3:
        add_responses(named_survey, union["g11"], 1, answers(likert=likert, matrix=matrix))
        add_responses(named_survey, union["g21"], 1, answers(likert=likert, matrix=matrix))
    login_as(people["chair"])
    shown = client.get(page_url(named_survey, unit=union["s1"].pk)).content.decode()
    assert 'id="results-unit-drivers"' in shown and 'id="unit-drivers-none"' not in shown
    add_responses(named_survey, factories.unit(union["union"], "第三检验站分工会", "branch"), 2, answers())
    hidden = client.get(page_url(named_survey, unit=union["s1"].pk)).content.decode()
    assert 'id="unit-drivers-none"' in hidden and 'id="results-unit-drivers"' not in hidden


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, people, answered, mode):
    paths = ["results", "results/breakdown", "results.xlsx"]
    labels = [f"GET {API}/{{survey_id}}/{path}" for path in paths]
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['chair'])[0]}"}
    for operation in operations_named(api_schema, labels):
        fuzz(operation, mode, headers, examples=15)
