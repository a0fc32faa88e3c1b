"""The Excel roster import at scale: ``python -m bench.roster_import --rows 100000 [--postgres | --database-url URL]``.

``measure(rows, database_url)`` builds a fresh database (a temporary SQLite file, or a new database
on the given PostgreSQL server), migrates it, creates the reference union's tree with an importing
cadre, writes an N-row valid roster (unique employee numbers, checksum-valid ID numbers, distinct
mobiles, units by code and by name, some tags) with openpyxl, and then, in a process of its own
whose settings point at that database, uploads it through ``roster_import_start`` and runs the real
django-tasks database worker until the import has finished. It returns the wall time of upload plus
run and the peak resident memory of that process. Target: 100,000 rows in under 60 s.
"""

import argparse
import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平".split()
BRANCHES = [(f"S0{i}", f"第{'一二三四五六七'[i - 1]}检验站分工会") for i in range(1, 8)] + [
    ("S08", "煤炭检验分工会"),
    ("S09", "原料检验分工会"),
]
GROUPS = ["甲班", "乙班", "丙班"]


# --- the parent: fresh database, child processes, clean-up ---------------------------------------


def _child_env(workdir: Path, database_url: str | None, rows: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UNIONHOME_SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "unionhome.settings",
            "PYTHONPATH": str(ROOT),
            "UNIONHOME_VAR_DIR": str(workdir),  # uploads go to workdir/uploads
            "UNIONHOME_IMPORT_MAX_ROWS": str(max(rows, 200_000)),
            "UNIONHOME_MAX_UPLOAD_BYTES": str(max(20 * 1024 * 1024, rows * 200)),
            "UNIONHOME_LOG_LEVEL": "ERROR",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["UNIONHOME_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def _child(mode: str, workdir: Path, env: dict[str, str], rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.roster_import", "--child", mode, "--rows", str(rows), "--dir", str(workdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"bench.roster_import --child {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def _fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of ``url`` (created from its "postgres" database); dropped afterwards."""
    import psycopg

    parsed = urlparse(url)
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    name = f"bench_roster_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(rows: int, database_url: str | None = None) -> dict:
    """Import an N-row roster into a fresh database; returns {"rows", "seconds", "peak_rss_mb"} and details."""
    workdir = Path(tempfile.mkdtemp(prefix="unionhome-bench-import-"))
    try:
        with _fresh_postgres_database(database_url) if database_url else contextlib.nullcontext(None) as url:
            env = _child_env(workdir, url, rows)
            prepared = _child("prepare", workdir, env, rows)
            result = _child("run", workdir, env, rows)
        if result["status"] != "done" or result["created"] != rows:
            raise RuntimeError(f"the import did not complete: {result}")
        return {
            "rows": rows,
            "seconds": round(result["seconds"], 2),
            "cpu_seconds": round(result["cpu_seconds"], 2),
            "peak_rss_mb": round(result["peak_rss_mb"], 1),
            "baseline_rss_mb": round(result["baseline_rss_mb"], 1),
            "file_mb": round(prepared["file_bytes"] / 2**20, 1),
            "database": "postgresql" if database_url else "sqlite",
            "reimport_seconds": round(result["reimport_seconds"], 2) if "reimport_seconds" in result else None,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- the children: they run with the bench database in their settings ----------------------------


def _prepare(rows: int, workdir: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import Workbook
    from stdnum.cn import ric

    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import User
    from unionhome.demo.identities import regions_valid_in
    from unionhome.org.models import MemberTag, OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    union = OrgUnit.objects.add_root({"name": "技术中心工会", "code": "TC", "kind": "union"})
    units: list[tuple[str, str]] = []  # (code, name): the roster names half of them by code, half by name
    for code, name in BRANCHES:
        branch = OrgUnit.objects.add_child(
            OrgUnit.objects.get(pk=union.pk), {"name": name, "code": code, "kind": "branch"}
        )
        for i, group in enumerate(GROUPS, start=1):
            g = OrgUnit.objects.add_child(
                OrgUnit.objects.get(pk=branch.pk),
                {"name": f"{name[:3]}{group}", "code": f"{code}-G{i}", "kind": "group"},
            )
            units.append((g.code, g.name))
    MemberTag.objects.bulk_create([MemberTag(code="women", name="女职工"), MemberTag(code="model-worker", name="劳模")])
    cadre = User.objects.create_user("bench-chair", None, display_name="bench chair")
    RoleAssignment.objects.create(user=cadre, role="chair", unit=union)

    jobs = ["inspector", "analyst", "sampler", "technician", "engineer"]
    forms = ["permanent", "fixed_term", "dispatched"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append("工号 姓名 性别 出生日期 身份证号 手机号 所属单位 岗位类别 用工形式 入会日期 标签".split())
    base = datetime.date(1965, 1, 1)
    for n in range(rows):
        gender = "M" if n % 2 else "F"
        birth = base + datetime.timedelta(days=n % 12000)
        order = (n // 12000) * 2 + (1 if gender == "M" else 2)
        body = f"{regions_valid_in(birth.year)[0]}{birth:%Y%m%d}{order:03d}"
        code, name = units[n % len(units)]
        sheet.append(
            [
                f"B{n:07d}",
                SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)],
                "男" if gender == "M" else "女",
                birth,
                body + ric.calc_check_digit(body + "0"),
                f"{(135, 136, 137, 138, 150, 151, 186, 187)[n % 8]}{n:08d}",
                code if n % 2 else name,
                jobs[n % len(jobs)],
                forms[n % len(forms)],
                datetime.date(2000 + n % 24, 1 + n % 12, 1),
                ("女职工" if gender == "F" else "") + ("、劳模" if n % 50 == 0 else ""),
            ]
        )
    path = workdir / "roster.xlsx"
    workbook.save(path)
    return {"file": str(path), "file_bytes": path.stat().st_size, "user": cadre.pk}


def _import_once(user, path: Path) -> tuple[float, float, object]:
    import resource

    from django.core.files import File

    from unionhome.org.models import MemberImport
    from unionhome.org.roster_import import roster_import_start
    from unionhome.server.task_worker import task_worker

    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with path.open("rb") as fh:
        job = roster_import_start(actor=user, upload=File(fh, name=path.name), language="zh-hans")
    task_worker(worker_id="bench", batch=True, interval=0).run()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return seconds, cpu, MemberImport.objects.get(pk=job.pk)


def _run(workdir: Path) -> dict:
    import resource

    import django

    django.setup()
    from unionhome.accounts.models import User

    user = User.objects.get(username="bench-chair")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, cpu, job = _import_once(user, workdir / "roster.xlsx")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    result = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        "status": job.status,
        "created": job.created_count,
        "errors": job.errors[:5],
        "message": job.message,
    }
    if os.environ.get("BENCH_REIMPORT") == "1" and job.status == "done":
        again, _cpu, second = _import_once(user, workdir / "roster.xlsx")
        result["reimport_seconds"] = again
        result["reimport_unchanged"] = second.unchanged_count
    return result


# --- command line ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roster_import", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--postgres", action="store_true", help="start a throw-away PostgreSQL (tests/postgres.py)")
    parser.add_argument("--reimport", action="store_true", help="also time importing the same file again")
    parser.add_argument("--child", choices=["prepare", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = _prepare(args.rows, args.dir) if args.child == "prepare" else _run(args.dir)
        print(json.dumps(result, default=str))
        return 0
    if args.reimport:
        os.environ["BENCH_REIMPORT"] = "1"
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from tests.postgres import temporary_postgres

        with temporary_postgres() as url:
            result = measure(args.rows, url)
    else:
        result = measure(args.rows, args.database_url)
    print(json.dumps(result))
    verdict = "ok" if args.rows < 100_000 or result["seconds"] < 60 else "MISSED (target: 100,000 rows < 60 s)"
    print(
        f"{result['database']}: {result['rows']:,} rows imported in {result['seconds']:.1f} s, "
        f"(CPU {result['cpu_seconds']:.1f} s in the importing process), "
        f"peak RSS {result['peak_rss_mb']:.0f} MB ({verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
