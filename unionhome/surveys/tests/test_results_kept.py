"""A closed survey's results and breakdowns, worked out once and kept: exactly the live figures (suppressed
groups, complementary and down the tree, included), kept at closing or at the first read, and read in a fixed
number of queries whatever the number of responses."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories
from unionhome.surveys.models import Answer, Survey
from unionhome.surveys.models.surveys import SurveyResult
from unionhome.surveys.results import live_results, survey_results
from unionhome.surveys.results_breakdown import live_breakdown, survey_breakdown
from unionhome.surveys.results_kept import kept_overall
from unionhome.surveys.services.building import survey_close
from unionhome.surveys.services.closing import surveys_close_due, surveys_keep_pending
from unionhome.surveys.tests.builders import open_survey
from unionhome.surveys.tests.results_data import add_responses, answers

pytestmark = pytest.mark.django_db

API = "/api/v1/satisfaction/surveys/manage"


@pytest.fixture
def stations(named_survey, union):
    """Group 1 of station 1: 3 responses (under k = 5), group 2 of station 2: 20, group 1 of station 3: 8 (hidden
    with station 1 at the union's level, so down the tree as well), and two texts only in station 2."""
    s3 = factories.unit(union["union"], "第三检验站分工会", "branch", code="S03")
    g31 = factories.unit(s3, "三站甲班", "group", code="S03-G1")
    add_responses(named_survey, union["g11"], 3, answers(likert=5, text=None))
    add_responses(named_survey, union["g21"], 18, answers(likert=3, recommendation=6, text=None))
    add_responses(named_survey, union["g21"], 2, answers(single=0, multiple=(1,), text="二站"))
    add_responses(named_survey, g31, 8, answers(likert=4, matrix=(2, 2), text=None))
    return {"s3": s3, "g31": g31}


def closed(survey: Survey, actor) -> Survey:
    survey_close(actor=actor, survey=survey)
    return Survey.objects.select_related("unit").get(pk=survey.pk)


def units_of(union, stations) -> list[int | None]:
    return [None, union["s1"].pk, union["s2"].pk, stations["s3"].pk, stations["g31"].pk, union["g11"].pk]


def test_the_kept_figures_are_the_live_ones(named_survey, builder, union, stations):
    live = live_results(named_survey)
    live_units = {unit: live_breakdown(named_survey, unit_id=unit) for unit in units_of(union, stations)}
    assert any(q.suppressed for q in live.questions)  # the texts: two respondents
    s3 = live_units[stations["s3"].pk]
    assert s3.total.responses.suppressed and all(r.responses.suppressed for r in s3.rows if r.responses.n)
    survey = closed(named_survey, builder)
    assert SurveyResult.objects.filter(survey=survey).count() == 2 + 4  # results, overall, the union, 3 stations
    assert survey_results(survey) == live
    for unit, breakdown in live_units.items():
        assert survey_breakdown(survey, unit_id=unit) == breakdown
        assert survey_breakdown(survey, unit_id=unit) == breakdown  # the group's, kept at its first read
    assert SurveyResult.objects.filter(survey=survey).count() == 2 + 4 + 2


def test_an_anonymous_survey_kept_the_same(anonymous_survey, builder, union):
    add_responses(anonymous_survey, union["s1"], 10, answers(likert=5, text="一站"))
    add_responses(anonymous_survey, union["s2"], 4, answers(likert=1, text="二站"))
    live = live_results(anonymous_survey)
    live_breakdowns = [live_breakdown(anonymous_survey, unit_id=u) for u in (None, union["s1"].pk)]
    survey = closed(anonymous_survey, builder)
    kept = survey_results(survey)
    for result in (live, kept):
        for question in result.questions:
            question.texts.sort()
    assert kept == live
    assert [survey_breakdown(survey, unit_id=u) for u in (None, union["s1"].pk)] == live_breakdowns


def test_below_k_nothing_is_kept_but_the_count(named_survey, builder, union):
    add_responses(named_survey, union["g11"], 4, answers())
    survey = closed(named_survey, builder)
    results, breakdown = survey_results(survey), survey_breakdown(survey)
    assert results.responses == 4 and not results.shown and results.questions == []
    assert not breakdown.shown and breakdown.rows == [] and breakdown.total is None


def test_kept_reads_in_a_fixed_number_of_queries(builder, union, django_assert_max_num_queries, settings):
    settings.SURVEYS_SHUFFLE_SYNC_MAX = 0  # nothing kept at closing: at the first read
    surveys = []
    for count in (6, 40):
        survey = open_survey(builder, union["union"])
        add_responses(survey, union["g11"], count // 2, answers())
        add_responses(survey, union["g21"], count // 2, answers(likert=2))
        surveys.append(closed(survey, builder))
    for survey in surveys:
        assert not SurveyResult.objects.filter(survey=survey).exists()
        survey_results(survey)  # worked out and kept
        with django_assert_max_num_queries(2):
            survey_results(survey)
        with django_assert_max_num_queries(3):
            survey_breakdown(survey)
        with django_assert_max_num_queries(3):
            survey_breakdown(survey, unit_id=union["s1"].pk)


def test_the_closing_job_keeps_the_figures(named_survey, builder, union, settings):
    settings.SURVEYS_SHUFFLE_SYNC_MAX = 0
    add_responses(named_survey, union["g11"], 6, answers())
    by_cadre = closed(named_survey, builder)
    on_time = open_survey(builder, union["union"])
    add_responses(on_time, union["g21"], 6, answers())
    now = timezone.now()
    Survey.objects.filter(pk=on_time.pk).update(opens_at=now - timedelta(hours=2), closes_at=now - timedelta(hours=1))
    assert surveys_close_due() == 1
    for survey in (by_cadre, on_time):
        assert SurveyResult.objects.filter(survey=survey, part="results").exists()
    assert surveys_keep_pending() == 0
    overall = next(r for r in live_results(by_cadre).questions if r.question.is_overall)
    assert kept_overall([by_cadre.pk]) == {by_cadre.pk: {"n": 6, "index": overall.score.estimate.index}}


def test_the_results_page_of_a_closed_survey(
    client, login_as, people, named_survey, builder, union, stations, django_assert_max_num_queries
):
    login_as(people["chair"])
    url = f"/surveys/manage/{named_survey.pk}/results/"
    before = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    closed(named_survey, builder)
    client.get(url)  # the drivers kept at their first read
    with django_assert_max_num_queries(11):  # session, user, survey, results 2, breakdown 3, drivers 1…
        after = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    table = after[after.index('id="breakdown-table"') :]
    assert table == before[before.index('id="breakdown-table"') :]
    assert "fewer than 5" in table and '<td data-label="Responses" class="num">31</td>' in table
    below = client.get(url, {"unit": stations["s3"].pk}, headers={"Accept-Language": "en"}).content.decode()
    assert '<td data-label="Responses" class="num">8</td>' not in below  # hidden down the tree


def test_the_api_and_the_export_give_the_live_figures(api_get, people, named_survey, builder, union):
    add_responses(named_survey, union["g11"], 3, answers(likert=5))
    add_responses(named_survey, union["g21"], 12, answers(likert=2))
    chair = people["chair"]
    urls = [f"{API}/{named_survey.pk}/results", f"{API}/{named_survey.pk}/results/breakdown"]
    live = [api_get(chair, url).json() for url in urls]
    live_sheets = sheets(api_get(chair, f"{API}/{named_survey.pk}/results.xlsx"))
    closed(named_survey, builder)
    kept = [api_get(chair, url).json() for url in urls]
    assert kept[0] == {**live[0], "status": "closed"} and kept[1] == live[1]
    assert sheets(api_get(chair, f"{API}/{named_survey.pk}/results.xlsx")) == live_sheets


def sheets(response) -> list:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [[list(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames[:2]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_live_counts_read_the_results_index(named_survey, anonymous_survey, union):
    """EXPLAIN on PostgreSQL: the answer counts and the respondents read the ``answer_results`` index alone (the
    table's rows never), and the breakdown's tallies join the responses by their key."""
    add_responses(named_survey, union["g11"], 30, answers())
    add_responses(anonymous_survey, union["s1"], 400, answers())  # other surveys' answers fill the table
    questions = list(named_survey.questions.order_by("position"))
    ids = [q.pk for q in questions]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answer")
        cursor.execute("ANALYZE surveys_response")
        cursor.execute("SET LOCAL enable_seqscan = off")
    counts = Answer.objects.filter(question_id__in=ids).values_list("question_id", "item", "value")
    plans = [
        counts.annotate(n=Count("*")).order_by().explain(),
        Answer.objects.filter(question_id__in=ids[1:2])
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .explain(),
    ]
    for plan in plans:
        print(plan)
        assert "using answer_results" in plan or "on answer_results" in plan
    tallies = (
        Answer.objects.filter(question_id__in=ids, response__survey_id=named_survey.pk)
        .values_list("response__unit_path", "question_id", "item", "value")
        .annotate(n=Count("*"))
        .order_by()
        .explain()
    )
    print(tallies)
    assert "answer_results" in tallies and "response_by_unit" in tallies


def test_the_units_to_choose_are_the_way_up_and_the_units_just_below(named_survey, union, stations):
    from unionhome.surveys.results_breakdown import UnitTree, offered_units, units_on_offer

    assert offered_units(named_survey) == [union["union"], union["s1"], union["s2"], stations["s3"]]
    assert offered_units(named_survey, stations["s3"]) == [union["union"], stations["s3"]]  # groups: no breakdown
    tree = UnitTree(named_survey, 4)
    every = units_on_offer(named_survey)
    assert every == [union["union"], union["s1"], union["s2"], stations["s3"]]
    for unit in [*every, stations["g31"]]:
        assert offered_units(named_survey, unit, tree) == offered_units(named_survey, unit)
