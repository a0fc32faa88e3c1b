"""``manage.py demo`` and the Hardship Assistance Centre: variety, money that balances, consistent history,
ratings of the right items, demo people with the right roles, proportional federation-sized data."""

import datetime
import hashlib
import io
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from unionhome.access.policy import can
from unionhome.accounts.models import User
from unionhome.assistance.hardship_workflow import TRANSITIONS
from unionhome.assistance.ledger import line_balances
from unionhome.assistance.models import (
    ZERO,
    AidApplication,
    AidCampaign,
    Assistance,
    AssistanceSettings,
    BudgetLine,
    ConsentRecord,
    FileEvent,
    FollowUp,
    HardshipFile,
    HouseholdMember,
    Objection,
    Payment,
    ReReview,
    Visit,
    VisitCampaign,
    VisitRule,
)
from unionhome.demo.assistance_help import MONEY_KINDS
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.models import Rating

CENTRE_MODELS = (HardshipFile, FileEvent, Assistance, Payment, FollowUp, AidApplication, Visit, Rating, BudgetLine)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def centre_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CENTRE_MODELS}


def centre_digest() -> str:
    """The centre's data by member (employee number), not by ids, which differ between databases and runs."""
    parts = [
        HardshipFile.objects.order_by("member__employee_no").values_list(
            "member__employee_no", "state", "level", "income_per_head", "activated_on", "next_review_due"
        ),
        Assistance.objects.order_by("member__employee_no", "requested_at", "kind").values_list(
            "member__employee_no", "kind", "status", "amount", "delivered_on"
        ),
        Visit.objects.order_by("member__employee_no", "due_by", "occasion").values_list(
            "member__employee_no", "occasion", "status", "due_by", "amount"
        ),
        BudgetLine.objects.order_by("year", "name").values_list("name", "amount", "committed", "spent"),
    ]
    return hashlib.sha256(repr([list(p) for p in parts]).encode()).hexdigest()


