"""``selectors.reports``: every figure of the report, exactly, over a small known data set; scope; queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.selectors import reports
from unionhome.assistance.tests import report_records

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def data(centre):
    return report_records.build(centre)


def union_report(centre, data, **kwargs):
    viewer = centre["chair"]
    return reports.report_for(viewer, reports.report_unit_for(viewer), data.year, **kwargs)


def by_code(rows) -> dict:
    return {row.code: row for row in rows}


def test_files_by_level_and_cause_new_and_exited(centre, data):
    files = union_report(centre, data).files
    # During the year: F1, F2, F4, F6, F8; at its end F2 has exited; new F2, F4, F8; exited F2.
    assert (files.active_during, files.active_at_end, files.new, files.exited) == (5, 4, 3, 1)
    levels = {row.code: (row.active_during, row.active_at_end) for row in files.by_level}
    assert levels == {"deep": (3, 3), "relative": (1, 0), "sudden": (1, 1)}
    causes = {row.code: (row.active_during, row.active_at_end) for row in files.by_cause}
    assert causes == {
        "illness": (1, 1),
        "disability": (0, 0),
        "disaster": (1, 1),
        "single_parent": (0, 0),
        "low_income": (5, 4),
        "schooling": (0, 0),
        "other": (0, 0),
    }
    assert by_code(files.by_level)["deep"].label == "Deep hardship"


def test_assistance_count_and_money_by_kind_net_of_reversals(centre, data):
    assistance = union_report(centre, data).assistance
    # Delivered in the year: A1 cash, A2 medical, A3 goods, A4 job help (no money). A2 was paid 2,500.50,
    # reversed, and paid 2,000.00: net 2,000.00. A5 (the year before) and A7 (the year after) are out.
    assert assistance.count == 4
    assert assistance.amount == D("3300.00")
    kinds = {row.code: (row.count, row.amount) for row in assistance.by_kind}
    assert kinds == {
        "cash": (1, D("1000.00")),
        "goods": (1, D("300.00")),
        "medical": (1, D("2000.00")),
        "job": (1, D("0.00")),
        "schooling": (0, D("0.00")),
        "legal": (0, D("0.00")),
    }


def test_money_by_fund_source_covers_assistance_aid_and_visits(centre, data):
    money = union_report(centre, data).money
    funds = {row.code: (row.assistance, row.aid, row.visits, row.total) for row in money.by_fund}
    assert funds["union_funds"] == (D("3000.00"), D("5000.00"), D("200.00"), D("8200.00"))
    assert funds["company"] == (D("300.00"), D("0.00"), D("0.00"), D("300.00"))
    assert all(total == 0 for code, (*_, total) in funds.items() if code not in ("union_funds", "company"))
    assert (money.assistance, money.aid, money.visits, money.total) == (
        D("3300.00"),
        D("5000.00"),
        D("200.00"),
        D("8500.00"),
    )


def test_follow_ups_on_time_rate_and_effectiveness(centre, data):
    follow_ups = union_report(centre, data).follow_ups
    # Due in the year: FU1 (on time), FU2 (late), FU3 (open, overdue), FU4 (on time).
    assert (follow_ups.due, follow_ups.done, follow_ups.on_time, follow_ups.late) == (4, 3, 2, 1)
    assert (follow_ups.overdue, follow_ups.pending) == (1, 0)
    assert follow_ups.on_time_rate == D("50.0")  # 2 on time of 4 whose time has come
    assert {row.code: row.count for row in follow_ups.grades} == {
        "resolved": 1,
        "improved": 1,
        "unchanged": 1,
        "worse": 0,
    }


def test_follow_ups_not_yet_due_are_pending_not_late(centre, data):
    """On 15 April of the year, FU3 (due 1 May, open) is pending: it does not count against the rate."""
    follow_ups = union_report(centre, data, today=datetime.date(data.year, 4, 15)).follow_ups
    assert (follow_ups.due, follow_ups.done, follow_ups.overdue, follow_ups.pending) == (4, 3, 0, 1)
    assert follow_ups.on_time_rate == D("66.7")
    visits = union_report(centre, data, today=datetime.date(data.year, 1, 10)).visits
    assert visits.overdue == 0  # V3 is due by 20 January


def test_education_aid(centre, data):
    aid = union_report(centre, data).aid
    # AP1 paid, AP2 approved, AP3 rejected; AP4 withdrawn and AP5 (last year's campaign) not counted.
    assert (aid.applications, aid.approved, aid.rejected, aid.paid) == (3, 2, 1, 1)
    assert (aid.approved_amount, aid.paid_amount) == (D("8000.00"), D("5000.00"))


def test_visits_due_done_and_overdue_by_occasion(centre, data):
    visits = union_report(centre, data).visits
    # Due in the year: V1 (on time), V2 (late), V3 (overdue), V6 (done after the year); V4 cancelled.
    # Made in the year: V1, V2, V5 (never due), V7 (due the year before).
    assert (visits.due, visits.done, visits.on_time, visits.overdue, visits.done_in_year) == (4, 3, 1, 1, 4)
    assert visits.amount == D("200.00")
    occasions = {
        row.code: (row.due, row.done, row.on_time, row.overdue, row.done_in_year) for row in visits.by_occasion
    }
    assert occasions == {
        "illness": (2, 2, 1, 0, 1),
        "bereavement": (1, 1, 0, 0, 1),
        "childbirth": (0, 0, 0, 0, 0),
        "marriage": (0, 0, 0, 0, 0),
        "retirement": (0, 0, 0, 0, 1),
        "disaster": (0, 0, 0, 0, 0),
        "winter": (1, 0, 0, 1, 0),
        "summer": (0, 0, 0, 0, 0),
        "festival": (0, 0, 0, 0, 1),
    }


def test_per_branch_breakdown(centre, data):
    report = union_report(centre, data)
    union = centre["union"]
    rows = {row.unit.code: row for row in report.children}
    assert list(rows) == ["TC", "S01", "S02"]  # records placed on the union itself first, then its branches
    own, s1, s2 = rows["TC"], rows["S01"], rows["S02"]
    assert own.unit == union["union"] and own.label == "Directly in 技术中心工会"
    assert (own.files_active_during, own.files_active_at_end, own.files_new) == (1, 1, 1)
    assert own.assistance_count == 0 and own.visits_due == 0

    assert (s1.files_active_during, s1.files_active_at_end, s1.files_new, s1.files_exited) == (3, 2, 2, 1)
    assert (s1.assistance_count, s1.assistance_amount) == (2, D("3000.00"))
    assert (s1.follow_ups_due, s1.follow_ups_done, s1.follow_ups_on_time, s1.follow_ups_overdue) == (3, 2, 1, 1)
    assert s1.follow_ups_on_time_rate == D("33.3")
    assert (s1.aid_applications, s1.aid_approved, s1.aid_paid_amount) == (2, 2, D("5000.00"))
    assert (s1.visits_due, s1.visits_done, s1.visits_overdue, s1.visits_done_in_year) == (3, 3, 0, 3)

    assert (s2.files_active_during, s2.files_active_at_end, s2.files_new, s2.files_exited) == (1, 1, 0, 0)
    assert (s2.assistance_count, s2.assistance_amount) == (2, D("300.00"))
    assert (s2.follow_ups_due, s2.follow_ups_on_time, s2.follow_ups_on_time_rate) == (1, 1, D("100.0"))
    assert (s2.aid_applications, s2.aid_approved, s2.aid_paid_amount) == (1, 0, D("0.00"))
    assert (s2.visits_due, s2.visits_done, s2.visits_overdue, s2.visits_done_in_year) == (1, 0, 1, 1)

    # The rows add up to the unit's totals.
    assert sum(row.files_active_during for row in report.children) == report.files.active_during
    assert sum(row.assistance_amount for row in report.children) == report.assistance.amount
    assert sum(row.visits_done_in_year for row in report.children) == report.visits.done_in_year


def test_a_branch_report_counts_its_subtree_and_compares_its_groups(centre, data):
    officer = centre["officer_s1"]
    unit = reports.report_unit_for(officer)  # the top of the officer's scope
    assert unit == centre["union"]["s1"]
    report = reports.report_for(officer, unit, data.year)
    assert (report.files.active_during, report.files.active_at_end) == (3, 2)
    assert (report.assistance.count, report.assistance.amount) == (2, D("3000.00"))
    assert report.money.total == D("3000.00") + D("5000.00") + D("200.00")
    assert (report.follow_ups.due, report.follow_ups.on_time_rate) == (3, D("33.3"))
    assert (report.aid.applications, report.visits.due, report.visits.overdue) == (2, 3, 0)
    groups = {row.unit.code: row for row in report.children}
    assert list(groups) == ["S01-G1", "S01-G2"]
    assert (groups["S01-G1"].files_active_during, groups["S01-G2"].files_active_during) == (2, 1)
    assert (groups["S01-G1"].assistance_amount, groups["S01-G2"].assistance_amount) == (D("1000.00"), D("2000.00"))


def test_a_group_report_has_no_breakdown(centre, data):
    report = reports.report_for(centre["chair"], centre["union"]["g21"], data.year)
    assert report.children == []
    assert (report.files.active_during, report.visits.due, report.assistance.count) == (1, 1, 2)


def test_another_year_has_other_figures(centre, data):
    viewer = centre["chair"]
    report = reports.report_for(viewer, reports.report_unit_for(viewer), data.year + 1)
    # F1, F4, F6 (exits on 1 February), F7 (new) and F8 are active during the next year.
    assert (report.files.active_during, report.files.active_at_end) == (5, 4)
    assert (report.files.new, report.files.exited) == (1, 1)
    # A7, delivered and paid at the first second of the year.
    assert (report.assistance.count, report.assistance.amount, report.money.total) == (1, D("700.00"), D("700.00"))
    assert (report.follow_ups.due, report.aid.applications) == (1, 0)
    assert (report.visits.due, report.visits.done_in_year) == (0, 1)  # V6, visited on 3 January


# --- scope ---------------------------------------------------------------------------------------


def test_branch_officer_may_not_pick_the_other_branch_or_the_union(centre, data):
    union = centre["union"]
    assert reports.report_unit_for(centre["officer_s1"], union["g12"].pk) == union["g12"]
    for unit in (union["s2"], union["union"], union["g21"]):
        with pytest.raises(OutOfScope):
            reports.report_unit_for(centre["officer_s1"], unit.pk)
    with pytest.raises(OutOfScope):
        reports.report_unit_for(centre["officer_s1"], 10**12)  # no such unit: the same answer
    with pytest.raises(OutOfScope):  # nor can the figures be asked for with a unit from elsewhere
        reports.report_for(centre["officer_s1"], union["s2"], data.year)


@pytest.mark.parametrize("who", ["auditor", "chair", "cadre", "officer_union"])
def test_cadres_with_the_permission_see_reports(centre, who):
    unit = reports.report_unit_for(centre[who])
    assert unit == (centre["union"]["s1"] if who == "cadre" else centre["union"]["union"])


@pytest.mark.parametrize("who", ["member", "admin"])
def test_members_and_admins_may_not(centre, who):
    with pytest.raises(PermissionRefused) as exc:
        reports.report_unit_for(centre[who])
    assert "assistance.view_reports" in str(exc.value)
    with pytest.raises(PermissionRefused):
        reports.report_for(centre[who], centre["union"]["union"], 2024)


def test_unit_choices_are_the_viewers_scope(centre):
    union = centre["union"]
    choices = reports.unit_choices(centre["officer_s1"], union["s1"])
    assert [(choice.unit.code, choice.level) for choice in choices] == [("S01", 0), ("S01-G1", 1), ("S01-G2", 1)]
    assert choices[1].indented_name == "\u3000一站甲班"
    everything = [choice.unit.code for choice in reports.unit_choices(centre["chair"], union["union"])]
    assert everything == ["TC", "S01", "S01-G1", "S01-G2", "S02", "S02-G1"]
    assert [u.code for u in reports.report_ancestors(centre["chair"], union["g11"])] == ["TC", "S01"]
    assert reports.report_ancestors(centre["officer_s1"], union["g11"]) == [union["s1"]]


def test_unit_picker_drops_a_level_when_the_scope_is_large(centre, monkeypatch):
    monkeypatch.setattr(reports, "PICKER_LIMIT", 4)
    union = centre["union"]
    codes = [choice.unit.code for choice in reports.unit_choices(centre["chair"], union["g21"])]
    assert codes == ["TC", "S01", "S02", "S02-G1"]  # branches only, and the current group


def test_year_choices():
    today = datetime.date(2030, 6, 1)
    assert reports.year_choices(2030, today)[:3] == [2030, 2029, 2028]
    assert len(reports.year_choices(2030, today)) == reports.YEARS_BACK
    assert reports.year_choices(2001, today)[-1] == 2001


# --- queries -------------------------------------------------------------------------------------


def count_queries(centre, data) -> int:
    viewer = centre["chair"]
    unit = reports.report_unit_for(viewer)
    with CaptureQueriesContext(connection) as ctx:
        reports.report_for(viewer, unit, data.year)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows_or_units(centre, data):
    before = count_queries(centre, data)
    assert before == 9  # files 2, assistance, payments, follow-ups, aid, visits 2, the child units
    report_records.grow(centre, data, 24)
    assert count_queries(centre, data) == before
    report = union_report(centre, data)
    assert report.files.active_during == 5 + 24
    assert report.assistance.amount == D("3300.00") + 24 * D("100.00")
    assert len(report.children) == 4  # the union itself, S01, S02 and the new branch
