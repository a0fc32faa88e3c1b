"""Everything a web worker would otherwise load on its first request, loaded at startup: the URLconf with every
view and API router, each language's translations and every template, compiled.

``unionhome.wsgi`` calls ``warmed()`` once; ``manage.py serve`` starts gunicorn with ``--preload``, so the work is
done once in the master process and the workers are forked warm (about two seconds less on a first request,
bench/RESULTS.md). Database connections opened meanwhile, and the connection pool, are closed, so no worker
inherits a socket or a pool whose threads stayed in the master; what was loaded is frozen out of the garbage
collector's sight (``gc.freeze``), which also keeps it shared between the forked workers. Not done with
``DEBUG`` (``runserver``).
"""

import gc
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation


def warmed() -> int:
    """Load and compile it all; returns the number of templates compiled."""
    get_resolver().url_patterns  # noqa: B018 (imports every URLconf, view and API module)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    compiled = 0
    for engine in engines.all():
        for directory in template_dirs(engine):
            for path in sorted(directory.rglob("*.html")):
                try:
                    engine.get_template(path.relative_to(directory).as_posix())
                except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment meant for another engine
                    continue
                compiled += 1
    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "close_pool"):  # PostgreSQL's pool: its threads would not survive the fork
            connection.close_pool()
    # What is loaded now lives as long as the process: out of the collector's sight, the full collections a
    # request may trigger no longer walk every module, template and translation (a fifth of a second each).
    gc.collect()
    gc.freeze()
    return compiled


def template_dirs(engine) -> list[Path]:
    """The engine's own directories and, when it reads them, every installed app's ``templates``."""
    dirs = [Path(d) for d in engine.dirs]
    if engine.app_dirs:
        from django.apps import apps

        dirs += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    return [d for d in dirs if d.is_dir()]
