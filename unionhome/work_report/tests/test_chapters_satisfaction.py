"""The satisfaction chapter against hand-built ratings and surveys: the year's index with its interval and the
change from the year before, lines lowest first, quarters, the units below with small ones suppressed, the
surveys closed in the year and the published "you said, we did" actions; and its query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.satisfaction.index_math import LIKERT, RATING, RECOMMENDATION, Moments, combined, line_estimate
from unionhome.satisfaction.models import FeedbackAction
from unionhome.satisfaction.tests.index_data import at, rate
from unionhome.surveys.models import Answer, Response
from unionhome.surveys.results_kept import kept_overall, results_keep
from unionhome.work_report.chapters.base import Rate, ReportYear
from unionhome.work_report.chapters.satisfaction import satisfaction_chapter
from unionhome.work_report.chapters.satisfaction_surveys import closed_surveys
from unionhome.work_report.tests.report_data import closed_survey, moment

Y2025 = ReportYear(2025, datetime.date(2026, 3, 1))
Q1, Q3, BEFORE = [5, 4, 4, 5, 3], [2, 3, 3, 2, 4, 1], [3, 3, 3, 4, 2, 3]


def estimate(scores, scale=RATING):
    return line_estimate(Moments.of(scores), scale.low, scale.high)


def table(chapter, caption: str):
    return next(t for t in chapter.tables if t.caption == caption)


@pytest.fixture
def rated(union):
    rate(union["g11"], "visits", Q1, when=at(2025, 2, 10))
    rate(union["g21"], "visits", Q3, when=at(2025, 8, 10))
    rate(union["s1"], "hardship_assistance", [5, 5], when=at(2025, 5, 10))  # two answers: never shown
    rate(union["g11"], "visits", BEFORE, when=at(2024, 6, 10))
    s3 = factories.unit(union["union"], "第三检验站分工会", "branch", code="S03")
    rate(s3, "appeals", [1, 2, 1], when=at(2025, 4, 1))  # a unit with three answers
    return {**union, "s3": s3}


def test_the_year_index_its_interval_and_the_change(rated, people):
    chapter = satisfaction_chapter(people["chair"], rated["union"], Y2025)
    year = estimate(Q1 + Q3)
    overall = combined({"visits": (year, 1.0)})
    assert overall.index == pytest.approx(year.index)
    row, before = table(chapter, "Satisfaction index of the year").rows
    assert row[:5] == ["2025", round(year.index, 1), round(year.ci_low, 1), round(year.ci_high, 1), 11]
    assert row[5] == round(year.index - estimate(BEFORE).index, 1)
    assert before[:2] == ["2024", round(estimate(BEFORE).index, 1)]
    assert f"{year.index:.1f}" in chapter.notes[0] and "n = 11" in chapter.notes[0]
    assert "points against 2024" in chapter.notes[1]


def test_lines_lowest_first_and_small_groups_suppressed(rated, people):
    chapter = satisfaction_chapter(people["chair"], rated["union"], Y2025)
    rows = table(chapter, "Satisfaction index by service line, lowest first").rows
    assert rows[0][0] == "Visits and condolences" or rows[0][1] == round(estimate(Q1 + Q3).index, 1)
    held = [r for r in rows if r[1] == "Fewer than 5 answers"]
    assert sorted(r[4] for r in held) == [2, 3]  # hardship assistance (2) and appeals (3): n only
    assert all(r[2] == r[3] == "—" for r in held)
    quarters = table(chapter, "Satisfaction index by quarter").rows
    assert [r[1] for r in quarters] == [
        round(estimate(Q1).index, 1),
        "Fewer than 5 answers",  # April and May: 2 + 3 answers, on two lines each under k
        round(estimate(Q3).index, 1),
        "No answers",
    ]


def test_units_below_with_the_small_one_as_fewer_than_k(rated, people):
    chapter = satisfaction_chapter(people["chair"], rated["union"], Y2025)
    shown = table(chapter, "Units below, best first").rows
    assert [r[0] for r in shown] == ["第一检验站分工会", "第二检验站分工会"]
    assert shown[0][1] == round(estimate(Q1).index, 1)  # station 1's hardship line (2 answers) is left out
    assert table(chapter, "Units below with too few answers to show").rows == [
        ["第三检验站分工会", "Fewer than 5 answers"]
    ]
    text = " ".join(str(c) for t in chapter.tables for r in t.rows for c in r)
    assert str(round(estimate([1, 2, 1]).index, 1)) not in text


def test_a_branch_cadre_reads_their_branch_only(rated, people):
    chapter = satisfaction_chapter(people["cadre"], rated["s1"], Y2025)
    assert table(chapter, "Satisfaction index of the year").rows[0][4] == 5  # station 1's visits; its 2 held back


def test_surveys_closed_in_the_year_with_rate_and_overall(rated, people):
    closed_survey(rated["s1"], "年中调查", closed=moment(2025, 6, 30), invited=8, overall_scores=[5, 4, 4, 3, 5, 5])
    closed_survey(rated["s2"], "小调查", closed=moment(2025, 9, 30), invited=4, overall_scores=[1, 2, 1])
    closed_survey(rated["union"], "推荐", closed=moment(2025, 11, 30), invited=5, overall_scores=[10, 9, 7, 6, 8],
                  kind="recommendation")  # fmt: skip
    closed_survey(rated["union"], "去年", closed=moment(2024, 12, 30), invited=5, overall_scores=[5] * 5)
    rows = table(satisfaction_chapter(people["chair"], rated["union"], Y2025), "Surveys closed in the year").rows
    assert [r[0] for r in rows] == ["年中调查", "小调查", "推荐"]
    assert rows[0][3:] == [8, 6, Rate(rows[0][5].value), round(estimate([5, 4, 4, 3, 5, 5], LIKERT).index, 1)]
    assert str(rows[0][5]) == "75.0%"
    assert rows[1][6] == "Fewer than 5 answers"
    assert rows[2][6] == round(estimate([10, 9, 7, 6, 8], RECOMMENDATION).index, 1)
    station2 = table(satisfaction_chapter(people["cadre2"], rated["s2"], Y2025), "Surveys closed in the year").rows
    assert [r[0] for r in station2] == ["小调查"]


def test_you_said_we_did_actions_published_in_the_year(rated, people):
    def action(unit, title, published):
        FeedbackAction.objects.create(
            unit=unit, unit_path=unit.path, title=title, said="食堂太咸", done="已调整菜谱" * 40, published_at=published
        )

    action(rated["s1"], "调整菜谱", moment(2025, 5, 1))
    action(rated["s2"], "草稿", None)
    action(rated["union"], "明年的", moment(2026, 1, 5))
    rows = table(
        satisfaction_chapter(people["chair"], rated["union"], Y2025), "You said, we did: actions published in the year"
    ).rows
    assert [r[:3] for r in rows] == [["调整菜谱", "第一检验站分工会", "2025-05-01"]]
    assert len(rows[0][3]) == 120


def test_queries_do_not_grow_with_ratings_units_or_surveys(rated, people, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def read():
        return satisfaction_chapter(people["chair"], rated["union"], Y2025)

    closed_survey(rated["s1"], "基线", closed=moment(2025, 2, 1), invited=5, overall_scores=[4, 4, 5, 5, 3])
    read()
    with CaptureQueriesContext(connection) as few:
        read()
    for i in range(4):
        unit = factories.unit(rated["union"], f"新站{i}", "branch", code=f"N{i}")
        rate(unit, "visits", [4, 5, 3, 4, 5, 2], when=at(2025, 1 + 3 * i, 3))
        closed_survey(unit, f"调查{i}", closed=moment(2025, 3 + i, 1), invited=6, overall_scores=[4, 5, 3, 4, 5])
    with django_assert_max_num_queries(len(few)):
        read()
    assert len(few) <= 14


def test_surveys_read_from_their_kept_figures_as_from_their_answers(rated, people, django_assert_num_queries):
    scores = [5, 4, 4, 3, 5, 5]
    shown = closed_survey(rated["s1"], "年中调查", closed=moment(2025, 6, 30), invited=8, overall_scores=scores)
    held = closed_survey(rated["s2"], "少答总体", closed=moment(2025, 7, 30), invited=6, overall_scores=[4, 5])
    for _ in range(4):  # six responses, two of them answering the overall question
        Response.objects.create(survey=held, unit_path=held.unit_path, submitted_at=held.opens_at)
    nobody = closed_survey(rated["union"], "无人答", closed=moment(2025, 8, 30), invited=3, overall_scores=[])

    def read():
        return table(satisfaction_chapter(people["chair"], rated["union"], Y2025), "Surveys closed in the year").rows

    before = read()
    assert [r[6] for r in before] == [round(estimate(scores, LIKERT).index, 1), "Fewer than 5 answers", "—"]
    with django_assert_num_queries(4):  # the surveys, their invitations, their kept figures (none), the answers
        closed_surveys(rated["union"], Y2025)
    for survey in (shown, held, nobody):
        results_keep(survey)
    assert kept_overall([held.pk]) == {held.pk: {"n": 2, "index": None}}
    assert read() == before
    with django_assert_num_queries(3), CaptureQueriesContext(connection) as queries:  # one fewer
        closed_surveys(rated["union"], Y2025)
    assert not any(Answer._meta.db_table in q["sql"] for q in queries.captured_queries)


def test_a_survey_of_fewer_than_k_responses_stays_suppressed_once_kept(rated, people):
    small = closed_survey(rated["s2"], "小调查", closed=moment(2025, 9, 30), invited=4, overall_scores=[1, 2, 1])
    no_overall = closed_survey(rated["s1"], "没有总体题", closed=moment(2025, 10, 30), invited=4, overall_scores=[1, 2])
    no_overall.questions.update(is_overall=False)

    def read():
        return table(satisfaction_chapter(people["chair"], rated["union"], Y2025), "Surveys closed in the year").rows

    before = read()
    assert [r[6] for r in before] == ["Fewer than 5 answers", "—"]
    results_keep(small)
    results_keep(no_overall)
    assert kept_overall([small.pk]) == {small.pk: {"n": None, "index": None}}  # kept without a count: summed
    assert read() == before
