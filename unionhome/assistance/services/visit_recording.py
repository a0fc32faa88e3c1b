"""Recording a visit (with condolence money through the ledger), recording an unplanned one, and
cancelling one."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, require
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine, Occasion, Payment, Visit
from unionhome.assistance.selectors.visits import visiting_cadres
from unionhome.assistance.services.visit_campaigns import check_budget_line_for
from unionhome.assistance.services.visit_checks import (
    CANCEL_REASON_LIMIT,
    FINDINGS_LIMIT,
    MAX_VISITORS,
    NEEDS_LIMIT,
    NOTE_LIMIT,
    checked_date,
    checked_text,
)
from unionhome.audit.recorder import record
from unionhome.org.models import Member
from unionhome.satisfaction.requests import rating_request


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
        day = checked_date(visited_on, "visited_on")
        if day > timezone.localdate():
            raise ValidationError({"visited_on": _("A visit cannot be recorded for a date in the future.")})
        return day

    day = check(clean_date)
    names = check(lambda: checked_text(visitor_names, "visitor_names", 200)) or ""
    gifts_text = check(lambda: checked_text(gifts, "gifts", 300)) or ""
    findings_text = check(lambda: checked_text(findings, "findings", FINDINGS_LIMIT, multiline=True)) or ""
    needs_text = check(lambda: checked_text(needs, "needs", NEEDS_LIMIT, multiline=True)) or ""
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
            check(lambda: check_budget_line_for(budget_line, unit_path))
        if money is not None and not (idempotency_key or "").strip():
            errors.setdefault("idempotency_key", []).append(
                _("Money can only be paid with an idempotency key, so that a repeated request pays once.")
            )
    if idempotency_key is not None:
        check(lambda: checked_text(idempotency_key, "idempotency_key", 100))
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
    reason = checked_text(reason, "reason", NOTE_LIMIT)
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
    reason = checked_text(reason, "reason", CANCEL_REASON_LIMIT, required_message=_("Say why the visit is cancelled."))
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != Visit.Status.DUE:
        raise ValidationError(_("Only a due visit can be cancelled."), code="not_due")
    visit.status = Visit.Status.CANCELLED
    visit.save(update_fields=["status"])
    record(actor, "assistance.visit.cancelled", visit, status=[Visit.Status.DUE, Visit.Status.CANCELLED], reason=reason)
    return visit
