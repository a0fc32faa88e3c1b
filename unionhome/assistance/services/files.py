"""Every write to hardship files (困难职工档案).

Opening a file (by the member for themselves, or by a cadre on the member's behalf) starts with the
member's separate consent record: no consent, no file. Editing is for drafts only. Every change of
state goes through the table in ``hardship_workflow.py`` (``check`` then ``move``), locks the file row
first, writes one ``FileEvent`` (the history the member sees), one audit event, and tells the applicant
in their inbox. Bad input raises ``ValidationError`` and writes nothing.
"""

import calendar
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere, require
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import (
    ConsentRecord,
    FileEvent,
    HardshipCause,
    HardshipFile,
    HouseholdMember,
    Objection,
    ReReview,
)
from unionhome.assistance.services.settings import settings_for
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import Member

CENT = Decimal("0.01")
MAX_INCOME = Decimal("1000000.00")
MAX_HOUSEHOLD = 20
MAX_SITUATION = 4000
MAX_NOTE = 500
MAX_HEALTH_NOTE = 500
MAX_OBJECTION = 2000
CONSENT_TEXT_VERSION = "2025.1"
# What the member consents to (stored with the consent record, in the union's language).
CONSENT_PURPOSE = gettext_lazy(
    "Processing of sensitive personal information (health, income, household) for a hardship file"
)
OPEN_STATUSES = (Member.Status.ACTIVE, Member.Status.RETIRED)
Level = HardshipFile.Level
State = HardshipFile.State


# --- dates and figures ---------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class HouseholdFigures:
    size: int
    monthly_income: Decimal
    income_per_head: Decimal


def household_figures(rows: list[dict[str, Any]]) -> HouseholdFigures:
    """Household size, monthly income and income per head (2 places, half up) of cleaned rows."""
    total = sum((row["monthly_income"] for row in rows), Decimal("0.00"))
    per_head = (total / len(rows)).quantize(CENT, rounding=ROUND_HALF_UP) if rows else Decimal("0.00")
    return HouseholdFigures(len(rows), total.quantize(CENT), per_head)


def suggested_level(income_per_head: Decimal, causes: list[str], rules) -> str:
    """Sudden hardship for a disaster; else deep below the deep threshold, relative below the relative one;
    else no level (a cadre may still choose one, e.g. for a serious illness)."""
    if HardshipCause.Cause.DISASTER in causes:
        return Level.SUDDEN
    if income_per_head < rules.deep_hardship_below:
        return Level.DEEP
    if income_per_head < rules.relative_hardship_below:
        return Level.RELATIVE
    return ""


# --- input checks --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _no_control_characters(value: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in value)


def clean_causes(causes: Any) -> list[str]:
    if not isinstance(causes, list | tuple | set) or not causes:
        raise ValidationError({"causes": _("Choose at least one cause of hardship.")})
    values = list(dict.fromkeys(str(c) for c in causes))
    if any(c not in HardshipCause.Cause.values for c in values):
        raise ValidationError({"causes": _("Choose causes from the list.")})
    return values


def clean_situation(situation: Any) -> str:
    text = _text(situation)
    if not text:
        raise ValidationError({"situation": _("Describe the household's situation in a few sentences.")})
    if len(text) > MAX_SITUATION:
        raise ValidationError({"situation": _("Use at most %(limit)d characters.") % {"limit": MAX_SITUATION}})
    if not _no_control_characters(text):
        raise ValidationError({"situation": _("This text contains characters that cannot be stored.")})
    return text


