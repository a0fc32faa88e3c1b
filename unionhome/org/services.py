"""Every write to the org tree and the member roster."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, require
from unionhome.audit.recorder import record
from unionhome.org.identity import mask_id_number, mask_mobile
from unionhome.org.member_fields import clean_member_fields
from unionhome.org.models import Member, MemberStatusChange, MemberTag, OrgUnit, ancestor_paths
from unionhome.org.names import pinyin_initials, pinyin_key

SENSITIVE_FIELDS = {"id_number": mask_id_number, "mobile": mask_mobile}


def union_of(unit: OrgUnit) -> OrgUnit:
    """The union a unit belongs to (itself when it is a union)."""
    if unit.kind == OrgUnit.Kind.UNION:
        return unit
    union = OrgUnit.objects.get_ancestors(unit).filter(kind=OrgUnit.Kind.UNION).last()
    if union is None:
        raise ValidationError({"unit": _("Members can only be placed in a union or below it.")})
    return union


def _check_unique(*, union: OrgUnit, values: dict[str, Any], exclude_pk: int | None) -> None:
    errors = {}
    others = Member.objects.exclude(pk=exclude_pk) if exclude_pk else Member.objects.all()
    if "employee_no" in values and others.filter(union=union, employee_no=values["employee_no"]).exists():
        errors["employee_no"] = _("Another member of this union already has this employee number.")
    if values.get("id_number") and others.filter(union=union, id_number=values["id_number"]).exists():
        errors["id_number"] = _("Another member of this union already has this ID number.")
    if values.get("mobile") and others.filter(mobile=values["mobile"]).exists():
        errors["mobile"] = _("Another member already uses this mobile number.")
    if errors:
        raise ValidationError(errors)


def _audit_value(field: str, value: Any) -> Any:
    mask = SENSITIVE_FIELDS.get(field)
    return mask(str(value)) if mask and value else value


def _bump_count(unit_id: int, delta: int) -> None:
    """Count an active member more (or less) in a unit: its own counter and every subtree above it."""
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).get()
    OrgUnit.objects.filter(pk=unit_id).update(direct_member_count=F("direct_member_count") + delta)
    OrgUnit.objects.filter(path__in=ancestor_paths(path)).update(subtree_member_count=F("subtree_member_count") + delta)


@transaction.atomic
def member_create(*, actor, unit: OrgUnit, data: dict[str, Any], tags: list[MemberTag] | None = None) -> Member:
    """Add a member to ``unit``. ``data`` holds the editable fields, uncleaned."""
    require(actor, "org.edit_member", unit)
    cleaned = clean_member_fields(data)
    union = union_of(unit)
    _check_unique(union=union, values=cleaned, exclude_pk=None)
    member = Member(union=union, unit=unit, unit_path=unit.path, **cleaned)
    member.name_pinyin = pinyin_key(member.name)
    member.name_initials = pinyin_initials(member.name)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a concurrent writer took the same key first
        raise ValidationError(_("Another member already has this employee number, ID number or mobile.")) from exc
    if tags:
        member.tags.set(tags)
    MemberStatusChange.objects.create(
        member=member,
        old_status="",
        new_status=member.status,
        effective_on=member.joined_on,
        reason=_("Joined the union"),
        changed_by=actor,
    )
    _bump_count(unit.pk, 1)
    record(actor, "org.member.created", member, **{f: _audit_value(f, v) for f, v in cleaned.items()})
    return member


@transaction.atomic
def member_update(*, actor, member: Member, data: dict[str, Any], tags: list[MemberTag] | None = None) -> Member:
    """Change a member's profile fields; records old → new for each changed field (sensitive ones masked)."""
    require(actor, "org.edit_member", member)
    member = Member.objects.select_for_update().get(pk=member.pk)
    cleaned = clean_member_fields({**{f: getattr(member, f) for f in data}, **data}, partial=True)
    changed = {f: v for f, v in cleaned.items() if getattr(member, f) != v}
    _check_unique(union=member.union, values=changed, exclude_pk=member.pk)
    diff = {f: [_audit_value(f, getattr(member, f)), _audit_value(f, v)] for f, v in changed.items()}
    for field, value in changed.items():
        setattr(member, field, value)
    if "name" in changed:
        member.name_pinyin = pinyin_key(member.name)
        member.name_initials = pinyin_initials(member.name)
    if tags is not None:
        old = sorted(member.tags.values_list("code", flat=True))
        new = sorted(t.code for t in tags)
        if old != new:
            member.tags.set(tags)
            diff["tags"] = [old, new]
    if not diff:
        return member
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(_("Another member already has this employee number, ID number or mobile.")) from exc
    record(actor, "org.member.updated", member, **diff)
    return member


@transaction.atomic
def member_move(*, actor, member: Member, unit: OrgUnit) -> Member:
    """Move a member to another unit of the same union; both units must be in the actor's scope."""
    require(actor, "org.edit_member", member)
    require(actor, "org.edit_member", unit)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if unit.pk == member.unit_id:
        return member
    if union_of(unit).pk != member.union_id:
        raise ValidationError({"unit": _("A member can only be moved within their own union.")})
    old_unit_id, old_path = member.unit_id, member.unit_path
    member.unit, member.unit_path = unit, unit.path
    member.save(update_fields=["unit", "unit_path", "updated_at"])
    if member.status == Member.Status.ACTIVE:
        _bump_count(old_unit_id, -1)
        _bump_count(unit.pk, 1)
    record(actor, "org.member.moved", member, unit=[old_path, unit.path])
    return member


