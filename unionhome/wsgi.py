import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    from unionhome.accounts.checks import demo_accounts_present  # noqa: E402

    if demo_accounts_present():
        raise RuntimeError("Refusing to start: demo accounts exist in the production profile.")

if not settings.DEBUG:
    from unionhome.server.warm import warmed  # noqa: E402

    warmed()
