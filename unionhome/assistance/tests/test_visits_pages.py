"""Visit pages through the Django test client: scope, masking, forms, query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from unionhome.assistance.models import Payment, Visit, VisitCampaign, VisitRule
from unionhome.assistance.tests import records
from unionhome.assistance.tests.conftest import days_from
from unionhome.assistance.tests.visit_records import campaign, done_visit, due_visit
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.services import rating_submit


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- list ----------------------------------------------------------------------------------------


def test_due_list_is_scoped_and_overdue_first(centre, login_as):
    late = due_visit(centre["other_s1"], due_in=-3)
    soon = due_visit(centre["member_record"], due_in=2)
    due_visit(centre["s2_member"], due_in=-5)
    page = html(login_as(centre["cadre"]).get(reverse("assistance:visit_list")))
    assert "李四" in page and "张三" in page and "王五" not in page
    assert page.index(f'/assistance/visits/{late.pk}/"') < page.index(f'/assistance/visits/{soon.pk}/"')
    assert "Overdue" in page and "第一检验站分工会" in page


def test_chair_filters_by_branch_and_day(centre, login_as):
    due_visit(centre["other_s1"], due_in=1)
    due_visit(centre["s2_member"], due_in=4)
    client = login_as(centre["chair"])
    both = html(client.get(reverse("assistance:visit_list")))
    assert "李四" in both and "王五" in both
    s2 = html(client.get(reverse("assistance:visit_list") + f"?unit={centre['union']['s2'].pk}"))
    assert "王五" in s2 and "李四" not in s2
    day = days_from(centre["today"], 1).isoformat()
    one_day = html(client.get(reverse("assistance:visit_list") + f"?day={day}"))
    assert "李四" in one_day and "王五" not in one_day


def test_unit_filter_outside_scope_is_not_found(centre, login_as):
    client = login_as(centre["cadre"])
    assert client.get(reverse("assistance:visit_list") + f"?unit={centre['union']['s2'].pk}").status_code == 404
    assert client.get(reverse("assistance:visit_list") + "?unit=abc").status_code == 404


def test_reason_is_shown_in_lists_only_to_those_who_see_health_details(centre, login_as):
    due_visit(centre["other_s1"], reason="肝癌术后住院")
    assert "肝癌" not in html(login_as(centre["cadre"]).get(reverse("assistance:visit_list")))
    assert "肝癌" in html(login_as(centre["officer_s1"]).get(reverse("assistance:visit_list")))


def test_done_list_shows_visitors(centre, login_as):
    visit = done_visit(centre["other_s1"], visitor_names="车间主任")
    visit.visitors.add(centre["officer_s1"])
    page = html(login_as(centre["cadre"]).get(reverse("assistance:visit_list") + "?status=done"))
    assert "officer_s1" in page and "车间主任" in page and "病情稳定" not in page


@pytest.mark.parametrize("who", ["member", "auditor", "admin"])
def test_list_pages_refuse_those_who_do_not_visit(centre, login_as, who):
    client = login_as(centre[who])
    for name in ("visit_list", "visit_calendar", "visit_new", "life_event_new", "visit_campaign_list"):
        assert client.get(reverse(f"assistance:{name}")).status_code == 403


@pytest.mark.parametrize("status", ["due", "done"])
def test_list_query_count_is_constant(centre, login_as, status):
    client = login_as(centre["chair"])
    url = reverse("assistance:visit_list") + f"?status={status}"
    make = due_visit if status == "due" else done_visit
    make(centre["other_s1"])
    before = queries_for(client, url)
    for i in range(15):
        member = factories.member(centre["union"]["g11" if i % 2 else "g21"], f"访{i}")
        visit = make(member)
        visit.visitors.add(centre["cadre"])
        if i % 3 == 0:
            visit.campaign = campaign(centre["union"]["union"], name=f"活动{i}")
            visit.save()
    assert queries_for(client, url) == before


def test_list_pages_by_keyset(centre, login_as):
    for i in range(55):
        due_visit(centre["other_s1"] if i % 2 else centre["member_record"], due_in=i % 7)
    client = login_as(centre["cadre"])
    first = client.get(reverse("assistance:visit_list"))
    assert len(re.findall(r'href="/assistance/visits/\d+/"', html(first))) == 50
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("assistance:visit_list") + f"?after={cursor}")
    assert len(re.findall(r'href="/assistance/visits/\d+/"', html(second))) == 5
    seen = {v.pk for v in first.context["page"].items} | {v.pk for v in second.context["page"].items}
    assert len(seen) == 55


# --- calendar ------------------------------------------------------------------------------------


def test_calendar_counts_due_overdue_and_done_per_day(centre, login_as):
    today = centre["today"]
    month = today.replace(day=1)
    due_visit(centre["other_s1"], due_in=0)
    due_visit(centre["member_record"], due_in=0)
    done_visit(centre["other_s1"], visited_ago=0)
    due_visit(centre["s2_member"], due_in=0)  # not in station 1
    response = login_as(centre["cadre"]).get(reverse("assistance:visit_calendar") + f"?month={month:%Y-%m}")
    days = {d.date: d for d in response.context["calendar"].days}
    assert (days[today].due, days[today].done) == (2, 1)
    assert "2 due" in html(response) and "1 done" in html(response)


def test_calendar_query_count_is_constant(centre, login_as):
    client = login_as(centre["chair"])
    url = reverse("assistance:visit_calendar")
    due_visit(centre["other_s1"])
    before = queries_for(client, url)
    for i in range(20):
        member = factories.member(centre["union"]["g21"], f"历{i}")
        due_visit(member, due_in=i % 5)
        done_visit(member, visited_ago=i % 3)
    assert queries_for(client, url) == before


def test_calendar_survives_a_bad_month(centre, login_as):
    assert login_as(centre["cadre"]).get(reverse("assistance:visit_calendar") + "?month=2026-13").status_code == 200


# --- one visit -----------------------------------------------------------------------------------


def test_cadre_opens_a_done_visit_with_its_notes_and_it_is_audited(centre, login_as):
    visit = done_visit(centre["other_s1"], needs="需要医疗救助")
    page = html(login_as(centre["officer_s1"]).get(reverse("assistance:visit_detail", args=[visit.pk])))
    assert "病情稳定" in page and "需要医疗救助" in page
    # a need opens a hardship file or an assistance request in one step
    assert f"/assistance/files/new/?member={visit.member_id}" in page
    assert f"/assistance/help/new/?member={visit.member_id}" in page
    event = AuditEvent.objects.get(action="assistance.visit.viewed")
    assert event.object_id == str(visit.pk) and event.actor == centre["officer_s1"]


def test_branch_cadre_is_told_to_pass_needs_on(centre, login_as):
    visit = done_visit(centre["other_s1"], needs="需要医疗救助")
    page = html(login_as(centre["cadre"]).get(reverse("assistance:visit_detail", args=[visit.pk])))
    assert "/assistance/files/new/" not in page and "Pass these needs to an assistance officer" in page


@pytest.mark.parametrize("who", ["cadre2", "officer_s2", "auditor", "admin"])
def test_others_get_not_found(centre, login_as, who):
    visit = done_visit(centre["other_s1"])
    client = login_as(centre[who])
    for name in ("visit_detail", "visit_record"):
        assert client.get(reverse(f"assistance:{name}", args=[visit.pk])).status_code == 404
    assert client.post(reverse("assistance:visit_cancel", args=[visit.pk]), {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 3


def test_member_sees_own_visit_without_the_notes_and_not_others(centre, login_as):
    own = done_visit(centre["member_record"], gifts="慰问品一份", needs="生活困难")
    own.visitors.add(centre["cadre"])
    other = done_visit(centre["other_s1"])
    client = login_as(centre["member"])
    page = html(client.get(reverse("assistance:visit_detail", args=[own.pk])))
    assert "慰问品一份" in page and "cadre1" in page
    assert "病情稳定" not in page and "生活困难" not in page
    assert client.get(reverse("assistance:visit_detail", args=[other.pk])).status_code == 404


def test_cancelled_visit_shows_why(centre, login_as):
    visit = due_visit(centre["other_s1"])
    client = login_as(centre["cadre"])
    response = client.post(reverse("assistance:visit_cancel", args=[visit.pk]), {"reason": "职工已调离"})
    assert response.status_code == 302
    page = html(client.get(reverse("assistance:visit_detail", args=[visit.pk])))
    assert "职工已调离" in page and "Cancelled" in page


# --- recording -----------------------------------------------------------------------------------


def record_form(centre, **changes):
    data = {
        "visited_on": centre["today"].isoformat(),
        "visitor_ids": [centre["cadre"].pk],
        "visitor_names": "",
        "gifts": "水果",
        "amount": "",
        "budget_line": "",
        "findings": "恢复良好",
        "needs": "",
        "idempotency_key": "page-key-1",
    }
    data.update(changes)
    return data


def test_record_page_pays_once_on_a_double_submit(centre, login_as):
    visit = due_visit(centre["other_s1"])
    client = login_as(centre["cadre"])
    form = html(client.get(reverse("assistance:visit_record", args=[visit.pk])))
    assert 'name="idempotency_key"' in form and "cadre1" in form
    data = record_form(centre, amount="800", budget_line=centre["budget_line"].pk)
    url = reverse("assistance:visit_record", args=[visit.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Payment.objects.filter(visit=visit).count() == 1
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].spent == Decimal("800.00")
    visit.refresh_from_db()
    assert visit.status == "done" and visit.findings == "恢复良好"


def test_record_page_shows_errors_next_to_fields_and_writes_nothing(centre, login_as):
    visit = due_visit(centre["other_s1"])
    client = login_as(centre["cadre"])
    response = client.post(
        reverse("assistance:visit_record", args=[visit.pk]),
        record_form(centre, visited_on=days_from(centre["today"], 2).isoformat()),
    )
    assert "A visit cannot be recorded for a date in the future." in html(response)
    assert 'id="id_visited_on-error"' in html(response)
    over = client.post(
        reverse("assistance:visit_record", args=[visit.pk]),
        record_form(centre, amount="200000", budget_line=centre["budget_line"].pk),
    )
    assert "available" in html(over)
    visit.refresh_from_db()
    assert visit.status == "due" and not Payment.objects.exists()


def test_record_page_of_a_recorded_visit_goes_to_the_visit(centre, login_as):
    visit = done_visit(centre["other_s1"])
    client = login_as(centre["cadre"])
    response = client.get(reverse("assistance:visit_record", args=[visit.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("assistance:visit_detail", args=[visit.pk])
    again = client.post(reverse("assistance:visit_record", args=[visit.pk]), record_form(centre))
    assert again.status_code == 302


def test_unplanned_visit_page(centre, login_as):
    client = login_as(centre["cadre"])
    found = html(client.get(reverse("assistance:visit_new") + "?q=ls"))
    assert f"?member={centre['other_s1'].pk}" in found
    assert client.get(reverse("assistance:visit_new") + f"?member={centre['s2_member'].pk}").status_code == 404
    url = reverse("assistance:visit_new") + f"?member={centre['other_s1'].pk}"
    assert 'name="occasion"' in html(client.get(url))
    response = client.post(url, {**record_form(centre), "occasion": "marriage", "reason": "新婚"})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.status == "done" and visit.occasion == "marriage" and visit.due_by is None


def test_life_event_page_makes_a_visit_due(centre, login_as):
    client = login_as(centre["cadre"])
    url = reverse("assistance:life_event_new") + f"?member={centre['other_s1'].pk}"
    data = {"occasion": "bereavement", "occurred_on": centre["today"].isoformat(), "note": "父亲去世"}
    response = client.post(url, data)
    visit = Visit.objects.get()
    assert response["Location"] == reverse("assistance:visit_detail", args=[visit.pk])
    assert visit.due_by == days_from(centre["today"], 2)
    client.post(url, data)
    assert Visit.objects.count() == 1
    assert client.get(reverse("assistance:life_event_new") + f"?member={centre['s2_member'].pk}").status_code == 404


# --- campaigns -----------------------------------------------------------------------------------


def test_campaign_pages(centre, login_as):
    records.hardship_file(centre["other_s1"])
    records.hardship_file(centre["s2_member"])
    client = login_as(centre["chair"])
    form = html(client.get(reverse("assistance:visit_campaign_new")))
    assert 'name="include_hardship_files"' in form
    response = client.post(
        reverse("assistance:visit_campaign_new"),
        {
            "unit": centre["union"]["union"].pk,
            "name": "2026春节送温暖",
            "occasion": "winter",
            "due_by": days_from(centre["today"], 10).isoformat(),
            "include_hardship_files": "on",
            "budget_line": centre["budget_line"].pk,
        },
    )
    created = VisitCampaign.objects.get()
    assert response["Location"] == reverse("assistance:visit_campaign_detail", args=[created.pk])
    assert Visit.objects.filter(campaign=created).count() == 2
    assert "2026春节送温暖" in html(client.get(reverse("assistance:visit_campaign_list")))
    detail = client.get(reverse("assistance:visit_campaign_detail", args=[created.pk]))
    assert detail.context["counts"]["due"] == 2
    assert {b.label: b.due for b in detail.context["branches"]} == {"第一检验站分工会": 1, "第二检验站分工会": 1}
    # the station's cadre sees the union's campaign, counted in their own station only
    station = login_as(centre["cadre"]).get(reverse("assistance:visit_campaign_detail", args=[created.pk]))
    assert station.context["counts"]["due"] == 1 and not station.context["can_generate"]
    assert client.post(reverse("assistance:visit_campaign_generate", args=[created.pk])).status_code == 403
    client = login_as(centre["chair"])
    assert client.post(reverse("assistance:visit_campaign_generate", args=[created.pk])).status_code == 302
    assert Visit.objects.filter(campaign=created).count() == 2


def test_campaign_form_errors(centre, login_as):
    response = login_as(centre["chair"]).post(
        reverse("assistance:visit_campaign_new"),
        {
            "unit": centre["union"]["union"].pk,
            "name": "送清凉",
            "occasion": "summer",
            "due_by": days_from(centre["today"], 10).isoformat(),
        },
    )
    assert "Choose whom to visit" in html(response) and not VisitCampaign.objects.exists()


def test_campaign_of_another_station_is_not_found(centre, login_as):
    other = campaign(centre["union"]["s2"])
    assert (
        login_as(centre["cadre"]).get(reverse("assistance:visit_campaign_detail", args=[other.pk])).status_code == 404
    )


# --- the member's page ---------------------------------------------------------------------------


def test_member_reports_a_hospital_stay_and_sees_own_visits(centre, login_as):
    done = done_visit(centre["member_record"], gifts="营养品", findings="家庭经济困难")
    done.visitors.add(centre["cadre"])
    done_visit(centre["other_s1"], gifts="别人的礼物")
    client = login_as(centre["member"])
    page = html(client.get(reverse("assistance:my_visits")))
    assert "营养品" in page and "cadre1" in page
    assert "家庭经济困难" not in page and "别人的礼物" not in page
    assert f"/satisfaction/rate/assistance.visit/{done.pk}/" in page  # the member rates the visit
    rating_submit(actor=centre["member"], item=done, score=5)
    rated = html(client.get(reverse("assistance:my_visits")))
    assert "You rated this visit" in rated and "Rate this visit" not in rated
    assert "See or change my rating" in rated  # within the window it may still be changed
    response = client.post(
        reverse("assistance:my_visits"), {"occurred_on": centre["today"].isoformat(), "note": "市一院内科"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(status="due")
    assert visit.member == centre["member_record"] and visit.occasion == "illness"
    assert visit.due_by == days_from(centre["today"], 3)


def test_my_visits_without_a_member_record(centre, login_as):
    page = html(login_as(centre["admin"]).get(reverse("assistance:my_visits")))
    assert "not linked to a member record" in page


# --- rules ---------------------------------------------------------------------------------------


def rules_form(**changes):
    data = {}
    for occasion, days in {
        "illness": 3,
        "bereavement": 2,
        "childbirth": 7,
        "marriage": 7,
        "retirement": 7,
        "disaster": 1,
    }.items():
        data[f"{occasion}_due_days"] = days
        data[f"{occasion}_active"] = "on"
    data.update(changes)
    return data


def test_chair_sets_rules_on_the_page(centre, login_as):
    client = login_as(centre["chair"])
    assert 'name="illness_due_days"' in html(client.get(reverse("assistance:visit_rules")))
    response = client.post(reverse("assistance:visit_rules"), rules_form(illness_due_days=5))
    assert response.status_code == 302
    assert VisitRule.objects.get(occasion="illness").due_days == 5
    bad = client.post(reverse("assistance:visit_rules"), rules_form(marriage_due_days=200))
    assert bad.status_code == 200 and VisitRule.objects.count() == 1


def test_officer_reads_rules_and_cannot_change_them(centre, login_as):
    client = login_as(centre["officer_s1"])
    page = html(client.get(reverse("assistance:visit_rules")))
    assert "Illness or hospital stay" in page and 'name="illness_due_days"' not in page
    assert client.post(reverse("assistance:visit_rules"), rules_form(illness_due_days=5)).status_code == 403
    assert not VisitRule.objects.exists()
    assert login_as(centre["member"]).get(reverse("assistance:visit_rules")).status_code == 403
