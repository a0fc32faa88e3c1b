"""The survey builder's API with bearer tokens: the list (scoped, paged, constant queries), a draft and its
questions, every refusal (422 by field, 403, 404), opening, reminding, the rate and closing."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.surveys.models import Question, Survey
from unionhome.surveys.tests.builders import build_survey, open_survey

pytestmark = pytest.mark.django_db

BASE = "/api/v1/satisfaction/surveys/manage"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **params)`` with a bearer token of ``user``."""
    tokens: dict[int, str] = {}

    def go(user, method: str, path: str = "", body=None, **params):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        send = getattr(client, method)
        return send(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def fields_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {tuple(item["loc"])[-1]: item["msg"] for item in response.json()["detail"]}


def test_a_survey_is_built_opened_reminded_and_closed(call, builder, union, people):
    now = timezone.now()
    created = call(
        builder,
        "post",
        body={
            "title": "食堂满意度调查",
            "unit_id": union["union"].pk,
            "is_anonymous": True,
            "opens_at": (now - datetime.timedelta(hours=1)).isoformat(),
            "closes_at": (timezone.localtime(now) + datetime.timedelta(days=3)).replace(tzinfo=None).isoformat(),
            "audience_units": [union["s1"].pk, union["s2"].pk],
        },
    )
    assert created.status_code == 201, created.content
    survey = created.json()
    assert survey["status"] == "draft" and survey["is_anonymous"] and survey["min_group"] == 5
    assert {u["id"] for u in survey["audience_units"]} == {union["s1"].pk, union["s2"].pk}
    assert survey["url"] == f"/surveys/manage/{survey['id']}/"
    sid = survey["id"]
    overall = call(builder, "post", f"/{sid}/questions", {"kind": "likert", "text": "总体满意吗？", "is_overall": True})
    assert overall.status_code == 201, overall.content
    choice = call(
        builder, "post", f"/{sid}/questions", {"kind": "single", "text": "常去食堂吗？", "options": ["是", "否"]}
    )
    follow = call(
        builder,
        "post",
        f"/{sid}/questions",
        {"kind": "text", "text": "为什么不去？", "condition_question": choice.json()["id"], "condition_values": [1]},
    )
    assert follow.status_code == 201 and follow.json()["position"] == 3
    changed = call(builder, "patch", f"/{sid}/questions/{choice.json()['id']}", {"required": True})
    assert changed.status_code == 200 and changed.json()["required"] and changed.json()["options"] == ["是", "否"]
    ids = [overall.json()["id"], choice.json()["id"], follow.json()["id"]]
    reordered = call(builder, "post", f"/{sid}/questions/order", {"order": [ids[1], ids[2], ids[0]]})
    assert [q["id"] for q in reordered.json()["questions"]] == [ids[1], ids[2], ids[0]]
    patched = call(builder, "patch", f"/{sid}", {"title": "食堂调查", "min_group": 8})
    assert patched.json()["title"] == "食堂调查" and patched.json()["min_group"] == 8 and patched.json()["is_anonymous"]
    opened = call(builder, "post", f"/{sid}/open")
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "open" and opened.json()["rate"]["invited"] == 3
    assert call(builder, "get", f"/{sid}/rate").json() == {"invited": 3, "responded": 0, "rate": 0.0}
    assert call(builder, "post", f"/{sid}/remind").json() == {"reminded": 1}
    assert call(builder, "post", f"/{sid}/remind").json() == {"reminded": 0}
    assert fields_of(call(builder, "patch", f"/{sid}", {"title": "晚了"})).keys() == {"status"}
    closed = call(builder, "post", f"/{sid}/close")
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert "status" in fields_of(call(builder, "post", f"/{sid}/remind"))
    assert "status" in fields_of(call(builder, "post", f"/{sid}/close"))
    actions = set(AuditEvent.objects.filter(object_id=str(sid)).values_list("action", flat=True))
    assert {"surveys.survey.created", "surveys.survey.opened", "surveys.survey.closed"} <= actions


def test_every_refusal_is_a_clear_422(call, builder, union):
    now = timezone.now()
    survey = build_survey(builder, union["union"], questions=[], opens_at=None, closes_at=None)
    sid = survey.pk
    # No questions, no dates: every problem listed at once.
    problems = call(builder, "post", f"/{sid}/open").json()["detail"]
    assert {p["loc"][-1] for p in problems} == {"questions", "opens_at", "closes_at"}
    assert "Add at least one question." in [p["msg"] for p in problems]
    # Closing before opening.
    assert "status" in fields_of(call(builder, "post", f"/{sid}/close"))
    first = call(builder, "post", f"/{sid}/questions", {"kind": "likert", "text": "总体", "is_overall": True}).json()
    # A second overall question.
    second = call(builder, "post", f"/{sid}/questions", {"kind": "recommendation", "text": "推荐", "is_overall": True})
    assert "already the overall" in fields_of(second)["is_overall"]
    # A condition on a later question (by moving it below its dependent).
    text = call(
        builder,
        "post",
        f"/{sid}/questions",
        {"kind": "text", "text": "为什么？", "condition_question": first["id"], "condition_values": [1, 2]},
    ).json()
    refused = call(builder, "post", f"/{sid}/questions/order", {"order": [text["id"], first["id"]]})
    assert "A condition can only depend on an earlier question." in fields_of(refused)["questions"]
    assert fields_of(call(builder, "post", f"/{sid}/questions/order", {"order": [first["id"]]})).keys() == {"order"}
    # Values the condition's question cannot take; options on a Likert; a removal others depend on.
    bad = call(builder, "patch", f"/{sid}/questions/{text['id']}", {"condition_values": [9]})
    assert "condition_values" in fields_of(bad)
    assert "options" in fields_of(
        call(builder, "post", f"/{sid}/questions", {"kind": "likert", "text": "x", "options": ["a", "b"]})
    )
    assert "condition_question" in fields_of(call(builder, "delete", f"/{sid}/questions/{first['id']}"))
    # Bad survey fields and schema-level nonsense.
    past = call(
        builder,
        "patch",
        f"/{sid}",
        {"opens_at": now.isoformat(), "closes_at": (now - datetime.timedelta(1)).isoformat()},
    )
    assert "closes_at" in fields_of(past)
    assert "min_group" in fields_of(call(builder, "patch", f"/{sid}", {"min_group": 2}))
    assert "audience_units" in fields_of(
        call(builder, "patch", f"/{sid}", {"audience_units": [union["union"].pk + 10**6]})
    )
    assert call(builder, "patch", f"/{sid}", {"title": "a\x00b"}).status_code == 422
    assert call(builder, "post", f"/{sid}/questions", {"kind": "essay", "text": "x"}).status_code == 422
    assert call(builder, "get", "", after="nonsense").status_code == 422
    assert call(builder, "post", body={"title": "x", "unit_id": 2**62}).status_code == 422
    # Nothing was written by any refusal.
    assert list(Question.objects.filter(survey=survey).values_list("pk", flat=True).order_by("position")) == [
        first["id"],
        text["id"],
    ]
    survey.refresh_from_db()
    assert survey.status == "draft" and survey.min_group == 5 and survey.opens_at is None
    # Removing the dependent first, then the other, works.
    assert call(builder, "delete", f"/{sid}/questions/{text['id']}").status_code == 204


def test_only_builders_and_only_their_unions(call, builder, union, people):
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    other_chair = factories.user("other-chair", roles=(("chair", other),))
    foreign = build_survey(other_chair, other, questions=[])
    mine = build_survey(builder, union["union"], questions=[])
    cadre = people["cadre"]  # a branch cadre: no survey building
    assert call(cadre, "get").status_code == 403
    assert call(cadre, "post", body={"title": "x", "unit_id": union["s1"].pk}).status_code == 403
    assert call(cadre, "get", f"/{mine.pk}").status_code == 403
    for method, path in (
        ("get", ""),
        ("patch", ""),
        ("post", "/open"),
        ("post", "/close"),
        ("post", "/remind"),
        ("get", "/rate"),
        ("post", "/questions"),
    ):
        body = {"kind": "text", "text": "x"} if path == "/questions" else {}
        assert call(builder, method, f"/{foreign.pk}{path}", body).status_code == 404, (method, path)
    created = call(builder, "post", body={"title": "别人的", "unit_id": other.pk})
    assert created.status_code == 403 and not Survey.objects.filter(title="别人的").exists()
    assert call(builder, "get", f"/{mine.pk}/questions/999").status_code in (404, 405)
    assert call(people["member"], "get").status_code == 403


def test_the_list_is_scoped_paged_and_reads_a_fixed_number_of_queries(call, builder, union):
    open_survey(builder, union["union"])

    def listing(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = call(builder, "get", **params)
        assert response.status_code == 200, response.content
        return response.json(), len(ctx.captured_queries)

    listing()  # the token is issued on the first call
    body, before = listing()
    assert body["items"][0]["rate"]["invited"] == 3 and before <= 6
    for i in range(6):
        survey = build_survey(builder, union["s2" if i % 2 else "union"], questions=[{"kind": "text", "text": "意见"}])
        if i % 2 == 0:
            from unionhome.surveys.services import survey_open

            survey_open(actor=builder, survey=survey)
    body, after = listing()
    assert after == before and len(body["items"]) == 7
    seen, params = [], {"limit": 3}
    while True:
        page, _count = listing(**params)
        seen += [item["id"] for item in page["items"]]
        if not page["next"]:
            break
        params = {"limit": 3, "after": page["next"]}
    assert seen == [item["id"] for item in body["items"]]
    drafts, _count = listing(status="draft")
    assert {item["status"] for item in drafts["items"]} == {"draft"} and len(drafts["items"]) == 3


def test_the_schema_documents_the_builder_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/satisfaction/surveys/manage",
        "/api/v1/satisfaction/surveys/manage/{survey_id}",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/questions/order",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/open",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/rate",
    ):
        assert path in paths, path
    assert paths["/api/v1/satisfaction/surveys/manage"]["post"]["operationId"] == "survey_build_create"
