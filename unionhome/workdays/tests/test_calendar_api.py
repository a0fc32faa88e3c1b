"""The working-day calendar API with bearer tokens: a year's days, one day set or removed, a whole year;
who may, bad input (nothing changes), query counts; and the calendar page's one-day form."""

import datetime
import json

import pytest
from django.utils import timezone

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.workdays.calendar import is_working_day
from unionhome.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workdays/calendar"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NATIONAL_DAY = datetime.date(2027, 10, 1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    tokens: dict = {}

    def go(user, method: str, path: str = "", body=None, **params):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body), content_type="application/json", headers=headers)

    return go


def messages(response) -> dict:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    return {str(item["loc"][-1]): item["msg"] for item in response.json()["detail"]}


def state() -> tuple:
    return (
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")),
        AuditEvent.objects.filter(action__startswith="workdays.").count(),
    )


def test_set_list_and_remove_days(people, call):
    admin = people["admin"]
    assert call(admin, "get", year=2027).json() == {"year": 2027, "days": []}
    set_day = call(admin, "post", "/days", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"})
    assert set_day.status_code == 200, set_day.content
    assert set_day.json() == {"date": "2027-10-01", "kind": "holiday", "kind_label": "Day off", "name": "国庆节"}
    assert not is_working_day(NATIONAL_DAY)
    swapped = call(admin, "post", "/days", {"date": "2027-09-26", "kind": "working"})
    assert swapped.json()["name"] == "" and is_working_day(datetime.date(2027, 9, 26))
    listed = call(people["chair"], "get", year=2027).json()["days"]
    assert [(d["date"], d["kind"]) for d in listed] == [("2027-09-26", "working"), ("2027-10-01", "holiday")]
    removed = call(admin, "post", "/days/remove", {"date": "2027-10-01"})
    assert removed.json() == {"date": "2027-10-01", "removed": True} and is_working_day(NATIONAL_DAY)
    assert call(admin, "post", "/days/remove", {"date": "2027-10-01"}).json()["removed"] is False
    actions = list(AuditEvent.objects.filter(action__startswith="workdays.").values_list("action", flat=True))
    assert sorted(actions) == ["workdays.day.removed", "workdays.day.set", "workdays.day.set"]


def test_set_a_whole_year(people, call):
    CalendarDay.objects.create(date=datetime.date(2027, 5, 3), kind="holiday")
    CalendarDay.objects.create(date=datetime.date(2026, 10, 1), kind="holiday")
    response = call(
        people["chair"],
        "post",
        "/years/2027",
        {"holidays": ["2027-10-01", "2027-10-04", "2027-10-05"], "working_days": ["2027-09-26"], "name": "国庆节"},
    )
    assert response.status_code == 200, response.content
    days = response.json()["days"]
    assert [d["date"] for d in days] == ["2027-09-26", "2027-10-01", "2027-10-04", "2027-10-05"]
    assert {d["name"] for d in days} == {"国庆节"}
    assert CalendarDay.objects.filter(date__year=2026).count() == 1  # other years are kept
    assert call(people["chair"], "get").json()["year"] == timezone.localdate().year
    assert AuditEvent.objects.filter(action="workdays.year.set").count() == 1


def test_only_installation_wide_configurers_change_the_calendar(people, union, call):
    CalendarDay.objects.create(date=NATIONAL_DAY, kind="holiday", name="国庆节")
    s1_chair = factories.user("s1chair", roles=(("chair", union["s1"]),))
    before = state()
    for user in (people["member"], people["cadre"], people["auditor"], s1_chair):
        for path, body in [
            ("/days", {"date": "2027-10-02", "kind": "holiday"}),
            ("/days/remove", {"date": "2027-10-01"}),
            ("/years/2027", {"holidays": ["2027-10-02"]}),
        ]:
            refused = call(user, "post", path, body)
            assert refused.status_code == 403, (user, path)
            assert refused.json()["code"] == "permission_denied" and "voices.configure" in refused.json()["detail"]
    for user in (people["member"], people["cadre"], people["auditor"]):
        assert call(user, "get", year=2027).status_code == 403
    # Like the page: voices.configure on a branch shows the calendar, without changing it.
    assert call(s1_chair, "get", year=2027).json()["days"][0]["name"] == "国庆节"
    assert state() == before


def test_bad_input_changes_nothing(people, call):
    admin = people["admin"]
    call(admin, "post", "/years/2027", {"holidays": ["2027-10-01"], "working_days": ["2027-09-26"]})
    before = state()
    iso = "Give a date written as YYYY-MM-DD."
    control = "This text contains control characters or invalid characters."
    not_in_2027 = "These are not dates of 2027 written as YYYY-MM-DD: "
    for body, expected in [
        ({"date": "2027-13-01", "kind": "holiday"}, {"date": iso}),
        ({"date": "2027-02-30", "kind": "holiday"}, {"date": iso}),
        ({"date": 20271001, "kind": "holiday"}, {"date": iso}),
        ({"date": "20271001", "kind": "holiday"}, {"date": iso}),
        ({"date": "2027-10-02T00:00", "kind": "holiday"}, {"date": iso}),
        ({"date": "1999-10-01", "kind": "holiday"}, {"date": "Give a date between 2000 and 2100."}),
        ({"date": "2027-10-02", "kind": "vacation"}, {"kind": "Choose one of: 'holiday' or 'working'."}),
        ({"date": "2027-10-02", "kind": 1}, {"kind": "Choose one of: 'holiday' or 'working'."}),
        ({"date": "2027-10-02", "kind": "holiday", "name": "节" * 61}, {"name": "Use at most 60 characters."}),
        ({"date": "2027-10-02", "kind": "holiday", "name": "国庆\x00"}, {"name": control}),
        ({"kind": "holiday"}, {"date": "This field is required."}),
    ]:
        assert messages(call(admin, "post", "/days", body)) == expected, body
    assert messages(call(admin, "post", "/days/remove", {"date": "10/01/2027"})) == {"date": iso}
    for year, body, expected in [
        ("2027", {"holidays": ["2026-10-01"]}, {"holidays": not_in_2027 + "2026-10-01"}),
        ("2027", {"holidays": ["2027-10-1x"]}, {"holidays": not_in_2027 + "2027-10-1x"}),
        (
            "2027",
            {"holidays": ["2027-10-01"], "working_days": ["2027-10-01"]},
            {"working_days": "A day cannot be both off and working: 2027-10-01"},
        ),
        ("2027", {"holidays": ["2027-10-001x"]}, {"0": "Use at most 10 characters."}),
        ("2027", {"holidays": "2027-10-01"}, {"holidays": "Send a list of dates written as YYYY-MM-DD."}),
        (
            "2027",
            {"holidays": [], "working_days": {"a": 1}},
            {"working_days": "Send a list of dates written as YYYY-MM-DD."},
        ),
        ("2027", {"working_days": []}, {"holidays": "This field is required."}),
        ("1999", {"holidays": []}, {"year": "The smallest allowed value is 2000."}),
        (str(2**63), {"holidays": []}, {"year": "The largest allowed value is 2100."}),
        ("twenty", {"holidays": []}, {"year": "Send a whole number here."}),
    ]:
        assert messages(call(admin, "post", f"/years/{year}", body)) == expected, (year, body)
    assert messages(call(admin, "get", year=1999)) == {"year": "The smallest allowed value is 2000."}
    assert messages(call(admin, "get", year="soon")) == {"year": "Send a whole number here."}
    assert state() == before


def test_the_year_query_count_does_not_grow(people, call, django_assert_max_num_queries):
    admin = people["admin"]
    call(admin, "get", year=2027)
    with django_assert_max_num_queries(100) as captured:
        assert call(admin, "get", year=2027).status_code == 200
    few = len(captured.captured_queries)
    CalendarDay.objects.bulk_create(
        CalendarDay(date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i), kind="holiday") for i in range(40)
    )
    with django_assert_max_num_queries(few):
        assert len(call(admin, "get", year=2027).json()["days"]) == 40


