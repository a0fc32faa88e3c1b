"""The settings API with bearer tokens: routing rules and category deadlines; who may, bad input, query counts."""

import json

import pytest

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import HandlingDepartment
from unionhome.voices.models import CategoryPolicy, RoutingRule

pytestmark = pytest.mark.django_db
BASE = "/api/v1/voices/settings"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    tokens: dict = {}

    def go(user, method: str, path: str, body=None, **params):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def messages(response) -> dict:
    """``{field: message}`` of a 422 (the last part of each ``loc``)."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return {str(item["loc"][-1]): item["msg"] for item in body["detail"]}


def state() -> tuple:
    """Everything these endpoints could change."""
    return (
        sorted(
            RoutingRule.objects.values_list("pk", "unit_id", "category", "handler_id", "department_id", "is_active")
        ),
        sorted(CategoryPolicy.objects.values_list("category", "acknowledge_days", "answer_days", "reopen_days")),
        AuditEvent.objects.filter(action__startswith="voices.").count(),
    )


def test_rules_are_listed_in_tree_order_and_filtered(voices, call):
    union = voices["union"]
    body = call(voices["admin"], "get", "/rules").json()
    assert [(r["unit"]["name"], r["category"]) for r in body["items"]] == [
        ("技术中心工会", "canteen"),
        ("第一检验站分工会", "safety"),
    ]
    canteen = body["items"][0]
    assert canteen["department"] == {"id": voices["canteen"].pk, "name": "后勤管理部"} and canteen["handler"] is None
    assert canteen["category_label"] == "Canteen" and canteen["active"] is True and body["next"] is None
    s1 = call(voices["chair"], "get", "/rules", unit_id=union["s1"].pk).json()["items"]
    assert [r["handler"]["name"] for r in s1] == ["安全环保部 周办"]
    assert [r["category"] for r in call(voices["chair"], "get", "/rules", category="canteen").json()["items"]] == [
        "canteen"
    ]
    assert call(voices["chair"], "get", "/rules", category="every").json()["items"] == []


def test_rules_come_a_page_at_a_time(voices, call):
    union = voices["union"]
    for i in range(5):
        branch = factories.unit(union["union"], f"第{i}站", "branch", code=f"P{i:02d}")
        RoutingRule.objects.create(unit=branch, unit_path=branch.path, category="wages", handler=voices["chair"])
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = call(voices["admin"], "get", "/rules", **params).json()
        assert len(body["items"]) <= 2
        seen += [r["id"] for r in body["items"]]
        if not (after := body["next"]):
            break
    assert sorted(seen) == sorted(RoutingRule.objects.values_list("pk", flat=True)) and len(seen) == len(set(seen))


def test_create_replace_and_retire_a_rule(voices, call):
    admin, s2 = voices["admin"], voices["union"]["s2"]
    created = call(admin, "post", "/rules", {"unit_id": s2.pk, "category": "wages", "handler_id": voices["cadre2"].pk})
    assert created.status_code == 201, created.content
    first = created.json()
    assert first["unit"] == {"id": s2.pk, "name": "第二检验站分工会"} and first["handler"]["id"] == voices["cadre2"].pk
    replaced = call(
        admin, "post", "/rules", {"unit_id": s2.pk, "category": "wages", "department_id": voices["canteen"].pk}
    )
    assert replaced.status_code == 201
    assert list(RoutingRule.objects.filter(unit=s2, is_active=True).values_list("pk", flat=True)) == [
        replaced.json()["id"]
    ]
    assert AuditEvent.objects.filter(action="voices.routing_rule.saved").count() == 2
    every = call(
        voices["chair"], "post", "/rules", {"unit_id": s2.pk, "category": "", "handler_id": voices["cadre2"].pk}
    )
    assert every.status_code == 201 and every.json()["category_label"] == "Every category"
    retired = call(admin, "post", f"/rules/{first['id']}/deactivate")
    assert messages(retired) == {"body": "This rule is already inactive."}
    retired = call(admin, "post", f"/rules/{replaced.json()['id']}/deactivate")
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert AuditEvent.objects.filter(action="voices.routing_rule.deactivated").count() == 1
    assert call(admin, "post", "/rules/999999/deactivate").status_code == 404


def test_deadlines_are_listed_and_set(voices, call):
    items = call(voices["chair"], "get", "/deadlines").json()["items"]
    assert len(items) == 9 and all(i["is_default"] for i in items)
    assert next(i for i in items if i["category"] == "wages")["label"] == "Wages and pay"
    saved = call(
        voices["admin"],
        "post",
        "/deadlines",
        {"category": "safety", "acknowledge_days": 1, "answer_days": 3, "reopen_days": 10},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json() == {
        "category": "safety",
        "label": "Safety",
        "acknowledge_days": 1,
        "answer_days": 3,
        "reopen_days": 10,
        "is_default": False,
    }
    assert CategoryPolicy.objects.get(category="safety").answer_days == 3
    assert AuditEvent.objects.filter(action="voices.category_policy.saved").count() == 1


def test_members_and_branch_cadres_may_not_configure(voices, call):
    s1, rule = voices["union"]["s1"], RoutingRule.objects.get(category="safety")
    policy = {"category": "safety", "acknowledge_days": 1, "answer_days": 2, "reopen_days": 3}
    before = state()
    for user in (voices["member"], voices["cadre"], voices["canteen_handler"]):
        assert call(user, "get", "/rules").status_code == 403
        assert call(user, "get", "/deadlines").status_code == 403
        refused = call(user, "post", "/rules", {"unit_id": s1.pk, "category": "wages", "handler_id": user.pk})
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        assert "voices.configure" in refused.json()["detail"]
        assert call(user, "post", f"/rules/{rule.pk}/deactivate").status_code == 403
        assert call(user, "post", "/deadlines", policy).status_code == 403
    assert state() == before
    assert AuditEvent.objects.filter(action="access.denied", actor=voices["cadre"]).count() == 5


def test_a_branch_chair_configures_their_branch_only(voices, call):
    union = voices["union"]
    s1_chair = factories.user("s1chair", roles=(("chair", union["s1"]),))
    canteen_rule = RoutingRule.objects.get(category="canteen")
    before = state()
    assert [r["category"] for r in call(s1_chair, "get", "/rules").json()["items"]] == ["safety"]
    assert messages(call(s1_chair, "get", "/rules", unit_id=union["s2"].pk)) == {
        "unit_id": "Choose a unit of your part of the union."
    }
    other_branch = call(s1_chair, "post", "/rules", {"unit_id": union["s2"].pk, "category": "wages", "handler_id": 1})
    assert messages(other_branch) == {"unit": "Choose a union or branch of your part of the union."}
    assert call(s1_chair, "post", f"/rules/{canteen_rule.pk}/deactivate").status_code == 404
    policy = {"category": "safety", "acknowledge_days": 1, "answer_days": 2, "reopen_days": 3}
    assert call(s1_chair, "post", "/deadlines", policy).status_code == 403
    assert state() == before
    own = call(s1_chair, "post", "/rules", {"unit_id": union["s1"].pk, "category": "wages", "handler_id": s1_chair.pk})
    assert own.status_code == 201, own.content


def test_bad_rules_change_nothing(voices, call):
    union, admin = voices["union"], voices["admin"]
    s1, cadre = union["s1"].pk, voices["cadre"].pk
    closed = HandlingDepartment.objects.create(
        unit=union["union"], unit_path=union["union"].path, name="已撤销部门", is_active=False
    )
    outsider = factories.user("outsider")
    unit = "Choose a union or branch of your part of the union."
    target = "Choose either a person or a handling department."
    department = "Choose an active handling department."
    before = state()
    for body, expected in [
        ({"unit_id": s1, "category": "nope", "handler_id": cadre}, {"category": "Choose a category from the list."}),
        ({"unit_id": s1, "category": "safety"}, {"target": target}),
        (
            {"unit_id": s1, "category": "safety", "handler_id": cadre, "department_id": voices["canteen"].pk},
            {"target": target},
        ),
        ({"unit_id": 999999, "category": "safety", "handler_id": cadre}, {"unit": unit}),
        ({"unit_id": union["g11"].pk, "category": "safety", "handler_id": cadre}, {"unit": unit}),
        (
            {"unit_id": 2**63, "category": "safety", "handler_id": cadre},
            {"unit_id": f"The largest allowed value is {2**63 - 1}."},
        ),
        ({"unit_id": "station", "category": "safety", "handler_id": cadre}, {"unit_id": "Send a whole number here."}),
        ({"unit_id": s1, "category": 7, "handler_id": cadre}, {"category": "Send text here."}),
        ({"unit_id": s1, "category": "safety", "handler_id": 0}, {"handler_id": "The smallest allowed value is 1."}),
        (
            {"unit_id": s1, "category": "safety", "handler_id": outsider.pk},
            {"handler": "Choose an active cadre or handler of your union."},
        ),
        ({"unit_id": s1, "category": "safety", "department_id": closed.pk}, {"department": department}),
        ({"unit_id": s1, "category": "safety", "department_id": 999999}, {"department": department}),
        ({"category": "safety", "handler_id": cadre}, {"unit_id": "This field is required."}),
    ]:
        assert messages(call(admin, "post", "/rules", body)) == expected, body
    assert messages(call(admin, "get", "/rules", unit_id=999999)) == {
        "unit_id": "Choose a unit of your part of the union."
    }
    assert messages(call(admin, "get", "/rules", category="nope")) == {"category": "Choose a category from the list."}
    assert "after" in messages(call(admin, "get", "/rules", after="not-a-cursor"))
    assert "limit" in messages(call(admin, "get", "/rules", limit=0))
    assert "rule_id" in messages(call(admin, "post", f"/rules/{2**63}/deactivate"))
    assert state() == before


def test_bad_deadlines_change_nothing(voices, call):
    admin = voices["admin"]
    good = {"category": "safety", "acknowledge_days": 2, "answer_days": 5, "reopen_days": 10}
    assert call(admin, "post", "/deadlines", good).status_code == 200
    before = state()
    for change, expected in [
        ({"category": "nope"}, {"category": "Choose a category from the list."}),
        ({"acknowledge_days": -1}, {"acknowledge_days": "The smallest allowed value is 1."}),
        ({"answer_days": 0}, {"answer_days": "The smallest allowed value is 1."}),
        ({"reopen_days": 10**30}, {"reopen_days": "The largest allowed value is 60."}),
        ({"answer_days": 1}, {"answer_days": "The answer cannot be due before the acknowledgement."}),
        ({"answer_days": "soon"}, {"answer_days": "Send a whole number here."}),
        ({"category": ["safety"]}, {"category": "Send text here."}),
    ]:
        assert messages(call(admin, "post", "/deadlines", {**good, **change})) == expected, change
    assert "reopen_days" in messages(
        call(admin, "post", "/deadlines", {k: v for k, v in good.items() if k != "reopen_days"})
    )
    assert state() == before


def test_list_query_counts_do_not_grow_with_rows(voices, call, django_assert_max_num_queries):
    admin, union = voices["admin"], voices["union"]
    call(admin, "get", "/rules")  # the token is issued outside the counted calls

    def counted(path: str, **params) -> int:
        with django_assert_max_num_queries(100) as captured:
            assert call(admin, "get", path, **params).status_code == 200
        return len(captured.captured_queries)

    rules, deadlines, filtered = counted("/rules"), counted("/deadlines"), counted("/rules", unit_id=union["s2"].pk)
    for i in range(12):
        branch = factories.unit(union["s2"], f"第{i}组", "branch", code=f"Q{i:02d}")
        department = HandlingDepartment.objects.create(unit=branch, unit_path=branch.path, name=f"部门{i}")
        RoutingRule.objects.create(unit=branch, unit_path=branch.path, category="wages", department=department)
        RoutingRule.objects.create(unit=branch, unit_path=branch.path, category="safety", handler=voices["cadre2"])
    for category in ("wages", "safety", "canteen", "dormitory"):
        CategoryPolicy.objects.create(category=category, acknowledge_days=1, answer_days=2, reopen_days=3)
    with django_assert_max_num_queries(rules):
        assert len(call(admin, "get", "/rules").json()["items"]) == 26
    with django_assert_max_num_queries(filtered):
        assert len(call(admin, "get", "/rules", unit_id=union["s2"].pk).json()["items"]) == 24
    with django_assert_max_num_queries(deadlines):
        assert sum(not i["is_default"] for i in call(admin, "get", "/deadlines").json()["items"]) == 4
