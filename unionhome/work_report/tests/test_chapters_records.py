"""The union, help, congress and voices chapters against hand-built data, and their query counts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from unionhome.assistance.tests import records
from unionhome.congress.tests import proposal_records
from unionhome.voices.models import TopicVolume
from unionhome.work_report.chapters.assistance import assistance_chapter
from unionhome.work_report.chapters.base import Rate, ReportYear
from unionhome.work_report.chapters.congress import congress_chapter, congress_figures
from unionhome.work_report.chapters.membership import membership_chapter, membership_figures
from unionhome.work_report.chapters.voices import voices_chapter, voices_figures
from unionhome.work_report.tests.report_data import appeal, member_departed, member_joined, moment

Y2025 = ReportYear(2025, datetime.date(2026, 3, 1))


def table(chapter, caption: str):
    return next(t for t in chapter.tables if t.caption == caption)


def test_membership_counts_the_year_end_joiners_and_leavers(union, people):
    chair = people["chair"]  # people: three members who joined in 2010, still active
    member_joined(union["g12"], "新人", datetime.date(2025, 3, 1))
    member_joined(union["g21"], "明年", datetime.date(2026, 2, 1))
    left = member_joined(union["g21"], "离开", datetime.date(2015, 1, 1))
    member_departed(chair, left, "left", datetime.date(2025, 6, 30))
    retired = member_joined(union["s1"], "退休", datetime.date(2015, 1, 1))
    member_departed(chair, retired, "retired", datetime.date(2026, 1, 10))
    gone = member_joined(union["g11"], "早走", datetime.date(2012, 1, 1))
    member_departed(chair, gone, "transferred", datetime.date(2024, 5, 1))

    f = membership_figures(union["union"], Y2025)
    assert (f.at_end, f.joined, f.left) == (3 + 2, 1, 1)  # people's three, 新人, 退休 (retired only in 2026)
    assert f.left_by_status == {"left": 1}
    assert f.units_by_kind == {"branch": 2, "group": 3}
    assert [(r.label, r.at_end, r.joined, r.left) for r in f.by_unit] == [
        ("第一检验站分工会", 4, 1, 0),
        ("第二检验站分工会", 1, 0, 1),
    ]
    branch = membership_figures(union["s1"], Y2025)
    assert (branch.at_end, branch.joined, branch.left) == (4, 1, 0)
    assert branch.by_unit[0].label == "Directly in 第一检验站分工会" and branch.by_unit[0].at_end == 1
    chapter = membership_chapter(chair, union["union"], Y2025)
    assert table(chapter, "Members").rows[0] == ["Members at the end of the year", 5]


def test_voices_counts_answers_deadlines_the_median_and_topics(union, people):
    m = people["member_record"]
    appeal(m, kind="complaint", category="welfare", submitted=moment(2025, 3, 2), closed=moment(2025, 3, 4),
           due=moment(2025, 3, 9))  # fmt: skip
    appeal(m, kind="question", category="wages", submitted=moment(2025, 5, 1), closed=moment(2025, 5, 11),
           due=moment(2025, 5, 8))  # fmt: skip
    appeal(m, kind="suggestion", category="canteen", submitted=moment(2025, 7, 1))
    appeal(m, kind="complaint", category="welfare", submitted=moment(2025, 9, 1), closed=moment(2025, 9, 5),
           due=moment(2025, 9, 10))  # fmt: skip
    appeal(m, kind="complaint", category="welfare", submitted=moment(2025, 9, 2), status="withdrawn")
    appeal(m, kind="complaint", category="welfare", submitted=moment(2024, 12, 30), closed=moment(2025, 1, 2))
    appeal(people["s2_member"], kind="help", category="safety", submitted=moment(2025, 4, 1))
    path = union["union"].path
    TopicVolume.objects.create(unit_path=path, word="食堂", month=datetime.date(2025, 3, 1), count=4)
    TopicVolume.objects.create(unit_path=path, word="食堂", month=datetime.date(2025, 9, 1), count=2)
    TopicVolume.objects.create(unit_path=path, word="宿舍", month=datetime.date(2025, 3, 1), count=2)  # < k
    TopicVolume.objects.create(unit_path=path, word="工资", month=datetime.date(2024, 12, 1), count=9)

    f = voices_figures(union["union"], Y2025)
    assert (f.total.submitted, f.total.answered, f.total.on_time) == (5, 3, 2)
    assert f.total.on_time_rate == Decimal("66.7")
    assert f.median_days == Decimal("4.0")  # 2, 4 and 10 days
    assert (f.by_kind["complaint"].submitted, f.by_kind["complaint"].on_time) == (2, 2)
    assert f.by_category["canteen"].submitted == 1 and f.by_category["canteen"].answered == 0
    assert f.topics == [("食堂", 6)]
    station1 = voices_figures(union["s1"], Y2025)
    assert station1.total.submitted == 4 and station1.topics == []
    chapter = voices_chapter(people["chair"], union["union"], Y2025)
    assert table(chapter, "Appeals").rows[2] == ["Answered within the deadline", Rate(Decimal("66.7"))]


def test_voices_median_of_an_even_number_is_the_mean_of_the_middle_two(union, people):
    m = people["member_record"]
    for days in (1, 3, 6, 20):
        appeal(m, kind="question", category="other", submitted=moment(2025, 2, 1),
               closed=moment(2025, 2, 1 + days))  # fmt: skip
    assert voices_figures(union["union"], Y2025).median_days == Decimal("4.5")


def test_congress_counts_sessions_proposals_and_replies(congress):
    for status in ("submitted", "converted", "accepted", "replied", "closed"):
        proposal_records.at(congress, status)
    proposal_records.at(congress, "draft")
    year = ReportYear(timezone.localdate().year, timezone.localdate())
    f = congress_figures(congress["union"]["union"], year)
    assert [s.pk for s in f.sessions] == [congress["session"].pk]
    assert (f.filed, f.accepted, f.replied_proposals) == (5, 3, 2)
    assert (f.replies.replies, f.replies.rated, f.replies.content) == (2, 1, 1)
    chapter = congress_chapter(congress["chair"], congress["union"]["union"], year)
    assert ["Acceptance rate", Rate(Decimal("60.0"))] in table(chapter, "Proposals").rows
    station2 = congress_figures(congress["union"]["s2"], year)  # the proposals came from station 1's delegation
    assert (station2.filed, station2.sessions) == (0, [])
    assert congress_figures(congress["union"]["union"], ReportYear(2025, Y2025.today)).filed == 0


def test_assistance_is_the_centres_report(centre):
    year = ReportYear(centre["today"].year, centre["today"])
    for kind in ("cash", "cash", "goods"):
        records.assistance(
            centre["member_record"],
            requested_by=centre["officer_s1"],
            line=centre["budget_line"],
            kind=kind,
            status="delivered",
            delivered_on=centre["today"],
        )
    chapter = assistance_chapter(centre["chair"], centre["union"]["union"], year)
    rows = {row[0]: row for row in table(chapter, "Assistance by kind").rows}
    assert rows["Cash"][1] == 2 and rows["Goods"][1] == 1 and rows["Total"][1] == 3
    assert len(chapter.charts) == 2


def test_a_chapter_is_withheld_without_its_permission(union):
    viewer = factories.user("only-index", roles=(("vice_chair", union["s1"]),))
    # A vice chair reads every chapter; an assistance officer's role has no congress reports:
    officer = factories.user("officer", roles=(("assistance_officer", union["s1"]),))
    assert congress_chapter(viewer, union["s1"], Y2025).allowed
    assert not congress_chapter(officer, union["s1"], Y2025).allowed
    assert not voices_chapter(officer, union["s1"], Y2025).allowed


@pytest.mark.parametrize("chapter", ["membership", "voices", "congress"])
def test_chapter_queries_do_not_grow_with_rows(union, people, django_assert_max_num_queries, chapter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    read = {
        "membership": lambda: membership_chapter(people["chair"], union["union"], Y2025),
        "voices": lambda: voices_chapter(people["chair"], union["union"], Y2025),
        "congress": lambda: congress_chapter(people["chair"], union["union"], Y2025),
    }[chapter]

    def add(n: int) -> None:
        for i in range(n):
            m = member_joined(union["g11" if i % 2 else "g21"], f"甲{i}", datetime.date(2025, 1 + i % 12, 1))
            appeal(m, kind="question", category="other", submitted=moment(2025, 2, 1), closed=moment(2025, 2, 3))
            factories.unit(union["s1"], f"新班{i}", "group", code=f"NEW{i}-{n}")

    add(2)
    read()
    with CaptureQueriesContext(connection) as few:
        read()
    add(12)
    with django_assert_max_num_queries(len(few)):
        read()
    assert len(few) <= {"membership": 4, "voices": 3, "congress": 3}[chapter]
