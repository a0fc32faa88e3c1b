"""Signed-in sessions for the benchmark's viewers, written straight into the benchmark database.

Run as ``python -m bench.sessions`` with the same environment as the server (DATABASE_URL or
UNIONHOME_SQLITE_PATH). It logs the viewers in with Django's test client (``force_login``), marks
the session as having passed the second factor with the viewer's confirmed TOTP device, and prints
one JSON object: viewer name → session cookie value and the number of active members in scope.

Viewers: ``demo-chair`` (the chair of the reference union, 900 members whatever the data set's size)
and, when the data set is a federation, ``bench-federation-chair``, a chair on the federation root
who sees every member. That second account is created here, only in the benchmark's own database.
"""

import json
import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import User
    from unionhome.accounts.services import totp_key_from_base32
    from unionhome.demo.loader import DEMO_TOTP_SECRET
    from unionhome.org.models import OrgUnit
    from unionhome.org.selectors import scope_total

    viewers = [User.objects.get(username="demo-chair")]
    root = OrgUnit.objects.filter(kind=OrgUnit.Kind.FEDERATION, depth=1).first()
    if root is not None:
        fed_chair, created = User.objects.get_or_create(
            username="bench-federation-chair", defaults={"display_name": "基准测试联合会主席", "is_demo": True}
        )
        if created:
            fed_chair.is_demo = True
            fed_chair.set_unusable_password()
            fed_chair.save()
            RoleAssignment.objects.create(user=fed_chair, role="chair", unit=root)
            TOTPDevice.objects.create(
                user=fed_chair, name="bench", key=totp_key_from_base32(DEMO_TOTP_SECRET), confirmed=True
            )
        viewers.append(fed_chair)

    result = {}
    for user in viewers:
        client = Client()
        client.force_login(user, backend="unionhome.accounts.backends.LoginIdBackend")
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
        session.save()
        user = User.objects.get(pk=user.pk)
        result[user.username] = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
            "members_in_scope": scope_total(user),
        }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
