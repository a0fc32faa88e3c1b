"""GET /org/units, /members and /members/{id}: scope, masking, search, paging, audit, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.org.identity import mask_id_number, mask_mobile

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {m["name"] for m in response.json()["items"]}


# --- /org/units ----------------------------------------------------------------------------------


def test_chair_sees_the_whole_tree_with_counts(api, people, union, token_for):
    response = api.get("/org/units", token_for(people["chair"]))
    assert response.status_code == 200
    units = {u["code"]: u for u in response.json()["items"]}
    assert list(units) == ["TC", "S01", "S01-G1", "S01-G2", "S02", "S02-G1"]  # parents before children
    assert units["TC"] == {
        "id": union["union"].pk,
        "parent_id": None,
        "code": "TC",
        "name": "技术中心工会",
        "kind": "union",
        "district": "",
        "depth": 1,
        "direct_member_count": 0,
        "subtree_member_count": 3,
    }
    assert units["S01"]["parent_id"] == union["union"].pk and units["S01"]["subtree_member_count"] == 2
    assert units["S01-G1"]["parent_id"] == union["s1"].pk and units["S01-G1"]["direct_member_count"] == 1
    assert units["S02"]["district"] == "云溪区" and units["S02"]["subtree_member_count"] == 1


def test_station_cadre_sees_only_their_station(api, people, union, token_for):
    units = api.get("/org/units", token_for(people["cadre"])).json()["items"]
    assert [u["code"] for u in units] == ["S01", "S01-G1", "S01-G2"]
    assert units[0]["parent_id"] is None  # the top of the cadre's scope


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditor_and_admin_may_browse_the_tree(api, people, token_for, who):
    assert api.get("/org/units", token_for(people[who])).status_code == 200


def test_member_may_not_browse_the_tree(api, people, token_for):
    response = api.get("/org/units", token_for(people["member"]))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "org.view_tree" in response.json()["detail"]  # the message names the permission
    denial = AuditEvent.objects.get(action="access.denied", actor=people["member"])
    assert denial.changes["permission"] == "org.view_tree"
    assert denial.changes["path"] == "/api/v1/org/units"


def test_units_query_count_is_constant(api, people, union, token_for):
    raw = token_for(people["chair"])
    api.get("/org/units", raw)  # warm up last_used_at

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/org/units", raw).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(20):
        group = factories.unit(union["s2"], f"二站{i}班", "group", code=f"S02-X{i:02d}")
        factories.member(group, "赵六")
    # token, grants, the top depth, one query per level of the tree: constant as rows grow
    assert count() == small <= 8


# --- /members ------------------------------------------------------------------------------------


def test_chair_lists_everyone_unmasked(api, people, token_for):
    response = api.get("/members", token_for(people["chair"]))
    assert names(response) == {"张三", "李四", "王五"}
    body = response.json()
    assert body["next"] is None
    li = next(m for m in body["items"] if m["name"] == "李四")
    record = people["other_s1"]
    assert li == {
        "id": record.pk,
        "employee_no": record.employee_no,
        "name": "李四",
        "unit_id": record.unit_id,
        "unit_name": "一站乙班",
        "status": "active",
        "mobile": record.mobile,
        "id_number": record.id_number,
        "masked": False,
    }


def test_list_in_pinyin_order(api, people, token_for):
    items = api.get("/members", token_for(people["chair"])).json()["items"]
    assert [m["name"] for m in items] == ["李四", "王五", "张三"]  # li, wang, zhang


def test_station_cadre_lists_only_their_station(api, people, token_for):
    assert names(api.get("/members", token_for(people["cadre"]))) == {"张三", "李四"}
    assert names(api.get("/members", token_for(people["cadre2"]))) == {"王五"}


@pytest.mark.parametrize("who", ["member", "auditor", "admin"])
def test_roles_without_the_directory_are_refused(api, people, token_for, who):
    response = api.get("/members", token_for(people[who]))
    assert response.status_code == 403
    assert "org.view_members" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="access.denied", actor=people[who]).exists()


def test_group_leader_sees_masked_numbers_exactly_as_the_page(api, people, union, token_for, login_as):
    leader = factories.user("leader", roles=(("group_leader", union["s1"]),))
    items = api.get("/members", token_for(leader)).json()["items"]
    record = people["member_record"]
    zhang = next(m for m in items if m["id"] == record.pk)
    assert zhang["masked"] is True
    assert zhang["mobile"] == mask_mobile(record.mobile) != record.mobile
    assert zhang["id_number"] == mask_id_number(record.id_number) != record.id_number
    # the directory page shows the very same strings
    html = login_as(leader).get(reverse("org:directory")).content.decode()
    assert zhang["mobile"] in html and zhang["id_number"] in html and record.mobile not in html
    # and a masked page is not a sensitive read
    assert not AuditEvent.objects.filter(action__startswith="org.member.sensitive", actor=leader).exists()


def test_an_unmasked_page_is_audited(api, people, token_for):
    api.get("/members", token_for(people["cadre"]))
    event = AuditEvent.objects.get(action="org.member.sensitive_listed", actor=people["cadre"])
    assert sorted(event.changes["members"]) == sorted([people["member_record"].pk, people["other_s1"].pk])


def test_search_by_pinyin_initials_name_and_employee_number(api, people, token_for):
    raw = token_for(people["chair"])
    assert names(api.get("/members", raw, q="zs")) == {"张三"}
    assert names(api.get("/members", raw, q="ZS")) == {"张三"}
    assert names(api.get("/members", raw, q="王")) == {"王五"}
    assert names(api.get("/members", raw, q="lisi")) == {"李四"}
    assert names(api.get("/members", raw, q=people["s2_member"].employee_no)) == {"王五"}
    assert names(api.get("/members", raw, q="nobody")) == set()


def test_search_never_leaves_the_scope(api, people, token_for):
    assert names(api.get("/members", token_for(people["cadre"]), q="ww")) == set()


def test_status_filter(api, people, union, token_for):
    factories.member(union["g11"], "孙七", status="retired")
    raw = token_for(people["chair"])
    assert names(api.get("/members", raw)) == {"张三", "李四", "王五"}
    assert names(api.get("/members", raw, status="retired")) == {"孙七"}
    assert names(api.get("/members", raw, status="all")) == {"张三", "李四", "王五", "孙七"}


def test_keyset_pages_cover_everyone_once(api, people, union, token_for):
    for i in range(7):
        factories.member(union["g21"], f"周{'一二三四五六七'[i]}")
    raw = token_for(people["chair"])
    seen: list[int] = []
    after = None
    for _ in range(10):
        params = {"limit": 3, **({"after": after} if after else {})}
        body = api.get("/members", raw, **params).json()
        assert len(body["items"]) <= 3
        seen += [m["id"] for m in body["items"]]
        after = body["next"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 10


def test_members_query_count_is_constant(api, people, union, token_for):
    raw = token_for(people["chair"])
    api.get("/members", raw)  # warm up last_used_at

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/members", raw, limit=100)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["items"])

    small, rows_small = count()
    for i in range(45):
        factories.member(union["g12" if i % 2 else "g21"], f"吴{i}")
    large, rows_large = count()
    assert rows_small == 3 and rows_large == 48
    # token, grants, scope units, one page, its units, one audit event (and the audit's own lookups)
    assert large == small <= 9


# --- /members/{id} -------------------------------------------------------------------------------


def test_cadre_gets_a_member_of_their_station_unmasked_and_audited(api, people, token_for):
    record = people["other_s1"]
    response = api.get(f"/members/{record.pk}", token_for(people["cadre"]))
    assert response.status_code == 200
    body = response.json()
    assert body["mobile"] == record.mobile and body["masked"] is False
    assert body["gender"] == "F" and body["job_category"] == "inspector"
    assert body["birth_date"] == record.birth_date.isoformat()
    viewed = AuditEvent.objects.get(action="org.member.sensitive_viewed", actor=people["cadre"])
    assert viewed.object_id == str(record.pk)


def test_cadre_cannot_get_another_stations_member(api, people, token_for):
    stranger = people["s2_member"]
    response = api.get(f"/members/{stranger.pk}", token_for(people["cadre"]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert stranger.name not in response.content.decode()
    denial = AuditEvent.objects.get(action="access.denied", actor=people["cadre"])
    assert denial.changes["path"] == f"/api/v1/members/{stranger.pk}"
    assert not AuditEvent.objects.filter(action="org.member.sensitive_viewed").exists()


def test_missing_member_is_the_same_404(api, people, token_for):
    raw = token_for(people["cadre"])
    out_of_scope = api.get(f"/members/{people['s2_member'].pk}", raw)
    missing = api.get("/members/987654321", raw)
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


def test_member_reads_own_record_but_nobody_elses(api, people, token_for):
    raw = token_for(people["member"])
    own = api.get(f"/members/{people['member_record'].pk}", raw)
    assert own.status_code == 200 and own.json()["masked"] is False
    assert api.get(f"/members/{people['other_s1'].pk}", raw).status_code == 404


def test_group_leader_gets_one_member_masked_and_not_audited_as_sensitive(api, people, union, token_for):
    leader = factories.user("leader", roles=(("group_leader", union["s1"]),))
    body = api.get(f"/members/{people['member_record'].pk}", token_for(leader)).json()
    assert body["masked"] is True and body["mobile"] == mask_mobile(people["member_record"].mobile)
    assert not AuditEvent.objects.filter(action="org.member.sensitive_viewed", actor=leader).exists()


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditor_and_admin_cannot_read_members(api, people, token_for, who):
    assert api.get(f"/members/{people['member_record'].pk}", token_for(people[who])).status_code == 404
