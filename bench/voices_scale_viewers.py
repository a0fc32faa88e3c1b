"""The viewers of ``bench.voices_scale``, signed in: a session cookie (past the second factor) and an API
token each, made straight in the benchmark's database. Prints one JSON object::

    {"viewers": {name: {"cookie": ..., "token": ..., "open_in_scope": n, "appeals_in_scope": n, "unit": ...}}}

* ``bench-dept-handler``: a handler of the reference union's canteen department (职工食堂管理科), no role
  (a department handler answers the appeals routed to the department without any permission);
* ``bench-branch-chair``: chair of 第一检验站分工会 (the reference union's first branch);
* ``demo-chair``: chair of the reference union (made by ``manage.py demo``);
* ``bench-federation-chair``: chair of the federation (the root).
The accounts other than demo-chair exist only in the benchmark's database.
"""

import datetime
import json
import os
import secrets
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.voices_scale_data import DEPARTMENT_NAME
    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import ApiToken, User
    from unionhome.accounts.services import totp_key_from_base32
    from unionhome.congress.models import HandlingDepartment
    from unionhome.demo import shape
    from unionhome.demo.loader import DEMO_TOTP_SECRET
    from unionhome.org.models import OrgUnit
    from unionhome.voices.models import Appeal

    code = shape.REFERENCE_UNION_CODE
    union = OrgUnit.objects.get(code=code)
    branch = OrgUnit.objects.get(code=f"{code}-S01")
    root = OrgUnit.objects.filter(depth=1).order_by("path").first()
    department = HandlingDepartment.objects.filter(unit=union, name=DEPARTMENT_NAME).first()

    def account(username: str, display_name: str, role: str | None, unit) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display_name, "is_demo": True}
        )
        if created:
            user.set_unusable_password()
            user.save()
            if role:
                RoleAssignment.objects.create(user=user, role=role, unit=unit)
        if role and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name="bench", key=totp_key_from_base32(DEMO_TOTP_SECRET), confirmed=True
            )
        return user

    handler = account("bench-dept-handler", "基准测试食堂管理科经办人", None, None)
    if department is not None:
        department.handlers.add(handler)
    viewers = [
        (handler, "department", union),
        (account("bench-branch-chair", "基准测试分工会主席", "chair", branch), "unit", branch),
        (User.objects.get(username="demo-chair"), "unit", union),
        (account("bench-federation-chair", "基准测试联合会主席", "chair", root), "unit", root),
    ]
    open_statuses = list(Appeal.OPEN_STATUSES)
    result = {}
    for user, kind, unit in viewers:
        client = Client()
        client.force_login(user, backend="unionhome.accounts.backends.LoginIdBackend")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        raw = secrets.token_urlsafe(32)
        ApiToken.objects.create(
            user=user, digest=ApiToken.digest_of(raw), expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        if kind == "department":
            scope = Appeal.objects.filter(department=department)
        else:
            scope = Appeal.objects.filter(unit_path__startswith=unit.path)
        result[user.username] = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
            "token": raw,
            "unit": unit.name,
            "appeals_in_scope": scope.count(),
            "open_in_scope": scope.filter(status__in=open_statuses).count(),
            "escalated_to_unit": Appeal.objects.filter(escalation_unit=unit, status__in=open_statuses).count(),
        }
    json.dump({"viewers": result}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
