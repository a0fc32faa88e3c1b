"""Scoping across every route: a cadre of station 1 cannot reach station 2's members by page URL,
directory, admin (or API and export, where those routes exist); a member cannot open another
member; the auditor reads the trail but edits nothing. Every refusal leaves an audit entry."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests import factories
from unionhome.audit.models import AuditEvent

STATUS_FORM = {"status": "retired", "effective_on": "2026-01-31", "reason": "x"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff_cadre(union):
    return factories.user("staff-cadre", roles=(("branch_cadre", union["s1"]),), is_staff=True)


def member_routes(pk: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", reverse("org:member_detail", args=[pk]), None),
        ("get", reverse("org:member_edit", args=[pk]), None),
        ("post", reverse("org:member_edit", args=[pk]), {"name": "篡改"}),
        ("get", reverse("org:member_status", args=[pk]), None),
        ("post", reverse("org:member_status", args=[pk]), STATUS_FORM),
    ]


def assert_refused_and_recorded(client, user, method, url, data, statuses=(403, 404)):
    before = AuditEvent.objects.filter(action="access.denied", actor=user).count()
    response = getattr(client, method)(url, data or {})
    assert response.status_code in statuses, (method, url, response.status_code)
    denials = AuditEvent.objects.filter(action="access.denied", actor=user).order_by("id")
    assert denials.count() == before + 1, (method, url)
    last = denials.last()
    assert last.changes["path"] == url and last.changes["method"] == method.upper()
    return response


def test_cadre_cannot_reach_another_stations_member_by_url(login_as, people):
    cadre, target = people["cadre"], people["s2_member"]
    client = login_as(cadre)
    for method, url, data in member_routes(target.pk):
        assert_refused_and_recorded(client, cadre, method, url, data, statuses=(404,))
    target.refresh_from_db()
    assert target.name == "王五" and target.status == "active"


def test_cadre_reaches_their_own_stations_member(login_as, people):
    client = login_as(people["cadre"])
    own = people["other_s1"]
    for url in [reverse("org:member_detail", args=[own.pk]), reverse("org:member_edit", args=[own.pk])]:
        assert client.get(url).status_code == 200


def test_another_stations_member_is_not_in_the_directory(login_as, people):
    client = login_as(people["cadre"])
    for params in [{}, {"q": "王五"}, {"q": "ww"}, {"q": people["s2_member"].employee_no}, {"status": "active"}]:
        response = client.get(reverse("org:directory"), params)
        assert response.status_code == 200
        assert people["s2_member"] not in [row["member"] for row in response.context["rows"]]
        table = response.content.decode().split("<table", 1)[1]
        assert "王五" not in table and people["s2_member"].employee_no not in table


def test_another_stations_member_is_not_reachable_in_the_admin(login_as, people, staff_cadre):
    # A cadre is not staff: the admin is closed to them altogether.
    client = login_as(people["cadre"])
    change = reverse("admin:org_member_change", args=[people["s2_member"].pk])
    assert_refused_and_recorded(client, people["cadre"], "get", change, None, statuses=(403,))
    # Even staff with a station 1 role do not reach station 2 there.
    client = login_as(staff_cadre)
    assert_refused_and_recorded(client, staff_cadre, "get", change, None, statuses=(404,))
    for params in [{}, {"q": "王五"}, {"q": "ww"}]:
        response = client.get(reverse("admin:org_member_changelist"), params)
        assert people["s2_member"] not in list(response.context["cl"].result_list)
        assert people["s2_member"].employee_no not in response.content.decode()


def test_member_cannot_open_another_member(login_as, people):
    member = people["member"]
    client = login_as(member)
    assert client.get(reverse("org:member_detail", args=[people["member_record"].pk])).status_code == 200
    for other in [people["other_s1"], people["s2_member"]]:
        for method, url, data in member_routes(other.pk):
            assert_refused_and_recorded(client, member, method, url, data)
    assert_refused_and_recorded(client, member, "get", reverse("org:directory"), None, statuses=(403,))


def test_member_cannot_edit_their_own_record_through_cadre_routes(login_as, people):
    member = people["member"]
    client = login_as(member)
    own = people["member_record"].pk
    for method, url, data in member_routes(own)[1:]:
        assert_refused_and_recorded(client, member, method, url, data)


def test_auditor_reads_the_trail_but_edits_no_member(login_as, people):
    auditor = people["auditor"]
    client = login_as(auditor)
    assert client.get(reverse("audit:event_list")).status_code == 200
    for method, url, data in member_routes(people["other_s1"].pk):
        assert_refused_and_recorded(client, auditor, method, url, data)
    assert_refused_and_recorded(client, auditor, "get", reverse("org:directory"), None, statuses=(403,))
    assert_refused_and_recorded(client, auditor, "get", reverse("org:member_new"), None, statuses=(403,))


@pytest.mark.parametrize("who", ["member", "cadre", "chair", "admin"])
def test_only_auditors_read_the_trail(login_as, people, who):
    client = login_as(people[who])
    for url in [reverse("audit:event_list"), reverse("audit:event_export")]:
        assert_refused_and_recorded(client, people[who], "get", url, None, statuses=(403,))


def test_platform_admin_reaches_no_member_record_anywhere(login_as, people):
    admin = people["admin"]
    client = login_as(admin)
    target = people["member_record"].pk
    for method, url, data in member_routes(target):
        assert_refused_and_recorded(client, admin, method, url, data)
    assert_refused_and_recorded(client, admin, "get", reverse("org:directory"), None, statuses=(403,))
    assert_refused_and_recorded(client, admin, "get", reverse("admin:org_member_changelist"), None, statuses=(403,))


def _optional_route(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def test_roster_export_is_refused_to_those_without_the_export_permission(login_as, people):
    url = _optional_route("org:roster_export")
    if url is None:
        pytest.skip("the roster export route does not exist yet")
    for who in ["member", "auditor", "admin"]:
        assert_refused_and_recorded(login_as(people[who]), people[who], "get", url, None, statuses=(403,))


def test_cadre_cannot_reach_another_stations_member_through_the_api(client, people):
    from unionhome.accounts.services import api_token_issue

    cadre = people["cadre"]
    raw, _token = api_token_issue(user=cadre)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    other = people["s2_member"]
    before = AuditEvent.objects.filter(action="access.denied", actor=cadre).count()
    response = client.get(f"/api/v1/members/{other.pk}", **auth)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=cadre).count() == before + 1
    assert client.get(f"/api/v1/members/{people['other_s1'].pk}", **auth).status_code == 200
    for q in ["", "王五", "ww", other.employee_no]:
        listed = client.get("/api/v1/members", {"q": q}, **auth)
        assert listed.status_code == 200
        assert other.pk not in {item["id"] for item in listed.json()["items"]}


def test_cadre_exports_only_their_own_station(login_as, people):
    import io

    from openpyxl import load_workbook

    url = _optional_route("org:roster_export")
    if url is None:
        pytest.skip("the roster export route does not exist yet")
    response = login_as(people["cadre"]).get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = {str(v) for ws in workbook.worksheets for row in ws.values for v in row if v is not None}
    assert people["other_s1"].employee_no in cells
    assert people["s2_member"].employee_no not in cells and "王五" not in cells
