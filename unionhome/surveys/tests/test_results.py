"""A survey's results and their breakdown by unit: the figures, suppression below k (primary, complementary and
down the tree), and query counts that do not grow with the responses."""

import pytest

from tests import factories
from unionhome.surveys.results import survey_results
from unionhome.surveys.results_breakdown import Cell, complement, survey_breakdown
from unionhome.surveys.tests.results_data import add_responses, answers

pytestmark = pytest.mark.django_db


def by_kind(results):
    return {r.question.position: r for r in results.questions}


def test_nothing_but_the_count_below_k(named_survey, union):
    add_responses(named_survey, union["g11"], 4, answers())
    results = survey_results(named_survey)
    assert results.responses == 4 and not results.shown and results.questions == []
    breakdown = survey_breakdown(named_survey)
    assert not breakdown.shown and breakdown.rows == []


def test_the_figures_of_every_kind(anonymous_survey, union):
    add_responses(anonymous_survey, union["s1"], 3, answers(likert=5, recommendation=10, text="一"))
    add_responses(anonymous_survey, union["s2"], 2, answers(single=0, likert=2, recommendation=3, text="二"))
    results = survey_results(anonymous_survey)
    assert results.shown and results.responses == 5
    q = by_kind(results)
    single = q[1]
    assert single.n == 5 and [(s.count, s.share) for s in single.options] == [(2, 0.4), (3, 0.6)]
    likert = q[3].score
    assert likert.mean == pytest.approx(19 / 5) and likert.estimate.index == pytest.approx(70.0)
    assert likert.estimate.ci_low < 70 < likert.estimate.ci_high
    assert [s.count for s in likert.distribution] == [0, 2, 0, 0, 3]
    nps = q[4].nps
    assert (nps.promoters, nps.detractors, nps.nps) == (60.0, 40.0, pytest.approx(20.0))
    matrix = q[5].items
    assert [i.score.estimate.index for i in matrix] == [100.0, 50.0]
    assert sorted(q[6].texts) == ["一", "一", "一", "二", "二"]
    assert q[7].n == 0 and not q[7].suppressed  # nobody was shown the conditional question


def test_a_question_answered_by_fewer_than_k_is_suppressed(named_survey, union):
    add_responses(named_survey, union["g11"], 6, answers(text=None))
    add_responses(named_survey, union["g11"], 2, answers())  # two texts only
    text = by_kind(survey_results(named_survey))[6]
    assert text.n == 2 and text.suppressed and text.texts == []


def test_results_in_a_fixed_number_of_queries(named_survey, union, django_assert_max_num_queries):
    add_responses(named_survey, union["g11"], 5, answers())
    with django_assert_max_num_queries(6):
        few = survey_results(named_survey)
    add_responses(named_survey, union["g21"], 20, answers())
    with django_assert_max_num_queries(6):
        many = survey_results(named_survey)
    assert (few.responses, many.responses) == (5, 25)
    with django_assert_max_num_queries(8):
        survey_breakdown(named_survey)


def test_complement_suppresses_the_next_smallest():
    cells = [Cell(12, 1.0), Cell(3, suppressed=True), Cell(8, 2.0), Cell(0)]
    complement(cells)
    assert [c.suppressed for c in cells] == [False, True, True, False] and cells[2].value is None
    two = [Cell(3, suppressed=True), Cell(4, suppressed=True), Cell(9, 1.0)]
    complement(two)
    assert not two[2].suppressed


def test_a_branch_of_four_never_shows_nor_its_only_sibling(anonymous_survey, union):
    add_responses(anonymous_survey, union["s1"], 10, answers(likert=5))
    add_responses(anonymous_survey, union["s2"], 4, answers(likert=1))
    breakdown = survey_breakdown(anonymous_survey)
    rows = {r.unit.pk: r for r in breakdown.rows}
    key = f"q{anonymous_survey.questions.get(position=3).pk}"
    assert rows[union["s2"].pk].responses.suppressed and rows[union["s2"].pk].cells[key].value is None
    # Complementary: the total (14) less station 1 would give station 2 away.
    assert rows[union["s1"].pk].responses.suppressed and rows[union["s1"].pk].cells[key].value is None
    assert breakdown.total.responses.n == 14 and not breakdown.total.responses.suppressed


def test_complementary_and_down_the_tree(named_survey, union):
    s3 = factories.unit(union["union"], "第三检验站分工会", "branch", code="S03")
    g31 = factories.unit(s3, "三站甲班", "group", code="S03-G1")
    add_responses(named_survey, union["g11"], 3, answers(likert=5))
    add_responses(named_survey, union["g21"], 20, answers(likert=3))
    add_responses(named_survey, g31, 8, answers(likert=4))
    rows = {r.unit.pk: r for r in survey_breakdown(named_survey).rows}
    assert rows[union["s1"].pk].responses.suppressed
    assert rows[s3.pk].responses.suppressed  # the next smallest
    assert rows[union["s2"].pk].responses.n == 20 and not rows[union["s2"].pk].responses.suppressed
    # Station 3 is hidden at the union's level: its own total and its groups stay hidden when it is chosen.
    below = survey_breakdown(named_survey, unit_id=s3.pk)
    assert below.total.responses.suppressed and all(r.responses.suppressed for r in below.rows if r.responses.n)
    key = f"q{named_survey.questions.get(position=3).pk}"
    assert below.total.cells[key].value is None
    # Station 2 is shown: its group is shown too.
    s2 = survey_breakdown(named_survey, unit_id=union["s2"].pk)
    assert [r.cells[key].value for r in s2.rows] == [50.0]
