"""The congress sessions demo (``unionhome/demo/congress_sessions.build``) on the reference union: one
delegation per branch with proportional quotas, a composition that meets the term's thresholds, demo-rep
seated for 第一检验站, the second session in progress with everyone checked in, departments with handlers."""

import pytest
from django.db import transaction
from django.db.models import Count, Q

from unionhome.access.policy import can
from unionhome.accounts.models import User
from unionhome.congress.models import CheckIn, CongressSession, HandlingDepartment, Representative
from unionhome.congress.selectors.sessions import composition, session_counts
from unionhome.congress.services.check_in import check_in_by_code
from unionhome.demo import congress_sessions, loader, shape
from unionhome.org.models import Member, OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo is built once for this module, in a transaction rolled back after its last test; each test
    runs in a savepoint inside it (pytest-django's ``db``), so what one test writes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        loader.load(members=shape.REFERENCE_SIZE)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded):
    union = OrgUnit.objects.get(code=shape.REFERENCE_UNION_CODE)
    # The loader builds the congress (``congress_data.load_congress`` calls ``congress_sessions.build``).
    session = CongressSession.objects.get(congress__unit=union, status=CongressSession.Status.IN_PROGRESS)
    return union, session


def test_the_demo_term_has_proportional_delegations_and_a_realistic_composition(demo):
    union, session = demo
    term = session.congress
    assert term.number == 3 and term.name.endswith("第三届职工代表大会")
    delegations = list(
        term.delegations.select_related("unit").annotate(
            seated=Count("representatives", filter=Q(representatives__status="seated"))
        )
    )
    assert len(delegations) == len(shape.BRANCHES)
    for d in delegations:
        active = Member.objects.filter(unit_path__startswith=d.unit_path, status="active").count()
        assert d.quota == max(3, round(active / 10)) and d.seated == d.quota, d.unit.name
        assert not Representative.objects.filter(delegation=d).exclude(member__unit_path__startswith=d.unit_path)
    checks = {c.code: c for c in composition(term)}
    assert all(c.met for c in checks.values()), [(c.code, c.percent, c.threshold) for c in checks.values()]
    assert checks["front_line"].percent >= 55 and checks["management"].percent <= 15
    workforce_women = (
        Member.objects.filter(union=union, status="active", gender="F").count()
        / Member.objects.filter(union=union, status="active").count()
    )
    assert abs(checks["women"].percent / 100 - workforce_women) < 0.08


def test_demo_rep_sits_for_the_first_station_and_is_checked_in(demo):
    union, session = demo
    rep = Representative.objects.select_related("delegation__unit").get(
        member=User.objects.get(username="demo-rep").member, congress=session.congress
    )
    assert rep.delegation.unit.name == "第一检验站分工会" and rep.status == "seated"
    assert session.status == "in_progress" and session.title.endswith("第二次会议")
    counts = session_counts(session)
    assert counts["present"] == counts["seated"] == Representative.objects.filter(congress=session.congress).count()
    assert set(CheckIn.objects.filter(session=session).values_list("method", flat=True)) == {"clerk"}
    first = CongressSession.objects.get(congress=session.congress, number=1)
    assert first.status == "closed" and first.starts_at < session.starts_at
    # Checking in again from the phone is harmless.
    result = check_in_by_code(actor=User.objects.get(username="demo-rep"), session=session, code=session.check_in_code)
    assert result.already


def test_demo_departments_have_handlers_and_demo_chair_runs_the_congress(demo):
    union, session = demo
    departments = HandlingDepartment.objects.filter(unit=union).order_by("name")
    assert sorted(d.name for d in departments) == sorted(congress_sessions.DEPARTMENTS)
    for d in departments:
        handlers = list(d.handlers.all())
        assert handlers and all(u.username.startswith("handler-") and not u.has_usable_password() for u in handlers)
    chair = User.objects.get(username="demo-chair")
    for permission in ("congress.manage", "congress.check_in", "congress.manage_departments"):
        assert can(chair, permission, session)