def _income(value: Any) -> Decimal | None:
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_INCOME or amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def clean_household(rows: Any) -> list[dict[str, Any]]:
    """Each person: relation, age, health, health note, monthly income (yuan), employment; the member once."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ValidationError({"household": _("List the people in the household, the member included.")})
    if len(rows) > MAX_HOUSEHOLD:
        raise ValidationError({"household": _("List at most %(n)d people.") % {"n": MAX_HOUSEHOLD}})
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        wrong: list[str] = []
        relation, health, employment = (str(row.get(k) or "") for k in ("relation", "health", "employment"))
        if relation not in HouseholdMember.Relation.values:
            wrong.append(_("choose the relation"))
        age = row.get("age")
        if isinstance(age, bool) or not isinstance(age, int | str) or not str(age).strip().isdigit():
            age = None
        else:
            age = int(str(age).strip())
        if age is None or age > 130:
            wrong.append(_("enter an age from 0 to 130"))
        if health not in HouseholdMember.Health.values:
            wrong.append(_("choose the state of health"))
        if employment not in HouseholdMember.Employment.values:
            wrong.append(_("choose the employment"))
        income = _income(row.get("monthly_income"))
        if income is None:
            wrong.append(_("enter the monthly income in yuan, 0 or more, at most two decimal places"))
        note = _text(row.get("health_note"))
        if len(note) > MAX_HEALTH_NOTE or not _no_control_characters(note):
            wrong.append(_("shorten the health details to %(limit)d characters") % {"limit": MAX_HEALTH_NOTE})
        if wrong:
            listed = pgettext("list separator", ", ").join(wrong)
            problems.append(_("Person %(n)d: %(problems)s.") % {"n": n, "problems": listed})
            continue
        cleaned.append(
            {
                "relation": relation,
                "age": age,
                "health": health,
                "health_note": note,
                "monthly_income": income,
                "employment": employment,
            }
        )
    if not problems and sum(1 for r in cleaned if r["relation"] == HouseholdMember.Relation.SELF) != 1:
        problems.append(_("List the member themself exactly once, with the relation “The member”."))
    if problems:
        raise ValidationError({"household": problems})
    return cleaned


def clean_level(level: Any, *, required: bool = False) -> str:
    value = str(level or "")
    if value and value not in Level.values:
        raise ValidationError({"level": _("Choose a level from the list.")})
    if required and not value:
        raise ValidationError({"level": _("Choose the level of hardship first.")})
    return value


def clean_note(note: Any, *, required: bool, field: str = "note") -> str:
    text = _text(note)
    if required and not text:
        raise ValidationError({field: _("Give a reason; the applicant will see it.")})
    if len(text) > MAX_NOTE:
        raise ValidationError({field: _("Use at most %(limit)d characters.") % {"limit": MAX_NOTE}})
    if not _no_control_characters(text):
        raise ValidationError({field: _("This text contains characters that cannot be stored.")})
    return text


def _collect(*checks: Callable[[], Any]) -> list[Any]:
    """Run each check and raise one ValidationError holding every field's problem; else their results."""
    errors: dict[str, list[str]] = {}
    results = []
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results


# --- notifications and locking -------------------------------------------------------------------

NOTICE_TITLES = {
    "open": gettext_lazy("A hardship file was opened for you"),
    "submit": gettext_lazy("Your hardship application was submitted"),
    "return": gettext_lazy("Your hardship application was returned to you: see the note"),
    "branch_review": gettext_lazy("Your hardship application passed branch review"),
    "reject": gettext_lazy("Your hardship application was not approved"),
    "approve": gettext_lazy("Your hardship file was approved and is in its publicity period"),
    "uphold_objection": gettext_lazy("Your hardship application was not approved"),
    "activate": gettext_lazy("Your hardship file is now active"),
    "re_review": gettext_lazy("The annual re-review of your hardship file is recorded"),
    "exit": gettext_lazy("Your hardship file is closed: you have exited hardship"),
}


def _notify_applicant(file: HardshipFile, action: str, actor: Any) -> None:
    """Tell the applicant about a change of their file, in their language (the union's by default)."""
    from unionhome.accounts.models import User

    recipient = User.objects.filter(member_id=file.member_id, is_active=True).first()
    if recipient is None or (actor is not None and recipient.pk == actor.pk):
        return
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        title = str(NOTICE_TITLES[action])
        url = reverse("assistance:file_detail", args=[file.pk])
    notification_send(recipient=recipient, kind=f"assistance.file.{action}", title=title, url=url)


