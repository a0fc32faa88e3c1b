"""The audit committee's pages: list with filters and keyset pages, htmx, one event, bad input."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.audit.selectors import encode_cursor
from unionhome.audit.tests.trail_data import T0, event_at, events_on

LIST = reverse("audit:event_list")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def auditor(login_as, people):
    return login_as(people["auditor"])


def listed_ids(response) -> list[int]:
    return [e.pk for e in response.context["page"].items]


def test_a_cadre_may_not_read_the_trail_and_the_refusal_is_recorded(login_as, people):
    client = login_as(people["cadre"])
    assert client.get(LIST).status_code == 403
    denial = AuditEvent.objects.filter(action="access.denied", actor=people["cadre"]).latest("id")
    assert denial.changes == {"path": LIST, "method": "GET", "permission": "audit.view"}


def test_newest_first_with_actor_action_and_object(auditor, people):
    edit = record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    response = auditor.get(LIST)
    assert response.status_code == 200
    ids = listed_ids(response)
    assert ids == sorted(ids, reverse=True) and edit.pk in ids
    html = response.content.decode()
    assert "org.member.updated" in html and "cadre1" in html and "李四" in html


def test_filters(auditor, people, union):
    s1, s2 = people["other_s1"], people["s2_member"]
    a = event_at(
        T0,
        actor_label="cadre1",
        action="org.member.updated",
        object_type="org.member",
        object_id=str(s1.pk),
        object_repr=str(s1),
        unit_path=s1.unit_path,
    )
    b = event_at(
        T0 + datetime.timedelta(days=2),
        actor_label="cadre2",
        action="org.member.status_changed",
        object_type="org.member",
        object_id=str(s2.pk),
        object_repr=str(s2),
        unit_path=s2.unit_path,
    )
    c = event_at(
        T0 + datetime.timedelta(days=5),
        actor_label="chair",
        action="org.unit.created",
        object_type="org.orgunit",
        object_id=str(union["g21"].pk),
        object_repr="二站甲班",
        unit_path=union["g21"].path,
    )
    login = event_at(
        T0 + datetime.timedelta(days=1),
        actor_label="member",
        action="accounts.logged_in",
        union_path=union["union"].path,
    )
    mine = {a.pk, b.pk, c.pk, login.pk}

    def found(**params) -> set[int]:
        response = auditor.get(LIST, params)
        assert response.status_code == 200, response.content
        return set(listed_ids(response)) & mine

    assert found() == mine
    assert found(actor="cadre2") == {b.pk}
    assert found(action="org.member") == {a.pk, b.pk}
    assert found(action="org.") == {a.pk, b.pk, c.pk}
    assert found(object_type="org.member", object_id=str(s1.pk)) == {a.pk}
    assert found(date_from="2026-03-02", date_to="2026-03-03") == {login.pk, b.pk}
    assert found(date_to="2026-03-01") == {a.pk}
    assert found(unit=union["s2"].pk) == {b.pk, c.pk}
    assert found(unit=union["union"].pk) == mine  # the union's subtree, with its people's logins
    assert found(q="王五") == {b.pk}
    assert found(q="甲班", action="org.unit") == {c.pk}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-02-30"}, "Enter a valid date."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "0001-01-01"}, "Enter a date between 1900-01-01 and 9998-12-31."),
        ({"date_to": "9999-12-31"}, "Enter a date between 1900-01-01 and 9998-12-31."),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "The end date is before the start date."),
        ({"actor": "x" * 65}, "Ensure this value has at most 64 characters (it has 65)."),
        ({"action": "org." * 40}, "Ensure this value has at most 80 characters"),
        ({"q": "长" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
        ({"object_id": "1\x00"}, "Null characters are not allowed."),
        ({"unit": "999999"}, "Select a valid choice."),
        ({"unit": "abc"}, "Select a valid choice."),
        ({"after": "not-a-cursor"}, "This page link is not valid. Start again from the first page."),
        ({"after": "MjAyNi0wMy0wMVQwOTowMDowMHw1"}, "This page link is not valid."),  # naive time
        ({"after": "x" * 500}, "This page link is not valid."),
    ],
)
def test_bad_filters_are_a_clear_400(auditor, params, message):
    response = auditor.get(LIST, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_filters_over_htmx_show_the_errors_in_place(auditor):
    response = auditor.get(LIST, {"date_from": "nope"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "Enter a valid date." in html


def test_a_unit_outside_the_scope_is_not_a_choice(login_as, union, people):
    branch_auditor = factories.user("branch-auditor", roles=(("auditor", union["s1"]),))
    response = login_as(branch_auditor).get(LIST, {"unit": union["s2"].pk})
    assert response.status_code == 400


def test_keyset_pages_walk_the_whole_trail_once_newest_first(auditor, people):
    member = people["other_s1"]
    same_time = T0 + datetime.timedelta(hours=5)
    created = events_on(member, 70) + events_on(member, 40, start=same_time, step=datetime.timedelta(0))
    seen: list[AuditEvent] = []
    params: dict = {"object_type": "org.member", "object_id": str(member.pk)}
    for _ in range(10):
        page = auditor.get(LIST, params).context["page"]
        seen += page.items
        if not page.next_cursor:
            break
        params["after"] = page.next_cursor
    assert [e.pk for e in seen] == sorted(
        (e.pk for e in created), key=lambda pk: (next(c.occurred_at for c in created if c.pk == pk), pk), reverse=True
    )
    assert len(seen) == 110 and len({e.pk for e in seen}) == 110


def test_page_links_keep_the_filters(auditor, people):
    events_on(people["other_s1"], 60)
    html = auditor.get(LIST, {"action": "org.member"}).content.decode()
    assert "action=org.member&amp;after=" in html


def test_htmx_request_gets_the_result_table_only(auditor, people):
    record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    response = auditor.get(LIST, {"action": "org"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<table" in html and "<html" not in html and "<form" not in html


def test_list_query_count_does_not_grow_with_rows(auditor, people):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert auditor.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    events_on(people["other_s1"], 5)
    few = queries()
    events_on(people["s2_member"], 50)
    assert auditor.get(LIST).context["page"].next_cursor  # a full page now
    assert queries() == few


def test_detail_shows_the_change_as_old_to_new(auditor, people, union):
    member = people["other_s1"]
    event = record(
        people["cadre"],
        "org.member.updated",
        member,
        name=["李四", "李肆"],
        status=["active", "retired"],
        tags=[["female"], ["female", "model_worker"]],
        mobile=["13800001111", "13900002222"],
    )
    moved = record(people["cadre"], "org.member.moved", member, unit=[union["g12"].path, union["g11"].path])
    html = auditor.get(reverse("audit:event_detail", args=[event.pk])).content.decode()
    assert "Before" in html and "After" in html
    assert "李四" in html and "→ 李肆" in html
    assert "Active" in html and "→ Retired" in html  # choices shown by their labels
    assert "→ female, model_worker" in html
    assert "138****1111" in html and "13800001111" not in html
    html = auditor.get(reverse("audit:event_detail", args=[moved.pk])).content.decode()
    assert "一站乙班" in html and "→ 一站甲班" in html  # unit paths shown as unit names


def test_detail_of_a_denial_lists_its_details(auditor, people):
    event = record(people["cadre"], "access.denied", None, path="/audit/", method="GET", permission="audit.view")
    html = auditor.get(reverse("audit:event_detail", args=[event.pk])).content.decode()
    assert "Value" in html and "audit.view · Read the audit trail" in html


def test_detail_outside_the_scope_is_not_found_and_recorded(login_as, union, people):
    branch_auditor = factories.user("branch-auditor", roles=(("auditor", union["s1"]),))
    client = login_as(branch_auditor)
    elsewhere = record(people["cadre2"], "org.member.updated", people["s2_member"], name=["王五", "王伍"])
    here = record(people["cadre"], "org.member.updated", people["other_s1"], name=["李四", "李肆"])
    assert client.get(reverse("audit:event_detail", args=[here.pk])).status_code == 200
    assert client.get(reverse("audit:event_detail", args=[elsewhere.pk])).status_code == 404
    assert AuditEvent.objects.filter(actor=branch_auditor, action="access.denied").count() == 1
    assert client.get(reverse("audit:event_detail", args=[10**30])).status_code == 404  # beyond any integer column


def test_cursor_round_trip(people):
    event = record(people["cadre"], "org.member.updated", people["other_s1"])
    from unionhome.audit.selectors import decode_cursor

    assert decode_cursor(encode_cursor(event)) == (event.occurred_at, event.pk)


def test_the_auditor_sees_the_menu_entry(auditor):
    html = auditor.get(reverse("home:index")).content.decode()
    assert f'href="{LIST}"' in html
