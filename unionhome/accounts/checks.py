"""The production profile refuses to start while demo accounts exist."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


def demo_accounts_present() -> bool:
    from unionhome.accounts.models import User

    try:
        return User.objects.filter(is_demo=True).exists()
    except DatabaseError:
        return False


@register(Tags.security, deploy=True)
def no_demo_accounts_in_production(app_configs, **kwargs):
    if settings.PRODUCTION and demo_accounts_present():
        return [
            Error(
                "Demo accounts exist in the production profile.",
                hint="Delete the demo data (manage.py demo --delete) or use a fresh database.",
                id="unionhome.E001",
            )
        ]
    return []