def _locked(file: HardshipFile) -> HardshipFile:
    try:
        return HardshipFile.objects.select_for_update().get(pk=file.pk)
    except HardshipFile.DoesNotExist:
        raise OutOfScope() from None


def require_manage_member(actor: Any, member: Member) -> None:
    """A cadre opening a file for a member: 403 without the permission, 404 for a member out of scope."""
    if can(actor, "assistance.manage_file", member):
        return
    if has_permission_anywhere(actor, "assistance.manage_file"):
        raise OutOfScope()
    raise PermissionRefused("assistance.manage_file")


def _state_change(file: HardshipFile, event: FileEvent) -> list[str]:
    return [event.from_state, event.to_state]


# --- opening and editing -------------------------------------------------------------------------


@transaction.atomic
def file_open(
    *,
    actor,
    member: Member,
    causes: list[str],
    household: list[dict[str, Any]],
    situation: str,
    consent_method: str | None,
    level: str | None = None,
) -> HardshipFile:
    """Open a draft hardship file for ``member``, after recording the member's separate consent.

    The member applies for themselves (consent given ``online``); a cadre holding
    ``assistance.manage_file`` on the member opens it on their behalf (consent on a signed ``paper``
    form or given ``in_person``) and may choose the level; otherwise it is suggested from the union's
    thresholds (sudden hardship for a disaster)."""
    own = actor.member_id is not None and actor.member_id == member.pk
    if not own:
        require_manage_member(actor, member)
    allowed_methods = (
        [ConsentRecord.Method.ONLINE] if own else [ConsentRecord.Method.PAPER, ConsentRecord.Method.IN_PERSON]
    )
    if not consent_method:
        raise ValidationError(
            {"consent_method": _("No consent, no file: the member's consent to the use of this information is needed.")}
        )
    if consent_method not in allowed_methods:
        raise ValidationError(
            {
                "consent_method": _("Record consent given by the member online.")
                if own
                else _("Record consent given on a signed paper form or in person.")
            }
        )
    if own and level:
        raise ValidationError({"level": _("The level is set by the assistance officer.")})
    causes, household, situation, level = _collect(
        lambda: clean_causes(causes),
        lambda: clean_household(household),
        lambda: clean_situation(situation),
        lambda: clean_level(level),
    )
    member = Member.objects.select_for_update().get(pk=member.pk)  # one application at a time per member
    if member.status not in OPEN_STATUSES:
        raise ValidationError(_("A hardship file can only be opened for an active or retired member."))
    if HardshipFile.objects.filter(member=member).exclude(state__in=workflow.CLOSED).exists():
        raise ValidationError(_("This member already has an open hardship file."))
    figures = household_figures(household)
    rules = settings_for(member.union)
    chosen = level or suggested_level(figures.income_per_head, causes, rules)
    with translation.override(settings.LANGUAGE_CODE):
        purpose = str(CONSENT_PURPOSE)
    consent = ConsentRecord.objects.create(
        member=member,
        purpose=purpose,
        text_version=CONSENT_TEXT_VERSION,
        method=consent_method,
        recorded_by=actor,
        given_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            file = HardshipFile.objects.create(
                member=member,
                union_id=member.union_id,
                unit_path=member.unit_path,
                level=chosen,
                situation=situation,
                household_size=figures.size,
                household_monthly_income=figures.monthly_income,
                income_per_head=figures.income_per_head,
                opened_by=actor,
                opened_on_behalf=not own,
            )
    except IntegrityError as exc:  # another open file was made at the same moment
        raise ValidationError(_("This member already has an open hardship file.")) from exc
    HardshipCause.objects.bulk_create(HardshipCause(file=file, cause=c) for c in causes)
    HouseholdMember.objects.bulk_create(HouseholdMember(file=file, **row) for row in household)
    consent.file = file
    consent.save(update_fields=["file"])
    FileEvent.objects.create(file=file, action="open", from_state="", to_state=State.DRAFT, actor=actor)
    record(
        actor,
        "assistance.file.created",
        file,
        causes=causes,
        level=chosen,
        household_size=figures.size,
        on_behalf=not own,
        consent=consent_method,
    )
    if not own:
        _notify_applicant(file, "open", actor)
    return file


@transaction.atomic
def file_update(
    *,
    actor,
    file: HardshipFile,
    causes: list[str] | None = None,
    household: list[dict[str, Any]] | None = None,
    situation: str | None = None,
    level: str | None = None,
) -> HardshipFile:
    """Change a draft (None: unchanged), by the applicant or a cadre with ``assistance.manage_file``.

    Household figures are recomputed; the level is the cadre's choice or suggested again."""
    file = _locked(file)
    own = workflow.is_applicant(actor, file)
    if not workflow.may_see(actor, file):
        raise OutOfScope()
    if not own and not can(actor, "assistance.manage_file", file):
        raise PermissionRefused("assistance.manage_file")
    if file.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be changed; ask the officer to return the file to you."))
    if own and level:
        raise ValidationError({"level": _("The level is set by the assistance officer.")})
    checks: list[Callable[[], Any]] = []
    if causes is not None:
        checks.append(lambda: clean_causes(causes))
    if household is not None:
        checks.append(lambda: clean_household(household))
    if situation is not None:
        checks.append(lambda: clean_situation(situation))
    checks.append(lambda: clean_level(level))
    cleaned = _collect(*checks)
    new_causes = cleaned.pop(0) if causes is not None else list(file.causes.values_list("cause", flat=True))
    new_household = cleaned.pop(0) if household is not None else None
    new_situation = cleaned.pop(0) if situation is not None else None
    new_level = cleaned.pop(0)
    changed: list[str] = []
    if causes is not None and sorted(new_causes) != sorted(file.causes.values_list("cause", flat=True)):
        file.causes.all().delete()
        HardshipCause.objects.bulk_create(HardshipCause(file=file, cause=c) for c in new_causes)
        changed.append("causes")
    if new_household is not None:
        figures = household_figures(new_household)
        file.household.all().delete()
        HouseholdMember.objects.bulk_create(HouseholdMember(file=file, **row) for row in new_household)
        file.household_size = figures.size
        file.household_monthly_income = figures.monthly_income
        file.income_per_head = figures.income_per_head
        changed.append("household")
    if new_situation is not None and new_situation != file.situation:
        file.situation = new_situation
        changed.append("situation")
    if new_level:
        level_now = new_level
    elif changed and changed != ["situation"]:
        level_now = suggested_level(file.income_per_head, new_causes, settings_for(file.union))
    else:
        level_now = file.level
    if level_now != file.level:
        changed.append("level")
        old_level, file.level = file.level, level_now
    if not changed:
        return file
    file.save()
    details: dict[str, Any] = {"fields": changed}
    if "level" in changed:
        details["level"] = [old_level, level_now]
    record(actor, "assistance.file.updated", file, **details)
    return file


# --- transitions ---------------------------------------------------------------------------------


def _finish(actor: Any, file: HardshipFile, event: FileEvent, **details: Any) -> HardshipFile:
    file.save()
    record(actor, f"assistance.file.{event.action}", file, state=_state_change(file, event), **details)
    _notify_applicant(file, event.action, actor)
    return file


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


@transaction.atomic
def file_submit(*, actor, file: HardshipFile) -> HardshipFile:
    """Send a draft for branch review (the applicant, or a cadre with ``assistance.manage_file``)."""
    file = _locked(file)
    transition = workflow.check(actor, file, "submit", today=_today(None))
    event = workflow.move(actor, file, transition)
    file.submitted_at = timezone.now()
    return _finish(actor, file, event)


@transaction.atomic
def file_return(*, actor, file: HardshipFile, note: str) -> HardshipFile:
    """Send a submitted file back to the applicant as a draft, with a note saying what to change."""
    file = _locked(file)
    transition = workflow.check(actor, file, "return", today=_today(None))
    note = clean_note(note, required=True)
    event = workflow.move(actor, file, transition, note=note)
    return _finish(actor, file, event, note=note)


@transaction.atomic
def file_branch_review(*, actor, file: HardshipFile, level: str | None = None, note: str = "") -> HardshipFile:
    """The branch's review (``assistance.review_file`` on the file), optionally setting the level."""
    file = _locked(file)
    today = _today(None)
    transition = workflow.check(actor, file, "branch_review", today=today, guards=False)
    level, note = _collect(lambda: clean_level(level), lambda: clean_note(note, required=False))
    if level:
        file.level = level
    workflow.run_guards(actor, file, transition, today=today)
    event = workflow.move(actor, file, transition, note=note)
    file.branch_reviewed_by = actor
    return _finish(actor, file, event, level=file.level)


@transaction.atomic
def file_reject(*, actor, file: HardshipFile, reason: str) -> HardshipFile:
    """Reject a submitted file (branch) or a reviewed one (union level), with a reason the applicant sees."""
    file = _locked(file)
    transition = workflow.check(actor, file, "reject", today=_today(None))
    reason = clean_note(reason, required=True, field="reason")
    event = workflow.move(actor, file, transition, note=reason)
    file.closed_on, file.close_reason = _today(None), reason
    return _finish(actor, file, event, reason=reason)


@transaction.atomic
def file_approve(*, actor, file: HardshipFile, note: str = "", today: datetime.date | None = None) -> HardshipFile:
    """The union's approval: ``assistance.approve_file`` held on the file's union or above, by a cadre
    other than the branch reviewer. Starts the publicity period (``publicity_days`` days from today)."""
    file = _locked(file)
    today = _today(today)
    transition = workflow.check(actor, file, "approve", today=today)
    note = clean_note(note, required=False)
    days = settings_for(file.union).publicity_days
    event = workflow.move(actor, file, transition, note=note)
    file.approved_by = actor
    file.publicity_starts_on = today
    file.publicity_ends_on = today + datetime.timedelta(days=days - 1)
    return _finish(actor, file, event, publicity=[str(file.publicity_starts_on), str(file.publicity_ends_on)])


def _activate(actor: Any, file: HardshipFile, transition: workflow.Transition, today: datetime.date) -> HardshipFile:
    event = workflow.move(actor, file, transition)
    file.activated_on = today
    file.next_review_due = add_months(today, settings_for(file.union).re_review_months)
    return _finish(actor, file, event, next_review_due=str(file.next_review_due))


@transaction.atomic
def file_activate(*, actor, file: HardshipFile, today: datetime.date | None = None) -> HardshipFile:
    """Make a file active once its publicity period has ended with no open objection."""
    file = _locked(file)
    today = _today(today)
    transition = workflow.check(actor, file, "activate", today=today)
    return _activate(actor, file, transition, today)


def files_publicity_sweep(*, today: datetime.date | None = None) -> list[int]:
    """Activate every file whose publicity period ended before ``today`` without an open objection.

    Run daily by the task worker, as the system (no actor); each file in its own transaction, so that a
    file changed meanwhile (an objection recorded at the last minute) is simply left for a person."""
    today = _today(today)
    open_objection = Objection.objects.filter(hardship_file=OuterRef("pk"), resolution=Objection.Resolution.OPEN)
    due = list(
        HardshipFile.objects.filter(state=State.PUBLICITY, publicity_ends_on__lt=today)
        .exclude(Exists(open_objection))
        .order_by("id")
        .values_list("id", flat=True)
    )
    activated = []
    for pk in due:
        try:
            with transaction.atomic():
                file = HardshipFile.objects.select_for_update().get(pk=pk)
                transition = workflow.check(None, file, "activate", today=today, system=True)
                _activate(None, file, transition, today)
        except (ValidationError, HardshipFile.DoesNotExist):
            continue
        activated.append(pk)
    return activated


@transaction.atomic
def file_re_review(
    *,
    actor,
    file: HardshipFile,
    outcome: str,
    level: str | None = None,
    notes: str = "",
    today: datetime.date | None = None,
) -> ReReview:
    """The annual re-review of an active file: ``continue`` (perhaps at a new level; the next review falls
    due ``re_review_months`` from today) or ``exit`` (the file closes; ``notes`` are the reason)."""
    file = _locked(file)
    today = _today(today)
    transition = workflow.check(actor, file, "re_review", today=today)
    if outcome not in ReReview.Outcome.values:
        raise ValidationError({"outcome": _("Choose whether the assistance continues or the member exits hardship.")})
    exiting = outcome == ReReview.Outcome.EXIT
    level, notes = _collect(
        lambda: clean_level(level or ("" if exiting else file.level), required=not exiting),
        lambda: _clean_review_notes(notes, exiting),
    )
    review = ReReview.objects.create(
        file=file,
        due_on=file.next_review_due or today,
        done_on=today,
        outcome=outcome,
        level=level if not exiting else file.level,
        notes=notes,
        reviewed_by=actor,
    )
    if exiting:
        event = workflow.move(actor, file, workflow.TRANSITIONS["exit"], note=notes[:MAX_NOTE])
        file.closed_on, file.close_reason = today, notes[:MAX_NOTE]
        file.next_review_due = None
        _finish(actor, file, event, outcome=outcome, reason=notes[:MAX_NOTE])
        return review
    old_level = file.level
    file.level = level
    file.next_review_due = add_months(today, settings_for(file.union).re_review_months)
    event = workflow.move(actor, file, transition)
    details: dict[str, Any] = {"outcome": outcome, "next_review_due": str(file.next_review_due)}
    if level != old_level:
        details["level"] = [old_level, level]
    _finish(actor, file, event, **details)
    return review


def _clean_review_notes(notes: Any, exiting: bool) -> str:
    text = _text(notes)
    if exiting and not text:
        raise ValidationError({"notes": _("Give the reason for the exit; the member will see it.")})
    if len(text) > (MAX_NOTE if exiting else MAX_SITUATION):
        limit = MAX_NOTE if exiting else MAX_SITUATION
        raise ValidationError({"notes": _("Use at most %(limit)d characters.") % {"limit": limit}})
    if not _no_control_characters(text):
        raise ValidationError({"notes": _("This text contains characters that cannot be stored.")})
    return text


@transaction.atomic
def file_exit(*, actor, file: HardshipFile, reason: str, today: datetime.date | None = None) -> HardshipFile:
    """Close an active file: the member has exited hardship (脱困), with the reason."""
    file = _locked(file)
    today = _today(today)
    transition = workflow.check(actor, file, "exit", today=today)
    reason = clean_note(reason, required=True, field="reason")
    event = workflow.move(actor, file, transition, note=reason)
    file.closed_on, file.close_reason = today, reason
    file.next_review_due = None
    return _finish(actor, file, event, reason=reason)


# --- objections during publicity -----------------------------------------------------------------


@transaction.atomic
def objection_record(*, actor, file: HardshipFile, summary: str, raised_by: str = "") -> Objection:
    """Record an objection raised during the publicity period (a cadre with ``assistance.manage_file``)."""
    file = _locked(file)
    if not can(actor, "assistance.view_file", file):
        raise OutOfScope()
    require(actor, "assistance.manage_file", file)
    if file.state != State.PUBLICITY:
        raise ValidationError(_("Objections are recorded during the publicity period only."))
    text = _text(summary)
    errors = {}
    if not text:
        errors["summary"] = _("Write down what the objection says.")
    elif len(text) > MAX_OBJECTION or not _no_control_characters(text):
        errors["summary"] = _("Use at most %(limit)d characters.") % {"limit": MAX_OBJECTION}
    raised_by = _text(raised_by)
    if len(raised_by) > 100 or not _no_control_characters(raised_by):
        errors["raised_by"] = _("Use at most %(limit)d characters.") % {"limit": 100}
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        hardship_file=file, unit_path=file.unit_path, summary=text, raised_by=raised_by, recorded_by=actor
    )
    record(actor, "assistance.objection.recorded", objection, file=str(file.pk))
    return objection


