"""Reads of visits: scope, the calendar in one query, done against due per branch, the work queue."""

import datetime

import pytest

from tests import factories
from unionhome.access.policy import grants_of
from unionhome.assistance.selectors import visits as selectors
from unionhome.assistance.tests.visit_records import campaign, done_visit, due_visit

pytestmark = pytest.mark.django_db


def test_a_cadre_does_not_see_visits_to_themselves(centre):
    me = factories.member(centre["union"]["g11"], "干部本人")
    cadre = factories.user("cadre_self", member=me, roles=(("branch_cadre", centre["union"]["s1"]),))
    mine = due_visit(me)
    theirs = due_visit(centre["other_s1"])
    assert list(selectors.visits_due(cadre, today=centre["today"])) == [theirs]
    with pytest.raises(selectors.OutOfScope):
        selectors.visit_for(cadre, mine.pk)
    assert selectors.own_visit(cadre, mine.pk) == mine


def test_own_visits_never_load_the_notes(centre):
    done_visit(centre["member_record"])
    done_visit(centre["other_s1"])
    visits = list(selectors.own_visits(centre["member_record"]))
    assert len(visits) == 1
    assert {"findings", "needs"} <= visits[0].get_deferred_fields()
    assert list(selectors.own_visits(None)) == []


def test_calendar_in_one_query(centre, django_assert_num_queries):
    today = centre["today"]
    month = today.replace(day=1)
    grants_of(centre["chair"])
    due_visit(centre["other_s1"], due_in=0)
    done_visit(centre["s2_member"], visited_ago=0)
    with django_assert_num_queries(1):
        cal = selectors.visit_calendar(centre["chair"], month=month, today=today)
    day = {d.date: d for d in cal.days}[today]
    assert (day.due, day.overdue, day.done) == (1, 0, 1)
    assert cal.totals.done == 1
    assert all(len(week) == 7 for week in cal.weeks)
    assert cal.previous < month < cal.next


def test_calendar_marks_overdue_days(centre):
    today = datetime.date(2026, 3, 20)
    visit = due_visit(centre["other_s1"])
    visit.due_by = datetime.date(2026, 3, 5)
    visit.save()
    cal = selectors.visit_calendar(centre["cadre"], month=datetime.date(2026, 3, 1), today=today)
    day = {d.date: d for d in cal.days}[datetime.date(2026, 3, 5)]
    assert (day.due, day.overdue) == (0, 1)
    assert cal.weeks[0][:6] == [None] * 6  # 1 March 2026 is a Sunday


def test_done_against_due_per_branch(centre):
    today = centre["today"]
    union_level = factories.member(centre["union"]["union"], "工会本级")
    on_time = done_visit(centre["other_s1"], visited_ago=1, due_in=0)
    late = done_visit(centre["member_record"], visited_ago=0, due_in=-2)
    due_visit(centre["other_s1"], due_in=-1)  # overdue
    due_visit(centre["s2_member"], due_in=3)  # open
    cancelled = due_visit(centre["s2_member"], due_in=1)
    cancelled.status = "cancelled"
    cancelled.save()
    done_visit(union_level, due_in=None)  # unplanned
    assert on_time.visited_on <= on_time.due_by and late.visited_on > late.due_by
    rows = {r.label: r for r in selectors.visit_counts_by_branch(centre["chair"], today=today, year=today.year)}
    s1, s2, rest = rows["第一检验站分工会"], rows["第二检验站分工会"], rows["Union level"]
    assert (s1.due, s1.done_on_time, s1.done_late, s1.overdue, s1.done) == (3, 1, 1, 1, 2)
    assert (s2.due, s2.open, s2.cancelled, s2.done) == (1, 1, 1, 0)
    assert (rest.unplanned, rest.done, rest.due) == (1, 1, 0)
    # a branch cadre's report covers their station only; an auditor's the whole union
    assert [r.label for r in selectors.visit_counts_by_branch(centre["cadre"], today=today, year=today.year)] == [
        "第一检验站分工会"
    ]
    assert "第二检验站分工会" in {
        r.label for r in selectors.visit_counts_by_branch(centre["auditor"], today=today, year=today.year)
    }


def test_branch_counts_query_count_does_not_grow(centre, django_assert_max_num_queries):
    today = centre["today"]
    grants_of(centre["chair"])
    for i in range(10):
        due_visit(factories.member(centre["union"]["g21"], f"数{i}"))
        factories.unit(centre["union"]["union"], f"第{i + 3}检验站分工会", "branch")
    with django_assert_max_num_queries(3):
        selectors.visit_counts_by_branch(centre["chair"], today=today, year=today.year)


def test_campaigns_of_units_above_are_visible_below(centre):
    union_campaign = campaign(centre["union"]["union"])
    s1_campaign = campaign(centre["union"]["s1"], name="一站送清凉", occasion="summer")
    s2_campaign = campaign(centre["union"]["s2"], name="二站送清凉", occasion="summer")
    seen = set(selectors.campaigns_for(centre["cadre"]))
    assert seen == {union_campaign, s1_campaign}
    assert s2_campaign in set(selectors.campaigns_for(centre["chair"]))
    assert list(selectors.campaigns_for(centre["auditor"])) == []


def test_work_queue_shows_overdue_and_soon_due_visits(centre):
    overdue = due_visit(centre["other_s1"], due_in=-1)
    soon = due_visit(centre["member_record"], due_in=3)
    due_visit(centre["other_s1"], due_in=10)  # later
    due_visit(centre["s2_member"], due_in=0)  # another station
    items = selectors.visit_work_items(centre["cadre"])
    assert [i.url for i in items] == [f"/assistance/visits/{overdue.pk}/", f"/assistance/visits/{soon.pk}/"]
    assert items[0].kind == "visit_overdue" and items[1].kind == "visit_due"
    assert items[0].title == "Visit 李四: Illness or hospital stay"
    assert selectors.visit_work_items(centre["member"]) == []
    assert selectors.visit_work_items(centre["auditor"]) == []


def test_visiting_cadres_are_those_at_or_above_the_unit(centre):
    path = centre["other_s1"].unit_path
    names = {u.username for u in selectors.visiting_cadres(path)}
    assert names == {"cadre1", "officer_s1", "officer_union", "chair"}
    assert {u.username for u in selectors.visiting_cadres(path, nearest_only=True)} == {"cadre1", "officer_s1"}
