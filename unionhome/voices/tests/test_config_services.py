"""Configuration: routing rules, category deadlines, the working-day calendar; guards, denials, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unionhome.audit.models import AuditEvent
from unionhome.voices.deadlines import policy_for
from unionhome.voices.models import CategoryPolicy, RoutingRule
from unionhome.voices.routing import route_for
from unionhome.voices.services import config
from unionhome.workdays import services as calendar
from unionhome.workdays.calendar import is_working_day
from unionhome.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_new_rule_retires_the_old_one_and_routes(voices):
    s1 = voices["union"]["s1"]
    rule = config.routing_rule_save(actor=voices["admin"], unit=s1, category="safety", handler=voices["cadre"])
    assert RoutingRule.objects.filter(unit=s1, category="safety", is_active=True).get() == rule
    assert route_for(s1, "safety").handler_id == voices["cadre"].pk
    config.routing_rule_deactivate(actor=voices["admin"], rule=rule)
    assert route_for(s1, "safety").rule_id is None
    assert AuditEvent.objects.filter(action="voices.routing_rule.saved").exists()


def test_rule_guards_and_denials(voices):
    s1 = voices["union"]["s1"]
    admin = voices["admin"]
    for kwargs, field in [
        ({"category": "nope", "handler": voices["cadre"]}, "category"),
        ({"category": "safety"}, "target"),
        ({"category": "safety", "handler": voices["cadre"], "department": voices["canteen"]}, "target"),
    ]:
        with pytest.raises(ValidationError) as refused:
            config.routing_rule_save(actor=admin, unit=s1, **kwargs)
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        config.routing_rule_save(actor=voices["cadre"], unit=s1, category="", handler=voices["cadre"])
    assert RoutingRule.objects.count() == 2


def test_category_deadlines_guard(voices):
    admin = voices["admin"]
    config.category_policy_save(actor=admin, category="safety", acknowledge_days=1, answer_days=3, reopen_days=10)
    assert policy_for("safety").answer_days == 3
    with pytest.raises(ValidationError) as refused:
        config.category_policy_save(actor=admin, category="safety", acknowledge_days=3, answer_days=2, reopen_days=10)
    assert "answer_days" in refused.value.message_dict
    with pytest.raises(ValidationError):
        config.category_policy_save(actor=admin, category="safety", acknowledge_days=0, answer_days=2, reopen_days=10)
    assert CategoryPolicy.objects.get(category="safety").answer_days == 3
    with pytest.raises(PermissionDenied):
        config.category_policy_save(
            actor=voices["cadre"], category="safety", acknowledge_days=1, answer_days=2, reopen_days=1
        )


def test_pasting_a_years_schedule(voices):
    admin = voices["admin"]
    counts = calendar.calendar_year_set(
        actor=admin, year=2025, holidays="2025-10-01 2025-10-02,2025-10-03\n2025-10-06", working_days="2025-09-28"
    )
    assert counts == {"holidays": 4, "working_days": 1}
    assert not is_working_day(datetime.date(2025, 10, 6)) and is_working_day(datetime.date(2025, 9, 28))
    with pytest.raises(ValidationError) as refused:
        calendar.calendar_year_set(actor=admin, year=2025, holidays="2025-13-01 2024-01-01", working_days="")
    assert "holidays" in refused.value.message_dict
    with pytest.raises(ValidationError):
        calendar.calendar_year_set(actor=admin, year=2025, holidays="2025-10-01", working_days="2025-10-01")
    assert CalendarDay.objects.count() == 5
    calendar.calendar_day_remove(actor=admin, date=datetime.date(2025, 10, 6))
    assert is_working_day(datetime.date(2025, 10, 6))
    calendar.calendar_day_set(actor=admin, date=datetime.date(2025, 5, 5), kind="holiday", name="劳动节")
    assert not is_working_day(datetime.date(2025, 5, 5))
    with pytest.raises(PermissionDenied):
        calendar.calendar_day_set(actor=voices["cadre"], date=datetime.date(2025, 5, 6), kind="holiday")


def test_settings_pages(voices, client, login_as):
    login_as(voices["member"])
    assert client.get("/voices/settings/", **EN).status_code == 403
    login_as(voices["admin"])
    assert client.get("/voices/settings/", **EN).status_code == 200
    response = client.post(
        "/voices/settings/rules/",
        {"unit": voices["union"]["s2"].pk, "category": "wages", "handler": voices["cadre2"].pk},
        **EN,
    )
    assert response.status_code == 302
    assert RoutingRule.objects.filter(unit=voices["union"]["s2"], category="wages", handler=voices["cadre2"]).exists()
    bad = client.post(
        "/voices/settings/deadlines/",
        {"category": "wages", "acknowledge_days": 3, "answer_days": 2, "reopen_days": 5},
        **EN,
    )
    assert bad.status_code == 422
    assert client.get("/voices/settings/calendar/2025/", **EN).status_code == 200
    saved = client.post("/voices/settings/calendar/2025/", {"holidays": "2025-10-01", "working_days": ""}, **EN)
    assert saved.status_code == 302 and CalendarDay.objects.filter(date=datetime.date(2025, 10, 1)).exists()
