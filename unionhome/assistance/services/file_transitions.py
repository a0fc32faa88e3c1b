"""Hardship file transitions: submit, return, branch review, reject, approve, activate (and the
publicity sweep), re-review and exit, each through ``hardship_workflow.py``."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import HardshipFile, Objection, ReReview
from unionhome.assistance.services.file_checks import (
    MAX_NOTE,
    MAX_SITUATION,
    State,
    add_months,
    clean_level,
    clean_note,
    clean_text,
    collect_errors,
    no_control_characters,
)
from unionhome.assistance.services.file_common import finish_move, locked_file, today_or_local
from unionhome.assistance.services.settings import settings_for


@transaction.atomic
def file_submit(*, actor, file: HardshipFile) -> HardshipFile:
    """Send a draft for branch review (the applicant, or a cadre with ``assistance.manage_file``)."""
    file = locked_file(file)
    transition = workflow.check(actor, file, "submit", today=today_or_local(None))
    event = workflow.move(actor, file, transition)
    file.submitted_at = timezone.now()
    return finish_move(actor, file, event)


@transaction.atomic
def file_return(*, actor, file: HardshipFile, note: str) -> HardshipFile:
    """Send a submitted file back to the applicant as a draft, with a note saying what to change."""
    file = locked_file(file)
    transition = workflow.check(actor, file, "return", today=today_or_local(None))
    note = clean_note(note, required=True)
    event = workflow.move(actor, file, transition, note=note)
    return finish_move(actor, file, event, note=note)


@transaction.atomic
def file_branch_review(*, actor, file: HardshipFile, level: str | None = None, note: str = "") -> HardshipFile:
    """The branch's review (``assistance.review_file`` on the file), optionally setting the level."""
    file = locked_file(file)
    today = today_or_local(None)
    transition = workflow.check(actor, file, "branch_review", today=today, guards=False)
    level, note = collect_errors(lambda: clean_level(level), lambda: clean_note(note, required=False))
    if level:
        file.level = level
    workflow.run_guards(actor, file, transition, today=today)
    event = workflow.move(actor, file, transition, note=note)
    file.branch_reviewed_by = actor
    return finish_move(actor, file, event, level=file.level)


@transaction.atomic
def file_reject(*, actor, file: HardshipFile, reason: str) -> HardshipFile:
    """Reject a submitted file (branch) or a reviewed one (union level), with a reason the applicant sees."""
    file = locked_file(file)
    transition = workflow.check(actor, file, "reject", today=today_or_local(None))
    reason = clean_note(reason, required=True, field="reason")
    event = workflow.move(actor, file, transition, note=reason)
    file.closed_on, file.close_reason = today_or_local(None), reason
    return finish_move(actor, file, event, reason=reason)


@transaction.atomic
def file_approve(*, actor, file: HardshipFile, note: str = "", today: datetime.date | None = None) -> HardshipFile:
    """The union's approval: ``assistance.approve_file`` held on the file's union or above, by a cadre
    other than the branch reviewer. Starts the publicity period (``publicity_days`` days from today)."""
    file = locked_file(file)
    today = today_or_local(today)
    transition = workflow.check(actor, file, "approve", today=today)
    note = clean_note(note, required=False)
    days = settings_for(file.union).publicity_days
    event = workflow.move(actor, file, transition, note=note)
    file.approved_by = actor
    file.publicity_starts_on = today
    file.publicity_ends_on = today + datetime.timedelta(days=days - 1)
    return finish_move(actor, file, event, publicity=[str(file.publicity_starts_on), str(file.publicity_ends_on)])


def _activate(actor: Any, file: HardshipFile, transition: workflow.Transition, today: datetime.date) -> HardshipFile:
    event = workflow.move(actor, file, transition)
    file.activated_on = today
    file.next_review_due = add_months(today, settings_for(file.union).re_review_months)
    return finish_move(actor, file, event, next_review_due=str(file.next_review_due))


@transaction.atomic
def file_activate(*, actor, file: HardshipFile, today: datetime.date | None = None) -> HardshipFile:
    """Make a file active once its publicity period has ended with no open objection."""
    file = locked_file(file)
    today = today_or_local(today)
    transition = workflow.check(actor, file, "activate", today=today)
    return _activate(actor, file, transition, today)


def files_publicity_sweep(*, today: datetime.date | None = None) -> list[int]:
    """Activate every file whose publicity period ended before ``today`` without an open objection.

    Run daily by the task worker, as the system (no actor); each file in its own transaction, so that a
    file changed meanwhile (an objection recorded at the last minute) is simply left for a person."""
    today = today_or_local(today)
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
    file = locked_file(file)
    today = today_or_local(today)
    transition = workflow.check(actor, file, "re_review", today=today)
    if outcome not in ReReview.Outcome.values:
        raise ValidationError({"outcome": _("Choose whether the assistance continues or the member exits hardship.")})
    exiting = outcome == ReReview.Outcome.EXIT
    level, notes = collect_errors(
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
        finish_move(actor, file, event, outcome=outcome, reason=notes[:MAX_NOTE])
        return review
    old_level = file.level
    file.level = level
    file.next_review_due = add_months(today, settings_for(file.union).re_review_months)
    event = workflow.move(actor, file, transition)
    details: dict[str, Any] = {"outcome": outcome, "next_review_due": str(file.next_review_due)}
    if level != old_level:
        details["level"] = [old_level, level]
    finish_move(actor, file, event, **details)
    return review


def _clean_review_notes(notes: Any, exiting: bool) -> str:
    text = clean_text(notes)
    if exiting and not text:
        raise ValidationError({"notes": _("Give the reason for the exit; the member will see it.")})
    if len(text) > (MAX_NOTE if exiting else MAX_SITUATION):
        limit = MAX_NOTE if exiting else MAX_SITUATION
        raise ValidationError({"notes": _("Use at most %(limit)d characters.") % {"limit": limit}})
    if not no_control_characters(text):
        raise ValidationError({"notes": _("This text contains characters that cannot be stored.")})
    return text


@transaction.atomic
def file_exit(*, actor, file: HardshipFile, reason: str, today: datetime.date | None = None) -> HardshipFile:
    """Close an active file: the member has exited hardship (脱困), with the reason."""
    file = locked_file(file)
    today = today_or_local(today)
    transition = workflow.check(actor, file, "exit", today=today)
    reason = clean_note(reason, required=True, field="reason")
    event = workflow.move(actor, file, transition, note=reason)
    file.closed_on, file.close_reason = today, reason
    file.next_review_due = None
    return finish_move(actor, file, event, reason=reason)
