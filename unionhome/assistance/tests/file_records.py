"""Helpers of the hardship-file tests: household rows, an application, a file walked to a given state
through the real services, and a role that may open files but not see health or income."""

import datetime
from decimal import Decimal

from unionhome.access.permissions import ROLES, Role
from unionhome.assistance.models import HardshipFile
from unionhome.assistance.services import files as services


def person(relation: str = "self", income: str = "0.00", *, age: int = 40, health: str = "healthy", **extra) -> dict:
    return {
        "relation": relation,
        "age": age,
        "health": health,
        "health_note": extra.pop("health_note", ""),
        "monthly_income": Decimal(income),
        "employment": extra.pop("employment", "employed" if relation == "self" else "student"),
        **extra,
    }


def household(self_income: str = "2000.00", *others: str) -> list[dict]:
    """The member (with ``self_income``) and one child per further income."""
    return [person("self", self_income), *(person("child", i, age=12) for i in others)]


def apply(actor, member, **overrides) -> HardshipFile:
    """``file_open`` with a complete, valid application (the member's own unless the actor is a cadre)."""
    own = actor.member_id == member.pk
    fields = {
        "causes": ["low_income"],
        "household": household("2000.00", "0.00"),
        "situation": "妻子长期患病，孩子上学，家庭收入低。",
        "consent_method": "online" if own else "paper",
        **overrides,
    }
    return services.file_open(actor=actor, member=member, **fields)


def walk(centre, to: str, member=None, *, today: datetime.date | None = None) -> HardshipFile:
    """A file of ``member`` (张三 by default) taken through the real services up to state ``to``."""
    member = member or centre["member_record"]
    applicant = centre["member"] if member == centre["member_record"] else centre["officer_union"]
    file = apply(applicant, member)
    if to == "draft":
        return file
    services.file_submit(actor=applicant, file=file)
    if to == "submitted":
        return _fresh(file)
    branch_officer = centre["officer_s1"] if member.unit_path.startswith(centre["union"]["s1"].path) else None
    branch_officer = branch_officer or centre["officer_s2"]
    services.file_branch_review(actor=branch_officer, file=file, level="relative")
    if to == "branch_reviewed":
        return _fresh(file)
    start = today or datetime.date.today()
    services.file_approve(actor=centre["officer_union"], file=file, today=start)
    if to == "publicity":
        return _fresh(file)
    file = _fresh(file)
    services.file_activate(
        actor=centre["officer_union"], file=file, today=file.publicity_ends_on + datetime.timedelta(1)
    )
    return _fresh(file)


def _fresh(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.get(pk=file.pk)


def without_sensitive(monkeypatch) -> None:
    """Assistance officers lose ``assistance.view_sensitive`` (no shipped role opens files without it)."""
    role = ROLES["assistance_officer"]
    monkeypatch.setitem(
        ROLES,
        "assistance_officer",
        Role(
            role.code,
            role.label,
            role.permissions - {"assistance.view_sensitive"},
            role.requires_second_factor,
            role.is_cadre,
        ),
    )
