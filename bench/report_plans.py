"""``python -m bench.report_plans [--scale 0.1] [--collation icu|c]``: the assistance report's queries and plans.

Starts a throw-away PostgreSQL (``tests.postgres``), creates the database with an ICU (zh) collation by
default (as a production server set up for Chinese would have: a plain b-tree then cannot answer
``LIKE 'prefix%'``, only a ``varchar_pattern_ops`` index can), migrates, and bulk-loads a federation at
``--scale`` of the issue's size (1M members, 50k hardship files, 500k assistance records, 2M visits,
spread over five years). Then for a branch, a union and the whole federation it runs
``selectors.reports.report_for`` for the latest year, prints each query's time and its plan
(``EXPLAIN (ANALYZE, BUFFERS)``) and the total. Not a benchmark of the page (see ``bench``): a check that
each query reads an index range of the subtree or of the year, never more than it must.
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal

FULL = {"members": 1_000_000, "files": 50_000, "assistance": 500_000, "visits": 2_000_000}
UNIONS, BRANCHES, GROUPS = 40, 12, 4
YEARS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_plans", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--collation", choices=["icu", "c"], default="icu")
    parser.add_argument("--plans", action="store_true", help="print every plan, not only the slow ones")
    parser.add_argument("--profile", action="store_true", help="profile the Python side of each report")
    args = parser.parse_args(argv)
    from tests.postgres import temporary_postgres

    with temporary_postgres() as url:
        _create_database(url, args.collation)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        units = _load(args.scale)
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
        _explain(units, show_all=args.plans, profile=args.profile)
    return 0


def _create_database(url: str, collation: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if collation == "icu":
            conn.execute(
                "CREATE DATABASE unionhome TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'zh'"
            )
        else:
            conn.execute("CREATE DATABASE unionhome TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")


def _load(scale: float) -> dict:
    from django.db import connection, transaction

    from unionhome.accounts.models import User
    from unionhome.assistance.models import (
        AidApplication,
        AidCampaign,
        AidTier,
        Assistance,
        BudgetLine,
        FollowUp,
        HardshipCause,
        HardshipFile,
        Payment,
        Visit,
    )
    from unionhome.org.models import Member, OrgUnit

    rng = random.Random(2026)
    sizes = {name: max(1, int(n * scale)) for name, n in FULL.items()}
    this_year = datetime.date.today().year
    years = list(range(this_year - YEARS + 1, this_year + 1))

    def day(year: int) -> datetime.date:
        return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))

    def bulk(model, rows, batch=5000):
        model.objects.bulk_create(rows, batch_size=batch)

    with transaction.atomic():
        root = OrgUnit.objects.add_root({"name": "全国联合会", "code": "FED", "kind": "federation"})
        unions, groups = [], []
        for u in range(UNIONS):
            union = OrgUnit.objects.add_child(root, {"name": f"工会{u}", "code": f"U{u}", "kind": "union"})
            unions.append(union)
            for b in range(BRANCHES):
                fields = {"name": f"分工会{u}-{b}", "code": f"U{u}B{b}", "kind": "branch"}
                branch = OrgUnit.objects.add_child(union, fields)
                for g in range(GROUPS):
                    fields = {"name": f"小组{u}-{b}-{g}", "code": f"U{u}B{b}G{g}", "kind": "group"}
                    groups.append((union, OrgUnit.objects.add_child(branch, fields)))
        user = User.objects.create_user("bench-officer", "x-very-long-password-1")
        checker = User.objects.create_user("bench-checker", "x-very-long-password-2")
        members = []
        for n in range(sizes["members"]):
            union, group = groups[n % len(groups)]
            members.append(
                Member(
                    union=union,
                    unit=group,
                    unit_path=group.path,
                    employee_no=f"E{n:07d}",
                    name="张三",
                    name_pinyin="zhang san",
                    name_initials="zs",
                    gender="M",
                    birth_date=datetime.date(1980, 1, 1),
                    job_category="inspector",
                    employment_form="permanent",
                    joined_on=datetime.date(2010, 1, 1),
                )
            )
        bulk(Member, members)
        members = list(Member.objects.values_list("id", "unit_path", "union_id"))
        lines = {}
        for union in unions:
            for year in years:
                for source in ("union_funds", "company"):
                    lines[(union.pk, year, source)] = BudgetLine(
                        unit=union,
                        unit_path=union.path,
                        name=f"{year}{source}",
                        fund_source=source,
                        year=year,
                        amount=Decimal("100000000.00"),
                    )
        bulk(BudgetLine, list(lines.values()))
        lines = {(line.unit_id, line.year, line.fund_source): line for line in BudgetLine.objects.all()}

        files, causes = [], []
        for member_id, path, union_id in rng.sample(members, sizes["files"]):
            year = rng.choice(years)
            activated = day(year)
            exited = rng.random() < 0.3
            closed = activated + datetime.timedelta(days=rng.randrange(30, 700)) if exited else None
            files.append(
                HardshipFile(
                    member_id=member_id,
                    union_id=union_id,
                    unit_path=path,
                    state="exited" if exited else "active",
                    level=rng.choice(["deep", "relative", "sudden"]),
                    activated_on=activated,
                    closed_on=closed,
                )
            )
        bulk(HardshipFile, files)
        for file_id in HardshipFile.objects.values_list("id", flat=True):
            for cause in rng.sample(["illness", "disability", "low_income", "schooling", "single_parent"], 2):
                causes.append(HardshipCause(file_id=file_id, cause=cause))
        bulk(HardshipCause, causes)

        helps = []
        for _ in range(sizes["assistance"]):
            member_id, path, union_id = rng.choice(members)
            year = rng.choice(years)
            money = rng.random() < 0.7
            helps.append(
                Assistance(
                    member_id=member_id,
                    unit_path=path,
                    kind=rng.choice(["cash", "goods", "medical"]) if money else rng.choice(["job", "legal"]),
                    amount=Decimal(rng.randrange(100, 5000)) if money else None,
                    budget_line=lines[(union_id, year, rng.choice(["union_funds", "company"]))] if money else None,
                    description="帮扶",
                    status="delivered",
                    requested_by=user,
                    decided_by=checker,
                    responsible=user,
                    delivered_on=day(year),
                )
            )
        bulk(Assistance, helps)
        payments, follow_ups = [], []
        for help_id, path, member_id, amount, line_id, delivered in Assistance.objects.values_list(
            "id", "unit_path", "member_id", "amount", "budget_line_id", "delivered_on"
        ).iterator(chunk_size=10000):
            if amount is not None:
                payments.append(
                    Payment(
                        budget_line_id=line_id,
                        unit_path=path,
                        kind="payment",
                        amount=amount,
                        assistance_id=help_id,
                        payee_id=member_id,
                        paid_by=user,
                    )
                )
            for sequence, days in ((1, 30), (2, 90)):
                due = delivered + datetime.timedelta(days=days)
                done = due + datetime.timedelta(days=rng.randrange(-10, 20)) if due.year < this_year else None
                follow_ups.append(
                    FollowUp(
                        assistance_id=help_id,
                        unit_path=path,
                        sequence=sequence,
                        due_on=due,
                        responsible=user,
                        done_on=done,
                        grade=rng.choice(["resolved", "improved", "unchanged", "worse"]) if done else "",
                    )
                )
        bulk(Payment, payments)
        bulk(FollowUp, follow_ups)
        # Payment dates: spread over the years (auto_now_add gave them all "now").
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE assistance_payment p "
                "SET paid_at = (a.delivered_on + time '10:00') AT TIME ZONE 'Asia/Shanghai' "
                "FROM assistance_assistance a WHERE a.id = p.assistance_id"
            )

        visits = []
        for _ in range(sizes["visits"]):
            member_id, path, _union = rng.choice(members)
            year = rng.choice(years)
            due = day(year)
            done = rng.random() < 0.8
            visits.append(
                Visit(
                    member_id=member_id,
                    unit_path=path,
                    occasion=rng.choice(["illness", "winter", "summer", "childbirth", "bereavement"]),
                    status="done" if done else rng.choice(["due", "cancelled"]),
                    due_by=due,
                    visited_on=due + datetime.timedelta(days=rng.randrange(-5, 10)) if done else None,
                )
            )
        bulk(Visit, visits)

        applications = []
        for union in unions:
            for year in years:
                campaign = AidCampaign.objects.create(
                    unit=union,
                    unit_path=union.path,
                    name=f"{year}金秋助学",
                    year=year,
                    opens_on=datetime.date(year, 7, 1),
                    closes_on=datetime.date(year, 8, 31),
                    budget_line=lines[(union.pk, year, "union_funds")],
                )
                tier = AidTier.objects.create(campaign=campaign, name="本科", amount=Decimal("5000.00"))
                in_union = [m for m in members[: len(members) // 20] if m[2] == union.pk]
                for i, (member_id, path, _union) in enumerate(in_union):
                    applications.append(
                        AidApplication(
                            campaign=campaign,
                            member_id=member_id,
                            unit_path=path,
                            child_name="孩子",
                            child_id_number="x",
                            child_key=f"{campaign.pk}-{i}",
                            school="大学",
                            admitted_year=year,
                            tier=tier,
                            amount=Decimal("5000.00"),
                            status=rng.choice(["submitted", "approved", "rejected", "paid"]),
                        )
                    )
        bulk(AidApplication, applications, batch=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts = {
        "members": len(members),
        "files": HardshipFile.objects.count(),
        "assistance": Assistance.objects.count(),
        "payments": Payment.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "visits": Visit.objects.count(),
        "aid applications": AidApplication.objects.count(),
    }
    print(", ".join(f"{n:,} {name}" for name, n in counts.items()), flush=True)
    union = unions[0]
    branch = OrgUnit.objects.filter(path__startswith=union.path, depth=3).order_by("path").first()
    return {"branch": branch, "union": union, "federation": root, "user": user}


def _explain(units: dict, *, show_all: bool, profile: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import User
    from unionhome.assistance.selectors.reports import report_for

    viewer = User.objects.create_user("bench-chair", "x-very-long-password-3")
    RoleAssignment.objects.create(user=viewer, role="chair", unit=units["federation"])
    year = datetime.date.today().year - 1
    for label in ("branch", "union", "federation"):
        unit = units[label]
        timings = []
        for _ in range(4):  # the first warms the caches
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                report = report_for(viewer, unit, year)
            timings.append((time.perf_counter() - started) * 1000)
        total_ms = min(timings[1:])
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(report_for, viewer, unit, year)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(
            f"\n=== {label} {unit.name} ({unit.path}), {year}: {total_ms:.1f} ms (best of 3), "
            f"{len(captured.captured_queries)} queries; "
            f"{report.files.active_during} files, {report.assistance.count} assistance, {report.visits.due} visits due"
        )
        for query in captured.captured_queries:
            sql = query["sql"]
            with connection.cursor() as cursor:
                runs = []
                for _ in range(3):
                    began = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    runs.append((time.perf_counter() - began) * 1000)
            ms = min(runs)
            print(f"\n-- {ms:.1f} ms (best of 3): {sql[:160]}…")
            if not show_all and ms < 5:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for row in cursor.fetchall():
                    print("   ", row[0])


if __name__ == "__main__":
    sys.exit(main())
