"""Visits and condolences (走访慰问): the rules that make a visit due, life events, festival campaigns,
recording a visit (with condolence money through the ledger) and cancelling one.

A visit is ``due`` until it is recorded (``done``) or ``cancelled``. Three things make one due:

* a reported life event (``life_event_report``): a hospital stay, a bereavement, a birth… The union's
  ``VisitRule`` for the occasion says within how many days (defaults in ``DEFAULT_DUE_DAYS``);
* a festival campaign (``visit_campaign_create``): one visit per chosen member of a unit's subtree,
  generated in bulk;
* nothing at all: a visit that was not planned is created and recorded in one step
  (``visit_record_unplanned``).

Money given on a visit is paid straight from a budget line's available funds by ``ledger.pay`` with an
idempotency key, so that a double submit pays once and no line goes below zero. A cadre never records
or handles a visit to themselves: another cadre does (the visit's notes are about the member).
"""

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, require
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine, HardshipFile, Occasion, Payment, Visit, VisitCampaign, VisitRule
from unionhome.assistance.selectors.visits import visiting_cadres
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import Member, MemberTag, OrgUnit
from unionhome.satisfaction.requests import rating_request

# Life events that make a visit due, and within how many days when the union has set no rule.
DEFAULT_DUE_DAYS: dict[str, int] = {
    Occasion.ILLNESS: 3,
    Occasion.BEREAVEMENT: 2,
    Occasion.CHILDBIRTH: 7,
    Occasion.MARRIAGE: 7,
    Occasion.RETIREMENT: 7,
    Occasion.DISASTER: 1,
}
LIFE_EVENTS: tuple[str, ...] = tuple(DEFAULT_DUE_DAYS)
CAMPAIGN_OCCASIONS: tuple[str, ...] = (Occasion.WINTER, Occasion.SUMMER, Occasion.FESTIVAL)

MAX_DUE_DAYS = 90
# A life event may be reported ahead (a planned operation, a wedding) or late, within these bounds.
REPORT_AHEAD_DAYS = 60
REPORT_LATE_DAYS = 366
CAMPAIGN_AHEAD_DAYS = 366
MAX_VISITORS = 20
NOTE_LIMIT = 300  # Visit.reason
FINDINGS_LIMIT = 5000
NEEDS_LIMIT = 2000
CANCEL_REASON_LIMIT = 300
# Members are inserted into a campaign this many at a time (a federation's subtree has hundreds of thousands).
CAMPAIGN_BATCH = 2000
# Members whose visits a campaign makes: active and retired members (not those who left or transferred).
VISITABLE_STATUSES = (Member.Status.ACTIVE, Member.Status.RETIRED)


def _text(value: Any, field: str, limit: int, *, multiline: bool = False, required_message: str | None = None) -> str:
    """Trimmed text of at most ``limit`` characters without control characters (a ``ValidationError`` otherwise)."""
    text = "" if value is None else str(value).strip()
    allowed = {"\n", "\r", "\t"} if multiline else set()
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        raise ValidationError({field: _("This text contains control characters or invalid characters.")})
    if required_message and not text:
        raise ValidationError({field: required_message})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    return text


def _date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: _("Enter a date such as 2026-03-01.")}) from None
    return value


# --- rules ---------------------------------------------------------------------------------------


def visit_rules_for(union: OrgUnit) -> dict[str, VisitRule]:
    """The union's rule for each life event, in ``LIFE_EVENTS`` order; defaults (unsaved, pk None) where none is set."""
    saved = {rule.occasion: rule for rule in VisitRule.objects.filter(union=union)}
    return {
        occasion: saved.get(occasion) or VisitRule(union=union, occasion=occasion, due_days=days, active=True)
        for occasion, days in DEFAULT_DUE_DAYS.items()
    }


def _check_union(union: OrgUnit) -> None:
    if union.kind != OrgUnit.Kind.UNION:
        raise ValidationError({"union": _("Visit rules are set per union.")})


