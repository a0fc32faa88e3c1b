"""Handling departments (承办部门) of a union and their handlers (承办人), set up by the congress office.

Proposals accepted by the committee are referred to a department; its handlers reply. A department
is renamed or deactivated (never deleted: proposals point to it); a deactivated one takes no new
referrals. Handlers are user accounts; removing one ends their access to the department's work.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.accounts.models import User
from unionhome.audit.recorder import record
from unionhome.congress.models import HandlingDepartment
from unionhome.congress.services.sessions import clean_text
from unionhome.org.models import OrgUnit

PERMISSION = "congress.manage_departments"
NAME_LIMIT = 100


def _taken(union_id: int, name: str, exclude: int | None = None) -> bool:
    others = HandlingDepartment.objects.filter(unit_id=union_id, name=name)
    return (others.exclude(pk=exclude) if exclude else others).exists()


def _name_taken() -> ValidationError:
    return ValidationError({"name": _("The union already has a department with this name.")})


@transaction.atomic
def department_create(*, actor, union: OrgUnit, name: str) -> HandlingDepartment:
    """Add a handling department to ``union`` (``congress.manage_departments``)."""
    require(actor, PERMISSION, union)
    if union.kind != OrgUnit.Kind.UNION:
        raise ValidationError({"union": _("Handling departments are set up per union.")})
    name = clean_text(name, "name", NAME_LIMIT)
    if _taken(union.pk, name):
        raise _name_taken()
    try:
        with transaction.atomic():
            department = HandlingDepartment.objects.create(unit=union, unit_path=union.path, name=name)
    except IntegrityError:
        raise _name_taken() from None
    record(actor, "congress.department.created", department, name=name)
    return department


@transaction.atomic
def department_rename(*, actor, department: HandlingDepartment, name: str) -> HandlingDepartment:
    require(actor, PERMISSION, department)
    name = clean_text(name, "name", NAME_LIMIT)
    department = HandlingDepartment.objects.select_for_update().get(pk=department.pk)
    if name == department.name:
        return department
    if _taken(department.unit_id, name, exclude=department.pk):
        raise _name_taken()
    old = department.name
    department.name = name
    try:
        with transaction.atomic():
            department.save(update_fields=["name"])
    except IntegrityError:
        raise _name_taken() from None
    record(actor, "congress.department.renamed", department, name=[old, name])
    return department


@transaction.atomic
def department_set_active(*, actor, department: HandlingDepartment, is_active: bool) -> HandlingDepartment:
    """Deactivate a department (it takes no new referrals) or bring it back."""
    require(actor, PERMISSION, department)
    department = HandlingDepartment.objects.select_for_update().get(pk=department.pk)
    is_active = bool(is_active)
    if department.is_active != is_active:
        department.is_active = is_active
        department.save(update_fields=["is_active"])
        record(actor, "congress.department." + ("activated" if is_active else "deactivated"), department)
    return department


@transaction.atomic
def department_add_handler(*, actor, department: HandlingDepartment, user: User) -> HandlingDepartment:
    """Make ``user`` a handler of ``department``; adding one already there changes nothing."""
    require(actor, PERMISSION, department)
    department = HandlingDepartment.objects.select_for_update().get(pk=department.pk)
    user = User.objects.filter(pk=user.pk).first()
    if user is None or not user.is_active:
        raise ValidationError({"user": _("Choose an active user account.")})
    if not department.is_active:
        raise ValidationError(_("This department is inactive: activate it before adding handlers."))
    if department.handlers.filter(pk=user.pk).exists():
        return department
    department.handlers.add(user)
    record(actor, "congress.department.handler_added", department, user=user.pk, username=user.username)
    return department


@transaction.atomic
def department_remove_handler(*, actor, department: HandlingDepartment, user: User) -> HandlingDepartment:
    require(actor, PERMISSION, department)
    department = HandlingDepartment.objects.select_for_update().get(pk=department.pk)
    if not department.handlers.filter(pk=user.pk).exists():
        raise ValidationError({"user": _("This person is not a handler of the department.")})
    department.handlers.remove(user)
    record(actor, "congress.department.handler_removed", department, user=user.pk, username=user.username)
    return department
