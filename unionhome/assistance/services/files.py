"""Every write to hardship files (困难职工档案).

Opening a file (by the member for themselves, or by a cadre on the member's behalf) starts with the
member's separate consent record: no consent, no file. Editing is for drafts only. Every change of
state goes through the table in ``hardship_workflow.py`` (``check`` then ``move``), locks the file row
first, writes one ``FileEvent`` (the history the member sees), one audit event, and tells the applicant
in their inbox. Bad input raises ``ValidationError`` and writes nothing.

This module opens and edits files and is the entry to the hardship file services (views, the API, forms
and tests import it); the rest is split by what it does: ``file_checks`` (limits and input checks),
``file_transitions`` (every change of state, the publicity sweep), ``file_objections``, ``file_export``
(Excel) and ``file_common`` (notices, locking, the shared permission check).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import ConsentRecord, FileEvent, HardshipCause, HardshipFile, HouseholdMember
from unionhome.assistance.services.file_checks import (
    CONSENT_PURPOSE,
    CONSENT_TEXT_VERSION,
    MAX_HEALTH_NOTE,
    MAX_HOUSEHOLD,
    MAX_NOTE,
    MAX_OBJECTION,
    MAX_SITUATION,
    OPEN_STATUSES,
    HouseholdFigures,
    State,
    add_months,
    clean_causes,
    clean_household,
    clean_level,
    clean_note,
    clean_situation,
    collect_errors,
    household_figures,
    suggested_level,
)
from unionhome.assistance.services.file_common import locked_file, notify_applicant, require_manage_member
from unionhome.assistance.services.file_export import XLSX_CONTENT_TYPE, FilesExport, files_export
from unionhome.assistance.services.file_objections import objection_record, objection_resolve
from unionhome.assistance.services.file_transitions import (
    file_activate,
    file_approve,
    file_branch_review,
    file_exit,
    file_re_review,
    file_reject,
    file_return,
    file_submit,
    files_publicity_sweep,
)
from unionhome.assistance.services.settings import settings_for
from unionhome.audit.recorder import record
from unionhome.org.models import Member


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
    causes, household, situation, level = collect_errors(
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
        notify_applicant(file, "open", actor)
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
    file = locked_file(file)
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
    cleaned = collect_errors(*checks)
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


__all__ = [
    "FilesExport",
    "HouseholdFigures",
    "MAX_HEALTH_NOTE",
    "MAX_HOUSEHOLD",
    "MAX_NOTE",
    "MAX_OBJECTION",
    "MAX_SITUATION",
    "OPEN_STATUSES",
    "XLSX_CONTENT_TYPE",
    "add_months",
    "clean_causes",
    "clean_household",
    "clean_level",
    "clean_note",
    "clean_situation",
    "file_activate",
    "file_approve",
    "file_branch_review",
    "file_exit",
    "file_re_review",
    "file_reject",
    "file_return",
    "file_submit",
    "files_export",
    "files_publicity_sweep",
    "household_figures",
    "objection_record",
    "objection_resolve",
    "require_manage_member",
    "suggested_level",
]