@transaction.atomic
def visit_rule_update(*, actor, union: OrgUnit, occasion: str, due_days: int, active: bool) -> VisitRule:
    """Set within how many days a reported ``occasion`` makes a visit due in ``union`` (``assistance.configure``)."""
    require(actor, "assistance.configure", union)
    _check_union(union)
    if occasion not in LIFE_EVENTS:
        raise ValidationError({"occasion": _("Rules are set for life events only (illness, bereavement, birth…).")})
    if isinstance(due_days, bool) or not isinstance(due_days, int) or not 0 <= due_days <= MAX_DUE_DAYS:
        raise ValidationError({"due_days": _("Enter a number of days from 0 to %(limit)d.") % {"limit": MAX_DUE_DAYS}})
    active = bool(active)
    rule = VisitRule.objects.select_for_update().filter(union=union, occasion=occasion).first()
    old = (rule.due_days, rule.active) if rule else (DEFAULT_DUE_DAYS[occasion], True)
    if old == (due_days, active):
        return rule or visit_rules_for(union)[occasion]
    if rule is None:
        rule = VisitRule.objects.create(union=union, occasion=occasion, due_days=due_days, active=active)
    else:
        rule.due_days, rule.active = due_days, active
        rule.save(update_fields=["due_days", "active"])
    record(
        actor,
        "assistance.visit_rule.updated",
        union,
        occasion=occasion,
        due_days=[old[0], due_days],
        active=[old[1], active],
    )
    return rule


@transaction.atomic
def visit_rules_save(*, actor, union: OrgUnit, rules: dict[str, tuple[int, bool]]) -> dict[str, VisitRule]:
    """Save several rules at once (``occasion → (due_days, active)``): all or nothing."""
    require(actor, "assistance.configure", union)
    errors: dict[str, list[str]] = {}
    for occasion, (due_days, active) in rules.items():
        try:
            with transaction.atomic():
                visit_rule_update(actor=actor, union=union, occasion=occasion, due_days=due_days, active=active)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"{occasion}_{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return visit_rules_for(union)


# --- life events ---------------------------------------------------------------------------------


def _require_visits_or_self(actor, member: Member) -> bool:
    """Whether the actor acts on their own record; else they must manage visits on the member."""
    if actor.member_id is not None and actor.member_id == member.pk:
        return True
    require(actor, "assistance.manage_visits", member)
    return False


@transaction.atomic
def life_event_report(*, actor, member: Member, occasion: str, occurred_on: datetime.date, note: str = "") -> Visit:
    """Report a life event (a hospital stay is ``Occasion.ILLNESS``): a visit falls due within the union's rule.

    A cadre with ``assistance.manage_visits`` on the member reports it, or the member about themselves.
    If an open visit for the same member and occasion already falls within the rule's window (the same
    event reported twice, by the member and by a cadre), that visit is returned and nothing is written.
    The returned visit's ``already_reported`` attribute tells which case it was.
    """
    by_self = _require_visits_or_self(actor, member)
    if occasion not in LIFE_EVENTS:
        raise ValidationError({"occasion": _("Choose a life event: illness, bereavement, birth, marriage…")})
    occurred_on = _date(occurred_on, "occurred_on")
    today = timezone.localdate()
    if occurred_on > today + datetime.timedelta(days=REPORT_AHEAD_DAYS):
        raise ValidationError(
            {"occurred_on": _("Report an event at most %(days)d days ahead.") % {"days": REPORT_AHEAD_DAYS}}
        )
    if occurred_on < today - datetime.timedelta(days=REPORT_LATE_DAYS):
        raise ValidationError({"occurred_on": _("This date is more than a year ago.")})
    note = _text(note, "note", NOTE_LIMIT)
    member = Member.objects.select_for_update().get(pk=member.pk)  # two reports at once: one visit
    rule = visit_rules_for(member.union)[occasion]
    if not rule.active:
        raise ValidationError({"occasion": _("Your union has switched off visits for this occasion.")})
    window = datetime.timedelta(days=rule.due_days)
    existing = (
        Visit.objects.filter(
            member=member,
            occasion=occasion,
            campaign__isnull=True,
            status=Visit.Status.DUE,
            due_by__gte=occurred_on,
            due_by__lte=occurred_on + 2 * window,
        )
        .order_by("due_by", "id")
        .first()
    )
    if existing is not None:
        existing.already_reported = True
        return existing
    visit = Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=occasion,
        reason=note,
        status=Visit.Status.DUE,
        due_by=occurred_on + window,
        created_by=actor,
    )
    visit.already_reported = False
    record(
        actor,
        "assistance.visit.due",
        visit,
        source="life_event",
        by_member=by_self,
        occasion=occasion,
        occurred_on=occurred_on,
        due_by=visit.due_by,
    )
    _notify_visitors(visit, exclude=actor)
    return visit


