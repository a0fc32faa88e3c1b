import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.org.models import Member


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_tree_shows_subtree_counts(login_as, people, union):
    client = login_as(people["chair"])
    html = client.get(reverse("org:tree")).content.decode()
    assert "技术中心工会" in html and "第一检验站分工会" in html
    # union total 3, station 1 has two members in two groups
    assert '<span class="badge num" title="Active members">3</span>' in html
    assert '<span class="badge num" title="Active members">2</span>' in html


def test_tree_of_station_cadre_is_their_subtree(login_as, people):
    html = login_as(people["cadre"]).get(reverse("org:tree")).content.decode()
    assert "第一检验站分工会" in html and "第二检验站分工会" not in html and "技术中心工会" not in html


def test_tree_query_count_constant(login_as, people, union):
    client = login_as(people["chair"])
    before = queries_for(client, reverse("org:tree"))
    for i in range(20):
        group = factories.unit(union["s2"], f"二站{i}组", "group")
        factories.member(group, "周八")
    assert queries_for(client, reverse("org:tree")) == before


def test_directory_query_count_constant(login_as, people, union):
    client = login_as(people["chair"])
    url = reverse("org:directory")
    before = queries_for(client, url)
    for i in range(40):
        factories.member(union["g11" if i % 2 else "g21"], "孙九")
    assert queries_for(client, url) == before
    assert queries_for(client, url + "?q=sj") == queries_for(client, url + "?q=zs")


def test_directory_is_scoped_and_masked(login_as, people, union):
    leader = factories.user("leader", roles=(("group_leader", union["s1"]),))
    html = login_as(leader).get(reverse("org:directory")).content.decode()
    assert "张三" in html and "李四" in html and "王五" not in html
    m = people["member_record"]
    assert m.mobile not in html and m.mobile[:3] + "****" + m.mobile[-4:] in html
    assert m.id_number not in html


def test_directory_unmasked_for_branch_cadre(login_as, people):
    html = login_as(people["cadre"]).get(reverse("org:directory")).content.decode()
    assert people["member_record"].mobile in html


def test_directory_htmx_returns_rows_only(login_as, people):
    response = login_as(people["cadre"]).get(reverse("org:directory") + "?q=zs", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table" in html and "<html" not in html and "张三" in html and "李四" not in html


def test_directory_pages_by_keyset(login_as, people, union):
    for _ in range(60):
        factories.member(union["g12"], "钱多")
    client = login_as(people["cadre"])
    first = client.get(reverse("org:directory"))
    assert len(re.findall(r'href="/org/members/\d+/"', first.content.decode())) == 50
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("org:directory") + f"?after={cursor}")
    assert len(re.findall(r'href="/org/members/\d+/"', second.content.decode())) == 12


