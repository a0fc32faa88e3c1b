"""Serve UnionHome with gunicorn (threaded workers) and run the background task worker and the scheduler
(periodic jobs, ``unionhome.server.scheduler``) beside it."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from unionhome.accounts.checks import demo_accounts_present

DEMO_BANNER = """
UnionHome is running at http://{bind}/

Demo logins (password: unionhome-demo)
  demo-member   a member
  demo-rep      a workers' representative
  demo-cadre    a branch union cadre of 第一检验站        (second factor)
  demo-chair    the union chair                          (second factor)
  demo-officer  the union's assistance officer           (second factor)
  demo-auditor  an audit committee member                (second factor)
  demo-admin    the platform administrator               (second factor)
Second factor: add the TOTP secret JBSWY3DPEHPK3PXP to an authenticator app.
"""


class Command(BaseCommand):
    help = "Run the production web server (gunicorn), the task worker and the scheduler until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("UNIONHOME_BIND", "127.0.0.1:8000"))
        # A worker is one Python process: it runs on one core at a time. Two per core keep every core busy
        # while some requests wait on the database; a few threads each absorb the waits.
        default_workers = min(8, 2 * (os.cpu_count() or 1))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("UNIONHOME_WEB_WORKERS") or default_workers)
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("UNIONHOME_WEB_THREADS") or 4))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker nor the scheduler")

    def handle(self, *args, bind, workers, threads, no_worker, **options):
        if settings.PRODUCTION and demo_accounts_present():
            raise CommandError("Refusing to start: demo accounts exist in the production profile.")
        call_command("collectstatic", interactive=False, verbosity=0)
        processes = []
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "unionhome.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            # The path without its query string: searches (names, mobiles) must not reach the logs.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s',
            # No line at all for the pages of anonymous appeals (unionhome/server/access_log.py).
            "--logger-class",
            "unionhome.server.access_log.AccessLogger",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "10",
            # The application (warmed up: unionhome/server/warm.py) is loaded once and the workers forked from it.
            "--preload",
        ]
        processes.append(subprocess.Popen(gunicorn))
        if not no_worker:
            processes.append(subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "1"]))
            processes.append(subprocess.Popen([sys.executable, "manage.py", "run_schedule"]))
        if demo_accounts_present():
            self.stdout.write(DEMO_BANNER.format(bind=bind))
        else:
            self.stdout.write(f"UnionHome is running at http://{bind}/")

        def stop(signum, frame):
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        codes = [p.returncode for p in processes]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            raise CommandError(f"a server process stopped unexpectedly: exit codes {codes}")
