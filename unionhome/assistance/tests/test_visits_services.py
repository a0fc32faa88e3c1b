"""Visits and condolences: rules, life events, campaigns, recording (with money), cancelling."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine, Occasion, Payment, Visit, VisitCampaign, VisitRule
from unionhome.assistance.services import visits as services
from unionhome.assistance.tests import records
from unionhome.assistance.tests.conftest import days_from
from unionhome.assistance.tests.visit_records import due_visit
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.org.models import MemberTag

pytestmark = pytest.mark.django_db


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- rules ---------------------------------------------------------------------------------------


def test_rules_default_when_none_are_set(centre):
    rules = services.visit_rules_for(centre["union"]["union"])
    assert {o: r.due_days for o, r in rules.items()} == {
        "illness": 3,
        "bereavement": 2,
        "childbirth": 7,
        "marriage": 7,
        "retirement": 7,
        "disaster": 1,
    }
    assert all(r.active and r.pk is None for r in rules.values())


def test_chair_sets_a_rule_and_it_is_audited(centre):
    union = centre["union"]["union"]
    rule = services.visit_rule_update(actor=centre["chair"], union=union, occasion="illness", due_days=5, active=True)
    assert rule.pk and VisitRule.objects.get(union=union, occasion="illness").due_days == 5
    event = AuditEvent.objects.get(action="assistance.visit_rule.updated")
    assert event.changes["due_days"] == [3, 5] and event.changes["occasion"] == "illness"
    # unchanged: nothing more written
    services.visit_rule_update(actor=centre["chair"], union=union, occasion="illness", due_days=5, active=True)
    assert events("assistance.visit_rule.updated") == 1


@pytest.mark.parametrize("who", ["officer_union", "cadre", "auditor", "admin", "member"])
def test_only_configure_sets_rules(centre, who):
    with pytest.raises(PermissionRefused):
        services.visit_rule_update(
            actor=centre[who], union=centre["union"]["union"], occasion="illness", due_days=5, active=True
        )
    assert not VisitRule.objects.exists()


@pytest.mark.parametrize(
    "occasion, due_days, field",
    [("illness", -1, "due_days"), ("illness", 91, "due_days"), ("winter", 3, "occasion"), ("nope", 3, "occasion")],
)
def test_bad_rules_are_refused(centre, occasion, due_days, field):
    with pytest.raises(ValidationError) as exc:
        services.visit_rule_update(
            actor=centre["chair"], union=centre["union"]["union"], occasion=occasion, due_days=due_days, active=True
        )
    assert field in exc.value.message_dict
    assert not VisitRule.objects.exists()


def test_rules_are_set_on_unions_only(centre):
    with pytest.raises(ValidationError):
        services.visit_rule_update(
            actor=centre["chair"], union=centre["union"]["s1"], occasion="illness", due_days=3, active=True
        )


def test_saving_several_rules_is_all_or_nothing(centre):
    union = centre["union"]["union"]
    with pytest.raises(ValidationError) as exc:
        services.visit_rules_save(
            actor=centre["chair"], union=union, rules={"illness": (4, True), "marriage": (500, True)}
        )
    assert "marriage_due_days" in exc.value.message_dict
    assert not VisitRule.objects.exists() and not events("assistance.visit_rule.updated")
    services.visit_rules_save(actor=centre["chair"], union=union, rules={"illness": (4, True), "marriage": (0, False)})
    assert {r.occasion: (r.due_days, r.active) for r in VisitRule.objects.all()} == {
        "illness": (4, True),
        "marriage": (0, False),
    }


# --- life events ---------------------------------------------------------------------------------


def test_member_reports_a_hospital_stay_and_a_visit_falls_due_by_the_rule(centre):
    today = centre["today"]
    visit = services.life_event_report(
        actor=centre["member"],
        member=centre["member_record"],
        occasion=Occasion.ILLNESS,
        occurred_on=today,
        note="住院",
    )
    assert visit.already_reported is False
    assert visit.status == "due" and visit.due_by == days_from(today, 3) and visit.reason == "住院"
    assert visit.unit_path == centre["member_record"].unit_path
    event = AuditEvent.objects.get(action="assistance.visit.due")
    assert event.changes["by_member"] is True and event.actor == centre["member"]
    # the station's visiting cadres (branch cadre and assistance officer of station 1) are told
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"cadre1", "officer_s1"}


@pytest.mark.parametrize("occasion, days", [("bereavement", 2), ("childbirth", 7), ("disaster", 1)])
def test_each_occasion_falls_due_by_its_rule(centre, occasion, days):
    occurred = days_from(centre["today"], -1)
    visit = services.life_event_report(
        actor=centre["cadre"], member=centre["other_s1"], occasion=occasion, occurred_on=occurred
    )
    assert visit.due_by == occurred + datetime.timedelta(days=days)


def test_the_unions_own_rule_counts(centre):
    union = centre["union"]["union"]
    services.visit_rule_update(actor=centre["chair"], union=union, occasion="illness", due_days=10, active=True)
    visit = services.life_event_report(
        actor=centre["cadre"], member=centre["other_s1"], occasion="illness", occurred_on=centre["today"]
    )
    assert visit.due_by == days_from(centre["today"], 10)


def test_a_switched_off_occasion_makes_no_visit(centre):
    union = centre["union"]["union"]
    services.visit_rule_update(actor=centre["chair"], union=union, occasion="marriage", due_days=7, active=False)
    with pytest.raises(ValidationError) as exc:
        services.life_event_report(
            actor=centre["cadre"], member=centre["other_s1"], occasion="marriage", occurred_on=centre["today"]
        )
    assert "occasion" in exc.value.message_dict and not Visit.objects.exists()


def test_the_same_event_reported_twice_returns_the_open_visit(centre):
    today = centre["today"]
    first = services.life_event_report(
        actor=centre["member"], member=centre["member_record"], occasion="illness", occurred_on=today
    )
    again = services.life_event_report(
        actor=centre["cadre"], member=centre["member_record"], occasion="illness", occurred_on=days_from(today, 1)
    )
    assert again.pk == first.pk and again.already_reported is True
    assert Visit.objects.count() == 1 and events("assistance.visit.due") == 1
    # another occasion, or the same occasion well outside the window, is a new visit
    other = services.life_event_report(
        actor=centre["cadre"], member=centre["member_record"], occasion="bereavement", occurred_on=today
    )
    later = services.life_event_report(
        actor=centre["cadre"], member=centre["member_record"], occasion="illness", occurred_on=days_from(today, 20)
    )
    assert len({first.pk, other.pk, later.pk}) == 3


def test_a_done_visit_does_not_swallow_a_new_report(centre):
    today = centre["today"]
    first = services.life_event_report(
        actor=centre["cadre"], member=centre["other_s1"], occasion="illness", occurred_on=today
    )
    Visit.objects.filter(pk=first.pk).update(status="done", visited_on=today)
    second = services.life_event_report(
        actor=centre["cadre"], member=centre["other_s1"], occasion="illness", occurred_on=today
    )
    assert second.pk != first.pk and second.already_reported is False


@pytest.mark.parametrize("who", ["member", "cadre2", "officer_s2", "auditor", "admin"])
def test_others_cannot_report_for_a_member(centre, who):
    with pytest.raises(PermissionRefused):
        services.life_event_report(
            actor=centre[who], member=centre["other_s1"], occasion="illness", occurred_on=centre["today"]
        )
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "occasion, shift, note, field",
    [
        ("winter", 0, "", "occasion"),
        ("illness", 61, "", "occurred_on"),
        ("illness", -400, "", "occurred_on"),
        ("illness", 0, "x" * 301, "note"),
        ("illness", 0, "bad\x00text", "note"),
    ],
)
def test_bad_life_events_are_refused(centre, occasion, shift, note, field):
    with pytest.raises(ValidationError) as exc:
        services.life_event_report(
            actor=centre["member"],
            member=centre["member_record"],
            occasion=occasion,
            occurred_on=days_from(centre["today"], shift),
            note=note,
        )
    assert field in exc.value.message_dict
    assert not Visit.objects.exists() and not AuditEvent.objects.filter(action__startswith="assistance.").exists()


# --- campaigns -----------------------------------------------------------------------------------


@pytest.fixture
def eligible(centre):
    """Members of every kind across both stations."""
    u = centre["union"]
    model = MemberTag.objects.create(code="model-worker", name="劳模")
    hardship_s1 = factories.member(u["g11"], "困一")
    records.hardship_file(hardship_s1)
    hardship_s2 = factories.member(u["g21"], "困二")
    records.hardship_file(hardship_s2)
    draft = factories.member(u["g12"], "草稿")
    records.hardship_file(draft, state="submitted")
    retired_s1 = factories.member(u["g12"], "退一", status="retired")
    retired_s2 = factories.member(u["g21"], "退二", status="retired")
    tagged = factories.member(u["g11"], "劳模一")
    tagged.tags.add(model)
    left = factories.member(u["g11"], "离开", status="left")
    left.tags.add(model)
    records.hardship_file(left)  # left the union: not visited, even with an active file
    both = factories.member(u["g12"], "两者", status="retired")
    both.tags.add(model)
    return {
        "tag": model,
        "hardship_s1": hardship_s1,
        "hardship_s2": hardship_s2,
        "retired_s1": retired_s1,
        "retired_s2": retired_s2,
        "tagged": tagged,
        "both": both,
    }


def make_campaign(centre, actor, unit, **kwargs):
    fields = {
        "name": "2026春节送温暖",
        "occasion": "winter",
        "due_by": days_from(centre["today"], 30),
        "include_hardship_files": True,
        "include_retirees": False,
        "tags": [],
    }
    fields.update(kwargs)
    return services.visit_campaign_create(actor=actor, unit=unit, **fields)


def visited(campaign) -> set:
    return set(Visit.objects.filter(campaign=campaign).values_list("member__name", flat=True))


def test_campaign_visits_active_hardship_files(centre, eligible):
    campaign = make_campaign(centre, centre["chair"], centre["union"]["union"])
    assert visited(campaign) == {"困一", "困二"}
    visit = Visit.objects.filter(campaign=campaign).first()
    assert visit.status == "due" and visit.due_by == campaign.due_by and visit.occasion == "winter"
    event = AuditEvent.objects.get(action="assistance.visit_campaign.created")
    assert event.changes["visits"] == 2 and AuditEvent.objects.filter(action__startswith="assistance.").count() == 1


def test_campaign_visits_retirees_and_tags_once_each(centre, eligible):
    campaign = make_campaign(
        centre, centre["chair"], centre["union"]["union"], include_retirees=True, tags=[eligible["tag"]]
    )
    assert visited(campaign) == {"困一", "困二", "退一", "退二", "劳模一", "两者"}
    assert Visit.objects.filter(campaign=campaign).count() == 6
    assert list(campaign.tags.all()) == [eligible["tag"]]


def test_campaign_of_a_branch_stays_in_its_subtree(centre, eligible):
    campaign = make_campaign(centre, centre["cadre"], centre["union"]["s1"], include_retirees=True)
    assert visited(campaign) == {"困一", "退一", "两者"}
    assert all(v.unit_path.startswith(centre["union"]["s1"].path) for v in Visit.objects.filter(campaign=campaign))


def test_rerun_adds_only_newcomers(centre, eligible):
    campaign = make_campaign(centre, centre["chair"], centre["union"]["union"])
    assert services.visit_campaign_generate(actor=centre["chair"], campaign=campaign) == 0
    assert events("assistance.visit_campaign.generated") == 0
    newcomer = factories.member(centre["union"]["g12"], "新困")
    records.hardship_file(newcomer)
    # a cancelled visit is not made again
    Visit.objects.filter(campaign=campaign, member=eligible["hardship_s2"]).update(status="cancelled")
    assert services.visit_campaign_generate(actor=centre["chair"], campaign=campaign) == 1
    assert visited(campaign) == {"困一", "困二", "新困"}
    assert AuditEvent.objects.get(action="assistance.visit_campaign.generated").changes["visits"] == 1


def test_campaign_generation_query_count_does_not_grow_with_members(centre, eligible):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            make_campaign(centre, centre["chair"], centre["union"]["union"], include_retirees=True)
        return len(ctx.captured_queries)

    queries()  # the chair's grants are loaded once, then cached on the user
    few = queries()
    # 40 more members to visit (SQLite takes at most 58 visit rows per INSERT: Django splits larger batches)
    for i in range(20):
        records.hardship_file(factories.member(centre["union"]["g11" if i % 2 else "g21"], f"困{i}"))
        factories.member(centre["union"]["g12"], f"退{i}", status="retired")
    many = queries()
    assert many == few
    assert Visit.objects.filter(campaign=VisitCampaign.objects.order_by("-id").first()).count() == 45


def test_campaign_of_a_branch_cadre_cannot_cover_the_union(centre, eligible):
    with pytest.raises(PermissionRefused):
        make_campaign(centre, centre["cadre"], centre["union"]["union"])
    with pytest.raises(PermissionRefused):
        make_campaign(centre, centre["auditor"], centre["union"]["union"])
    assert not VisitCampaign.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": "  "}, "name"),
        ({"occasion": "illness"}, "occasion"),
        ({"due_by": "yesterday"}, "due_by"),
        ({"include_hardship_files": False}, "__all__"),
    ],
)
def test_bad_campaigns_are_refused(centre, eligible, changes, field):
    if changes.get("due_by") == "yesterday":
        changes["due_by"] = days_from(centre["today"], -1)
    with pytest.raises(ValidationError) as exc:
        make_campaign(centre, centre["chair"], centre["union"]["union"], **changes)
    assert field in exc.value.update_error_dict({})
    assert not VisitCampaign.objects.exists() and not Visit.objects.exists()


def test_campaign_budget_line_must_be_held_at_or_above_the_unit(centre, eligible):
    branch_line = BudgetLine.objects.create(
        unit=centre["union"]["s2"],
        unit_path=centre["union"]["s2"].path,
        name="二站慰问金",
        fund_source="union_funds",
        year=centre["today"].year,
        amount=Decimal("1000.00"),
    )
    with pytest.raises(ValidationError) as exc:
        make_campaign(centre, centre["chair"], centre["union"]["s1"], budget_line=branch_line)
    assert "budget_line" in exc.value.message_dict
    campaign = make_campaign(centre, centre["chair"], centre["union"]["s1"], budget_line=centre["budget_line"])
    assert campaign.budget_line == centre["budget_line"]


# --- recording -----------------------------------------------------------------------------------


def record(centre, visit, **kwargs):
    fields = {
        "visited_on": centre["today"],
        "visitor_ids": [centre["cadre"].pk],
        "visitor_names": "车间主任",
        "gifts": "牛奶、水果",
        "findings": "术后恢复良好,爱人下岗",
        "needs": "希望帮助爱人再就业",
    }
    fields.update(kwargs)
    return services.visit_record(actor=centre["cadre"], visit=visit, **fields)


def test_record_a_visit_with_money_pays_once(centre):
    visit = due_visit(centre["other_s1"])
    line = centre["budget_line"]
    done = record(centre, visit, amount="500", budget_line=line, idempotency_key="k-1")
    assert done.status == "done" and done.visited_on == centre["today"] and done.amount == Decimal("500.00")
    assert list(done.visitors.all()) == [centre["cadre"]]
    payment = Payment.objects.get(visit=visit)
    assert payment.amount == Decimal("500.00") and payment.payee == centre["other_s1"] and payment.budget_line == line
    line.refresh_from_db()
    assert line.spent == Decimal("500.00") and ledger.line_balances(line)
    # the double submit: same key, nothing more paid, the same visit back
    again = record(centre, visit, amount="500", budget_line=line, idempotency_key="k-1")
    assert again.pk == visit.pk and Payment.objects.count() == 1
    line.refresh_from_db()
    assert line.spent == Decimal("500.00")
    event = AuditEvent.objects.get(action="assistance.visit.recorded")
    assert event.changes["amount"] == "500.00" and event.changes["payment"] == payment.pk
    assert "术后" not in str(event.changes)  # the notes stay out of the trail


def test_findings_are_encrypted_at_rest(centre):
    visit = record(centre, due_visit(centre["other_s1"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT findings FROM assistance_visit WHERE id = %s", [visit.pk])
        raw = cursor.fetchone()[0]
    assert raw and "术后" not in raw
    assert Visit.objects.get(pk=visit.pk).findings == "术后恢复良好,爱人下岗"


def test_record_over_budget_is_refused_and_nothing_is_written(centre):
    visit = due_visit(centre["other_s1"])
    with pytest.raises(ledger.OverBudget):
        record(centre, visit, amount="100000.01", budget_line=centre["budget_line"], idempotency_key="k-2")
    visit.refresh_from_db()
    assert visit.status == "due" and visit.visited_on is None and not visit.visitors.exists()
    assert not Payment.objects.exists() and not events("assistance.visit.recorded")
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].spent == 0


def test_a_key_used_for_another_visit_is_refused(centre):
    first = due_visit(centre["other_s1"])
    second = due_visit(centre["member_record"])
    record(centre, first, amount="100", budget_line=centre["budget_line"], idempotency_key="same")
    with pytest.raises(ledger.IdempotencyConflict):
        record(centre, second, amount="100", budget_line=centre["budget_line"], idempotency_key="same")
    second.refresh_from_db()
    assert second.status == "due" and Payment.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"visited_on": "tomorrow"}, "visited_on"),
        ({"visited_on": "not a date"}, "visited_on"),
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345", "idempotency_key": "k"}, "amount"),
        ({"amount": "-5", "idempotency_key": "k"}, "amount"),
        ({"amount": "100", "idempotency_key": "k"}, "budget_line"),
        ({"amount": "100", "budget_line": "line"}, "idempotency_key"),
        ({"visitor_ids": [], "visitor_names": ""}, "visitor_ids"),
        ({"visitor_ids": ["x"]}, "visitor_ids"),
        ({"findings": "a" * 5001}, "findings"),
        ({"gifts": "礼" * 301}, "gifts"),
    ],
)
def test_bad_records_are_refused(centre, changes, field):
    visit = due_visit(centre["other_s1"])
    if changes.get("visited_on") == "tomorrow":
        changes["visited_on"] = days_from(centre["today"], 1)
    if changes.get("budget_line") == "line":
        changes["budget_line"] = centre["budget_line"]
    with pytest.raises(ValidationError) as exc:
        record(centre, visit, **changes)
    assert field in exc.value.message_dict
    visit.refresh_from_db()
    assert visit.status == "due" and not Payment.objects.exists() and not events("assistance.visit.recorded")


def test_visitors_must_be_cadres_who_visit_this_unit(centre):
    visit = due_visit(centre["other_s1"])
    for outsider in (centre["cadre2"], centre["member"], centre["auditor"]):
        with pytest.raises(ValidationError) as exc:
            record(centre, visit, visitor_ids=[centre["cadre"].pk, outsider.pk])
        assert "visitor_ids" in exc.value.message_dict
    done = record(centre, visit, visitor_ids=[centre["cadre"].pk, centre["chair"].pk, centre["officer_s1"].pk])
    assert set(done.visitors.all()) == {centre["cadre"], centre["chair"], centre["officer_s1"]}


def test_a_budget_line_of_another_branch_cannot_pay(centre):
    line = BudgetLine.objects.create(
        unit=centre["union"]["s2"],
        unit_path=centre["union"]["s2"].path,
        name="二站慰问金",
        fund_source="union_funds",
        year=centre["today"].year,
        amount=Decimal("1000.00"),
    )
    with pytest.raises(ValidationError) as exc:
        record(centre, due_visit(centre["other_s1"]), amount="100", budget_line=line, idempotency_key="k")
    assert "budget_line" in exc.value.message_dict


def test_recording_twice_without_money_is_refused(centre):
    visit = record(centre, due_visit(centre["other_s1"]))
    with pytest.raises(services.AlreadyRecorded) as exc:
        record(centre, visit, visitor_names="别人")
    assert exc.value.code == "already_recorded"
    assert events("assistance.visit.recorded") == 1


@pytest.mark.parametrize("who", ["cadre2", "officer_s2", "auditor", "admin", "member"])
def test_others_cannot_record(centre, who):
    visit = due_visit(centre["other_s1"])
    with pytest.raises(PermissionRefused):
        services.visit_record(actor=centre[who], visit=visit, visited_on=centre["today"], visitor_names="某人")
    visit.refresh_from_db()
    assert visit.status == "due"


def test_a_cadre_does_not_record_a_visit_to_themselves(centre):
    me = factories.member(centre["union"]["g11"], "干部本人")
    cadre = factories.user("cadre_self", member=me, roles=(("branch_cadre", centre["union"]["s1"]),))
    visit = due_visit(me)
    with pytest.raises(PermissionRefused):
        services.visit_record(actor=cadre, visit=visit, visited_on=centre["today"], visitor_names="某人")
    with pytest.raises(PermissionRefused):
        services.visit_cancel(actor=cadre, visit=visit, reason="不需要")


def test_the_member_is_asked_to_rate_the_visit_once(centre, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(centre, due_visit(centre["member_record"]))
    note = Notification.objects.get(recipient=centre["member"])
    visit = Visit.objects.get()
    assert note.kind == "satisfaction.rating.request"
    assert note.url == f"/satisfaction/rate/assistance.visit/{visit.pk}/"


def test_unplanned_visit_is_created_and_recorded_once(centre):
    def unplanned(**kwargs):
        return services.visit_record_unplanned(
            actor=centre["cadre"],
            member=centre["other_s1"],
            occasion="illness",
            reason="听说住院",
            visited_on=centre["today"],
            visitor_ids=[centre["cadre"].pk],
            gifts="鲜花",
            findings="已出院",
            **kwargs,
        )

    visit = unplanned(amount="300", budget_line=centre["budget_line"], idempotency_key="u-1")
    assert visit.status == "done" and visit.due_by is None and visit.already_recorded is False
    again = unplanned(amount="300", budget_line=centre["budget_line"], idempotency_key="u-1")
    assert again.pk == visit.pk and again.already_recorded is True
    assert Visit.objects.count() == 1 and Payment.objects.count() == 1
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].spent == Decimal("300.00") and ledger.line_balances(centre["budget_line"])
    assert AuditEvent.objects.get(action="assistance.visit.recorded").changes["unplanned"] is True


def test_unplanned_visit_guards(centre):
    with pytest.raises(PermissionRefused):
        services.visit_record_unplanned(
            actor=centre["cadre2"],
            member=centre["other_s1"],
            occasion="illness",
            visited_on=centre["today"],
            visitor_names="某人",
        )
    with pytest.raises(ValidationError) as exc:
        services.visit_record_unplanned(
            actor=centre["cadre"],
            member=centre["other_s1"],
            occasion="illness",
            visited_on=days_from(centre["today"], 1),
            visitor_names="某人",
        )
    assert "visited_on" in exc.value.message_dict
    assert not Visit.objects.exists()


# --- cancelling ----------------------------------------------------------------------------------


def test_cancel_a_due_visit_with_a_reason(centre):
    visit = due_visit(centre["other_s1"])
    with pytest.raises(ValidationError) as exc:
        services.visit_cancel(actor=centre["cadre"], visit=visit, reason=" ")
    assert "reason" in exc.value.message_dict
    services.visit_cancel(actor=centre["cadre"], visit=visit, reason="职工婉拒走访")
    visit.refresh_from_db()
    assert visit.status == "cancelled"
    assert AuditEvent.objects.get(action="assistance.visit.cancelled").changes["reason"] == "职工婉拒走访"
    with pytest.raises(ValidationError):
        services.visit_cancel(actor=centre["cadre"], visit=visit, reason="again")
    with pytest.raises(ValidationError) as exc:
        record(centre, visit)
    assert exc.value.code == "cancelled"


def test_others_cannot_cancel(centre):
    visit = due_visit(centre["other_s1"])
    for who in ("cadre2", "auditor", "admin", "member"):
        with pytest.raises(PermissionRefused):
            services.visit_cancel(actor=centre[who], visit=visit, reason="x")
    visit.refresh_from_db()
    assert visit.status == "due"
