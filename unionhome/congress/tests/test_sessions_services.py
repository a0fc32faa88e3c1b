"""Terms, sessions, delegations and representatives: the services' rules, guards and permissions, and the
composition checks and present count computed in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import CheckIn, Congress, CongressSession, Delegation, Representative
from unionhome.congress.selectors.sessions import CompositionCheck, composition, session_counts
from unionhome.congress.services import representatives as reps
from unionhome.congress.services import sessions as services
from unionhome.congress.tests import sessions_records as records

pytestmark = pytest.mark.django_db


def term_fields(c, **over):
    fields = {
        "number": 4,
        "name": "第四届职工代表大会",
        "starts_on": c["today"],
        "ends_on": c["today"] + datetime.timedelta(days=1800),
    }
    return fields | over


# --- terms ---------------------------------------------------------------------------------------


def test_the_office_sets_up_a_term(congress):
    term = services.congress_create(
        actor=congress["office"], union=congress["union"]["union"], min_women_percent=35, **term_fields(congress)
    )
    assert (term.number, term.unit_path, term.min_women_percent) == (4, congress["union"]["union"].path, 35)
    assert AuditEvent.objects.filter(action="congress.term.created", object_id=str(term.pk)).exists()


@pytest.mark.parametrize("who", ["cadre", "member", "committee", "auditor"])
def test_only_the_office_and_chairs_set_up_terms(congress, who):
    with pytest.raises(PermissionRefused, match="congress.manage"):
        services.congress_create(actor=congress[who], union=congress["union"]["union"], **term_fields(congress))
    assert Congress.objects.count() == 1


@pytest.mark.parametrize(
    "over, field",
    [
        ({"number": 3}, "number"),  # the fixture's term
        ({"name": "  "}, "name"),
        ({"ends_on": datetime.date(2000, 1, 1)}, "ends_on"),
        ({"min_women_percent": 101}, "min_women_percent"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(congress, over, field):
    with pytest.raises(ValidationError) as exc:
        services.congress_create(
            actor=congress["office"], union=congress["union"]["union"], **term_fields(congress, **over)
        )
    assert field in exc.value.message_dict
    assert Congress.objects.count() == 1


def test_a_term_belongs_to_a_union_not_a_branch(congress):
    with pytest.raises(ValidationError) as exc:
        services.congress_create(actor=congress["chair"], union=congress["union"]["s1"], **term_fields(congress))
    assert "union" in exc.value.message_dict


def test_a_term_is_updated_and_audited(congress):
    term = services.congress_update(actor=congress["office"], congress=congress["term"], min_front_line_percent=60)
    assert term.min_front_line_percent == 60
    event = AuditEvent.objects.get(action="congress.term.updated")
    assert event.changes["min_front_line_percent"] == ["50", "60"]
    with pytest.raises(ValidationError):
        services.congress_update(
            actor=congress["office"], congress=term, ends_on=term.starts_on - datetime.timedelta(days=1)
        )


# --- sessions ------------------------------------------------------------------------------------


def test_a_session_is_planned_opened_and_closed(congress):
    now = congress["session"].starts_at
    session = services.session_create(
        actor=congress["office"],
        congress=congress["term"],
        number=3,
        title="第三次会议",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=4),
        venue="礼堂",
    )
    assert session.status == "planned" and session.unit_path == congress["term"].unit_path
    assert services.allowed_transitions(session) == ["in_progress"]
    session = services.session_set_status(actor=congress["office"], session=session, status="in_progress")
    assert session.status == "in_progress"
    session = services.session_set_status(actor=congress["chair"], session=session, status="closed")
    assert session.status == "closed" and services.allowed_transitions(session) == []
    actions = list(AuditEvent.objects.filter(object_id=str(session.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["congress.session.created", "congress.session.opened", "congress.session.closed"]


@pytest.mark.parametrize("start, to", [("closed", "in_progress"), ("planned", "closed"), ("closed", "planned")])
def test_other_status_moves_are_refused(congress, start, to):
    session = records.session(congress["term"], number=5, status=start)
    with pytest.raises(ValidationError) as exc:
        services.session_set_status(actor=congress["office"], session=session, status=to)
    assert "status" in exc.value.message_dict
    session.refresh_from_db()
    assert session.status == start


def test_session_guards(congress):
    office, term, now = congress["office"], congress["term"], congress["session"].starts_at
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=office, congress=term, number=2, title="x", starts_at=now, ends_at=now)
    assert "number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            actor=office, congress=term, number=9, title="x", starts_at=now, ends_at=now - datetime.timedelta(hours=1)
        )
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(PermissionRefused):
        services.session_set_status(actor=congress["cadre"], session=congress["session"], status="closed")
    closed = records.session(term, number=1, status="closed", days=-200)
    with pytest.raises(ValidationError):
        services.session_update(actor=office, session=closed, title="y", starts_at=now, ends_at=now)
    assert CongressSession.objects.count() == 2


def test_a_new_check_in_code_replaces_the_old(congress):
    old = congress["session"].check_in_code
    session = services.session_new_check_in_code(actor=congress["office"], session=congress["session"])
    assert session.check_in_code != old and len(session.check_in_code) >= 16
    event = AuditEvent.objects.get(action="congress.session.check_in_code_drawn")
    assert session.check_in_code not in str(event.changes)
    with pytest.raises(PermissionRefused):
        services.session_new_check_in_code(actor=congress["rep_users"][0], session=session)


# --- delegations and representatives -------------------------------------------------------------


def test_seating_beyond_the_quota_is_refused_clearly(congress):
    s1 = congress["delegations"]["s1"]  # 4 seats, 4 seated
    newcomer = records.member(congress["union"]["g12"], "陈新")
    with pytest.raises(ValidationError) as exc:
        reps.representative_seat(actor=congress["office"], delegation=s1, member=newcomer, category="front_line")
    assert "第一检验站分工会 has 4 seats and all are taken" in exc.value.messages[0]
    assert not Representative.objects.filter(member=newcomer).exists()
    reps.delegation_set_quota(actor=congress["office"], delegation=s1, quota=5)
    seat = reps.representative_seat(actor=congress["office"], delegation=s1, member=newcomer, category="technical")
    assert (seat.status, seat.unit_path, seat.congress_id) == ("seated", s1.unit_path, congress["term"].pk)
    assert AuditEvent.objects.filter(action="congress.representative.seated").count() == 1


def test_a_member_is_seated_only_from_the_units_subtree_once_and_active(congress):
    office, s1 = congress["office"], congress["delegations"]["s1"]
    reps.delegation_set_quota(actor=office, delegation=s1, quota=10)
    with pytest.raises(ValidationError) as exc:  # station 2's member
        reps.representative_seat(actor=office, delegation=s1, member=congress["s2_member"], category="front_line")
    assert "is not a member of 第一检验站分工会" in exc.value.message_dict["member"][0]
    with pytest.raises(ValidationError) as exc:  # already seated
        reps.representative_seat(actor=office, delegation=s1, member=congress["reps"][0].member, category="front_line")
    assert "already seated in this term" in exc.value.message_dict["member"][0]
    retired = records.member(congress["union"]["g11"], "退休者", status="retired")
    with pytest.raises(ValidationError) as exc:
        reps.representative_seat(actor=office, delegation=s1, member=retired, category="front_line")
    assert "member" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        reps.representative_seat(actor=office, delegation=s1, member=congress["other_s1"], category="boss")
    assert "category" in exc.value.message_dict
    assert Representative.objects.count() == 8


def test_withdrawing_frees_the_seat_and_the_member_can_be_seated_again(congress):
    office, s1 = congress["office"], congress["delegations"]["s1"]
    first = congress["reps"][0]
    seat = reps.representative_withdraw(actor=office, representative=first, note="调离")
    assert (seat.status, seat.withdrawn_on, seat.note) == ("withdrawn", congress["today"], "调离")
    with pytest.raises(ValidationError, match="already been withdrawn"):
        reps.representative_withdraw(actor=office, representative=first)
    newcomer = records.member(congress["union"]["g11"], "陈新")
    reps.representative_seat(actor=office, delegation=s1, member=newcomer, category="front_line")
    with pytest.raises(ValidationError):  # full again
        reps.representative_seat(actor=office, delegation=s1, member=first.member, category="front_line")
    reps.representative_withdraw(actor=office, representative=Representative.objects.get(member=newcomer))
    again = reps.representative_seat(actor=office, delegation=s1, member=first.member, category="management")
    assert again.pk == first.pk and (again.status, again.withdrawn_on, again.category) == ("seated", None, "management")


def test_a_withdrawal_cannot_come_before_the_election(congress):
    rep = congress["reps"][1]
    with pytest.raises(ValidationError) as exc:
        reps.representative_withdraw(
            actor=congress["office"], representative=rep, withdrawn_on=rep.elected_on - datetime.timedelta(days=1)
        )
    assert "withdrawn_on" in exc.value.message_dict
    assert Representative.objects.get(pk=rep.pk).status == "seated"


def test_delegation_rules(congress):
    office, term = congress["office"], congress["term"]
    other_union = factories.unit(None, "另一工会", "union", code="OU")
    with pytest.raises(ValidationError, match="belong to the union"):
        reps.delegation_create(actor=office, congress=term, unit=other_union, quota=3)
    with pytest.raises(ValidationError, match="already has a delegation"):
        reps.delegation_create(actor=office, congress=term, unit=congress["union"]["s1"], quota=3)
    with pytest.raises(ValidationError) as exc:
        reps.delegation_set_quota(actor=office, delegation=congress["delegations"]["s1"], quota=3)
    assert "4 representatives are seated" in exc.value.message_dict["quota"][0]
    with pytest.raises(PermissionRefused):
        reps.delegation_create(actor=congress["cadre"], congress=term, unit=congress["union"]["g12"], quota=3)
    delegation = reps.delegation_create(actor=office, congress=term, unit=congress["union"]["g12"], quota=3)
    assert delegation.unit_path == congress["union"]["g12"].path
    assert Delegation.objects.filter(congress=term).count() == 3


# --- composition and counts ----------------------------------------------------------------------


def by_code(checks: list[CompositionCheck]) -> dict[str, CompositionCheck]:
    return {c.code: c for c in checks}


def test_composition_counts_seated_representatives_against_the_thresholds(congress, django_assert_num_queries):
    term = congress["term"]
    with django_assert_num_queries(1):
        checks = by_code(composition(term))
    # 8 seated: 7 front-line, 3 women (赵一, 李四四, 郑七), 1 management; defaults 50 / 30 / 20.
    assert [(c.count, c.total, c.met) for c in checks.values()] == [(7, 8, True), (3, 8, True), (1, 8, True)]
    assert checks["women"].percent == 37.5
    term.min_front_line_percent, term.min_women_percent, term.max_management_percent = 90, 40, 10
    checks = by_code(composition(term))
    assert [c.met for c in checks.values()] == [False, False, False]
    reps.representative_withdraw(actor=congress["office"], representative=congress["reps"][7])  # the manager
    checks = by_code(composition(term))
    assert (checks["management"].count, checks["management"].total, checks["management"].met) == (0, 7, True)


def test_an_empty_term_meets_nothing(congress):
    term = records.other_term(congress["union"]["union"])
    assert [c.met for c in composition(term)] == [False, False, False]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    count=st.integers(0, 500),
    extra=st.integers(0, 500),
    threshold=st.integers(0, 100),
    at_least=st.booleans(),
)
def test_a_check_is_met_exactly_at_the_threshold(count, extra, threshold, at_least):
    total = count + extra
    check = CompositionCheck("x", "x", count, total, threshold, at_least)
    if total == 0:
        assert not check.met
    elif at_least:
        assert check.met == (count / total * 100 >= threshold - 1e-9) == (count * 100 >= threshold * total)
    else:
        assert check.met == (count * 100 <= threshold * total)


def test_session_counts_in_one_query(congress, django_assert_num_queries):
    session, reps_ = congress["session"], congress["reps"]
    CheckIn.objects.create(session=session, representative=reps_[0], method="clerk")
    CheckIn.objects.create(session=session, representative=reps_[1], method="qr_code")
    other = records.session(congress["term"], number=1, status="closed", days=-100)
    CheckIn.objects.create(session=other, representative=reps_[2], method="clerk")  # another session
    reps.representative_withdraw(actor=congress["office"], representative=reps_[1])  # no longer counted
    with django_assert_num_queries(1):
        counts = session_counts(session)
    assert counts == {"seated": 7, "present": 1}