def _notify_visitors(visit: Visit, *, exclude) -> None:
    """Tell the nearest cadres who visit (the branch's, else the union's) that a visit is due."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Visit due by %(date)s: %(name)s (%(occasion)s)") % {
            "date": visit.due_by.isoformat(),
            "name": visit.member.name,
            "occasion": visit.get_occasion_display(),
        }
    url = reverse("assistance:visit_detail", args=[visit.pk])
    for user in visiting_cadres(visit.unit_path, nearest_only=True):
        if (exclude is not None and user.pk == exclude.pk) or user.member_id == visit.member_id:
            continue
        notification_send(
            recipient=user, kind="assistance.visit_due", title=title, url=url, dedupe_key=f"visit-due:{visit.pk}"
        )


# --- campaigns -----------------------------------------------------------------------------------


def _check_budget_line_for(line: BudgetLine | None, unit_path: str, field: str = "budget_line") -> None:
    """A budget line may pay for visits to members at or below the unit that holds it."""
    if line is not None and not unit_path.startswith(line.unit_path):
        raise ValidationError({field: _("This budget line cannot pay for visits in this part of the union.")})


@transaction.atomic
def visit_campaign_create(
    *,
    actor,
    unit: OrgUnit,
    name: str,
    occasion: str,
    due_by: datetime.date,
    include_hardship_files: bool,
    include_retirees: bool,
    tags: Iterable[MemberTag] = (),
    budget_line: BudgetLine | None = None,
) -> VisitCampaign:
    """A festival campaign (送温暖, 送清凉, a festival): one due visit for every member of ``unit``'s subtree
    with an active hardship file (if chosen), retired (if chosen) or carrying any of ``tags``.

    Visits are generated in bulk (a few queries, whatever the subtree's size) and the campaign is audited
    once with the number of visits. ``visit_campaign_generate`` adds members who qualify later.
    """
    require(actor, "assistance.manage_visits", unit)
    name = _text(name, "name", 100, required_message=_("Give the campaign a name, such as 2026 春节送温暖."))
    if occasion not in CAMPAIGN_OCCASIONS:
        raise ValidationError({"occasion": _("Choose winter warmth, summer cool or a festival.")})
    due_by = _date(due_by, "due_by")
    today = timezone.localdate()
    if due_by < today:
        raise ValidationError({"due_by": _("The date visits are due by cannot be in the past.")})
    if due_by > today + datetime.timedelta(days=CAMPAIGN_AHEAD_DAYS):
        raise ValidationError({"due_by": _("The date is too far in the future.")})
    tags = list(tags)
    if not (include_hardship_files or include_retirees or tags):
        raise ValidationError(
            _("Choose whom to visit: members with an active hardship file, retired members, or members with a tag.")
        )
    _check_budget_line_for(budget_line, unit.path)
    campaign = VisitCampaign.objects.create(
        unit=unit,
        unit_path=unit.path,
        name=name,
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=bool(include_hardship_files),
        include_retirees=bool(include_retirees),
        budget_line=budget_line,
        created_by=actor,
    )
    if tags:
        campaign.tags.set(tags)
    count = _generate_campaign_visits(campaign, actor=actor, tag_ids=[t.pk for t in tags])
    record(
        actor,
        "assistance.visit_campaign.created",
        campaign,
        name=name,
        occasion=occasion,
        due_by=due_by,
        include_hardship_files=campaign.include_hardship_files,
        include_retirees=campaign.include_retirees,
        tags=sorted(t.code for t in tags),
        budget_line=budget_line.pk if budget_line else None,
        visits=count,
    )
    return campaign


@transaction.atomic
def visit_campaign_generate(*, actor, campaign: VisitCampaign) -> int:
    """Add visits for members who qualify for the campaign now but have none in it yet; returns how many.

    Running it again adds none: a campaign visits each member once (cancelled visits included)."""
    require(actor, "assistance.manage_visits", campaign)
    campaign = VisitCampaign.objects.select_for_update().get(pk=campaign.pk)
    before = Visit.objects.filter(campaign=campaign).count()
    after = _generate_campaign_visits(campaign, actor=actor, tag_ids=list(campaign.tags.values_list("pk", flat=True)))
    added = after - before
    if added:
        record(actor, "assistance.visit_campaign.generated", campaign, visits=added)
    return added


def campaign_members(campaign: VisitCampaign, tag_ids: Sequence[int]):
    """The members the campaign visits: ``(id, unit_path)`` rows, one per member."""
    criteria = Q()
    if campaign.include_hardship_files:
        criteria |= Q(pk__in=HardshipFile.objects.filter(state=HardshipFile.State.ACTIVE).values("member_id"))
    if campaign.include_retirees:
        criteria |= Q(status=Member.Status.RETIRED)
    if tag_ids:
        criteria |= Q(pk__in=Member.tags.through.objects.filter(membertag_id__in=tag_ids).values("member_id"))
    if not criteria:
        return Member.objects.none().values_list("pk", "unit_path")
    return (
        Member.objects.filter(unit_path__prefix=campaign.unit_path, status__in=VISITABLE_STATUSES)
        .filter(criteria)
        .order_by()
        .values_list("pk", "unit_path")
    )


def _generate_campaign_visits(campaign: VisitCampaign, *, actor, tag_ids: Sequence[int]) -> int:
    """Insert the campaign's missing visits a batch at a time; returns how many visits the campaign has."""
    batch: list[Visit] = []
    for member_id, unit_path in campaign_members(campaign, tag_ids).iterator(chunk_size=CAMPAIGN_BATCH):
        batch.append(
            Visit(
                member_id=member_id,
                unit_path=unit_path,
                occasion=campaign.occasion,
                campaign=campaign,
                reason=campaign.name,
                status=Visit.Status.DUE,
                due_by=campaign.due_by,
                created_by=actor,
            )
        )
        if len(batch) >= CAMPAIGN_BATCH:
            Visit.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Visit.objects.bulk_create(batch, ignore_conflicts=True)
    return Visit.objects.filter(campaign=campaign).count()


# --- recording -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitReport:
    """What a cadre writes down after a visit (cleaned by ``_clean_report``)."""

    visited_on: datetime.date
    visitors: list
    visitor_names: str
    gifts: str
    amount: Decimal | None
    budget_line: BudgetLine | None
    findings: str
    needs: str


def _clean_report(
    *,
    unit_path: str,
    visited_on,
    visitor_ids,
    visitor_names,
    gifts,
    amount,
    budget_line,
    findings,
    needs,
    idempotency_key,
) -> VisitReport:
    errors: dict[str, list[str]] = {}

    def check(fn):
        try:
            return fn()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            return None

    def clean_date():
        day = _date(visited_on, "visited_on")
        if day > timezone.localdate():
            raise ValidationError({"visited_on": _("A visit cannot be recorded for a date in the future.")})
        return day

    day = check(clean_date)
    names = check(lambda: _text(visitor_names, "visitor_names", 200)) or ""
    gifts_text = check(lambda: _text(gifts, "gifts", 300)) or ""
    findings_text = check(lambda: _text(findings, "findings", FINDINGS_LIMIT, multiline=True)) or ""
    needs_text = check(lambda: _text(needs, "needs", NEEDS_LIMIT, multiline=True)) or ""
    try:
        ids = sorted({int(i) for i in visitor_ids or ()})
    except (TypeError, ValueError):
        raise ValidationError({"visitor_ids": _("Choose the visitors from the list.")}) from None
    visitors: list = []
    if len(ids) > MAX_VISITORS:
        errors.setdefault("visitor_ids", []).append(_("At most %(limit)d visitors.") % {"limit": MAX_VISITORS})
    elif ids:
        allowed = {u.pk: u for u in visiting_cadres(unit_path)}
        if any(i not in allowed for i in ids):
            errors.setdefault("visitor_ids", []).append(
                _("Visitors must be cadres who visit members of this unit; name anyone else under other visitors.")
            )
        visitors = [allowed[i] for i in ids if i in allowed]
    if not ids and not names and "visitor_names" not in errors:
        errors.setdefault("visitor_ids", []).append(_("Say who went on the visit."))
    money = None
    if amount not in (None, ""):
        money = check(lambda: ledger.clean_amount(amount))
        if money is not None and budget_line is None:
            errors.setdefault("budget_line", []).append(_("Choose the budget line that pays this money."))
        elif money is not None:
            check(lambda: _check_budget_line_for(budget_line, unit_path))
        if money is not None and not (idempotency_key or "").strip():
            errors.setdefault("idempotency_key", []).append(
                _("Money can only be paid with an idempotency key, so that a repeated request pays once.")
            )
    if idempotency_key is not None:
        check(lambda: _text(idempotency_key, "idempotency_key", 100))
    if errors:
        raise ValidationError(errors)
    return VisitReport(
        visited_on=day,
        visitors=visitors,
        visitor_names=names,
        gifts=gifts_text,
        amount=money,
        budget_line=budget_line if money is not None else None,
        findings=findings_text,
        needs=needs_text,
    )


def _write_record(*, actor, visit: Visit, report: VisitReport, idempotency_key: str | None) -> Payment | None:
    """Mark the locked ``visit`` done with ``report``; pay its money through the ledger (line locked second)."""
    payment = None
    if report.amount is not None:
        result = ledger.pay(
            actor=actor,
            line_id=report.budget_line.pk,
            amount=report.amount,
            item=visit,
            from_commitment=False,
            idempotency_key=(idempotency_key or "").strip() or None,
            note=_("Visit: %(occasion)s") % {"occasion": visit.get_occasion_display()},
        )
        payment = result.payment
    visit.status = Visit.Status.DONE
    visit.visited_on = report.visited_on
    visit.visitor_names = report.visitor_names
    visit.gifts = report.gifts
    visit.amount = report.amount
    visit.budget_line = report.budget_line
    visit.findings = report.findings
    visit.needs = report.needs
    visit.recorded_by = actor
    visit.save(
        update_fields=[
            "status",
            "visited_on",
            "visitor_names",
            "gifts",
            "amount",
            "budget_line",
            "findings",
            "needs",
            "recorded_by",
        ]
    )
    visit.visitors.set(report.visitors)
    transaction.on_commit(lambda: rating_request(visit), robust=True)
    return payment


def _refuse_own_visit(actor, member_id: int) -> None:
    if actor.member_id is not None and actor.member_id == member_id:
        raise PermissionRefused("assistance.manage_visits")


def _audit_recorded(actor, visit: Visit, report: VisitReport, payment: Payment | None, **extra) -> None:
    record(
        actor,
        "assistance.visit.recorded",
        visit,
        visited_on=report.visited_on,
        visitors=[u.pk for u in report.visitors],
        visitor_names=report.visitor_names,
        gifts=report.gifts,
        amount=str(report.amount) if report.amount is not None else None,
        budget_line=report.budget_line.pk if report.budget_line else None,
        payment=payment.pk if payment else None,
        needs_raised=bool(report.needs),
        **extra,
    )


class AlreadyRecorded(ValidationError):
    def __init__(self, visit: Visit):
        super().__init__(
            _("This visit was already recorded (visited on %(date)s).")
            % {"date": visit.visited_on.isoformat() if visit.visited_on else "—"},
            code="already_recorded",
        )


@transaction.atomic
def visit_record(
    *,
    actor,
    visit: Visit,
    visited_on: datetime.date,
    visitor_ids: Iterable[int] = (),
    visitor_names: str = "",
    gifts: str = "",
    amount: Decimal | str | None = None,
    budget_line: BudgetLine | None = None,
    findings: str = "",
    needs: str = "",
    idempotency_key: str | None = None,
) -> Visit:
    """Record a due visit as done: who went and when, gifts, money (paid once per idempotency key from
    ``budget_line``), what was found and the needs raised (``assistance.manage_visits``).

    A repeat of a request that paid (same idempotency key) returns the visit unchanged; any other
    attempt on a visit already recorded raises ``AlreadyRecorded`` (code ``already_recorded``).
    """
    require(actor, "assistance.manage_visits", visit)
    _refuse_own_visit(actor, visit.member_id)
    visit = Visit.objects.select_for_update().select_related("member").get(pk=visit.pk)
    if visit.status == Visit.Status.DONE:
        key = (idempotency_key or "").strip()
        if key and Payment.objects.filter(visit=visit, idempotency_key=key).exists():
            return visit
        raise AlreadyRecorded(visit)
    if visit.status != Visit.Status.DUE:
        raise ValidationError(_("This visit was cancelled; it cannot be recorded."), code="cancelled")
    report = _clean_report(
        unit_path=visit.unit_path,
        visited_on=visited_on,
        visitor_ids=visitor_ids,
        visitor_names=visitor_names,
        gifts=gifts,
        amount=amount,
        budget_line=budget_line,
        findings=findings,
        needs=needs,
        idempotency_key=idempotency_key,
    )
    payment = _write_record(actor=actor, visit=visit, report=report, idempotency_key=idempotency_key)
    _audit_recorded(actor, visit, report, payment, due_by=visit.due_by)
    return visit


@transaction.atomic
def visit_record_unplanned(
    *,
    actor,
    member: Member,
    occasion: str,
    visited_on: datetime.date,
    reason: str = "",
    visitor_ids: Iterable[int] = (),
    visitor_names: str = "",
    gifts: str = "",
    amount: Decimal | str | None = None,
    budget_line: BudgetLine | None = None,
    findings: str = "",
    needs: str = "",
    idempotency_key: str | None = None,
) -> Visit:
    """Record a visit that was not due: creates it (no due date) and records it in one step.

    A member is visited once per occasion and day: if such a visit is already recorded (a double
    submit), it is returned with ``already_recorded`` set and nothing is written or paid again.
    """
    require(actor, "assistance.manage_visits", member)
    _refuse_own_visit(actor, member.pk)
    if occasion not in Occasion.values:
        raise ValidationError({"occasion": _("Choose an occasion.")})
    reason = _text(reason, "reason", NOTE_LIMIT)
    report = _clean_report(
        unit_path=member.unit_path,
        visited_on=visited_on,
        visitor_ids=visitor_ids,
        visitor_names=visitor_names,
        gifts=gifts,
        amount=amount,
        budget_line=budget_line,
        findings=findings,
        needs=needs,
        idempotency_key=idempotency_key,
    )
    member = Member.objects.select_for_update().get(pk=member.pk)
    existing = Visit.objects.filter(
        member=member, occasion=occasion, status=Visit.Status.DONE, visited_on=report.visited_on
    ).first()
    if existing is not None:
        existing.already_recorded = True
        return existing
    visit = Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=occasion,
        reason=reason,
        status=Visit.Status.DUE,
        due_by=None,
        created_by=actor,
    )
    payment = _write_record(actor=actor, visit=visit, report=report, idempotency_key=idempotency_key)
    visit.already_recorded = False
    _audit_recorded(actor, visit, report, payment, unplanned=True, occasion=occasion)
    return visit


@transaction.atomic
def visit_cancel(*, actor, visit: Visit, reason: str) -> Visit:
    """Cancel a due visit, with a reason (kept in the audit trail and shown on the visit's page)."""
    require(actor, "assistance.manage_visits", visit)
    _refuse_own_visit(actor, visit.member_id)
    reason = _text(reason, "reason", CANCEL_REASON_LIMIT, required_message=_("Say why the visit is cancelled."))
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != Visit.Status.DUE:
        raise ValidationError(_("Only a due visit can be cancelled."), code="not_due")
    visit.status = Visit.Status.CANCELLED
    visit.save(update_fields=["status"])
    record(actor, "assistance.visit.cancelled", visit, status=[Visit.Status.DUE, Visit.Status.CANCELLED], reason=reason)
    return visit
