"""Smoke tests of the issue-5 benchmarks on tiny sizes, so that they do not rot: the appeal generator's shares
and rollups, ``bench.voices_scale`` end to end on SQLite, and ``bench.notify_storm`` with 50 notifications.
The benchmarks themselves run only by hand (``python -m bench.voices_scale``, ``python -m bench.notify_storm``);
no test asserts a timing."""

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone

from bench.voices_scale_data import DEPARTMENT_NAME, build
from unionhome.voices.models import Appeal, AppealCount, TopicCount

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory, django_db_setup, django_db_blocker) -> Path | None:
    """A copy of the (migrated, empty) SQLite test database, so that the benchmarks skip ``migrate``; None on
    PostgreSQL test runs (the benchmarks then migrate their SQLite file themselves)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    path = tmp_path_factory.mktemp("bench") / "migrated.sqlite3"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return path


def _copy(template: Path | None, to: Path) -> None:
    if template is not None:
        shutil.copyfile(template, to)


def _bench(args: list[str], tmp_path: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UNIONHOME_SQLITE_PATH")}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.django_db
def test_the_appeal_generator_writes_realistic_shares_and_their_rollups(people):
    result = build(appeals=3000, seed=3)

    appeals = Appeal.objects.all()
    assert result["appeals"] == appeals.count() == 3000
    # Rollups: every appeal counted once per day, and once per topic word (two words each).
    assert AppealCount.objects.aggregate(n=Sum("count"))["n"] == 3000
    assert TopicCount.objects.aggregate(n=Sum("count"))["n"] == 6000
    anonymous = appeals.filter(is_anonymous=True)
    assert 0.15 < anonymous.count() / 3000 < 0.25
    assert not anonymous.exclude(member=None).exists()
    assert all(a.unit_id == a.branch_id and a.code_digest for a in anonymous)
    assert not appeals.filter(is_anonymous=False, member=None).exists()
    open_ = appeals.filter(status__in=Appeal.OPEN_STATUSES)
    assert 0.005 < open_.count() / 3000 < 0.06
    assert 0.5 < appeals.filter(status="closed").count() / 3000
    now = timezone.now()
    escalated = appeals.exclude(escalation_unit=None)
    assert escalated.exists()
    assert not escalated.exclude(status__in=Appeal.OPEN_STATUSES).exists()
    assert not escalated.filter(answer_due__gte=now).exists()
    assert not open_.filter(answer_due__lt=now, escalation_unit=None).exists()
    span = now - appeals.order_by("submitted_at").first().submitted_at
    assert datetime.timedelta(days=600) < span < datetime.timedelta(days=731)  # anonymous times cut to the hour
    canteen = appeals.filter(category="canteen")
    assert canteen.exists()
    assert not canteen.exclude(department__name=DEPARTMENT_NAME).exists()
    assert not appeals.exclude(category="canteen").exclude(department=None).exists()
    welfare, other = appeals.filter(category="welfare").count(), appeals.filter(category="other").count()
    assert welfare > 2 * other  # skewed categories


def test_the_scale_benchmark_runs_end_to_end_on_sqlite(tmp_path, migrated_sqlite):
    out = tmp_path / "voices.json"
    _copy(migrated_sqlite, tmp_path / "v.sqlite3")
    result = _bench(
        ["bench.voices_scale", "--database", "sqlite", "--sqlite-path", str(tmp_path / "v.sqlite3"),
         "--members", "300", "--appeals", "2000", "--requests", "2", "--warmup", "0", "--deep", "1",
         "--json", str(out)],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["built"]["appeals"]["appeals"] == 2000
    pages = {(t["viewer"], t["label"]): t for t in data["timings"]}
    for viewer in ("bench-dept-handler", "bench-branch-chair", "demo-chair", "bench-federation-chair"):
        assert pages[(viewer, "queue: first page")]["path"] == "/voices/queue/"
    assert pages[("bench-federation-chair", "queue, all statuses: first page")]["status"] == "ok"
    for viewer in ("bench-branch-chair", "demo-chair", "bench-federation-chair"):
        assert (viewer, "alert dashboard") in pages
    # A page may be missing while it is being written (404), but none may fail.
    assert not [t for t in data["timings"] if t["status"].startswith("HTTP 5")]
    assert "| viewer" in result.stdout


def test_the_notify_storm_sends_each_message_once_even_through_failures(tmp_path, migrated_sqlite):
    out = tmp_path / "storm.json"
    template = ["--sqlite-template", str(migrated_sqlite)] if migrated_sqlite else []
    result = _bench(
        ["bench.notify_storm", "--databases", "sqlite", "--count", "50", "--users", "5", "--workers", "",
         "--fail-rate", "0.2", "--fail-workers", "1", "--backoff", "0.2", "--timeout", "60", "--grace", "1",
         "--json", str(out),
         *template],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    (database,) = json.loads(out.read_text())
    (failing,) = database["scenarios"]  # one worker against a robot that answers 500 to one request in five
    check = failing["check"]
    assert check["ok"] and check["distinct"] == 50 and check["missing"] == check["doubled"] == 0
    assert failing["deliveries"]["states"] == {"sent": 50}
    assert failing["memory"]["peak_rss_mb"] > 0
    assert check["refused_500"] > 0
    assert failing["deliveries"]["attempts"]["total"] == 50 + failing["check"]["refused_500"]