def assert_money_balances() -> None:
    """Every line: counters agree with payments; committed is exactly its approved, unpaid items."""
    for line in BudgetLine.objects.all():
        assert line_balances(line), line
        approved = (
            Assistance.objects.filter(budget_line=line, status="approved").aggregate(s=Sum("amount"))["s"] or ZERO
        )
        approved += (
            AidApplication.objects.filter(campaign__budget_line=line, status="approved").aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        assert line.committed == approved, line
        assert line.available > 0, line
    # Each paid item was paid its amount once (net of a reversal, where there is one).
    paid = dict(
        Payment.objects.filter(assistance__isnull=False)
        .values_list("assistance_id")
        .annotate(total=Sum("amount"))
        .values_list("assistance_id", "total")
    )
    for item in Assistance.objects.filter(amount__isnull=False).iterator():
        expected = item.amount if item.status == "delivered" else ZERO
        assert paid.get(item.id, ZERO) == expected, (item.status, item.kind)
        if item.status == "reversed":
            assert Payment.objects.filter(assistance=item).count() == 2
    assert not Payment.objects.filter(assistance__isnull=False, assistance__amount__isnull=True).exists()
    for app in AidApplication.objects.filter(payments__isnull=False).distinct():
        assert app.status == "paid"
        assert app.payments.aggregate(s=Sum("amount"))["s"] == app.amount
    for visit in Visit.objects.filter(amount__isnull=False):
        assert visit.status == "done" and visit.payments.get().amount == visit.amount
    assert not Visit.objects.filter(amount__isnull=True, payments__isnull=False).exists()


def assert_rows_consistent(today: datetime.date) -> None:
    """Copies of the member's unit path, ratings of delivered items, follow-ups, history in order."""
    for model in (HardshipFile, Assistance, Visit, AidApplication, Rating):
        assert not model.objects.exclude(unit_path=F("member__unit_path")).exists(), model
    assert not FollowUp.objects.exclude(unit_path=F("assistance__unit_path")).exists()
    assert not Payment.objects.exclude(payee=F("assistance__member")).filter(assistance__isnull=False).exists()
    # Maker-checker; no cadre reviews, helps or visits themselves; follow-ups on the union's schedule.
    assert not Assistance.objects.filter(decided_by=F("requested_by")).exists()
    assert not Assistance.objects.filter(requested_by__member=F("member")).exists()
    assert not HardshipFile.objects.filter(branch_reviewed_by__member=F("member")).exists()
    assert not Visit.objects.filter(recorded_by__member=F("member")).exists()
    assert not Assistance.objects.filter(~Q(status="requested"), decided_by__isnull=True).exists()
    schedules = {s.union_id: s.follow_up_days for s in AssistanceSettings.objects.all()}
    delivered = Assistance.objects.filter(status="delivered").select_related("member").prefetch_related("follow_ups")
    for item in delivered:
        days = schedules[item.member.union_id]
        assert [(f.sequence, (f.due_on - item.delivered_on).days) for f in item.follow_ups.all()] == list(
            enumerate(days, start=1)
        )
        assert item.delivered_on <= today
    assert not FollowUp.objects.exclude(assistance__status="delivered").exists()
    # Ratings point at a delivered item of the member who rates it.
    items = {
        "assistance.assistance": (Assistance, "delivered"),
        "assistance.visit": (Visit, "done"),
        "assistance.aidapplication": (AidApplication, "paid"),
    }
    for rating in Rating.objects.filter(item_type__in=items):
        model, status = items[rating.item_type]
        item = model.objects.get(pk=rating.item_id)
        assert (item.status, item.member_id) == (status, rating.member_id), rating
    assert not Rating.objects.values("item_type", "item_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    # Nothing in the future that should be in the past.
    now = timezone.now()
    assert not Payment.objects.filter(paid_at__gt=now).exists()
    assert not FileEvent.objects.filter(occurred_at__gt=now).exists()
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert not FollowUp.objects.filter(done_on__gt=today).exists()


def assert_files_consistent() -> None:
    """Households add up, levels fit the thresholds, histories are chains of transitions ending in the state."""
    thresholds = {
        s.union_id: (s.deep_hardship_below, s.relative_hardship_below) for s in AssistanceSettings.objects.all()
    }
    files = HardshipFile.objects.prefetch_related("household", "events", "causes", "consents")
    for file in files:
        household = list(file.household.all())
        assert len(household) == file.household_size and household[0].relation == "self"
        total = sum((h.monthly_income for h in household), ZERO)
        assert total == file.household_monthly_income
        assert file.income_per_head == (total / len(household)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        deep, relative = thresholds[file.union_id]
        if file.level == "deep":
            assert file.income_per_head < deep
        elif file.level == "relative":
            assert deep <= file.income_per_head < relative
        assert file.causes.exists() and file.consents.count() == 1
        events = list(file.events.all())
        assert events[0].action == "open" and events[0].from_state == "" and events[0].to_state == "draft"
        for event in events[1:]:
            transition = TRANSITIONS[event.action]
            assert event.from_state in transition.sources and event.to_state == transition.target, event.action
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state and after.occurred_at >= before.occurred_at, file.state
        assert events[-1].to_state == file.state
        if file.state == "active":
            assert file.activated_on and file.next_review_due and file.approved_by_id and file.branch_reviewed_by_id
        if file.state in ("exited", "rejected"):
            assert file.closed_on and file.close_reason
        if file.state == "publicity":
            # Five days of publicity, the first included (as services/files.py counts them).
            assert file.publicity_ends_on == file.publicity_starts_on + datetime.timedelta(days=4)


@pytest.mark.django_db
def test_the_demo_union_has_every_state_kind_and_status_with_money_that_balances():
    output = run_demo()
    today = timezone.localdate()
    week = today + datetime.timedelta(days=7)
    union = OrgUnit.objects.get(code="TC")
    assert "hardship files" in output

    assert AssistanceSettings.objects.filter(union=union).exists()
    assert VisitRule.objects.filter(union=union, occasion="illness").exists()
    lines = BudgetLine.objects.filter(unit=union)
    assert {line.year for line in lines} == {today.year - 1, today.year}
    assert {"union_funds", "higher_union", "donations"} <= {line.fund_source for line in lines}

    # About 40 files over the stations, in every state.
    files = HardshipFile.objects.all()
    assert 36 <= files.count() <= 44
    assert set(files.values_list("state", flat=True)) == set(HardshipFile.State.values)
    assert set(files.values_list("level", flat=True)) == set(HardshipFile.Level.values)
    branches = {path[: len(union.path) + OrgUnit.steplen] for path in files.values_list("unit_path", flat=True)}
    assert len(branches) == 9
    publicity = files.filter(state="publicity")
    assert publicity.filter(objections__resolution="open").exists()
    assert publicity.exclude(objections__isnull=False).exists()
    active = files.filter(state="active")
    assert active.filter(next_review_due__lt=today).exists()
    assert active.filter(next_review_due__gte=today, next_review_due__lt=week).exists()
    assert ReReview.objects.filter(outcome="continue").exists() and ReReview.objects.filter(outcome="exit").exists()
    assert ConsentRecord.objects.count() == files.count()
    assert HouseholdMember.objects.exclude(health_note="").exists()
    assert_files_consistent()

    # About 120 assistance records of every kind and status, a reversal among the payments.
    assistance = Assistance.objects.all()
    assert 100 <= assistance.count() <= 150
    assert set(assistance.values_list("kind", flat=True)) == set(Assistance.Kind.values)
    assert set(assistance.values_list("status", flat=True)) == set(Assistance.Status.values)
    assert Payment.objects.filter(kind="reversal").count() == 1
    assert assistance.filter(status="delivered", kind__in=list(MONEY_KINDS)).count() > 50
    assert_money_balances()

    # Follow-ups done with grades, due this week, overdue and escalated.
    follow_ups = FollowUp.objects.all()
    assert set(follow_ups.exclude(grade="").values_list("grade", flat=True)) == set(FollowUp.Grade.values)
    assert follow_ups.filter(done_on__isnull=True, due_on__gte=today, due_on__lt=week).exists()
    overdue = follow_ups.filter(done_on__isnull=True, due_on__lt=today)
    assert overdue.filter(escalated_at__isnull=True).exists() and overdue.filter(escalated_at__isnull=False).exists()

    # Ratings of delivered help, visits and education aid (the congress adds its own lines).
    assert set(Rating.objects.values_list("service_line", flat=True)) >= {
        "hardship_assistance",
        "visits",
        "education_aid",
    }
    assert_rows_consistent(today)

    # Education aid: this year's campaign open with tiers and ~15 applications, last year's closed and paid.
    this_year = AidCampaign.objects.get(year=today.year)
    assert this_year.state == "open" and this_year.tiers.count() >= 2
    assert this_year.opens_on <= today <= this_year.closes_on
    applications = this_year.applications.all()
    assert 12 <= applications.count() <= 16 and len(set(applications.values_list("status", flat=True))) >= 4
    assert applications.filter(hardship_file__isnull=False).exists()
    last_year = AidCampaign.objects.get(year=today.year - 1)
    assert last_year.state == "closed" and last_year.applications.filter(status="paid").count() >= 8
    assert last_year.applications.filter(status="paid", payments__isnull=False).count() >= 8

    # Visits: due, overdue and done (gifts, some money); the winter campaign reaches every active file and retiree.
    visits = Visit.objects.all()
    assert visits.filter(status="due", due_by__gte=today).exists()
    assert visits.filter(status="due", due_by__lt=today).exists()
    done = visits.filter(status="done")
    assert done.exclude(gifts="").count() == done.count() and done.filter(amount__isnull=False).exists()
    winter = VisitCampaign.objects.get(occasion="winter", due_by__gt=today)
    expected = set(active.values_list("member_id", flat=True)) | set(
        Member.objects.filter(union=union, status="retired").values_list("id", flat=True)
    )
    assert set(winter.visits.values_list("member_id", flat=True)) == expected
    assert set(visits.values_list("occasion", flat=True)) >= {"illness", "bereavement", "winter", "childbirth"}


@pytest.mark.django_db
def test_demo_people_can_do_what_the_centre_shows_them_doing():
    run_demo("--members", "900")
    station1 = OrgUnit.objects.get(code="TC-S01")
    union = OrgUnit.objects.get(code="TC")
    cadre = User.objects.get(username="demo-cadre")
    officer = User.objects.get(username="demo-officer")
    member = User.objects.get(username="demo-member")
    assert set(cadre.role_assignments.values_list("role", "unit")) == {
        ("branch_cadre", station1.pk),
        ("assistance_officer", station1.pk),
    }
    assert set(officer.role_assignments.values_list("role", "unit")) == {("assistance_officer", union.pk)}

    # demo-member: an active file, help delivered and awaiting their rating, a visit done.
    file = HardshipFile.objects.get(member=member.member)
    assert file.state == "active" and file.opened_by == member and not file.opened_on_behalf
    rated = set(Rating.objects.filter(member=member.member).values_list("item_type", "item_id"))
    delivered = Assistance.objects.filter(member=member.member, status="delivered")
    assert any(("assistance.assistance", a.pk) not in rated for a in delivered)
    assert Visit.objects.filter(member=member.member, status="done").exists()

    # Station 1's submitted files wait for demo-cadre; the union's requests for demo-officer or the chair.
    s1_files = HardshipFile.objects.filter(unit_path__startswith=station1.path)
    assert s1_files.filter(state="submitted").exists()
    assert all(can(cadre, "assistance.review_file", f) for f in s1_files)
    assert not any(can(cadre, "assistance.view_file", f) for f in HardshipFile.objects.exclude(pk__in=s1_files))

    # Whoever is recorded as acting held the permission for it on that item.
    for f in HardshipFile.objects.select_related("branch_reviewed_by", "approved_by"):
        if f.branch_reviewed_by:
            assert can(f.branch_reviewed_by, "assistance.review_file", f)
        if f.approved_by:
            assert can(f.approved_by, "assistance.approve_file", f)
    for a in Assistance.objects.select_related("requested_by", "decided_by", "responsible"):
        assert can(a.requested_by, "assistance.request", a) and can(a.responsible, "assistance.follow_up", a)
        if a.decided_by:
            assert can(a.decided_by, "assistance.approve", a)
    for v in Visit.objects.filter(status="done").select_related("recorded_by"):
        assert can(v.recorded_by, "assistance.manage_visits", v)
    for p in Payment.objects.select_related("paid_by"):
        # Visit money is paid by the cadre who records the visit (services/visits.py); the rest by officers.
        assert can(p.paid_by, "assistance.manage_visits" if p.visit_id else "assistance.disburse", p)


@pytest.mark.django_db
def test_if_empty_twice_loads_the_centre_once():
    run_demo("--if-empty")
    before = centre_counts()
    assert before["HardshipFile"] > 30 and before["Assistance"] > 100
    assert "not loaded" in run_demo("--if-empty")
    assert centre_counts() == before


@pytest.mark.django_db
def test_same_seed_same_centre_other_seed_other_centre():
    def build(*args: str) -> str:
        with transaction.atomic():
            run_demo(*args)
            digest = centre_digest()
            transaction.set_rollback(True)
        return digest

    first = build("--seed", "7", "--members", "400")
    assert build("--seed", "7", "--members", "400") == first
    assert build("--seed", "8", "--members", "400") != first


@pytest.mark.django_db
def test_a_federation_gets_centre_data_in_proportion_to_its_members():
    run_demo("--members", "3900", "--batch-size", "500", "--verbosity", "0")
    today = timezone.localdate()
    others = Member.objects.exclude(union__code="TC")
    size = others.count()
    assert size == 3000

    def of_others(model):
        return model.objects.exclude(member__union__code="TC")

    sizes = list(others.values("union").annotate(n=Count("id")).values_list("n", flat=True))
    assert of_others(HardshipFile).count() == sum(round(n * 0.05) for n in sizes)
    assert of_others(Assistance).count() == sum(round(n * 0.5) for n in sizes)
    assert 1.8 * size <= of_others(Visit).count() <= 2.2 * size
    assert of_others(AidApplication).count() >= 0.015 * size

    # Realistic proportions: most files active, most assistance delivered, states and kinds all present.
    states = Counter(of_others(HardshipFile).values_list("state", flat=True))
    assert states["active"] > states["exited"] > states["rejected"] > 0 and set(states) == set(
        HardshipFile.State.values
    )
    statuses = Counter(of_others(Assistance).values_list("status", flat=True))
    assert statuses["delivered"] > 0.7 * sum(statuses.values()) and set(statuses) == set(Assistance.Status.values)
    assert set(of_others(Assistance).values_list("kind", flat=True)) == set(Assistance.Kind.values)
    assert set(of_others(Visit).values_list("occasion", flat=True)) >= {"festival", "winter", "summer", "illness"}
    # Dates over this and last year, so the yearly reports have data.
    for model, column in ((Assistance, "requested_at__year"), (Visit, "due_by__year"), (Payment, "paid_at__year")):
        assert {today.year - 1, today.year} <= set(model.objects.values_list(column, flat=True)), model
    # Follow-ups for delivered help, payments for money kinds, balanced lines in every union.
    delivered = of_others(Assistance).filter(status="delivered")
    assert FollowUp.objects.filter(assistance__in=delivered).count() == 2 * delivered.count()
    assert (
        Payment.objects.filter(assistance__in=delivered, kind="payment").count()
        == delivered.filter(kind__in=list(MONEY_KINDS)).count()
    )
    assert BudgetLine.objects.values("unit").distinct().count() == OrgUnit.objects.filter(kind="union").count()
    assert_money_balances()
    assert_rows_consistent(today)
    assert_files_consistent()
    # Each union has its own officer and chair to act on its cases, never deciding their own requests.
    for union in OrgUnit.objects.filter(kind="union").exclude(code="TC"):
        assert set(union.role_assignments.values_list("role", flat=True)) == {"assistance_officer", "chair"}

    # The ids handed out by the loader leave room for the next rows written by the services.
    member = others.first()
    file = HardshipFile.objects.create(member=member, union=member.union, unit_path=member.unit_path)
    FileEvent.objects.create(file=file, action="opened", to_state="draft")
    line = BudgetLine.objects.filter(unit=member.union, year=today.year).first()
    officer = User.objects.get(role_assignments__unit=member.union, role_assignments__role="assistance_officer")
    item = Assistance.objects.create(
        member=member, unit_path=member.unit_path, kind="cash", amount=Decimal("100.00"), budget_line=line,
        description="测试", requested_by=officer, responsible=officer,
    )  # fmt: skip
    Payment.objects.create(budget_line=line, unit_path=member.unit_path, kind="payment", amount=Decimal("1.00"),
                           assistance=item, payee=member, paid_by=officer)  # fmt: skip
    Visit.objects.create(member=member, unit_path=member.unit_path, occasion="illness")
    Rating.objects.create(service_line="visits", item_type="x", item_id=1, member=member, unit_path="", score=5)
    assert Objection.objects.create(hardship_file=file, unit_path=member.unit_path, summary="x").pk


@pytest.mark.django_db
def test_the_reference_centre_is_the_same_alone_and_inside_a_federation():
    def reference_centre() -> list:
        tc = Q(member__union__code="TC")
        return [
            list(HardshipFile.objects.filter(tc).order_by("member__employee_no").values_list(
                "member__employee_no", "state", "level", "income_per_head", "next_review_due")),
            list(Assistance.objects.filter(tc).order_by("member__employee_no", "requested_at").values_list(
                "member__employee_no", "kind", "status", "amount", "delivered_on")),
            list(Visit.objects.filter(tc).order_by("member__employee_no", "due_by").values_list(
                "member__employee_no", "occasion", "status", "amount")),
            list(BudgetLine.objects.filter(unit__code="TC").order_by("name").values_list("name", "committed", "spent")),
        ]  # fmt: skip

    with transaction.atomic():
        run_demo("--members", "900")
        alone = reference_centre()
        transaction.set_rollback(True)
    run_demo("--members", "1200", "--verbosity", "0")
    assert HardshipFile.objects.exclude(member__union__code="TC").exists()
    assert reference_centre() == alone
