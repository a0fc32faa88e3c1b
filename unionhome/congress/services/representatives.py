"""Delegations (代表团) by unit with their seat quotas, and representatives (职工代表) seated and withdrawn.

A delegation is a unit of the term's union (a branch, usually) with ``quota`` seats. A representative
is a member of the delegation's unit or a unit below it, seated once per term; a delegation never
holds more seated representatives than its quota (the delegation row is locked while counting, so
two clerks seating at once cannot both take the last seat). A withdrawn representative keeps their
row (status ``withdrawn`` and the date) and frees the seat; seating the same member again later
brings the row back.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.congress.models import Congress, Delegation, Representative
from unionhome.congress.services.sessions import clean_text
from unionhome.org.models import Member, OrgUnit

PERMISSION = "congress.manage"
MAX_QUOTA = 999
NOTE_LIMIT = 200

Seated = Representative.Status.SEATED


def _quota(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUOTA:
        raise ValidationError({"quota": _("Enter a number of seats from 1 to %(limit)d.") % {"limit": MAX_QUOTA}})
    return value


def _seated_count(delegation: Delegation) -> int:
    return Representative.objects.filter(delegation_id=delegation.pk, status=Seated).count()


@transaction.atomic
def delegation_create(*, actor, congress: Congress, unit: OrgUnit, quota: int) -> Delegation:
    """Give a unit of the term's union a delegation of ``quota`` seats (``congress.manage``)."""
    require(actor, PERMISSION, congress)
    quota = _quota(quota)
    if not unit.path.startswith(congress.unit_path):
        raise ValidationError({"unit": _("The unit must belong to the union of this congress.")})
    if Delegation.objects.filter(congress=congress, unit=unit).exists():
        raise ValidationError({"unit": _("This unit already has a delegation in this term.")})
    try:
        with transaction.atomic():
            delegation = Delegation.objects.create(congress=congress, unit=unit, unit_path=unit.path, quota=quota)
    except IntegrityError:
        raise ValidationError({"unit": _("This unit already has a delegation in this term.")}) from None
    record(actor, "congress.delegation.created", delegation, unit=unit.name, quota=quota)
    return delegation


@transaction.atomic
def delegation_set_quota(*, actor, delegation: Delegation, quota: int) -> Delegation:
    """Change a delegation's number of seats; never below the representatives already seated."""
    require(actor, PERMISSION, delegation)
    quota = _quota(quota)
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    seated = _seated_count(delegation)
    if quota < seated:
        raise ValidationError(
            {
                "quota": ngettext(
                    "%(seated)d representative is seated: withdraw one before lowering the seats below that.",
                    "%(seated)d representatives are seated: withdraw some before lowering the seats below that.",
                    seated,
                )
                % {"seated": seated}
            }
        )
    if quota != delegation.quota:
        old = delegation.quota
        delegation.quota = quota
        delegation.save(update_fields=["quota"])
        record(actor, "congress.delegation.quota_changed", delegation, quota=[old, quota])
    return delegation


@transaction.atomic
def representative_seat(
    *,
    actor,
    delegation: Delegation,
    member: Member,
    category: str,
    elected_on: datetime.date | None = None,
    note: str = "",
) -> Representative:
    """Seat ``member`` in ``delegation`` (``congress.manage``).

    Refused with a clear error when the member is not active, not of the delegation's unit subtree,
    already seated in this term, or when the delegation's seats are all taken."""
    require(actor, PERMISSION, delegation)
    if category not in Representative.Category.values:
        raise ValidationError({"category": _("Choose front-line worker, technical staff or management.")})
    if elected_on is None:
        elected_on = timezone.localdate()
    if isinstance(elected_on, datetime.datetime) or not isinstance(elected_on, datetime.date):
        raise ValidationError({"elected_on": _("Enter a date such as 2026-03-01.")})
    note = clean_text(note, "note", NOTE_LIMIT, required=False)
    # Lock order: delegation, then the member's seat row.
    delegation = Delegation.objects.select_for_update().select_related("unit").get(pk=delegation.pk)
    member = Member.objects.get(pk=member.pk)
    if member.status != Member.Status.ACTIVE:
        raise ValidationError({"member": _("Only an active member can be seated as a representative.")})
    if not member.unit_path.startswith(delegation.unit_path):
        raise ValidationError(
            {"member": _("%(name)s is not a member of %(unit)s.") % {"name": member.name, "unit": delegation.unit.name}}
        )
    existing = Representative.objects.select_for_update().filter(congress_id=delegation.congress_id, member=member)
    seat = existing.select_related("delegation__unit").first()
    if seat is not None and seat.status == Seated:
        raise ValidationError(
            {
                "member": _("%(name)s is already seated in this term (%(unit)s).")
                % {"name": member.name, "unit": seat.delegation.unit.name}
            }
        )
    seated = _seated_count(delegation)
    if seated >= delegation.quota:
        raise ValidationError(
            ngettext(
                "%(unit)s has %(quota)d seat and it is taken: withdraw a representative or raise the quota first.",
                "%(unit)s has %(quota)d seats and all are taken: withdraw a representative or raise the quota first.",
                delegation.quota,
            )
            % {"unit": delegation.unit.name, "quota": delegation.quota}
        )
    if seat is None:
        try:
            with transaction.atomic():
                seat = Representative.objects.create(
                    congress_id=delegation.congress_id,
                    delegation=delegation,
                    member=member,
                    unit_path=delegation.unit_path,
                    category=category,
                    elected_on=elected_on,
                    note=note,
                )
        except IntegrityError:  # seated at the same moment by someone else
            raise ValidationError(
                {"member": _("%(name)s is already seated in this term.") % {"name": member.name}}
            ) from None
        verb = "seated"
    else:  # a withdrawn representative elected again
        seat.delegation, seat.unit_path, seat.category = delegation, delegation.unit_path, category
        seat.status, seat.elected_on, seat.withdrawn_on, seat.note = Seated, elected_on, None, note
        seat.save(update_fields=["delegation", "unit_path", "category", "status", "elected_on", "withdrawn_on", "note"])
        verb = "reseated"
    record(actor, f"congress.representative.{verb}", seat, member=member.pk, category=category)
    return seat


@transaction.atomic
def representative_withdraw(
    *, actor, representative: Representative, withdrawn_on: datetime.date | None = None, note: str = ""
) -> Representative:
    """Withdraw a seated representative (left the unit, resigned, recalled): the seat is freed."""
    require(actor, PERMISSION, representative)
    if withdrawn_on is None:
        withdrawn_on = timezone.localdate()
    if isinstance(withdrawn_on, datetime.datetime) or not isinstance(withdrawn_on, datetime.date):
        raise ValidationError({"withdrawn_on": _("Enter a date such as 2026-03-01.")})
    note = clean_text(note, "note", NOTE_LIMIT, required=False)
    seat = Representative.objects.select_for_update().get(pk=representative.pk)
    if seat.status != Seated:
        raise ValidationError(_("This representative has already been withdrawn."))
    if withdrawn_on < seat.elected_on:
        raise ValidationError({"withdrawn_on": _("The withdrawal cannot come before the election.")})
    seat.status, seat.withdrawn_on = Representative.Status.WITHDRAWN, withdrawn_on
    if note:
        seat.note = note
    seat.save(update_fields=["status", "withdrawn_on", "note"])
    record(actor, "congress.representative.withdrawn", seat, withdrawn_on=withdrawn_on.isoformat(), note=note)
    return seat
