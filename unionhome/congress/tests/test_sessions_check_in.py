"""Check-in services: by the hall's QR code (the representative) and by a clerk; guards and permissions."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import PermissionRefused
from unionhome.audit.models import AuditEvent
from unionhome.congress.models import CheckIn
from unionhome.congress.selectors.sessions import session_counts
from unionhome.congress.services import representatives as reps
from unionhome.congress.services import sessions as sessions_services
from unionhome.congress.services.check_in import check_in_by_clerk, check_in_by_code
from unionhome.congress.tests import sessions_records as records

pytestmark = pytest.mark.django_db


def test_a_representative_checks_in_with_the_halls_code(congress):
    session, user = congress["session"], congress["rep_users"][0]
    result = check_in_by_code(actor=user, session=session, code=session.check_in_code)
    assert result.created and not result.already
    check_in = result.check_in
    assert (check_in.representative_id, check_in.method, check_in.recorded_by) == (
        congress["reps"][0].pk,
        "qr_code",
        None,
    )
    event = AuditEvent.objects.get(action="congress.check_in.recorded")
    assert event.changes["method"] == "qr_code" and session.check_in_code not in str(event.changes)
    assert session_counts(session) == {"seated": 8, "present": 1}


def test_checking_in_twice_changes_nothing(congress):
    session, user = congress["session"], congress["rep_users"][0]
    first = check_in_by_code(actor=user, session=session, code=session.check_in_code)
    again = check_in_by_code(actor=user, session=session, code=session.check_in_code)
    by_clerk = check_in_by_clerk(actor=congress["office"], session=session, representative=congress["reps"][0])
    assert again.already and by_clerk.already
    assert again.check_in.pk == by_clerk.check_in.pk == first.check_in.pk
    assert CheckIn.objects.count() == 1 and AuditEvent.objects.filter(action="congress.check_in.recorded").count() == 1


def test_a_wrong_or_replaced_code_is_refused(congress):
    session, user = congress["session"], congress["rep_users"][0]
    with pytest.raises(ValidationError) as exc:
        check_in_by_code(actor=user, session=session, code="not-the-code")
    assert "not valid" in exc.value.message_dict["code"][0]
    old = session.check_in_code
    sessions_services.session_new_check_in_code(actor=congress["office"], session=session)
    with pytest.raises(ValidationError):
        check_in_by_code(actor=user, session=session, code=old)
    with pytest.raises(ValidationError):
        check_in_by_code(actor=user, session=session, code="")
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("status", ["planned", "closed"])
def test_only_a_session_in_progress_takes_check_ins(congress, status):
    session = records.session(congress["term"], number=7, status=status)
    with pytest.raises(ValidationError, match="only while the session is in progress"):
        check_in_by_code(actor=congress["rep_users"][0], session=session, code=session.check_in_code)
    with pytest.raises(ValidationError, match="only while the session is in progress"):
        check_in_by_clerk(actor=congress["office"], session=session, representative=congress["reps"][0])
    assert CheckIn.objects.count() == 0


def test_a_withdrawn_representative_cannot_check_in(congress):
    session, rep = congress["session"], congress["reps"][2]
    reps.representative_withdraw(actor=congress["office"], representative=rep)
    with pytest.raises(ValidationError, match="not a seated representative"):
        check_in_by_code(actor=congress["rep_users"][2], session=session, code=session.check_in_code)
    with pytest.raises(ValidationError, match="has been withdrawn"):
        check_in_by_clerk(actor=congress["office"], session=session, representative=rep)
    assert CheckIn.objects.count() == 0


def test_a_representative_of_another_term_cannot_check_in(congress):
    union = congress["union"]
    old_term = records.other_term(union["union"])
    old_rep = records.seat(old_term, union["s1"], records.member(union["g11"], "旧代表"))
    old_user = factories.user("old-rep", member=old_rep.member)
    session = congress["session"]
    with pytest.raises(ValidationError, match="not a seated representative"):
        check_in_by_code(actor=old_user, session=session, code=session.check_in_code)
    with pytest.raises(ValidationError, match="does not belong to this congress term"):
        check_in_by_clerk(actor=congress["office"], session=session, representative=old_rep)
    with pytest.raises(ValidationError, match="not a seated representative"):  # a member, no seat at all
        check_in_by_code(actor=congress["member"], session=session, code=session.check_in_code)
    assert CheckIn.objects.count() == 0


def test_a_clerk_checks_a_representative_in(congress):
    clerk = congress["office"]
    result = check_in_by_clerk(actor=clerk, session=congress["session"], representative=congress["reps"][5])
    assert result.created
    assert (result.check_in.method, result.check_in.recorded_by_id) == ("clerk", clerk.pk)


@pytest.mark.parametrize("who", ["cadre", "member", "committee", "handler"])
def test_only_clerks_check_others_in(congress, who):
    with pytest.raises(PermissionRefused, match="congress.check_in"):
        check_in_by_clerk(actor=congress[who], session=congress["session"], representative=congress["reps"][0])
    assert CheckIn.objects.count() == 0


def test_a_clerk_of_another_union_is_refused(congress):
    other = factories.unit(None, "另一工会", "union", code="OU")
    clerk = factories.user("other-office", roles=(("congress_office", other),))
    with pytest.raises(PermissionRefused):
        check_in_by_clerk(actor=clerk, session=congress["session"], representative=congress["reps"][0])
