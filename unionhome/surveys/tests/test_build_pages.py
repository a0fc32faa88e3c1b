"""The survey builder's pages as a chair uses them: the list (scoped, filtered, constant queries), a new
draft, its questions (added, changed, moved, removed; every refusal beside its field, nothing lost),
opening with confirmation (refusals listed), reminding, closing, the live rate and the preview."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.surveys.models import Invitation, Question, Survey
from unionhome.surveys.services import survey_open
from unionhome.surveys.tests.builders import build_survey, open_survey

pytestmark = pytest.mark.django_db

MANAGE = "/surveys/manage/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def chair_client(login_as, builder):
    return login_as(builder)


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def survey_data(union, **changes) -> dict:
    now = timezone.now()
    data = {
        "title": "2026年职工满意度调查",
        "intro": "请如实填写。",
        "unit": union["union"].pk,
        "opens_at": local(now - datetime.timedelta(hours=1)),
        "closes_at": local(now + datetime.timedelta(days=7)),
        "min_group": "5",
        "audience_units": [union["s1"].pk, union["s2"].pk],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def other_union_survey():
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    factories.member(other, "赵六")
    chair = factories.user("other-chair", roles=(("chair", other),))
    return build_survey(chair, other, questions=[{"kind": "likert", "text": "满意吗？", "is_overall": True}])


def test_the_list_shows_the_chairs_surveys_newest_first_with_their_rates(chair_client, builder, union, people):
    draft = build_survey(builder, union["s1"], questions=[])
    opened = open_survey(builder, union["union"], anonymous=True)
    other_union_survey()
    page = chair_client.get(MANAGE)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [s.pk for s, _rate in rows] == [opened.pk, draft.pk]
    assert (rows[0][1].invited, rows[0][1].responded) == (3, 0) and rows[1][1].invited == 0
    text = page.content.decode()
    assert "Anonymous" in text and "Named" in text and 'href="/surveys/manage/new/"' in text
    only_open = chair_client.get(MANAGE, {"status": "open"})
    assert [s.pk for s, _rate in only_open.context["rows"]] == [opened.pk]
    assert chair_client.get(MANAGE, {"status": "nonsense", "after": "%%%"}).status_code == 200


def test_the_list_pages_by_cursor(chair_client, builder, union):
    made = [build_survey(builder, union["union"], questions=[]) for _ in range(3)]
    from unionhome.surveys import selectors_build

    page = selectors_build.manage_page(selectors_build.managed_surveys(builder), None, size=2)
    assert [s.pk for s in page.items] == [made[2].pk, made[1].pk] and page.next_cursor
    second = chair_client.get(MANAGE, {"after": page.next_cursor})
    assert made[0].pk in [s.pk for s, _rate in second.context["rows"]]


def test_the_list_query_count_does_not_grow_with_rows(chair_client, builder, union, django_assert_max_num_queries):
    open_survey(builder, union["union"])
    chair_client.get(MANAGE)
    with django_assert_max_num_queries(12) as first:
        chair_client.get(MANAGE)
    for i in range(6):
        survey = build_survey(builder, union["s1" if i % 2 else "union"], questions=[{"kind": "text", "text": "意见"}])
        if i % 3 == 0:
            survey_open(actor=builder, survey=survey)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = chair_client.get(MANAGE)
    assert len(page.context["rows"]) == 7


def test_only_builders_reach_the_pages_and_only_their_unions_surveys(client, login_as, people, union):
    foreign = other_union_survey()
    login_as(people["cadre"])  # a branch cadre: no survey building
    assert client.get(MANAGE).status_code == 403
    assert client.get(MANAGE + "new/").status_code == 403
    assert client.get(f"{MANAGE}{foreign.pk}/").status_code == 403
    login_as(people["chair"])
    for suffix in ("", "edit/", "rate/", "preview/", "open/", "questions/new/"):
        assert client.get(f"{MANAGE}{foreign.pk}/{suffix}").status_code == 404, suffix
    assert client.post(f"{MANAGE}{foreign.pk}/open/").status_code == 404
    assert client.post(f"{MANAGE}{foreign.pk}/remind/").status_code == 404
    assert client.get(f"{MANAGE}999999/").status_code == 404
    assert Survey.objects.get(pk=foreign.pk).status == "draft"
    client.logout()
    assert client.get(MANAGE).status_code == 302  # to the login page


def test_a_new_draft_is_saved_and_refusals_keep_what_was_typed(chair_client, union):
    response = chair_client.post(
        MANAGE + "new/", survey_data(union, closes_at=local(timezone.now() - datetime.timedelta(days=1)))
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["closes_at"] == ["The survey must close after it opens."]
    assert form["title"].value() == "2026年职工满意度调查" and not Survey.objects.exists()
    response = chair_client.post(MANAGE + "new/", survey_data(union, min_group="2"))
    assert response.status_code == 422 and "min_group" in response.context["form"].errors
    response = chair_client.post(MANAGE + "new/", survey_data(union, is_anonymous="on"))
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{MANAGE}{survey.pk}/"
    assert survey.is_anonymous and survey.unit == union["union"]
    assert set(survey.audience_units.all()) == {union["s1"], union["s2"]}


def test_a_new_draft_without_audience_goes_to_its_unit_and_edits_keep_the_rules(chair_client, union):
    chair_client.post(MANAGE + "new/", survey_data(union, audience_units=None, unit=union["s1"].pk))
    survey = Survey.objects.get()
    assert list(survey.audience_units.all()) == [union["s1"]]
    edit = f"{MANAGE}{survey.pk}/edit/"
    page = chair_client.get(edit)
    assert page.status_code == 200 and "unit" not in page.context["form"].fields
    bad = chair_client.post(edit, survey_data(union, title="", audience_units=[union["s2"].pk]))
    assert bad.status_code == 422 and set(bad.context["form"].errors) >= {"title"}
    outside = chair_client.post(edit, survey_data(union, audience_units=[union["g11"].pk], title="新标题"))
    assert outside.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "新标题" and list(survey.audience_units.all()) == [union["g11"]]


def question(chair_client, survey, **fields):
    data = {"kind": "single", "text": "问题", **fields}
    return chair_client.post(f"{MANAGE}{survey.pk}/questions/new/", data)


def test_questions_are_added_changed_moved_and_removed(chair_client, builder, union):
    survey = build_survey(builder, union["union"], questions=[])
    assert (
        question(chair_client, survey, text="参加过活动吗？", options="没有\n参加过\n", required="on").status_code
        == 302
    )
    overall = question(chair_client, survey, kind="likert", text="总体满意吗？", is_overall="on", options="被忽略")
    assert overall.status_code == 302
    first, second = Question.objects.filter(survey=survey).order_by("position")
    assert first.options == ["没有", "参加过"] and first.required and second.is_overall and second.options == []
    conditional = question(chair_client, survey, kind="text", text="参加过哪些？", condition=[f"{first.pk}:1"])
    assert conditional.status_code == 302
    third = Question.objects.get(survey=survey, position=3)
    assert third.condition_question == first and third.condition_values == [1]
    detail = chair_client.get(f"{MANAGE}{survey.pk}/")
    assert "Shown when question 1 is answered with: 参加过" in detail.content.decode()
    # Changing a question: the likert gets a service line (the overall one may not).
    edit = chair_client.post(
        f"{MANAGE}{survey.pk}/questions/{second.pk}/", {"kind": "likert", "text": "总体满意吗？", "is_overall": "on"}
    )
    assert edit.status_code == 302
    # Moving the conditional question above its condition is refused; moving it up once is fine.
    moved = chair_client.post(f"{MANAGE}{survey.pk}/questions/{third.pk}/move/", {"direction": "up"}, follow=True)
    assert [q.pk for q in Question.objects.filter(survey=survey).order_by("position")] == [
        first.pk,
        third.pk,
        second.pk,
    ]
    assert "The question was moved." in moved.content.decode()
    refused = chair_client.post(f"{MANAGE}{survey.pk}/questions/{third.pk}/move/", {"direction": "up"}, follow=True)
    assert "A condition can only depend on an earlier question." in refused.content.decode()
    assert Question.objects.get(pk=third.pk).position == 2
    # Removing a question others depend on is refused; the dependent one can go.
    kept = chair_client.post(f"{MANAGE}{survey.pk}/questions/{first.pk}/remove/", follow=True)
    assert "change their conditions first" in kept.content.decode() and Question.objects.filter(pk=first.pk).exists()
    chair_client.post(f"{MANAGE}{survey.pk}/questions/{third.pk}/remove/")
    assert not Question.objects.filter(pk=third.pk).exists()


def test_question_refusals_are_shown_beside_their_fields(chair_client, builder, union):
    survey = build_survey(builder, union["union"], questions=[{"kind": "likert", "text": "总体", "is_overall": True}])
    second_overall = question(chair_client, survey, kind="recommendation", text="推荐吗？", is_overall="on")
    assert second_overall.status_code == 422
    assert "already the overall satisfaction question" in second_overall.context["form"].errors["is_overall"][0]
    assert second_overall.context["form"]["text"].value() == "推荐吗？"
    few = question(chair_client, survey, options="只有一个")
    assert few.status_code == 422 and few.context["form"].errors["options"]
    overall = Question.objects.get(survey=survey)
    bad_value = question(chair_client, survey, kind="text", text="为什么？", condition=[f"{overall.pk}:9"])
    assert bad_value.status_code == 422 and bad_value.context["form"].errors["condition"]
    line = question(chair_client, survey, kind="text", text="x", service_line="no-such-line")
    assert line.status_code == 422 and line.context["form"].errors["service_line"]
    # A condition may not depend on a later question: the later one is not offered, and sent anyway it is refused.
    later = question(chair_client, survey, kind="single", text="后面", options="甲\n乙")
    assert later.status_code == 302
    later_q = Question.objects.get(survey=survey, position=2)
    sneaky = chair_client.post(
        f"{MANAGE}{survey.pk}/questions/{overall.pk}/",
        {"kind": "likert", "text": "总体", "condition": [f"{later_q.pk}:0"]},
    )
    assert sneaky.status_code == 422 and sneaky.context["form"].errors["condition"]
    assert Question.objects.get(pk=overall.pk).condition_question is None
    assert Question.objects.filter(survey=survey).count() == 2


def test_opening_is_confirmed_and_refusals_are_listed(chair_client, builder, union, people):
    survey = build_survey(builder, union["union"], questions=[], opens_at=None, closes_at=None)
    confirm = chair_client.get(f"{MANAGE}{survey.pk}/open/")
    assert confirm.status_code == 200 and confirm.context["audience"] == 3
    refused = chair_client.post(f"{MANAGE}{survey.pk}/open/")
    assert refused.status_code == 422
    assert set(refused.context["open_errors"]) == {
        "Add at least one question.",
        "Set when the survey opens.",
        "Set when the survey closes.",
    }
    assert Survey.objects.get(pk=survey.pk).status == "draft" and not Invitation.objects.exists()
    # Closing before opening is refused too.
    closed = chair_client.post(f"{MANAGE}{survey.pk}/close/", follow=True)
    assert "Only an open survey can be closed." in closed.content.decode()
    question(chair_client, survey, kind="likert", text="总体满意吗？", is_overall="on")
    now = timezone.now()
    chair_client.post(
        f"{MANAGE}{survey.pk}/edit/", survey_data(union, closes_at=local(now + datetime.timedelta(days=3)))
    )
    opened = chair_client.post(f"{MANAGE}{survey.pk}/open/", follow=True)
    assert "The survey is open: 3 members were invited." in opened.content.decode()
    assert Survey.objects.get(pk=survey.pk).status == "open"
    # An open survey is no longer edited.
    assert chair_client.get(f"{MANAGE}{survey.pk}/edit/").status_code == 302
    assert question(chair_client, survey, text="晚了", options="甲\n乙").status_code == 302
    assert Question.objects.filter(survey=survey).count() == 1


def test_remind_rate_close_and_preview(chair_client, builder, union, people):
    survey = open_survey(builder, union["union"])
    rate = chair_client.get(f"{MANAGE}{survey.pk}/rate/")
    assert rate.json() == {"invited": 3, "responded": 0, "rate": 0.0, "percent": "0.0"}
    reminded = chair_client.post(f"{MANAGE}{survey.pk}/remind/", follow=True)
    assert "1 member was reminded." in reminded.content.decode()  # only one invited member has a login
    again = chair_client.post(f"{MANAGE}{survey.pk}/remind/", follow=True)
    assert "Nobody to remind" in again.content.decode()
    preview = chair_client.get(f"{MANAGE}{survey.pk}/preview/")
    assert preview.status_code == 200 and "您参加过哪些活动？" in preview.content.decode()
    assert chair_client.get(f"{MANAGE}{survey.pk}/close/").context["rate"].invited == 3
    closed = chair_client.post(f"{MANAGE}{survey.pk}/close/", follow=True)
    assert "The survey is closed" in closed.content.decode() and Survey.objects.get(pk=survey.pk).status == "closed"
    late = chair_client.post(f"{MANAGE}{survey.pk}/remind/", follow=True)
    assert "Reminders are sent only while the survey can be answered." in late.content.decode()


def test_the_detail_page_reads_a_fixed_number_of_queries(chair_client, builder, union, django_assert_max_num_queries):
    survey = open_survey(builder, union["union"])
    with django_assert_max_num_queries(16):
        page = chair_client.get(f"{MANAGE}{survey.pk}/")
    assert page.status_code == 200 and len(page.context["questions"]) == 7
    with django_assert_max_num_queries(8):
        chair_client.get(f"{MANAGE}{survey.pk}/rate/")


def test_the_pages_speak_chinese_by_default(settings, chair_client, builder, union):
    settings.LANGUAGE_CODE = "zh-hans"
    survey = build_survey(builder, union["union"], questions=[])
    for url in (MANAGE, MANAGE + "new/", f"{MANAGE}{survey.pk}/", f"{MANAGE}{survey.pk}/questions/new/"):
        response = chair_client.get(url)
        assert response.status_code == 200 and 'lang="zh-Hans"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_large_audience_is_invited_in_the_background(settings, chair_client, builder, union, people, run_tasks):
    settings.SURVEYS_INVITE_SYNC_MAX = 1  # three members: more than opening invites by itself
    survey = build_survey(
        builder, union["union"], questions=[{"kind": "likert", "text": "满意吗？", "is_overall": True}]
    )
    opened = chair_client.post(f"{MANAGE}{survey.pk}/open/", follow=True)
    assert "3 members are being invited in the background." in opened.content.decode()
    assert 'id="inviting"' in opened.content.decode()
    run_tasks()
    assert chair_client.get(f"{MANAGE}{survey.pk}/rate/").json()["invited"] == 3
    assert 'id="inviting"' not in chair_client.get(f"{MANAGE}{survey.pk}/").content.decode()


def test_an_audience_chosen_deeper_than_the_list_is_kept_on_edit(chair_client, builder, union):
    deep = factories.unit(union["g11"], "一站甲班一组", "group", code="S01-G1-1")
    survey = build_survey(builder, union["union"], questions=[], audience_units=[deep, union["s2"]])
    page = chair_client.get(f"{MANAGE}{survey.pk}/edit/")
    assert set(page.context["form"]["audience_units"].value()) == {deep.pk, union["s2"].pk}
    data = survey_data(union, audience_units=page.context["form"]["audience_units"].value(), title="改名")
    assert chair_client.post(f"{MANAGE}{survey.pk}/edit/", data).status_code == 302
    assert set(survey.audience_units.all()) == {deep, union["s2"]}
