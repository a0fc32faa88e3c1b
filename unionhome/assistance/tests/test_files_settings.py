"""The centre's rules per union: who may set them, what is accepted, the page."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from unionhome.access.policy import PermissionRefused
from unionhome.assistance.models import AssistanceSettings
from unionhome.assistance.services.settings import assistance_settings_update, settings_for
from unionhome.audit.models import AuditEvent

GOOD = {
    "deep_hardship_below": "900.00",
    "relative_hardship_below": "1800",
    "publicity_days": 7,
    "re_review_months": 12,
    "follow_up_days": [15, 60, 180],
    "escalate_after_days": 5,
}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_settings_for_a_union_without_a_row_are_the_defaults(union):
    rules = settings_for(union["union"])
    assert rules.pk is None and rules.publicity_days == 5 and rules.follow_up_days == [30, 90]


def test_chair_sets_the_rules_and_the_change_is_audited(centre):
    union = centre["union"]["union"]
    row = assistance_settings_update(actor=centre["chair"], union=union, data=GOOD)
    row.refresh_from_db()
    assert (row.deep_hardship_below, row.relative_hardship_below, row.publicity_days) == (
        Decimal("900.00"),
        Decimal("1800.00"),
        7,
    )
    assert row.follow_up_days == [15, 60, 180]
    event = AuditEvent.objects.get(action="assistance.settings.updated")
    assert event.changes["publicity_days"] == [5, 7]
    assert event.changes["deep_hardship_below"] == ["800.00", "900.00"]
    assert "re_review_months" not in event.changes  # unchanged


def test_follow_up_days_may_be_typed_with_commas(centre):
    row = assistance_settings_update(
        actor=centre["chair"], union=centre["union"]["union"], data={**GOOD, "follow_up_days": "30，90, 365"}
    )
    assert row.follow_up_days == [30, 90, 365]


def test_a_partial_change_keeps_the_rest(centre):
    row = assistance_settings_update(actor=centre["chair"], union=centre["union"]["union"], data={"publicity_days": 3})
    assert (row.publicity_days, row.follow_up_days) == (3, [30, 90])


@pytest.mark.parametrize(
    "change, field",
    [
        ({"relative_hardship_below": "900.00"}, "relative_hardship_below"),  # not above the deep threshold
        ({"deep_hardship_below": "-1"}, "deep_hardship_below"),
        ({"deep_hardship_below": "800.001"}, "deep_hardship_below"),
        ({"deep_hardship_below": "abc"}, "deep_hardship_below"),
        ({"publicity_days": 0}, "publicity_days"),
        ({"publicity_days": 31}, "publicity_days"),
        ({"re_review_months": 0}, "re_review_months"),
        ({"follow_up_days": [90, 30]}, "follow_up_days"),
        ({"follow_up_days": [30, 30]}, "follow_up_days"),
        ({"follow_up_days": [0]}, "follow_up_days"),
        ({"follow_up_days": [400]}, "follow_up_days"),
        ({"follow_up_days": []}, "follow_up_days"),
        ({"follow_up_days": "30, soon"}, "follow_up_days"),
        ({"follow_up_days": [1, 2, 3, 4, 5, 6, 7]}, "follow_up_days"),
        ({"escalate_after_days": 0}, "escalate_after_days"),
    ],
)
def test_bad_rules_are_refused_and_nothing_changes(centre, change, field):
    union = centre["union"]["union"]
    with pytest.raises(ValidationError) as exc:
        assistance_settings_update(actor=centre["chair"], union=union, data={**GOOD, **change})
    assert field in exc.value.message_dict
    row = AssistanceSettings.objects.get(union=union)
    assert (row.publicity_days, row.follow_up_days) == (5, [30, 90])
    assert not AuditEvent.objects.filter(action="assistance.settings.updated").exists()


def test_rules_are_set_for_a_union_not_a_branch(centre):
    with pytest.raises(ValidationError, match="set for a union"):
        assistance_settings_update(actor=centre["chair"], union=centre["union"]["s1"], data=GOOD)
    assert not AssistanceSettings.objects.filter(union=centre["union"]["s1"]).exists()


@pytest.mark.parametrize("who", ["officer_union", "officer_s1", "cadre", "member", "auditor", "admin"])
def test_only_holders_of_configure_set_the_rules(centre, who):
    with pytest.raises(PermissionRefused) as exc:
        assistance_settings_update(actor=centre[who], union=centre["union"]["union"], data=GOOD)
    assert exc.value.permission == "assistance.configure"
    assert AssistanceSettings.objects.get(union=centre["union"]["union"]).publicity_days == 5


def test_the_settings_page(centre, login_as):
    client = login_as(centre["chair"])
    url = reverse("assistance:settings")
    page = client.get(url)
    assert page.status_code == 200 and 'value="30, 90"' in page.content.decode()
    form = {**GOOD, "follow_up_days": "20, 40"}
    response = client.post(url, form)
    assert response.status_code == 302
    assert AssistanceSettings.objects.get(union=centre["union"]["union"]).follow_up_days == [20, 40]
    response = client.post(url, {**form, "relative_hardship_below": "100"})
    assert response.status_code == 200
    assert "must be higher than the deep-hardship threshold" in response.content.decode()


@pytest.mark.parametrize("who", ["officer_union", "member", "admin"])
def test_the_settings_page_is_closed_without_configure(centre, login_as, who):
    assert login_as(centre[who]).get(reverse("assistance:settings")).status_code == 403


def test_the_settings_page_does_not_reach_another_union(centre, login_as):
    from tests import factories

    other = factories.unit(None, "另一工会", "union", code="OTHER")
    response = login_as(centre["chair"]).get(reverse("assistance:settings"), {"union": other.pk})
    assert response.status_code == 404