@transaction.atomic
def member_change_status(
    *, actor, member: Member, status: str, effective_on: datetime.date, reason: str = ""
) -> MemberStatusChange:
    """Change a member's status (active, retired, left, transferred), keeping the history."""
    require(actor, "org.edit_member", member)
    if status not in Member.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": 200}})
    if effective_on > datetime.date.today() + datetime.timedelta(days=366):
        raise ValidationError({"effective_on": _("The date is too far in the future.")})
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status == status:
        raise ValidationError({"status": _("The member already has this status.")})
    old = member.status
    change = MemberStatusChange.objects.create(
        member=member, old_status=old, new_status=status, effective_on=effective_on, reason=reason, changed_by=actor
    )
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    if old == Member.Status.ACTIVE:
        _bump_count(member.unit_id, -1)
    elif status == Member.Status.ACTIVE:
        _bump_count(member.unit_id, 1)
    record(actor, "org.member.status_changed", member, status=[old, status], effective_on=effective_on, reason=reason)
    return change


@transaction.atomic
def unit_create(
    *, actor, parent: OrgUnit | None, name: str, code: str, kind: str, district: str = "", site: str = ""
) -> OrgUnit:
    """Add a unit under ``parent`` (a root federation or union when ``parent`` is None)."""
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise PermissionRefused("org.manage_units")
    else:
        require(actor, "org.manage_units", parent)
    if kind not in OrgUnit.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of unit.")})
    name, code = name.strip(), code.strip()
    if not name or not code:
        raise ValidationError(_("A unit needs a name and a code."))
    if len(name) > 100 or len(code) > 40:
        raise ValidationError(_("The name or code is too long."))
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Another unit already has this code.")})
    fields = {"name": name, "code": code, "kind": kind, "district": district, "site": site}
    unit = (
        OrgUnit.objects.add_root(fields)
        if parent is None
        else OrgUnit.objects.add_child(OrgUnit.objects.get(pk=parent.pk), fields)
    )
    record(actor, "org.unit.created", unit, **fields)
    return unit


@transaction.atomic
def unit_update(
    *, actor, unit: OrgUnit, name: str | None = None, district: str | None = None, site: str | None = None
) -> OrgUnit:
    """Rename a unit or change its district or site (None: unchanged); code, kind and place in the tree stay."""
    require(actor, "org.manage_units", unit)
    new = {f: v.strip() for f, v in {"name": name, "district": district, "site": site}.items() if v is not None}
    if "name" in new and not new["name"]:
        raise ValidationError({"name": _("A unit needs a name.")})
    for field, value in new.items():
        limit = OrgUnit._meta.get_field(field).max_length
        if len(value) > limit:
            raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    diff = {f: [getattr(unit, f), v] for f, v in new.items() if getattr(unit, f) != v}
    if not diff:
        return unit
    for field, (_old, value) in diff.items():
        setattr(unit, field, value)
    unit.save(update_fields=list(diff))
    record(actor, "org.unit.updated", unit, **diff)
    return unit


def org_recount_members(unit_paths: list[str] | None = None) -> int:
    """Recompute the member counters from the roster after bulk loads; returns the units changed.

    With ``unit_paths``, only those subtrees are recounted, and their ancestors' subtree totals are
    shifted by the difference.
    """
    units = OrgUnit.objects.all()
    tops: list[str] = []
    if unit_paths:
        for path in sorted(set(unit_paths)):
            if not any(path.startswith(top) for top in tops):
                tops.append(path)
        q = Q()
        for path in tops:
            q |= Q(path__startswith=path)
        units = units.filter(q)
    direct = dict(
        Member.objects.filter(status=Member.Status.ACTIVE, unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    rows = list(units.order_by("path").only("pk", "path", "direct_member_count", "subtree_member_count"))
    subtree = {unit.path: direct.get(unit.pk, 0) for unit in rows}
    for unit in reversed(rows):  # children come after their parent in path order
        parent = unit.path[: -OrgUnit.steplen]
        if parent in subtree:
            subtree[parent] += subtree[unit.path]
    changed, shifts = [], {}
    for unit in rows:
        if unit.path in tops:
            shifts[unit.path] = subtree[unit.path] - unit.subtree_member_count
        new = (direct.get(unit.pk, 0), subtree[unit.path])
        if (unit.direct_member_count, unit.subtree_member_count) != new:
            unit.direct_member_count, unit.subtree_member_count = new
            changed.append(unit)
    with transaction.atomic():
        OrgUnit.objects.bulk_update(changed, ["direct_member_count", "subtree_member_count"], batch_size=500)
        for path, shift in shifts.items():
            if shift:
                OrgUnit.objects.filter(path__in=ancestor_paths(path)[:-1]).update(
                    subtree_member_count=F("subtree_member_count") + shift
                )
    return len(changed)
