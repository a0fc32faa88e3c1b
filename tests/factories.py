"""Test data built through the real models; IDs and phones are checksum-valid."""

import datetime
import itertools
import random

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from unionhome.access.models import RoleAssignment
from unionhome.accounts.models import User
from unionhome.demo.identities import synthetic_id_number, synthetic_mobile
from unionhome.org.models import Member, MemberStatusChange, OrgUnit
from unionhome.org.names import pinyin_initials, pinyin_key
from unionhome.org.services import org_recount_members, union_of

PASSWORD = "correct-horse-battery-9"
_serial = itertools.count(1)
_rng = random.Random(20261128)


def unit(parent: OrgUnit | None, name: str, kind: str, code: str | None = None, **extra) -> OrgUnit:
    fields = {"name": name, "code": code or f"U{next(_serial)}", "kind": kind, **extra}
    return (
        OrgUnit.objects.add_root(fields)
        if parent is None
        else OrgUnit.objects.add_child(OrgUnit.objects.get(pk=parent.pk), fields)
    )


def member(unit: OrgUnit, name: str = "张三", *, gender: str = "M", status: str = "active", **fields) -> Member:
    n = next(_serial)
    birth = fields.pop("birth_date", datetime.date(1980 + n % 20, 1 + n % 12, 1 + n % 28))
    m = Member.objects.create(
        union=union_of(unit),
        unit=unit,
        unit_path=unit.path,
        employee_no=fields.pop("employee_no", f"E{n:06d}"),
        name=name,
        name_pinyin=pinyin_key(name),
        name_initials=pinyin_initials(name),
        gender=gender,
        birth_date=birth,
        id_number=fields.pop("id_number", synthetic_id_number(_rng, birth, gender, n)),
        mobile=fields.pop("mobile", synthetic_mobile(_rng, n)),
        job_category=fields.pop("job_category", "inspector"),
        employment_form=fields.pop("employment_form", "permanent"),
        joined_on=fields.pop("joined_on", datetime.date(2010, 1, 1)),
        status=status,
        **fields,
    )
    MemberStatusChange.objects.create(member=m, old_status="", new_status="active", effective_on=m.joined_on)
    if status != "active":
        MemberStatusChange.objects.create(member=m, old_status="active", new_status=status, effective_on=m.joined_on)
    org_recount_members([unit.path])
    return m


def user(
    username: str,
    *,
    member: Member | None = None,
    roles: tuple[tuple[str, OrgUnit], ...] = (),
    totp: bool | None = None,
    **fields,
) -> User:
    u = User.objects.create_user(
        username, PASSWORD, member=member, display_name=fields.pop("display_name", username), **fields
    )
    for role, on in roles:
        RoleAssignment.objects.create(user=u, role=role, unit=on)
    if totp if totp is not None else bool(roles) and any(r != "representative" for r, _ in roles):
        TOTPDevice.objects.create(user=u, name="authenticator", confirmed=True)
    return u


def totp_code(u: User) -> str:
    device = TOTPDevice.objects.get(user=u, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = __import__("time").time()
    return f"{totp.token():0{device.digits}d}"


def log_in_verified(client, u: User):
    """Log a Django test client in as ``u``, past the second factor when the account has one."""
    client.force_login(u, backend="unionhome.accounts.backends.LoginIdBackend")
    device = TOTPDevice.objects.filter(user=u, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client