def test_the_page_sets_and_removes_one_day(people, client, login_as):
    login_as(people["member"])
    assert (
        client.post("/voices/settings/calendar/2027/day/", {"date": "2027-10-01", "kind": "holiday"}).status_code == 403
    )
    login_as(people["admin"])
    page = client.get("/voices/settings/calendar/2027/", **EN)
    assert page.status_code == 200 and b'action="/voices/settings/calendar/2027/day/"' in page.content
    saved = client.post(
        "/voices/settings/calendar/2027/day/", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}, **EN
    )
    assert saved.status_code == 302 and saved["Location"] == "/voices/settings/calendar/2027/"
    assert CalendarDay.objects.get(date=NATIONAL_DAY).name == "国庆节"
    page = client.get("/voices/settings/calendar/2027/", **EN)
    assert "2027-10-01 is now: Day off." in page.content.decode() and "国庆节" in page.content.decode()
    bad = client.post("/voices/settings/calendar/2027/day/", {"date": "2027-02-30", "kind": "holiday"}, **EN)
    assert bad.status_code == 422 and CalendarDay.objects.count() == 1
    bad = client.post("/voices/settings/calendar/2027/day/", {"date": "1999-01-01", "kind": "holiday"}, **EN)
    assert bad.status_code == 422 and "Give a date between 2000 and 2100." in bad.content.decode()
    removed = client.post("/voices/settings/calendar/2027/day/remove/", {"date": "2027-10-01"}, **EN)
    assert removed.status_code == 302 and not CalendarDay.objects.exists()
    assert "2027-10-01 follows the week again." in client.get("/voices/settings/calendar/2027/", **EN).content.decode()
    login_as(people["cadre"])
    assert client.post("/voices/settings/calendar/2027/day/remove/", {"date": "2027-10-01"}).status_code == 403