def test_member_cannot_open_directory(login_as, people):
    response = login_as(people["member"]).get(reverse("org:directory"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", changes__permission="org.view_members").exists()


def test_other_station_member_is_not_found_and_audited(login_as, people):
    client = login_as(people["cadre"])
    for name in ("org:member_detail", "org:member_edit", "org:member_status"):
        assert client.get(reverse(name, args=[people["s2_member"].pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 3


def test_member_sees_own_record_but_not_others(login_as, people):
    client = login_as(people["member"])
    own = client.get(reverse("org:member_detail", args=[people["member_record"].pk]))
    assert own.status_code == 200 and people["member_record"].id_number in own.content.decode()
    assert client.get(reverse("org:member_detail", args=[people["other_s1"].pk])).status_code == 404
    assert client.get(reverse("org:member_edit", args=[people["member_record"].pk])).status_code == 403


def test_sensitive_read_is_logged(login_as, people):
    login_as(people["cadre"]).get(reverse("org:member_detail", args=[people["other_s1"].pk]))
    event = AuditEvent.objects.get(action="org.member.sensitive_viewed")
    assert event.object_id == str(people["other_s1"].pk) and event.actor == people["cadre"]


def test_edit_member_through_page(login_as, people):
    m = people["other_s1"]
    client = login_as(people["cadre"])
    url = reverse("org:member_edit", args=[m.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if k != "tags"}
    data["name"] = "李四娘"
    response = client.post(url, data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.name == "李四娘"
    bad = client.post(url, {**data, "id_number": "430603199003074321"})
    assert bad.status_code == 200 and "check digit" in bad.content.decode()
    m.refresh_from_db()
    assert m.id_number != "430603199003074321"


def test_add_member_through_page(login_as, people, union):
    client = login_as(people["cadre"])
    url = reverse("org:member_new")
    data = {
        "unit": union["g12"].pk,
        "employee_no": "N001",
        "name": "新人",
        "gender": "M",
        "birth_date": "1995-05-05",
        "id_number": "",
        "mobile": "",
        "job_category": "sampler",
        "employment_form": "dispatched",
        "joined_on": "2024-01-01",
    }
    assert client.post(url, {**data, "unit": union["g21"].pk}).status_code == 200  # out of scope: form error
    assert not Member.objects.filter(employee_no="N001").exists()
    response = client.post(url, data)
    assert response.status_code == 302
    assert Member.objects.get(employee_no="N001").unit == union["g12"]


def test_status_change_through_page(login_as, people):
    m = people["other_s1"]
    client = login_as(people["cadre"])
    url = reverse("org:member_status", args=[m.pk])
    assert client.post(url, {"status": "retired", "effective_on": "not a date"}).status_code == 200
    assert client.post(url, {"status": "retired", "effective_on": "2026-06-30", "reason": "退休"}).status_code == 302
    m.refresh_from_db()
    assert m.status == "retired"


def test_over_long_search_is_cut_not_an_error(login_as, people):
    assert login_as(people["cadre"]).get(reverse("org:directory") + "?q=" + "z" * 5000).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("org:directory"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_date_inputs_carry_iso_values_in_chinese(login_as, people):
    """<input type=date> only understands YYYY-MM-DD, whatever the page language."""
    m = people["other_s1"]
    with translation.override("zh-hans"):
        html = login_as(people["cadre"]).get(reverse("org:member_edit", args=[m.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'value="{m.birth_date:%Y-%m-%d}"' in html.content.decode()


def test_control_characters_and_forged_cursors_are_harmless(login_as, people):
    from unionhome.keyset import encode_cursor

    client = login_as(people["cadre"])
    for params in (
        "?q=%00",
        "?q=zs%00",
        "?after=" + encode_cursor(["a\x00b", 1]),
        "?after=" + encode_cursor(["a", 2**70]),
    ):
        assert client.get(reverse("org:directory") + params).status_code == 200


def test_unmasked_list_is_a_logged_read(login_as, people, union):
    login_as(people["cadre"]).get(reverse("org:directory"))
    event = AuditEvent.objects.get(action="org.member.sensitive_listed")
    assert sorted(event.changes["members"]) == sorted([people["member_record"].pk, people["other_s1"].pk])
    leader = factories.user("leader", roles=(("group_leader", union["s1"]),))
    login_as(leader).get(reverse("org:directory"))
    assert AuditEvent.objects.filter(action="org.member.sensitive_listed").count() == 1  # masked: not logged


def test_big_trees_show_whole_levels_then_links(login_as, people, union, settings, monkeypatch):
    from unionhome.org import selectors

    monkeypatch.setattr(selectors, "TREE_PAGE_UNITS", 4)
    client = login_as(people["chair"])
    response = client.get(reverse("org:tree"))
    html = response.content.decode()
    assert "第一检验站分工会" in html and "一站甲班" not in html  # union + 2 branches fit, their groups do not
    assert f'href="?root={union["s1"].pk}"' in html
    sub = client.get(reverse("org:tree") + f"?root={union['s1'].pk}").content.decode()
    assert "一站甲班" in sub and "一站乙班" in sub and "第二检验站分工会" not in sub
    cadre = login_as(people["cadre"])
    assert cadre.get(reverse("org:tree") + f"?root={union['s2'].pk}").status_code == 404
    assert cadre.get(reverse("org:tree") + "?root=abc").status_code == 404


def test_counters_follow_every_change(people, union):
    from unionhome.org import services
    from unionhome.org.models import OrgUnit

    def counts():
        return {u.code: (u.direct_member_count, u.subtree_member_count) for u in OrgUnit.objects.all()}

    assert counts()["TC"] == (0, 3) and counts()["S01"] == (0, 2) and counts()["S01-G1"] == (1, 1)
    services.member_move(actor=people["chair"], member=people["member_record"], unit=union["g21"])
    assert counts()["S01"] == (0, 1) and counts()["S02"] == (0, 2) and counts()["TC"] == (0, 3)
    import datetime

    services.member_change_status(
        actor=people["chair"], member=people["s2_member"], status="left", effective_on=datetime.date(2026, 1, 1)
    )
    assert counts()["S02"] == (0, 1) and counts()["TC"] == (0, 2)
    before = counts()
    OrgUnit.objects.update(direct_member_count=7, subtree_member_count=7)
    services.org_recount_members()
    assert counts() == before
    factories.member(union["g21"], "新来的")  # written like a bulk load, then a partial recount of its subtree
    assert counts()["S02-G1"] == (2, 2) and counts()["S02"] == (0, 2) and counts()["TC"] == (0, 3)


def test_many_children_come_in_batches(login_as, people, union, monkeypatch):
    from unionhome.org import selectors

    monkeypatch.setattr(selectors, "TREE_PAGE_UNITS", 1)
    client = login_as(people["chair"])
    first = client.get(reverse("org:tree")).content.decode()
    assert "第一检验站分工会" in first and "第二检验站分工会" not in first and "offset=1" in first
    second = client.get(reverse("org:tree") + "?offset=1").content.decode()
    assert "第二检验站分工会" in second and "第一检验站分工会" not in second and "offset=2" not in second
    assert client.get(reverse("org:tree") + "?offset=-5").status_code == 200


@pytest.mark.django_db
def test_units_and_tree_of_a_viewer_without_the_permission_are_empty(people, union):
    from unionhome.org.selectors import unit_tree_for, units_for

    assert not units_for(people["member"]).exists()
    assert unit_tree_for(people["member"]) == []
    assert units_for(people["cadre"]).filter(pk=union["s1"].pk).exists()
