"""Signed-in sessions for the benchmark's viewers, written straight into the benchmark database.

Run as ``python -m bench.sessions`` with the same environment as the server (DATABASE_URL or
UNIONHOME_SQLITE_PATH). It logs the viewers in with Django's test client (``force_login``), marks
the session as having passed the second factor with the viewer's confirmed TOTP device (when the
account has one: a plain member has none), and prints one JSON object::

    {"viewers": {name: {"cookie": ..., "members_in_scope": n}}, "units": {...}, "year": yyyy}

Viewers: the demo accounts ``demo-chair`` (the chair of the reference union, 900 members whatever the
data set's size), ``demo-officer`` (its assistance officer), ``demo-cadre`` (a branch cadre and
assistance officer of 第一检验站) and ``demo-member``; and, when the data set is a federation,
``bench-federation-chair`` and ``bench-federation-officer``, a chair and an assistance officer on the
federation root, who see every member. Those two accounts are created here, only in the benchmark's
own database. ``members_in_scope`` counts the active members under the viewer's top units for the
permission their pages need (``org.view_members`` for the chairs, ``assistance.view_reports`` for the
assistance cadres; 0 for the member, who sees only their own records).

``units`` names the units the report pages are opened for: ``branch`` (第一检验站分工会, demo-cadre's),
``union`` (技术中心工会) and ``root`` (the federation, when there is one); ``year`` is this year.
"""

import json
import os
import sys

# (username, the permission whose scope is counted); created accounts: (username, display name, role).
DEMO_VIEWERS = (
    ("demo-chair", "org.view_members"),
    ("demo-officer", "assistance.view_reports"),
    ("demo-cadre", "assistance.view_reports"),
    ("demo-member", None),
)
FEDERATION_VIEWERS = (
    ("bench-federation-chair", "基准测试联合会主席", "chair", "org.view_members"),
    ("bench-federation-officer", "基准测试联合会帮扶专干", "assistance_officer", "assistance.view_reports"),
)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import User
    from unionhome.accounts.services import totp_key_from_base32
    from unionhome.demo import shape
    from unionhome.demo.loader import DEMO_TOTP_SECRET
    from unionhome.org.models import OrgUnit
    from unionhome.org.selectors import scope_total

    viewers = [(user, permission) for name, permission in DEMO_VIEWERS for user in User.objects.filter(username=name)]
    root = OrgUnit.objects.filter(kind=OrgUnit.Kind.FEDERATION, depth=1).first()
    if root is not None:
        for username, display_name, role, permission in FEDERATION_VIEWERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": display_name, "is_demo": True}
            )
            if created:
                user.is_demo = True
                user.set_unusable_password()
                user.save()
                RoleAssignment.objects.create(user=user, role=role, unit=root)
                TOTPDevice.objects.create(
                    user=user, name="bench", key=totp_key_from_base32(DEMO_TOTP_SECRET), confirmed=True
                )
            viewers.append((user, permission))

    result: dict[str, dict] = {}
    for user, permission in viewers:
        client = Client()
        client.force_login(user, backend="unionhome.accounts.backends.LoginIdBackend")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        user = User.objects.get(pk=user.pk)
        result[user.username] = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
            "members_in_scope": scope_total(user, permission) if permission else 0,
        }

    code = shape.REFERENCE_UNION_CODE
    units = {
        "branch": OrgUnit.objects.filter(code=f"{code}-S01").values_list("pk", flat=True).first(),
        "union": OrgUnit.objects.filter(code=code).values_list("pk", flat=True).first(),
        "root": root.pk if root is not None else None,
    }
    json.dump({"viewers": result, "units": units, "year": timezone.localdate().year}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
