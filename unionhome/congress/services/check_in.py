"""Check-in at a session (签到): a representative scans the hall's QR code, or a clerk enters them.

Only a session in progress takes check-ins, and only from a representative seated in its term. A
representative checks in once per session: the second attempt, also one at the same moment from a
double tap or from a clerk and the phone together, answers "already checked in" and changes nothing
(the unique constraint decides; the loser's ``IntegrityError`` is caught in a savepoint).
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.congress.models import CheckIn, CongressSession, Representative
from unionhome.congress.seats import seat_in

PERMISSION = "congress.check_in"
CODE_LIMIT = 100


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    created: bool  # False: the representative had already checked in

    @property
    def already(self) -> bool:
        return not self.created


def _open_session(session: CongressSession) -> CongressSession:
    session = CongressSession.objects.get(pk=session.pk)
    if session.status != CongressSession.Status.IN_PROGRESS:
        raise ValidationError(
            _("Check-in is open only while the session is in progress (it is “%(status)s”).")
            % {"status": session.get_status_display()}
        )
    return session


def _check_in(*, actor, session: CongressSession, representative: Representative, method: str) -> CheckInResult:
    existing = CheckIn.objects.filter(session=session, representative=representative).first()
    if existing is not None:
        return CheckInResult(existing, created=False)
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                session=session,
                representative=representative,
                method=method,
                recorded_by=actor if method == CheckIn.Method.CLERK else None,
            )
    except IntegrityError:  # the same representative checked in at the same moment
        return CheckInResult(CheckIn.objects.get(session=session, representative=representative), created=False)
    record(actor, "congress.check_in.recorded", session, representative=representative.pk, method=method)
    return CheckInResult(check_in, created=True)


def code_matches(session: CongressSession, code: str) -> bool:
    return isinstance(code, str) and secrets.compare_digest(code.encode(), session.check_in_code.encode())


@transaction.atomic
def check_in_by_code(*, actor, session: CongressSession, code: str) -> CheckInResult:
    """The representative ``actor`` checks in with the code of the hall's QR code (method ``qr_code``).

    Refused when the actor holds no seat in the session's term (or was withdrawn), when the code is
    wrong or has been replaced, or when the session is not in progress."""
    session = _open_session(session)
    if not isinstance(code, str) or len(code) > CODE_LIMIT or not code_matches(session, code):
        raise ValidationError(
            {"code": _("This check-in code is not valid (it may have been replaced). Scan the code shown in the hall.")}
        )
    seat = seat_in(actor, session.congress_id)
    if seat is None:
        raise ValidationError(_("You are not a seated representative of this congress, so you cannot check in."))
    return _check_in(actor=actor, session=session, representative=seat, method=CheckIn.Method.QR_CODE)


@transaction.atomic
def check_in_by_clerk(*, actor, session: CongressSession, representative: Representative) -> CheckInResult:
    """A clerk (``congress.check_in``) checks a seated representative of the session's term in."""
    require(actor, PERMISSION, session)
    session = _open_session(session)
    seat = Representative.objects.select_related("member").get(pk=representative.pk)
    if seat.congress_id != session.congress_id:
        raise ValidationError({"representative": _("This representative does not belong to this congress term.")})
    if seat.status != Representative.Status.SEATED:
        raise ValidationError(
            {"representative": _("%(name)s has been withdrawn and cannot check in.") % {"name": seat.member.name}}
        )
    return _check_in(actor=actor, session=session, representative=seat, method=CheckIn.Method.CLERK)
