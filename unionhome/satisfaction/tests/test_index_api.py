"""The satisfaction index API under /api/v1/satisfaction/index: figures as the selectors give them, nulls for
suppressed groups and infinite t statistics, 403/404 by the scope, 422 for bad input, never a 500."""

import pytest
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.satisfaction.index_reads import unit_index
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.tests.index_data import at, rate

INDEX = "/api/v1/satisfaction/index"
ENDPOINTS = [INDEX, f"{INDEX}/trend", f"{INDEX}/units", f"{INDEX}/cadres", f"{INDEX}/heatmap", f"{INDEX}/drivers"]
FIGURE_NUMBERS = ("index", "se", "ci_low", "ci_high")


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


@pytest.fixture
def rated(union, people):
    rate(union["g11"], "visits", [4] * 5, when=at(2026, 9, 10), cadre=people["cadre"])
    rate(union["g12"], "visits", [5] * 5, when=at(2026, 10, 10), cadre=people["cadre"])
    rate(union["g21"], "hardship_assistance", [5, 4, 3, 4, 4, 2], when=at(2026, 10, 11), cadre=people["cadre2"])
    rate(union["g21"], "appeals", [1], when=at(2026, 10, 12))  # one answer: suppressed everywhere


def test_the_ratings_endpoints_moved_under_satisfaction(api_get, people):
    assert api_get(people["member"], "/api/v1/satisfaction/ratings/pending").status_code == 200
    assert api_get(people["member"], "/api/v1/ratings/pending").status_code == 404


def test_unit_index(api_get, people, rated):
    body = api_get(people["chair"], INDEX, period="2026-10").json()
    assert body["period"] == "2026-10" and body["previous_period"] == "2026-09" and body["min_group"] == 5
    assert body["period_label"] == "Oct 2026"
    expected = unit_index(people["chair"], period=Period.parse("2026-10"))
    assert body["overall"]["index"] == expected.overall.index and body["overall"]["n"] == 11
    assert body["overall"]["ci_low"] == expected.overall.estimate.ci_low
    lines = {line["code"]: line for line in body["lines"]}
    assert lines["hardship_assistance"]["current"]["index"] == 200 / 3
    # Suppressed: n and the flag, null for every number, no comparison.
    appeals = lines["appeals"]
    assert appeals["current"] == {"n": 1, "suppressed": True} | dict.fromkeys(FIGURE_NUMBERS)
    assert appeals["comparison"] is None
    # Every 4 in September, every 5 in October: no spread, so t is infinite, and answered as null.
    visits = lines["visits"]["comparison"]
    assert visits["t"] is None and visits["difference"] == 25.0 and visits["p_value"] == 0.0
    assert not visits["significant"]  # fewer than 10 answers on each side
    one = api_get(people["chair"], INDEX, period="2026-10", service_line="hardship_assistance").json()
    assert [line["code"] for line in one["lines"]] == ["hardship_assistance"] and one["overall"]["n"] == 6


def test_trend_units_and_cadres(api_get, people, union, rated):
    trend = api_get(people["chair"], f"{INDEX}/trend", kind="quarter", periods=3).json()
    assert trend["kind"] == "quarter" and len(trend["points"]) == 3
    assert [p["period"] for p in trend["points"]] == sorted(p["period"] for p in trend["points"])

    units = api_get(people["chair"], f"{INDEX}/units", period="2026-10").json()
    assert units["trail"] == [] and units["unit"]["id"] == union["union"].pk
    rows = [(u["unit"]["id"], u["n"], u["suppressed"], u["index"]) for u in units["units"]]
    # Station 1: five 5s; station 2: hardship shown (66.7) beside one appeal, which is left out of its overall.
    assert rows == [(union["s1"].pk, 5, False, 100.0), (union["s2"].pk, 6, False, 200 / 3)] and units["total"] == 2
    # A federation has a thousand unions: the lowest first, a page at a time, with how many there are.
    lowest = api_get(people["chair"], f"{INDEX}/units", period="2026-10", order="lowest", limit=1).json()
    assert lowest["total"] == 2 and [u["unit"]["id"] for u in lowest["units"]] == [union["s2"].pk]
    down = api_get(people["chair"], f"{INDEX}/units", period="2026-10", unit_id=union["s2"].pk).json()
    assert down["trail"] == [{"id": union["union"].pk, "name": union["union"].name, "kind": "union"}]
    assert [u["unit"]["id"] for u in down["units"]] == [union["g21"].pk]

    cadres = api_get(people["chair"], f"{INDEX}/cadres", period="2026-10").json()
    first = cadres["cadres"][0]
    assert first["id"] == people["cadre"].pk and first["overall"]["index"] == 100.0
    assert first["roles"] == [
        {"role": "branch_cadre", "label": "Branch union cadre", "unit": {"id": union["s1"].pk, "name": union["s1"].name,
                                                                           "kind": "branch"}}
    ]  # fmt: skip
    second = next(c for c in cadres["cadres"] if c["id"] == people["cadre2"].pk)
    assert second["overall"]["n"] == 6 and second["lines"]["appeals"]["n"] == 0
    # A federation has thousands of cadres: the lowest first, a page at a time, with how many there are.
    lowest = api_get(people["chair"], f"{INDEX}/cadres", period="2026-10", order="lowest", limit=1).json()
    assert lowest["total"] == cadres["total"] >= 2 and len(lowest["cadres"]) == 1
    assert lowest["cadres"][0]["id"] == people["cadre2"].pk  # 66.7 below the other's 100


