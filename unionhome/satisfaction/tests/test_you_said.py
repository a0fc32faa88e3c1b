"""You said, we did": cadres write, edit, publish and withdraw notes; members see those of their own unit and
the units above it, never another branch's, with the closed surveys' headline figures; pages and API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.models import FeedbackAction
from unionhome.satisfaction.services_actions import (
    feedback_action_create,
    feedback_action_publish,
    feedback_action_update,
    feedback_action_withdraw,
)
from unionhome.satisfaction.you_said import closed_surveys_for, managed_actions_page, you_said_page

SAID = "夜班职工反映澡堂热水不够用。"
DONE = "工会协调后勤，热水供应延长到凌晨一点。"


@pytest.fixture
def writers(union, people):
    return {
        **people,
        "vice_s1": factories.user("vice_s1", roles=(("vice_chair", union["s1"]),)),
        "vice_s2": factories.user("vice_s2", roles=(("vice_chair", union["s2"]),)),
        "s2_user": factories.user("s2_user", member=people["s2_member"]),
    }


def note(actor, unit, title="热水供应", publish=True, **fields):
    return feedback_action_create(actor=actor, unit=unit, title=title, said=SAID, done=DONE, publish=publish, **fields)


def titles(viewer) -> list[str]:
    return [a.title for a in you_said_page(viewer, None).items]


def test_members_see_their_units_notes_and_never_another_branchs(union, writers):
    note(writers["chair"], union["union"], "全工会：食堂")
    note(writers["vice_s1"], union["s1"], "一站：澡堂")
    note(writers["vice_s2"], union["s2"], "二站：班车")
    note(writers["vice_s1"], union["s1"], "一站草稿", publish=False)
    assert titles(writers["member"]) == ["一站：澡堂", "全工会：食堂"]  # newest first; no draft
    assert titles(writers["s2_user"]) == ["二站：班车", "全工会：食堂"]
    assert titles(writers["chair"]) == []  # an account with no member record


def test_writing_needs_the_permission_on_the_unit(union, writers):
    with pytest.raises(PermissionRefused):
        note(writers["vice_s1"], union["s2"])
    with pytest.raises(PermissionRefused):
        note(writers["cadre"], union["s1"])  # a branch cadre reads the index but does not write
    assert not FeedbackAction.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "标" * 101}, "title"),
        ({"said": "说" * 1001}, "said"),
        ({"done": "  "}, "done"),
        ({"done": "做" * 2001}, "done"),
        ({"title": "a\x00b"}, "title"),
        ({"service_line": "no_such_line"}, "service_line"),
        ({"topic": "话" * 51}, "topic"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(union, writers, fields, field):
    values = {"title": "热水", "said": SAID, "done": DONE, **fields}
    with pytest.raises(ValidationError) as refused:
        feedback_action_create(actor=writers["vice_s1"], unit=union["s1"], **values)
    assert field in refused.value.message_dict
    assert not FeedbackAction.objects.exists()


def test_edit_publish_withdraw_are_audited(union, writers):
    action = note(writers["vice_s1"], union["s1"], publish=False, service_line="visits", topic="澡堂")
    assert titles(writers["member"]) == []
    feedback_action_publish(actor=writers["vice_s1"], action=action)
    assert titles(writers["member"]) == ["热水供应"]
    feedback_action_update(
        actor=writers["vice_s1"], action=action, title="热水供应延长", said=SAID, done=DONE, topic="澡堂"
    )
    assert titles(writers["member"]) == ["热水供应延长"]
    with pytest.raises(PermissionRefused):
        feedback_action_withdraw(actor=writers["vice_s2"], action=action)
    feedback_action_withdraw(actor=writers["vice_s1"], action=action)
    assert titles(writers["member"]) == []
    actions = AuditEvent.objects.filter(action__startswith="satisfaction.feedback_action")
    assert sorted(actions.values_list("action", flat=True)) == [
        "satisfaction.feedback_action.created",
        "satisfaction.feedback_action.published",
        "satisfaction.feedback_action.updated",
        "satisfaction.feedback_action.withdrawn",
    ]


def test_the_lists_take_a_fixed_number_of_queries(union, writers, django_assert_max_num_queries):
    for i in range(3):
        note(writers["chair"], union["union"], f"通知{i}")
    with django_assert_max_num_queries(2):
        assert len(you_said_page(writers["member"], None).items) == 3
    for i in range(25):
        note(writers["vice_s1"], union["s1"], f"一站{i}")
    with django_assert_max_num_queries(2):
        page = you_said_page(writers["member"], None)
        assert len(page.items) == 20 and [a.unit.name for a in page.items]
    with django_assert_max_num_queries(2):
        rest = you_said_page(writers["member"], page.next_cursor)
        assert len(rest.items) == 8 and rest.next_cursor is None
    with django_assert_max_num_queries(3):
        assert len(managed_actions_page(writers["chair"], None).items) == 20


def test_the_pages_query_count_does_not_grow_with_rows(union, writers, client, login_as, django_assert_max_num_queries):
    note(writers["chair"], union["union"], "通知")
    login_as(writers["member"])
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("satisfaction:you_said"))
    for i in range(15):
        note(writers["vice_s1"], union["s1"], f"一站{i}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("satisfaction:you_said")).content.decode()
    assert "一站14" in page
    login_as(writers["chair"])
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("satisfaction:you_said_manage"))
    for i in range(5):
        note(writers["chair"], union["s2"], f"二站{i}")
    with django_assert_max_num_queries(len(few)):
        assert "二站4" in client.get(reverse("satisfaction:you_said_manage")).content.decode()


def test_the_member_page_and_the_cadre_form(union, writers, client, login_as):
    note(writers["vice_s2"], union["s2"], "二站：班车")
    login_as(writers["vice_s1"])
    response = client.post(
        reverse("satisfaction:you_said_new"),
        {"unit": union["s1"].pk, "title": "一站：澡堂", "said": SAID, "done": DONE, "do": "publish"},
    )
    assert response.status_code == 302
    bad = client.post(reverse("satisfaction:you_said_new"), {"unit": union["s1"].pk, "title": "", "do": "save"})
    assert bad.status_code == 200 and FeedbackAction.objects.count() == 2
    other = FeedbackAction.objects.get(title="二站：班车")
    assert client.get(reverse("satisfaction:you_said_edit", args=[other.pk])).status_code == 404
    login_as(writers["member"])
    page = client.get(reverse("satisfaction:you_said")).content.decode()
    assert "一站：澡堂" in page and DONE in page and "二站：班车" not in page
    assert client.get(reverse("satisfaction:you_said_manage")).status_code == 403


def test_the_api(union, writers, client):
    def call(method, user, url, body=None):
        token = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        if method == "get":
            return client.get(url, headers=headers)
        return getattr(client, method)(url, body or {}, content_type="application/json", headers=headers)

    base = "/api/v1/satisfaction/you-said"
    made = call(
        "post", writers["vice_s1"], base, {"unit_id": union["s1"].pk, "title": "澡堂", "said": SAID, "done": DONE}
    )
    assert made.status_code == 201 and made.json()["published_at"] is None
    pk = made.json()["id"]
    assert call("post", writers["vice_s2"], f"{base}/{pk}/publish").status_code == 404
    assert call("post", writers["vice_s1"], f"{base}/{pk}/publish").json()["published_at"]
    assert [i["title"] for i in call("get", writers["member"], base).json()["items"]] == ["澡堂"]
    assert call("get", writers["s2_user"], base).json()["items"] == []
    too_long = call("put", writers["vice_s1"], f"{base}/{pk}", {"title": "标" * 101, "said": SAID, "done": DONE})
    assert too_long.status_code == 422
    elsewhere = call(
        "post", writers["vice_s1"], base, {"unit_id": union["s2"].pk, "title": "x", "said": SAID, "done": DONE}
    )
    assert elsewhere.status_code == 403
    assert call("get", writers["member"], f"{base}/manage").status_code == 403
    assert call("get", writers["member"], f"{base}?after=not-a-cursor").status_code == 422
    assert call("post", writers["vice_s1"], f"{base}/{pk}/withdraw").json()["published_at"] is None
    assert FeedbackAction.objects.get().title == "澡堂"


def test_closed_surveys_show_their_headline_figures_only_from_k(
    union, writers, settings, django_assert_max_num_queries
):
    from unionhome.satisfaction.tests.drivers_data import answered_survey

    survey = answered_survey(writers["chair"], union)
    with django_assert_max_num_queries(4):
        [headline] = closed_surveys_for(writers["member"])
    assert headline.survey == survey and headline.responded == 16 and headline.invited >= 16
    assert headline.index == pytest.approx((47 / 16 - 1) / 4 * 100)
    survey.min_group = 17
    survey.save(update_fields=["min_group"])
    [hidden] = closed_surveys_for(writers["s2_user"])
    assert hidden.index is None and hidden.responded == 16


YOU_SAID_OPERATIONS = [
    "GET /api/v1/satisfaction/you-said",
    "GET /api/v1/satisfaction/you-said/manage",
    "POST /api/v1/satisfaction/you-said",
    "PUT /api/v1/satisfaction/you-said/{action_id}",
    "POST /api/v1/satisfaction/you-said/{action_id}/publish",
    "POST /api/v1/satisfaction/you-said/{action_id}/withdraw",
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, union, writers, mode):
    chair = factories.user("chair_member", member=writers["other_s1"], roles=(("chair", union["union"]),))
    note(chair, union["s1"])
    headers = {"Authorization": f"Bearer {api_token_issue(user=chair)[0]}"}
    for operation in operations_named(api_schema, YOU_SAID_OPERATIONS):
        fuzz(operation, mode, headers, examples=20)
