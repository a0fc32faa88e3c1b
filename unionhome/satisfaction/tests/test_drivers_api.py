"""The driver analysis through the API, as a cadre's client would api_get it: the survey's drivers
(``/api/v1/satisfaction/surveys/manage/{id}/drivers``) and the dashboard's (``/api/v1/satisfaction/index/
drivers``), 404 for anyone without the permission on the survey's unit, 422 for bad input."""

import pytest
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.satisfaction.tests.drivers_data import answered_survey

SURVEYS = "/api/v1/satisfaction/surveys/manage"
INDEX_DRIVERS = "/api/v1/satisfaction/index/drivers"


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


@pytest.fixture
def survey(people, union):
    return answered_survey(people["chair"], union, anonymous=True)


def test_the_chair_reads_the_drivers_of_the_survey_and_of_a_station(api_get, people, union, survey):
    body = api_get(people["chair"], f"{SURVEYS}/{survey.pk}/drivers").json()
    assert body["analysed"] and body["n"] == 16 and body["min_respondents"] == 10 and body["unit"] is None
    first = body["drivers"][0]
    assert first["label"] == "帮扶" and first["importance"] == pytest.approx(1.0) and first["n"] == 16
    assert {d["quadrant"] for d in body["drivers"]} <= {"act_first", "keep_up", "lower_priority", "overdone"}
    assert sum(d["weight"] for d in body["drivers"]) == pytest.approx(1.0)
    assert "response" not in str(body)  # figures only

    # Station 1 has 12 respondents, but its figures are hidden in the breakdown (with station 2 under k, the
    # union minus station 1 would give station 2 away), so its drivers' performance is not shown either.
    station1 = api_get(people["chair"], f"{SURVEYS}/{survey.pk}/drivers", unit=union["s1"].pk).json()
    assert station1["unit"] == {"id": union["s1"].pk, "name": union["s1"].name}
    assert not station1["analysed"] and station1["reason"] == "suppressed" and station1["drivers"] == []
    station2 = api_get(people["chair"], f"{SURVEYS}/{survey.pk}/drivers", unit=union["s2"].pk).json()
    assert not station2["analysed"] and station2["reason"] == "too_few" and station2["drivers"] == []
    assert station2["n"] is None and "Fewer than 10 respondents" in station2["message"]


def test_the_dashboards_drivers_for_the_viewed_unit(api_get, people, union, survey):
    body = api_get(people["chair"], INDEX_DRIVERS).json()
    assert body["survey"]["id"] == survey.pk and body["analysed"] and body["n"] == 16
    station1 = api_get(people["cadre"], INDEX_DRIVERS, unit_id=union["s1"].pk).json()  # station 1's branch cadre
    assert station1["survey"]["id"] == survey.pk and not station1["analysed"]  # hidden: see the test above
    station2 = api_get(people["cadre2"], INDEX_DRIVERS, unit_id=union["s2"].pk).json()
    assert station2["survey"]["id"] == survey.pk and not station2["analysed"] and station2["drivers"] == []


def test_who_may_read_them(api_get, people, union, survey):
    url = f"{SURVEYS}/{survey.pk}/drivers"
    # The branch cadre has view_index on station 1 only, not on the union that runs the survey.
    for user in (people["member"], people["cadre"], people["auditor"]):
        response = api_get(user, url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    other = factories.unit(None, "另一工会", "union", code="OT")
    outsider = factories.user("other-chair", roles=(("chair", other),))
    assert api_get(outsider, url).status_code == 404
    assert api_get(people["chair"], url, unit=other.pk).status_code == 404  # a unit outside the survey's
    assert api_get(people["chair"], f"{SURVEYS}/{10**12}/drivers").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("0/drivers", {}, "The smallest allowed value is 1"),
        ("abc/drivers", {}, "Send a whole number here."),
        ("1/drivers", {"unit": 0}, "The smallest allowed value is 1"),
        ("1/drivers", {"unit": 2**63}, "The largest allowed value is"),
    ],
)
def test_bad_input_is_422(api_get, people, path, params, message):
    response = api_get(people["chair"], f"{SURVEYS}/{path}", **params)
    assert response.status_code == 422, response.content
    assert any(message in item["msg"] for item in response.json()["detail"]), response.json()


def test_without_an_overall_question(api_get, people, union):
    from unionhome.surveys.services import survey_close, survey_open
    from unionhome.surveys.tests.builders import QUESTIONS, build_survey

    plain = build_survey(people["chair"], union["union"], questions=[q for q in QUESTIONS if not q.get("is_overall")])
    plain = survey_close(actor=people["chair"], survey=survey_open(actor=people["chair"], survey=plain))
    body = api_get(people["chair"], f"{SURVEYS}/{plain.pk}/drivers").json()
    assert body["reason"] == "no_overall" and not body["analysed"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, people, survey, mode):
    labels = [f"GET {SURVEYS}/{{survey_id}}/drivers", f"GET {INDEX_DRIVERS}"]
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['chair'])[0]}"}
    operations = list(operations_named(api_schema, labels))
    assert len(operations) == 2
    for operation in operations:
        fuzz(operation, mode, headers, examples=20)