def test_without_the_permission_403_outside_the_scope_404(api_get, people, union, rated):
    for url in ENDPOINTS:
        refused = api_get(people["member"], url)
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        assert "satisfaction.view_index" in refused.json()["detail"]
        for unit in (union["s2"], union["union"]):
            assert api_get(people["cadre"], url, unit_id=unit.pk).status_code == 404
        assert api_get(people["cadre"], url, unit_id=union["g11"].pk).status_code == 200


def test_heatmap_and_drivers(api_get, people, union, rated):
    body = api_get(people["chair"], f"{INDEX}/heatmap", kind="month", columns=12).json()
    assert body["unit"]["id"] == union["union"].pk and body["min_group"] == 5 and len(body["periods"]) == 12
    rows = {row["unit"]["id"]: row["cells"] for row in body["rows"]}
    assert set(rows) == {union["s1"].pk, union["s2"].pk}
    columns = [p["period"] for p in body["periods"]]
    if "2026-10" in columns:  # the last 12 months up to today
        october = columns.index("2026-10")
        assert rows[union["s1"].pk][october]["index"] == 100.0
        assert rows[union["s2"].pk][october] | {"se": None} == {
            "index": 200 / 3, "n": 6, "suppressed": False, "se": None,
            "ci_low": rows[union["s2"].pk][october]["ci_low"], "ci_high": rows[union["s2"].pk][october]["ci_high"],
        }  # fmt: skip
    drivers = api_get(people["chair"], f"{INDEX}/drivers").json()
    assert drivers == {
        "unit": {"id": union["union"].pk, "name": union["union"].name, "kind": "union"},
        "survey": None,
        "min_respondents": None,
        "analysed": False,
        "n": None,
        "r_squared": None,
        "overall_label": None,
        "drivers": [],
    }


def test_the_heatmaps_query_count_does_not_grow(client, people, union, rated, django_assert_max_num_queries):
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['chair'])[0]}"}
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"{INDEX}/heatmap", headers=headers).status_code == 200
    for i in range(5):
        branch = factories.unit(union["union"], f"新分工会{i}", "branch", code=f"N{i:02d}")
        rate(branch, "visits", [1, 2, 3, 4, 5], when=at(2026, 10, 10 + i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"{INDEX}/heatmap", headers=headers).json()
    assert len(body["rows"]) == 7


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        (INDEX, {"period": "2026-13"}, "Give the period as a month (2026-11), a quarter (2026-Q4) or a year (2026)"),
        (INDEX, {"period": "1999"}, "between 2000 and 2100"),
        (f"{INDEX}/units", {"period": "2026-q4"}, "a quarter (2026-Q4)"),
        (f"{INDEX}/cadres", {"period": "\x00"}, "a quarter (2026-Q4)"),
        (INDEX, {"service_line": "nope"}, "There is no service line “nope”."),
        (f"{INDEX}/trend", {"service_line": "x" * 500}, "There is no service line"),
        (INDEX, {"unit_id": 2**63}, "The largest allowed value is"),
        (f"{INDEX}/units", {"unit_id": 0}, "The smallest allowed value is 1"),
        (f"{INDEX}/trend", {"kind": "week"}, "Choose one of"),
        (f"{INDEX}/trend", {"periods": 61}, "The largest allowed value is 60"),
        (f"{INDEX}/trend", {"periods": "many"}, "Send a whole number here."),
        (f"{INDEX}/heatmap", {"columns": 5}, "The smallest allowed value is 6"),
        (f"{INDEX}/heatmap", {"columns": 13}, "The largest allowed value is 12"),
        (f"{INDEX}/heatmap", {"kind": "year"}, "Choose one of"),
        (f"{INDEX}/heatmap", {"service_line": "nope"}, "There is no service line “nope”."),
        (f"{INDEX}/drivers", {"unit_id": "x"}, "Send a whole number here."),
    ],
)
def test_bad_input_is_422_with_a_message(api_get, people, url, params, message):
    response = api_get(people["chair"], url, **params)
    assert response.status_code == 422, response.content
    assert any(message in item["msg"] for item in response.json()["detail"]), response.json()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, people, rated, mode):
    labels = [f"GET {url}" for url in ENDPOINTS]
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['chair'])[0]}"}
    for operation in operations_named(api_schema, labels):
        fuzz(operation, mode, headers, examples=20)