@transaction.atomic
def objection_resolve(
    *, actor, objection: Objection, resolution: str, note: str, today: datetime.date | None = None
) -> Objection:
    """Decide an open objection (``assistance.approve_file`` on the file's union or above).

    ``dismissed``: the publicity period goes on. ``upheld``: the file is rejected, the objection being the
    reason the applicant sees."""
    if objection.hardship_file_id is None:
        raise OutOfScope()
    file = _locked(objection.hardship_file)  # the served item first, then the objection
    today = _today(today)
    if not can(actor, "assistance.view_file", file):
        raise OutOfScope()
    if not can(actor, "assistance.approve_file", file.union):
        raise PermissionRefused("assistance.approve_file")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolution != Objection.Resolution.OPEN:
        raise ValidationError(_("This objection has already been resolved."))
    if file.state != State.PUBLICITY:
        raise ValidationError(_("Objections are decided during the publicity period only."))
    if resolution not in (Objection.Resolution.DISMISSED, Objection.Resolution.UPHELD):
        raise ValidationError({"resolution": _("Choose whether the objection is dismissed or upheld.")})
    note = _text(note)
    if not note:
        raise ValidationError({"resolution_note": _("Say how the objection was looked into and decided.")})
    if len(note) > MAX_OBJECTION or not _no_control_characters(note):
        raise ValidationError({"resolution_note": _("Use at most %(limit)d characters.") % {"limit": MAX_OBJECTION}})
    transition = None
    if resolution == Objection.Resolution.UPHELD:
        transition = workflow.check(actor, file, "uphold_objection", today=today)
    objection.resolution, objection.resolution_note = resolution, note
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    record(actor, "assistance.objection.resolved", objection, resolution=resolution, file=str(file.pk))
    if transition is not None:
        reason = objection.summary[:MAX_NOTE]
        event = workflow.move(actor, file, transition, note=reason)
        file.closed_on, file.close_reason = today, reason
        _finish(actor, file, event, objection=str(objection.pk))
    return objection


