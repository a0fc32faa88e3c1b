"""The vote storm's data: a union, a congress term with N seated representatives who can all log in, a
session in progress with everyone checked in, and votes ready to open.

Run as ``python -m bench.vote_storm_data --representatives 3000 --votes 6 --out FILE`` with the server's
environment (DATABASE_URL or UNIONHOME_SQLITE_PATH) after ``manage.py migrate``; it writes one JSON
object to FILE::

    {"password": ..., "session_cookie": "sessionid", "votes": [{"id": .., "options": [for, against, abstain]}, ..],
     "reps": [[login, session key], ..], "chair": session key, "build_seconds": ..}

Fast: rows go in with ``bulk_create``; the password is hashed ONCE (with the first of
``PASSWORD_HASHERS``, as a login would) and that hash is stored on every account. Each representative
also gets a signed-in session written straight into the session table (the data a password login
writes: user id, backend, session auth hash, login time), so that the window and burst scenarios need
not log 3,000 people in first; the login storm logs in with the password through the real form.
The votes are set up through ``vote_create`` (the service, with its audit event), as the chair.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time

N_BRANCHES = 30
PASSWORD = "bench-storm-passw0rd"
BACKEND = "unionhome.accounts.backends.LoginIdBackend"
JOBS = ("inspector", "analyst", "sampler", "logistics", "technician", "engineer")


def build(*, representatives: int = 3000, votes: int = 6, password: str = PASSWORD, seed: int = 4) -> dict:
    """Build the data set into the current database; returns what the clients need (see the module doc)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from unionhome.access.models import RoleAssignment
    from unionhome.accounts.models import User
    from unionhome.congress.models import CheckIn, Congress, CongressSession, Delegation, Representative
    from unionhome.congress.services.votes import VoteSpec, vote_create
    from unionhome.demo.chinese_names import full_name
    from unionhome.org.models import Member, OrgUnit
    from unionhome.org.names import pinyin_initials, pinyin_key
    from unionhome.org.services import org_recount_members

    started = time.monotonic()
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    encoded = make_password(password)  # hashed once, stored on every account
    with transaction.atomic():
        union = OrgUnit.objects.add_root({"name": "压力测试工会", "code": "STORM", "kind": OrgUnit.Kind.UNION})
        branches = []
        for b in range(min(N_BRANCHES, max(1, representatives))):
            branches.append(
                OrgUnit.objects.add_child(
                    OrgUnit.objects.get(pk=union.pk),
                    {"name": f"第{b + 1}分工会", "code": f"STORM-B{b + 1:02d}", "kind": OrgUnit.Kind.BRANCH},
                )
            )
        members = []
        for i in range(representatives):
            branch = branches[i % len(branches)]
            gender = "F" if rng.random() < 0.4 else "M"
            birth = datetime.date(1970 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
            name = full_name(rng, gender, birth.year)
            members.append(
                Member(
                    union=union,
                    unit=branch,
                    unit_path=branch.path,
                    employee_no=f"S{i + 1:06d}",
                    name=name,
                    name_pinyin=pinyin_key(name),
                    name_initials=pinyin_initials(name),
                    gender=gender,
                    birth_date=birth,
                    job_category=JOBS[i % len(JOBS)],
                    employment_form="permanent",
                    joined_on=datetime.date(2010, 1, 1),
                )
            )
        members = Member.objects.bulk_create(members, batch_size=1000)
        if members and members[0].pk is None:  # backends that do not return keys
            members = list(Member.objects.filter(union=union).order_by("employee_no"))
        org_recount_members([union.path])
        users = User.objects.bulk_create(
            [
                User(username=f"storm-rep-{i + 1:05d}", display_name=m.name, member=m, password=encoded)
                for i, m in enumerate(members)
            ],
            batch_size=1000,
        )
        if users and users[0].pk is None:
            users = list(User.objects.filter(username__startswith="storm-rep-").order_by("username"))
        chair = User.objects.create(username="storm-chair", display_name="压力测试主席", password=encoded)
        RoleAssignment.objects.create(user=chair, role="chair", unit=union)
        device = TOTPDevice.objects.create(user=chair, name="bench", confirmed=True)

        term = Congress.objects.create(
            unit=union,
            unit_path=union.path,
            number=1,
            name="压力测试工会第一届职工代表大会",
            starts_on=today - datetime.timedelta(days=100),
            ends_on=today + datetime.timedelta(days=1000),
        )
        per_branch = -(-representatives // len(branches))
        delegations = {
            b.pk: Delegation.objects.create(congress=term, unit=b, unit_path=b.path, quota=per_branch) for b in branches
        }
        reps = Representative.objects.bulk_create(
            [
                Representative(
                    congress=term,
                    delegation=delegations[m.unit_id],
                    member=m,
                    unit_path=m.unit_path,
                    category=Representative.Category.FRONT_LINE,
                    elected_on=term.starts_on,
                )
                for m in members
            ],
            batch_size=1000,
        )
        if reps and reps[0].pk is None:
            reps = list(Representative.objects.filter(congress=term))
        session = CongressSession.objects.create(
            congress=term,
            unit_path=term.unit_path,
            number=1,
            title="压力测试工会第一届职代会第一次会议",
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now + datetime.timedelta(hours=8),
            venue="大礼堂",
            status=CongressSession.Status.IN_PROGRESS,
        )
        CheckIn.objects.bulk_create(
            [CheckIn(session=session, representative=r, method=CheckIn.Method.QR_CODE) for r in reps],
            batch_size=1000,
        )
        made = []
        for v in range(votes):
            vote = vote_create(
                actor=chair, session=session, spec=VoteSpec(title=f"无记名表决：压力测试议案第{v + 1}号")
            )
            made.append({"id": vote.pk, "options": [o.pk for o in vote.options.all()]})
        rep_sessions = sessions_for(users)
        chair_session = sessions_for([chair], extra={"otp_device_id": device.persistent_id})[0]
    return {
        "password": password,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "union": union.pk,
        "session": session.pk,
        "votes": made,
        "reps": [[m.employee_no, key] for m, key in zip(members, rep_sessions, strict=True)],
        "chair": chair_session,
        "build_seconds": round(time.monotonic() - started, 2),
    }


def sessions_for(users, extra: dict | None = None) -> list[str]:
    """A signed-in session for each user, as a password login leaves it; returns the session keys."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from unionhome.accounts.middleware import LOGIN_TIME_KEY
    from unionhome.accounts.models import UserSession

    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys, rows = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": BACKEND,
            "_auth_user_hash": user.get_session_auth_hash(),
            LOGIN_TIME_KEY: time.time(),
            **(extra or {}),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    UserSession.objects.bulk_create(
        [UserSession(user=u, session_key=k) for u, k in zip(users, keys, strict=True)], batch_size=1000
    )
    return keys


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.vote_storm_data", description=__doc__.splitlines()[0])
    parser.add_argument("--representatives", type=int, default=3000)
    parser.add_argument("--votes", type=int, default=6)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()
    data = build(representatives=args.representatives, votes=args.votes)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(data, out)
    print(f"built in {data['build_seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
