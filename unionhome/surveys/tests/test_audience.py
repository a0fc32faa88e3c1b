"""Who a survey is for: subtrees, tags, seated representatives; invitations written once per member."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.congress.models import Congress, Delegation, Representative
from unionhome.org.models import MemberTag
from unionhome.surveys.audience import audience_members
from unionhome.surveys.models import Invitation, Survey
from unionhome.surveys.services import survey_invite, survey_update
from unionhome.surveys.tests.builders import build_survey, open_survey

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def seat(member, union, *, status="seated", starts=-365, ends=365):
    today = timezone.localdate()
    term = {
        "unit_path": union["union"].path,
        "name": "职代会",
        "starts_on": today + datetime.timedelta(days=starts),
        "ends_on": today + datetime.timedelta(days=ends),
    }
    number = 1 if starts < 0 < ends else 2
    congress, _ = Congress.objects.get_or_create(unit=union["union"], number=number, defaults=term)
    delegation, _ = Delegation.objects.get_or_create(
        congress=congress, unit=member.unit, defaults={"unit_path": member.unit.path, "quota": 5}
    )
    return Representative.objects.create(
        congress=congress, delegation=delegation, member=member, unit_path=member.unit.path,
        category="front_line", status=status, elected_on=congress.starts_on,
    )  # fmt: skip


def test_the_audience_is_the_active_members_of_the_subtrees(builder, union, people):
    factories.member(union["g11"], "离职者", status="left")
    factories.member(union["s1"], "直属一站")
    survey = build_survey(builder, union["union"], audience_units=[union["s1"], union["g11"]])
    assert names(audience_members(survey)) == {"张三", "李四", "直属一站"}
    survey_update(actor=builder, survey=survey, audience_units=[union["g21"]])
    assert names(audience_members(survey)) == {"王五"}


def test_tags_narrow_the_audience_to_any_of_them(builder, union, people):
    women = MemberTag.objects.create(code="women", name="女职工")
    models = MemberTag.objects.create(code="model", name="劳模")
    people["other_s1"].tags.add(women)
    people["s2_member"].tags.add(women, models)
    survey = build_survey(builder, union["union"], audience_tags=[women, models])
    members = audience_members(survey)
    assert names(members) == {"李四", "王五"} and members.count() == 2  # tagged twice, counted once
    survey_update(actor=builder, survey=survey, audience_tags=[models])
    assert names(audience_members(survey)) == {"王五"}


def test_representatives_only_means_seated_in_a_running_term(builder, union, people):
    seat(people["member_record"], union)
    seat(people["other_s1"], union, status="withdrawn")
    seat(people["s2_member"], union, starts=-2000, ends=-10)  # a term that has ended
    survey = build_survey(builder, union["union"], representatives_only=True)
    assert names(audience_members(survey)) == {"张三"}
    women = MemberTag.objects.create(code="women", name="女职工")
    survey_update(actor=builder, survey=survey, audience_tags=[women])
    assert names(audience_members(survey)) == set()  # a representative without the tag


def test_inviting_is_idempotent_and_adds_newcomers(builder, union, people):
    survey = open_survey(builder, union["union"], audience_units=[union["s1"]])
    assert set(Invitation.objects.filter(survey=survey).values_list("member__name", flat=True)) == {"张三", "李四"}
    assert survey_invite(survey=survey) == 0
    factories.member(union["g12"], "新同事")
    assert survey_invite(survey=survey) == 1
    assert Invitation.objects.filter(survey=survey).count() == 3


def test_a_draft_invites_nobody(builder, union, people):
    survey = build_survey(builder, union["union"])
    assert survey_invite(survey=survey) == 0 and not Invitation.objects.exists()


def test_inviting_a_large_audience_goes_in_batches(builder, union, people, django_assert_max_num_queries):
    for i in range(7):
        factories.member(union["g21"], f"成员{i}")
    survey = build_survey(builder, union["union"])
    Survey.objects.filter(pk=survey.pk).update(status="open")
    # The audience's filters, then each batch in its own transaction (its savepoint here): the survey's
    # lock, the next members not invited yet, the insert and the count; the last batch finds nobody.
    with django_assert_max_num_queries(3 + 6 * 4):
        assert survey_invite(survey=survey, batch_size=4) == 10
    assert Invitation.objects.filter(survey=survey).values("member").distinct().count() == 10