# --- the Excel export ----------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MAX_ROWS = 50_000
MASK = "••••"


@dataclass
class FilesExport:
    content: bytes
    filename: str
    rows: int
    unmasked: int


def _cell(sheet, value: Any) -> Any:
    """Text starting with "=" stays text instead of becoming a formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def files_export(*, actor, state: str | None = None, query: str = "") -> FilesExport:
    """The files the actor may see (optionally one state, a name search) as .xlsx; an audit event.

    Incomes are masked unless the actor holds ``assistance.view_sensitive`` on the file; health details
    and the situation are never exported."""
    from unionhome.assistance.selectors.files import files_for

    require(actor, "assistance.view_file")
    files = files_for(actor, state=state, query=query).prefetch_related("causes")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Hardship files"))
    header = [
        _("File"),
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("State"),
        _("Level"),
        _("Causes"),
        _("Household size"),
        _("Household monthly income"),
        _("Monthly income per head"),
        _("Active since"),
        _("Next re-review due"),
    ]
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    rows = unmasked = 0
    for file in files.iterator(chunk_size=1000):
        if rows >= EXPORT_MAX_ROWS:
            break
        sensitive = can(actor, "assistance.view_sensitive", file)
        unmasked += sensitive
        sheet.append(
            [
                file.pk,
                _cell(sheet, file.member.name),
                _cell(sheet, file.member.employee_no),
                _cell(sheet, file.member.unit.name),
                str(file.get_state_display()),
                str(file.get_level_display()) if file.level else "",
                ", ".join(str(c.get_cause_display()) for c in file.causes.all()),
                file.household_size,
                file.household_monthly_income if sensitive else MASK,
                file.income_per_head if sensitive else MASK,
                file.activated_on,
                file.next_review_due,
            ]
        )
        rows += 1
    buffer = io.BytesIO()
    book.save(buffer)
    record(actor, "assistance.file.exported", None, rows=rows, unmasked=unmasked, state=state or "", query=query[:50])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FilesExport(buffer.getvalue(), f"hardship-files-{stamp}.xlsx", rows, unmasked)
